"""The reporting and takedown routes for the case's country and age, as a checklist that ticks itself.

`guide` lists the routes (`directory.routes_for`: for an under-18 case Take It Down, Report
Remove, CEOP, the NCMEC CyberTipline…; for adults StopNCII, IC3, eSafety…; under-18 routes first
when the age is not known). Here each route of the "report" and "takedown" sections becomes a step
that is done when the case's actions say so, never asked: a report or action whose `to` names the
route (`report-to CEOP`, `action police --to "Met Police"`), or a `stopncii` action for the hashing
services. A report to a platform (`report-to Instagram`) ticks the checklist's "report to the
platform" step instead (`checklist`), and an answer to a report shows in the step's detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from evidencekit.guide.checklist import ADVICE, DONE, NOT_YET, ChecklistStep
from evidencekit.guide.directory import Entry, Routes
from evidencekit.guide.route_names import HASHING_ROUTES, names_route
from evidencekit.story.reports import OUTCOME_LABELS, TrackedReport, track

if TYPE_CHECKING:
    from evidencekit.case.case import Case

ROUTE_SECTIONS = ("report", "takedown")
_AGE_ORDER = {"under-18": 0, "all": 1, "adult": 2}
ROUTES_CHECKLIST_TITLE = "Where to report it (ticked from what this case records)"
_VERBS = {"takedown": "Ask for removal:"}  # the others: "Report to"


def route_entries(routes: Routes) -> list[Entry]:
    """The routes a person can report to or ask for removal at: the under-18 ones first (CEOP,
    Report Remove, Take It Down…), then those for everyone, then those for adults; otherwise in the
    guide's order (the person's own country first, reports before takedowns)."""
    chosen = [entry for name, entries in routes.sections if name in ROUTE_SECTIONS for entry in entries]
    return sorted(chosen, key=lambda entry: _AGE_ORDER.get(entry.age_group, 1))


def _ticks(
    actions: Sequence[Mapping[str, object]],
    tracked: Mapping[str, TrackedReport],
    entry: Entry,
    age_group: str | None,
) -> list[str]:
    """What in the actions ticks `entry`: one short description each (empty: not done)."""
    found: list[str] = []
    hashing = HASHING_ROUTES.get(age_group or "", (*HASHING_ROUTES["adult"], *HASHING_ROUTES["under-18"]))
    for action in actions:
        kind, to, record_id = action.get("action"), action.get("to"), action.get("id")
        if kind == "outcome":
            continue
        named = names_route(to, [entry]) == entry.id
        stands_for = kind == "stopncii" and not to and entry.id in hashing
        if not (named or stands_for):
            continue
        bits = [str(record_id)]
        report = tracked.get(str(record_id))
        if report is not None and report.reference:
            bits.append(f"reference {report.reference}")
        elif action.get("ref"):
            bits.append(f"reference {action['ref']}")
        if report is not None and report.outcome:
            bits.append(OUTCOME_LABELS[report.outcome])
        found.append(", ".join(bits))
    return found


def route_steps(case: Case | None, routes: Routes) -> list[ChecklistStep]:
    """One step per route, done when the case's actions name it (advice only, without a case)."""
    from evidencekit.story.records import ACTIONS

    actions = case.records(ACTIONS.path) if case is not None else []
    tracked = {report.id: report for report in track(actions)}
    steps = []
    for entry in route_entries(routes):
        title = f"{_VERBS.get(entry.kind, 'Report to')} {entry.name}"
        if routes.age_group is None and entry.age_group == "under-18":
            title += " (if anyone shown is under 18)"
        elif routes.age_group is None and entry.age_group == "adult":
            title += " (for adults)"
        if case is None:
            steps.append(ChecklistStep(f"route:{entry.id}", title, entry.purpose, ADVICE))
            continue
        done = _ticks(actions, tracked, entry, routes.age_group)
        status = DONE if done else NOT_YET
        detail = "; ".join(done) or None
        steps.append(ChecklistStep(f"route:{entry.id}", title, entry.purpose, status, detail))
    return steps


def case_routes(case: Case) -> Routes:
    """The routes for the case's own country and under-18 answer (as `guide --case` shows them)."""
    from evidencekit.case.flags import read_under_18
    from evidencekit.guide.directory import routes_for_answer

    flag = read_under_18(case.info.flags.get("under_18"))
    return routes_for_answer(case.info.country, None if flag is None else ("under-18" if flag else "adult"))


def routes_not_yet_taken(case: Case) -> list[ChecklistStep]:
    """The case's routes no action names yet (for `status` and the report)."""
    return [step for step in route_steps(case, case_routes(case)) if step.status == NOT_YET]
