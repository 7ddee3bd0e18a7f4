"""Verify, for web captures: every WARC record still matches its own digest.

The case manifest already proves each WARC file is byte for byte what was stored. This check reads
the WARC the way a web archivist would (`warcio check`): each record's `WARC-Block-Digest` and
`WARC-Payload-Digest` (SHA-1) must match its content. It therefore also catches a WARC that was
edited and then re-listed in the manifest with a new hash, and a file that is not a readable WARC.
Registered in `verify.parts.EXTRA_CHECKS`; called as `check_web_captures(root, report)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import shared_lines

_BLOCK = 1 << 20


def check_web_captures(root: Path, report: VerifyReport) -> None:
    """Add findings for every WARC file of every `url-capture` item in the case at `root`."""
    warcs = list(_warc_files(root))
    if not warcs:
        return
    good = 0
    for bag_path in warcs:
        path = root / bag_path
        if not path.is_file():
            continue  # verify's payload checks already report a missing file
        problems, unchecked = check_warc(path)
        for code, message in problems:
            report.add(ERROR, code, bag_path, message)
        if unchecked and not problems:
            report.add(
                WARNING,
                "warc-digest-missing",
                bag_path,
                f"{bag_path}: {unchecked} record(s) carry no digest, so they could not be checked "
                "on their own (the case manifest still covers the whole file).",
            )
        if not problems:
            good += 1
    if good:
        report.add(
            INFO,
            "warc-ok",
            None,
            f"{good} web archive file(s) (WARC) checked: every record matches its own digest.",
        )


def _warc_files(root: Path) -> list[str]:
    try:
        items = shared_lines((root / layout.ITEMS_JSONL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # verify's record checks report an unreadable items.jsonl
    found = []
    for item in items:
        if item.get("kind") != "url-capture" or not item.get("bag_path"):
            continue
        for member in item.get("files") or []:
            name = str(member.get("path", ""))
            if name.endswith((".warc", ".warc.gz")):
                found.append(f"{item['bag_path']}/{name}")
    return found


def check_warc(path: Path) -> tuple[list[tuple[str, str]], int]:
    """([(code, problem in words)], number of records without any digest) for one WARC file.

    Codes: `warc-digest-mismatch` (a record changed) and `warc-unreadable` (not a WARC any more).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    problems: list[tuple[str, str]] = []
    unchecked = 0
    records = responses = 0
    shown = path.as_posix()
    try:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, check_digests=True)
            for record in iterator:
                records += 1
                _drain(record.raw_stream)
                target = record.rec_headers.get_header("WARC-Target-URI") or "(no address)"
                kind = record.rec_headers.get_header("WARC-Type")
                if _cut_short(record):
                    problems.append(
                        (
                            "warc-unreadable",
                            f"{_short(shown)}: the WARC {kind or ''} record for {target} is incomplete "
                            "(the file was cut short).",
                        )
                    )
                elif record.digest_checker.passed is False:
                    what = "; ".join(record.digest_checker.problems)
                    problems.append(
                        (
                            "warc-digest-mismatch",
                            f"{_short(shown)}: the WARC {kind} record for {target} at byte "
                            f"{iterator.get_record_offset()} no longer matches its digest ({what}): it was "
                            "changed after capture.",
                        )
                    )
                elif record.digest_checker.passed is None:
                    if _has_digest(record):  # the digest was never reached: the record is cut short
                        problems.append(
                            (
                                "warc-unreadable",
                                f"{_short(shown)}: the WARC {kind} record for {target} is incomplete "
                                "(the file was cut short).",
                            )
                        )
                    else:
                        unchecked += 1
                responses += kind == "response"
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        problems.append(
            ("warc-unreadable", f"{_short(shown)} cannot be read as a WARC file ({_reason(exc)}).")
        )
    except Exception as exc:  # noqa: BLE001 - warcio is not hardened against damaged files
        # A cut-short or altered WARC can make warcio itself fail (AttributeError, KeyError,
        # zlib.error…); to the officer that is the same answer: the file is no longer a whole WARC.
        problems.append(
            (
                "warc-unreadable",
                f"{_short(shown)} cannot be read as a WARC file any more ({type(exc).__name__}: "
                f"{_reason(exc)}).",
            )
        )
    if not problems:
        problems += _gzip_problems(path, shown)
    if responses == 0 and not problems:
        problems.append(("warc-unreadable", f"{_short(shown)} holds no web server response."))
    return problems, unchecked


def _drain(stream: Any) -> None:
    while stream.read(_BLOCK):
        pass


def _gzip_problems(path: Path, shown: str) -> list[tuple[str, str]]:
    """A .warc.gz whose gzip framing is damaged after the last whole record (a cut in the next
    record's gzip header, stray bytes at the end) reads as a shorter, valid WARC; gzip sees it."""
    import gzip
    import zlib

    try:
        with open(path, "rb") as stream:
            if stream.read(2) != b"\x1f\x8b":
                return []  # an uncompressed .warc
        with gzip.open(path, "rb") as stream:
            while stream.read(_BLOCK):
                pass
    except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        return [
            (
                "warc-unreadable",
                f"{_short(shown)}: the compressed WARC file is cut short or damaged after its last whole "
                f"record ({_reason(exc)}).",
            )
        ]
    return []


def _cut_short(record: Any) -> bool:
    """The record ends before its own Content-Length says (a field WARC requires in every record);
    warcio reads such a record without complaint when the cut falls in its headers."""
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        return True
    return bool(getattr(record.raw_stream, "limit", 0))  # bytes still owed after reading to the end


def _has_digest(record: Any) -> bool:
    headers = record.rec_headers
    return bool(headers.get_header("WARC-Block-Digest") or headers.get_header("WARC-Payload-Digest"))


def _short(path: str) -> str:
    marker = f"/{layout.WEB_DIR}/"
    at = path.find(marker)
    return path[at + 1 :] if at >= 0 else path


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__
