"""The case story: offender accounts, payments, the victim's notes and the actions already taken.

These are records a person writes about the case (not evidence files), each appended to its own
JSON Lines file under `evidencekit/` with a custody entry:

    offenders.jsonl  payments.jsonl  notes.jsonl  actions.jsonl

`suggestions.suggest()` finds identifiers in chat transcripts and web addresses and proposes
commands to record them; nothing is ever recorded without the person asking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidencekit._lazy import lazy_names

if TYPE_CHECKING:
    from evidencekit.story.actions import ACTION_TYPES, add_action
    from evidencekit.story.notes import add_note
    from evidencekit.story.offenders import add_offender
    from evidencekit.story.payments import METHODS, add_payment
    from evidencekit.story.records import ACTIONS, NOTES, OFFENDERS, PAYMENTS, STORY_FILES, AddResult

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "ACTION_TYPES": ("evidencekit.story.actions", "ACTION_TYPES"),
        "add_action": ("evidencekit.story.actions", "add_action"),
        "add_note": ("evidencekit.story.notes", "add_note"),
        "add_offender": ("evidencekit.story.offenders", "add_offender"),
        "METHODS": ("evidencekit.story.payments", "METHODS"),
        "add_payment": ("evidencekit.story.payments", "add_payment"),
        **{
            name: ("evidencekit.story.records", name)
            for name in ("ACTIONS", "NOTES", "OFFENDERS", "PAYMENTS", "STORY_FILES", "AddResult")
        },
    },
)

__all__ = [
    "ACTIONS",
    "ACTION_TYPES",
    "METHODS",
    "NOTES",
    "OFFENDERS",
    "PAYMENTS",
    "STORY_FILES",
    "AddResult",
    "add_action",
    "add_note",
    "add_offender",
    "add_payment",
]
