"""What the four story record files have in common: where they live, ids, and appending safely.

Offenders, payments, notes and actions are records the victim (or a helper) writes about the case,
not evidence files. Each is one canonical-JSON line in its own file under `evidencekit/`, covered by
the tag manifest like every record, and each addition is logged in the custody log together with
the SHA-256 of the exact record line, so `verify` can tie every line to its log entry. Records are
never edited or removed: a correction is a new record (and, if useful, a note saying why).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evidencekit.case.case import Case, CaseChange
from evidencekit.case.jsonlines import canonical_json
from evidencekit.clock import iso_utc
from evidencekit.errors import InvalidValueError


@dataclass(frozen=True)
class StoryFile:
    """One kind of story record: its file, id prefix and custody action."""

    name: str
    path: str
    prefix: str
    custody_action: str
    command: str


OFFENDERS = StoryFile("offender", "evidencekit/offenders.jsonl", "O", "offender-added", "offender add")
PAYMENTS = StoryFile("payment", "evidencekit/payments.jsonl", "P", "payment-added", "payment add")
NOTES = StoryFile("note", "evidencekit/notes.jsonl", "N", "note-added", "note")
ACTIONS = StoryFile("action", "evidencekit/actions.jsonl", "A", "action-recorded", "action")
STORY_FILES = (OFFENDERS, PAYMENTS, NOTES, ACTIONS)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass
class AddResult:
    """What an `add` did: the new record, or the id of an identical one already there."""

    record: dict[str, Any] | None
    duplicate_of: str | None
    recovered: str | None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)


def record_sha256(record: dict[str, Any]) -> str:
    """SHA-256 of the record's line as stored (canonical JSON, UTF-8, without the newline)."""
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def one_line(value: str | None, what: str, *, max_length: int = 500) -> str | None:
    """A single-line field: whitespace collapsed, invisible control characters refused."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if _CONTROL.search(text):
        raise InvalidValueError(
            f"The {what} contains invisible control characters.",
            hint=f"Type the {what} again instead of pasting it, or leave those characters out.",
        )
    if len(text) > max_length:
        raise InvalidValueError(
            f"The {what} is {len(text)} characters long; at most {max_length} fit.",
            hint="Shorten it, and put longer explanations in a note: evidencekit note TEXT",
        )
    return text


def free_text(value: str | None, what: str, *, max_length: int = 20_000) -> str | None:
    """Multi-line text (a note): line breaks kept (as \\n), ends trimmed, controls refused."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    if _CONTROL_MULTILINE.search(text):
        raise InvalidValueError(
            f"The {what} contains invisible control characters.",
            hint="Type it again instead of pasting it, or leave those characters out.",
        )
    if len(text) > max_length:
        raise InvalidValueError(
            f"The {what} is {len(text)} characters long; at most {max_length} fit in one.",
            hint="Split it into several notes.",
        )
    return text


def check_references(change: CaseChange, ids: list[str]) -> list[str]:
    """`--seen-in` ids must name items (E0001) or web addresses (U0001) of this case."""
    known = {item["id"] for item in change.existing_items} | {url["id"] for url in change.existing_urls}
    clean = []
    for raw in ids:
        ref = raw.strip().upper()
        if ref not in known:
            raise InvalidValueError(
                f"This case has no item or web address called “{raw}”.",
                hint="Use an id that `evidencekit status` lists, such as E0001 or U0001.",
            )
        if ref not in clean:
            clean.append(ref)
    return clean


def append_story_record(
    case: Case,
    kind: StoryFile,
    fields: dict[str, Any],
    *,
    details: dict[str, Any] | None = None,
    same_as: Callable[[dict[str, Any]], bool] | None = None,
    prepare: Callable[[CaseChange, dict[str, Any]], None] | None = None,
) -> AddResult:
    """Append one record to `kind`'s file with a custody entry, all or nothing.

    `same_as(existing)` says whether an existing record already holds the same facts; then nothing
    is added and its id is returned, so running a command twice does not duplicate a record.
    `prepare(change, fields)` may check or complete the fields inside the lock (e.g. `--seen-in`).
    """
    with case.change(kind.command) as change:
        if prepare is not None:
            prepare(change, fields)
        existing = case.records(kind.path)
        if same_as is not None:
            for earlier in existing:
                if same_as(earlier):
                    return AddResult(None, str(earlier.get("id")), change.recovered)
        now = change.now()
        record: dict[str, Any] = {"id": f"{kind.prefix}{len(existing) + 1:04d}"}
        record.update(fields)
        record["recorded_at"] = iso_utc(now)
        record["recorded_at_local"] = case.local_time(now)
        record["recorded_by"] = change.actor
        change.append_record(kind.path, record)
        entry = {"id": record["id"], "file": kind.path, "record_sha256": record_sha256(record)}
        entry.update(details or {})
        change.log(kind.custody_action, entry)
        return AddResult(record, None, change.recovered)
