"""Apple Messages: a Mac's chat.db, an iPhone backup's sms.db, and imessage-exporter's text files.

The databases are made here with sqlite3, with the tables and columns Apple's own schema has
(only the ones the reader uses, plus a few it must ignore). Everything in them is invented.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zipfile
from pathlib import Path

from evidencekit.exports.imessage import BACKUP_SMS_DB
from evidencekit.exports.imessage_db import APPLE_EPOCH, attributed_text
from tests.conftest import run_cli
from tests.exports import samples

SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
    service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
    state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT,
    room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, display_name TEXT);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID), handle_id INTEGER
    REFERENCES handle (ROWID), UNIQUE(chat_id, handle_id));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
    replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT,
    country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0,
    service TEXT, account TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER,
    date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0,
    is_from_me INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
    cache_has_attachments INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0,
    other_handle INTEGER DEFAULT 0, group_title TEXT, associated_message_guid TEXT,
    associated_message_type INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0,
    destination_caller_id TEXT, thread_originator_guid TEXT, date_retracted INTEGER DEFAULT 0,
    date_edited INTEGER DEFAULT 0, message_summary_info BLOB);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
    PRIMARY KEY (chat_id, message_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT,
    mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0,
    transfer_name TEXT, total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0,
    hide_attachment INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
    attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE INDEX chat_message_join_idx_message_date_id_chat_id
    ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX message_attachment_join_idx_message_id ON message_attachment_join(message_id);
"""


