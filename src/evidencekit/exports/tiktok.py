"""TikTok “Download your data” in JSON: the direct messages inside `user_data*.json`.

The download is one large JSON file (`user_data.json`, later `user_data_tiktok.json`) holding the
whole account: watch history, likes, logins… Direct messages sit under “Direct Messages” (or
“Direct Message”) → “Chat History” (or “Direct Messages”) → “ChatHistory” → one list per
conversation, keyed “Chat History with <user>:”, of `{"Date": "2024-02-09 22:16:03", "From": …,
"Content": …}`. TikTok writes these dates in UTC. The file can be hundreds of megabytes, so it is
streamed with ijson and only one message is in memory at a time; the key names are matched
loosely (TikTok has renamed them more than once).

The same download can be asked for as “TXT” instead: a folder per part of the account, the
messages in `Direct Messages.txt` (inside `Direct Messages/`, `Direct Message/` or `Activity/`,
depending on the year), each conversation under a line `>>> Chat History with <user>:` and each
message a block of `Date: 2024-02-09 22:16:03 UTC`, `From: <user>` and `Content: <text>` lines
(the text may go on over more lines). The dates are UTC there too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from evidencekit.exports.base import Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import UTC, shown

NAME = "tiktok"
VERSION = "1"

_FILE = re.compile(r"(?:^|/)user_data[^/]*\.json$", re.IGNORECASE)
_TXT_FILE = re.compile(r"(?:^|/)direct[ _]?messages?\.txt$", re.IGNORECASE)
_TXT_CHAT = re.compile(r"^(?:>>>\s*)?chat\s*history\s+with\s+(?P<who>.*?)\s*:?\s*$", re.IGNORECASE)
_TXT_FIELD = re.compile(r"^(?P<key>Date|From|Content):\s?(?P<value>.*)$")
_TXT_MAX_LINE = 1 << 20
_CHAT_KEY = re.compile(r"^\s*chat\s*history\s+with\s+(?P<who>.*?)\s*:?\s*$", re.IGNORECASE | re.DOTALL)
_ACCOUNT_KEYS = (
    '"Activity"',
    '"Your Activity"',
    '"Profile"',
    '"App Settings"',
    '"Ads and data"',
    '"Watch History"',
    '"Video Browsing History"',
    '"Login History"',
    '"ProfileMap"',
)
_DM_KEYS = ('"Direct Messages"', '"Direct Message"', '"ChatHistory"')
_LINK = re.compile(r"https?://\S+")
MAX_DEPTH_BEFORE_CHAT = 6


def _looks_like_txt(source: Source, name: str) -> bool:
    lines = head_text(source, name, 16384).splitlines()[:40]
    chats = sum(1 for line in lines if _TXT_CHAT.match(line.strip()))
    dates = sum(1 for line in lines if line.startswith("Date: "))
    senders = sum(1 for line in lines if line.startswith("From: "))
    return chats >= 1 and dates >= 1 and senders >= 1


def _detect_txt(source: Source) -> Detection | None:
    names = source.names()
    candidates = [n for n in names if _TXT_FILE.search(n)]
    if source.kind == "file" and names[0].lower().endswith(".txt"):
        candidates = names
    for name in candidates[:5]:
        if _looks_like_txt(source, name):
            return Detection(
                NAME,
                0.9,
                "TikTok “Download your data” (TXT): direct messages",
                "txt",
                [name],
                {"platform": "TikTok"},
            )
    return None


def detect(source: Source) -> Detection | None:
    names = source.names()
    found = _detect_txt(source)
    if found is not None:
        return found
    candidates = [n for n in names if _FILE.search(n)]
    if source.kind == "file":
        candidates = names
    for name in candidates[:5]:
        head = head_text(source, name, 65536)
        if not head.lstrip().startswith("{"):
            continue
        account = sum(key in head for key in _ACCOUNT_KEYS)
        direct = (
            any(key in head for key in _DM_KEYS) or "ChatHistory with" in head or "Chat History with" in head
        )
        named = bool(_FILE.search(name)) or bool(_FILE.search(source.label))
        account_like = (named and account >= 1) or (account >= 2 and '"Date"' in head)
        if (direct and (account or named)) or account_like:
            return Detection(
                NAME,
                0.9,
                "TikTok “Download your data” (JSON): direct messages",
                "json",
                [name],
                {"platform": "TikTok"},
            )
    return None


def _direct_messages_key(key: str) -> bool:
    return key.strip().lower().startswith("direct message")


def _items(stream: Any) -> Iterator[tuple[str, int, Any]]:
    """(conversation partner, index, message object) for every message, streamed.

    The path is followed by hand (not with ijson's dotted prefixes) because a user name can hold a
    dot, which would make a dotted path ambiguous."""
    import ijson  # type: ignore[import-untyped]
    from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

    parents: list[str | None] = []  # for each open container, the key it sits under (None in a list)
    in_map: list[bool] = []
    key: str | None = None
    chat: str | None = None
    chat_depth = -1
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
                    yield str(chat), index, builder.value
                    builder = None
            continue
        if event == "map_key":
            key = str(value)
        elif event in ("start_map", "start_array"):
            if chat is not None and len(parents) == chat_depth:
                index += 1  # an element of a conversation's list: one message
                builder = ObjectBuilder()
                builder.event(event, value)
                inner = 1
                continue
            own = key if in_map and in_map[-1] else None
            parents.append(own)
            in_map.append(event == "start_map")
            if event == "start_array" and own is not None and chat is None:
                match = _CHAT_KEY.match(own)
                inside = any(k is not None and _direct_messages_key(k) for k in parents)
                if match and (inside or len(parents) <= MAX_DEPTH_BEFORE_CHAT):
                    chat, chat_depth, index = match.group("who") or own, len(parents), -1
        elif event in ("end_map", "end_array"):
            if chat is not None and len(parents) == chat_depth:
                chat, chat_depth = None, -1
            parents.pop()
            in_map.pop()
        elif chat is not None and len(parents) == chat_depth:
            index += 1  # a bare value in a conversation's list is not a message, but keeps the count


def _time(written: Any, context: ParseContext) -> datetime | None:
    if not isinstance(written, str):
        return None
    text = written.strip().removesuffix(" UTC")
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return shown(datetime.strptime(text, form).replace(tzinfo=UTC), context.display_zone)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return shown(moment if moment.tzinfo else moment.replace(tzinfo=UTC), context.display_zone)


def _json_items(source: Source, name: str) -> Iterator[tuple[str, int | str, dict[str, Any]]]:
    """(conversation partner, JSON path, message object) from the JSON download, streamed."""
    with repaired_stream(source.open(name)) as stream:
        for who, index, raw in _items(stream):
            if isinstance(raw, dict):
                yield who, f"Direct Messages…“ChatHistory with {who}:”[{index}]", raw


def _txt_items(
    source: Source, name: str, context: ParseContext
) -> Iterator[tuple[str, int | str, dict[str, Any]]]:
    """(conversation partner, line number, message fields) from the TXT download.

    A message is a block starting at a `Date:` line; a `Content:` goes on over the following
    lines until the next block or conversation (blank lines at its end are the gap between
    blocks, not part of the text). Lines before the first conversation or block are counted."""
    who: str | None = None
    current: dict[str, Any] | None = None
    start = 0
    content: list[str] | None = None
    stray = 0
    replaced = 0

    def done() -> tuple[str, int, dict[str, Any]] | None:
        if current is None or who is None:
            return None
        if content is not None:
            current["Content"] = "\n".join(content).rstrip("\n ")
        return who, start, current

    with source.open(name) as stream:
        for number, raw in enumerate(stream, 1):
            text = raw[:_TXT_MAX_LINE].decode("utf-8", errors="replace")
            if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
                replaced += 1
            line = text.rstrip("\r\n")
            if number == 1:
                line = line.lstrip("\ufeff")
            chat = (
                _TXT_CHAT.match(line.strip()) if line.lstrip().startswith((">>>", "Chat", "chat")) else None
            )
            field = _TXT_FIELD.match(line)
            if chat is not None:
                block = done()
                if block is not None:
                    yield block
                who, current, content = chat.group("who") or line.strip(), None, None
                continue
            if field is not None and field.group("key") == "Date" and who is not None:
                block = done()
                if block is not None:
                    yield block
                current, start, content = {"Date": field.group("value").strip()}, number, None
                continue
            if current is None:
                if line.strip():
                    stray += 1
                continue
            if content is not None:
                content.append(line)
            elif field is not None and field.group("key") == "From":
                current["From"] = field.group("value").strip()
            elif field is not None and field.group("key") == "Content":
                content = [field.group("value")]
            elif line.strip():
                stray += 1
        block = done()
        if block is not None:
            yield block
    if stray:
        context.warn(f"{stray} line(s) of “{posixpath.basename(name)}” were not part of any message.")
    if replaced:
        context.warn(
            f"{replaced} line(s) of “{posixpath.basename(name)}” are not valid UTF-8; the bytes that could "
            "not be read are shown as “\ufffd” (the file itself is unchanged)."
        )


class TikTokParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        name = detection.files[0]
        conversations: dict[str, Conversation] = {}
        unreadable_times = 0
        context.facts["one_sided"] = (
            "TikTok's download holds the text of direct messages only: videos, photos and stickers "
            "sent in a chat are not in it (a shared video appears as its link)."
        )
        txt = detection.variant == "txt"
        found = _txt_items(source, name, context) if txt else _json_items(source, name)
        for seq, (who, where, raw) in enumerate(found, 1):
            written = raw.get("Date")
            msg = Message(
                seq=seq,
                time=_time(written, context),
                time_as_written=written if isinstance(written, str) else None,
                sender=None,
                text="",
            )
            if msg.time is None:
                msg.flag("time-unknown")
                unreadable_times += 1
            sender = raw.get("From")
            msg.sender = sender if isinstance(sender, str) else None
            msg.sender_id = msg.sender
            content = raw.get("Content")
            msg.text = content if isinstance(content, str) else ""
            links = _LINK.findall(msg.text)
            if links:
                msg.details["links"] = links
                if msg.text.strip() == links[0] and len(links) == 1:
                    msg.attachments.append(Attachment(name=links[0], type="link", url=links[0]))
            for key, value in raw.items():
                if key not in ("Date", "From", "Content"):
                    msg.details[key] = value
            conversation = conversations.get(who)
            if conversation is None:
                conversation = conversations[who] = Conversation(key=who, name=who, kind="DM")
            msg.conversation = conversation
            msg.source_file = name
            if isinstance(where, int):
                msg.source_line = where
            else:
                msg.source_json_path = where
            yield msg
        if not conversations:
            context.warn(
                f"“{posixpath.basename(name)}” holds no direct messages (the account had none, or they "
                "were not selected when the data was requested)."
            )
        if unreadable_times:
            context.warn(
                f"{unreadable_times} message(s) have a date evidencekit could not read; the date is kept "
                "as written (flagged time-unknown)."
            )


PARSER = TikTokParser()
