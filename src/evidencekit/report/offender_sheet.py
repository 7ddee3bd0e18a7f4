"""The offender sheet of the report (section 2): every identifier found in the evidence (accounts,
phone numbers, e-mails, wallets, bank details, gift-card codes, payment handles, amounts), each with
every place it was seen and the first and last time, and whether it is recorded yet.

An officer reading forty screenshots wants one line per number, not forty: the values are grouped
as `suggest` groups them (a phone number in E.164, a wallet in the spelling its checksum shares),
and each place says where to look: the item, the message and its time, or the box on the picture
where OCR read it. Values read by OCR say so; corrected readings say what was corrected. The
victim's own accounts are left out, as `suggest` leaves them out.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TypedDict

from evidencekit.case.case import Case
from evidencekit.report.timeline import local_and_utc, when
from evidencekit.story.suggestions import Place, Suggestion, suggest

MAX_PLACES_SHOWN = 100  # per identifier; `evidencekit suggest --json` lists every one
LEFT_OUT = ("link",)  # web addresses not yet recorded are not the offender's identifiers


class SheetPlace(TypedDict):
    item: str
    where: str
    time: str | None  # the local time, when the message's time is known
    shown_as: str | None  # the time as the screen or the export showed it
    box: str | None  # "x 34, y 168, 420 × 40 px" on the picture
    ocr: bool


class SheetRow(TypedDict):
    kind: str
    value: str
    full: str | None  # the value as grouped (E.164), when it differs from how it was written
    platform: str | None
    detail: str | None
    checked: str | None
    recorded_as: str | None
    count: int
    first: str | None
    last: str | None
    first_utc: str | None
    last_utc: str | None
    places: list[SheetPlace]
    more_places: int
    ocr_only: bool


def offender_sheet(case: Case, zone: tzinfo | None) -> list[SheetRow]:
    """Each identifier found in the case, recorded or not, in the order `suggest` gives them."""
    rows = []
    for suggestion in suggest(case, include_recorded=True).items:
        if suggestion.kind in LEFT_OUT:
            continue
        rows.append(_row(suggestion, zone))
    return rows


def _row(suggestion: Suggestion, zone: tzinfo | None) -> SheetRow:
    first, first_utc = _times(suggestion.first_time, zone)
    last, last_utc = _times(suggestion.last_time, zone)
    places = suggestion.places
    full = suggestion.key if suggestion.kind == "phone" and suggestion.key != suggestion.value else None
    return SheetRow(
        kind=suggestion.label,
        value=suggestion.value,
        full=full if full and full.startswith("+") else None,
        platform=suggestion.platform,
        detail=suggestion.detail,
        checked=suggestion.checked,
        recorded_as=suggestion.recorded_as,
        count=suggestion.count,
        first=first,
        last=last,
        first_utc=first_utc,
        last_utc=last_utc,
        places=[_place(p, zone) for p in places[:MAX_PLACES_SHOWN]]
        or [_bare(where) for where in suggestion.where],
        more_places=max(0, suggestion.count - min(len(places), MAX_PLACES_SHOWN)) if places else 0,
        ocr_only=bool(places) and all(p.read_by == "ocr" for p in places),
    )


def _times(text: str | None, zone: tzinfo | None) -> tuple[str | None, str | None]:
    moment = when(text)
    if moment is None:
        return None, None
    return local_and_utc(moment, zone)


def _place(place: Place, zone: tzinfo | None) -> SheetPlace:
    local, _utc = _times(place.time, zone)
    box = None
    if place.box:
        left, top, width, height = place.box
        box = f"x {left}, y {top}, {width} × {height} px"
    return SheetPlace(
        item=place.ref,
        where=place.where,
        time=local,
        shown_as=place.time_as_written if local is None else None,
        box=box,
        ocr=place.read_by == "ocr",
    )


def _bare(where: str) -> SheetPlace:
    return SheetPlace(item="", where=where, time=None, shown_as=None, box=None, ocr=False)
