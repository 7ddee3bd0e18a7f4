"""Signal Desktop chats exported with signal-export: chat.md, data.json and the media folder."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.exports import samples

# As signal-export writes it: each message followed by a blank line, two trailing spaces (a
# Markdown line break), quotes as "> " lines, reactions and attachments after the text.
CHAT_MD = (
    "[2024-02-09 22:16:03] Alex: hey, you look cute in your pics  \n\n"
    "[2024-02-09 22:17:10] Me: who is this?  \n\n"
    "[2024-02-09 22:20:00] Alex: ![2024-02-09T22-20-00.000_00_IMG_0042.jpg](./media/"
    "2024-02-09T22-20-00.000_00_IMG_0042.jpg)  \n\n"
    "[2024-02-09 22:21:00] Alex: pay £500 by midnight\n"
    "or everyone sees it  \n"
    "(- Me: 😢 -)\n\n"
    "[2024-02-09 22:22:00] Me: \n\n> pay £500 by midnight\n\nI'm telling the police  \n\n"
    "[2024-02-09 22:23:00] Alex: (This message was deleted)\n\n"
    "[2024-02-09 22:24:00] Alex: Missed voice call  \n\n"
    "[2024-02-09 22:25:00] Alex: [voice note.m4a](./media/voice%20note.m4a)  \n\n"
)


def _signal_export(tmp_path):
    root = tmp_path / "signal-export"
    chat = root / "Alex"
    (chat / "media").mkdir(parents=True)
    (chat / "chat.md").write_text(CHAT_MD, encoding="utf-8")
    (chat / "media" / "2024-02-09T22-20-00.000_00_IMG_0042.jpg").write_bytes(samples.JPEG)
    (root / "style.css").write_text("body {}", encoding="utf-8")
    return root


def test_a_signal_export_folder_in_markdown(read, tmp_path):
    r = read(_signal_export(tmp_path))

    assert r.parser == "signal" and r.detection.variant == "markdown"
    assert r.outcome.status == "complete"
    first, mine, photo, threat, quoting, deleted, call, voice = r.messages
    assert first["conversation"] == "Alex" and first["sender"] == "Alex"
    # Local time without a zone: read in the stated zone, and said.
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is True
    assert first["text"] == "hey, you look cute in your pics"
    assert mine["sender"] == "(account owner)"
    assert photo["text"] == "" and photo["attachments"][0]["missing"] is False
    assert photo["attachments"][0]["member"] == "Alex/media/2024-02-09T22-20-00.000_00_IMG_0042.jpg"
    assert threat["text"] == "pay £500 by midnight\nor everyone sees it"
    assert threat["reactions"] == [{"actor": "Me", "reaction": "😢"}]
    assert "reply" in quoting["flags"] and quoting["details"]["quote"] == "pay £500 by midnight"
    assert quoting["text"] == "I'm telling the police"
    assert "deleted" in deleted["flags"] and call["kind"] == "system"
    assert voice["attachments"][0]["name"] == "voice note.m4a" and voice["attachments"][0]["missing"] is True
    assert any("local time" in w for w in r.header["warnings"])


def test_the_older_minutes_only_layout_is_not_taken_for_whatsapp(read, tmp_path):
    md = tmp_path / "chat.md"
    md.write_text(
        "[2019-05-29, 15:04] Me: How is everyone?  \n\n[2019-05-29, 15:10] Aya: We're great!  \n\n",
        encoding="utf-8",
    )

    r = read(md)

    assert r.parser == "signal", r.detection.label
    assert r.header["time_precision"] == "minute"
    assert [m["time"] for m in r.messages] == ["2019-05-29T15:04:00+01:00", "2019-05-29T15:10:00+01:00"]


def test_data_json_is_preferred_when_it_is_there(read, tmp_path):
    root = _signal_export(tmp_path)
    lines = [
        {
            "date": "2024-02-09T22:16:03",
            "sender": "Alex",
            "body": "hey  ",
            "quote": "",
            "sticker": None,
            "reactions": [["Me", "👍"]],
            "attachments": [],
            "deleted": False,
            "call": False,
            "missed": False,
        },
        {
            "date": "2024-02-09T22:20:00",
            "sender": "Alex",
            "body": "  ",
            "quote": "\n\n> hey\n\n",
            "sticker": None,
            "reactions": [],
            "attachments": [
                {
                    "name": "2024-02-09T22-20-00.000_00_IMG_0042.jpg",
                    "path": "media/2024-02-09T22-20-00.000_00_IMG_0042.jpg",
                }
            ],
            "deleted": False,
            "call": False,
            "missed": False,
        },
        "not an object",
    ]
    (root / "Alex" / "data.json").write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{broken\n", encoding="utf-8"
    )

    r = read(root)

    assert r.detection.variant == "json" and r.detection.files == ["Alex/data.json"]
    first, second = r.messages
    assert first["text"] == "hey" and first["reactions"] == [{"actor": "Me", "reaction": "👍"}]
    assert second["details"]["quote"] == "hey" and second["attachments"][0]["missing"] is False
    assert any("2 line(s) of data.json" in w for w in r.header["warnings"])


def test_capture_of_a_signal_export_through_the_cli_makes_a_transcript(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London").exit_code == 0

    result = run_cli("capture", _signal_export(tmp_path), env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    transcript = (case / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8")
    assert "I'm telling the police" in transcript and '"parser":"signal"' in transcript
