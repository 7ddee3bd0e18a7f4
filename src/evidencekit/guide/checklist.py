"""The advice checklist, and which of its steps a case has done.

The advice is what police and helplines give (don't panic, don't pay, save the evidence, collect the
web addresses, report to the platform and the internet provider, block, contact the police), in
the order that keeps evidence safe: capture first, then report and block. Whether a step is done is
read from the case's own records, never asked: the custody log (items captured, addresses recorded,
seals) and `evidencekit/actions.jsonl` (reports, blocks, police contact…, written by the `action`
and `report-to` commands). A case without actions.jsonl simply shows those steps as not yet done.
The reporting routes of the case's country and age are steps of their own (`route_steps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidencekit.case.case import Case
from evidencekit.guide import text

ACTIONS_JSONL = "evidencekit/actions.jsonl"
ACTION_KINDS = ("reported", "blocked", "isp", "police", "helpline", "stopncii")

DONE, NOT_YET, ADVICE = "done", "not-yet", "advice"


@dataclass(frozen=True)
class ChecklistStep:
    """One line of the checklist: what to do, and (for a case) whether it is done."""

    id: str
    title: str
    advice: str
    status: str  # done, not-yet, or advice (nothing to tick: advice to keep in mind)
    detail: str | None = None  # e.g. "3 item(s) saved", "to Instagram, reference 123"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "advice": self.advice,
            "status": self.status,
            "detail": self.detail,
        }


def recorded_actions(case: Case) -> list[dict[str, Any]]:
    """Actions the person recorded (reported, blocked…), from actions.jsonl and the custody log.

    actions.jsonl is the record; custody entries that name an action are read too, so that a step
    shows as done whichever of the two a version of the `action` command writes.
    """
    actions = [a for a in case.records(ACTIONS_JSONL) if a.get("action") in ACTION_KINDS]
    known_ids = {str(a["id"]) for a in actions}
    for entry in case.custody_entries():
        details = entry.get("details") or {}
        if not str(entry.get("action", "")).startswith("action"):
            continue
        if details.get("action") in ACTION_KINDS and str(details.get("id")) not in known_ids:
            actions.append(details)
    return actions


def build_checklist(case: Case | None, *, under_18: bool | None = None) -> list[ChecklistStep]:
    """The checklist; with a case, each step that can be done says whether it is."""
    if under_18 is None and case is not None:
        from evidencekit.case.flags import read_under_18

        under_18 = read_under_18(case.info.flags.get("under_18"))  # an odd value fails closed
    counts: dict[str, int] = {}
    sealed = False
    actions: dict[str, list[dict[str, Any]]] = {kind: [] for kind in (*ACTION_KINDS, "routed")}
    if case is not None:
        for entry in case.custody_entries():
            counts[entry.get("action", "")] = counts.get(entry.get("action", ""), 0) + 1
        sealed = case.is_sealed()
        for action in recorded_actions(case):
            actions[_step_kind(action)].append(action)
        _add_answers(case, actions["reported"])

    def status(done: bool) -> str:
        if case is None:
            return ADVICE
        return DONE if done else NOT_YET

    def action_step(step_id: str, kind: str, title: str, advice: str) -> ChecklistStep:
        done = actions[kind]
        return ChecklistStep(step_id, title, advice, status(bool(done)), _action_detail(done))

    items = counts.get("item-captured", 0)
    urls = counts.get("url-added", 0)
    hashing = text.STEP_HASHING_ADVICE_ADULT
    if under_18:
        hashing = text.STEP_HASHING_ADVICE_MINOR
    elif under_18 is None:
        hashing = f"{text.STEP_HASHING_ADVICE_ADULT} {text.STEP_HASHING_ADVICE_MINOR}"
    return [
        ChecklistStep("calm", text.STEP_CALM_TITLE, text.STEP_CALM_ADVICE, ADVICE),
        ChecklistStep("dont-pay", text.STEP_DONT_PAY_TITLE, text.STEP_DONT_PAY_ADVICE, ADVICE),
        ChecklistStep(
            "save-evidence",
            text.STEP_SAVE_TITLE,
            text.STEP_SAVE_ADVICE,
            status(items > 0),
            text.DETAIL_ITEMS.format(count=items) if items else None,
        ),
        ChecklistStep(
            "collect-urls",
            text.STEP_URLS_TITLE,
            text.STEP_URLS_ADVICE,
            status(urls > 0),
            text.DETAIL_URLS.format(count=urls) if urls else None,
        ),
        ChecklistStep(
            "seal",
            text.STEP_SEAL_TITLE,
            text.STEP_SEAL_ADVICE,
            status(sealed),
            text.DETAIL_SEALED if sealed else None,
        ),
        action_step("report-platform", "reported", text.STEP_REPORT_TITLE, text.STEP_REPORT_ADVICE),
        action_step("report-isp", "isp", text.STEP_ISP_TITLE, text.STEP_ISP_ADVICE),
        action_step("block", "blocked", text.STEP_BLOCK_TITLE, text.STEP_BLOCK_ADVICE),
        action_step("police", "police", text.STEP_POLICE_TITLE, text.STEP_POLICE_ADVICE),
        action_step("support", "helpline", text.STEP_SUPPORT_TITLE, text.STEP_SUPPORT_ADVICE),
        action_step("hashing", "stopncii", text.STEP_HASHING_TITLE, hashing),
    ]


def _step_kind(action: dict[str, Any]) -> str:
    """Which step an action ticks: a report to a hashing service (`report-to StopNCII`) is the
    hashing step, a report to another route of the directory (CEOP) is not a platform report (the
    route's own step, in `route_steps`, ticks instead)."""
    kind = str(action["action"])
    if kind != "reported":
        return kind
    from evidencekit.guide.route_names import HASHING_ROUTES, names_route

    route = names_route(action.get("to"))
    if route is None:
        return kind
    hashing = {route_id for ids in HASHING_ROUTES.values() for route_id in ids}
    return "stopncii" if route in hashing else "routed"


def _add_answers(case: Case, reports: list[dict[str, Any]]) -> None:
    """Each platform report's latest answer (`report-to … --outcome`), for its detail."""
    from evidencekit.story.reports import track

    answers = {r.id: r for r in track(case.records(ACTIONS_JSONL))}
    for index, action in enumerate(reports):
        tracked = answers.get(str(action.get("id")))
        if tracked is not None:
            reports[index] = {**action, "ref": tracked.reference, "outcome": tracked.outcome}


def _action_detail(actions: list[dict[str, Any]]) -> str | None:
    parts = []
    for action in actions:
        bits = []
        if action.get("to"):
            bits.append(text.DETAIL_ACTION_TO.format(to=action["to"]))
        if action.get("ref"):
            bits.append(text.DETAIL_ACTION_REF.format(ref=action["ref"]))
        if action.get("outcome"):
            from evidencekit.story.reports import OUTCOME_LABELS

            bits.append(OUTCOME_LABELS[action["outcome"]])
        if bits:
            parts.append(", ".join(bits))
    return "; ".join(parts) or None
