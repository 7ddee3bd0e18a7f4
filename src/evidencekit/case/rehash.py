"""Re-hashing the payload: every file under data/ against the manifest, in the background.

All of verify's hashing is here, so that it can move to a shared hashing service in one place:
`hash_in_folder` hashes the files of a case folder (worker processes for many small files,
threads for large ones), and `PendingHashes` collects what any bag view's hashing yields while
the other checks run, then puts its findings where the payload check would have put them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from evidencekit.case import parallel
from evidencekit.case.findings import ERROR, BytesProgress, Finding, VerifyReport, finding
from evidencekit.case.hashing import SourceChangedError, hash_case_file

SMALL_FILE = 4 << 20  # up to this size, many files go to worker processes (see parallel.py)
HashResult = tuple[str, str, str | None, str | None]  # path, expected, actual sha256 or None, problem
HashJob = tuple[str, str, int]  # path, expected sha256, size


class HashSource(Protocol):
    """A bag view's hashing: (path, expected, actual or None, problem or None) per job."""

    def hash_files(self, jobs: list[HashJob], workers: int | None) -> Iterable[HashResult]: ...


def hash_in_folder(root: Path, jobs: list[HashJob], workers: int | None) -> Hashing:
    """Hash the payload files `jobs` of the case folder at `root`, through safepath, by the one
    concurrency service (`parallel.read_files`): many small files on worker processes (threads do
    not scale for short system calls), started now in the calling thread; large files (and all of
    them when there are few) on threads, each pipelining its own reading and hashing. Stoppable
    from any thread, threads and processes alike."""
    folder = str(root)  # plain strings: pathlib would cost a tenth of the checking here

    def one(job: HashJob) -> HashResult:
        path, expected, _size = job
        try:
            actual, _ = hash_case_file(root, path)  # through safepath: no link followed
            return path, expected, actual, None
        except SourceChangedError:
            return path, expected, None, "it changed while it was being checked"
        except OSError as exc:
            return path, expected, None, parallel.unreadable_reason(root, path, exc)

    def from_worker(job: HashJob, raw: tuple[str | None, str | None]) -> HashResult:
        return job[0], job[1], raw[0], raw[1]

    run = parallel.read_files(
        jobs,
        one,
        small=lambda job: job[2] <= SMALL_FILE,
        in_worker=parallel.hash_chunk,
        for_worker=lambda job: (folder, job[0]),
        from_worker=from_worker,
        threads=workers or min(32, (os.cpu_count() or 2) * 2),
    )
    return Hashing((result for _job, result in run), stop=run.close)


class Hashing:
    """Hashing results still to come, and how to stop the worker processes producing them (from
    any thread) when verify stops early: Ctrl-C, or an error in another check."""

    def __init__(self, results: Iterable[HashResult], stop: Callable[[], None]) -> None:
        self._results = results
        self.stop = stop

    def __iter__(self) -> Iterator[HashResult]:
        return iter(self._results)


class PendingHashes:
    """Hashing every payload file, in the background, while the other checks run.

    The hashing itself runs on worker processes or threads (see `hash_files` of the bag view); this thread
    only collects results. Its findings are put where the payload check would have put them, so
    the report reads in the same order as if everything had run one after the other.
    """

    def __init__(
        self,
        bag: HashSource,
        report: VerifyReport,
        jobs: list[HashJob],
        progress: BytesProgress | None,
        workers: int | None,
    ) -> None:
        self._report = report
        self._position = len(report.findings)
        self._findings: list[Finding] = []
        self._files = self._bytes = 0
        jobs = sorted(jobs, key=lambda j: -j[2])  # big files first keeps every core busy to the end
        # Worker processes are started here, in the calling thread, before the collecting thread
        # exists (parallel.py forks only a process that runs a single thread).
        results = bag.hash_files(jobs, workers)
        # Only hashing by the concurrency service can be stopped from here; other views hash as
        # they are read (a generator's close() from this thread would fail while the collecting
        # thread runs it). The collecting thread is a `parallel.Helper`: what stops it is raised
        # by finish(), in the caller's thread.
        self._stop = results.stop if isinstance(results, Hashing) else None
        self._thread = parallel.Helper("ek-verify-hashes", lambda _helper: self._run(results, jobs, progress))
        self._thread.start()

    def _run(
        self,
        results: Iterable[HashResult],
        jobs: list[HashJob],
        progress: BytesProgress | None,
    ) -> None:
        total = sum(size for _, _, size in jobs)
        sizes = {path: size for path, _, size in jobs}
        for path, expected, actual, problem in results:
            self._files += 1
            self._bytes += sizes[path]
            if progress:
                progress(self._bytes, total)
            if problem:
                self._findings.append(
                    finding(ERROR, "unreadable", path, f"{path} cannot be read ({problem}).")
                )
            elif actual != expected:
                self._findings.append(
                    finding(
                        ERROR,
                        "payload-changed",
                        path,
                        f"{path} was changed after it was captured (its SHA-256 is now "
                        f"{(actual or '')[:16]}…, the manifest says {expected[:16]}…).",
                    )
                )

    def cancel(self) -> None:
        """Stop the hashing: work not yet started is dropped, and nothing waits for it."""
        if self._stop is not None:
            self._stop()

    def finish(self) -> None:
        """Wait for the hashing and add what it found to the report."""
        self._thread.finish()  # waits in short steps (Ctrl-C stays responsive); raises its error
        self._report.checked_files += self._files
        self._report.checked_bytes += self._bytes
        self._report.findings[self._position : self._position] = self._findings


# ---- custody log and records --------------------------------------------------------------------


__all__ = ["SMALL_FILE", "HashSource", "Hashing", "PendingHashes", "hash_in_folder"]
