"""Notes: the victim's own account of what happened, in their words.

A note keeps two times: when the event happened (`at`, as the person gives it, which may be days
before) and when the note was written (`recorded_at`, from the clock). Both matter: an officer reads
the story in event order, and can see that it was written down later.
"""

from __future__ import annotations

from typing import Any

from evidencekit.case.case import Case, CaseChange
from evidencekit.errors import InvalidValueError
from evidencekit.story.records import NOTES, AddResult, append_story_record, free_text
from evidencekit.story.times import parse_event_time


def add_note(case: Case, text: str, *, at: str | None = None) -> AddResult:
    """Record a note; an identical note (same text and time) is not added twice."""
    clean = free_text(text, "note")
    if not clean:
        raise InvalidValueError(
            "The note is empty.",
            hint='Write what happened in quotes, e.g. evidencekit note "He said he would post the photo" '
            '--at "2026-03-14 21:10"',
        )
    warnings: list[str] = []
    fields: dict[str, Any] = {"text": clean, "at": None, "at_as_written": None, "at_zone_assumed": None}

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        if at and at.strip():
            when = parse_event_time(at, zone_name=case.info.zone, now=change.now())
            staged["at"], staged["at_as_written"], staged["at_zone_assumed"] = (
                when.iso,
                when.as_written,
                when.zone_assumed,
            )
            if when.ambiguous:
                warnings.append(
                    f"“{when.as_written}” happened twice in {case.info.zone} (the clocks went back); the "
                    "earlier one was recorded. If it was the later one, add the note again with the offset."
                )

    def same_as(existing: dict[str, Any]) -> bool:
        return existing.get("text") == clean and existing.get("at_as_written") == (
            at.strip() if at and at.strip() else None
        )

    result = append_story_record(
        case, NOTES, fields, details={"characters": len(clean)}, same_as=same_as, prepare=prepare
    )
    result.warnings.extend(warnings)
    return result
