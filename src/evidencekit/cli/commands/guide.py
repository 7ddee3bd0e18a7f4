"""guide: what to do, which steps this case has done, and who can help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from evidencekit.cli.app import HELP_PANEL, command
from evidencekit.cli.options import CaseOption, JsonOption

if TYPE_CHECKING:
    from pathlib import Path

    from evidencekit.case.case import Case

GUIDE_FORMAT = "evidencekit-guide/1"


@command("guide", order=85, panel=HELP_PANEL)
def guide(
    country: Annotated[
        str | None,
        typer.Option(
            help="Your country, by name or two-letter code, for the right helplines: GB (or UK), "
            "US, IN, DE, France… Default: the case's country."
        ),
    ] = None,
    age_group: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="Whose services to show: under-18 or adult. Default: from the case's under-18 answer, "
            "else both.",
        ),
    ] = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """The advice checklist (with what this case has done) and the helplines and reporting routes.

    Emergency numbers come first. Inside a case folder (or with --case) each step says whether it
    is done, read from the case's records, and so does each place to report it (`report-to`,
    `action`). Works offline: the directory is part of evidencekit.

    Example:  evidencekit guide --country GB
    """
    from evidencekit.cli import output
    from evidencekit.guide.checklist import build_checklist
    from evidencekit.guide.directory import routes_for_answer
    from evidencekit.guide.render import guide_lines

    the_case = _case_if_any(case)
    if country is None and the_case is not None:
        country = the_case.info.country
    if age_group is None and the_case is not None:
        flag = the_case.info.flags.get("under_18")
        age_group = None if flag is None else ("under-18" if flag else "adult")
    routes = routes_for_answer(country, age_group)
    steps = build_checklist(
        the_case, under_18=None if routes.age_group is None else routes.age_group == "under-18"
    )
    from evidencekit.guide.route_steps import route_steps

    ticked = route_steps(the_case, routes) if the_case is not None else []
    if json:
        output.print_json(
            {
                "format": GUIDE_FORMAT,
                "case_id": the_case.info.id if the_case else None,
                "checklist": [step.to_json() for step in steps],
                "route_checklist": [step.to_json() for step in ticked],
                **routes.to_json(),  # with the entries' age, as the text output warns of it
            }
        )
        return
    from evidencekit.cli.conversation import TerminalConversation

    lines = guide_lines(steps, routes, has_case=the_case is not None, route_steps=ticked)
    TerminalConversation().lines(lines)


def _case_if_any(case: Path | None) -> Case | None:
    """The case named or found here, or None: the guide is useful without a case too."""
    from evidencekit.case.case import Case, find_case
    from evidencekit.errors import NotACaseError

    if case is not None:
        return Case(case)
    try:
        return find_case(None)
    except NotACaseError:
        return None
