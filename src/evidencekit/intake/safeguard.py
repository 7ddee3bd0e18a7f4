"""The under-18 safeguard: find every image or video in what is about to be captured.

In a case marked "someone shown was under 18", an intimate image is child sexual abuse material and
a copy of it is itself unlawful, so evidencekit must not copy any image or video without an explicit
answer: `--sensitive` (record by reference, never copied) or `--not-intimate` (the person confirms it
shows no nudity). This module looks at the *whole* input before anything is copied: every file given,
every file inside a given folder, and every member of a zip or tar archive (a WhatsApp export zip
carries the chat's photos). An archive that cannot be looked inside counts as possibly holding
images. Images and video are recognised by content (libmagic, and a few signatures checked here so
the safeguard works without libmagic) and by name.

Only the first bytes of each file are read, and nothing is decoded, shown or written.
"""

from __future__ import annotations

import gettext
import hashlib
import os
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from evidencekit.case.names import display_name
from evidencekit.errors import EvidenceKitError
from evidencekit.intake import filetype

if TYPE_CHECKING:
    from evidencekit.intake.plan import Plan

HEAD = 8192
MAX_ARCHIVE_MEMBERS = 200_000
_ARCHIVE_EXTENSIONS = (
    ".zip", ".7z", ".rar", ".tar", ".tgz", ".tar.gz", ".gz", ".bz2", ".xz", ".tbz2", ".txz", ".zst",
)  # fmt: skip
_ZIP_MIMES = ("application/zip", "application/x-zip-compressed")
_TAR_MIMES = ("application/x-tar", "application/gzip", "application/x-bzip2", "application/x-xz")
_OPAQUE_ARCHIVE_MIMES = (
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/x-rar",
    "application/x-rar-compressed",
    "application/zstd",
    "application/x-iso9660-image",
    "application/vnd.ms-cab-compressed",
)
# Container formats that are zip files inside and can carry pictures (documents, e-books).
_ZIP_FAMILY_PREFIXES = (
    "application/vnd.openxmlformats",
    "application/vnd.oasis.opendocument",
    "application/epub",
)


# ---- what the person is told ------------------------------------------------------------------
#
# The refusals are written here, beside the rule that raises them (the guide, above intake, shows
# the same errors). They go through the guide's translation catalogue, as guide/text.py's do.

_ = gettext.translation(
    "evidencekit", localedir=str(Path(__file__).resolve().parent.parent / "guide" / "locale"), fallback=True
).gettext

MEDIA_REFUSED = _(
    "This case is marked: someone shown may have been under 18. Among what you gave are images or "
    "videos (or archives that may hold them): {count} in all, for example {examples}. evidencekit "
    "does not copy them without your answer, because a copy of an intimate image of someone under "
    "18 is itself unlawful, even for the person in it."
)
MEDIA_REFUSED_HINT = _(
    "Nothing was captured. If they show no nudity (for example screenshots of the chat), run the "
    "same command with --not-intimate. If any could show nudity, use --sensitive instead: they are "
    "then recorded by reference (fingerprint only) and never copied. `evidencekit guide` lists the "
    "services that can help."
)
SCREEN_REFUSED = _(
    "This case is marked: someone shown may have been under 18. A screen capture is a new copy of "
    "whatever is on the screen, so evidencekit needs you to confirm first that the screen shows no "
    "nudity."
)
SCREEN_REFUSED_HINT = _(
    "Nothing was captured. If the screen shows only the conversation, with no intimate image, run "
    "the same command with --not-intimate. Never take a screenshot of an intimate image."
)


class UnderEighteenMediaError(EvidenceKitError):
    """Images or videos were about to be captured in an under-18 case without an answer."""

    def __init__(self, findings: Sequence[MediaFinding]) -> None:
        super().__init__(
            MEDIA_REFUSED.format(count=len(findings), examples=examples(findings)),
            hint=MEDIA_REFUSED_HINT,
        )
        self.findings = list(findings)


class UnderEighteenScreenError(EvidenceKitError):
    """A screen capture in an under-18 case without the no-nudity confirmation."""

    def __init__(self) -> None:
        super().__init__(SCREEN_REFUSED, hint=SCREEN_REFUSED_HINT)


@dataclass(frozen=True)
class MediaFinding:
    """One image or video (or an archive that may hold some) in the input."""

    path: str  # as the person would recognise it: the file, or "archive.zip → member"
    what: str  # image, video, archive (cannot be looked inside)


def examples(findings: Sequence[MediaFinding], count: int = 3) -> str:
    shown = ", ".join(f"“{f.path}”" for f in findings[:count])
    return shown + (", …" if len(findings) > count else "")


