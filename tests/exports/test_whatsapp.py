"""WhatsApp exports: Android and iPhone, every date and clock style, markers in several languages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.exports.whatsapp import chat_name
from tests.exports import samples
from tests.exports.samples import LRM
from tests.fuzzing import examples


def test_an_android_export_is_read_message_by_message_with_every_marker(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)

    r = read(path)

    assert r.parser == "whatsapp" and r.detection.variant == "android"
    assert r.outcome.status == "complete"
    s = r.outcome.summary
    assert (s["messages"], s["system_messages"]) == (8, 2)
    assert s["senders"] == ["Riley", "Sam"]
    assert s["first_time"] == "2024-03-14T20:51:00+00:00" and s["last_time"] == "2024-03-15T09:02:00+00:00"
    assert r.header["date_order"] == "dmy" and r.header["time_zone_assumed"] is True
    assert all(m["time_zone_assumed"] for m in r.messages)
    assert r.messages[0]["kind"] == "system" and r.messages[0]["sender"] is None
    sam = r.by_seq(3)
    assert sam["text"] == (
        "yes\nwhat do you want\n2016-04-29 10:30:00 is not a new message, just a line that starts with a date"
    )
    assert sam["source"] == {"file": "WhatsApp Chat with Riley.txt", "line": 3}
    photo = r.by_seq(4)
    assert photo["text"].startswith(LRM + "IMG-20240314-WA0007.jpg (file attached)\ncaption")  # exact text
    assert photo["attachments"] == [
        {
            "name": "IMG-20240314-WA0007.jpg",
            "member": None,
            "path": None,
            "sha256": None,
            "missing": True,
            "type": "photo",
        }
    ]
    assert r.by_seq(5)["flags"] == ["media-omitted"]
    assert r.by_seq(6)["flags"] == ["deleted"]
    assert r.by_seq(7)["flags"] == ["edited"] and r.by_seq(7)["text"] == "ok fine <This message was edited>"
    assert r.by_seq(8)["text"] == "Pay €500 in gift cards: 2 hours ⏰ — or I send them 🙂"
    empty = r.by_seq(9)
    assert empty["sender"] == "Riley" and empty["text"] == "" and "empty" in empty["details"]
    assert r.by_seq(10)["kind"] == "system" and r.by_seq(10)["sender"] is None


def test_an_american_export_with_narrow_spaces_before_pm_is_month_first(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_US_12H)

    r = read(path, zone="America/New_York")

    assert r.header["date_order"] == "mdy"
    assert [m["time"] for m in r.messages] == [
        "2024-03-14T21:07:00-04:00",
        "2024-03-14T21:08:00-04:00",
        "2024-03-14T00:15:00-04:00",  # 12:15 AM is a quarter past midnight
        "2024-03-15T12:01:00-04:00",  # 12:01 PM is just after noon
    ]
    assert r.messages[0]["time_as_written"] == "3/14/24, 9:07\u202fPM"


def test_an_iphone_export_keeps_seconds_marks_and_attachments_and_reads_system_lines(read, tmp_path):
    path = samples.whatsapp_ios_zip(tmp_path)

    r = read(path)

    assert r.detection.variant == "ios" and r.detection.files == ["_chat.txt"]
    assert r.header["time_precision"] == "second"
    assert r.messages[0]["kind"] == "system" and r.messages[0]["sender"] == "Riley"
    sam = r.by_seq(3)
    assert sam["sender"] == "Sam" and sam["text"] == "yes: what?\nsecond line of Sam's message"
    assert sam["time"] == "2024-03-14T21:08:05+00:00"
    photo = r.by_seq(4)["attachments"][0]
    assert photo["name"] == "00000007-PHOTO-2024-03-14-21-09-02.jpg"
    assert photo["missing"] is False and photo["member"] == photo["name"]
    assert photo["sha256"] is None  # hashes of zip members come from the capture (see test_enrich)
    assert r.by_seq(5)["flags"] == ["media-omitted"] and r.by_seq(6)["flags"] == ["media-omitted"]
    assert r.by_seq(7)["flags"] == ["deleted"]
    assert r.by_seq(8)["flags"] == ["edited"]
    voice = r.by_seq(9)["attachments"][0]
    assert voice["missing"] is True and voice["type"] == "voice"
    assert r.outcome.summary["attachments"] == {
        "referenced": 2,
        "in_export": 1,
        "missing": 1,
        "embedded_media": 0,
    }


def test_spanish_iphone_export_with_a_p_m_and_no_break_spaces(read, tmp_path):
    path = samples.write(tmp_path / "_chat.txt", samples.IOS_SPANISH_12H)

    r = read(path, zone="Europe/Madrid")

    assert r.header["date_order"] == "dmy"  # 15/3 decides it
    assert r.messages[0]["time"] == "2024-03-14T21:07:41+01:00"
    assert r.messages[1]["attachments"][0]["name"] == "00000012-PHOTO-2024-03-14-21-09-02.jpg"
    assert r.messages[2]["flags"] == ["deleted"]
    assert r.messages[3]["time"] == "2024-03-15T10:00:00+01:00"


def test_german_android_markers(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat mit Riley.txt", samples.ANDROID_GERMAN)

    r = read(path, zone="Europe/Berlin", date_order="dmy")

    assert [m["flags"] for m in r.messages] == [[], ["media-omitted"], [], ["deleted"], ["edited"]]
    assert r.messages[2]["attachments"][0]["name"] == "IMG-20240314-WA0003.jpg"
    assert r.messages[0]["conversation"] == "Riley"


def test_finnish_klo_and_dotted_times(read, tmp_path):
    path = samples.write(tmp_path / "_chat.txt", samples.IOS_FINNISH)

    r = read(path, zone="Europe/Helsinki")

    assert [m["time"] for m in r.messages] == ["2018-06-13T21:25:15+03:00", "2018-06-13T21:26:00+03:00"]


def test_year_first_dates(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.YEAR_FIRST)

    r = read(path)

    assert r.header["date_order"] == "ymd" and r.messages[1]["time"] == "2024-03-14T21:08:00+00:00"


def test_dates_that_fit_both_orders_are_not_guessed(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.AMBIGUOUS)

    r = read(path)

    assert r.outcome.status == "needs-date-order" and r.messages == []
    assert "day-first or month-first" in r.outcome.problem
    chosen = read(path, date_order="mdy")
    assert chosen.header["date_order"] == "mdy"
    assert chosen.header["date_order_reason"] == "the person capturing it said so (--date-order)"
    assert chosen.messages[0]["time"] == "2024-01-02T21:07:00+00:00"


def test_a_reading_that_puts_messages_in_the_future_is_ruled_out(read, tmp_path):
    text = "01/12/2026, 21:07 - Riley: hi\n02/12/2026, 21:08 - Riley: hello?\n"
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path, not_after=datetime(2026, 3, 1, tzinfo=timezone.utc))

    assert r.header["date_order"] == "mdy"  # 1 and 2 December 2026 had not happened yet
    assert "after the export was captured" in r.header["date_order_reason"]


def test_a_reading_that_makes_dates_jump_backwards_is_ruled_out(read, tmp_path):
    text = "12/03/2024, 10:00 - Riley: a\n01/04/2024, 10:00 - Riley: b\n02/04/2024, 10:00 - Riley: c\n"
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path, not_after=datetime(2030, 1, 1, tzinfo=timezone.utc))

    assert r.header["date_order"] == "dmy"  # month-first would go from December back to January


def test_clock_changes_are_flagged_not_hidden(read, tmp_path):
    text = (
        "31/03/2024, 00:59 - Riley: before the clocks go forward\n"
        "31/03/2024, 01:30 - Riley: this time never happened in London\n"
        "27/10/2024, 01:30 - Riley: this time happened twice\n"
    )
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", text)

    r = read(path)

    assert r.messages[0]["flags"] == []
    assert r.messages[1]["flags"] == ["time-nonexistent"]
    assert r.messages[2]["flags"] == ["time-ambiguous"]
    assert r.outcome.summary["flags"] == {"time-ambiguous": 1, "time-nonexistent": 1}


def test_without_any_zone_times_are_kept_only_as_written(read, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)

    r = read(path, zone=None)

    assert all(m["time"] is None and m["time_zone_assumed"] is False for m in r.messages)
    assert r.messages[1]["time_as_written"] == "14/03/2024, 21:07"
    assert any("without a time zone" in w for w in r.header["warnings"])


def test_a_utf16_export_is_read_and_wrongly_encoded_bytes_are_shown_not_guessed(read, tmp_path):
    utf16 = samples.write(tmp_path / "a" / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY, "utf-16")
    assert read(utf16).outcome.summary["messages"] == 8

    latin = tmp_path / "b" / "WhatsApp Chat with Riley.txt"
    latin.parent.mkdir()
    latin.write_bytes("14/03/2024, 21:07 - Rémy: café\n14/03/2024, 21:08 - Sam: ok\n".encode("cp1252"))
    r = read(latin)
    assert r.outcome.status == "complete"
    assert r.messages[0]["sender"] == "R\ufffdmy" and r.messages[0]["text"] == "caf\ufffd"
    assert any("not valid UTF-8" in w for w in r.header["warnings"])


def test_the_lines_that_are_not_utf8_are_counted_once_each(read, tmp_path):
    export = tmp_path / "WhatsApp Chat with Rémy.txt"
    export.write_bytes("14/03/2024, 21:07 - Rémy: café\n14/03/2024, 21:08 - Sam: ok\n".encode("cp1252"))
    warnings = read(export).header["warnings"]
    assert any(w.startswith("1 line(s) of ") and "not valid UTF-8" in w for w in warnings), warnings


def test_the_android_zip_links_media_and_lists_what_no_message_mentions(read, tmp_path):
    r = read(samples.whatsapp_android_zip(tmp_path))

    photo = r.by_seq(4)["attachments"][0]
    assert photo["missing"] is False and photo["member"] == "IMG-20240314-WA0007.jpg"
    assert r.header["warnings"] and "not mentioned by any message" in r.header["warnings"][0]
    assert r.outcome.summary["attachments"]["in_export"] == 1


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("WhatsApp Chat with Alex.txt", "Alex"),
        ("WhatsApp Chat - Alex Smith.zip", "Alex Smith"),
        ("WhatsApp Chat mit Alex (2).txt", "Alex"),
        ("notes.txt", None),
    ],
)
def test_the_chat_is_named_from_the_file_name(label, name):
    assert chat_name(label) == name


_names = st.sampled_from(["Riley", "Sam Example", "~ Alex", "+44 7700 900123", "Rémy (work)"])
_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\r\n\x85"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() == t and not t.startswith(("<", "\u200e")) and "(" not in t)


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.lists(st.tuples(_names, _texts, st.lists(_texts, max_size=2)), min_size=2, max_size=12),
    ios=st.booleans(),
)
def test_any_chat_written_either_way_reads_back_exactly(read, tmp_path_factory, messages, ios):
    """Whatever people write (multi-line, colons in names and text), it is read back exactly."""
    lines = []
    for minute, (sender, first, more) in enumerate(messages):
        stamp = f"[14/03/2024, 21:{minute:02d}:00] " if ios else f"14/03/2024, 21:{minute:02d} - "
        lines.append(f"{stamp}{sender}: {first}")
        lines.extend(m for m in more)
    folder = tmp_path_factory.mktemp("wa")
    path = samples.write(folder / "WhatsApp Chat with Riley.txt", "\n".join(lines) + "\n")

    r = read(path)

    assert [(m["sender"], m["text"]) for m in r.messages] == [
        (sender, "\n".join([first, *more])) for sender, first, more in messages
    ]
    assert [m["time"][11:16] for m in r.messages] == [f"21:{i:02d}" for i in range(len(messages))]


def _chat_lines(count: int) -> str:
    return "".join(f"14/03/2026, 21:{n % 60:02d} - Alex: message {n}\n" for n in range(count))


def test_a_line_longer_than_any_message_stops_reading_there_without_holding_it(read, tmp_path):
    # A 3 MB line (WhatsApp allows 65,536 characters): the messages before it are kept, and the
    # reader never holds more than 1 MB of it.
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    huge = "14/03/2026, 22:00 - Alex: " + "x" * (3 << 20) + "\n"
    export.write_text(_chat_lines(60) + huge, encoding="utf-8")
    result = read(export)
    assert result.outcome.status == "partial"
    assert "line 61 is longer than 1 MB" in result.outcome.problem
    assert result.texts()[:60] == [f"message {n}" for n in range(60)]


def test_a_message_of_endless_short_lines_stops_reading_there(read, tmp_path):
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    endless = "14/03/2026, 22:00 - Alex: start\n" + ("y" * 999 + "\n") * 1_100
    export.write_text(_chat_lines(60) + endless, encoding="utf-8")
    result = read(export)
    assert result.outcome.status == "partial"
    assert "the message that starts at line 61 goes on for more than 1,000,000 characters" in (
        result.outcome.problem
    )
    assert len(result.messages) == 60


SIGNAL_EXPORT = (  # signal-export's chat.md for a Signal Desktop chat (older releases: no seconds)
    "[2024-03-14, 21:07] Riley: you there?\n"
    "[2024-03-14, 21:08] Me: who is this\n"
    "[2024-03-14, 21:09] Riley: ![IMG_0042.jpg](./media/2024-03-14-21-09-00_IMG_0042.jpg)  \n"
    "[2024-03-14, 21:10] Riley: answer me\n"
    "(- Me: 😡 -)\n"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("chat.md", SIGNAL_EXPORT),
        ("chat.txt", SIGNAL_EXPORT),  # renamed: the Markdown picture link still gives it away
        (
            "chat.txt",
            SIGNAL_EXPORT.replace("![IMG_0042.jpg](./media/2024-03-14-21-09-00_IMG_0042.jpg)", "ok"),
        ),
    ],
)
def test_a_signal_desktop_export_is_not_taken_for_a_whatsapp_iphone_export(tmp_path, name, text):
    from evidencekit.exports import whatsapp
    from evidencekit.exports.source import open_source

    path = samples.write(tmp_path / name, text)

    with open_source(path, path.name) as source:
        assert whatsapp.detect(source) is None  # the Signal reader, or "unknown export, kept as is"


def test_an_iphone_export_written_year_first_is_still_whatsapp(read, tmp_path):
    # Swedish iPhones write the year first; WhatsApp always writes the seconds.
    text = "[2024-03-14 21:07:41] Riley: är du där?\n[2024-03-14 21:08:05] Sam: vem är det\n"

    r = read(samples.write(tmp_path / "_chat.txt", text))

    assert r.parser == "whatsapp" and r.detection.variant == "ios"
    assert r.texts() == ["är du där?", "vem är det"]
