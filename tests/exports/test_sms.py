"""Android SMS Backup & Restore: texts, picture messages with inline media, calls, broken emoji."""

from __future__ import annotations

import hashlib

from tests.exports import samples


def test_texts_and_picture_messages_in_time_order_with_media_written_out(read, tmp_path):
    r = read(samples.sms_backup(tmp_path))

    assert r.parser == "sms" and r.detection.variant == "sms"
    # Grouped by conversation (in the order they first appear), then in time order.
    assert [(m["conversation"], m["text"]) for m in r.messages] == [
        ("Riley +15550100", "who is this"),
        ("Riley +15550100", "you there? 😀"),  # an emoji written as two surrogate halves, merged
        ("Riley +15550100", "look at this"),
        ("+15550199", "unrelated \ufffd half"),  # a lone half cannot be a character
    ]
    riley = r.messages[:3]
    s = r.outcome.summary
    assert (s["messages"], s["senders"]) == (4, ["Riley", "(this phone)", "+15550199"])
    assert (s["first_time"], s["last_time"]) == ("2024-03-14T21:00:00+00:00", "2024-03-14T21:08:40+00:00")
    assert s["attachments"] == {"referenced": 2, "in_export": 1, "missing": 1, "embedded_media": 1}
    assert [m["sender"] for m in riley] == ["(this phone)", "Riley", "Riley"]
    assert riley[1]["time"] == "2024-03-14T21:07:41+00:00"
    assert riley[1]["time_as_written"] == "Mar 14, 2024 9:07:41 PM"
    assert riley[1]["source"] == {"file": "sms-20240320100000.xml", "line": 4}
    mms = riley[2]
    assert mms["text"] == "look at this" and mms["sender_id"] == "+15550100"
    picture, video = mms["attachments"]
    assert picture["missing"] is False and picture["sha256"] == hashlib.sha256(samples.JPEG).hexdigest()
    assert picture["md5"] == hashlib.md5(samples.JPEG).hexdigest()
    assert picture["embedded"] is True and picture["path"] is None, "a picture is never copied out"
    assert not any(p.is_file() and p.read_bytes() == samples.JPEG for p in r.folder.rglob("*"))
    assert video["missing"] is True
    assert any("invalid halves" in w for w in r.header["warnings"])


def test_a_call_log(read, tmp_path):
    r = read(samples.calls_backup(tmp_path))

    assert r.detection.variant == "calls"
    assert [m["text"] for m in r.messages] == ["Incoming call, 65 seconds", "Missed call"]
    assert all(m["kind"] == "system" for m in r.messages)


def test_invalid_xml_keeps_what_came_before_the_fault(read, tmp_path):
    path = samples.sms_backup(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('address="+15550199"', "<<broken"), encoding="utf-8")

    r = read(path)

    assert r.outcome.status == "partial" and len(r.messages) == 2
    assert "damaged" in r.outcome.problem or "not well-formed" in r.outcome.problem


def test_a_backup_cut_off_in_the_middle(read, tmp_path):
    path = samples.sms_backup(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"<mms") + 20])

    r = read(path)

    assert r.outcome.status == "partial" and len(r.messages) == 3
