"""Snapchat "My Data" with "Export JSON files": `json/chat_history.json` (and `chat_media/`).

Snapchat deletes viewed chats by default, so usually only saved or not-yet-deleted messages are
there. `json/snap_history.json` lists the snaps (pictures and videos, without their content); some
exports hold only that file, and it is read too. The old layout (about 2019-2022) has two lists,
"Received Saved Chat History" and "Sent Saved Chat History", with HTML-escaped text (in `Text`,
or `Content` in some); the new one is keyed by conversation. Times are written in UTC
(`2024-03-14 21:07:41 UTC`). `Created(microseconds)` really holds milliseconds
in the exports seen, so its magnitude is checked rather than trusted.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from evidencekit.exports.base import (
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    Message,
    ParseContext,
    read_errors_and_os,
)
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import UTC, from_epoch_ms, shown

NAME = "snapchat"
VERSION = "2"
_OLD_KEYS = (
    "Received Saved Chat History",
    "Sent Saved Chat History",
    "Received Unsaved Chat History",
    "Sent Unsaved Chat History",
)
OWNER = "(account owner)"


_SNAP_OLD_KEYS = ("Received Snap History", "Sent Snap History")
_HISTORY_FILES = ("chat_history.json", "snap_history.json")


def _looks_like(head: str) -> str | None:
    """ "old", "new" or None for the start of a Snapchat history file."""
    if any(f'"{key}"' in head for key in _OLD_KEYS + _SNAP_OLD_KEYS):
        return "old"
    dated = '"Created"' in head or '"Created(microseconds)"' in head
    if '"Media Type"' in head and dated:
        return "new"
    return None


def detect(source: Source) -> Detection | None:
    """Chat history and, where the export has it, the snap history (the pictures and videos sent
    and received, without their content). An export may hold only the snap history."""
    names = source.names()
    by_file = {base: [n for n in names if posixpath.basename(n) == base] for base in _HISTORY_FILES}
    candidates = by_file["chat_history.json"][:3] + by_file["snap_history.json"][:3]
    if source.kind == "file":
        candidates = names
    found: list[str] = []
    variant = None
    for name in candidates:
        kind = _looks_like(head_text(source, name, 16384))
        if kind is None:
            continue
        if variant is None:
            variant = kind
        if kind == variant and posixpath.basename(name) not in {posixpath.basename(f) for f in found}:
            found.append(name)
    if variant is None:
        return None
    what = (
        "chat history" if any(posixpath.basename(f) != "snap_history.json" for f in found) else "snap history"
    )
    older = ", older layout" if variant == "old" else ""
    return Detection(NAME, 0.9, f"Snapchat “My Data” {what} (JSON{older})", variant, found)


def _conversations(stream: Any) -> Iterator[tuple[str, int, Any]]:
    """(top-level key, index, object) for every object in the top-level lists, one at a time."""
    import ijson  # type: ignore[import-untyped]
    from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

    key = ""
    depth = 0
    index = -1
    builder: ObjectBuilder | None = None
    inner = 0
    for _prefix, event, value in ijson.parse(stream, use_float=True):
        if builder is not None:
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                inner += 1
            elif event in ("end_map", "end_array"):
                inner -= 1
                if inner == 0:
                    yield key, index, builder.value
                    builder = None
            continue
        if event in ("start_map", "start_array"):
            depth += 1
            if depth == 3 and event == "start_map":
                index += 1
                builder = ObjectBuilder()
                builder.event(event, value)
                inner = 1
                depth -= 1  # the builder tracks this object's own depth
            elif depth == 2:
                index = -1
        elif event in ("end_map", "end_array"):
            depth -= 1
        elif event == "map_key" and depth == 1:
            key = value


def _owner(source: Source) -> str | None:
    for name in source.names():
        if posixpath.basename(name) == "account.json" and source.size(name) < (8 << 20):
            try:
                with repaired_stream(source.open(name)) as stream:
                    data = json.load(stream)
                return str(data.get("Basic Information", {}).get("Username")) or None
            except (ValueError, AttributeError, OSError):
                return None
    return None


def _time(raw: dict[str, Any], context: ParseContext) -> tuple[datetime | None, str | None]:
    written = raw.get("Created")
    if isinstance(written, str):
        text = written.strip()
        try:
            if text.endswith(" UTC"):
                moment = datetime.strptime(text[:-4], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            else:
                moment = datetime.fromisoformat(text)
                if moment.tzinfo is None:
                    moment = None
            if moment is not None:
                return shown(moment, context.display_zone), written
        except ValueError:
            pass
    number = raw.get("Created(microseconds)")
    if isinstance(number, str) and number.strip().isdigit():
        number = int(number.strip())
    if isinstance(number, (int, float)) and not isinstance(number, bool) and number > 0:
        ms = number / 1000 if number > 1e14 else number if number > 1e11 else number * 1000
        return shown(from_epoch_ms(ms, None), context.display_zone), written or str(number)
    return None, written if isinstance(written, str) else None


def _text(raw: dict[str, Any]) -> str | None:
    """The text of a record: `Content` (the newer layout, and some older exports) or `Text`."""
    for key in ("Content", "Text"):
        value = raw.get(key)
        if isinstance(value, str):
            return value
    return None


def _title(raw: dict[str, Any]) -> str | None:
    title = raw.get("Conversation Title")
    return title.strip() if isinstance(title, str) and title.strip() else None


class SnapchatParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        owner = _owner(source)
        media = [n for n in source.names() if "chat_media/" in n]
        titles = _titles(source, detection.files)
        conversations: dict[str, Conversation] = {}
        state = {"seq": 0, "no_text": 0, "no_partner": 0, "example": ""}
        context.facts["one_sided"] = (
            "Snapchat deletes chats after they are viewed unless someone saves them, so this export "
            "usually holds only saved or unopened messages."
        )
        for name in detection.files:
            snaps = posixpath.basename(name) == "snap_history.json"
            with repaired_stream(source.open(name)) as stream:
                for key, index, raw in _conversations(stream):
                    if not isinstance(raw, dict):
                        continue
                    msg = _message(raw, key, index, name, snaps, detection.variant, owner, context, state)
                    _attach(msg, raw, media)
                    conv_key, fallback = msg.details.pop("_conversation")
                    conversation = conversations.get(conv_key)
                    if conversation is None:
                        title = titles.get(conv_key) or fallback
                        conversation = conversations[conv_key] = Conversation(key=conv_key, name=title)
                    msg.conversation = conversation
                    yield msg
        if state["no_text"]:
            context.warn(
                f"{state['no_text']:,} Snapchat message(s) have no text in the export and no media "
                f"(for example {state['example']}): they are kept with an empty text, as exported."
            )
        if state["no_partner"]:
            context.warn(
                f"{state['no_partner']:,} Snapchat record(s) do not say who the other person was; "
                "they are in a conversation named “(other person not named in the export)”."
            )


def _titles(source: Source, files: list[str]) -> dict[str, str]:
    """Each conversation's `Conversation Title` (group chats carry one; it may be on any of its
    records), read before any message so every message carries its conversation's name."""
    titles: dict[str, str] = {}
    for name in files:
        try:
            with repaired_stream(source.open(name)) as stream:
                for key, _index, raw in _conversations(stream):
                    if isinstance(raw, dict) and key not in titles and _title(raw):
                        titles[key] = _title(raw)  # type: ignore[assignment]
        except read_errors_and_os():
            continue  # the messages are read up to the damage, and that is reported there
    return titles


