"""WACZ 1.1.1: one web capture's WARC packed so that ReplayWeb.page and pywb replay it offline.

A WACZ is a ZIP file (https://specs.webrecorder.net/wacz/1.1.1/) holding:

    archive/capture.warc.gz     the capture's WARC, byte for byte (stored, not compressed again)
    indexes/index.cdx           a CDXJ line per archived response: SURT key, time, where it sits
    pages/pages.jsonl           the page(s) to open first: address, time, title
    datapackage.json            every file above with its SHA-256 and size (Frictionless Data)
    datapackage-digest.json     the SHA-256 of datapackage.json

Written here rather than by the `wacz` package's `create`: that command prints, stamps its own
clock, pulls a Frictionless and pydantic stack into a victim's install, and re-reads the zip to
hash it. The format is small; the tests check every WACZ we make with the package's own
validator and replay it in a real pywb. The index keys are SURT keys spelled exactly as pywb and
py-wacz spell them (web/surt_key.py), so a lookup by any of them finds our lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from evidencekit.web.surt_key import surt_key

WACZ_VERSION = "1.1.1"
ARCHIVE_DIR = "archive/"
INDEX_MEMBER = "indexes/index.cdx"
PAGES_MEMBER = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DATAPACKAGE_DIGEST = "datapackage-digest.json"
PAGES_FORMAT = "json-pages-1.0"
_INDEXED_TYPES = frozenset({"response", "revisit", "resource"})
_BLOCK = 1 << 20


@dataclass(frozen=True)
class IndexLine:
    """One archived response as the index lists it."""

    key: str  # SURT form of the address, the lookup key
    timestamp: str  # 14 digits, UTC
    url: str
    status: str | None
    mime: str | None
    digest: str | None
    offset: int
    length: int
    record_type: str
    method: str = "GET"

    def cdxj(self, filename: str) -> str:
        fields: dict[str, str] = {"url": self.url}
        if self.mime:
            fields["mime"] = self.mime
        if self.status:
            fields["status"] = self.status
        if self.digest:
            fields["digest"] = self.digest
        fields |= {"length": str(self.length), "offset": str(self.offset), "filename": filename}
        if self.record_type != "response":
            fields["recordType"] = self.record_type
        return f"{self.key} {self.timestamp} {json.dumps(fields, ensure_ascii=False)}\n"


@dataclass
class WarcIndex:
    """The index of one WARC: the lines, and what was left out (and why, in numbers)."""

    lines: list[IndexLine] = field(default_factory=list)
    not_get: int = 0  # responses to POST and other requests: replayed only by address, so left out
    not_web: int = 0  # records for non-web addresses (urn:, file:) such as the screenshot

    def first(self, url: str) -> IndexLine | None:
        """The earliest GET response archived for `url` (compared by SURT key, as replay does)."""
        try:
            wanted = surt_key(url)
        except ValueError:
            return None
        found = [line for line in self.lines if line.key == wanted]
        return min(found, key=lambda line: line.timestamp) if found else None


@dataclass(frozen=True)
class Page:
    """A page a replay tool offers to open: pages.jsonl's line for it."""

    url: str
    ts: str  # ISO 8601 UTC, e.g. 2026-12-07T23:11:19Z
    title: str | None = None

    def line(self, number: int) -> dict[str, str]:
        out = {"id": f"page-{number}", "url": self.url, "ts": self.ts}
        if self.title:
            out["title"] = self.title
        return out


@dataclass(frozen=True)
class WaczWritten:
    """A WACZ file written: its members' hashes, and the file's own."""

    path: Path
    sha256: str
    size: int
    warc_sha256: str
    members: dict[str, str]  # member path -> "sha256:<hex>"
    index: WarcIndex
    pages: tuple[Page, ...]


def index_warc(stream: IO[bytes]) -> WarcIndex:
    """Read a WARC (plain or gzip per record) and index its web responses, sorted as CDXJ wants."""
    from warcio.archiveiterator import ArchiveIterator

    index = WarcIndex()
    methods: dict[str, str] = {}  # response record id -> the method of the request made for it
    candidates: list[tuple[str | None, IndexLine]] = []
    iterator = ArchiveIterator(stream)
    for record in iterator:
        kind = record.rec_type
        headers = record.rec_headers
        target = headers.get_header("WARC-Target-URI") or ""
        if kind == "request":
            concurrent = headers.get_header("WARC-Concurrent-To")
            method = _request_method(record)
            _drain(record.raw_stream)
            if concurrent and method:
                methods[concurrent] = method
            continue
        if kind not in _INDEXED_TYPES:
            _drain(record.raw_stream)
            continue
        status = mime = None
        if record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            mime = record.http_headers.get_header("Content-Type")
        else:
            mime = headers.get_header("Content-Type")
        _drain(record.raw_stream)
        offset = iterator.get_record_offset()
        length = iterator.get_record_length()
        if not target.lower().startswith(("http://", "https://")):
            index.not_web += 1
            continue
        try:
            key = surt_key(target)
        except ValueError:  # an address no browser could have asked for
            index.not_web += 1
            continue
        line = IndexLine(
            key=key,
            timestamp=_timestamp14(headers.get_header("WARC-Date") or ""),
            url=target,
            status=status,
            # a revisit is found by this type, as pywb and py-wacz write it, then replayed from the
            # earlier response with the same payload digest
            mime="warc/revisit"
            if kind == "revisit"
            else (mime or "").split(";", 1)[0].strip().lower() or None,
            digest=headers.get_header("WARC-Payload-Digest") or headers.get_header("WARC-Block-Digest"),
            offset=offset,
            length=length,
            record_type=kind,
        )
        candidates.append((headers.get_header("WARC-Record-ID"), line))
    for record_id, line in candidates:
        method = methods.get(record_id or "", "GET")
        if method.upper() not in ("GET", "HEAD"):
            index.not_get += 1
            continue
        index.lines.append(line)
    index.lines.sort(key=lambda line: (line.key, line.timestamp, line.offset))
    return index


