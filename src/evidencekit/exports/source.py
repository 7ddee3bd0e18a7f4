"""One way to read an export, whether it is a single file, a folder or a zip.

Parsers see a `Source`: a list of member names ('/'-separated paths inside the export, as the
export itself names them) and `open(name)`, a binary stream. A zip is never extracted to disk:
members are decompressed as they are read. Before a zip is used it is checked: names that would
escape a folder if extracted (`../`, absolute paths, drive letters — "zip slip") are set aside,
and archives that would unpack to an absurd size (a "zip bomb") are refused, with a sentence
saying why. The item itself is always kept exactly as it is; only reading it is refused.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from evidencekit.case.names import member_name_problem as unsafe_member_name  # one rule for outside names
from evidencekit.sizes import human_size

HEAD = 64 * 1024
BLOCK = 1 << 20

# Zip-bomb limits. Real exports hold photos and videos that barely compress (ratio near 1) and
# text that compresses 5-20x; a bomb compresses thousands of times.
MAX_TOTAL_UNCOMPRESSED = 1 << 40  # 1 TiB: no phone export is this large
MAX_RATIO = 200  # overall, once the archive would unpack to more than RATIO_FLOOR
RATIO_FLOOR = 1 << 30  # 1 GiB
MAX_MEMBER_RATIO = 1000  # one member, once it would unpack to more than MEMBER_RATIO_FLOOR
MEMBER_RATIO_FLOOR = 100 << 20  # 100 MiB
MAX_MEMBERS = 1_000_000

_DRIVE = re.compile(r"^[A-Za-z]:")


class SourceRefused(Exception):
    """The export cannot be opened safely (a zip bomb, a damaged zip). The text says why."""


@dataclass
class Member:
    """One file of an export."""

    name: str  # as the export names it, '/'-separated
    size: int
    bag_path: str | None = None  # where it is stored as its own file in the case, if it is
    sha256: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def normalise(name: str) -> str:
    """A member name or reference as a clean relative path ('' when it would leave the export)."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    if name.startswith("/") or _DRIVE.match(name):
        return ""
    clean = posixpath.normpath(name)
    if clean in (".", "") or clean == ".." or clean.startswith("../"):
        return ""
    return clean


class Source:
    """Base: a set of named members that can be opened for reading."""

    kind = "file"

    def __init__(self, label: str) -> None:
        self.label = label  # the item's original name, for messages
        self._members: dict[str, Member] = {}
        self.problems: list[str] = []  # sentences about members set aside

    # ---- listing ----

    def names(self) -> list[str]:
        return list(self._members)

    def member(self, name: str) -> Member | None:
        return self._members.get(name)

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        return self._members[name].size

    # ---- reading ----

    def open(self, name: str) -> IO[bytes]:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def head(self, name: str, size: int = HEAD) -> bytes:
        with self.open(name) as stream:
            return stream.read(size)

    def close(self) -> None:
        return None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- finding attachments ----

    def find(self, reference: str, near: str | None = None) -> str | None:
        """The member a message's file reference points at, or None.

        Exports write references relative to different roots (Meta: the download's root, which may
        sit inside an extra top folder; WhatsApp: just the file name), so the member whose path
        ends with the longest part of the reference wins. Only existing member names can match,
        so a hostile reference cannot point outside the export.
        """
        ref = normalise(reference)
        if not ref:
            return None
        if near:
            candidate = normalise(posixpath.join(posixpath.dirname(near), ref))
            if candidate in self._members:
                return candidate
        if ref in self._members:
            return ref
        index = self._basename_index()
        candidates = index.get(posixpath.basename(ref), [])
        best, best_len = None, 0
        ref_parts = ref.split("/")
        for cand in candidates:
            parts = cand.split("/")
            common = 0
            while (
                common < len(parts)
                and common < len(ref_parts)
                and parts[-1 - common] == ref_parts[-1 - common]
            ):
                common += 1
            if common > best_len:
                best, best_len = cand, common
        return best

    def _basename_index(self) -> dict[str, list[str]]:
        index = getattr(self, "_index", None)
        if index is None:
            index = {}
            for name in self._members:
                index.setdefault(posixpath.basename(name), []).append(name)
            self._index = index
        return index


