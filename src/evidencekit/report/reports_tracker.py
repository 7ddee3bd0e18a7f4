"""Section 4 of the report, second part: each report and takedown request, its answer, what is still
open and where the case has not been reported yet (story.reports, guide.route_steps).

An officer reading it sees which platform already has which items and web addresses, under which
ticket number, and what the platform answered, so a preservation or disclosure request can cite
the platform's own reference. Only records are read; values are shortened to what evidencekit
writes (a hand-edited case may hold anything), and the template escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypedDict

from evidencekit.story.reports import OUTCOME_LABELS, track

if TYPE_CHECKING:
    from evidencekit.case.case import Case

Times = Callable[[object], dict[str, str]]


class ReportRow(TypedDict):
    id: str
    to: str
    what: list[str]
    ref: str | None
    at: dict[str, str] | None
    recorded: dict[str, str] | None
    answer: str
    answered: dict[str, str] | None
    open: bool
    next_step: str


class TrackerBlock(TypedDict):
    reports: list[ReportRow]
    open_count: int
    routes_not_yet: list[str]


def _short(text: str | None, limit: int = 300) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + "…"


def tracker_block(case: Case, actions: Iterable[Mapping[str, object]], times: Times) -> TrackerBlock:
    """The template's `tracker`: one row per report, then the routes no record names yet."""
    from evidencekit.guide.route_steps import routes_not_yet_taken

    rows: list[ReportRow] = []
    for report in track(actions):
        latest = report.latest
        rows.append(
            {
                "id": report.id,
                "to": _short(report.where) or "",
                "what": [_short(v, 20) or "" for v in (*report.items, *report.urls)][:50],
                "ref": _short(report.reference),
                "at": times(report.at) if report.at else None,
                "recorded": times(report.recorded_at) if report.recorded_at else None,
                "answer": OUTCOME_LABELS[report.outcome],
                "answered": times(latest.at or latest.recorded_at) if latest else None,
                "open": report.is_open,
                "next_step": _short(report.next_step(), 1000) or "",
            }
        )
    return {
        "reports": rows,
        "open_count": sum(1 for row in rows if row["open"]),
        "routes_not_yet": [step.title for step in routes_not_yet_taken(case)],
    }
