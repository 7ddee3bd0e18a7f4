"""The one way evidencekit runs hashing work beside a command: worker processes, threads, and a
helper thread, with cancellation and Ctrl-C handled here once.

Capture and verify read many files (`read_files`); a large copy runs the kernel's copy beside the
hashing (`Helper`, used by kernelcopy.py), and verify collects its hashes while other checks run
(`Helper` again). Within one file, reading the next block while this one is hashed is
`hashing.feed_blocks`'s own small pool: it lives and ends with that file.

What every piece keeps true:
- work is started in the calling thread (worker processes are forked only while it runs a single
  thread, below), and a run can be closed from any thread: work not yet started is dropped, work
  running is waited for, so nothing writes into a staging folder after its change was abandoned;
- an error in a worker or helper is raised in the caller's thread, where it can be reported;
- waiting never blocks Ctrl-C for long (short joins), and worker processes end with the command
  that started them, however it ends.

Spreading thousands of small files over worker processes: Python threads do not scale for many
small files: each file is a handful of short system calls
(open, read, write, close), and handing the GIL back and forth between them costs more than the
work itself. Measured here on 2 cores, 4,000 files of 200 KB: two threads ran at 1.05× the speed of
one, two processes at 2.2×. So when a job has many files, it is cut into chunks handled by one
worker process per core; large files stay with the caller, where `copy_and_hash` already overlaps
reading, hashing and writing on threads (few, long system calls: no GIL trouble).

How workers start: on Linux, by forking, but only while this process runs a single thread; else
(and always on Windows and macOS) with "spawn". A forked worker is ready at once; a spawned one is a
new interpreter that imports what it needs, which costs about 0.05 s of a core per worker plus a
resource-tracker process, a tenth of a second in a one-second `verify`. Forking a process that runs
other threads is not safe (a lock another thread held at that moment stays held in the child), so
the work is handed out, and the workers forked, in the calling thread before it starts any other
(see `start_chunks`). The functions given must be module-level (a spawned worker finds them by
name) and return plain data.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Generic, TypeVar

from evidencekit.case.helper import WAIT_STEP
from evidencekit.case.helper import Helper as Helper  # part of the service: parallel.Helper

T = TypeVar("T")
R = TypeVar("R")
J = TypeVar("J")

PROCESS_MIN_FILES = 400  # below this, starting processes costs more than it saves
CHUNK = 64


def worker_count() -> int:
    """One worker per core the process may use (at most 8: beyond that the disk is the limit)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def worth_processes(count: int) -> bool:
    return count >= PROCESS_MIN_FILES and worker_count() > 1


def _context() -> Any:  # a multiprocessing context
    """Fork where it is safe and cheap (Linux, one thread), else spawn (see the module notes)."""
    import multiprocessing
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def map_chunks(
    function: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    chunk: int | None = None,
    on_chunk: Callable[[list[T], list[R]], None] | None = None,
) -> Iterator[R]:
    """`function` over `items` in chunks on worker processes; results in the order of `items`.

    `on_chunk(chunk_items, chunk_results)` is called in this process as each chunk finishes, in
    order (for progress). If the workers cannot be started (a locked-down system), the chunks run
    here instead: slower, never wrong. The work is handed out on the first `next()`.
    """
    yield from start_chunks(function, items, chunk=chunk, on_chunk=on_chunk)


