"""The shapes of the records a case holds, checked before anything uses them.

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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar, cast

from evidencekit.case import layout
from evidencekit.case.jsonlines import iter_lines, parse_json
from evidencekit.case.safepath import path_problem

# ---- the records, as typed dictionaries ---------------------------------------------------------
#
# Each is split in two because a TypedDict mixing required and optional keys needs
# typing.Required, which Python 3.10 lacks: the base holds what is always written.


class _ItemFileRequired(TypedDict):
    path: str


class ItemFile(_ItemFileRequired, total=False):
    """One file of a folder item (`files`), or one left out of it (`withheld_files`)."""

    original_path: str
    size: int
    sha256: str | None
    md5: str | None
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


class _UrlRequired(TypedDict):
    id: str
    url: str


class UrlRecord(_UrlRequired, total=False):
    """One line of `evidencekit/urls.jsonl`."""

    url_normalised: str
    host: str | None
    platform: str | None
    kind: str
    note: str | None
    sensitive: bool
    not_intimate_confirmed: bool
    recorded_at: str
    recorded_at_local: str
    recorded_by: str


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


class _StoryRequired(TypedDict):
    id: str


class _StoryRecord(_StoryRequired, total=False):
    recorded_at: str
    recorded_at_local: str
    recorded_by: str


class OffenderRecord(_StoryRecord, total=False):
    """One line of `evidencekit/offenders.jsonl` (see `story.offenders`)."""

    platform: str
    username: str | None
    user_id: str | None
    profile_url: str | None
    profile_url_normalised: str | None
    display_name: str | None
    phone: str | None
    phone_normalised: str | None
    email: str | None
    note: str | None
    seen_in: list[str]


class PaymentRecord(_StoryRecord, total=False):
    """One line of `evidencekit/payments.jsonl` (see `story.payments`)."""

    method: str
    paid: bool
    payee: str | None
    account: str | None
    wallet: str | None
    wallet_network: str | None
    tx: str | None
    amount: str | None
    currency: str | None
    reference: str | None
    brand: str | None
    note: str | None
    at: str | None
    at_as_written: str | None
    at_zone_assumed: str | None
    seen_in: list[str]


class NoteRecord(_StoryRecord, total=False):
    """One line of `evidencekit/notes.jsonl` (see `story.notes`)."""

    text: str
    at: str | None
    at_as_written: str | None
    at_zone_assumed: str | None


class ActionRecord(_StoryRecord, total=False):
    """One line of `evidencekit/actions.jsonl` (the contract shared with `guide`)."""

    action: str
    to: str | None
    ref: str | None
    at: str | None
    note: str | None


# ---- what a field may hold ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What one field's value must be, and how to say so in a sentence."""

    expected: str  # "a whole number": read as "“size” should be a whole number, not text"
    accepts: Callable[[object], bool]
    inner: Mapping[str, Field] | None = None  # the fields of a record, or of each record in a list
    many: bool = False  # `inner` describes each element of a list
    # The kind of value that is right but whose content is not ("“sha256” is not a SHA-256").
    base: tuple[type, ...] = ()


@dataclass(frozen=True)
class Field:
    shape: Shape
    required: bool = False


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 63


def _or_null(shape: Shape) -> Shape:
    return Shape(
        f"{shape.expected} or null",
        lambda value: value is None or shape.accepts(value),
        shape.inner,
        shape.many,
        shape.base,
    )


_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]*")

TEXT = Shape("text", lambda value: isinstance(value, str))
WHOLE = Shape("a whole number (0 or more)", _whole, base=(int,))
FLAG = Shape("true or false", lambda value: isinstance(value, bool))
OBJECT = Shape("a JSON object", lambda value: isinstance(value, dict))
LIST = Shape("a list", lambda value: isinstance(value, list))
TEXTS = Shape(
    "a list of text",
    lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value),
    base=(list,),
)
SHA256 = Shape(
    "a SHA-256 (64 hex digits)",
    lambda value: isinstance(value, str) and bool(_HEX64.fullmatch(value)),
    base=(str,),
)
HEX = Shape("hex digits", lambda value: isinstance(value, str) and bool(_HEX.fullmatch(value)), base=(str,))
INSIDE = Shape(
    "a plain relative path",
    lambda value: isinstance(value, str) and path_problem(value) is None,
    base=(str,),
)
BAG_PATH = Shape(
    "a path inside the case's data/ folder",
    lambda value: (
        isinstance(value, str) and path_problem(value) is None and value.startswith(layout.DATA_DIR + "/")
    ),
    base=(str,),
)


def _record_of(fields: Mapping[str, Field]) -> Shape:
    return Shape("a JSON object", lambda value: isinstance(value, dict), fields)


