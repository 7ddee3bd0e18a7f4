"""A custody entry: one line of `evidencekit/custody.jsonl`, the hash-chained log of what was
done to the case (written and chained by `case.custody`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from evidencekit.case import layout
from evidencekit.case.records.export import EXPORT_FIELDS
from evidencekit.case.records.shape import (
    OBJECT,
    TEXT,
    WHOLE,
    Field,
    RecordKind,
    fields_problem,
    nullable,
    optional,
    record_of,
    records_of,
    required,
)


class CustodyEntry(TypedDict):
    """One line of `evidencekit/custody.jsonl` (see `case.custody`)."""

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    tool: str
    prev: str
    hash: str


CUSTODY_FIELDS: dict[str, Field] = {
    "seq": required(WHOLE),
    "at": required(TEXT),
    "actor": required(TEXT),
    "action": required(TEXT),
    "details": required(OBJECT),
    "tool": required(TEXT),
    "prev": required(TEXT),
    "hash": required(TEXT),
}

# The details of the actions whose details other parts of evidencekit read (the rest are only
# shown). Checked when present: details written by older versions may lack some.
CUSTODY_DETAILS: dict[str, dict[str, Field]] = {
    "item-captured": {"item": optional(TEXT), "url_id": nullable(TEXT)},
    "url-archived": {"item": nullable(TEXT), "url_id": nullable(TEXT), "files": nullable(OBJECT)},
    "transcript-made": {"item": optional(TEXT), "export": optional(record_of(EXPORT_FIELDS))},
    "reopened": {
        "superseded_fingerprint": nullable(TEXT),
        "kept_in": nullable(TEXT),
        "reason": nullable(TEXT),
    },
    "report-generated": {"files": nullable(records_of({"path": optional(TEXT)}))},
    **{
        action: {
            "id": optional(TEXT),
            "file": optional(TEXT),
            "record_sha256": nullable(TEXT),
            "action": optional(TEXT),
            "ref": nullable(TEXT),
        }
        for action in ("offender-added", "payment-added", "note-added", "action-recorded")
    },
}


def _custody_rules(record: Mapping[str, Any]) -> str | None:
    fields = CUSTODY_DETAILS.get(record["action"])
    if fields is None:
        return None
    problem = fields_problem(record["details"], fields)
    return None if problem is None else f"in “details”: {problem}"


CUSTODY: RecordKind[CustodyEntry] = RecordKind(
    "custody entry", layout.CUSTODY_JSONL, CUSTODY_FIELDS, _custody_rules
)