def typedstream(text: str) -> bytes:
    """An attributedBody as macOS 13+ writes it: an archived NSAttributedString (typedstream)."""
    data = text.encode("utf-8")
    if len(data) < 0x80:
        size = bytes([len(data)])
    elif len(data) < 0x10000:
        size = b"\x81" + len(data).to_bytes(2, "little")
    else:
        size = b"\x82" + len(data).to_bytes(4, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject"
        b"\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
        + size
        + data
        + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84\x96\x96"
        b"\x1d__kIMMessagePartAttributeName\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84\x07NSValue\x00"
        b"\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )


def apple_ns(iso_utc: str) -> int:
    """Nanoseconds since 2001-01-01 UTC (macOS 10.13 and later)."""
    from datetime import datetime

    moment = datetime.fromisoformat(iso_utc)
    return int((moment.timestamp() - APPLE_EPOCH) * 1_000_000_000)


def make_chat_db(path: Path, *, library: str = "~/Library/Messages") -> Path:
    """A Mac's Messages database: a one-to-one chat with a stranger (a sextortion threat, with a
    photo and a text kept only in attributedBody), a group, a tapback, an edit and an unsend."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO handle (ROWID, id, service) VALUES (?, ?, ?)",
        [
            (1, "+447700900123", "iMessage"),
            (2, "riley.k@example.com", "iMessage"),
            (3, "+447700900456", "SMS"),
        ],
    )
    db.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (1, "iMessage;-;+447700900123", 45, "+447700900123", "iMessage", ""),
            (2, "iMessage;+;chat123456789", 43, "chat123456789", "iMessage", "Year 11 group"),
        ],
    )
    db.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", [(1, 1), (2, 2), (2, 3)])
    rows = [
        # rowid, guid, text, attributedBody, handle, date, from_me, attachments, extra columns
        (1, "A1", "hey, saw your profile 🙂", None, 1, apple_ns("2024-02-09T22:16:03+00:00"), 0, 0, {}),
        (2, "A2", "who is this?", None, 1, apple_ns("2024-02-09T22:17:10+00:00"), 1, 0, {}),
        (
            3,
            "A3",
            None,
            typedstream("Pay £500 or I send this to everyone you know"),
            1,
            apple_ns("2024-02-09T22:20:00+00:00"),
            0,
            0,
            {},
        ),
        (4, "A4", "\ufffc", None, 1, apple_ns("2024-02-09T22:20:30+00:00"), 0, 1, {}),
        (
            5,
            "A5",
            "Disliked “who is this?”",
            None,
            1,
            apple_ns("2024-02-09T22:21:00+00:00"),
            0,
            0,
            {"associated_message_type": 2002, "associated_message_guid": "p:0/A2"},
        ),
        (
            6,
            "A6",
            None,
            b"\x04\x0bstreamtyped\x81\xe8\x03garbage",
            1,
            apple_ns("2024-02-09T22:22:00+00:00"),
            0,
            0,
            {},
        ),
        (
            7,
            "A7",
            "you have 2 hours",
            None,
            1,
            apple_ns("2024-02-09T22:23:00+00:00"),
            0,
            0,
            {"date_edited": apple_ns("2024-02-09T22:24:00+00:00")},
        ),
        (
            8,
            "A8",
            None,
            None,
            1,
            apple_ns("2024-02-09T22:25:00+00:00"),
            0,
            0,
            {"date_retracted": apple_ns("2024-02-09T22:26:00+00:00")},
        ),
        (
            9,
            "B1",
            "did anyone else get messages from this account?",
            None,
            2,
            apple_ns("2024-02-08T18:00:00+00:00"),
            0,
            0,
            {},
        ),
        (
            10,
            "B2",
            None,
            None,
            3,
            apple_ns("2024-02-08T18:01:00+00:00"),
            0,
            0,
            {"item_type": 2, "group_title": "Year 11 group"},
        ),
        (
            11,
            "B3",
            "yes, same one",
            None,
            0,
            apple_ns("2024-02-08T18:02:00+00:00"),
            1,
            0,
            {"thread_originator_guid": "B1", "destination_caller_id": "+447700900999"},
        ),
    ]
    for rowid, guid, text, body, handle, date, mine, has_att, extra in rows:
        columns = {
            "ROWID": rowid,
            "guid": guid,
            "text": text,
            "attributedBody": body,
            "handle_id": handle,
            "date": date,
            "is_from_me": mine,
            "cache_has_attachments": has_att,
            "service": "iMessage",
            **extra,
        }
        names = ", ".join(columns)
        db.execute(
            f"INSERT INTO message ({names}) VALUES ({', '.join('?' * len(columns))})",  # noqa: S608 - our names
            list(columns.values()),
        )
        chat = 1 if guid.startswith("A") else 2
        db.execute("INSERT INTO chat_message_join VALUES (?, ?, ?)", (chat, rowid, date))
    db.execute(
        "INSERT INTO attachment (ROWID, guid, filename, uti, mime_type, transfer_name, total_bytes) "
        "VALUES (1, 'AT1', ?, 'public.jpeg', 'image/jpeg', 'IMG_4410.jpeg', ?)",
        (f"{library}/Attachments/4a/10/AT1-GUID/IMG_4410.jpeg", len(samples.JPEG)),
    )
    db.execute("INSERT INTO message_attachment_join VALUES (4, 1)")
    db.commit()
    db.close()
    return path


def test_a_macs_chat_db_with_its_attachments_folder(read, tmp_path):
    root = tmp_path / "Messages"
    (root / "Attachments/4a/10/AT1-GUID").mkdir(parents=True)
    (root / "Attachments/4a/10/AT1-GUID/IMG_4410.jpeg").write_bytes(samples.JPEG)
    # The same file name in another attachment's folder is a different picture.
    (root / "Attachments/77/01/OTHER-GUID").mkdir(parents=True)
    (root / "Attachments/77/01/OTHER-GUID/IMG_4410.jpeg").write_bytes(b"other")
    make_chat_db(root / "chat.db")
    before = sorted(p.name for p in root.iterdir())

    r = read(root)

    assert r.parser == "imessage" and r.detection.variant == "database"
    assert r.outcome.status == "complete", r.header["problem"]
    by_id = {m["id"]: m for m in r.messages}
    first = by_id["A1"]
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is False
    assert first["sender"] == "+447700900123" and first["conversation"] == "+447700900123"
    assert by_id["A2"]["sender"] == "(account owner)"
    # macOS 13+: the text is only in attributedBody.
    assert by_id["A3"]["text"] == "Pay £500 or I send this to everyone you know"
    assert by_id["A3"]["details"]["text_from"] == "attributedBody"
    photo = by_id["A4"]["attachments"][0]
    assert photo["member"] == "Attachments/4a/10/AT1-GUID/IMG_4410.jpeg" and photo["missing"] is False
    assert photo["name"] == "IMG_4410.jpeg" and photo["type"] == "photo"
    assert by_id["A4"]["text"] == "" and by_id["A4"]["details"]["text_as_stored"] == "\ufffc"
    assert by_id["A5"]["kind"] == "system" and by_id["A5"]["details"]["tapback"] == "disliked"
    assert by_id["A5"]["details"]["reaction_to"] == "A2"
    # A text that cannot be read is flagged, never shown as an empty message without a word.
    assert "text-unreadable" in by_id["A6"]["flags"] and by_id["A6"]["text"] == ""
    assert "edited" in by_id["A7"]["flags"] and "unsent" in by_id["A8"]["flags"]
    group = [m for m in r.messages if m["conversation"] == "Year 11 group"]
    assert [m["id"] for m in group] == ["B1", "B2", "B3"]
    assert group[1]["kind"] == "system" and group[1]["details"]["group_title"] == "Year 11 group"
    assert "reply" in group[2]["flags"] and group[2]["sender_id"] == "+447700900999"
    warnings = " ".join(r.header["warnings"])
    assert "attributedBody" in warnings and "could not read" in warnings
    # Read-only and immutable: nothing was created next to the database (no -wal, -shm, -journal).
    assert sorted(p.name for p in root.iterdir()) == before


def test_seconds_before_high_sierra_and_nanoseconds_after_are_both_exact(tmp_path):
    from evidencekit.exports.base import ParseContext
    from evidencekit.exports.imessage_db import apple_time

    context = ParseContext(zone=None, zone_name=None, display_zone=None)
    seconds = apple_time(729209763, context)  # iOS 10: seconds since 2001
    nanos = apple_time(729209763_000_000_000, context)
    assert seconds == nanos and seconds is not None and seconds.isoformat() == "2024-02-09T22:16:03+00:00"
    assert apple_time(0, context) is None


def test_attributed_body_with_a_long_text_and_a_damaged_one():
    long = "x" * 300 + " 🙂"
    assert attributed_text(typedstream(long)) == long
    assert attributed_text(typedstream("short")) == "short"
    blob = typedstream("short")
    assert attributed_text(blob[: blob.index(b"short") + 3]) is None  # cut inside the string
    assert attributed_text(b"not a typedstream") is None


def test_an_iphone_backup_with_sms_db_and_hashed_attachment_names(read, tmp_path):
    backup = tmp_path / "00008030-001A2B3C4D5E6F70"
    (backup / "3d").mkdir(parents=True)
    make_chat_db(backup / "3d" / BACKUP_SMS_DB, library="~/Library/SMS")
    digest = hashlib.sha1(
        b"MediaDomain-Library/SMS/Attachments/4a/10/AT1-GUID/IMG_4410.jpeg", usedforsecurity=False
    ).hexdigest()
    (backup / digest[:2]).mkdir(exist_ok=True)
    (backup / digest[:2] / digest).write_bytes(samples.JPEG)
    (backup / "Manifest.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)

    r = read(backup)

    assert r.parser == "imessage" and "iPhone" in r.detection.label
    photo = next(m for m in r.messages if m["id"] == "A4")["attachments"][0]
    assert photo["member"] == f"{digest[:2]}/{digest}" and photo["missing"] is False


def test_a_zipped_capture_is_read_from_a_private_copy_and_the_write_ahead_log_is_not_lost(read, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    db_path = make_chat_db(work / "chat.db")
    # Messages.app keeps the newest messages in chat.db-wal until it checkpoints.
    writer = sqlite3.connect(db_path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO message (ROWID, guid, text, handle_id, date, service) "
        "VALUES (12, 'A9', ?, 1, ?, 'iMessage')",
        ("last warning", apple_ns("2024-02-09T23:00:00+00:00")),
    )
    writer.execute("INSERT INTO chat_message_join VALUES (1, 12, 0)")
    writer.commit()
    archive = tmp_path / "Messages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(db_path, "Messages/chat.db")
        zf.write(work / "chat.db-wal", "Messages/chat.db-wal")
    writer.close()

    r = read(archive)

    assert "last warning" in r.texts()
    assert any("write-ahead log" in w for w in r.header["warnings"])


def test_a_damaged_database_is_unreadable_with_one_sentence(read, tmp_path):
    root = tmp_path / "Messages"
    root.mkdir()
    data = make_chat_db(root / "chat.db").read_bytes()
    (root / "chat.db").write_bytes(data[:100] + b"\xff" * (len(data) - 100))

    r = read(root)

    assert r.outcome.status == "unreadable"
    assert "Messages database" in r.outcome.problem and "Traceback" not in r.outcome.problem


def test_a_database_that_is_a_link_is_not_opened(read, tmp_path):
    elsewhere = make_chat_db(tmp_path / "real.db")
    root = tmp_path / "Messages"
    root.mkdir()
    os.symlink(elsewhere, root / "chat.db")
    from evidencekit.exports.imessage_db import _disk_path, _regular_file
    from evidencekit.exports.source import open_source

    source = open_source(root, "Messages", [{"path": "chat.db", "size": elsewhere.stat().st_size}], None)
    path = _disk_path(source, "chat.db")
    assert path is not None and not _regular_file(path)


EXPORTER_TXT = (
    "Feb 09, 2024 10:16:03 PM (Read by you after 1 minute)\n"
    "+447700900123\n"
    "hey, saw your profile\n"
    "\n"
    "Feb 09, 2024 10:17:10 PM\n"
    "Me\n"
    "who is this?\n"
    "Reactions:\n"
    "Disliked by +447700900123\n"
    "\n"
    "Feb 09, 2024 10:20:30 PM\n"
    "+447700900123\n"
    "/Users/sam/Library/Messages/Attachments/4a/10/AT1-GUID/IMG_4410.jpeg\n"
    "Pay or I send this\n"
    "second line\n"
    "\n"
    "Feb 09, 2024  9:05:00 AM\n"
    "+447700900123\n"
    "This message responded to an earlier message.\n"
    "answer\n"
    "    Feb 09, 2024  9:06:00 AM\n"
    "    Me\n"
    "    nested copy\n"
    "\n"
)


def test_imessage_exporter_text_files(read, tmp_path):
    root = tmp_path / "imessage_export"
    root.mkdir()
    (root / "+447700900123.txt").write_text(EXPORTER_TXT, encoding="utf-8")

    r = read(root)

    assert r.parser == "imessage" and r.detection.variant == "exporter-txt"
    first, second, third, fourth = r.messages
    # The exporting Mac's local time, read in the stated zone and flagged.
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is True
    assert first["details"]["note_as_written"] == "(Read by you after 1 minute)"
    assert second["sender"] == "(account owner)" and second["reactions"] == [
        {"as_written": "Disliked by +447700900123"}
    ]
    assert third["text"] == "Pay or I send this\nsecond line"
    assert third["attachments"][0]["name"] == "IMG_4410.jpeg" and third["attachments"][0]["missing"] is True
    assert fourth["time"] == "2024-02-09T09:05:00+00:00" and "reply" in fourth["flags"]
    assert fourth["text"] == "answer"
    assert {m["conversation"] for m in r.messages} == {"+447700900123"}
    assert any("local time" in w for w in r.header["warnings"])


def test_capture_of_a_chat_db_through_the_cli_makes_a_transcript(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London").exit_code == 0
    root = tmp_path / "Messages"
    root.mkdir()
    make_chat_db(root / "chat.db")

    result = run_cli("capture", root, env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    transcript = next((case / "data/derived").glob("E0001/transcript.jsonl"))
    assert "Pay £500" in transcript.read_text(encoding="utf-8")
    assert run_cli("verify", case).exit_code == 0
