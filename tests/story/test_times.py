"""Reading the time a person gives (--at): exact when a zone is given, the case's zone otherwise,
and never a silent guess about day order or a clock change."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from evidencekit.errors import InvalidValueError
from evidencekit.story.times import parse_event_time

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def read(text: str, zone: str | None = "Europe/London"):
    return parse_event_time(text, zone_name=zone, now=NOW)


def test_a_time_without_a_zone_is_read_in_the_case_zone_and_says_so():
    summer = read("2026-07-14 21:07")
    assert summer.iso == "2026-07-14T21:07:00+01:00"
    assert summer.zone_assumed == "Europe/London" and summer.as_written == "2026-07-14 21:07"
    winter = read("2026-01-14 21:07")
    assert winter.iso == "2026-01-14T21:07:00+00:00"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-03-14T21:07:41+02:00", "2026-03-14T21:07:41+02:00"),
        ("2026-03-14 21:07 -0500", "2026-03-14T21:07:00-05:00"),
        ("2026-03-14 21:07Z", "2026-03-14T21:07:00+00:00"),
        ("2026-03-14 21:07 UTC", "2026-03-14T21:07:00+00:00"),
        ("2026-03-14 9:07 pm America/New_York", "2026-03-14T21:07:00-04:00"),
        ("2026-03-14 12:30 a.m. +00:00", "2026-03-14T00:30:00+00:00"),
        ("2026-03-14 21:07:41.250 +01:00", "2026-03-14T21:07:41.250+01:00"),
    ],
)
def test_an_offset_or_a_zone_name_makes_the_time_exact(text, iso):
    when = read(text)
    assert when.iso == iso
    assert when.zone_assumed is None


def test_now_is_the_clock_in_the_case_zone():
    assert read("now").iso == "2026-11-28T12:00:00+00:00"


def test_an_hour_skipped_when_clocks_go_forward_is_refused():
    with pytest.raises(InvalidValueError) as error:
        read("2026-03-29 01:30")
    assert "clocks went forward" in error.value.message


def test_an_hour_that_happened_twice_is_taken_as_the_first_and_flagged():
    when = read("2026-10-25 01:30")
    assert when.ambiguous and when.iso == "2026-10-25T01:30:00+01:00"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("14/03/2026 21:07", "two different days"),
        ("03.04.2026", "two different days"),
        ("2026-03-14", "no time of day"),
        ("yesterday evening", "not a time evidencekit can read"),
        ("2026-02-30 10:00", "not a real date"),
        ("2026-03-14 25:00", "not a real date"),
        ("2026-03-14 13:00 pm", "mixes a 24-hour time"),
        ("2027-01-01 10:00", "in the future"),
        ("2026-03-14 21:07 +01:00 Europe/Paris", "both an offset and a zone"),
        ("2026-03-14 21:07 Mars/Olympus", "not a time zone name"),
        ("1970-01-01 00:00 +00:00", "too long ago"),
        ("", "empty"),
    ],
)
def test_unclear_times_are_refused_with_a_hint(text, words):
    with pytest.raises(InvalidValueError) as error:
        read(text)
    assert words in error.value.message
    assert error.value.hint


def test_a_case_without_a_zone_name_needs_an_offset():
    with pytest.raises(InvalidValueError) as error:
        read("2026-03-14 21:07", zone=None)
    assert "+01:00" in (error.value.hint or "")
    assert read("2026-03-14 21:07 +01:00", zone=None).iso == "2026-03-14T21:07:00+01:00"
