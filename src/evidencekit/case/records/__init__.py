"""The shapes of the records a case holds, checked before anything uses them: one module per kind.

A case folder is untrusted input: anyone can edit `evidencekit/items.jsonl` by hand. Every other
part of evidencekit reads records as if evidencekit wrote them (`item["id"]`, `item["size"] + 1`,
`for member in item["files"]`), so a record is checked here, once, when it is read: each field a
reader relies on has the type evidencekit writes, and every path in it stays inside the case.
A record that passes can be used without further checks; one that does not is refused with a
sentence naming the file, the line and the field (`Case` raises it, `verify` reports it).

Required fields are the ones every version of evidencekit has written; the others are checked only
when present, because older cases (and other writers, such as the guide's tests) leave them out.
Fields this version does not know are kept as they are, so a case written by a later version can
still be read.

Where things are: `shape` (what a field may hold, `RecordKind`, `check`, `read_records`), `item`,
`export` (a chat export's facts inside an item), `url`, `custody`, `story` (offenders, payments,
notes, actions), `hashes` (perceptual hashes added after capture). A new kind of record: a module
beside these with its TypedDict, its fields and its `RecordKind`, added to `KINDS` below.
"""

from __future__ import annotations

from typing import Any

from evidencekit.case.records.custody import CUSTODY, CustodyEntry
from evidencekit.case.records.hashes import HASHES, HashRecord
from evidencekit.case.records.item import ITEMS, ItemFile, ItemRecord
from evidencekit.case.records.shape import ReadRecords, RecordKind, check, read_records, sentence, valid_only
from evidencekit.case.records.story import (
    ACTIONS,
    NOTES,
    OFFENDERS,
    PAYMENTS,
    ActionRecord,
    NoteRecord,
    OffenderRecord,
    PaymentRecord,
)
from evidencekit.case.records.url import URLS, UrlRecord

# Every kind of record, by the file it lives in: what `Case` checks a file's lines against.
KINDS: dict[str, RecordKind[Any]] = {
    kind.path: kind for kind in (ITEMS, URLS, CUSTODY, OFFENDERS, PAYMENTS, NOTES, ACTIONS, HASHES)
}

__all__ = [
    "ACTIONS",
    "CUSTODY",
    "HASHES",
    "ITEMS",
    "KINDS",
    "NOTES",
    "OFFENDERS",
    "PAYMENTS",
    "URLS",
    "ActionRecord",
    "CustodyEntry",
    "HashRecord",
    "ItemFile",
    "ItemRecord",
    "NoteRecord",
    "OffenderRecord",
    "PaymentRecord",
    "ReadRecords",
    "RecordKind",
    "UrlRecord",
    "check",
    "read_records",
    "sentence",
    "valid_only",
]
