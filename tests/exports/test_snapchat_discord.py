"""Snapchat "My Data" and Discord (the data package and DiscordChatExporter)."""

from __future__ import annotations

import json

from tests.exports import samples


def test_snapchat_new_layout(read, tmp_path):
    r = read(samples.snapchat_new(tmp_path))

    assert r.parser == "snapchat" and r.detection.variant == "new"
    assert [m["text"] for m in r.messages] == ["you there?", "who is this", "", ""]  # in time order
    s = r.outcome.summary
    assert s["senders"] == ["riley_x22", "sam.example"] and s["messages"] == 4
    assert (s["first_time"], s["last_time"]) == ("2024-03-14T21:07:41+00:00", "2024-03-14T21:10:00+00:00")
    assert s["attachments"] == {"referenced": 2, "in_export": 1, "missing": 1, "embedded_media": 0}
    media = r.messages[2]["attachments"][0]
    assert media["missing"] is False and media["member"].endswith("2024-03-14_b~EiASFk0tZXNzYWdl.jpeg")
    assert r.messages[3]["attachments"][0]["missing"] is True  # its media id matches no file
    assert r.messages[1]["details"]["saved"] is False
    assert r.messages[0]["time"] == "2024-03-14T21:07:41+00:00"
    assert "saved" in r.header["one_sided"]


def test_snapchat_old_layout_unescapes_html(read, tmp_path):
    r = read(samples.snapchat_old(tmp_path / "json"))

    assert r.detection.variant == "old"
    assert [(m["sender"], m["text"]) for m in r.messages] == [
        ("riley_x22", "you & me <3"),
        ("(account owner)", "no"),
    ]
    assert r.messages[0]["details"]["text_as_exported"] == "you &amp; me &lt;3"


def test_discord_package_is_one_sided_and_says_so(read, tmp_path):
    r = read(samples.discord_package(tmp_path))

    assert r.parser == "discord" and r.detection.variant == "package"
    assert "only the messages the account owner sent" in r.header["one_sided"]
    assert r.outcome.summary["senders"] == ["Sam"] and r.outcome.summary["messages"] == 3
    assert r.outcome.summary["first_time"] == "2024-03-13T10:00:00+00:00"
    assert r.outcome.summary["last_time"] == "2024-03-14T21:09:00+00:00"
    assert r.outcome.summary["conversations"] == 2
    dm = [m for m in r.messages if m["conversation"] == "Direct Message with riley#0"]
    assert [m["text"] for m in dm] == ["who are you", "please stop"]  # sorted by time
    assert dm[0]["id"] == "1218000000000000001"  # ids above 2^53 kept exactly, as text
    assert dm[0]["attachments"][0] == {
        "name": "proof.png",
        "member": None,
        "path": None,
        "sha256": None,
        "missing": True,
        "type": "file",
        "url": "https://cdn.discordapp.com/attachments/1/2/proof.png",
    }
    csv_message = next(m for m in r.messages if m["conversation"] == "A server / general")
    assert csv_message["text"] == "hello, all\nsecond line" and csv_message["source"]["line"] == 2
    assert csv_message["time"] == "2024-03-13T10:00:00+00:00"


def test_discord_chat_exporter(read, tmp_path):
    r = read(samples.discord_exporter(tmp_path / "dce"))

    assert r.detection.variant == "dce" and r.header["reading_order"] == "file"
    first, reply, joined = r.messages
    assert (
        first["sender"] == "Riley"
        and first["sender_id"] == "444"
        and first["time"] == "2024-03-14T21:07:41.123+00:00"
    )
    assert first["reactions"] == [{"actor": "riley", "count": 1, "reaction": "😂"}]
    assert first["attachments"][0]["url"].endswith("pic.png")
    assert sorted(reply["flags"]) == ["edited", "reply"] and reply["time"] == "2024-03-14T21:08:00+00:00"
    assert joined["kind"] == "system"


