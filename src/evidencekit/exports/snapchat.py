"""Snapchat "My Data" with "Export JSON files": `json/chat_history.json` (and `chat_media/`).

Snapchat deletes viewed chats by default, so usually only saved or not-yet-deleted messages are
there. The old layout (about 2019-2022) has two lists, "Received Saved Chat History" and
"Sent Saved Chat History", with HTML-escaped text; the new one is keyed by conversation. Times
are written in UTC (`2024-03-14 21:07:41 UTC`). `Created(microseconds)` really holds milliseconds
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

from evidencekit.exports.base import SYSTEM, Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import UTC, from_epoch_ms, shown

NAME = "snapchat"
VERSION = "1"
_OLD_KEYS = (
    "Received Saved Chat History",
    "Sent Saved Chat History",
    "Received Unsaved Chat History",
    "Sent Unsaved Chat History",
)
OWNER = "(account owner)"


def detect(source: Source) -> Detection | None:
    names = source.names()
    candidates = [n for n in names if posixpath.basename(n) == "chat_history.json"]
    if source.kind == "file":
        candidates = names
    for name in candidates[:3]:
        head = head_text(source, name, 16384)
        if any(f'"{key}"' in head for key in _OLD_KEYS):
            return Detection(NAME, 0.9, "Snapchat “My Data” chat history (JSON, older layout)", "old", [name])
        if '"Media Type"' in head and '"Created"' in head:
            return Detection(NAME, 0.9, "Snapchat “My Data” chat history (JSON)", "new", [name])
    return None


def _conversations(stream: Any) -> Iterator[tuple[str, int, Any]]:
    """(top-level key, index, object) for every object in the top-level lists, one at a time."""
    import ijson
    from ijson.common import ObjectBuilder

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
    if isinstance(number, (int, float)) and number > 0:
        ms = number / 1000 if number > 1e14 else number if number > 1e11 else number * 1000
        return shown(from_epoch_ms(ms, None), context.display_zone), written or str(number)
    return None, written if isinstance(written, str) else None


class SnapchatParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        name = detection.files[0]
        owner = _owner(source)
        media = [n for n in source.names() if "chat_media/" in n]
        conversations: dict[str, Conversation] = {}
        seq = 0
        context.facts["one_sided"] = (
            "Snapchat deletes chats after they are viewed unless someone saves them, so this export "
            "usually holds only saved or unopened messages."
        )
        with repaired_stream(source.open(name)) as stream:
            for key, index, raw in _conversations(stream):
                if not isinstance(raw, dict):
                    continue
                seq += 1
                moment, written = _time(raw, context)
                msg = Message(seq=seq, time=moment, time_as_written=written, sender=None, text="")
                msg.source_file = name
                msg.source_json_path = f"{json.dumps(key, ensure_ascii=False)}[{index}]"
                if detection.variant == "old":
                    sent = key.startswith("Sent")
                    partner = raw.get("To") if sent else raw.get("From")
                    msg.sender = (owner or OWNER) if sent else partner
                    msg.sender_id = owner if sent else partner
                    text = raw.get("Text") if isinstance(raw.get("Text"), str) else ""
                    msg.text = html.unescape(text)
                    if msg.text != text:
                        msg.details["text_as_exported"] = text
                    if "Unsaved" in key:
                        msg.details["saved"] = False
                    conv_key = str(partner)
                    title = str(partner)
                else:
                    sender = raw.get("From")
                    msg.sender = sender if isinstance(sender, str) else None
                    msg.sender_id = msg.sender
                    content = raw.get("Content")
                    msg.text = content if isinstance(content, str) else ""
                    if raw.get("IsSender") is not None:
                        msg.details["sent_by_account_owner"] = bool(raw.get("IsSender"))
                    if raw.get("IsSaved") is not None:
                        msg.details["saved"] = bool(raw.get("IsSaved"))
                    conv_key = key
                    title = raw.get("Conversation Title") or key
                media_type = raw.get("Media Type")
                if media_type is not None:
                    msg.details["media_type"] = media_type
                if isinstance(media_type, str) and media_type.upper().startswith("STATUS"):
                    msg.kind = SYSTEM
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
                conversation = conversations.get(conv_key)
                if conversation is None:
                    conversation = conversations[conv_key] = Conversation(key=conv_key, name=str(title))
                msg.conversation = conversation
                yield msg


PARSER = SnapchatParser()
