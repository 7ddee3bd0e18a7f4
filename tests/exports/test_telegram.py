"""Telegram Desktop JSON: one chat or everything, text as string or entities, exact and naive times."""

from __future__ import annotations

import json

from tests.exports import samples


def test_a_single_chat_export(read, tmp_path):
    r = read(samples.telegram_chat(tmp_path))

    assert r.parser == "telegram" and r.detection.variant == "chat"
    s = r.outcome.summary
    assert (s["messages"], s["system_messages"]) == (4, 1)
    assert s["senders"] == ["Riley"]  # the deleted account has no name
    assert s["first_time"] == "2024-03-14T21:05:00+00:00" and s["last_time"] == "2024-03-14T22:12:00+00:00"
    assert s["attachments"] == {"referenced": 2, "in_export": 1, "missing": 1, "embedded_media": 0}
    first, threat, screenshot, forwarded, deleted_account = r.messages
    assert (
        first["time_zone_assumed"] is False and first["sender_id"] == "user555000111" and first["id"] == "510"
    )
    assert threat["text"] == "send it now here"  # entity texts joined with nothing added
    assert threat["details"]["links"] == ["https://pay.example/x"]
    assert sorted(threat["flags"]) == ["edited", "reply"] and threat["details"]["reply_to"] == 510
    photo = threat["attachments"][0]
    assert photo["missing"] is False and photo["member"] == "photos/photo_3@14-03-2024_22-07-41.jpg"
    assert screenshot["kind"] == "system" and screenshot["details"]["action"] == "take_screenshot"
    assert screenshot["sender"] == "Sam"
    assert sorted(forwarded["flags"]) == ["forwarded", "media-omitted"]
    assert (
        forwarded["attachments"][0]["name"] == "clip.mp4" and forwarded["attachments"][0]["missing"] is True
    )
    assert deleted_account["sender"] is None and "deleted" in deleted_account["details"]["sender_note"]
    # No date_unixtime: the naive `date` is read in the stated zone, and flagged.
    assert deleted_account["time"] == "2024-03-14T22:12:00+00:00" and deleted_account["time_zone_assumed"]
    assert any("before 2022" in w for w in r.header["warnings"])


def test_the_full_export_keeps_each_chat_apart(read, tmp_path):
    r = read(samples.telegram_full(tmp_path))

    assert r.detection.variant == "full"
    assert [m["conversation"] for m in r.messages] == ["Riley"] * 3 + ["Saved Messages", "Old group"]
    assert r.messages[3]["source"]["json_path"] == "chats.list[1].messages[0]"
    assert r.messages[4]["source"]["json_path"] == "left_chats.list[0].messages[0]"


def test_invalid_backslash_x_escapes_are_repaired_and_counted(read, tmp_path):
    root = tmp_path / "ChatExport"
    root.mkdir()
    text = json.dumps(
        {
            "name": "Riley",
            "type": "personal_chat",
            "id": 1,
            "messages": [
                {
                    "id": 1,
                    "type": "message",
                    "date": "2024-03-14T22:05:00",
                    "date_unixtime": "1710450300",
                    "from": "Riley",
                    "from_id": "user1",
                    "text": "bell:XX end \\x41 stays",
                    "text_entities": [],
                }
            ],
        }
    )
    (root / "result.json").write_text(text.replace("XX", "\\x07"), encoding="utf-8")

    r = read(root)

    assert r.messages[0]["text"] == "bell:\x07 end \\x41 stays"
    assert any("escape" in w for w in r.header["warnings"])


def test_a_truncated_result_json_keeps_the_messages_before_the_cut(read, tmp_path):
    root = samples.telegram_chat(tmp_path)
    data = (root / "result.json").read_bytes()
    (root / "result.json").write_bytes(data[: data.index(b'"id": 514')])

    r = read(root)

    assert r.outcome.status == "partial" and len(r.messages) == 3
    assert "cut off" in r.header["problem"]


def test_the_exact_time_is_read_however_date_unixtime_is_written_and_an_impossible_one_is_left_out(
    read, tmp_path
):
    # Telegram writes a string of digits; damaged or hand-made files may hold a number, a
    # fraction, other digits, or a time no calendar has. Without an exact time the naive `date`
    # is used, read in the stated zone (London: summer time in July).
    written = ["1773522300", 1773522300, "1773522300.5", "١٧٧٣٥٢٢٣٠٠", "99999999999999", "²", "-1"]
    messages = [
        {
            "id": n,
            "type": "message",
            "date": "2026-07-01T12:00:00",
            "date_unixtime": unix,
            "from": "Alex",
            "text": "hi",
        }
        for n, unix in enumerate(written, start=1)
    ]
    export = tmp_path / "result.json"
    export.write_text(json.dumps({"name": "Alex", "type": "personal_chat", "id": 1, "messages": messages}))

    times = [m["time"] for m in read(export).messages]

    assert times == [
        "2026-03-14T21:05:00+00:00",
        "2026-03-14T21:05:00+00:00",
        "2026-03-14T21:05:00.500+00:00",
        "2026-03-14T21:05:00+00:00",
        "2026-07-01T12:00:00+01:00",
        "2026-07-01T12:00:00+01:00",
        "1970-01-01T00:59:59+01:00",  # London kept summer time all year then
    ]