class FileSource(Source):
    """A single file; its one member is named by the file's original name."""

    kind = "file"

    def __init__(self, path: Path, label: str, bag_path: str | None = None, sha256: str | None = None):
        super().__init__(label)
        self.path = path
        name = label or path.name
        self._members[name] = Member(name, path.stat().st_size, bag_path, sha256)

    def open(self, name: str) -> IO[bytes]:
        return open(self.path, "rb")


class FolderSource(Source):
    """A folder item: members named by their original relative paths, read from where they are stored."""

    kind = "folder"

    def __init__(self, root: Path, label: str, files: list[dict[str, Any]] | None, bag_path: str | None):
        super().__init__(label)
        self.root = root
        self._disk: dict[str, Path] = {}
        self._stored: dict[str, str] = {}  # member name → its path inside `root`
        if files is None:
            files = [
                {"path": p.relative_to(root).as_posix(), "original_path": p.relative_to(root).as_posix()}
                for p in sorted(root.rglob("*"))
                if p.is_file()
            ]
        for entry in files:
            original = str(entry.get("original_path") or entry["path"])
            stored = str(entry["path"])
            disk = root / stored
            size = entry.get("size")
            if size is None:
                size = disk.lstat().st_size
            self._members[original] = Member(
                original,
                int(size),
                f"{bag_path}/{stored}" if bag_path else None,
                entry.get("sha256"),
            )
            self._disk[original] = disk
            self._stored[original] = stored

    def open(self, name: str) -> IO[bytes]:
        """The member's bytes, reached without following any link: a captured folder lies inside
        the case, which is untrusted input (a link planted in it must not make a transcript read
        a file outside), and names from its record must stay inside the folder."""
        from evidencekit.case import safepath

        return os.fdopen(safepath.open_regular(self.root, self._stored[name]), "rb")