def write_wacz(
    out: Path,
    warc: IO[bytes],
    warc_name: str,
    *,
    pages: Iterable[Page] | None = None,
    title: str,
    description: str,
    created: datetime,
    software: str,
    page_urls: Iterable[tuple[str, str | None]] = (),
) -> WaczWritten:
    """Write a WACZ of the WARC `warc` (an open, seekable file) to `out` (a new file, fsynced).

    `pages` are taken as given; else each of `page_urls` ((address, title)) found in the WARC's
    index becomes a page, at the time its response was archived. `created` stamps the zip's
    members and datapackage.json, so the same inputs make the same bytes."""
    if "/" in warc_name or not warc_name.endswith((".warc", ".warc.gz")):
        raise ValueError(f"not a WARC file name: {warc_name!r}")
    index = index_warc(warc)
    chosen = tuple(pages) if pages is not None else _pages_found(index, page_urls)
    when = created.astimezone(timezone.utc)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    members: dict[str, str] = {}
    sizes: dict[str, int] = {}
    warc_member = ARCHIVE_DIR + warc_name
    with open(out, "xb") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
        warc.seek(0)
        hasher = hashlib.sha256()
        size = 0
        with archive.open(_info(warc_member, stamp, zipfile.ZIP_STORED), "w", force_zip64=True) as member:
            while block := warc.read(_BLOCK):
                hasher.update(block)
                member.write(block)
                size += len(block)
        members[warc_member], sizes[warc_member] = f"sha256:{hasher.hexdigest()}", size
        texts = {
            INDEX_MEMBER: "".join(line.cdxj(warc_name) for line in index.lines).encode("utf-8"),
            PAGES_MEMBER: _pages_jsonl(chosen, title),
        }
        for name, data in texts.items():
            archive.writestr(_info(name, stamp, zipfile.ZIP_DEFLATED), data)
            members[name], sizes[name] = f"sha256:{hashlib.sha256(data).hexdigest()}", len(data)
        package = _datapackage(members, sizes, chosen, title, description, when, software)
        archive.writestr(_info(DATAPACKAGE, stamp, zipfile.ZIP_DEFLATED), package)
        digest = {"path": DATAPACKAGE, "hash": f"sha256:{hashlib.sha256(package).hexdigest()}"}
        archive.writestr(
            _info(DATAPACKAGE_DIGEST, stamp, zipfile.ZIP_DEFLATED),
            json.dumps(digest, indent=2).encode("utf-8"),
        )
    sha256, total = _hash_and_sync(out)
    return WaczWritten(
        path=out,
        sha256=sha256,
        size=total,
        warc_sha256=members[warc_member].split(":", 1)[1],
        members=members,
        index=index,
        pages=chosen,
    )


# ---- the pieces ------------------------------------------------------------------------------------


def _pages_found(index: WarcIndex, page_urls: Iterable[tuple[str, str | None]]) -> tuple[Page, ...]:
    found: dict[str, Page] = {}
    for url, title in page_urls:
        line = index.first(url)
        if line is not None and line.key not in found:
            found[line.key] = Page(url=line.url, ts=_iso(line.timestamp), title=title)
    return tuple(found.values())


def _pages_jsonl(pages: tuple[Page, ...], title: str) -> bytes:
    header = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    lines = [header, *(page.line(number) for number, page in enumerate(pages, 1))]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")


def _datapackage(
    members: dict[str, str],
    sizes: dict[str, int],
    pages: tuple[Page, ...],
    title: str,
    description: str,
    when: datetime,
    software: str,
) -> bytes:
    package: dict[str, Any] = {
        "profile": "data-package",
        "resources": [
            {
                "name": path.rsplit("/", 1)[-1].lower(),
                "path": path,
                "hash": members[path],
                "bytes": sizes[path],
            }
            for path in members
        ],
        "wacz_version": WACZ_VERSION,
        "title": title,
        "description": description,
        "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": software,
    }
    if pages:
        package["mainPageURL"] = pages[0].url
        package["mainPageDate"] = pages[0].ts
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")


def _info(name: str, stamp: tuple[int, int, int, int, int, int], method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    return info


def _request_method(record: Any) -> str | None:
    if record.http_headers is None:
        return None
    line = record.http_headers.protocol or ""  # warcio keeps the request's method here
    method = str(line).split(" ", 1)[0].strip().upper()
    return method or None


def _timestamp14(warc_date: str) -> str:
    digits = "".join(ch for ch in warc_date if ch.isdigit())[:14]
    return digits.ljust(14, "0") if digits else "19700101000000"


def _iso(timestamp14: str) -> str:
    t = timestamp14
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def _drain(stream: Any) -> None:
    while stream.read(_BLOCK):
        pass


def _hash_and_sync(path: Path) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    with open(path, "rb+") as stream:
        for block in _blocks(stream):
            hasher.update(block)
            size += len(block)
        os.fsync(stream.fileno())
    return hasher.hexdigest(), size


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    while block := stream.read(_BLOCK):
        yield block
