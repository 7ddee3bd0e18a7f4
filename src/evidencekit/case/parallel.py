"""Spreading thousands of small files over worker processes.

Python threads do not scale for many small files: each file is a handful of short system calls
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
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

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
