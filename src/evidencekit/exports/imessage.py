"""Apple Messages (iMessage and SMS): the Messages database, and imessage-exporter's text output.

A Mac keeps every conversation in `~/Library/Messages/chat.db`; an unencrypted iPhone backup
(Finder or iTunes) holds the phone's copy as `3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28`
(`sms.db`, the SHA-1 of its place on the phone, “HomeDomain-Library/SMS/sms.db”). Both are SQLite
databases with the same tables: `message`, `handle` (the other person's phone number or e-mail),
`chat`, `chat_message_join`, `attachment` and `message_attachment_join`.

The database is opened with the standard library's sqlite3, read-only and “immutable”, on the
captured copy: SQLite then neither writes nor creates anything next to it (no `-wal`, no `-shm`,
no lock), so the stored evidence is untouched. When the capture also holds the database's
write-ahead log (`chat.db-wal`, where the newest messages wait before SQLite moves them into the
database), both are copied to a private temporary folder and read there, so those messages are
not lost; that is said in the header.

Dates count from 2001-01-01 UTC, in seconds (before macOS 10.13 / iOS 11) or nanoseconds; they are
exact moments. Since macOS 13 many texts are no longer in `message.text` but only inside
`attributedBody`, an archived NSAttributedString (Apple's “typedstream”); its NSString is read
here, and a message whose text could not be read is flagged, never shown as if it were empty.
Attachments are matched only against files inside the capture.

imessage-exporter (ReagentX) `--format txt` writes one `<conversation>.txt` per chat: a date line
(`Feb 09, 2024  10:16:03 PM`, the exporting Mac's local time), the sender, then the message.

This module recognises both and turns database rows into messages; opening and querying the
database is in imessage_db, the text output is read by imessage_txt.
"""

from __future__ import annotations

import posixpath
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from evidencekit.exports.base import (
    SYSTEM,
    Conversation,
    Detection,
    Message,
    ParseContext,
)
from evidencekit.exports.imessage_db import (
    OWNER,
    _attachments,
    _chats,
    _Database,
    _handles,
    _message_select,
    _open_database,
    _sqlite_reason,
    apple_time,
    attributed_text,
)
from evidencekit.exports.imessage_txt import looks_like_exporter_txt, parse_txt
from evidencekit.exports.source import Source
from evidencekit.exports.times import ImpossibleTime

NAME = "imessage"
VERSION = "1"

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_SMS_DB = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
_DB_NAMES = ("chat.db", "sms.db", BACKUP_SMS_DB)

# A capture of a whole phone backup lists tens of thousands of files; only names are looked at.
_MAX_NAMES = 200_000

# Tapbacks (reactions) are stored as messages of their own pointing at the message they react to.
_TAPBACKS = {
    2000: "loved",
    2001: "liked",
    2002: "disliked",
    2003: "laughed at",
    2004: "emphasised",
    2005: "questioned",
    2006: "reacted with an emoji to",
    2007: "reacted with a sticker to",
}
_ITEM_TYPES = {
    1: "a member was added to or removed from the group",
    2: "the group was renamed",
    3: "a group event (someone left, or the group photo changed)",
    4: "location sharing",
}


# ---- recognising ----------------------------------------------------------------------------


def _is_database_name(name: str) -> bool:
    return posixpath.basename(name) in _DB_NAMES


def detect(source: Source) -> Detection | None:
    names = source.names()[:_MAX_NAMES]
    candidates = [n for n in names if _is_database_name(n)]
    if source.kind == "file":
        candidates = names
    for name in candidates[:10]:
        head = source.head(name, 65536)
        if not head.startswith(SQLITE_MAGIC):
            continue
        schema = b"CREATE TABLE message" in head and b"chat_message_join" in head
        if not (schema or _is_database_name(name)):
            continue
        backup = posixpath.basename(name) == BACKUP_SMS_DB or posixpath.basename(name) == "sms.db"
        label = (
            "iPhone Messages database (sms.db from an iPhone backup)"
            if backup
            else "Mac Messages database (chat.db)"
        )
        return Detection(NAME, 0.95 if schema else 0.9, label, "database", [name], {"platform": "iMessage"})
    texts = [n for n in names if n.lower().endswith(".txt")]
    if source.kind == "file":
        texts = names
    found = [n for n in texts[:500] if looks_like_exporter_txt(source, n)]
    if found:
        return Detection(
            NAME,
            0.85,
            "iMessage conversations exported by imessage-exporter (text)",
            "exporter-txt",
            sorted(found),
            {"platform": "iMessage"},
        )
    return None


