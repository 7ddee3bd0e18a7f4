"""TikTok “Download your data” (JSON): direct messages streamed out of a large user_data file."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def _user_data(tmp_path, *, name="user_data_tiktok.json", watch_history=50):
    data = {
        "Your Activity": {
            "Watch History": {
                "VideoList": [
                    {"Date": "2024-02-01 10:00:00", "Link": f"https://www.tiktokv.com/share/video/{i}/"}
                    for i in range(watch_history)
                ]
            },
            "Login History": {"LoginHistoryList": [{"Date": "2024-02-01 09:00:00", "IP": "192.0.2.1"}]},
        },
        "Direct Message": {
            "Direct Messages": {
                "ChatHistory": {
                    "Chat History with riley.k.2024:": [
                        {"Date": "2024-02-09 22:16:03", "From": "riley.k.2024", "Content": "hey cutie"},
                        {"Date": "2024-02-09 22:17:10", "From": "sam_the_victim", "Content": "who r u"},
                        {
                            "Date": "2024-02-09 22:20:00",
                            "From": "riley.k.2024",
                            "Content": "https://www.tiktokv.com/share/video/7333/",
                        },
                        {"Date": "09/02/2024 22:21", "From": "riley.k.2024", "Content": "pay or else"},
                    ],
                    "Chat History with j.doe:": [
                        {"Date": "2024-01-30 08:00:00", "From": "j.doe", "Content": "Grüße 👋"},
                    ],
                }
            }
        },
        "Profile": {"Profile Info": {"ProfileMap": {"userName": "sam_the_victim"}}},
    }
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_direct_messages_are_found_after_a_long_watch_history(read, tmp_path):
    # The messages come long after the first 64 KB, where detection looks.
    r = read(_user_data(tmp_path, watch_history=3000))

    assert r.parser == "tiktok"
    assert r.outcome.status == "complete"
    assert [m["conversation"] for m in r.messages] == ["riley.k.2024"] * 4 + ["j.doe"]
    first = r.messages[0]
    # TikTok's dates are UTC: exact, not assumed (shown in the case's zone).
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is False
    assert first["sender"] == "riley.k.2024" and first["text"] == "hey cutie"
    link = r.messages[2]
    assert link["attachments"][0]["url"] == "https://www.tiktokv.com/share/video/7333/"
    odd = r.messages[3]
    assert (
        odd["time"] is None
        and "time-unknown" in odd["flags"]
        and odd["time_as_written"] == "09/02/2024 22:21"
    )
    assert r.messages[4]["text"] == "Grüße 👋"
    assert any("could not read" in w for w in r.header["warnings"])
    assert "text of direct messages only" in r.header["one_sided"]


def test_a_file_cut_short_keeps_the_messages_before_the_cut(read, tmp_path):
    path = _user_data(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"who r u") + 20])

    r = read(path)

    assert r.outcome.status == "partial" and r.texts() == ["hey cutie", "who r u"]
    assert "cut off" in r.header["problem"]


def test_an_account_without_messages_says_so(read, tmp_path):
    path = tmp_path / "user_data.json"
    path.write_text(json.dumps({"Activity": {"Login History": {}}, "Profile": {}}), encoding="utf-8")

    r = read(path)

    assert r.parser == "tiktok" and r.messages == []
    assert any("holds no direct messages" in w for w in r.header["warnings"])


def test_capture_of_a_tiktok_download_through_the_cli_makes_a_transcript(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London").exit_code == 0

    result = run_cli("capture", _user_data(tmp_path), env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    transcript = (case / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8")
    assert "pay or else" in transcript and '"parser":"tiktok"' in transcript


# ---- the TXT download ------------------------------------------------------------------------
# Built from the layout of TikTok's “TXT” choice (a folder per part of the account, the messages
# in Direct Messages.txt); no real download was available to copy.

TXT_MESSAGES = (
    ">>> Chat History with riley.k.2024:\n"
    "Date: 2024-02-09 22:16:03 UTC\n"
    "From: riley.k.2024\n"
    "Content: hey cutie\n"
    "\n"
    "Date: 2024-02-09 22:17:10 UTC\n"
    "From: sam_the_victim\n"
    "Content: who r u\n"
    "\n"
    "is this a joke\n"
    "\n"
    "Date: 2024-02-09 22:20:00 UTC\n"
    "From: riley.k.2024\n"
    "Content: https://www.tiktokv.com/share/video/7333/\n"
    "\n"
    "Date: yesterday\n"
    "From: riley.k.2024\n"
    "Content: pay or else\n"
    "\n"
    "\n"
    ">>> Chat History with j.doe:\n"
    "Date: 2024-01-30 08:00:00 UTC\n"
    "From: j.doe\n"
    "Content: Grüße 👋\n"
)


def _txt_download(tmp_path, folder="Direct Message"):
    import zipfile

    path = tmp_path / "TikTok_Data_1707523200.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Activity/Login History.txt", "Date: 2024-02-01 09:00:00 UTC\nIP: 192.0.2.1\n")
        archive.writestr("Activity/Video Browsing History.txt", "Date: 2024-02-01 10:00:00 UTC\nLink: x\n")
        archive.writestr(f"{folder}/Direct Messages.txt", TXT_MESSAGES)
        archive.writestr("Profile/Profile Info.txt", "Username: sam_the_victim\n")
    return path


def test_the_txt_download_is_read_block_by_block(read, tmp_path):
    r = read(_txt_download(tmp_path))

    assert r.parser == "tiktok" and r.detection.variant == "txt"
    assert r.detection.files == ["Direct Message/Direct Messages.txt"]
    assert r.outcome.status == "complete"
    riley = [m for m in r.messages if m["conversation"] == "riley.k.2024"]
    assert [m["text"] for m in riley] == [
        "hey cutie",
        "who r u\n\nis this a joke",
        "https://www.tiktokv.com/share/video/7333/",
        "pay or else",
    ]
    first = riley[0]
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is False
    assert first["sender"] == "riley.k.2024"
    assert first["source"]["file"] == "Direct Message/Direct Messages.txt" and first["source"]["line"] == 2
    assert riley[2]["attachments"][0]["url"] == "https://www.tiktokv.com/share/video/7333/"
    odd = riley[3]
    assert odd["time"] is None and "time-unknown" in odd["flags"] and odd["time_as_written"] == "yesterday"
    [doe] = [m for m in r.messages if m["conversation"] == "j.doe"]
    assert doe["text"] == "Grüße 👋"


def test_the_txt_file_alone_or_in_activity_is_recognised(read, tmp_path):
    alone = tmp_path / "Direct Messages.txt"
    alone.write_text(TXT_MESSAGES, encoding="utf-8")
    (tmp_path / "older").mkdir()

    assert read(alone).parser == "tiktok"
    assert read(_txt_download(tmp_path / "older", folder="Activity")).parser == "tiktok"


def test_a_plain_text_file_that_only_mentions_dates_is_not_taken_for_tiktok(tmp_path):
    from evidencekit.exports import detect
    from evidencekit.exports.source import open_source

    notes = tmp_path / "notes.txt"
    notes.write_text("Date: 2024-02-09\nFrom: the police\nContent: a reminder\n", encoding="utf-8")

    found = detect(open_source(notes, notes.name))
    assert found is None or found[0].name != "tiktok"
