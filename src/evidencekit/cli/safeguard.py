"""The under-18 safeguard in the CLI: the questions `new` and `capture` ask on a terminal.

Off a terminal nothing is asked: `new` leaves the answer open (and says how to give it) and
`capture` refuses with exit 2 and a kind explanation, having copied nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidencekit.cli import output
from evidencekit.guide import text
from evidencekit.guide.talk import Choice

if TYPE_CHECKING:
    from evidencekit.intake.safeguard import UnderEighteenMediaError


def ask_under_18() -> str | None:
    """Ask "was anyone shown under 18?"; "yes", "no", "not-sure", or None if they stopped."""
    from evidencekit.cli.conversation import ask_choice

    answer = ask_choice(
        text.UNDER_18_QUESTION,
        [
            Choice(text.UNDER_18_YES, text.UNDER_18_YES_LABEL),
            Choice(text.UNDER_18_NO, text.UNDER_18_NO_LABEL),
            Choice(text.UNDER_18_UNSURE, text.UNDER_18_UNSURE_LABEL),
        ],
    )
    return {text.UNDER_18_YES: "yes", text.UNDER_18_NO: "no", text.UNDER_18_UNSURE: "not-sure"}.get(
        answer or ""
    )


def explain_under_18(value: bool | None) -> None:
    """What the answer means, said once when the case is made."""
    if value is None:
        output.note(output.plain(text.UNDER_18_FLAG_HINT))
    elif value:
        output.say(output.plain(text.UNDER_18_THANKS))
        output.say(output.plain(text.UNDER_18_RULES, multiline=True))
        output.note(output.plain(text.SERVICES_HINT))
    else:
        output.note(output.plain(text.UNDER_18_ADULT_NOTE))


def ask_media_answer(error: UnderEighteenMediaError) -> tuple[bool, bool] | None:
    """(sensitive, not_intimate) for images in an under-18 case, asked on a terminal; None: stop."""
    from evidencekit.cli.conversation import ask_choice
    from evidencekit.intake.safeguard import examples

    question = text.MEDIA_QUESTION.format(count=len(error.findings), examples=examples(error.findings))
    output.say(output.plain(text.UNDER_18_ALREADY))
    answer = ask_choice(
        question,
        [
            Choice(text.WIZARD_YES, text.MEDIA_YES_LABEL),
            Choice(text.WIZARD_NO, text.MEDIA_NO_LABEL),
            Choice(text.STOP_WORD, text.MEDIA_STOP_LABEL),
        ],
    )
    if answer == text.WIZARD_YES:
        output.note(output.plain(text.MEDIA_BY_REFERENCE))
        return True, False
    if answer == text.WIZARD_NO:
        return False, True
    return None


def ask_screen_answer() -> bool:
    """True when the person confirms the screen will show no nudity."""
    from evidencekit.cli.conversation import ask_choice

    answer = ask_choice(
        text.SCREEN_QUESTION,
        [Choice(text.WIZARD_YES, text.SCREEN_YES_LABEL), Choice(text.WIZARD_NO, text.SCREEN_NO_LABEL)],
    )
    return answer == text.WIZARD_YES