@dataclass
class _Counts:
    seq: int = 0
    from_attributed: int = 0
    unreadable_text: int = 0
    attachments_missing: int = 0


def _db_message(
    row: sqlite3.Row,
    db: _Database,
    source: Source,
    name: str,
    handles: dict[int, str],
    context: ParseContext,
    counts: _Counts,
) -> Message:
    counts.seq += 1
    raw_date = row["date"]
    try:
        moment = apple_time(raw_date, context)
    except ImpossibleTime:
        moment = None
    msg = Message(
        seq=counts.seq,
        time=moment,
        time_as_written=None if raw_date is None else str(raw_date),
        sender=None,
        text="",
    )
    msg.id = row["guid"] if isinstance(row["guid"], str) else str(row["rowid_"])
    msg.source_file = name
    msg.source_json_path = f"message[ROWID={row['rowid_']}]"
    if raw_date not in (None, 0) and moment is None:
        msg.details["time_note"] = "the stored date is not a real date"
    handle = handles.get(row["handle_id"]) if row["handle_id"] else None
    if row["is_from_me"]:
        msg.sender = OWNER
        msg.sender_id = (
            row["destination_caller_id"] if isinstance(row["destination_caller_id"], str) else None
        )
        msg.details["sent_by_account_owner"] = True
    else:
        msg.sender = handle
        msg.sender_id = handle
    if row["service"]:
        msg.details["service"] = row["service"]
    text = row["text"] if isinstance(row["text"], str) else None
    body = row["attributedBody"]
    if not text and isinstance(body, (bytes, bytearray)) and body:
        decoded = attributed_text(bytes(body))
        if decoded is None:
            msg.flag("text-unreadable")
            msg.details["text_note"] = (
                "the text is stored only in Apple's attributedBody and could not be read; the database "
                "is kept unchanged"
            )
            counts.unreadable_text += 1
        else:
            text = decoded
            counts.from_attributed += 1
            msg.details["text_from"] = "attributedBody"
    text = text or ""
    if "\ufffc" in text:
        # U+FFFC marks where an attachment sits in the bubble; the attachment is listed instead.
        msg.details["text_as_stored"] = text
        text = text.replace("\ufffc", "").strip()
    msg.text = text
    if isinstance(row["subject"], str) and row["subject"]:
        msg.details["subject"] = row["subject"]
    tapback = row["associated_message_type"]
    if isinstance(tapback, int) and (tapback in _TAPBACKS or 3000 <= tapback < 3008):
        msg.kind = SYSTEM
        removed = tapback >= 3000
        verb = _TAPBACKS.get(tapback - 1000 if removed else tapback, "reacted to")
        msg.details["tapback"] = ("removed: " if removed else "") + verb
        target = row["associated_message_guid"]
        if isinstance(target, str):
            msg.details["reaction_to"] = target.split("/", 1)[-1]
    item_type = row["item_type"]
    if isinstance(item_type, int) and item_type != 0:
        msg.kind = SYSTEM
        msg.details["event"] = _ITEM_TYPES.get(item_type, f"event type {item_type}")
        if isinstance(row["group_title"], str):
            msg.details["group_title"] = row["group_title"]
        other = handles.get(row["other_handle"]) if row["other_handle"] else None
        if other:
            msg.details["other_person"] = other
    for column, flag in (("date_edited", "edited"), ("date_retracted", "unsent")):
        value = row[column]
        if isinstance(value, (int, float)) and value:
            msg.flag(flag)
            try:
                when = apple_time(value, context)
            except ImpossibleTime:
                when = None
            msg.details[column] = when.isoformat() if when is not None else value
    if isinstance(row["thread_originator_guid"], str):
        msg.flag("reply")
        msg.details["reply_to"] = row["thread_originator_guid"]
    if row["error"]:
        msg.details["error_code"] = row["error"]
    if row["cache_has_attachments"] is None or row["cache_has_attachments"]:
        msg.attachments = _attachments(db, source, name, int(row["rowid_"]))
        if row["is_audio_message"]:
            for attachment in msg.attachments:
                attachment.type = "voice"
        counts.attachments_missing += sum(1 for a in msg.attachments if a.member is None)
    return msg


