"""Instagram and Facebook “Download your information” in HTML: boxes, localised dates, damage."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.exports import samples

HEAD = (
    '<html><head><meta charset="utf-8" /><title>{title}</title><base href="../../../../" />'
    '<style>._a6-g{{}}</style></head><body class="_5vb_ _2yq _a7o5"><div class="clearfix _ikh">'
    '<div class="_4bl9"><div class="_li"><div class="_a705"><div class="_a706" role="main">'
)
FOOT = "</div></div></div></div></div></body></html>"


def box(sender: str, body: str, date: str) -> str:
    """One message as Meta writes it (2023-2024 builds)."""
    return (
        '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder">'
        f'<h2 class="_3-95 _2pim _a6-h _a6-i">{sender}</h2>'
        f'<div class="_3-95 _a6-p"><div><div></div><div>{body}</div><div></div><div></div></div></div>'
        f'<div class="_3-94 _a6-o">{date}</div></div>'
    )


def page(title: str, *boxes: str) -> str:
    return HEAD.format(title=title) + "".join(boxes) + FOOT


PHOTO = "your_instagram_activity/messages/inbox/rileyk2024_17845512345678901/photos/425079_1234.jpg"


def _instagram(tmp_path):
    root = tmp_path / "instagram-sam.v-2024-02-10-AbCdEf"
    thread = root / "your_instagram_activity/messages/inbox/rileyk2024_17845512345678901"
    (thread / "photos").mkdir(parents=True)
    (thread / "photos/425079_1234.jpg").write_bytes(samples.JPEG)
    newest = page(
        "riley.k.2024",
        box("riley.k.2024", "you have until midnight", "Feb 10, 2024 12:05 am"),
        box(
            "riley.k.2024",
            f'<div><a target="_blank" href="{PHOTO}"><img src="{PHOTO}" class="_a6_o _3-96" /></a></div>',
            "Feb 9, 2024 10:20 pm",
        ),
        box("sam.v", "Reacted 😡 to your message", "Feb 9, 2024 10:19 pm"),
        box("sam.v", "who is this?<br />why are you messaging me", "Feb 9, 2024 10:17:10 pm"),
    )
    older = page(
        "riley.k.2024",
        box("riley.k.2024", "RÃ©my told me about you", "9 Feb 2024, 22:16"),
        box("riley.k.2024", "salut", "9 févr. 2024, 22:15"),
        box("riley.k.2024", "hey", "Feb 9, 2024 13:14 pm"),
    )
    (thread / "message_1.html").write_text(newest, encoding="utf-8")
    (thread / "message_2.html").write_text(older, encoding="utf-8")
    return root


def test_an_instagram_html_download_in_time_order(read, tmp_path):
    r = read(_instagram(tmp_path))

    assert r.parser == "meta-html" and "Instagram" in r.detection.label
    assert r.outcome.status == "complete"
    # #1 is the oldest message, although Meta writes the newest first.
    assert [m["seq"] for m in r.messages] == list(range(1, 8))
    texts = r.texts()
    assert texts[-1] == "you have until midnight" and texts[0] == "hey"
    assert all(m["conversation"] == "riley.k.2024" for m in r.messages)
    by_text = {m["text"]: m for m in r.messages}
    # Wall-clock times without a zone: read in the stated zone, and flagged.
    last = by_text["you have until midnight"]
    assert last["time"] == "2024-02-10T00:05:00+00:00" and last["time_zone_assumed"] is True
    assert by_text["who is this?\nwhy are you messaging me"]["time"] == "2024-02-09T22:17:10+00:00"
    assert by_text["Rémy told me about you"]["time"] == "2024-02-09T22:16:00+00:00"
    assert by_text["Rémy told me about you"]["details"]["text_as_exported"] == "RÃ©my told me about you"
    # Another language is never guessed.
    french = by_text["salut"]
    assert french["time"] is None and "time-unknown" in french["flags"]
    assert french["time_as_written"] == "9 févr. 2024, 22:15"
    assert "time-marker-ignored" in by_text["hey"]["flags"] and by_text["hey"]["time"].startswith(
        "2024-02-09T13:14"
    )
    photo = by_text[""]["attachments"]
    assert len(photo) == 1 and photo[0]["missing"] is False and photo[0]["type"] == "photo"
    assert by_text["Reacted 😡 to your message"]["kind"] == "system"
    warnings = " ".join(r.header["warnings"])
    assert "without a time zone" in warnings and "not guessed" in warnings and "Rémy" in warnings


def test_a_damaged_page_costs_only_that_page(read, tmp_path):
    root = tmp_path / "facebook-sam-2024"
    good = root / "messages/inbox/riley_1234567890"
    cut = root / "messages/inbox/alex_987654321"
    bad = root / "messages/inbox/aaron_5555"  # sorts first: a damaged first thread
    for folder in (good, cut, bad):
        folder.mkdir(parents=True)
    (bad / "message_1.html").write_bytes(b"<html>\xff\xfe" + b"\x00garbage" * 10)
    (cut / "message_1.html").write_text(
        page(
            "Alex",
            box("Alex", "second", "Feb 9, 2024 10:17 pm"),
            box("Alex", "first", "Feb 9, 2024 10:16 pm"),
        )[:-60],
        encoding="utf-8",
    )
    (good / "message_1.html").write_text(
        page("Riley Kay", box("Riley Kay", "still here", "Feb 9, 2024 10:18 pm")), encoding="utf-8"
    )

    r = read(root)

    assert r.parser == "meta-html" and "Facebook" in r.detection.label
    assert sorted(r.texts()) == ["first", "second", "still here"]
    assert any("could not be read" in w and "aaron_5555" in w for w in r.header["warnings"])
    assert any("cut off" in w for w in r.header["warnings"])


def test_capture_of_an_html_download_through_the_cli_makes_a_transcript(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London").exit_code == 0

    result = run_cli("capture", _instagram(tmp_path), env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    assert "JSON" not in result.output  # no longer asked to export again in JSON
    transcript = (case / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8")
    assert "you have until midnight" in transcript and '"parser":"meta-html"' in transcript


def test_a_page_that_stops_being_utf8_keeps_every_message_before_that_point(read, tmp_path):
    thread = tmp_path / "facebook-sam-2024/messages/inbox/riley_1234567890"
    thread.mkdir(parents=True)
    boxes = [box("Riley Kay", f"message {n}", f"Feb 9, 2024 10:{n:02d} pm") for n in range(20, 0, -1)]
    data = page("Riley Kay", *boxes).encode("utf-8")
    cut = data.index(b"message 5<")  # the damage comes after the newest 16 messages
    (thread / "message_1.html").write_bytes(data[:cut] + b"\xff\xfe" + data[cut:])

    r = read(tmp_path / "facebook-sam-2024")

    assert r.outcome.status == "partial"
    read_in_full = [t for t in r.texts() if t]
    assert sorted(read_in_full, key=lambda t: int(t.split()[1])) == [f"message {n}" for n in range(6, 21)]
    [cut_off] = [m for m in r.messages if not m["text"]]  # the box the damage is in: kept, and said
    assert "cut off" in cut_off["details"]["note"]
