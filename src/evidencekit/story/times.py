"""Reading the time a person gives for an event (`--at`), without ever guessing a zone silently.

Police timelines go wrong when times are read in the wrong zone, or when "03/04" is read as the
wrong day. So only unambiguous forms are accepted:

- `2026-03-14 21:07`, `2026-03-14T21:07:41`, optionally with `am`/`pm`;
- the same with an offset (`+01:00`, `-0500`, `Z`, `UTC`) or a zone name (`America/New_York`),
  which is then exact;
- `now`.

A time without an offset or zone is read in the case's zone, and that is recorded (the caller keeps
what was typed and whether the zone was assumed). A time that does not exist in that zone (the hour
skipped when clocks go forward) is refused; one that happens twice (clocks going back) is taken as
the first and flagged. Day-first or month-first dates (`14/03/2026`) are refused with a hint,
because they mean different days in different countries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from evidencekit.clock import load_zone
from evidencekit.errors import InvalidValueError

_FORM = re.compile(
    r"""^\s*
    (?P<date>\d{4}-\d{2}-\d{2})
    (?:[T\s]+
      (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?
      \s*(?P<ampm>[ap]\.?\s?m\.?)?
    )?
    \s*(?P<offset>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
    (?:\s+(?P<zone>[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SLASHED = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
FUTURE_TOLERANCE = timedelta(minutes=10)
EXAMPLE = "2026-03-14 21:07"


@dataclass(frozen=True)
class EventTime:
    """A moment a person gave, as we store it.

    `iso` is ISO 8601 with the offset that applied (seconds precision); `as_written` is exactly what
    was typed; `zone_assumed` is the zone name used when the text had no offset or zone;
    `ambiguous` is True when the clocks went back and the earlier of two moments was taken.
    """

    moment: datetime
    iso: str
    as_written: str
    zone_assumed: str | None
    ambiguous: bool = False


def parse_event_time(text: str, *, zone_name: str | None, now: datetime) -> EventTime:
    """Read `text` (see the module docstring) or raise InvalidValueError with a hint."""
    written = text.strip()
    if not written:
        raise InvalidValueError(
            "The time is empty.", hint=f"Write it as year-month-day hour:minute, e.g. {EXAMPLE}."
        )
    if written.lower() == "now":
        zone = load_zone(zone_name) if zone_name else None
        local = now.astimezone(zone) if zone else now.astimezone(timezone.utc)
        return EventTime(local, _iso(local), written, None)
    match = _FORM.match(written)
    if match is None:
        if _SLASHED.match(written):
            raise InvalidValueError(
                f"“{written}” could be read as two different days (14/03 and 03/14 mean different "
                "things in different countries).",
                hint=f"Write the date as year-month-day, e.g. {EXAMPLE}.",
            )
        raise InvalidValueError(
            f"“{written}” is not a time evidencekit can read.",
            hint=f"Write it as year-month-day hour:minute, e.g. {EXAMPLE} "
            "(add +01:00 or a zone name such as Europe/London if it was not your time zone).",
        )
    if match["hour"] is None:
        raise InvalidValueError(
            f"“{written}” has a date but no time of day.",
            hint=f"Add your best guess of the time, e.g. {written} 21:00, and say it is approximate "
            "in --note.",
        )
    naive = _naive(match, written)
    ambiguous = False
    assumed = None
    if match["offset"] and match["zone"]:
        raise InvalidValueError(
            f"“{written}” gives both an offset and a zone name.",
            hint="Give only one of them, e.g. 2026-03-14 21:07 +01:00 or 2026-03-14 21:07 Europe/Paris.",
        )
    if match["offset"]:
        moment = naive.replace(tzinfo=_offset(match["offset"], written))
    else:
        if match["zone"]:
            zone = load_zone(match["zone"])
        elif zone_name:
            zone = load_zone(zone_name)
            assumed = zone_name
        else:
            raise InvalidValueError(
                f"“{written}” has no time zone, and this case has no named zone to read it in.",
                hint="Add the offset, e.g. 2026-03-14 21:07 +01:00, or a zone name, e.g. 2026-03-14 "
                "21:07 Europe/London.",
            )
        assert zone is not None
        moment, ambiguous = _localise(naive, zone, written, match["zone"] or zone_name or "")
    if moment - now > FUTURE_TOLERANCE:
        raise InvalidValueError(
            f"“{written}” is in the future.",
            hint="Give the time when it happened (check the year and the time zone).",
        )
    if moment.year < 1990:
        raise InvalidValueError(f"“{written}” is too long ago to be right.", hint="Check the year.")
    return EventTime(moment, _iso(moment), written, assumed, ambiguous)


def _naive(match: re.Match[str], written: str) -> datetime:
    hour = int(match["hour"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise InvalidValueError(
                f"“{written}” mixes a 24-hour time with am/pm.", hint="Write 21:07 or 9:07 pm, not both."
            )
        pm = match["ampm"].lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    fraction = (match["fraction"] or "").ljust(6, "0")
    try:
        return datetime.fromisoformat(match["date"]).replace(
            hour=hour,
            minute=int(match["minute"]),
            second=int(match["second"] or 0),
            microsecond=int(fraction or 0),
        )
    except ValueError:
        raise InvalidValueError(
            f"“{written}” is not a real date and time.",
            hint=f"Check the numbers; write it as year-month-day hour:minute, e.g. {EXAMPLE}.",
        ) from None


def _offset(text: str, written: str) -> tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        raise InvalidValueError(
            f"“{text}” in “{written}” is not a real UTC offset.", hint="Offsets run from -12:00 to +14:00."
        )
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _localise(naive: datetime, zone: tzinfo, written: str, zone_label: str) -> tuple[datetime, bool]:
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise InvalidValueError(
            f"“{written}” did not exist in {zone_label}: the clocks went forward at that time.",
            hint="Check the time (it was probably an hour later), or give the offset, e.g. +01:00.",
        )
    ambiguous = first.utcoffset() != second.utcoffset()
    return first, ambiguous


def _iso(moment: datetime) -> str:
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec)
