"""Time: one injectable clock and the two ways we write a moment down.

Everything we record is UTC with millisecond precision (`2026-11-28T13:20:01.123Z`), plus the same
moment in the zone the user chose (`2026-11-28T14:20:01.123+01:00`), because police timelines go
wrong when time zones are guessed. Tests pass a fixed clock instead of patching `datetime`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from evidencekit.errors import InvalidValueError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The machine's clock, as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def fixed_clock(moment: datetime, step: timedelta = timedelta(milliseconds=1)) -> Clock:
    """A clock for tests: starts at `moment` and advances by `step` on every call."""
    state = {"now": moment}

    def tick() -> datetime:
        current = state["now"]
        state["now"] = current + step
        return current

    return tick


def iso_utc(moment: datetime) -> str:
    """`2026-11-28T13:20:01.123Z`: the form every record uses."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_local(moment: datetime, zone: tzinfo | None) -> str:
    """The same moment in the case's zone, with its offset: `2026-11-28T14:20:01.123+01:00`."""
    local = moment.astimezone(zone) if zone is not None else moment.astimezone()
    return local.isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    """Read back a timestamp we wrote (accepts the `Z` suffix on Python 3.10)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_zone(name: str | None) -> tzinfo | None:
    """An IANA zone by name (`Europe/London`), or a clear error naming what was wrong."""
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValueError(
            f"“{name}” is not a time zone name evidencekit knows.",
            hint="Use a name like Europe/London, America/New_York or Australia/Sydney.",
        ) from exc


def local_zone_name() -> str | None:
    """Best effort at the IANA name of this machine's zone; None when it cannot be told.

    We never guess: a wrong zone silently shifts a whole timeline, so when the name is unknown the
    case records only the UTC offset and says so.
    """
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env and "/" in tz_env and not tz_env.startswith("/"):
        return tz_env
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve()) if localtime.is_symlink() else ""
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return name or None
