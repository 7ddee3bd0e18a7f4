"""An item: one line of `evidencekit/items.jsonl`, a piece of evidence the case holds.

To add an optional field: add it to `ItemRecord` (or `ItemFile` for each file of a folder) and to
`ITEM_FIELDS` (or `FILE_FIELDS`) with its shape, `optional(...)` or `nullable(...)`; never make a new
field required, since cases written by older versions lack it. docs/reference/case-format.md
describes every field for the people who read a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from evidencekit.case import layout
from evidencekit.case.records.export import EXPORT_FIELDS
from evidencekit.case.records.hashes import PERCEPTUAL, SHA1, Perceptual
from evidencekit.case.records.shape import (
    BAG_PATH,
    FLAG,
    HEX,
    INSIDE,
    LIST,
    OBJECT,
    SHA256,
    TEXT,
    TEXTS,
    WHOLE,
    Field,
    RecordKind,
    nullable,
    optional,
    record_id,
    record_of,
    records_of,
    required,
)

# Each TypedDict is split in two because one mixing required and optional keys needs
# typing.Required, which Python 3.10 lacks: the base holds what is always written.


class _ItemFileRequired(TypedDict):
    path: str


class ItemFile(_ItemFileRequired, total=False):
    """One file of a folder item (`files`), or one left out of it (`withheld_files`)."""

    original_path: str
    size: int
    sha256: str | None
    md5: str | None
    sha1: str | None
    perceptual: Perceptual | None
    mime: str | None
    mime_mismatch: bool | None
    source_mtime: str | None
    symlink_target: str
    image: dict[str, Any] | None
    role: str
    by_reference: bool
    reason: str


class _ItemRequired(TypedDict):
    id: str
    kind: str
    original_name: str
    size: int
    sensitive: bool
    by_reference: bool


class ItemRecord(_ItemRequired, total=False):
    """One line of `evidencekit/items.jsonl` (docs/reference/case-format.md)."""

    source_path: str | None
    source_path_bytes_hex: str
    sha256: str | None
    md5: str | None
    sha1: str | None
    perceptual: Perceptual | None  # a picture's PDQ and quality, or why it has none
    tree_sha256: str | None
    file_count: int | None
    files: list[ItemFile]
    skipped: list[dict[str, Any]]
    withheld_files: list[ItemFile]
    mime: str | None
    mime_description: str | None
    mime_by_extension: str | None
    mime_mismatch: bool | None
    image: dict[str, Any] | None
    source_mtime: str | None
    source_ctime: str | None
    captured_at: str
    captured_at_local: str
    captured_by: str
    note: str | None
    tags: list[str]
    bag_path: str | None
    stored_name_changed: bool
    by_reference_reason: str
    not_intimate_confirmed: bool
    export: dict[str, Any] | None
    archive: dict[str, Any] | None
    url_id: str
    capture_number: int
    source_url: str
    web_capture: dict[str, Any] | None
    source: str
    screen: dict[str, Any] | None
    ocr: dict[str, Any] | None  # whether a picture's text was read at capture (ocr/service.py)


FILE_FIELDS: dict[str, Field] = {
    "path": required(INSIDE),
    "original_path": optional(TEXT),
    "size": optional(WHOLE),
    "sha256": nullable(SHA256),
    "md5": nullable(TEXT),
    "sha1": nullable(SHA1),
    "perceptual": nullable(PERCEPTUAL),
    "mime": nullable(TEXT),
    "mime_mismatch": nullable(FLAG),
    "source_mtime": nullable(TEXT),
    "symlink_target": optional(TEXT),
    "image": nullable(OBJECT),
    "role": optional(TEXT),
    "by_reference": optional(FLAG),
    "reason": optional(TEXT),
}

SKIPPED_FIELDS: dict[str, Field] = {"path": optional(TEXT), "reason": optional(TEXT)}

WEB_CAPTURE_FIELDS: dict[str, Field] = {
    "requested_url": nullable(TEXT),
    "fetched_url": nullable(TEXT),
    "final_url": nullable(TEXT),
    "status": nullable(WHOLE),
    "reason": nullable(TEXT),
    "title": nullable(TEXT),
    "ip": nullable(TEXT),
    "fetched_at": nullable(TEXT),
    "fetched_at_local": nullable(TEXT),
    "tls": nullable(OBJECT),
    "files": nullable(OBJECT),
    "tools": nullable(OBJECT),
    "errors": nullable(LIST),
}

# What capture says about reading a picture's text (docs/reference/case-format.md, "Text read in
# pictures"); the confidence (a number with a fraction) and the chat's facts are not checked here.
OCR_FIELDS: dict[str, Field] = {
    "status": required(TEXT),
    "problem": nullable(TEXT),
    "file": optional(INSIDE),
    "words": optional(WHOLE),
    "chat": nullable(OBJECT),
    "derived_files": optional(OBJECT),
}

ITEM_FIELDS: dict[str, Field] = {
    "id": record_id("E"),
    "kind": required(TEXT),
    "original_name": required(TEXT),
    "size": required(WHOLE),
    "sensitive": required(FLAG),
    "by_reference": required(FLAG),
    "source_path": nullable(TEXT),
    "source_path_bytes_hex": optional(HEX),
    "sha256": nullable(SHA256),
    "md5": nullable(TEXT),
    "sha1": nullable(SHA1),
    "perceptual": nullable(PERCEPTUAL),
    "tree_sha256": nullable(SHA256),
    "file_count": nullable(WHOLE),
    "files": nullable(records_of(FILE_FIELDS)),
    "skipped": nullable(records_of(SKIPPED_FIELDS)),
    "withheld_files": nullable(records_of(FILE_FIELDS)),
    "mime": nullable(TEXT),
    "mime_description": nullable(TEXT),
    "mime_by_extension": nullable(TEXT),
    "mime_mismatch": nullable(FLAG),
    "image": nullable(OBJECT),
    "source_mtime": nullable(TEXT),
    "source_ctime": nullable(TEXT),
    "captured_at": nullable(TEXT),
    "captured_at_local": nullable(TEXT),
    "captured_by": nullable(TEXT),
    "note": nullable(TEXT),
    "tags": nullable(TEXTS),
    "bag_path": nullable(BAG_PATH),
    "stored_name_changed": nullable(FLAG),
    "by_reference_reason": nullable(TEXT),
    "not_intimate_confirmed": nullable(FLAG),
    "export": nullable(record_of(EXPORT_FIELDS)),
    "archive": nullable(OBJECT),
    "url_id": nullable(TEXT),
    "capture_number": nullable(WHOLE),
    "source_url": nullable(TEXT),
    "web_capture": nullable(record_of(WEB_CAPTURE_FIELDS)),
    "source": nullable(TEXT),
    "screen": nullable(OBJECT),
    "ocr": nullable(record_of(OCR_FIELDS)),
}


def _item_rules(record: Mapping[str, Any]) -> str | None:
    """What one field requires of another. An original kept by reference is re-hashed where it
    lives (verify --check-originals), so its path and each file's place and hash must be there."""
    if record.get("by_reference") and not isinstance(record.get("source_path"), str):
        return "“source_path” should be text for an item recorded by reference"
    if record.get("by_reference") and isinstance(record.get("files"), list):
        for number, member in enumerate(record["files"], start=1):
            if not isinstance(member.get("original_path"), str) or "sha256" not in member:
                return f"in “files”, entry {number}: “original_path” and “sha256” are needed by reference"
    return None


ITEMS: RecordKind[ItemRecord] = RecordKind("item", layout.ITEMS_JSONL, ITEM_FIELDS, _item_rules)
