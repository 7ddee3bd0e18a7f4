"""WhatsApp dates that real phones write and that were misread: two-digit years first, marks
inside the bracket, 24-hour times with AM/PM, Hungarian and year-in-the-middle dates."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.exports import samples

LRM = "\u200e"
BOM = "\ufeff"


def _yy_mm_dd_chat() -> str:
    """A chat from 9 February to 20 April 2024 written `yy-mm-dd` (24-02-09)."""
    lines = []
    for month, days in ((2, (9, 14, 28)), (3, (1, 15, 31)), (4, (2, 20))):
        for day in days:
            lines.append(f"24-{month:02d}-{day:02d}, 22:16 - Riley: message of {day}/{month}")
            lines.append(f"24-{month:02d}-{day:02d}, 22:17 - Sam: reply")
    return "\n".join(lines) + "\n"


def test_a_two_digit_year_first_is_read_as_year_month_day(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", _yy_mm_dd_chat())

    r = read(path, not_after=datetime(2024, 5, 1, tzinfo=timezone.utc))

    assert r.header["date_order"] == "ymd"
    assert r.messages[0]["time"] == "2024-02-09T22:16:00+00:00"
    assert r.messages[-1]["time"] == "2024-04-20T22:17:00+01:00"


def test_asking_for_year_first_is_followed_when_the_dates_allow_it(read, tmp_path):
    text = "24-02-09, 22:16 - Riley: hi\n24-02-10, 22:17 - Sam: who\n"
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path, date_order="ymd")

    assert r.header["date_order"] == "ymd"
    assert r.header["date_order_reason"] == "the person capturing it said so (--date-order)"
    assert r.messages[1]["time"] == "2024-02-10T22:17:00+00:00"
    assert not any("not as you asked" in w for w in r.header["warnings"])


def test_a_byte_order_mark_inside_the_bracket_still_starts_a_message(read, tmp_path):
    lines = [f"[{BOM}29.01.18, 12:{i:02d}:03] Riley: Nachricht {i}" for i in range(50)]
    path = samples.write(tmp_path / "_chat.txt", "\n".join(lines) + "\n")

    r = read(path, zone="Europe/Berlin")

    assert r.detection.variant == "ios" and len(r.messages) == 50
    assert r.messages[0]["time"] == "2018-01-29T12:00:03+01:00" and r.messages[0]["sender"] == "Riley"


def test_an_iphone_message_starting_with_a_mark_is_still_a_message(read, tmp_path):
    text = (
        f"[14/03/2024, 20:51:02] Riley: {LRM}Messages and calls are end-to-end encrypted.\n"
        f"[14/03/2024, 21:07:41] Riley: {LRM}send the money or everyone sees it\n"
    )
    path = samples.write(tmp_path / "_chat.txt", text)

    r = read(path)

    assert [m["kind"] for m in r.messages] == ["system", "message"]


def test_a_24_hour_time_with_pm_keeps_its_hour_and_is_flagged(read, tmp_path):
    text = "3/14/24, 9:07 PM - Riley: hi\n3/14/24, 23:59 PM - Riley: last chance\n"
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path)

    late = r.messages[1]
    assert late["time"] == "2024-03-14T23:59:00+00:00"
    assert "time-marker-ignored" in late["flags"]
    assert r.messages[0]["time"] == "2024-03-14T21:07:00+00:00" and r.messages[0]["flags"] == []


def test_hungarian_dates_without_a_dash_are_messages(read, tmp_path):
    text = "13. 6. 2018. 21:25:15 a: m\n14. 6. 2018. 08:00:00 b: reggelt\n"
    path = samples.write(tmp_path / "WhatsApp Chat with a.txt", text)

    r = read(path, zone="Europe/Budapest")

    assert [(m["sender"], m["text"]) for m in r.messages] == [("a", "m"), ("b", "reggelt")]
    assert r.messages[0]["time"] == "2018-06-13T21:25:15+02:00"


def test_a_four_digit_year_in_the_middle_is_read(read, tmp_path):
    text = "[06/2018/13, 21:25:15] a: m\n[06/2018/14, 09:00:00] b: n\n"
    path = samples.write(tmp_path / "_chat.txt", text)

    r = read(path)

    assert [m["time"] for m in r.messages] == ["2018-06-13T21:25:15+01:00", "2018-06-14T09:00:00+01:00"]


def test_dates_whose_day_equals_their_month_are_not_refused(read, tmp_path):
    text = "05/05/2024, 10:00 - Riley: hi\n05/05/2024, 10:01 - Sam: ?\n06/06/2024, 09:00 - Riley: pay\n"
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path)

    assert r.outcome.status == "complete"
    assert [m["time"][:10] for m in r.messages] == ["2024-05-05", "2024-05-05", "2024-06-06"]
