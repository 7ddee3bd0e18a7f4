"""Discord: the official data package, and DiscordChatExporter's JSON.

The data package (Settings → Privacy → Request data) has `messages/index.json` (channel id →
label) and, per channel, `c<id>/channel.json` with `messages.json` (newer) or `messages.csv`
(older): `ID, Timestamp, Contents, Attachments`. **It holds only the messages the account owner
sent**, in UTC, with attachment web addresses (which expire) instead of files; the transcript
header says so. Ids are kept as strings (they exceed what JSON numbers hold exactly).

DiscordChatExporter (a third-party tool) writes `{guild, channel, messages: [...]}` with both
sides of the conversation, exact times with offsets, authors with ids, and attachments as web
addresses or, when media was exported, as paths next to the JSON file.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from evidencekit.exports.base import (
    MESSAGE,
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    Message,
    ParseContext,
)
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import UTC, shown

NAME = "discord"
VERSION = "1"
_PACKAGE_FILE = re.compile(r"(?:^|/)messages/c?(\d+)/messages\.(json|csv)$", re.IGNORECASE)
_MESSAGE_TYPES = ("Default", "Reply", "0", "19")
OWNER = "(account owner)"
ONE_SIDED = (
    "A Discord data package holds only the messages the account owner sent; what others wrote is "
    "not in it. Attachments are web addresses, not files."
)


def detect(source: Source) -> Detection | None:
    names = source.names()
    package = sorted(n for n in names if _PACKAGE_FILE.search(n))
    if package:
        by_channel: dict[str, str] = {}
        for name in package:
            folder = posixpath.dirname(name)
            if folder not in by_channel or name.endswith(".json"):
                by_channel[folder] = name
        return Detection(
            NAME,
            0.9,
            "Discord data package",
            "package",
            sorted(by_channel.values()),
            {"reading_order": "time"},
        )
    candidates = [n for n in names if n.lower().endswith(".json")]
    for name in candidates[:50]:
        head = head_text(source, name, 16384)
        if '"guild"' in head and '"channel"' in head and '"messages"' in head:
            return Detection(
                NAME,
                0.9,
                "DiscordChatExporter export (JSON)",
                "dce",
                [n for n in candidates if _is_dce(source, n)] or [name],
                {"reading_order": "file"},
            )
    return None


def _is_dce(source: Source, name: str) -> bool:
    head = head_text(source, name, 4096)
    return '"guild"' in head and '"channel"' in head


def _load_small(source: Source, name: str) -> Any:
    if not source.has(name) or source.size(name) > (16 << 20):
        return None
    try:
        with repaired_stream(source.open(name)) as stream:
            return json.load(stream)
    except (ValueError, OSError):
        return None


def _timestamp(text: Any, context: ParseContext) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the data package writes UTC
    return shown(moment, context.display_zone)


def _url_attachments(value: Any) -> list[Attachment]:
    out = []
    for url in str(value or "").split():
        name = posixpath.basename(url.split("?", 1)[0]) or url
        out.append(Attachment(name=name, url=url, type="file"))
    return out


class DiscordParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        if detection.variant == "package":
            yield from self._package(source, detection, context)
        else:
            yield from self._dce(source, detection, context)

    def _package(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        import ijson  # type: ignore[import-untyped]

        context.facts["one_sided"] = ONE_SIDED
        names = source.names()
        index_name = next((n for n in names if re.search(r"(?:^|/)messages/index\.json$", n, re.I)), None)
        labels = _load_small(source, index_name) if index_name else None
        user_name = next((n for n in names if re.search(r"(?:^|/)account/user\.json$", n, re.I)), None)
        user = _load_small(source, user_name) if user_name else None
        owner = OWNER
        owner_id = None
        if isinstance(user, dict):
            owner = str(user.get("global_name") or user.get("username") or OWNER)
            owner_id = None if user.get("id") is None else str(user["id"])
        seq = 0
        for name in detection.files:
            channel_id = _PACKAGE_FILE.search(name).group(1)  # type: ignore[union-attr]
            channel = _load_small(source, posixpath.join(posixpath.dirname(name), "channel.json")) or {}
            conversation = Conversation(
                key=channel_id,
                name=_channel_label(channel_id, channel, labels),
                kind=str(channel.get("type")) if isinstance(channel, dict) else None,
            )
            if name.lower().endswith(".csv"):
                with source.open(name) as stream:
                    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
                    try:
                        reader = csv.DictReader(text)
                        line = 2  # after the header row
                        for row in reader:
                            seq += 1
                            where = f"line {line}"
                            line = reader.line_num + 1
                            yield self._package_message(
                                row, seq, name, where, conversation, owner, owner_id, context
                            )
                    finally:
                        text.detach()  # the stream is closed by its own `with`
            else:
                with repaired_stream(source.open(name)) as stream:
                    for i, row in enumerate(ijson.items(stream, "item", use_float=True)):
                        seq += 1
                        yield self._package_message(
                            row, seq, name, f"[{i}]", conversation, owner, owner_id, context
                        )

    @staticmethod
    def _package_message(
        row: dict[str, Any],
        seq: int,
        name: str,
        where: str,
        conversation: Conversation,
        owner: str,
        owner_id: str | None,
        context: ParseContext,
    ) -> Message:
        written = row.get("Timestamp")
        msg = Message(
            seq=seq,
            time=_timestamp(written, context),
            time_as_written=written,
            sender=owner,
            text=str(row.get("Contents") or ""),
        )
        msg.sender_id = owner_id
        msg.id = None if row.get("ID") is None else str(row.get("ID"))
        msg.attachments = _url_attachments(row.get("Attachments"))
        msg.conversation = conversation
        msg.source_file = name
        if where.startswith("line "):
            msg.source_line = int(where[5:])
        else:
            msg.source_json_path = where
        return msg

    def _dce(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        import ijson

        seq = 0
        for name in detection.files:
            guild: Any = None
            channel: Any = None
            with repaired_stream(source.open(name)) as stream:
                for key, value in ijson.kvitems(stream, ""):
                    if key == "guild":
                        guild = value
                    elif key == "channel":
                        channel = value
                    if guild is not None and channel is not None:
                        break
            label = " / ".join(
                str(part.get("name"))
                for part in (guild, channel)
                if isinstance(part, dict) and part.get("name")
            )
            conversation = Conversation(
                key=name,
                name=label or name,
                kind=str(channel.get("type")) if isinstance(channel, dict) else None,
            )
            with repaired_stream(source.open(name)) as stream:
                for i, raw in enumerate(ijson.items(stream, "messages.item", use_float=True)):
                    if not isinstance(raw, dict):
                        continue
                    seq += 1
                    yield _dce_message(raw, seq, i, name, conversation, source, context)


def _channel_label(channel_id: str, channel: Any, labels: Any) -> str:
    if isinstance(labels, dict) and labels.get(channel_id):
        return str(labels[channel_id])
    if isinstance(channel, dict):
        guild = channel.get("guild") or {}
        if isinstance(guild, dict) and guild.get("name"):
            return f"{guild['name']} / {channel.get('name') or channel_id}"
        if channel.get("recipients"):
            return "Direct messages with " + ", ".join(str(r) for r in channel["recipients"])
        if channel.get("name"):
            return str(channel["name"])
    return f"Channel {channel_id}"


def _dce_message(
    raw: dict[str, Any],
    seq: int,
    index: int,
    name: str,
    conversation: Conversation,
    source: Source,
    context: ParseContext,
) -> Message:
    found_author = raw.get("author")
    author: dict[str, Any] = found_author if isinstance(found_author, dict) else {}
    content = raw.get("content")
    written = raw.get("timestamp")
    msg = Message(
        seq=seq,
        time=_timestamp(written, context),
        time_as_written=written,
        sender=author.get("nickname") or author.get("name"),
        text=content if isinstance(content, str) else "",
    )
    msg.sender_id = None if author.get("id") is None else str(author.get("id"))
    if author.get("name") and author.get("nickname") and author["name"] != author["nickname"]:
        msg.details["author_name"] = author["name"]
    msg.id = None if raw.get("id") is None else str(raw.get("id"))
    kind = str(raw.get("type") or "Default")
    msg.kind = MESSAGE if kind in _MESSAGE_TYPES else SYSTEM
    if kind not in ("Default",):
        msg.details["type"] = kind
    if raw.get("timestampEdited"):
        msg.flag("edited")
        msg.details["edited"] = raw["timestampEdited"]
    reference = raw.get("reference")
    if isinstance(reference, dict) and reference.get("messageId"):
        msg.flag("reply")
        msg.details["reply_to"] = str(reference["messageId"])
    for attachment in raw.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        url = str(attachment.get("url") or "")
        file_name = str(
            attachment.get("fileName") or posixpath.basename(url.split("?", 1)[0]) or "attachment"
        )
        details = {"size": attachment["fileSizeBytes"]} if attachment.get("fileSizeBytes") is not None else {}
        if url.startswith(("http://", "https://")):
            msg.attachments.append(Attachment(name=file_name, url=url, type="file", details=details))
        else:
            member = source.find(url.replace("\\", "/"), near=name) if url else None
            msg.attachments.append(Attachment(name=file_name, member=member, type="file", details=details))
    for reaction in raw.get("reactions") or []:
        if isinstance(reaction, dict):
            found_emoji = reaction.get("emoji")
            emoji: dict[str, Any] = found_emoji if isinstance(found_emoji, dict) else {}
            msg.reactions.append(
                {
                    "reaction": emoji.get("name"),
                    "count": reaction.get("count"),
                    "actor": ", ".join(
                        str(u.get("name")) for u in reaction.get("users") or [] if isinstance(u, dict)
                    )
                    or None,
                }
            )
    if raw.get("embeds"):
        msg.details["embeds"] = len(raw["embeds"])
    msg.conversation = conversation
    msg.source_file = name
    msg.source_json_path = f"messages[{index}]"
    return msg


PARSER = DiscordParser()
