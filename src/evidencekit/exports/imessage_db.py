"""The Messages database (chat.db / sms.db): opening it without changing it, and reading its parts.

See imessage.py for the format. The database is opened read-only and “immutable” on the captured
copy; with its write-ahead log, both are copied to a private temporary folder first (see
`open_database`). Attachments are matched only against files inside the capture.
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
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evidencekit.exports.base import Attachment, Conversation, ExportDamaged, ParseContext
from evidencekit.exports.source import FileSource, FolderSource, Source
from evidencekit.exports.times import from_epoch, shown

OWNER = "(account owner)"
APPLE_EPOCH = 978307200  # 2001-01-01T00:00:00Z in Unix seconds
_NANOSECONDS = 10**11  # a seconds count this large would be after the year 5000


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
