"""Turning the times exports write into exact moments, honestly.

Some exports write absolute moments (epoch milliseconds, or a time with its offset); those are kept
exact. Others (WhatsApp, Telegram's `date`, SMS `readable_date`) write the wall-clock time of the
phone that made the export, with no zone. Those are read in a zone the person states (or the
case's) and flagged as assumed. When a clock change makes a wall-clock time occur twice (autumn)
or never (spring), the message is flagged so nobody builds a timeline on a guessed hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from evidencekit.exports.base import ExportDamaged

UTC = timezone.utc


class ImpossibleTime(ExportDamaged, ValueError):
    """A time field that no calendar date can hold: the export is damaged at that message."""


def localise(naive: datetime, zone: tzinfo, previous: datetime | None = None) -> tuple[datetime, str | None]:
    """The moment a wall-clock time in `zone` stands for, and "time-ambiguous" /
    "time-nonexistent" when a clock change makes it uncertain.

    An ambiguous time is read as the earlier of its two moments, unless that would put it before
    the previous message while the later one would not (exports are in order, so that is the
    better reading); it stays flagged either way.
    """
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 == off1:
        return first, None
    # Either the hour repeats (ambiguous) or it was skipped (nonexistent).
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return first, "time-nonexistent"
    chosen = first
    if previous is not None and first.astimezone(UTC) < previous.astimezone(UTC) <= second.astimezone(UTC):
        chosen = second
    return chosen, "time-ambiguous"


def from_epoch(seconds: float, zone: tzinfo | None) -> datetime:
    """An epoch time (seconds, may be fractional) shown in `zone` (UTC when there is none)."""
    return _after_1970(zone, f"{seconds} seconds", seconds=seconds)


def from_epoch_ms(ms: int | float, zone: tzinfo | None) -> datetime:
    """An epoch time in milliseconds shown in `zone` (UTC when there is none)."""
    return _after_1970(zone, f"{ms} milliseconds", milliseconds=ms)


def _after_1970(zone: tzinfo | None, written: str, **delta: float) -> datetime:
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(**delta)
        return moment.astimezone(zone) if zone is not None else moment
    except (OverflowError, ValueError):  # beyond year 9999, before year 1, inf, nan
        raise ImpossibleTime(f"a message's time cannot be a real date ({written} after 1970)") from None


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with offset; milliseconds only when the export had them."""
    if moment is None:
        return None
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec)


def shown(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` in the zone the transcript is shown in (UTC when there is none)."""
    try:
        return moment.astimezone(zone) if zone is not None else moment.astimezone(UTC)
    except (OverflowError, ValueError):  # a moment at the very edge of what dates can hold (year 1 or 9999)
        raise ImpossibleTime(
            f"a message's time is at the edge of the calendar ({moment.isoformat()})"
        ) from None