def _records_of(fields: Mapping[str, Field]) -> Shape:
    return Shape(
        "a list of JSON objects",
        lambda value: isinstance(value, list) and all(isinstance(v, dict) for v in value),
        fields,
        many=True,
        base=(list,),
    )


def _id(prefix: str) -> Field:
    pattern = re.compile(rf"{prefix}\d{{4,9}}")
    return Field(
        Shape(
            f"an id like {prefix}0001",
            lambda value: isinstance(value, str) and bool(pattern.fullmatch(value)),
            base=(str,),
        ),
        required=True,
    )


def _optional(shape: Shape) -> Field:
    return Field(shape)


def _nullable(shape: Shape) -> Field:
    return Field(_or_null(shape))


# ---- the fields of each kind of record ----------------------------------------------------------

_FILE_FIELDS: dict[str, Field] = {
    "path": Field(INSIDE, required=True),
    "original_path": _optional(TEXT),
    "size": _optional(WHOLE),
    "sha256": _nullable(SHA256),
    "md5": _nullable(TEXT),
    "mime": _nullable(TEXT),
    "mime_mismatch": _nullable(FLAG),
    "source_mtime": _nullable(TEXT),
    "symlink_target": _optional(TEXT),
    "image": _nullable(OBJECT),
    "role": _optional(TEXT),
    "by_reference": _optional(FLAG),
    "reason": _optional(TEXT),
}

_SKIPPED_FIELDS: dict[str, Field] = {"path": _optional(TEXT), "reason": _optional(TEXT)}

# What readers take from a chat export's facts (status, transcript, report, capture's summary).
EXPORT_FIELDS: dict[str, Field] = {
    "format": _nullable(TEXT),
    "label": _nullable(TEXT),
    "variant": _nullable(TEXT),
    "status": _nullable(TEXT),
    "problem": _nullable(TEXT),
    "transcript": _nullable(INSIDE),
    "messages": _nullable(WHOLE),
    "system_messages": _nullable(WHOLE),
    "conversations": _nullable(WHOLE),
    "sender_count": _nullable(WHOLE),
    "senders": _nullable(TEXTS),
    "first_time": _nullable(TEXT),
    "last_time": _nullable(TEXT),
    "attachments": _nullable(OBJECT),
    "derived_files": _nullable(OBJECT),
    "unreferenced_media": _nullable(LIST),
    "unreferenced_media_count": _nullable(WHOLE),
    "warnings": _nullable(LIST),
    "time_zone": _nullable(TEXT),
}

_WEB_CAPTURE_FIELDS: dict[str, Field] = {
    "requested_url": _nullable(TEXT),
    "fetched_url": _nullable(TEXT),
    "final_url": _nullable(TEXT),
    "status": _nullable(WHOLE),
    "reason": _nullable(TEXT),
    "title": _nullable(TEXT),
    "ip": _nullable(TEXT),
    "fetched_at": _nullable(TEXT),
    "fetched_at_local": _nullable(TEXT),
    "tls": _nullable(OBJECT),
    "files": _nullable(OBJECT),
    "tools": _nullable(OBJECT),
    "errors": _nullable(LIST),
}

ITEM_FIELDS: dict[str, Field] = {
    "id": _id("E"),
    "kind": Field(TEXT, required=True),
    "original_name": Field(TEXT, required=True),
    "size": Field(WHOLE, required=True),
    "sensitive": Field(FLAG, required=True),
    "by_reference": Field(FLAG, required=True),
    "source_path": _nullable(TEXT),
    "source_path_bytes_hex": _optional(HEX),
    "sha256": _nullable(SHA256),
    "md5": _nullable(TEXT),
    "tree_sha256": _nullable(SHA256),
    "file_count": _nullable(WHOLE),
    "files": _nullable(_records_of(_FILE_FIELDS)),
    "skipped": _nullable(_records_of(_SKIPPED_FIELDS)),
    "withheld_files": _nullable(_records_of(_FILE_FIELDS)),
    "mime": _nullable(TEXT),
    "mime_description": _nullable(TEXT),
    "mime_by_extension": _nullable(TEXT),
    "mime_mismatch": _nullable(FLAG),
    "image": _nullable(OBJECT),
    "source_mtime": _nullable(TEXT),
    "source_ctime": _nullable(TEXT),
    "captured_at": _nullable(TEXT),
    "captured_at_local": _nullable(TEXT),
    "captured_by": _nullable(TEXT),
    "note": _nullable(TEXT),
    "tags": _nullable(TEXTS),
    "bag_path": _nullable(BAG_PATH),
    "stored_name_changed": _nullable(FLAG),
    "by_reference_reason": _nullable(TEXT),
    "not_intimate_confirmed": _nullable(FLAG),
    "export": _nullable(_record_of(EXPORT_FIELDS)),
    "archive": _nullable(OBJECT),
    "url_id": _nullable(TEXT),
    "capture_number": _nullable(WHOLE),
    "source_url": _nullable(TEXT),
    "web_capture": _nullable(_record_of(_WEB_CAPTURE_FIELDS)),
    "source": _nullable(TEXT),
    "screen": _nullable(OBJECT),
}

