"""Actions: what the victim has already done (reported, blocked, told the police…).

The record is a contract shared with the `guide` command, which ticks steps off from it:

    {"id": "A0001", "action": "reported"|"blocked"|"isp"|"police"|"helpline"|"stopncii",
     "to": str|null, "ref": str|null, "at": ISO 8601 with offset|null, "note": str|null,
     "recorded_at": UTC, "recorded_at_local": case zone, "recorded_by": str}

`at` is when it happened, as the person gave it (null if not given); what they typed for it is kept
in the custody entry. `ref` is the reference the other side gave: the police crime reference
number, the platform's ticket number, the helpline's case number. Those numbers are what lets an
officer join this case to a report already made, so the CLI asks for them.
"""

from __future__ import annotations

from typing import Any

from evidencekit.case.case import Case, CaseChange
from evidencekit.errors import InvalidValueError
from evidencekit.story.records import ACTIONS, AddResult, append_story_record, one_line
from evidencekit.story.times import parse_event_time

ACTION_TYPES = ("reported", "blocked", "isp", "police", "helpline", "stopncii")
ACTION_LABELS = {
    "reported": "Reported to the platform",
    "blocked": "Blocked the account",
    "isp": "Told the internet provider / host",
    "police": "Reported to the police",
    "helpline": "Contacted a helpline",
    "stopncii": "Hashed the images with StopNCII / Take It Down",
    "outcome": "Answer from the platform",  # written by `report-to --outcome` (story.reports)
}
REF_LABELS = {
    "reported": "platform report / ticket number",
    "blocked": "reference",
    "isp": "ISP or host ticket number",
    "police": "police crime reference number",
    "helpline": "helpline case number",
    "stopncii": "StopNCII / Take It Down case number",
    "outcome": "platform report / ticket number",
}


def add_action(
    case: Case,
    action: str,
    *,
    to: str | None = None,
    ref: str | None = None,
    at: str | None = None,
    note: str | None = None,
) -> AddResult:
    """Record an action taken. The same action with the same details is not added twice."""
    kind = action.strip().lower()
    if kind not in ACTION_TYPES:
        raise InvalidValueError(
            f"“{action}” is not an action evidencekit knows.",
            hint="Use one of: "
            + ", ".join(ACTION_TYPES)
            + " (e.g. evidencekit action police --ref 1234/26).",
        )
    fields: dict[str, Any] = {
        "action": kind,
        "to": one_line(to, "“to”", max_length=300),
        "ref": one_line(ref, "reference", max_length=300),
        "at": None,
        "note": one_line(note, "note", max_length=2000),
    }
    details: dict[str, Any] = {
        "action": kind,
        "ref": fields["ref"],
        "at_as_written": None,
        "at_zone_assumed": None,
    }
    warnings: list[str] = []
    notes: list[str] = []

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        if at and at.strip():
            when = parse_event_time(at, zone_name=case.info.zone, now=change.now())
            staged["at"] = when.iso
            details["at_as_written"] = when.as_written
            details["at_zone_assumed"] = when.zone_assumed
            if when.ambiguous:
                warnings.append(
                    f"“{when.as_written}” happened twice in {case.info.zone} (the clocks went back); "
                    "the earlier one was recorded."
                )

    def same_as(existing: dict[str, Any]) -> bool:
        same = all(existing.get(key) == fields[key] for key in ("action", "to", "ref", "note"))
        return same and _same_time(existing.get("at"), fields["at"])

    result = append_story_record(case, ACTIONS, fields, details=details, same_as=same_as, prepare=prepare)
    result.warnings.extend(warnings)
    if result.record is not None:
        notes.extend(_reminders(result.record))
    result.notes.extend(notes)
    return result


def _same_time(first: Any, second: Any) -> bool:
    """Two stored times name the same moment (or both are missing)."""
    if first is None or second is None:
        return first is None and second is None
    from evidencekit.clock import parse_iso

    try:
        return parse_iso(str(first)) == parse_iso(str(second))
    except ValueError:
        return False


def _reminders(record: dict[str, Any]) -> list[str]:
    kind = record["action"]
    out = []
    if not record.get("ref") and kind in ("police", "reported", "isp", "helpline", "stopncii"):
        out.append(
            f"When you get a {REF_LABELS[kind]}, record it too: evidencekit action {kind} --ref NUMBER"
            + (f' --to "{record["to"]}"' if record.get("to") else "")
        )
    if kind in ("reported", "isp") and not record.get("to"):
        out.append("Tip: say where you reported it with --to (e.g. --to Instagram).")
    if kind == "blocked":
        out.append(
            "Blocking is right. Don't delete the chat or your account: deactivate it instead, so the "
            "messages stay available to the police."
        )
    return out
