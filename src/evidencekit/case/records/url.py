"""A web address: one line of `evidencekit/urls.jsonl`, an address recorded (and maybe archived)."""

from __future__ import annotations

from typing import TypedDict

from evidencekit.case import layout
from evidencekit.case.records.shape import FLAG, TEXT, Field, RecordKind, nullable, record_id, required


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


URL_FIELDS: dict[str, Field] = {
    "id": record_id("U"),
    "url": required(TEXT),
    "url_normalised": nullable(TEXT),
    "host": nullable(TEXT),
    "platform": nullable(TEXT),
    "kind": nullable(TEXT),
    "note": nullable(TEXT),
    "sensitive": nullable(FLAG),
    "not_intimate_confirmed": nullable(FLAG),
    "recorded_at": nullable(TEXT),
    "recorded_at_local": nullable(TEXT),
    "recorded_by": nullable(TEXT),
}

URLS: RecordKind[UrlRecord] = RecordKind("web address", layout.URLS_JSONL, URL_FIELDS)