URL_FIELDS: dict[str, Field] = {
    "id": _id("U"),
    "url": Field(TEXT, required=True),
    "url_normalised": _nullable(TEXT),
    "host": _nullable(TEXT),
    "platform": _nullable(TEXT),
    "kind": _nullable(TEXT),
    "note": _nullable(TEXT),
    "sensitive": _nullable(FLAG),
    "not_intimate_confirmed": _nullable(FLAG),
    "recorded_at": _nullable(TEXT),
    "recorded_at_local": _nullable(TEXT),
    "recorded_by": _nullable(TEXT),
}

CUSTODY_FIELDS: dict[str, Field] = {
    "seq": Field(WHOLE, required=True),
    "at": Field(TEXT, required=True),
    "actor": Field(TEXT, required=True),
    "action": Field(TEXT, required=True),
    "details": Field(OBJECT, required=True),
    "tool": Field(TEXT, required=True),
    "prev": Field(TEXT, required=True),
    "hash": Field(TEXT, required=True),
}

# The details of the actions whose details other parts of evidencekit read (the rest are only
# shown). Checked when present: details written by older versions may lack some.
CUSTODY_DETAILS: dict[str, dict[str, Field]] = {
    "item-captured": {"item": _optional(TEXT), "url_id": _nullable(TEXT)},
    "url-archived": {"item": _nullable(TEXT), "url_id": _nullable(TEXT), "files": _nullable(OBJECT)},
    "transcript-made": {"item": _optional(TEXT), "export": _optional(_record_of(EXPORT_FIELDS))},
    "reopened": {
        "superseded_fingerprint": _nullable(TEXT),
        "kept_in": _nullable(TEXT),
        "reason": _nullable(TEXT),
    },
    "report-generated": {"files": _nullable(_records_of({"path": _optional(TEXT)}))},
    **{
        action: {
            "id": _optional(TEXT),
            "file": _optional(TEXT),
            "record_sha256": _nullable(TEXT),
            "action": _optional(TEXT),
            "ref": _nullable(TEXT),
        }
        for action in ("offender-added", "payment-added", "note-added", "action-recorded")
    },
}

_STORY_FIELDS: dict[str, Field] = {
    "recorded_at": _nullable(TEXT),
    "recorded_at_local": _nullable(TEXT),
    "recorded_by": _nullable(TEXT),
    "note": _nullable(TEXT),
}
_EVENT_TIME: dict[str, Field] = {
    "at": _nullable(TEXT),
    "at_as_written": _nullable(TEXT),
    "at_zone_assumed": _nullable(TEXT),
}

OFFENDER_FIELDS: dict[str, Field] = {
    "id": _id("O"),
    "platform": Field(TEXT, required=True),
    **_STORY_FIELDS,
    **{
        key: _nullable(TEXT)
        for key in (
            "username",
            "user_id",
            "profile_url",
            "profile_url_normalised",
            "display_name",
            "phone",
            "phone_normalised",
            "email",
        )
    },
    "seen_in": _nullable(TEXTS),
}

PAYMENT_FIELDS: dict[str, Field] = {
    "id": _id("P"),
    "method": Field(TEXT, required=True),
    "paid": _nullable(FLAG),
    **_STORY_FIELDS,
    **_EVENT_TIME,
    **{
        key: _nullable(TEXT)
        for key in (
            "payee",
            "account",
            "wallet",
            "wallet_network",
            "tx",
            "amount",
            "currency",
            "reference",
            "brand",
        )
    },
    "seen_in": _nullable(TEXTS),
}

NOTE_FIELDS: dict[str, Field] = {
    "id": _id("N"),
    "text": Field(TEXT, required=True),
    **_STORY_FIELDS,
    **_EVENT_TIME,
}

ACTION_FIELDS: dict[str, Field] = {
    "id": _id("A"),
    "action": Field(TEXT, required=True),
    "to": _nullable(TEXT),
    "ref": _nullable(TEXT),
    **_STORY_FIELDS,
    "at": _nullable(TEXT),
}


# ---- checking -----------------------------------------------------------------------------------


