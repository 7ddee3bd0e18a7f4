"""What a file really is: type by content (libmagic), type by name, and whether they disagree.

A `.png` that is really a PDF is kept as it is, with the disagreement recorded: the file may have
been renamed to hide what it is, and an examiner will want to know. Detection runs on the first
block already read while copying, so the original is never read a second time.
"""

from __future__ import annotations

import mimetypes
import re
import threading
from dataclasses import dataclass
from typing import Any, cast

HEAD_BYTES = 1 << 20  # what libmagic looks at by default

# Types that say "we could not tell" rather than naming a format.
_GENERIC = {
    "application/octet-stream",
    "text/plain",
    "inode/x-empty",
    "application/x-empty",
    "application/x-data",
}
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "video/x-m4v": "video/mp4",
    "application/x-zip-compressed": "application/zip",
    "image/x-ms-bmp": "image/bmp",
    "image/x-png": "image/png",
    "text/xml": "application/xml",
    "image/heif": "image/heic",
}
# Formats that are zip files inside; libmagic may name either the container or the format.
_ZIP_FAMILY = re.compile(
    r"^application/(zip|epub\+zip|java-archive|vnd\.android\.package-archive|"
    r"vnd\.openxmlformats-officedocument\..*|vnd\.oasis\.opendocument\..*|x-zip.*)$"
)
_TEXTUAL = re.compile(r"^(text/.*|application/(json|xml|javascript|x-ndjson|ld\+json|x-sh))$")

_local = threading.local()


@dataclass(frozen=True)
class FileType:
    """The result of looking at a file."""

    mime: str | None  # by content; None when libmagic is not available
    description: str | None  # libmagic's words, e.g. "PNG image data, 390 x 844, 8-bit/color RGBA"
    mime_by_extension: str | None
    mismatch: bool


def _magic_pair() -> tuple[Any, Any] | None:
    """Per-thread libmagic handles (they are not thread-safe); None if libmagic is missing."""
    if not hasattr(_local, "pair"):
        pair: tuple[Any, Any] | None
        try:
            import magic

            pair = (magic.Magic(mime=True), magic.Magic())
        except (ImportError, OSError, AttributeError):  # libmagic1 not installed
            pair = None
        _local.pair = pair
    return cast("tuple[Any, Any] | None", _local.pair)


def normalise(mime: str | None) -> str | None:
    if not mime:
        return None
    mime = mime.split(";", 1)[0].strip().lower()
    return _ALIASES.get(mime, mime)


def type_by_extension(name: str) -> str | None:
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extra = {
        "heic": "image/heic",
        "heif": "image/heic",
        "webp": "image/webp",
        "opus": "audio/ogg",
        "m4a": "audio/mp4",
        "jsonl": "application/x-ndjson",
        "warc": "application/warc",
    }
    return normalise(guessed or extra.get(ext))


def types_disagree(by_content: str | None, by_extension: str | None) -> bool:
    """True when the content is a specific format that the extension does not claim."""
    if not by_content or not by_extension or by_content in _GENERIC:
        return False
    if by_content == by_extension:
        return False
    if _ZIP_FAMILY.match(by_content) and _ZIP_FAMILY.match(by_extension):
        return False
    if _TEXTUAL.match(by_content) and _TEXTUAL.match(by_extension):
        return False
    # Container formats libmagic names loosely (an .m4a is "video/mp4", a .3gp "video/3gpp").
    loose = {
        ("video/mp4", "audio/mp4"),
        ("video/quicktime", "video/mp4"),
        ("video/3gpp", "video/mp4"),
        ("audio/x-hx-aac-adts", "audio/aac"),
        ("application/ogg", "audio/ogg"),
        ("audio/ogg", "video/ogg"),
        ("video/webm", "audio/webm"),
    }
    return (by_content, by_extension) not in loose and (by_extension, by_content) not in loose


def mime_by_content(head: bytes) -> str | None:
    """libmagic's MIME type only (not its description: half the cost), or None without libmagic.

    The one place besides `detect` that calls libmagic, for the under-18 safeguard's quick look."""
    pair = _magic_pair()
    if pair is None:
        return None
    return normalise(pair[0].from_buffer(head[:HEAD_BYTES]))


def detect(head: bytes, name: str) -> FileType:
    """Look at the first bytes of a file and at its name."""
    by_extension = type_by_extension(name)
    pair = _magic_pair()
    if pair is None:
        return FileType(None, None, by_extension, False)
    mime_magic, text_magic = pair
    sample = head[:HEAD_BYTES]
    by_content = normalise(mime_magic.from_buffer(sample))
    # libmagic's description ("PNG image data, 390 x 844…") costs a second pass over its rules;
    # for content it could not name ("data") it says nothing the MIME type does not.
    description = None
    if by_content not in ("application/octet-stream", "application/x-empty", "inode/x-empty"):
        description = str(text_magic.from_buffer(sample))
    return FileType(by_content, description, by_extension, types_disagree(by_content, by_extension))
