"""The story records: offenders, payments, notes and actions (`evidencekit/offenders.jsonl` and
so on), written by `story` and the guide, each line checked here before anything reads it."""

from __future__ import annotations

from typing import TypedDict

from evidencekit.case.records.shape import FLAG, TEXT, TEXTS, Field, RecordKind, nullable, record_id, required


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
    items: list[str] | None  # a report: the items and web addresses reported (see story.reports)
    urls: list[str] | None
    report: str | None  # an outcome: the id of the report it answers
    outcome: str | None


_STORY_FIELDS: dict[str, Field] = {
    "recorded_at": nullable(TEXT),
    "recorded_at_local": nullable(TEXT),
    "recorded_by": nullable(TEXT),
    "note": nullable(TEXT),
}
_EVENT_TIME: dict[str, Field] = {
    "at": nullable(TEXT),
    "at_as_written": nullable(TEXT),
    "at_zone_assumed": nullable(TEXT),
}

OFFENDER_FIELDS: dict[str, Field] = {
    "id": record_id("O"),
    "platform": required(TEXT),
    **_STORY_FIELDS,
    **{
        key: nullable(TEXT)
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
    "seen_in": nullable(TEXTS),
}

PAYMENT_FIELDS: dict[str, Field] = {
    "id": record_id("P"),
    "method": required(TEXT),
    "paid": nullable(FLAG),
    **_STORY_FIELDS,
    **_EVENT_TIME,
    **{
        key: nullable(TEXT)
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
    "seen_in": nullable(TEXTS),
}

NOTE_FIELDS: dict[str, Field] = {
    "id": record_id("N"),
    "text": required(TEXT),
    **_STORY_FIELDS,
    **_EVENT_TIME,
}

ACTION_FIELDS: dict[str, Field] = {
    "id": record_id("A"),
    "action": required(TEXT),
    "to": nullable(TEXT),
    "ref": nullable(TEXT),
    **_STORY_FIELDS,
    "at": nullable(TEXT),
    # Reports and their outcomes (story.reports); whether the ids exist is verify's question.
    "items": nullable(TEXTS),
    "urls": nullable(TEXTS),
    "report": nullable(TEXT),
    "outcome": nullable(TEXT),
}

OFFENDERS: RecordKind[OffenderRecord] = RecordKind("offender", "evidencekit/offenders.jsonl", OFFENDER_FIELDS)
PAYMENTS: RecordKind[PaymentRecord] = RecordKind("payment", "evidencekit/payments.jsonl", PAYMENT_FIELDS)
NOTES: RecordKind[NoteRecord] = RecordKind("note", "evidencekit/notes.jsonl", NOTE_FIELDS)
ACTIONS: RecordKind[ActionRecord] = RecordKind("action", "evidencekit/actions.jsonl", ACTION_FIELDS)