def _parse_database(source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
    name = detection.files[0]
    counts = _Counts()
    with ExitStack() as stack:
        db = _open_database(source, name, stack, context)
        db.connection.row_factory = sqlite3.Row
        try:
            handles = _handles(db)
            chats = _chats(db, handles)
        except sqlite3.DatabaseError as exc:
            context.warn(f"The list of conversations could not be read ({_sqlite_reason(exc)}).")
            handles, chats = {}, []
        select = _message_select(db)
        joined = db.has("chat_message_join", "chat_id") and db.has("chat_message_join", "message_id")
        parts: list[tuple[Conversation, str, tuple[Any, ...]]] = []
        if joined:
            for chat_id, conversation in chats:
                query = (
                    f"{select} JOIN chat_message_join j ON j.message_id = m.ROWID "
                    "WHERE j.chat_id = ? ORDER BY m.date, m.ROWID"
                )
                parts.append((conversation, query, (chat_id,)))
            orphans = (
                f"{select} WHERE NOT EXISTS "  # noqa: S608 - our own column names only
                "(SELECT 1 FROM chat_message_join j WHERE j.message_id = m.ROWID) ORDER BY m.date, m.ROWID"
            )
        else:
            orphans = f"{select} ORDER BY m.date, m.ROWID"
        parts.append(
            (Conversation(key="(no conversation)", name="(messages not in any conversation)"), orphans, ())
        )
        lost: list[str] = []
        for conversation, query, args in parts:
            read = 0
            try:
                for row in db.connection.execute(query, args):
                    msg = _db_message(row, db, source, name, handles, context, counts)
                    msg.conversation = conversation
                    read += 1
                    yield msg
            except sqlite3.DatabaseError as exc:
                lost.append(f"“{conversation.name}” after {read:,} message(s): {_sqlite_reason(exc)}")
                context.facts.setdefault("lost", []).append(
                    {
                        "file": name,
                        "part": f"conversation “{conversation.name}”",
                        "problem": _sqlite_reason(exc),
                        "messages_read": read,
                    }
                )
    if lost:
        context.warn(
            "Part of the Messages database is damaged and could not be read; the rest was: "
            + "; ".join(lost[:5])
            + ("…" if len(lost) > 5 else "")
            + "."
        )
    if counts.from_attributed:
        context.warn(
            f"{counts.from_attributed} text(s) were stored only in Apple's attributedBody (as macOS 13 "
            "and later do) and were read from there."
        )
    if counts.unreadable_text:
        context.warn(
            f"{counts.unreadable_text} message(s) have text evidencekit could not read (flagged "
            "text-unreadable); the database itself is kept unchanged, so a forensic tool can still read it."
        )
    if counts.attachments_missing:
        context.warn(
            f"{counts.attachments_missing} attachment(s) named in the database are not in this capture "
            "(capture the Attachments folder, or the whole backup, with the database to include them)."
        )


class IMessageParser:
    name = NAME
    version = VERSION
    reading_order = "file"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        if detection.variant == "database":
            yield from _parse_database(source, detection, context)
        else:
            yield from parse_txt(source, detection, context)


PARSER = IMessageParser()
