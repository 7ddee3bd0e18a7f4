"""The case story: offender accounts, payments, the victim's notes and the actions already taken.

These are records a person writes about the case (not evidence files), each appended to its own
JSON Lines file under `evidencekit/` with a custody entry:

    offenders.jsonl  payments.jsonl  notes.jsonl  actions.jsonl

`identifiers.suggest()` finds identifiers in chat transcripts and web addresses and proposes
commands to record them; nothing is ever recorded without the person asking.
"""

from __future__ import annotations

from evidencekit.story.actions import ACTION_TYPES, add_action
from evidencekit.story.notes import add_note
from evidencekit.story.offenders import add_offender
from evidencekit.story.payments import METHODS, add_payment
from evidencekit.story.records import ACTIONS, NOTES, OFFENDERS, PAYMENTS, STORY_FILES, AddResult

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