def start_chunks(
    function: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    chunk: int | None = None,
    on_chunk: Callable[[list[T], list[R]], None] | None = None,
) -> ChunkRun[T, R]:
    """Like `map_chunks`, but the workers are started and given all the work now, in this thread;
    the results may then be read from another thread (verify collects them while it goes on).
    Whoever starts the work must `close()` the run if it stops before reading every result."""
    if chunk is None:  # a few chunks per worker: little IPC, yet the load stays balanced
        chunk = max(CHUNK, min(1000, -(-len(items) // (worker_count() * 16))))
    chunks = [list(items[i : i + chunk]) for i in range(0, len(items), chunk)]
    pool = futures = None
    try:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=worker_count(),
            mp_context=_context(),
            initializer=_end_with_parent,
            initargs=(os.getpid(),),
        )
        futures = [pool.submit(function, part) for part in chunks]
    except (ImportError, OSError, NotImplementedError, BrokenProcessPool):
        if pool is not None:
            _stop_started_workers(pool)
        pool = futures = None  # workers could not start: everything runs in the reading thread
    return ChunkRun(function, chunks, pool, futures, on_chunk)


_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Worker start-up (Linux): be killed as soon as the command that started us dies.

    A worker waits for work on a pipe it holds both ends of, so it would never notice a command
    killed with SIGKILL (or crashed): it would finish its files, writing into the staging folder
    that the next command is clearing, then wait forever."""
    from evidencekit.case.libc import linux_libc

    libc = linux_libc()
    if libc is None:
        return
    with contextlib.suppress(AttributeError, OSError):
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the command died before the line above took effect
        os._exit(1)


def _stop_started_workers(pool: Any) -> None:
    """A fork failed part-way (too many processes, no memory): the workers already forked wait for
    work that will never come, and Python would wait for them at exit, forever. (Forked workers are
    all started before the pool's own thread, which would otherwise stop them.)"""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
            process.join(5)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


class ChunkRun(Generic[T, R]):
    """Work handed to worker processes: iterate for the results (in order, once), or `close()` to
    stop early from any thread; work not yet started is dropped and nobody waits for it."""

    def __init__(
        self,
        function: Callable[[list[T]], list[R]],
        chunks: list[list[T]],
        pool: Any,
        futures: list[Any] | None,
        on_chunk: Callable[[list[T], list[R]], None] | None,
    ) -> None:
        self._function = function
        self._chunks = chunks
        self.chunks = chunks  # what each worker call is given, in order
        self._pool = pool
        self._futures = futures
        self._on_chunk = on_chunk
        self._closed = False

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def __iter__(self) -> Iterator[R]:
        done = 0
        if self._pool is not None and self._futures is not None:
            try:
                for future in self._futures:
                    results = future.result()
                    if self._on_chunk:
                        self._on_chunk(self._chunks[done], results)
                    done += 1
                    yield from results
            except BrokenProcessPool:
                pass  # a worker died: do the rest here (slower, never wrong)
            finally:  # also when the caller stops early (an error, Ctrl-C): drop what has not started
                self._pool.shutdown(wait=not self._closed, cancel_futures=True)
        for part in self._chunks[done:]:
            if self._closed:
                return
            results = self._function(part)
            if self._on_chunk:
                self._on_chunk(part, results)
            yield from results


# ---- many files: worker processes for many small ones, threads for the rest ----------------------


def thread_count() -> int:
    """Threads for files read in this process: enough to keep a disk's queue full."""
    return min(8, (os.cpu_count() or 2) * 2)


def read_files(
    jobs: Sequence[J],
    one: Callable[[J], R],
    *,
    small: Callable[[J], bool],
    in_worker: Callable[[list[Any]], list[Any]],
    for_worker: Callable[[J], Any] | None = None,
    from_worker: Callable[[J, Any], R] | None = None,
    threads: int | None = None,
    large_here: bool = False,
    on_worker_chunk: Callable[[list[J], list[R]], None] | None = None,
) -> FileRun[J, R]:
    """Read (hash, or copy and hash) the files `jobs` describe: `(job, result)` pairs, each once.

    Many small jobs (`worth_processes`) go to worker processes, started now in this thread:
    `in_worker` (module-level) gets chunks of `for_worker(job)` and returns plain data, which
    `from_worker(job, data)` turns into the result; `on_worker_chunk(jobs, results)` is called as a
    chunk's results are read (for progress: a worker cannot call back). The other jobs run `one` in
    this process on `threads` threads, once the results are read; with `large_here`, the large ones
    run in the reading thread itself, one after the other, after the rest (capture: each large copy
    has threads of its own, and Ctrl-C stops it at once there).

    Results come threads first, then workers', then those read here, each part in the order of
    `jobs`. `close()` from any thread stops the run: nothing more starts, what runs is finished."""
    small_jobs = [job for job in jobs if small(job)]
    large_jobs = [job for job in jobs if not small(job)]
    here: list[J] = large_jobs if large_here else []
    workers: ChunkRun[Any, Any] | None = None
    in_threads: list[J]
    if worth_processes(len(small_jobs)):
        wanted = small_jobs if for_worker is None else [for_worker(job) for job in small_jobs]
        workers = start_chunks(in_worker, wanted)
        in_threads = [] if large_here else large_jobs
    else:
        in_threads = small_jobs if large_here else list(jobs)
        small_jobs = []
    return FileRun(
        one, in_threads, threads or thread_count(), workers, small_jobs, from_worker, on_worker_chunk, here
    )


class FileRun(Generic[J, R]):
    """Files being read (see `read_files`): iterate once for the results, or `close()`."""

    def __init__(
        self,
        one: Callable[[J], R],
        in_threads: Sequence[J],
        threads: int,
        workers: ChunkRun[Any, Any] | None,
        worker_jobs: list[J],
        from_worker: Callable[[J, Any], R] | None,
        on_worker_chunk: Callable[[list[J], list[R]], None] | None,
        here: Sequence[J],
    ) -> None:
        self._one = one
        self._in_threads = in_threads
        self._threads = threads
        self._workers = workers
        self._worker_jobs = worker_jobs
        self._from_worker = from_worker
        self._on_worker_chunk = on_worker_chunk
        self._here = here
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        """Stop, from any thread: jobs not started are dropped, nobody waits for them here."""
        with self._lock:
            self._closed = True
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if self._workers is not None:
            self._workers.close()

    def __iter__(self) -> Iterator[tuple[J, R]]:
        try:
            yield from self._from_threads()
            yield from self._from_workers()
            for job in self._here:
                if self._closed:
                    return
                yield job, self._one(job)
        finally:  # also when the reader stops early (an error, Ctrl-C)
            if self._workers is not None:
                self._workers.close()

    def _from_threads(self) -> Iterator[tuple[J, R]]:
        if not self._in_threads:
            return
        with self._lock:
            if self._closed:
                return
            pool = self._pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="ek-read")
        futures: list[Future[R]] = []
        try:
            for job in self._in_threads:
                # Under the lock: `close()` from another thread shuts the pool down, after which
                # a submit would raise instead of the run simply stopping.
                with self._lock:
                    if self._closed:
                        break
                    futures.append(pool.submit(self._one, job))
            for job, future in zip(self._in_threads, futures, strict=False):
                try:
                    yield job, future.result()
                except CancelledError:
                    return  # closed meanwhile
        finally:
            # What has not started is dropped; what runs is waited for (a thread copying into the
            # staging folder must be done before the change that owns the folder is abandoned).
            pool.shutdown(wait=False, cancel_futures=True)
            for future in futures:
                with contextlib.suppress(BaseException):
                    _wait_for(future)

    def _from_workers(self) -> Iterator[tuple[J, R]]:
        if self._workers is None:
            return
        jobs = iter(self._worker_jobs)
        results = iter(self._workers)
        for size in [len(part) for part in self._workers.chunks]:
            # Shorter than `size` only when the run was closed meanwhile.
            got = zip(itertools.islice(jobs, size), itertools.islice(results, size), strict=False)
            part = [
                (job, raw if self._from_worker is None else self._from_worker(job, raw)) for job, raw in got
            ]
            if self._on_worker_chunk is not None and part:
                self._on_worker_chunk([job for job, _ in part], [result for _, result in part])
            yield from part
            if self._closed or len(part) < size:
                return


def _wait_for(future: Future[Any]) -> None:
    while not future.done():
        with contextlib.suppress(TimeoutError):
            future.exception(timeout=WAIT_STEP)


CaseFile = tuple[str, str]  # (the case folder, a path inside it)


def hash_chunk(files: list[CaseFile]) -> list[tuple[str | None, str | None]]:
    """Worker: (sha256, None) or (None, problem) for each (case folder, path inside it).

    Each file is opened through safepath, like every read of a case: a link (at any step) or a
    special file put where a listed file was is reported, never followed or opened. (The case
    folder repeats in every pair, but it is the same string object, which pickle sends once.)"""
    from evidencekit.case.hashing import CaseFiles, SourceChangedError

    out: list[tuple[str | None, str | None]] = []
    readers: dict[str, CaseFiles] = {}
    try:
        for root, relative in files:
            reader = readers.get(root) or readers.setdefault(root, CaseFiles(root))
            try:
                out.append((reader.hash(relative)[0], None))
            except SourceChangedError:
                out.append((None, "it changed while it was being checked"))
            except OSError as exc:
                out.append((None, unreadable_reason(root, relative, exc)))
    finally:
        for reader in readers.values():
            reader.close()
    return out


def unreadable_reason(root: str | Path, relative: str, exc: OSError) -> str:
    """Why a case file could not be hashed, in a few words (a finding says which file)."""
    from evidencekit.case import safepath

    if isinstance(exc, safepath.UnsafeCasePathError):
        try:
            st = safepath.lstat_in_case(Path(root), relative)
            kind = "gone" if st is None else safepath.kind_of(st)
        except OSError:
            kind = "link"  # a linked folder on the way to it
        if kind == "link":
            return "it is a link, or inside a linked folder; links in a case are never followed"
        if kind == "special":
            return "it is not a plain file (a FIFO, device or socket), so it was not opened"
        if kind == "folder":
            return "it is a folder where a file should be"
        return exc.message
    return exc.strerror or str(exc)
