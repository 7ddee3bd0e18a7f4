"""Dates that cannot be right are flagged on the message and said in the transcript's header, in
every format: after the capture, before the app existed, or jumping backwards in an export that
keeps its messages in time order. Nothing is changed: the date stays as the export wrote it."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

from evidencekit.exports.enrich import _captured_at
from tests.exports import samples

CAPTURED = datetime(2024, 3, 20, 10, 0, tzinfo=timezone.utc)


def implausible(r) -> list[dict]:
    return [m for m in r.messages if "time-implausible" in m["flags"]]


def test_a_whatsapp_line_dated_years_after_the_capture_is_flagged_and_said(read, tmp_path):
    # A phone whose clock was set to 2031 for one message (it happens after a battery change).
    chat = (
        "14/03/2024, 21:07 - Riley: you there?\n"
        "14/03/2024, 21:08 - Sam: who is this\n"
        "02/01/2031, 09:00 - Riley: pay now\n"
        "15/03/2024, 09:01 - Riley: I am waiting\n"
    )
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", chat)

    r = read(path, not_after=CAPTURED)

    assert r.outcome.status == "complete"
    [late] = implausible(r)
    assert late["text"] == "pay now" and late["time_as_written"] == "02/01/2031, 09:00"
    assert late["time"].startswith("2031-01-02T09:00"), "the date is kept as written, never changed"
    assert "after the export was captured (2024-03-20 10:00 UTC)" in late["details"]["time_implausible"]
    # The next message is not blamed for the jump back from an impossible date.
    assert [m["flags"] for m in r.messages if m["text"] == "I am waiting"] == [[]]
    [warning] = [w for w in r.header["warnings"] if "after this export was captured" in w]
    assert warning.startswith("1 message(s) are dated after this export was captured")
    assert "line 3 of “WhatsApp Chat with Riley.txt”" in warning
    assert r.header["summary"]["flags"]["time-implausible"] == 1


def test_a_time_in_an_assumed_zone_may_be_a_day_later_than_the_capture_but_an_exact_one_may_not(
    read, tmp_path
):
    # WhatsApp writes wall-clock times: a phone in Sydney wrote 20:00 (09:00 UTC), read here as London
    # time, 10 hours "after" a capture at 10:00 UTC. That is the assumed zone, not a wrong date.
    chat = "20/03/2024, 08:00 - Riley: morning\n20/03/2024, 20:00 - Riley: evening\n"
    whatsapp = read(samples.write(tmp_path / "WhatsApp Chat with Riley.txt", chat), not_after=CAPTURED)
    assert implausible(whatsapp) == []

    # Telegram's date_unixtime is exact: 11 hours after the capture cannot be.
    messages = [dict(samples.TELEGRAM_MESSAGES[0])]
    messages.append({**messages[0], "id": 511, "date": "2024-03-20T21:00:00", "date_unixtime": "1710968400"})
    root = tmp_path / "ChatExport_2024-03-20"
    root.mkdir()
    (root / "result.json").write_text(
        json.dumps({"name": "Riley", "type": "personal_chat", "id": 1, "messages": messages}),
        encoding="utf-8",
    )
    telegram = read(root, not_after=CAPTURED)
    assert [m["id"] for m in implausible(telegram)] == ["511"]


def test_a_telegram_message_dated_1970_is_before_telegram_existed(read, tmp_path):
    messages = [dict(m) for m in samples.TELEGRAM_MESSAGES]
    messages[2] = {**messages[2], "date": "1970-01-01T01:00:00", "date_unixtime": "0"}  # a reset clock
    root = tmp_path / "ChatExport_2024-03-20"
    root.mkdir()
    (root / "result.json").write_text(
        json.dumps({"name": "Riley", "type": "personal_chat", "id": 1, "messages": messages}),
        encoding="utf-8",
    )

    r = read(root, not_after=CAPTURED)

    [old] = implausible(r)
    assert old["time"].startswith("1970-01-01")
    assert old["details"]["time_implausible"] == "dated before Telegram existed (August 2013)"
    assert any(w.startswith("1 message(s) are dated before Telegram existed") for w in r.header["warnings"])


def test_dates_running_backwards_in_an_export_kept_in_time_order_flag_both_messages(read, tmp_path):
    # Someone set the phone's date back by hand for a while: WhatsApp writes messages in the order
    # they were sent, so the jump back shows.
    chat = (
        "14/03/2024, 21:07 - Riley: first\n"
        "14/03/2024, 21:08 - Sam: second\n"
        "09/03/2024, 21:09 - Riley: third\n"
        "09/03/2024, 21:10 - Sam: fourth\n"
        "15/03/2024, 09:00 - Riley: fifth\n"
    )

    r = read(samples.write(tmp_path / "WhatsApp Chat with Riley.txt", chat), not_after=CAPTURED)

    assert [m["text"] for m in implausible(r)] == ["second", "third"]
    third = r.messages[2]
    assert "dated 4 days earlier than the message before it" in third["details"]["time_implausible"]
    assert (
        "the message after it in the export is dated 4 days earlier"
        in (r.messages[1]["details"]["time_implausible"])
    )
    assert any(w.startswith("1 time(s) the dates jump backwards") for w in r.header["warnings"])


def test_a_clock_change_or_a_trip_is_not_a_jump_backwards(read, tmp_path):
    # Autumn: 01:59 BST is followed by 01:05 GMT. And a flight west: 23:00 then 19:30 by the wall.
    chat = (
        "27/10/2024, 01:59 - Riley: before the change\n"
        "27/10/2024, 01:05 - Riley: after the change\n"
        "28/10/2024, 23:00 - Sam: boarding\n"
        "28/10/2024, 19:30 - Sam: landed in New York\n"
    )

    r = read(samples.write(tmp_path / "WhatsApp Chat with Riley.txt", chat))

    assert implausible(r) == []
    assert not any("jump backwards" in w for w in r.header["warnings"])


def test_meta_writes_newest_first_so_a_message_later_than_the_one_before_it_is_a_jump(read, tmp_path):
    thread = samples.instagram_thread(tmp_path / "ig")
    data = json.loads((thread / "message_2.json").read_text(encoding="ascii"))
    data["messages"][1]["timestamp_ms"] += 3 * 86400000  # three days later than it can be
    (thread / "message_2.json").write_text(json.dumps(data), encoding="ascii")

    r = read(tmp_path / "ig", not_after=CAPTURED)

    flagged = implausible(r)
    assert len(flagged) == 2  # the message and its neighbour in the file
    assert any("later than the message before it" in m["details"]["time_implausible"] for m in flagged)
    assert [m["flags"] for m in r.messages if m["text"] == "hey, saw you on insta"] == [[]]


def test_an_sms_backup_is_not_in_time_order_but_a_text_from_1970_is_still_flagged(read, tmp_path):
    path = samples.sms_backup(tmp_path)
    text = path.read_text(encoding="utf-8").replace('date="1710450000000"', 'date="0"')
    path.write_text(text, encoding="utf-8")

    r = read(path, not_after=CAPTURED)

    [old] = implausible(r)
    assert old["text"] == "unrelated \ufffd half"
    assert "the first text message was sent (December 1992)" in old["details"]["time_implausible"]
    # The backup lists texts, then picture messages: out of order, and rightly not flagged for it.
    assert not any("jump backwards" in w for w in r.header["warnings"])


def test_snapchat_and_discord_dates_after_the_capture_are_flagged(read, tmp_path):
    # The last snap is at 21:10 UTC: a capture at 21:00 leaves it within a phone clock's margin.
    r = read(
        samples.snapchat_new(tmp_path / "snap"), not_after=datetime(2024, 3, 14, 21, 0, tzinfo=timezone.utc)
    )
    assert implausible(r) == []

    r = read(
        samples.snapchat_new(tmp_path / "snap2"), not_after=datetime(2024, 3, 14, 20, 0, tzinfo=timezone.utc)
    )
    assert len(implausible(r)) == 4

    r = read(
        samples.discord_exporter(tmp_path / "discord"), not_after=datetime(2020, 1, 1, tzinfo=timezone.utc)
    )
    assert len(implausible(r)) == len(r.messages) > 0


def test_a_transcript_made_again_later_is_still_measured_against_the_capture():
    now = datetime(2026, 11, 28, 13, 0, tzinfo=timezone.utc)

    assert _captured_at({"captured_at": "2024-03-20T10:00:00.000Z"}, now) == CAPTURED
    # The record comes from the case, which is untrusted: nonsense, or a capture "in the future",
    # falls back to now.
    assert _captured_at({"captured_at": "yesterday"}, now) == now
    assert _captured_at({"captured_at": "2030-01-01T00:00:00Z"}, now) == now
    assert _captured_at({"captured_at": 5}, now) == now


def test_an_mms_with_a_picture_in_1970_is_flagged_too(read, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    picture = base64.b64encode(samples.JPEG).decode("ascii")
    (folder / "sms-20240320100000.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<smses count="1"><mms date="1000" msg_box="1" address="+15550100" contact_name="Riley">'
        f'<parts><part seq="0" ct="image/jpeg" name="a.jpg" cl="a.jpg" data="{picture}" /></parts>'
        '<addrs><addr address="+15550100" type="137" charset="106" /></addrs></mms></smses>\n',
        encoding="utf-8",
    )

    r = read(folder / "sms-20240320100000.xml", not_after=CAPTURED)

    assert len(implausible(r)) == 1
