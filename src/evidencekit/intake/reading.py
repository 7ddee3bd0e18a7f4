"""Reading what a capture takes: each file copied into the staging area and hashed in one pass
(or only hashed, for what is kept by reference), with progress.

The source is only read. Many small files are read by worker processes, a few by threads; a large
file is pipelined inside `case.hashing.copy_and_hash`. Workers return plain data and problem codes
(`read_one`), which become one clear sentence here (`refusal`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evidencekit.case.hashing import Digest, SourceChangedError, copy_and_hash
from evidencekit.case.names import display_name
from evidencekit.clock import iso_utc
from evidencekit.errors import InputFileError
from evidencekit.intake import filetype
from evidencekit.intake.imagefacts import image_facts
from evidencekit.intake.plan import Member, describe

SMALL_FILE = 1 << 20
ReadOutcome = tuple[str, Digest | None, dict[str, Any] | None]  # problem code ("ok"), hashes, facts


@dataclass(frozen=True)
class CaptureProgress:
    """Progress of a capture: bytes done of total, and the file being read."""

    done_bytes: int
    total_bytes: int
    done_files: int
    total_files: int
    current: str


ProgressCallback = Callable[[CaptureProgress], None]


class ProgressCounter:
    """Progress across the threads that read a folder's files (updates are serialised)."""

    def __init__(self, total_bytes: int, total_files: int, callback: ProgressCallback | None) -> None:
        self.total_bytes, self.total_files, self.callback = total_bytes, total_files, callback
        self.done_bytes = self.done_files = 0
        self.current = ""
        self._lock = threading.Lock()

    def bytes(self, n: int) -> None:
        with self._lock:
            self.done_bytes += n
            self._emit()

    def file_done(self) -> None:
        with self._lock:
            self.done_files += 1
            self._emit()

    def _emit(self) -> None:
        if self.callback:
            self.callback(
                CaptureProgress(
                    self.done_bytes, self.total_bytes, self.done_files, self.total_files, self.current
                )
            )


def ns_to_iso(ns: int) -> str:
    return iso_utc(datetime.fromtimestamp(ns / 1e9, tz=timezone.utc))


def _md5_wanted(ftype: filetype.FileType, sensitive: bool) -> bool:
    """MD5 is what hash-matching services (StopNCII for video, police image databases) use, so it
    is computed for images, video and anything sensitive; elsewhere SHA-256 alone is enough."""
    return sensitive or (ftype.mime or "").startswith(("image/", "video/"))


def _file_facts(digest: Digest, ftype: filetype.FileType, readable_copy: str | Path) -> dict[str, Any]:
    facts = None
    if ftype.mime and ftype.mime.startswith("image/"):
        facts = image_facts(Path(readable_copy))
    return {
        "size": digest.size,
        "sha256": digest.sha256,
        "md5": digest.md5,
        "mime": ftype.mime,
        "mime_description": ftype.description,
        "mime_by_extension": ftype.mime_by_extension,
        "mime_mismatch": ftype.mismatch,
        "image": facts,
        "source_mtime": ns_to_iso(digest.mtime_ns),
        "source_ctime": ns_to_iso(digest.ctime_ns),
    }


def read_one(
    source: str | Path,
    target: str | Path | None,
    sensitive: bool,
    progress: Callable[[int], None] | None = None,
    follow_links: bool = True,
) -> ReadOutcome:
    """Copy (or only hash) one file and describe it: ("ok", digest, facts), or a problem code.

    `follow_links=False` for the files of a captured folder: the listing left links out, and one
    swapped in after it ("changed") is not followed either. A file the person named is opened
    even through a link: that is the file they chose.

    Module-level and returning plain data, so worker processes can run it too. Paths may be plain
    strings: workers handle thousands of files, and a Path for each costs more than its copy."""
    seen: list[filetype.FileType] = []

    def inspect_head(head: bytes) -> bool:
        seen.append(filetype.detect(head, os.path.basename(source)))
        return _md5_wanted(seen[0], sensitive)

    if target is not None and os.path.lexists(target):
        os.unlink(target)  # a worker that died left a partial copy in the staging area: redo it
    try:
        digest = copy_and_hash(
            source, target, inspect_head=inspect_head, progress=progress, follow_links=follow_links
        )
    except SourceChangedError:
        return "changed", None, None
    except PermissionError:
        return "denied", None, None
    except FileNotFoundError:
        return "missing", None, None
    return "ok", digest, _file_facts(digest, seen[0], source if target is None else target)


