"""Safe names for files inside the bag, and the one rule for names that come from outside.

BagIt tools disagree on how to escape `%`, CR and LF in manifest paths, `sha256sum` escapes
backslashes, and Windows forbids `<>:"|?*` and keeps names such as `CON` for devices. So payload
names are made plain on the way in: Unicode NFC, none of those characters, no control characters,
no leading `-` or `.`, no trailing dot or space, no device name, and a length cap. The original name
(and its exact bytes) stays in the item record.

A name read from outside (a tar or zip member, a manifest line) is judged by `member_name_problem`:
the same rule for `verify`, `open` and the chat exports.
"""

from __future__ import annotations

import os
import re
import unicodedata

MAX_NAME_BYTES = 120
MAX_STEP_BYTES = 255  # the longest file name NTFS, APFS, ext4 and the rest all store
MAX_PATH_CHARS = 4096  # the longest path Linux accepts; safepath's limit too

_UNSAFE = re.compile(
    r'[\x00-\x1f\x7f-\x9f%\\/<>:"|?*\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]'
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Windows opens these as devices in any folder, with any extension and trailing spaces ("aux.c",
# "CON .txt", "com1"): a file given such a name is written to the device, not into the folder.
_DEVICE = r"(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]) *(?:\.[^/]*)?"
_DEVICE_NAME = re.compile(rf"\A{_DEVICE}\Z", re.IGNORECASE)
# Anything `member_name_problem` refuses, in one pattern: most names are fine, and a manifest may
# list tens of thousands; only a name this finds is looked at again, to say why.
_UNSAFE_MEMBER = re.compile(
    r"\A(?:[/~]|\Z)|[\\:\x00-\x1f\x7f-\x9f]|(?:\A|/)\.{0,2}(?:/|\Z)" + rf"|(?:\A|/){_DEVICE}(?:/|\Z)",
    re.IGNORECASE,
)


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
    if _DEVICE_NAME.match(text):
        text = f"_{text}"
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


def member_name_problem(name: str) -> str | None:
    """Why `name`, a `/`-separated path read from outside (a tar or zip member, a manifest line),
    cannot be used below a folder on every system; None when it can.

    Refused: whatever could reach outside the folder or into another file than the one named
    (an absolute path, a drive such as `C:` or `C:x`, `~`, `..`, a backslash, a colon, which Windows
    reads as a drive or as a hidden stream of another file, a device name such as `CON`), and what
    no system stores or every tool shows differently (NUL and other control characters, an empty
    or `.` step, a step longer than 255 bytes). Accepted: any other Unicode, in NFC or NFD alike
    (two names that differ only so are one file on macOS: `MemberNames` calls that a name given
    twice), and a trailing dot or space, which other BagIt tools write.
    """
    if not isinstance(name, str):
        return "it is not text"
    if _UNSAFE_MEMBER.search(name) is None and len(name) * 4 <= MAX_STEP_BYTES:
        return None  # the common case, in one search (and too short for an overlong step)
    if not name:
        return "it is empty"
    if len(name) > MAX_PATH_CHARS:
        return "it is too long"
    if "\x00" in name:
        return "it contains a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "it is an absolute path, or names a drive (“C:”)"
    if name.startswith("~"):
        return "it starts with “~” (a home folder)"
    if "\\" in name:
        return "it contains a backslash, which Windows reads as a folder separator"
    steps = name.split("/")
    if ".." in steps:
        return "it climbs out of its folder with “..”"
    if ":" in name:
        return "it contains a colon, which Windows reads as a drive or as a hidden part of another file"
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in name):
        return "it contains a control character"
    if any(step in ("", ".") for step in steps):
        return "it has an empty or “.” step"
    device = next((step for step in steps if _DEVICE_NAME.match(step)), None)
    if device is not None:
        return f"“{device}” is a name Windows keeps for a device"
    if any(len(step.encode("utf-8", "surrogatepass")) > MAX_STEP_BYTES for step in steps):
        return f"a file or folder name in it is longer than {MAX_STEP_BYTES} bytes"
    return None
