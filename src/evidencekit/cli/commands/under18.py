"""under-18: say, after the case was made, that someone shown was (or may have been) under 18."""

from __future__ import annotations

from typing import Annotated

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

ANSWERS = {"yes": "yes", "no": "no", "not-sure": "not-sure", "not sure": "not-sure", "unsure": "not-sure"}


@command("under-18", order=12, panel=COLLECT)
def under_18(
    answer: Annotated[
        str,
        typer.Argument(
            help="yes, no or not-sure: was anyone shown in the images under 18 when they were taken?",
            metavar="ANSWER",
            show_default=False,
        ),
    ],
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record whether anyone shown was under 18, when it was not known as the case was made.

    From then on no image or video is copied into the case without an explicit answer.

    The report then leaves out previews and the text read from pictures.

    The guide shows the services made for under-18s first.

    "not-sure" counts as yes. Once yes, it cannot be taken back.

    Example:  evidencekit under-18 not-sure --case my-case
    """
    from evidencekit.case.flags import set_under_18
    from evidencekit.cli import output
    from evidencekit.errors import InvalidValueError
    from evidencekit.guide import text
    from evidencekit.guide.wizard import copied_media

    stored = ANSWERS.get(answer.strip().lower())
    if stored is None:
        raise InvalidValueError(
            f"“{answer}” is not an answer evidencekit knows.",
            hint="Use yes, no or not-sure, e.g. evidencekit under-18 not-sure",
        )
    the_case = open_case(case)
    done = set_under_18(the_case, stored)
    copied = copied_media(the_case) if stored != "no" else []
    if json:
        output.print_json(
            {
                "flag": done.name,
                "previous": done.previous,
                "value": done.value,
                "changed": done.changed,
                "copied_media": [str(item["id"]) for item in copied],
            }
        )
        return
    output.recovered(done.recovered)
    if not done.changed:
        output.note(text.UNDER_18_ALREADY if done.value else text.UNDER_18_ALREADY_NO)
        return
    if stored == "no":
        output.success("Recorded: nobody shown was under 18.")
        output.note(output.plain(text.UNDER_18_ADULT_NOTE))
        return
    output.success("Recorded: someone shown was, or may have been, under 18.")
    output.say(output.plain(text.UNDER_18_THANKS))
    output.say(output.plain(text.UNDER_18_RULES, multiline=True))
    if copied:
        output.note(output.plain(text.UNDER_18_EXISTING_MEDIA.format(count=len(copied))))
    output.note(output.plain(text.SERVICES_HINT))
