"""report-to: record a report to a platform (what, where, the ticket number) and, later, its answer."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.commands.story import AtOption, _json_result, _render_messages
from evidencekit.cli.options import CaseOption, JsonOption, open_case


class Answer(str, Enum):
    """What the platform did (story.reports.OUTCOMES is the same list for the library)."""

    removed = "removed"
    refused = "refused"
    pending = "pending"


@command("report-to", order=35, panel=COLLECT)
def report_to(
    platform: Annotated[
        str,
        typer.Argument(
            metavar="PLATFORM",
            help="Where you reported it: Instagram, Snapchat, the website's host, StopNCII, CEOP…",
            show_default=False,
        ),
    ],
    item: Annotated[
        list[str] | None,
        typer.Option("--item", help="An item you reported, e.g. E0001 (repeatable)."),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option("--url", help="A web address you reported, e.g. U0001 (repeatable)."),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option("--ref", help="The ticket or case number the platform gave you."),
    ] = None,
    outcome: Annotated[
        Answer | None,
        typer.Option(
            "--outcome",
            case_sensitive=False,
            help="The platform's answer to an earlier report: removed, refused or pending.",
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report", help="Which earlier report the answer is for, e.g. A0002 (if it has no --ref)."
        ),
    ] = None,
    at: AtOption = None,
    note: Annotated[str | None, typer.Option(help="Anything else, e.g. what the platform said.")] = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record a report to a platform, and later what it answered.

    Say what you reported (--item, --url) and keep the ticket number (--ref). When the answer comes,
    run it again with --outcome: the report is never changed, the answer is added to it.

    Example:  evidencekit report-to Instagram --item E0001 --url U0001 --ref 123 --at "2026-03-15 10:30"
    """
    from evidencekit.errors import InvalidValueError
    from evidencekit.story.reports import OUTCOME_LABELS, add_outcome, add_report

    the_case = open_case(case)
    if outcome is None:
        if report:
            raise InvalidValueError(
                "--report says which report an answer is for, and no answer was given.",
                hint="Add --outcome removed, refused or pending.",
            )
        result = add_report(the_case, platform, items=item or [], urls=url or [], ref=ref, at=at, note=note)
    else:
        if item or url:
            raise InvalidValueError(
                "--item and --url say what a report was about; an answer cannot change that.",
                hint="To report more, record a new report: evidencekit report-to PLATFORM --item E0002",
            )
        result = add_outcome(the_case, platform, outcome.value, ref=ref, report_id=report, at=at, note=note)
    if _json_result("report-to", the_case, result, json):
        return
    from evidencekit.cli import output

    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(f"That is already recorded as {output.plain(result.duplicate_of)}; nothing was added.")
        return
    record = result.record or {}
    if outcome is None:
        named = [*record.get("items", []), *record.get("urls", [])]
        line = f"Recorded report {output.plain(record['id'])} to {output.plain(record['to'])}"
        if named:
            line += f" of {output.plain(', '.join(named))}"
        if record.get("ref"):
            line += f", reference {output.plain(record['ref'])}"
    else:
        line = (
            f"Recorded {output.plain(record['id'])}: {output.plain(record['to'])} answered report "
            f"{output.plain(record['report'])}: {OUTCOME_LABELS[record['outcome']]}"
        )
    output.success(line + ".")
    _render_messages(result)
    output.next_step("see what is still open:  evidencekit status")
