"""The record shapes under their older name: everything here lives in `evidencekit.case.records`
(one module per kind of record), re-exported so that code importing `record_types` keeps working.
New code imports from `evidencekit.case.records`."""

from __future__ import annotations

from evidencekit.case.records import (
    ACTIONS,
    CUSTODY,
    ITEMS,
    KINDS,
    NOTES,
    OFFENDERS,
    PAYMENTS,
    URLS,
    ActionRecord,
    CustodyEntry,
    ItemFile,
    ItemRecord,
    NoteRecord,
    OffenderRecord,
    PaymentRecord,
    ReadRecords,
    RecordKind,
    UrlRecord,
    check,
    read_records,
    sentence,
    valid_only,
)

__all__ = [
    "ACTIONS",
    "CUSTODY",
    "ITEMS",
    "KINDS",
    "NOTES",
    "OFFENDERS",
    "PAYMENTS",
    "URLS",
    "ActionRecord",
    "CustodyEntry",
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