_NO_PARTNER = "(other person not named in the export)"


def _message(
    raw: dict[str, Any],
    key: str,
    index: int,
    name: str,
    snaps: bool,
    variant: str | None,
    owner: str | None,
    context: ParseContext,
    state: dict[str, Any],
) -> Message:
    state["seq"] += 1
    moment, written = _time(raw, context)
    msg = Message(seq=state["seq"], time=moment, time_as_written=written, sender=None, text="")
    msg.source_file = name
    msg.source_json_path = f"{json.dumps(key, ensure_ascii=False)}[{index}]"
    text = _text(raw)
    if variant == "old":
        sent = key.startswith("Sent")
        partner = raw.get("To") if sent else raw.get("From")
        partner = partner if isinstance(partner, str) and partner else _title(raw)
        if partner is None:
            state["no_partner"] += 1
        msg.sender = (owner or OWNER) if sent else partner
        msg.sender_id = owner if sent else partner
        if text is not None:
            msg.text = html.unescape(text)
            if msg.text != text:
                msg.details["text_as_exported"] = text
        if "Unsaved" in key:
            msg.details["saved"] = False
        conv = partner or _NO_PARTNER
        msg.details["_conversation"] = (conv, conv)
    else:
        sender = raw.get("From")
        msg.sender = sender if isinstance(sender, str) else None
        msg.sender_id = msg.sender
        msg.text = text or ""
        if raw.get("IsSender") is not None:
            msg.details["sent_by_account_owner"] = bool(raw.get("IsSender"))
        if raw.get("IsSaved") is not None:
            msg.details["saved"] = bool(raw.get("IsSaved"))
        msg.details["_conversation"] = (key, _title(raw) or key)
    if snaps:
        msg.details["snap"] = True  # a picture or video sent as a snap: the export has only this record
    media_type = raw.get("Media Type")
    if media_type is not None:
        msg.details["media_type"] = media_type
    if isinstance(media_type, str) and media_type.upper().startswith("STATUS"):
        msg.kind = SYSTEM
    if (
        not msg.text
        and not snaps
        and msg.kind != SYSTEM
        and media_type in (None, "TEXT")
        and not raw.get("Media IDs")
    ):
        state["no_text"] += 1
        if not state["example"]:
            state["example"] = f"“{name}” at {msg.source_json_path}"
    return msg


def _attach(msg: Message, raw: dict[str, Any], media: list[str]) -> None:
    media_type = raw.get("Media Type")
    ids = raw.get("Media IDs")
    for media_id in re.split(r"[|,\s]+", ids) if isinstance(ids, str) else []:
        if not media_id:
            continue
        member = next((n for n in media if media_id in posixpath.basename(n)), None)
        msg.attachments.append(
            Attachment(
                name=posixpath.basename(member) if member else media_id,
                member=member,
                type=str(media_type).lower() if media_type else None,
                details={"media_id": media_id},
            )
        )
    if not msg.attachments and media_type not in (None, "TEXT") and not msg.text:
        msg.flag("media-omitted")


PARSER = SnapchatParser()
