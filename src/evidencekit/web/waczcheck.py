"""Verify, for WACZ files: each is a sound zip that cannot be used against the examiner's machine,
and everything in it matches its own datapackage.json.

A WACZ is opened by other tools (ReplayWeb.page, pywb's `wb-manager add --unpack-wacz`), so one
that arrives in a case is untrusted input even though the case manifest covers its bytes: someone
could have replaced it and re-listed it. Checked without unpacking anything to disk:

- the zip can be read, has at most `MAX_MEMBERS` entries, no member name that could leave a
  folder (`..`, absolute, drive, backslash…; the one rule in case/names.py), no link and no name
  given twice;
- its members cannot expand to more than `MAX_EXPANDED` bytes, nor one of them or all together to
  more than `MAX_RATIO` times their compressed size or the file's (a zip bomb, overlapping entries
  included); every member is read to its end with its CRC checked;
- datapackage.json lists every member with a SHA-256 and size that match, datapackage-digest.json
  holds the SHA-256 of datapackage.json, and a WACZ evidencekit made for a capture holds that
  capture's WARC byte for byte (the SHA-256 the manifest gives it).

Registered in `verify.parts.EXTRA_CHECKS`; called as `check_waczs(root, report)`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from evidencekit.case import layout, safepath
from evidencekit.case.bag import parse_manifest
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import shared_lines
from evidencekit.case.names import member_name_problem
from evidencekit.web.wacz import ARCHIVE_DIR, DATAPACKAGE, DATAPACKAGE_DIGEST
from evidencekit.web.wacz_pack import wacz_path, warc_of

MAX_MEMBERS = 10_000
MAX_EXPANDED = 64 << 30  # 64 GiB: far above any capture (a capture's cap is 250 MB)
MAX_RATIO = 200  # a deflated WARC index or page list shrinks 5-20 times; a bomb a thousand times
MAX_DATAPACKAGE = 16 << 20
_BLOCK = 1 << 20


@dataclass
class WaczProblems:
    """What is wrong with one WACZ: (code, sentence) pairs, and whether its digest file is missing."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    digest_missing: bool = False
    members: dict[str, str] = field(default_factory=dict)  # member -> sha256 hex, when read

    def add(self, code: str, message: str) -> None:
        self.problems.append((code, message))


def check_waczs(root: Path, report: VerifyReport) -> None:
    """Add findings for every WACZ file the case's manifest lists."""
    manifest = _manifest(root)
    waczs = sorted(path for path in manifest if path.lower().endswith(".wacz"))
    if not waczs:
        return
    expected_warcs = _expected_warcs(root, manifest)
    good = 0
    for bag_path in waczs:
        try:
            fd = safepath.open_regular(root, bag_path)
        except FileNotFoundError:
            continue  # verify's payload checks already report a missing file
        except OSError as exc:
            report.add(ERROR, "wacz-unreadable", bag_path, f"{bag_path} cannot be opened ({exc}).")
            continue
        with os.fdopen(fd, "rb") as stream:
            found = check_wacz(stream, bag_path)
        expected = expected_warcs.get(bag_path)
        if expected is not None and not found.problems:
            warc_name, sha256 = expected
            inside = found.members.get(ARCHIVE_DIR + warc_name)
            if inside != sha256:
                found.add(
                    "wacz-warc-differs",
                    f"{bag_path} does not hold the capture's WARC ({warc_name}) unchanged: replaying it "
                    "would not show the evidence.",
                )
        for code, message in found.problems:
            report.add(ERROR, code, bag_path, message)
        if found.digest_missing and not found.problems:
            report.add(
                WARNING,
                "wacz-digest-missing",
                bag_path,
                f"{bag_path} has no datapackage-digest.json, so its datapackage.json is covered only by the "
                "case manifest.",
            )
        good += not found.problems
    if good:
        report.add(
            INFO,
            "wacz-ok",
            None,
            f"{good} replayable web archive file(s) (WACZ) checked: each is a sound zip, safe to open, "
            "and every file in it matches its datapackage.json.",
        )


def check_wacz(stream: IO[bytes], shown: str) -> WaczProblems:
    """The problems of one WACZ file, read from `stream` (an open, seekable file)."""
    found = WaczProblems()
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        found.add("wacz-unreadable", f"{shown} cannot be read as a zip file ({_reason(exc)}).")
        return found
    with archive:
        infos = archive.infolist()
        size = stream.seek(0, os.SEEK_END)
        if not _safe_listing(infos, size, shown, found):
            return found
        _read_members(archive, infos, shown, found)
        if found.problems:
            return found
        _check_datapackage(archive, infos, shown, found)
    return found


