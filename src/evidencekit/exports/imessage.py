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
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from evidencekit.exports.base import (
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    ExportDamaged,
    Message,
    ParseContext,
)
from evidencekit.exports.source import FileSource, FolderSource, Source, head_text
from evidencekit.exports.times import ImpossibleTime, from_epoch, localise, shown

NAME = "imessage"
VERSION = "1"
OWNER = "(account owner)"

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_SMS_DB = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
_DB_NAMES = ("chat.db", "sms.db", BACKUP_SMS_DB)
APPLE_EPOCH = 978307200  # 2001-01-01T00:00:00Z in Unix seconds
_NANOSECONDS = 10**11  # a seconds count this large would be after the year 5000

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

# imessage-exporter's date line: chrono's "%b %d, %Y %l:%M:%S %p" (%l pads with a space).
_TXT_DATE = re.compile(
    r"^(?P<indent> *)(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>\d{2}), "
    r"(?P<year>\d{4}) +(?P<hour>\d{1,2}):(?P<min>\d{2}):(?P<sec>\d{2}) (?P<ampm>AM|PM)(?P<rest>.*)$"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_TXT_SELF = "Me"
_TXT_REPLY_NOTE = "This message responded to an earlier message."


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
    found = [n for n in texts[:500] if _looks_like_exporter_txt(source, n)]
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


def _looks_like_exporter_txt(source: Source, name: str) -> bool:
    lines = [line for line in head_text(source, name, 4096).splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    first = _TXT_DATE.match(lines[0])
    return first is not None and not first.group("indent")


# ---- the database ---------------------------------------------------------------------------


def attributed_text(blob: bytes) -> str | None:
    """The text inside an `attributedBody` (a typedstream-archived NSAttributedString), or None
    when it is not one or cannot be read.

    The archive names its classes, then writes the string as a typed C string (`+`) preceded by
    its length: one byte below 0x80, or 0x81 and two bytes, or 0x82 and four (little-endian).
    """
    if not isinstance(blob, (bytes, bytearray)) or b"streamtyped" not in blob[:16]:
        return None
    at = -1
    for class_name in (b"NSString", b"NSMutableString"):
        found = blob.find(class_name)
        if found != -1 and (at == -1 or found < at):
            at = found
    if at == -1:
        return None
    mark = blob.find(b"\x84\x01+", at)
    if mark == -1 or mark - at > 32:
        return None
    i = mark + 3
    if i >= len(blob):
        return None
    size = blob[i]
    i += 1
    if size == 0x81:
        size, i = int.from_bytes(blob[i : i + 2], "little"), i + 2
    elif size == 0x82:
        size, i = int.from_bytes(blob[i : i + 4], "little"), i + 4
    elif size >= 0x80:
        return None
    data = bytes(blob[i : i + size])
    if len(data) != size:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def apple_time(value: Any, context: ParseContext) -> datetime | None:
    """A Messages date (seconds or nanoseconds since 2001-01-01 UTC) as an exact moment."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
        return None
    seconds = value / 1e9 if abs(value) >= _NANOSECONDS else float(value)
    return shown(from_epoch(APPLE_EPOCH + seconds, None), context.display_zone)


def _regular_file(path: Path) -> bool:
    """A real file reached without a link at any step (a capture is untrusted input)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and os.path.realpath(path) == os.path.abspath(path)


def _disk_path(source: Source, name: str) -> Path | None:
    """Where a member already is on disk as its own file, so SQLite can open it in place."""
    if isinstance(source, FileSource):
        return source.path
    if isinstance(source, FolderSource):
        return source._disk.get(name)  # the folder's own map of its stored files
    return None


def _copy_member(source: Source, name: str, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out, source.open(name) as stream:
        shutil.copyfileobj(stream, out, 1 << 20)


def _wal_member(source: Source, name: str) -> str | None:
    wal = f"{name}-wal"
    return wal if source.has(wal) and source.size(wal) > 0 else None


def _connect(path: Path, *, immutable: bool) -> sqlite3.Connection:
    uri = path.absolute().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    connection = sqlite3.connect(uri, uri=True)
    connection.text_factory = lambda data: data.decode("utf-8", errors="replace")
    return connection


@dataclass
class _Database:
    connection: sqlite3.Connection
    columns: dict[str, set[str]]

    def has(self, table: str, column: str | None = None) -> bool:
        if table not in self.columns:
            return False
        return column is None or column in self.columns[table]


def _open_database(source: Source, name: str, stack: ExitStack, context: ParseContext) -> _Database:
    path = _disk_path(source, name)
    wal = _wal_member(source, name)
    if path is not None and not _regular_file(path):
        raise ExportDamaged("the Messages database is a link or not a regular file, so it was not opened")
    if path is None or wal is not None:
        # Inside a zip, or with a write-ahead log beside it: read a private copy, never the evidence.
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evidencekit-messages-")))
        copy = folder / "messages.db"
        _copy_member(source, name, copy)
        if wal is not None:
            _copy_member(source, wal, folder / "messages.db-wal")
            context.warn(
                f"The capture holds the database's write-ahead log ({posixpath.basename(wal)}), where the "
                "newest messages wait before they are written into the database; it was read too "
                "(from a private temporary copy, so the captured files are unchanged)."
            )
        path, immutable = copy, wal is None
    else:
        immutable = True
    try:
        connection = _connect(path, immutable=immutable)
        stack.callback(connection.close)
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        columns = {
            table: {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            for table in tables
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table)
        }
    except sqlite3.DatabaseError as exc:
        raise ExportDamaged(f"the Messages database cannot be opened ({_sqlite_reason(exc)})") from None
    if "message" not in columns or not columns["message"] & {"ROWID", "guid", "text"}:
        raise ExportDamaged("the database has no “message” table, so it is not a Messages database")
    return _Database(connection, columns)


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "encrypted" in text:
        return "it is damaged or encrypted"
    if "malformed" in text:
        return "the file is damaged (SQLite says the database disk image is malformed)"
    return text


_MESSAGE_COLUMNS = (
    "guid",
    "text",
    "attributedBody",
    "handle_id",
    "date",
    "is_from_me",
    "service",
    "item_type",
    "associated_message_type",
    "associated_message_guid",
    "date_edited",
    "date_retracted",
    "subject",
    "cache_has_attachments",
    "group_title",
    "thread_originator_guid",
    "destination_caller_id",
    "is_audio_message",
    "date_read",
    "date_delivered",
    "other_handle",
    "error",
)


def _message_select(db: _Database) -> str:
    picked = ", ".join(f"m.{c}" if db.has("message", c) else f"NULL AS {c}" for c in _MESSAGE_COLUMNS)
    # Only our own column names are put into the text of the query; values are always parameters.
    return f"SELECT m.ROWID AS rowid_, {picked} FROM message m"  # noqa: S608


def _handles(db: _Database) -> dict[int, str]:
    if not db.has("handle", "id"):
        return {}
    return {
        int(row[0]): str(row[1])
        for row in db.connection.execute("SELECT ROWID, id FROM handle")
        if row[0] is not None and row[1] is not None
    }


def _chats(db: _Database, handles: dict[int, str]) -> list[tuple[int, Conversation]]:
    if not db.has("chat"):
        return []
    pick = ", ".join(
        c if db.has("chat", c) else f"NULL AS {c}"
        for c in ("guid", "chat_identifier", "display_name", "style", "service_name")
    )
    members: dict[int, list[str]] = {}
    if db.has("chat_handle_join", "chat_id") and db.has("chat_handle_join", "handle_id"):
        for chat_id, handle_id in db.connection.execute("SELECT chat_id, handle_id FROM chat_handle_join"):
            if handle_id in handles:
                members.setdefault(chat_id, []).append(handles[handle_id])
    out = []
    for row in db.connection.execute(f"SELECT ROWID, {pick} FROM chat ORDER BY ROWID"):  # noqa: S608
        rowid, guid, identifier, display, style, service = row
        people = members.get(rowid, [])
        name = display or (", ".join(people) if people else None) or identifier or guid
        conversation = Conversation(
            key=str(guid or f"chat {rowid}"),
            name=str(name) if name is not None else None,
            kind="group" if style == 43 else "one-to-one" if style == 45 else None,
            participants=list(people),
        )
        if service:
            conversation.kind = f"{conversation.kind or 'chat'} ({service})"
        out.append((int(rowid), conversation))
    return out


def _attachment_reference(filename: str) -> list[str]:
    """Where an attachment recorded as `filename` can be inside a capture, most exact first.

    A Mac records `~/Library/Messages/Attachments/ab/12/<GUID>/IMG_0001.HEIC`; a phone
    `~/Library/SMS/Attachments/…` (or `/var/mobile/Library/SMS/…`). A captured Messages folder keeps
    the part from `Attachments/` on; an iPhone backup stores the file under the SHA-1 of
    “MediaDomain-Library/SMS/Attachments/…”.
    """
    clean = filename.replace("\\", "/")
    refs = []
    library = clean.find("Library/")
    if library != -1:
        domain = "MediaDomain-" + clean[library:]
        digest = hashlib.sha1(domain.encode("utf-8"), usedforsecurity=False).hexdigest()
        refs.append(f"{digest[:2]}/{digest}")
    at = clean.find("Attachments/")
    if at != -1:
        refs.append(clean[at:])
    elif not clean.startswith(("/", "~")):
        refs.append(clean)
    return refs


def _find_member(source: Source, ref: str, near: str) -> str | None:
    """The member `ref` names, only when its folders match too: a file of the same name in another
    attachment's folder (another GUID) is not this attachment."""
    member = source.find(ref, near=near)
    if member is None:
        return None
    want = ref.split("/")[-3:]
    return member if member.split("/")[-len(want) :] == want else None


def _find_attachment(source: Source, filename: str, near: str) -> str | None:
    for ref in _attachment_reference(filename):
        member = _find_member(source, ref, near)
        if member is not None:
            return member
    return None


_ATTACHMENT_QUERY = (
    "SELECT a.ROWID, {cols} FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id "
    "WHERE j.message_id = ? ORDER BY a.ROWID"
)
_ATTACHMENT_COLUMNS = ("guid", "filename", "transfer_name", "mime_type", "uti", "total_bytes", "is_sticker")


def _attachments(db: _Database, source: Source, near: str, rowid: int) -> list[Attachment]:
    if not (db.has("attachment") and db.has("message_attachment_join", "message_id")):
        return []
    cols = ", ".join(f"a.{c}" if db.has("attachment", c) else f"NULL AS {c}" for c in _ATTACHMENT_COLUMNS)
    out = []
    for row in db.connection.execute(_ATTACHMENT_QUERY.format(cols=cols), (rowid,)):
        _rowid, guid, filename, transfer, mime, uti, size, sticker = row
        filename = filename if isinstance(filename, str) else None
        member = _find_attachment(source, filename, near) if filename else None
        shown_name = transfer or (posixpath.basename(filename) if filename else None) or "(no name)"
        kind = _attachment_type(mime if isinstance(mime, str) else None, bool(sticker))
        details: dict[str, Any] = {}
        for key, value in (
            ("path_as_written", filename),
            ("mime_type", mime),
            ("uti", uti),
            ("size_as_recorded", size),
            ("guid", guid),
        ):
            if value is not None:
                details[key] = value
        if filename is None:
            details["note"] = "the database names no file for this attachment (it was never downloaded)"
        out.append(Attachment(name=str(shown_name), member=member, type=kind, details=details))
    return out


def _attachment_type(mime: str | None, sticker: bool) -> str:
    if sticker:
        return "sticker"
    if mime is None:
        return "file"
    for prefix, kind in (("image/", "photo"), ("video/", "video"), ("audio/", "audio")):
        if mime.startswith(prefix):
            return kind
    return "file"


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


# ---- imessage-exporter's text output -------------------------------------------------------------


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, 1):
        line = raw.decode("utf-8", errors="replace")
        if number == 1:
            line = line.lstrip("\ufeff")
        yield number, line.rstrip("\r\n")


def _txt_time(
    match: re.Match[str], context: ParseContext, previous: datetime | None
) -> tuple[datetime | None, str | None]:
    hour = int(match.group("hour")) % 12 + (12 if match.group("ampm") == "PM" else 0)
    try:
        naive = datetime(
            int(match.group("year")),
            _MONTHS[match.group("mon")],
            int(match.group("day")),
            hour,
            int(match.group("min")),
            int(match.group("sec")),
        )
    except ValueError:
        return None, None
    if context.zone is None:
        return None, None
    return localise(naive, context.zone, previous)


def _parse_txt(source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
    seq = 0
    assumed = 0
    for name in detection.files:
        stem = posixpath.basename(name).rsplit(".", 1)[0]
        conversation = Conversation(key=name, name=stem)
        previous: datetime | None = None
        current: Message | None = None
        body: list[str] = []
        reactions_open = False

        def finish(msg: Message, lines: list[str], name: str = name) -> Message:
            while lines and not lines[-1].strip():
                lines.pop()
            text_lines = []
            for line in lines:
                found = _find_txt_attachment(source, line, name)
                if found is not None:
                    msg.attachments.append(found)
                elif line == "Attachment missing!":
                    msg.attachments.append(Attachment(name="(attachment)", details={"note": line}))
                elif line == _TXT_REPLY_NOTE:
                    msg.flag("reply")
                else:
                    text_lines.append(line)
            msg.text = "\n".join(text_lines)
            return msg

        with source.open(name) as stream:
            pending_sender = False
            for number, line in _lines(stream):
                match = _TXT_DATE.match(line)
                if match is not None and not match.group("indent"):
                    if current is not None:
                        yield finish(current, body)
                    seq += 1
                    moment, flag = _txt_time(match, context, previous)
                    written = line.strip()
                    current = Message(seq=seq, time=moment, time_as_written=written, sender=None, text="")
                    current.conversation = conversation
                    current.source_file = name
                    current.source_line = number
                    if moment is not None:
                        current.time_zone_assumed = True
                        assumed += 1
                        previous = moment
                    else:
                        current.flag("time-unknown")
                    if flag:
                        current.flag(flag)
                    rest = match.group("rest").strip()
                    if rest:
                        current.details["note_as_written"] = rest
                        current.time_as_written = written[: len(written) - len(match.group("rest"))].strip()
                    body = []
                    pending_sender = True
                    reactions_open = False
                    continue
                if current is None:
                    continue
                if pending_sender:
                    sender = line.strip()
                    current.sender = OWNER if sender == _TXT_SELF else sender
                    current.sender_id = None if sender == _TXT_SELF else sender
                    if sender == _TXT_SELF:
                        current.details["sent_by_account_owner"] = True
                    pending_sender = False
                    continue
                if line.startswith("    "):
                    # A reply shown again under the message it answers; it is also listed on its own.
                    current.details.setdefault("replies_shown_under_it", []).append(line[4:])
                    continue
                if line == "Reactions:":
                    reactions_open = True
                    continue
                if reactions_open:
                    if line.strip():
                        current.reactions.append({"as_written": line.strip()})
                        continue
                    reactions_open = False
                body.append(line)
            if current is not None:
                yield finish(current, body)
    if assumed:
        context.warn(
            f"imessage-exporter writes times in the local time of the Mac that made the export, without a "
            f"zone; {assumed} time(s) were read as {context.zone_name} time."
        )


def _find_txt_attachment(source: Source, line: str, near: str) -> Attachment | None:
    """An attachment line: the file's path on the Mac (or, with `--copy-method`, inside the export)."""
    text = line.strip()
    if not text or "/" not in text:
        return None
    absolute = text.startswith(("/", "~"))
    if absolute and "Attachments/" not in text:
        return None
    if not absolute and not re.fullmatch(r"[^\s<>|]+\.[A-Za-z0-9]{1,5}", text):
        return None
    member = None
    for ref in _attachment_reference(text) if absolute else [text]:
        member = _find_member(source, ref, near)
        if member is not None:
            break
    if member is None and not absolute:
        return None
    return Attachment(name=posixpath.basename(text), member=member, details={"path_as_written": text})


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
            yield from _parse_txt(source, detection, context)


PARSER = IMessageParser()
