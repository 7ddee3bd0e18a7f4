"""Times as a person says them in the wizard: "yesterday 9pm", "an hour ago", "last Tuesday 21:30".

The library (`story.times.parse_event_time`) accepts only unambiguous forms, which is right for the
command line. Someone answering the wizard in distress says "yesterday at 9pm", so the wizard turns
the few relative forms below into the library's form, in the case's time zone, and the record keeps
the words they used too (see `Wizard`). Anything else goes to the library unchanged, so its checks
(no future times, no day-month guessing, the hour skipped when clocks go forward) still apply.

Understood: `now`; `N minutes/hours ago`, `an hour ago`, `half an hour ago`; `today`,
`yesterday` or a weekday (`Tuesday`, `last Tuesday`: the most recent one before today), each with
a time of day (`9pm`, `9:30 pm`, `21:30`, `at 21:30`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from evidencekit.clock import load_zone
from evidencekit.errors import InvalidValueError
from evidencekit.story.times import EventTime, parse_event_time

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AGO = re.compile(
    r"^(?:(?P<count>\d+|an?|one|half an?)\s+)(?P<unit>minutes?|mins?|hours?|hrs?)\s+ago$", re.IGNORECASE
)
_DAY = re.compile(
    r"^(?P<day>today|yesterday|(?:last\s+)?(?:" + "|".join(_WEEKDAYS) + r"))"
    r"(?:\s*,?\s*(?:at\s+|around\s+|about\s+)?(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?$",
    re.IGNORECASE,
)
HINT = (
    "Write it like “yesterday 9pm”, “an hour ago”, “last Tuesday 21:30” or 2026-03-14 21:07, "
    "or press Enter if you don't know."
)


def read_when(text: str, *, zone_name: str | None, now: datetime) -> tuple[str, EventTime]:
    """(what to give the library, the moment it means) for `text`; InvalidValueError if unreadable."""
    written = " ".join(text.split())
    zone: tzinfo | None = load_zone(zone_name) if zone_name else now.astimezone().tzinfo
    local_now = now.astimezone(zone or timezone.utc)
    ago = _AGO.match(written)
    if ago:
        count = ago["count"].lower()
        amount = 0.5 if count.startswith("half") else 1.0 if count in ("a", "an", "one") else float(count)
        unit = timedelta(hours=1) if ago["unit"].lower().startswith("h") else timedelta(minutes=1)
        moment = (local_now - amount * unit).replace(second=0, microsecond=0)
        library_form = moment.strftime("%Y-%m-%d %H:%M ") + _offset(moment)
        return library_form, _library(library_form, written, zone_name, now)
    day = _DAY.match(written)
    if day:
        if day["hour"] is None:
            raise InvalidValueError(f"“{written}” says the day but not the time.", hint=_with_time(written))
        when = _day(day["day"].lower(), local_now.date())
        library_form = f"{when.isoformat()} {_clock(day['hour'], day['minute'], day['ampm'], written)}"
        if not zone_name:  # no named zone: the offset this computer has now
            library_form += " " + _offset(local_now)
        return library_form, _library(library_form, written, zone_name, now)
    try:
        return written, parse_event_time(written, zone_name=zone_name, now=now)
    except InvalidValueError as refused:
        raise InvalidValueError(refused.message, hint=HINT) from None


def _library(library_form: str, written: str, zone_name: str | None, now: datetime) -> EventTime:
    """The library's reading of what we made of `written` (its refusals said with their words)."""
    try:
        return parse_event_time(library_form, zone_name=zone_name, now=now)
    except InvalidValueError as refused:
        raise InvalidValueError(refused.message.replace(library_form, written), hint=HINT) from None


def _day(word: str, today: date) -> date:
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    weekday = _WEEKDAYS.index(word.split()[-1])
    back = (today.weekday() - weekday) % 7 or 7  # "Tuesday" said on a Tuesday: last week's
    return today - timedelta(days=back)


def _clock(hour: str, minute: str | None, ampm: str | None, written: str) -> str:
    value = int(hour)
    if ampm:
        if not 1 <= value <= 12:
            raise InvalidValueError(f"“{written}” mixes a 24-hour time with am/pm.", hint=HINT)
        value = value % 12 + (12 if ampm.lower().startswith("p") else 0)
    if value > 23 or int(minute or 0) > 59:
        raise InvalidValueError(f"“{written}” is not a time of day.", hint=HINT)
    return f"{value:02d}:{int(minute or 0):02d}"


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _with_time(written: str) -> str:
    return f"Add the time, even a rough one, e.g. “{written} 9pm”, or press Enter if you don't know."
