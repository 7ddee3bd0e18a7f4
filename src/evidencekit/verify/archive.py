"""Verifying a hand-over archive: as a stream (`verify ARCHIVE`, nothing written to disk), and
after `open` has unpacked it (the hashes taken while unpacking are used, not read again).

handover/ reads and unpacks the archive; the checks are verify's, the same as for a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from evidencekit.case.bagview import FolderView
from evidencekit.case.findings import ERROR, VerifyReport
from evidencekit.handover.keys import AskPassphrase
from evidencekit.handover.opening import ArchiveDamagedError, ArchiveFacts, read_archive
from evidencekit.handover.stream_verify import (
    NotATarError,
    StreamView,
    bag_root,
    collect,
    report_archive_entries,
    report_checksum,
)
from evidencekit.handover.unpack import unpack_archive
from evidencekit.verify.run import verify_bag


def verify_archive(
    path: Path,
    *,
    identity_file: Path | None,
    ask_passphrase: AskPassphrase,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Verify the bag inside an encrypted hand-over, as a stream: nothing is written to disk.

    Raises `WrongKeyError` / `NotAnArchiveError` (exit 2) when it cannot be opened. Damage to the
    archive and problems with the bag inside are findings in the report (exit 1).
    """
    report = VerifyReport(source=str(path))
    try:
        facts, archive = read_archive(
            path, collect, identity_file=identity_file, ask_passphrase=ask_passphrase, progress=progress
        )
    except ArchiveDamagedError as exc:
        report.add(ERROR, "archive-damaged", str(path), exc.message)
        if exc.facts is not None:
            report.details["archive"] = exc.facts.to_json()
        return report
    except NotATarError:
        report.add(
            ERROR,
            "archive-not-a-case",
            str(path),
            "The archive decrypted correctly, but what is inside is not a tar archive of a case.",
        )
        return report
    report.details["archive"] = archive.to_json()
    report_checksum(archive, report)
    report_archive_entries(facts, "", report)
    root = bag_root(facts)
    if root is None:
        report.add(
            ERROR,
            "archive-not-a-case",
            str(path),
            "The archive decrypted correctly, but it does not hold one case folder (no bagit.txt).",
        )
        return report
    view = StreamView(facts, root, str(path))
    verify_bag(view, report=report)
    return report


@dataclass(frozen=True)
class OpenResult:
    case_folder: Path
    report: VerifyReport
    archive: ArchiveFacts
    files: int
    bytes: int


class _UnpackedView(FolderView):
    """The unpacked folder, with the payload hashes taken while it was written."""

    def __init__(self, root: Path, digests: dict[str, str]) -> None:
        super().__init__(root)
        self.digests = digests

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        for path, expected, _size in jobs:
            yield path, expected, self.digests.get(path), None if path in self.digests else "not unpacked"


def open_archive(
    path: Path,
    to_dir: Path,
    *,
    identity_file: Path | None,
    ask_passphrase: AskPassphrase,
    progress: Callable[[int, int], None] | None = None,
    on_file: Callable[[str], None] = lambda name: None,
) -> OpenResult:
    """Decrypt and unpack the hand-over at `path` into `to_dir/<case>`, then verify the case."""
    unpacked = unpack_archive(
        path,
        to_dir,
        identity_file=identity_file,
        ask_passphrase=ask_passphrase,
        progress=progress,
        on_file=on_file,
    )
    view = _UnpackedView(unpacked.case_folder, unpacked.digests)
    report = VerifyReport(source=str(unpacked.case_folder))
    report.details["archive"] = unpacked.archive.to_json()
    report_checksum(unpacked.archive, report)
    verify_bag(view, report=report)
    return OpenResult(unpacked.case_folder, report, unpacked.archive, unpacked.files, unpacked.bytes)


__all__ = ["OpenResult", "open_archive", "verify_archive"]