def test_a_discord_csv_with_a_field_longer_than_any_message_gives_a_partial_transcript(read, tmp_path):
    package = samples.discord_package(tmp_path)
    table = package / "messages" / "c333333333333333333" / "messages.csv"
    with table.open("a", encoding="utf-8", newline="") as handle:
        handle.write('1218000000000000099,2024-03-13 10:05:00.000000+00:00,"' + "z" * 300_000 + '",\n')
    result = read(package)
    assert result.outcome.status == "partial"
    assert "a CSV file of the export is damaged" in result.outcome.problem
    assert result.messages  # what came before is kept


# ---- Snapchat layouts seen in the wild -------------------------------------------------------


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_old_layout_with_its_text_in_content_and_no_partner_is_read_and_never_named_none(read, tmp_path):
    path = _write_json(
        tmp_path / "mydata" / "json" / "chat_history.json",
        {
            "Received Saved Chat History": [
                {
                    "From": "riley_x22",
                    "Media Type": "TEXT",
                    "Created": "2021-06-01 10:00:00 UTC",
                    "Content": "send it &amp; pay",
                },
                {"Media Type": "TEXT", "Created": "2021-06-01 10:02:00 UTC", "Content": "hello?"},
                {"From": "riley_x22", "Media Type": "TEXT", "Created": "2021-06-01 10:03:00 UTC"},
            ],
            "Sent Saved Chat History": [
                {
                    "To": "riley_x22",
                    "Media Type": "TEXT",
                    "Created": "2021-06-01 10:01:00 UTC",
                    "Content": "no",
                },
            ],
        },
    )

    r = read(path.parent.parent)

    assert r.detection.variant == "old"
    assert [(m["sender"], m["text"]) for m in r.messages][:2] == [
        ("riley_x22", "send it & pay"),
        ("(account owner)", "no"),
    ]
    names = {m["conversation"] for m in r.messages}
    assert "None" not in names and "(other person not named in the export)" in names
    assert any("do not say who the other person was" in w for w in r.header["warnings"])
    assert any(w.startswith("1 Snapchat message(s) have no text") for w in r.header["warnings"])


def test_a_group_chat_takes_its_conversation_title_even_from_a_later_record(read, tmp_path):
    records = [
        {
            "From": "riley_x22",
            "Media Type": "TEXT",
            "Created": "2024-03-14 21:07:41 UTC",
            "Content": "hi all",
            "Conversation Title": None,
            "IsSender": False,
        },
        {
            "From": "sam.example",
            "Media Type": "TEXT",
            "Created": "2024-03-14 21:08:00 UTC",
            "Content": "who?",
            "Conversation Title": "Year 10 🏀",
            "IsSender": True,
        },
    ]
    root = tmp_path / "mydata~1710450600"
    _write_json(root / "json" / "chat_history.json", {"9c1d77e0-3f5a-4b7e-9d0a-1f2e3d4c5b6a": records})

    r = read(root)

    assert [m["conversation"] for m in r.messages] == ["Year 10 🏀", "Year 10 🏀"]


def test_an_export_with_only_the_snap_history_dated_only_in_microseconds(read, tmp_path):
    root = tmp_path / "mydata~1710450600"
    _write_json(
        root / "json" / "snap_history.json",
        {
            "riley_x22": [
                {
                    "From": "riley_x22",
                    "Media Type": "IMAGE",
                    "Created(microseconds)": 1710450461000,
                    "Conversation Title": None,
                    "IsSender": False,
                },
                {
                    "From": "sam.example",
                    "Media Type": "VIDEO",
                    "Created(microseconds)": "1710450540000",
                    "Conversation Title": None,
                    "IsSender": True,
                },
            ]
        },
    )

    r = read(root)

    assert r.parser == "snapchat" and "snap history" in r.detection.label
    assert [m["time"] for m in r.messages] == ["2024-03-14T21:07:41+00:00", "2024-03-14T21:09:00+00:00"]
    assert all(m["details"]["snap"] is True and "media-omitted" in m["flags"] for m in r.messages)
    assert not any("have no text" in w for w in r.header["warnings"]), "a snap has no text by nature"
