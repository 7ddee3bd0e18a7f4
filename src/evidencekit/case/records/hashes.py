"""Hashes added after capture: one line of `evidencekit/hashes.jsonl` per file hashed later.

Items are never edited, so the perceptual hash (PDQ) and SHA-1 of a file captured before
evidencekit made them are recorded here by `evidencekit hashes`, one line per file, naming the
item (and the file inside a folder item) and the SHA-256 of the bytes that were hashed. A file
captured since has them in its item record instead (`perceptual`, `sha1`), in the same shape.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

from evidencekit.case.records.shape import (
    SHA256,
    TEXT,
    Field,
    RecordKind,
    Shape,
    nullable,
    record_id,
    record_of,
)

HASHES_JSONL = "evidencekit/hashes.jsonl"

_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")

SHA1 = Shape(
    "a SHA-1 (40 hex digits)",
    lambda value: isinstance(value, str) and bool(_HEX40.fullmatch(value)),
    base=(str,),
)
MD5 = Shape(
    "an MD5 (32 hex digits)",
    lambda value: isinstance(value, str) and bool(_HEX32.fullmatch(value)),
    base=(str,),
)
PDQ = Shape(
    "a PDQ hash (64 hex digits)",
    lambda value: isinstance(value, str) and bool(_HEX64.fullmatch(value)),
    base=(str,),
)
QUALITY = Shape(
    "a PDQ quality (a whole number from 0 to 100)",
    lambda value: isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100,
    base=(int,),
)


class Perceptual(TypedDict, total=False):
    """A file's perceptual hash, or why it has none (`perceptual` in an item, a file, a line here)."""

    pdq: str | None
    pdq_quality: int | None
    problem: str | None
    made_at: str | None
    made_by: str | None


PERCEPTUAL_FIELDS: dict[str, Field] = {
    "pdq": nullable(PDQ),
    "pdq_quality": nullable(QUALITY),
    "problem": nullable(TEXT),
    "made_at": nullable(TEXT),
    "made_by": nullable(TEXT),
}
PERCEPTUAL = record_of(PERCEPTUAL_FIELDS)


class _HashRequired(TypedDict):
    item: str


class HashRecord(_HashRequired, total=False):
    """One line of `evidencekit/hashes.jsonl`."""

    file: str | None
    sha256: str | None
    sha1: str | None
    md5: str | None
    perceptual: Perceptual | None
    added_at: str


HASH_FIELDS: dict[str, Field] = {
    "item": record_id("E"),
    "file": nullable(TEXT),  # a key (the path inside the folder item), never opened
    "sha256": nullable(SHA256),
    "sha1": nullable(SHA1),
    "md5": nullable(MD5),
    "perceptual": nullable(PERCEPTUAL),
    "added_at": nullable(TEXT),
}


def _hash_rules(record: Any) -> str | None:
    if record.get("perceptual") is None and record.get("sha1") is None:
        return "a line of hashes.jsonl should hold a “perceptual” hash or a “sha1”"
    return None


HASHES: RecordKind[HashRecord] = RecordKind("hash", HASHES_JSONL, HASH_FIELDS, _hash_rules)

__all__ = [
    "HASHES",
    "HASHES_JSONL",
    "HASH_FIELDS",
    "MD5",
    "PDQ",
    "PERCEPTUAL",
    "PERCEPTUAL_FIELDS",
    "QUALITY",
    "SHA1",
    "HashRecord",
    "Perceptual",
]
