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
