"""Case flags: facts that change how a case is handled (`flags` in evidencekit/case.json).

The one flag so far is `under_18`: whether anyone shown in the images was under 18 when they were
taken. It is answered when the case is made (`new --under-18/--no-under-18`, or the wizard), or
later by the wizard for a case made without an answer. A change rewrites case.json through the
case's all-or-nothing change and is logged (`case-flag-set`, with the old and new value and the
answer given), so the record shows when the safeguard was switched on.

The safeguard can be switched on at any time but never off: a wrong "yes" only means more
questions, a wrong "no" could mean an unlawful copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from evidencekit.case import layout
from evidencekit.case.case import Case
from evidencekit.case.jsonlines import canonical_json
from evidencekit.errors import InvalidValueError

UNDER_18 = "under_18"
ANSWERS = ("yes", "no", "not-sure")


@dataclass(frozen=True)
class FlagChange:
    """What setting a flag did."""

    name: str
    previous: object
    value: object
    changed: bool
    recovered: str | None = None


def under_18(case: Case) -> bool | None:
    """True, False, or None when nobody has answered yet.

    case.json can be edited by hand: a value we never write ("yes", 1, "no") is read as True,
    because the safeguard fails closed (a wrong "yes" only means more questions)."""
    return read_under_18(case.info.flags.get(UNDER_18))


def read_under_18(value: object) -> bool | None:
    """The under-18 answer from a raw flag value (see `under_18`)."""
    if value is None or isinstance(value, bool):
        return value
    return True


# Other spellings of the flag's name, which evidencekit never writes but a hand-edited case.json
# may hold: honoured wherever a wrong "yes" costs nothing (previews, OCR, the OCR text shown).
UNDER_18_NAMES = ("under_18", "under-18", "under18", "minor", "anyone_under_18", "involves_minor")


def flags_say_under_18(flags: Mapping[str, object]) -> bool:
    """True when any spelling of the under-18 flag is read as yes by `read_under_18`."""
    return any(read_under_18(value) is True for key, value in flags.items() if key.lower() in UNDER_18_NAMES)


def set_under_18(case: Case, answer: str) -> FlagChange:
    """Record the answer to "was anyone shown under 18?" ("not-sure" counts as yes)."""
    if answer not in ANSWERS:
        raise InvalidValueError(
            f"“{answer}” is not an answer evidencekit knows.", hint="Use yes, no or not-sure."
        )
    value = answer != "no"
    with case.change("set-flag") as change:
        data = dict(case.info.raw)  # re-read by change(): the current case.json
        flags = dict(data.get("flags") or {})
        previous = flags.get(UNDER_18)
        if previous is True and value is False:
            raise InvalidValueError(
                "This case is already marked: someone shown was under 18. evidencekit does not "
                "remove that mark, because it is what keeps such images from being copied.",
                hint="If it was a mistake, it does no harm: you will only be asked about images "
                "before they are captured. Or start a new case.",
            )
        if previous == value:
            return FlagChange(UNDER_18, previous, value, changed=False, recovered=change.recovered)
        flags[UNDER_18] = value
        data["flags"] = flags
        change.put_file(layout.CASE_JSON, (canonical_json(data) + "\n").encode("utf-8"))
        change.log(
            "case-flag-set", {"flag": UNDER_18, "value": value, "previous": previous, "answer": answer}
        )
    case.info = Case(case.root, clock=case.clock).info  # the view now shows the new flag
    return FlagChange(UNDER_18, previous, value, changed=True, recovered=change.recovered)