class ZipSource(Source):
    """A zip archive, read member by member without extracting anything."""

    kind = "zip"

    def __init__(self, path: Path, label: str) -> None:
        super().__init__(label)
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,  # a damaged header naming an unknown version or method
            RuntimeError,
        ) as exc:
            raise SourceRefused(f"it is not a readable zip archive ({exc})") from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self.all_members: list[dict[str, Any]] = []  # every entry, safe or not, for the item record
        self._check_bomb(infos)
        for info in infos:
            if info.is_dir():
                continue
            name, raw_hex = _member_name(info)
            entry: dict[str, Any] = {
                "name": name,
                "size": info.file_size,
                "compressed_size": info.compress_size,
                "crc32": f"{info.CRC:08x}",
                "modified_as_written": "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*info.date_time),
            }
            if raw_hex:
                entry["name_bytes_hex"] = raw_hex
            unsafe = unsafe_member_name(name)
            if unsafe:
                entry["unsafe_name"] = unsafe
                self.problems.append(f"“{name}” was set aside: {unsafe}")
            elif info.flag_bits & 0x1:
                entry["encrypted"] = True
                self.problems.append(f"“{name}” is encrypted with a password and cannot be read")
            elif name in self._members:
                entry["duplicate_name"] = True
                self.problems.append(f"“{name}” appears twice in the archive; the first one is used")
            else:
                self._members[name] = Member(name, info.file_size, None, None)
                self._infos[name] = info
            self.all_members.append(entry)
            entry["_info"] = info

    def _check_bomb(self, infos: list[zipfile.ZipInfo]) -> None:
        if len(infos) > MAX_MEMBERS:
            raise SourceRefused(f"it lists {len(infos):,} files, far more than any chat export")
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise SourceRefused(f"it claims to unpack to {human_size(total)}, more than any real export")
        if total > RATIO_FLOOR and total / packed > MAX_RATIO:
            raise SourceRefused(
                f"it would unpack to {human_size(total)} from {human_size(packed)} (a “zip bomb”, "
                f"compressed {total // packed:,} times)"
            )
        for info in infos:
            if info.file_size > MEMBER_RATIO_FLOOR and info.file_size / max(info.compress_size, 1) > (
                MAX_MEMBER_RATIO
            ):
                raise SourceRefused(
                    f"its member “{info.filename}” would unpack to {human_size(info.file_size)} from "
                    f"{human_size(info.compress_size)} (a “zip bomb”)"
                )

    def open(self, name: str) -> IO[bytes]:
        try:
            return self._zip.open(self._infos[name])
        except (NotImplementedError, RuntimeError) as exc:
            # zipfile says NotImplementedError / RuntimeError for a damaged header (an unknown
            # version, method or flag, or an encryption flag set by the damage): for a reader it
            # is a damaged zip like any other.
            raise zipfile.BadZipFile(f"“{name}”: {_zip_error(exc)}") from None

    def close(self) -> None:
        self._zip.close()

    def use_known_hashes(self, members: list[dict[str, Any]]) -> None:
        """Member hashes recorded at capture (so a re-made transcript need not re-read media)."""
        for entry in members:
            member = self._members.get(entry.get("name", ""))
            if member is not None and not entry.get("duplicate_name"):
                member.sha256 = entry.get("sha256")

    def hash_members(self, progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
        """SHA-256 of every member, read by streaming; the list recorded in the item record."""
        out = []
        for entry in self.all_members:
            info: zipfile.ZipInfo = entry.pop("_info")
            record = dict(entry)
            if not _readable(info):  # encrypted: the bytes cannot be read without the password
                record["sha256"] = None
                out.append(record)
                continue
            sha = hashlib.sha256()
            try:
                with self._zip.open(info) as stream:
                    for block in iter(partial(stream.read, BLOCK), b""):
                        sha.update(block)
                        if progress:
                            progress(len(block))
                record["sha256"] = sha.hexdigest()
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                record["sha256"] = None
                record["read_error"] = _zip_error(exc)
                self.problems.append(f"“{entry['name']}” could not be read: {record['read_error']}")
            else:
                member = self._members.get(entry["name"])
                if member is not None and not entry.get("duplicate_name"):
                    member.sha256 = record["sha256"]
            out.append(record)
        return out


def _readable(info: zipfile.ZipInfo) -> bool:
    return not info.flag_bits & 0x1


def _zip_error(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "its contents do not match the checksum stored in the zip (damaged)"
    if isinstance(exc, NotImplementedError):
        return "it uses a compression method evidencekit cannot read"
    return f"the archive is damaged ({text or type(exc).__name__})"


def _member_name(info: zipfile.ZipInfo) -> tuple[str, str | None]:
    """The member's name, and its exact bytes in hex when the zip did not mark it as UTF-8.

    Zips without the UTF-8 flag are decoded as CP437 by Python; phones often write UTF-8 anyway,
    so such names are re-read as UTF-8 when that works. The bytes are kept either way.
    """
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name, None
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name, None
    try:
        return raw.decode("utf-8"), raw.hex()
    except UnicodeDecodeError:
        return name, raw.hex()


def is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"PK\x03\x04", b"PK\x05\x06")


def open_source(
    path: Path,
    label: str,
    files: list[dict[str, Any]] | None = None,
    bag_path: str | None = None,
    sha256: str | None = None,
) -> Source:
    """The right Source for a captured item (its stored copy, or its original when by reference)."""
    if path.is_dir():
        return FolderSource(path, label, files, bag_path)
    if is_zip(path):
        return ZipSource(path, label)
    return FileSource(path, label, bag_path, sha256)


def head_text(source: Source, name: str, size: int = 16384) -> str:
    """The start of a member as text, whatever its byte-order mark says (for detection only)."""
    import codecs

    data = source.head(name, size)
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")
