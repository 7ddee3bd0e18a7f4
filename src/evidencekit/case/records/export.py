"""The facts of a chat export that an item records (`export` in an item, and in the custody
entry of a transcript made): what status, transcript, report and capture's summary read."""

from __future__ import annotations

from evidencekit.case.records.shape import INSIDE, LIST, OBJECT, TEXT, TEXTS, WHOLE, Field, nullable

EXPORT_FIELDS: dict[str, Field] = {
    "format": nullable(TEXT),
    "label": nullable(TEXT),
    "variant": nullable(TEXT),
    "status": nullable(TEXT),
    "problem": nullable(TEXT),
    "transcript": nullable(INSIDE),
    "messages": nullable(WHOLE),
    "system_messages": nullable(WHOLE),
    "conversations": nullable(WHOLE),
    "sender_count": nullable(WHOLE),
    "senders": nullable(TEXTS),
    "first_time": nullable(TEXT),
    "last_time": nullable(TEXT),
    "attachments": nullable(OBJECT),
    "derived_files": nullable(OBJECT),
    "unreferenced_media": nullable(LIST),
    "unreferenced_media_count": nullable(WHOLE),
    "warnings": nullable(LIST),
    "time_zone": nullable(TEXT),
}