def _signature(head: bytes) -> str | None:
    """image / video from the first bytes, for when libmagic is missing or unsure."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"heim", b"heis", b"hevc"):
            return "image"
        if not brand.startswith((b"M4A", b"M4B", b"M4P")):
            return "video"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska / WebM
        return "video"
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):  # MPEG
        return "video"
    return None


def _media_kind(mime: str | None) -> str | None:
    if not mime:
        return None
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("video/"):
        return "video"
    return None


def _kind_by_name(name: str) -> str | None:
    return _media_kind(filetype.type_by_extension(name))


def _is_archive_name(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_EXTENSIONS)


def _read_head(path: Path) -> bytes:
    from evidencekit.case.hashing import open_source

    fd = open_source(path)
    try:
        return os.read(fd, HEAD)
    finally:
        os.close(fd)


def media_in_file(path: Path, shown_as: str) -> list[MediaFinding]:
    """The media in one file: the file itself, or the members of an archive.

    Cheapest first: the name, then a few signatures, and libmagic only for what is left.
    """
    try:
        head = _read_head(path)
    except OSError:
        return []  # unreadable files are reported by the capture's own checks
    kind = _kind_by_name(path.name) or _signature(head)
    if kind:
        return [MediaFinding(shown_as, kind)]
    mime = filetype.mime_by_content(head) or ""
    kind = _media_kind(mime)
    if kind:
        return [MediaFinding(shown_as, kind)]
    lower = path.name.lower()
    if mime in _ZIP_MIMES or mime.startswith(_ZIP_FAMILY_PREFIXES) or head.startswith(b"PK\x03\x04"):
        return _media_in_zip(path, shown_as)
    if mime in _TAR_MIMES or lower.endswith(
        (".tar", ".tgz", ".tar.gz", ".tbz2", ".txz", ".gz", ".bz2", ".xz")
    ):
        return _media_in_tar(path, shown_as)
    if mime in _OPAQUE_ARCHIVE_MIMES or _is_archive_name(lower):
        return [MediaFinding(shown_as, "archive")]
    return []


def _media_in_zip(path: Path, shown_as: str) -> list[MediaFinding]:
    found: list[MediaFinding] = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                return [MediaFinding(shown_as, "archive")]
            for info in members:
                if info.is_dir():
                    continue
                name = info.filename
                where = f"{shown_as} → {display_name(name)}"
                kind = _kind_by_name(name)
                if kind is None and _is_archive_name(name):
                    kind = "archive"
                if kind is None and filetype.type_by_extension(name) is None:
                    with archive.open(info) as member:  # no telling name: look at its first bytes
                        kind = _signature(member.read(32))
                if kind:
                    found.append(MediaFinding(where, kind))
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
        return [MediaFinding(shown_as, "archive")]  # damaged or encrypted: cannot tell what is inside
    return found


def _media_in_tar(path: Path, shown_as: str) -> list[MediaFinding]:
    found: list[MediaFinding] = []
    try:
        with tarfile.open(path, "r:*") as archive:
            for count, member in enumerate(archive):
                if count > MAX_ARCHIVE_MEMBERS:
                    return [MediaFinding(shown_as, "archive")]
                if not member.isfile():
                    continue
                where = f"{shown_as} → {display_name(member.name)}"
                kind = _kind_by_name(member.name)
                if kind is None and _is_archive_name(member.name):
                    kind = "archive"
                if kind is None and filetype.type_by_extension(member.name) is None:
                    handle = archive.extractfile(member)
                    kind = _signature(handle.read(32)) if handle else None
                if kind:
                    found.append(MediaFinding(where, kind))
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return [MediaFinding(shown_as, "archive")]  # e.g. a gzip of one file, or a damaged tar
    return found


def media_in_plans(plans: Iterable[Plan]) -> list[MediaFinding]:
    """Every image or video in checked capture plans (see intake.plan.plan_capture)."""
    found: list[MediaFinding] = []
    for plan in plans:
        top = display_name(str(plan.source))
        for member in plan.members:
            shown = f"{top}/{display_name(member.original_relative)}" if plan.is_dir else top
            found += media_in_file(member.source, shown)
    return found


def media_in_paths(
    paths: Sequence[Path], case_root: Path, *, skip_problems: bool = False
) -> list[MediaFinding]:
    """Every image or video in `paths` (files, folders, archives), checked as capture would."""
    from evidencekit.intake.plan import plan_capture

    return media_in_plans(plan_capture([Path(p) for p in paths], case_root, skip_problems))


# ---- bytes the case already knows as sensitive -----------------------------------------------

SENSITIVE_ALREADY = (
    "it holds the same bytes as {where}, which this case records as sensitive, so evidencekit "
    "did not copy it: it is recorded by reference (its hashes only)"
)
MARKED_NOW = "it was marked sensitive in this capture"


@dataclass(frozen=True)
class SensitiveItem:
    """Where a sensitive SHA-256 was recorded: an item id (and the file inside it, for a folder)."""

    item: str
    inside: str | None = None
    marked_now: bool = False  # marked sensitive in the capture under way (no item id yet)

    def __str__(self) -> str:
        return f"{self.item} (“{self.inside}”)" if self.inside else self.item


class SensitiveHashes:
    """The SHA-256 values this case (and the capture under way) holds as sensitive.

    An intimate image, once recorded by reference, must never be copied in by a later capture
    that happens to hold the same bytes (a folder, a chat export, an archive). Copying hashes
    first, so a capture only hashes a file before copying it when its size is one of these:
    a sensitive file can only have the same bytes if it has the same length.
    """

    def __init__(self) -> None:
        self._where: dict[str, SensitiveItem] = {}
        self.sizes: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self._where)

    @classmethod
    def of_items(cls, items: Iterable[Mapping[str, Any]]) -> SensitiveHashes:
        known = cls()
        for item in items:
            known.add_item(item)
        return known

    def add(self, sha256: str | None, size: object, where: SensitiveItem) -> None:
        if isinstance(sha256, str) and sha256 and isinstance(size, int):
            self._where.setdefault(sha256, where)
            self.sizes.add(size)

    def add_item(self, item: Mapping[str, Any]) -> None:
        """Remember the sensitive bytes an item record describes: the item itself when it is
        sensitive (or kept only by reference), and files inside it that were withheld."""
        item_id = str(item.get("id"))
        whole = bool(item.get("sensitive") or item.get("by_reference"))
        if whole:
            self.add(item.get("sha256"), item.get("size"), SensitiveItem(item_id))
        for entry in _entries(item.get("files")) if whole else []:
            self.add(
                entry.get("sha256"), entry.get("size"), SensitiveItem(item_id, entry.get("original_path"))
            )
        for entry in _entries(item.get("withheld_files")):
            self.add(
                entry.get("sha256"), entry.get("size"), SensitiveItem(item_id, entry.get("original_path"))
            )

    def reason(self, sha256: str | None) -> str | None:
        """THE question, asked wherever capture would store bytes: is this SHA-256 known as
        sensitive in this case? A sentence saying why it is not copied, or None."""
        where = self._where.get(sha256 or "")
        if where is None:
            return None
        if where.marked_now:
            return MARKED_NOW
        return SENSITIVE_ALREADY.format(where=where)


def _entries(value: object) -> list[Mapping[str, Any]]:
    """The records in a list field of an item (items.jsonl is read as untrusted: anything else
    there is no list of records, and holds nothing to remember)."""
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def sensitive_inside_archive(path: Path, known: SensitiveHashes) -> tuple[str, str] | None:
    """(member name, reason) for the first member of a zip or tar archive at `path` whose bytes
    are known sensitive, or None. Only members of a sensitive file's exact size are read, and only
    hashed (never written anywhere); an archive that cannot be opened holds nothing we can tell."""
    if not known:
        return None
    try:
        head = _read_head(path)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        return _sensitive_in_zip(path, known)
    lower = path.name.lower()
    if lower.endswith((".tar", ".tgz", ".tar.gz", ".tbz2", ".txz")) or head[257:262] == b"ustar":
        return _sensitive_in_tar(path, known)
    return None


def _sha256_of(stream: IO[bytes], size: int) -> str | None:
    sha = hashlib.sha256()
    left = size
    while left > 0:
        block = stream.read(min(left, 1 << 20))
        if not block:
            return None  # shorter than it says: not the same bytes
        sha.update(block)
        left -= len(block)
    return sha.hexdigest()


def _sensitive_in_zip(path: Path, known: SensitiveHashes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            for count, info in enumerate(archive.infolist()):
                if count > MAX_ARCHIVE_MEMBERS:
                    break
                if info.is_dir() or info.file_size not in known.sizes:
                    continue
                with archive.open(info) as member:
                    reason = known.reason(_sha256_of(member, info.file_size))
                if reason:
                    return display_name(info.filename), reason
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
        return None
    return None


def _sensitive_in_tar(path: Path, known: SensitiveHashes) -> tuple[str, str] | None:
    try:
        with tarfile.open(path, "r:*") as archive:
            for count, member in enumerate(archive):
                if count > MAX_ARCHIVE_MEMBERS:
                    break
                if not member.isfile() or member.size not in known.sizes:
                    continue
                handle = archive.extractfile(member)
                reason = known.reason(_sha256_of(handle, member.size)) if handle else None
                if reason:
                    return display_name(member.name), reason
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return None
    return None


ENRICHER_MISSING_UNDER_18 = (
    "this case is marked as involving someone under 18, and evidencekit could not check it for "
    "pictures inside it (part of evidencekit is missing), so it is recorded by reference "
    "(its hashes only) instead of being copied"
)