def _read_chunk(
    jobs: list[tuple[str, str | None, bool, bool]],
) -> list[ReadOutcome]:
    """Worker process: `read_one` for each (source, target, sensitive, follow_links)."""
    return [
        read_one(source, target or None, sensitive, follow_links=follow)
        for source, target, sensitive, follow in jobs
    ]


def refusal(code: str, source: Path) -> InputFileError:
    if code == "changed":
        return InputFileError(
            f"{describe(source)} changed while evidencekit was reading it.",
            hint="It may still be downloading or syncing. Wait until it is complete, then capture "
            "it again. Nothing was captured.",
        )
    if code == "denied":
        return InputFileError(
            f"evidencekit cannot read {describe(source)}: permission denied.",
            hint="Check the file's permissions and try again.",
        )
    return InputFileError(
        f"{describe(source)} disappeared while evidencekit was reading it.",
        hint="Check that the file still exists (and the disk is connected), then try again.",
    )


def read_member(
    member: Member, target: Path | None, sensitive: bool, counter: ProgressCounter
) -> tuple[Digest, dict[str, Any]]:
    """Copy (or only hash) one file in this process, with byte-level progress."""
    counter.current = display_name(member.original_relative)
    code, digest, facts = read_one(
        member.source, target, sensitive, progress=counter.bytes, follow_links=member.named
    )
    if code != "ok" or digest is None or facts is None:
        raise refusal(code, member.source)
    counter.file_done()
    return digest, facts


def hash_only(member: Member) -> tuple[Digest, dict[str, Any]]:
    """Read a file without copying it: its hashes (MD5 too, as for anything sensitive) and facts."""
    code, digest, facts = read_one(member.source, None, True, follow_links=member.named)
    if code != "ok" or digest is None or facts is None:
        raise refusal(code, member.source)
    return digest, facts


def read_members(
    members: list[Member], staged_root: Path | None, sensitive: bool, counter: ProgressCounter
) -> list[tuple[Member, Digest, dict[str, Any]]]:
    """Copy (into `staged_root`, unless None) and hash the files of a folder, in the order of their
    paths inside it.

    Through the one concurrency service (`case.parallel.read_files`): many small files on worker
    processes (threads do not scale for them), a few on threads; large files here, one after the
    other, each pipelined inside copy_and_hash (reading, hashing and writing overlap on threads)."""
    from evidencekit.case import parallel

    def read(member: Member) -> tuple[Digest, dict[str, Any]]:
        target = None if staged_root is None else staged_root / member.relative
        return read_member(member, target, sensitive, counter)

    def for_worker(member: Member) -> tuple[str, str | None, bool, bool]:
        # Plain strings: workers handle thousands of files, and a Path for each costs more.
        target = None if staged_root is None else str(staged_root / member.relative)
        return str(member.source), target, sensitive, member.named

    def from_worker(member: Member, raw: ReadOutcome) -> tuple[Digest, dict[str, Any]]:
        code, digest, facts = raw
        if code != "ok" or digest is None or facts is None:
            raise refusal(code, member.source)
        return digest, facts

    def on_worker_chunk(part: list[Member], results: list[tuple[Digest, dict[str, Any]]]) -> None:
        for member, (digest, _facts) in zip(part, results, strict=True):
            counter.current = display_name(member.original_relative)
            counter.bytes(digest.size)
            counter.file_done()

    run = parallel.read_files(
        members,
        read,
        small=lambda member: member.size <= SMALL_FILE,
        in_worker=_read_chunk,
        for_worker=for_worker,
        from_worker=from_worker,
        large_here=True,
        on_worker_chunk=on_worker_chunk,
    )
    results = [(member, digest, facts) for member, (digest, facts) in run]
    results.sort(key=lambda r: r[0].relative)
    return results