def _safe_listing(infos: list[zipfile.ZipInfo], size: int, shown: str, found: WaczProblems) -> bool:
    if len(infos) > MAX_MEMBERS:
        found.add("wacz-zip-bomb", f"{shown} lists {len(infos):,} files; a WACZ has a handful.")
        return False
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        problem = member_name_problem(name.rstrip("/") if info.is_dir() else name)
        if problem is None and stat.S_ISLNK(info.external_attr >> 16):
            problem = "it is a symbolic link"
        if problem is None and name in seen:
            problem = "it is in the zip twice"
        if problem is not None:
            found.add(
                "wacz-unsafe-member", f"{shown} holds a file named {name!r}, which is refused: {problem}."
            )
        seen.add(name)
    if found.problems:
        return False
    expanded = sum(info.file_size for info in infos)
    # Members that overlap (several entries over the same compressed bytes) expand past any ratio
    # a single member shows; their sum cannot pass the file's own size times the ratio.
    if expanded > MAX_EXPANDED or expanded > MAX_RATIO * size + (64 << 20):
        found.add("wacz-zip-bomb", f"{shown} would expand to {expanded:,} bytes.")
        return False
    for info in infos:
        packed = max(info.compress_size, 1)
        if (
            info.compress_type != zipfile.ZIP_STORED
            and info.file_size > (1 << 20)
            and info.file_size > MAX_RATIO * packed
        ):
            found.add(
                "wacz-zip-bomb",
                f"{shown}: {info.filename} would expand {info.file_size // packed:,} times "
                f"({info.compress_size:,} to {info.file_size:,} bytes), as zip bombs do.",
            )
            return False
    return True


def _read_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], shown: str, found: WaczProblems
) -> None:
    """Hash every member to its end; zipfile checks each one's CRC and stops at its declared size."""
    for info in infos:
        if info.is_dir():
            continue
        hasher = hashlib.sha256()
        size = 0
        try:
            with archive.open(info) as member:
                while block := member.read(_BLOCK):
                    size += len(block)
                    if size > info.file_size:
                        raise zipfile.BadZipFile("more data than its size says")
                    hasher.update(block)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            found.add("wacz-unreadable", f"{shown}: {info.filename} cannot be read ({_reason(exc)}).")
            return
        except Exception as exc:  # noqa: BLE001 - zlib and the zip reader fail in many ways on damage
            found.add("wacz-unreadable", f"{shown}: {info.filename} cannot be read ({type(exc).__name__}).")
            return
        found.members[info.filename] = hasher.hexdigest()


def _check_datapackage(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], shown: str, found: WaczProblems
) -> None:
    names = {info.filename for info in infos if not info.is_dir()}
    if DATAPACKAGE not in names:
        found.add("wacz-unreadable", f"{shown} has no datapackage.json, so it is not a WACZ.")
        return
    if archive.getinfo(DATAPACKAGE).file_size > MAX_DATAPACKAGE:
        found.add("wacz-zip-bomb", f"{shown}: its datapackage.json is larger than any WACZ's.")
        return
    raw = archive.read(DATAPACKAGE)
    try:
        package = json.loads(raw)
        resources = package["resources"]
        listed = {str(r["path"]): (str(r["hash"]), int(r["bytes"])) for r in resources}
    except (ValueError, KeyError, TypeError) as exc:
        found.add("wacz-unreadable", f"{shown}: its datapackage.json cannot be read ({_reason(exc)}).")
        return
    sizes = {info.filename: info.file_size for info in infos}
    for name in sorted(names - {DATAPACKAGE, DATAPACKAGE_DIGEST}):
        if name not in listed:
            found.add("wacz-not-listed", f"{shown}: {name} is not listed in its datapackage.json.")
            continue
        digest, size = listed[name]
        if digest.lower() != f"sha256:{found.members[name]}" or size != sizes[name]:
            found.add(
                "wacz-hash-mismatch",
                f"{shown}: {name} no longer matches the SHA-256 and size its datapackage.json gives.",
            )
    for name in sorted(set(listed) - names):
        found.add("wacz-member-missing", f"{shown}: its datapackage.json lists {name}, which is not in it.")
    if DATAPACKAGE_DIGEST not in names:
        found.digest_missing = True
        return
    try:
        digest_record = json.loads(archive.read(DATAPACKAGE_DIGEST))
        recorded = str(digest_record["hash"]).lower()
    except (ValueError, KeyError, TypeError) as exc:
        found.add("wacz-unreadable", f"{shown}: its datapackage-digest.json cannot be read ({_reason(exc)}).")
        return
    if recorded != f"sha256:{hashlib.sha256(raw).hexdigest()}":
        found.add(
            "wacz-hash-mismatch",
            f"{shown}: its datapackage.json no longer matches the SHA-256 in datapackage-digest.json.",
        )


def _manifest(root: Path) -> dict[str, str]:
    try:
        text = safepath.read_text(root, layout.MANIFEST)
    except (OSError, UnicodeDecodeError):
        return {}  # verify's bag checks report an unreadable manifest
    return {line.path: line.digest for line in parse_manifest(text) if line.problem is None}


def _expected_warcs(root: Path, manifest: dict[str, str]) -> dict[str, tuple[str, str]]:
    """WACZ bag path -> (WARC file name, the WARC's SHA-256 in the manifest) for each capture."""
    try:
        items = shared_lines(safepath.read_text(root, layout.ITEMS_JSONL))
    except (OSError, ValueError):
        return {}  # verify's record checks report an unreadable items.jsonl
    out = {}
    for item in items:
        warc = warc_of(item) if isinstance(item, dict) else None
        if warc is not None and warc in manifest:
            out[wacz_path(str(item["id"]))] = (warc.rsplit("/", 1)[-1], manifest[warc])
    return out


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__