def _what(value: object) -> str:
    """How a value reads in a sentence: "not text", "not a list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a JSON object"


def _field_problem(name: str, value: object, shape: Shape) -> str | None:
    if not shape.accepts(value):
        if isinstance(value, shape.base) and not isinstance(value, bool):
            return f"“{name}” is not {shape.expected}"
        return f"“{name}” should be {shape.expected}, not {_what(value)}"
    if shape.inner is None or value is None:
        return None
    if shape.many:
        assert isinstance(value, list)
        for number, element in enumerate(value, start=1):
            problem = _fields_problem(cast(dict[str, Any], element), shape.inner)
            if problem is not None:
                return f"in “{name}”, entry {number}: {problem}"
        return None
    problem = _fields_problem(cast(dict[str, Any], value), shape.inner)
    return None if problem is None else f"in “{name}”: {problem}"


def _fields_problem(record: Mapping[str, Any], fields: Mapping[str, Field]) -> str | None:
    for name, field in fields.items():
        if name not in record:
            if field.required:
                return f"“{name}” is missing"
            continue
        problem = _field_problem(name, record[name], field.shape)
        if problem is not None:
            return problem
    return None


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


def _custody_rules(record: Mapping[str, Any]) -> str | None:
    fields = CUSTODY_DETAILS.get(record["action"])
    if fields is None:
        return None
    problem = _fields_problem(record["details"], fields)
    return None if problem is None else f"in “details”: {problem}"


R = TypeVar("R")


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """One kind of record: the file it lives in, and what each line must hold; `R` is the typed
    record a line of it is once checked."""

    name: str  # "item", as in "item E0001"
    path: str
    fields: Mapping[str, Field]
    rules: Callable[[Mapping[str, Any]], str | None] | None = None

    def problem(self, record: object) -> str | None:
        """What is wrong with one parsed line, or None when it can be used."""
        if not isinstance(record, dict):
            return f"it is {_what(record)}, not a JSON object"
        problem = _fields_problem(record, self.fields)
        if problem is None and self.rules is not None:
            problem = self.rules(record)
        return problem

    def where(self, line: int) -> str:
        return f"line {line} of {self.path}"


ITEMS: RecordKind[ItemRecord] = RecordKind("item", layout.ITEMS_JSONL, ITEM_FIELDS, _item_rules)
URLS: RecordKind[UrlRecord] = RecordKind("web address", layout.URLS_JSONL, URL_FIELDS)
CUSTODY: RecordKind[CustodyEntry] = RecordKind(
    "custody entry", layout.CUSTODY_JSONL, CUSTODY_FIELDS, _custody_rules
)
OFFENDERS: RecordKind[OffenderRecord] = RecordKind("offender", "evidencekit/offenders.jsonl", OFFENDER_FIELDS)
PAYMENTS: RecordKind[PaymentRecord] = RecordKind("payment", "evidencekit/payments.jsonl", PAYMENT_FIELDS)
NOTES: RecordKind[NoteRecord] = RecordKind("note", "evidencekit/notes.jsonl", NOTE_FIELDS)
ACTIONS: RecordKind[ActionRecord] = RecordKind("action", "evidencekit/actions.jsonl", ACTION_FIELDS)
KINDS: dict[str, RecordKind[Any]] = {
    kind.path: kind for kind in (ITEMS, URLS, CUSTODY, OFFENDERS, PAYMENTS, NOTES, ACTIONS)
}


def check(kind: RecordKind[R], record: object, line: int) -> R | str:
    """The record, unchanged and typed as `kind`'s record, if it has `kind`'s shape; else the
    problem, e.g. "line 4 of evidencekit/items.jsonl: “size” should be a whole number, not text"."""
    problem = kind.problem(record)
    if problem is not None:
        return f"{kind.where(line)}: {problem}"
    return cast(R, record)


@dataclass(frozen=True)
class ReadRecords:
    """Every line of a records file: those that can be used (with their line numbers), and a
    problem for each of the others."""

    records: list[tuple[int, dict[str, Any]]]
    problems: list[str]


def read_records(kind: RecordKind[Any] | None, text: str, path: str | None = None) -> ReadRecords:
    """Parse and check every line (for `verify`, which reports each bad line and goes on).
    Without a `kind`, each line need only be a JSON object."""
    where = path or (kind.path if kind is not None else "the records file")
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in iter_lines(text):
        try:
            record = parse_json(line)
        except ValueError as exc:
            problems.append(f"line {number} of {where}: it is not valid JSON ({getattr(exc, 'msg', exc)})")
            continue
        if kind is None:
            problem = None if isinstance(record, dict) else f"it is {_what(record)}, not a JSON object"
        else:
            problem = kind.problem(record)
        if problem is None:
            good.append((number, record))
        else:
            problems.append(f"line {number} of {where}: {problem}")
    return ReadRecords(good, problems)


def sentence(problem: str) -> str:
    """The one sentence a command says when it refuses a case for a bad record."""
    return f"A record in this case is not one evidencekit wrote: {problem}."


def valid_only(kind: RecordKind[Any], records: Iterable[object]) -> list[dict[str, Any]]:
    """The records of `kind` that can be used, for readers that already report the others."""
    return [cast(dict[str, Any], r) for r in records if kind.problem(r) is None]
