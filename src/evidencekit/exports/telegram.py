"""Telegram Desktop "Export chat history" / "Export Telegram data" in machine-readable JSON.

A single chat is `result.json` = `{name, type, id, messages: [...]}`; a full export holds every chat
under `chats.list` (and `left_chats.list`). `date` is the exporting computer's wall-clock time
without a zone; `date_unixtime` (since 2022) is exact and is preferred. `text` is a string or a
list of strings and entity objects, joined with nothing in between (adding spaces would change
the text). Media the export left out says so in place of the file path. Some versions write
`\\xNN` escapes that JSON does not allow; they are repaired on the fly and counted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import IO, Any, cast

from evidencekit.exports.base import (
    MESSAGE,
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    Message,
    ParseContext,
)
from evidencekit.exports.jsonstream import RepairingReader, objects_at, repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import UTC, from_epoch, localise, shown

NAME = "telegram"
VERSION = "1"

_MEDIA_FIELDS = (("photo", "photo"), ("file", None))
_DETAIL_FIELDS = (
    "via_bot",
    "self_destruct_period_seconds",
    "location_information",
    "contact_information",
    "poll",
    "live_location_period_seconds",
    "duration_seconds",
    "sticker_emoji",
    "game_title",
    "invoice_information",
    "saved_from",
    "author",
    "members",
    "title",
    "discard_reason",
    "message_id",
    "inviter",
)
_DETAIL_KEYS = frozenset(_DETAIL_FIELDS)
# The keys only some messages have: edits, forwards, replies, media.
_OTHER_KEYS = frozenset(
    ["edited", "edited_unixtime", "forwarded_from", "forwarded_from_id", "reply_to_message_id"]
    + [field for field, _ in _MEDIA_FIELDS]
)
_NOT_INCLUDED = ("not included", "exceeds maximum size", "unavailable", "is not available")
_CHAT_KEYS = ("name", "type", "id")


def detect(source: Source) -> Detection | None:
    names = source.names()
    ordered = [n for n in names if posixpath.basename(n) == "result.json"]
    if source.kind == "file":
        ordered = names
    for name in ordered[:5]:
        head = head_text(source, name, 16384)
        full = '"chats"' in head or '"personal_information"' in head
        named = posixpath.basename(name) == "result.json"
        dated = '"date_unixtime"' in head or '"date"' in head
        single = '"messages"' in head and '"type"' in head and (dated or named)
        if full or single:
            variant = "full" if full else "chat"
            label = "Telegram Desktop export (JSON, " + ("all chats" if full else "one chat") + ")"
            return Detection(NAME, 0.9, label, variant, [name], {})
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict) else ""
            for part in value
        )
    return ""


def _links(entities: Any) -> list[str]:
    links = []
    for entity in entities if isinstance(entities, list) else []:
        if isinstance(entity, dict) and entity.get("type") in ("text_link", "link") and entity.get("href"):
            links.append(str(entity["href"]))
        elif isinstance(entity, dict) and entity.get("type") == "link" and entity.get("text"):
            links.append(str(entity["text"]))
    return links


class TelegramParser:
    name = NAME
    version = VERSION
    reading_order = "file"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        name = detection.files[0]
        containers = ("chats.list.item", "left_chats.list.item") if detection.variant == "full" else ("",)
        conversations: dict[tuple[str, int], Conversation] = {}
        previous: datetime | None = None
        naive_times = 0
        stream = repaired_stream(source.open(name))
        seq = 0
        try:
            if detection.variant == "full":
                # a RepairingReader is a binary stream; objects_at is typed for any of them
                found = objects_at(cast(IO[bytes], stream), containers, "messages", _CHAT_KEYS)
            else:
                found = _one_chat(stream, _chat_facts(source, name))
            for container, number, facts, index, raw in found:
                if not isinstance(raw, dict):
                    continue
                key = (container, number)
                conversation = conversations.get(key)
                if conversation is None:
                    chat_name = facts.get("name")
                    if chat_name is None and facts.get("type") == "saved_messages":
                        chat_name = "Saved Messages"
                    conversation = Conversation(
                        key=f"{container}:{number}", name=chat_name, kind=facts.get("type")
                    )
                    conversations[key] = conversation
                seq += 1
                msg = _message(raw, seq, source, name, context, previous)
                if msg.time_zone_assumed:
                    naive_times += 1
                if msg.time is not None:
                    previous = msg.time
                msg.conversation = conversation
                if detection.variant == "full":
                    area = container.split(".", 1)[0]
                    msg.source_json_path = f"{area}.list[{number}].messages[{index}]"
                else:
                    msg.source_json_path = f"messages[{index}]"
                yield msg
        finally:
            stream.close()
        if stream.repairs:
            context.warn(
                f"{stream.repairs} invalid “\\xNN” escape(s) written by Telegram Desktop were read as the "
                "characters they stand for (the original file is unchanged)."
            )
        if naive_times:
            context.warn(
                f"{naive_times} message(s) have only Telegram's local “date” (exports before 2022 have no "
                f"exact time); they were read as {context.zone_name} time."
            )


def _chat_facts(source: Source, name: str) -> dict[str, Any]:
    """The chat's name, type and id, written before its messages, read in a first short pass so
    that the messages themselves can be built by ijson's C code (objects_at builds each one event
    by event in Python, several times slower on a long chat)."""
    import ijson  # type: ignore[import-untyped]

    facts: dict[str, Any] = {}
    head = repaired_stream(source.open(name))
    try:
        for prefix, event, value in ijson.parse(head, use_float=True):
            if prefix == "messages" and event in ("start_array", "start_map"):
                break
            if prefix in _CHAT_KEYS and event in ("string", "number", "boolean", "null"):
                facts[prefix] = value
    except ijson.JSONError:
        pass  # the main pass meets the same fault and reports it where it is
    finally:
        head.close()
    return facts


def _one_chat(
    stream: RepairingReader, facts: dict[str, Any]
) -> Iterator[tuple[str, int, dict[str, Any], int, Any]]:
    """The same tuples as objects_at for a one-chat result.json, one message at a time."""
    import ijson

    for index, raw in enumerate(ijson.items(stream, "messages.item", use_float=True)):
        yield "", 0, facts, index, raw


def _message(
    raw: dict[str, Any], seq: int, source: Source, name: str, context: ParseContext, previous: datetime | None
) -> Message:
    get = raw.get
    date = get("date")
    written = date if isinstance(date, str) else None
    msg = Message(seq=seq, time=None, time_as_written=written, sender=None, text=_text(get("text")))
    number = get("id")
    msg.id = None if number is None else str(number)
    msg.source_file = name
    unix = get("date_unixtime")
    if unix is not None:
        msg.time = _exact_time(unix, context.display_zone)
    if msg.time is None and written:
        try:
            naive = datetime.fromisoformat(written)
        except ValueError:
            naive = None
        if naive is not None and naive.tzinfo is not None:
            msg.time = shown(naive, context.display_zone)
        elif naive is not None and context.zone is not None:
            msg.time, flag = localise(naive, context.zone, previous)
            msg.time_zone_assumed = True
            if flag:
                msg.flag(flag)
    kind = get("type")
    if kind == "service":
        msg.kind = SYSTEM
        actor = get("actor")
        msg.sender = actor if isinstance(actor, str) else None
        actor_id = get("actor_id")
        msg.sender_id = None if actor_id is None else str(actor_id)
        if get("action"):
            msg.details["action"] = raw["action"]
    else:
        msg.kind = MESSAGE if kind == "message" else SYSTEM
        if kind != "message":
            msg.details["type"] = kind
        sender = get("from")
        msg.sender = sender if isinstance(sender, str) else None
        if sender is None and "from" in raw:
            msg.details["sender_note"] = "the sender's account was deleted"
        sender_id = get("from_id")
        msg.sender_id = None if sender_id is None else str(sender_id)
    if not _DETAIL_KEYS.isdisjoint(raw):
        for key in _DETAIL_FIELDS:
            if key in raw:
                msg.details[key] = raw[key]
    entities = get("text_entities")
    if entities:
        links = _links(entities)
        if links:
            msg.details["links"] = links
    if not _OTHER_KEYS.isdisjoint(raw):
        _marks_and_media(raw, msg, source, name)
    return msg


def _exact_time(unix: Any, zone: tzinfo | None) -> datetime | None:
    """`date_unixtime` (a string of seconds) as a moment shown in `zone`; None when it is not one."""
    if isinstance(unix, str) and unix.isascii() and unix.isdigit() and len(unix) < 12:  # the usual case
        return datetime.fromtimestamp(int(unix), zone if zone is not None else UTC)
    try:
        return shown(from_epoch(float(unix), None), zone)
    except (TypeError, ValueError):
        return None


def _marks_and_media(raw: dict[str, Any], msg: Message, source: Source, name: str) -> None:
    """Edits, forwards, replies and attached files: on a minority of messages."""
    if raw.get("edited") or raw.get("edited_unixtime"):
        msg.flag("edited")
        msg.details["edited"] = raw.get("edited")
        if raw.get("edited_unixtime"):
            msg.details["edited_unixtime"] = raw["edited_unixtime"]
    if raw.get("forwarded_from") is not None or raw.get("forwarded_from_id") is not None:
        msg.flag("forwarded")
        msg.details["forwarded_from"] = raw.get("forwarded_from")
    if raw.get("reply_to_message_id") is not None:
        msg.flag("reply")
        msg.details["reply_to"] = raw["reply_to_message_id"]
    for field, kind_name in _MEDIA_FIELDS:
        value = raw.get(field)
        if not isinstance(value, str):
            continue
        media_type = kind_name or raw.get("media_type") or "file"
        if value.startswith("(") and any(word in value.lower() for word in _NOT_INCLUDED):
            msg.flag("media-omitted")
            label = raw.get("file_name") or f"({media_type})"
            msg.attachments.append(Attachment(name=str(label), type=media_type, details={"note": value}))
            continue
        member = source.find(value, near=name)
        label = raw.get("file_name") if field == "file" and isinstance(raw.get("file_name"), str) else None
        msg.attachments.append(
            Attachment(
                name=label or posixpath.basename(value),
                member=member,
                type=media_type,
                details={"path_as_written": value},
            )
        )


PARSER = TelegramParser()
