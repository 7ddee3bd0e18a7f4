"""Which order the chat's dates are written in, decided once for the whole file.

The date order follows the phone's locale and is never written down. One pass over the file
reads every header's date in each possible order, in constant memory; `decide_date_order` then
rules readings out (impossible dates, dates after the capture, dates jumping backwards) and asks
the person (`NeedsDateOrder`) only when two readings remain.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from evidencekit.exports.base import NeedsDateOrder

# The ways a date's three numbers can be read. "ymd" covers both `2024-02-09` and `24-02-09`;
# a year in the middle (`06/2018/13`) is read only when it has four digits.
ORDERS = ("dmy", "mdy", "ymd", "myd", "dym")
ORDER_WORDS = {
    "dmy": "day first",
    "mdy": "month first",
    "ymd": "year first",
    "myd": "month, year, day",
    "dym": "day, year, month",
}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_POSITIONS = {order: (order.index("y"), order.index("m"), order.index("d")) for order in ORDERS}


def date_fields(order: str, a: str, b: str, c: str) -> tuple[int, int, int] | None:
    """(year, month, day) under `order`, or None when the numbers cannot be that date."""
    y_at, m_at, d_at = _POSITIONS[order]
    parts = (a, b, c)
    y, mo, d = parts[y_at], parts[m_at], parts[d_at]
    if len(mo) > 2 or len(d) > 2 or len(y) not in (2, 4):
        return None
    if len(y) != 4 and order in ("myd", "dym"):
        return None
    month, day = int(mo), int(d)
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
        return None
    year = int(y)
    return (year + 2000 if len(y) <= 2 else year), month, day


@dataclass
class Reading:
    """What one way of reading the dates gives over the whole file (constant memory)."""

    valid: bool = True
    earliest: int = 0  # yyyymmdd
    latest: int = 0
    backwards: int = 0
    prev: int = 0
    checksum: int = 0  # equal for two readings that give the same date on every line


@dataclass
class Scan:
    """What one pass over the file tells before any message is read (constant memory)."""

    headers: int = 0
    max_a: int = 0
    max_b: int = 0
    year_first: int = 0
    senders: Counter[str] = field(default_factory=Counter)
    brackets: int = 0
    readings: dict[str, Reading] = field(default_factory=lambda: {o: Reading() for o in ORDERS})
    first_example: str = ""
    _last_date: tuple[str, str, str] = ("", "", "")

    def add(self, m: re.Match[str], line: str) -> None:
        self.headers += 1
        a, b, c = m.group("a", "b", "c")
        if len(a) == 4:
            self.year_first += 1
        # Most lines carry the date of the line before: it changes nothing but the count. (The
        # checksum then covers each run of equal dates once, which tells readings apart as well.)
        if (a, b, c) != self._last_date:
            self._last_date = (a, b, c)
            self._add_date(a, b, c)
        if not self.first_example:
            self.first_example = line.strip()[:40]
        if m.group("br"):
            self.brackets += 1
        rest = m.group("rest")
        if ": " in rest:
            self.senders[rest.split(": ", 1)[0]] += 1
        elif rest.endswith(":"):
            self.senders[rest[:-1]] += 1

    def _add_date(self, a_text: str, b_text: str, c_text: str) -> None:
        if len(b_text) <= 2:
            self.max_a = max(self.max_a, int(a_text))
            self.max_b = max(self.max_b, int(b_text))
        for order, reading in self.readings.items():
            if not reading.valid:
                continue
            ymd = date_fields(order, a_text, b_text, c_text)
            if ymd is None:
                reading.valid = False
                continue
            key = ymd[0] * 10000 + ymd[1] * 100 + ymd[2]
            if reading.prev and key < reading.prev:
                reading.backwards += 1
            reading.prev = key
            reading.latest = max(reading.latest, key)
            reading.earliest = min(reading.earliest, key) if reading.earliest else key
            reading.checksum = (reading.checksum * 1_000_003 + key) % (1 << 61)

    def possible(self) -> list[str]:
        return [order for order, reading in self.readings.items() if reading.valid and reading.latest]


def _ordinal(key: int) -> int:
    return date(key // 10000, key // 100 % 100, key % 100).toordinal()


def _span_days(reading: Reading) -> int:
    return _ordinal(reading.latest) - _ordinal(reading.earliest)


def decide_date_order(
    scan: Scan, asked: str | None, not_after: datetime | None, label: str
) -> tuple[str, str]:
    """(order, why) for the whole file; raises NeedsDateOrder when the file cannot tell.

    Every reading under which some date cannot exist is ruled out first. The person's
    `--date-order` is then followed whenever the dates can be read that way. Otherwise readings
    that put messages after the capture, or make dates jump backwards, are ruled out. A two-digit
    year first (`24-02-09`) is rare, so it is chosen only when the usual readings fail those tests
    or would spread the chat over years while it fits within one year.
    """
    possible = scan.possible()
    if not possible:
        raise NeedsDateOrder(
            f"The dates in “{label}” cannot be read in any one order (for example “{scan.first_example}”).",
            [scan.first_example],
        )
    readings = scan.readings
    if asked in possible:
        return asked, "the person capturing it said so (--date-order)"
    if len(possible) == 1:
        return possible[0], _only_reason(scan, possible[0])
    limit = None
    if not_after is not None:
        day = not_after.replace(tzinfo=None) + timedelta(days=1)
        limit = day.year * 10000 + day.month * 100 + day.day
    reasons: list[str] = []
    in_time = [o for o in possible if limit is None or readings[o].latest <= limit]
    if in_time and len(in_time) < len(possible):
        possible = in_time
        reasons.append("the other reading would put messages after the export was captured")
    fewest = min(readings[o].backwards for o in possible)
    forward = [o for o in possible if readings[o].backwards == fewest]
    if fewest == 0 and len(forward) < len(possible):
        possible = forward
        reasons.append("the other reading would make the dates jump backwards")
    if len(possible) > 1 and len({(readings[o].checksum, readings[o].latest) for o in possible}) == 1:
        # Every date reads the same either way (day = month throughout): nothing to choose.
        chosen = next(o for o in ("dmy", "mdy", "ymd", "myd", "dym") if o in possible)
        return chosen, "every date in it reads the same day-first or month-first"
    if "ymd" in possible and len(possible) > 1 and scan.year_first < scan.headers:
        short = readings["ymd"]
        others = [o for o in possible if o != "ymd"]
        if _span_days(short) < 366 and all(_span_days(readings[o]) > 2 * 366 for o in others):
            possible = ["ymd"]
            reasons.append("read any other way, the dates would spread a short chat over years")
        else:
            possible = others
    if len(possible) == 1:
        return possible[0], "; ".join(reasons) or _only_reason(scan, possible[0])
    raise NeedsDateOrder(
        f"The dates in “{label}” could be day-first or month-first (for example "
        f"“{scan.first_example}”): every date in it fits both readings.",
        [scan.first_example],
    )


def _only_reason(scan: Scan, order: str) -> str:
    if order == "ymd" and scan.year_first:
        return "the year is written first"
    if order == "dmy" and scan.max_a > 12:
        return f"a date in it has a first number above 12 (up to {scan.max_a})"
    if order == "mdy" and scan.max_b > 12:
        return f"a date in it has a second number above 12 (up to {scan.max_b})"
    return f"no other reading gives real dates (as {ORDER_WORDS[order]})"
