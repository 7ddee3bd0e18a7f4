"""Safe names for files inside the bag.

BagIt tools disagree on how to escape `%`, CR and LF in manifest paths, `sha256sum` escapes
backslashes, and Windows forbids `<>:"|?*`. So payload names are made plain on the way in: Unicode
NFC, none of those characters, no control characters, no leading `-` or `.`, no trailing dot or
space, and a length cap. The original name (and its exact bytes) stays in the item record.
"""

from __future__ import annotations

import os
import re
import unicodedata

MAX_NAME_BYTES = 120

_UNSAFE = re.compile(
    r'[\x00-\x1f\x7f-\x9f%\\/<>:"|?*\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]'
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def display_name(name: str) -> str:
    """A name as a person should see it: undecodable bytes shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", name)


def name_bytes(name: str) -> bytes:
    """The exact bytes of a file name as the operating system gave it to us."""
    return os.fsencode(name)


def name_is_plain_utf8(name: str) -> bool:
    """True when the name round-trips through UTF-8 (no undecodable bytes)."""
    return _SURROGATE.search(name) is None


def safe_component(name: str, fallback: str = "file") -> str:
    """One path component that every BagIt tool, `sha256sum -c` and Windows agree on."""
    text = unicodedata.normalize("NFC", _SURROGATE.sub("_", name))
    text = _UNSAFE.sub("_", text)
    text = text.strip().lstrip("-.").rstrip(". ")
    text = re.sub(r"\s+", " ", text)
    if not text:
        text = fallback
    return _cap_length(text)


def _cap_length(text: str) -> str:
    """Shorten to MAX_NAME_BYTES of UTF-8, keeping the extension when there is a short one."""
    if len(text.encode("utf-8")) <= MAX_NAME_BYTES:
        return text
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > 10 or not stem:
        stem, ext = text, ""
    budget = MAX_NAME_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
    encoded = stem.encode("utf-8")[:budget]
    short = encoded.decode("utf-8", errors="ignore").rstrip(". ")
    return f"{short}.{ext}" if ext else short


def unique_component(name: str, taken: set[str]) -> str:
    """`name`, or `name~2`, `name~3`… when sanitising made two names collide (case-insensitive,
    because the case may later be copied to a Windows or macOS disk)."""
    candidate = name
    counter = 2
    while candidate.casefold() in taken:
        stem, dot, ext = name.rpartition(".")
        base, suffix = (stem, f".{ext}") if dot and stem else (name, "")
        candidate = f"{base}~{counter}{suffix}"
        counter += 1
    taken.add(candidate.casefold())
    return candidate
