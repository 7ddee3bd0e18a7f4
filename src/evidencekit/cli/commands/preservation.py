"""preservation: the facts for the police's preservation and disclosure requests, as CSV."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.story.preservation import Preservation


@command("preservation", order=39, panel=CHECK)
def preservation(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Save the sheets as CSV in this file (outside the case) instead of printing."
        ),
    ] = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Write preservation-request sheets: per platform, the accounts, conversations and times.

    One CSV row per offender account per platform: its IDs, username, profile link, phone and
    e-mail, the conversations it is in (with the export's thread or channel ID, where it has one),
    the UTC times of their first and last messages, and the items they come from. The same sheets
    are the last section of the report. Nothing is sent: an officer uses them to ask a platform
    to keep (and later hand over) the account's data.

    Example:  evidencekit preservation --out ~/Desktop/preservation-requests.csv
    """
    from evidencekit.cli import output
    from evidencekit.story.preservation import preservation_sheets
    from evidencekit.story.preservation_csv import render_csv

    if out is not None:
        from evidencekit.cli.commands._destinations import output_file

        out = output_file(out, "--out", "the preservation sheets")
    the_case = open_case(case)
    if out is not None:
        from evidencekit.cli.commands._listfile import refuse_inside_case

        refuse_inside_case(out, the_case.root, "the preservation sheets", "preservation-requests.csv")
    sheets = preservation_sheets(the_case)
    if json:
        output.print_json(_as_json(sheets))
        return
    text = render_csv(sheets)
    if out is None:
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from evidencekit.cli.commands._listfile import save_text

        save_text(out, text, "the preservation sheets")
    _summary(sheets, out)


def _summary(sheets: Preservation, out: Path | None) -> None:
    from evidencekit.cli import output
    from evidencekit.story.ocr_texts import unread_note
    from evidencekit.story.preservation import NOTHING_YET

    say = output.stderr.print
    left_out = unread_note(sheets.pictures_left_out)
    if left_out:
        say(left_out)
    if sheets.empty:
        say(NOTHING_YET)
        say("Next: record the accounts: evidencekit offender add --platform Instagram --username NAME")
        return
    accounts = sum(len(sheet.accounts) for sheet in sheets.sheets)
    if out is not None:
        output.success(
            f"Saved {len(sheets.sheets)} preservation sheet(s), {accounts} account(s), in "
            f"{output.plain(str(out))}"
        )
    for sheet in sheets.sheets:
        if not sheet.accounts:
            say(
                f"{output.plain(sheet.platform)}: no account recorded yet, only conversations or addresses "
                f"(record it: evidencekit offender add --platform {output.plain(_quoted(sheet.platform))} …)."
            )
    if sheets.unreadable_lines:
        say(f"{sheets.unreadable_lines} line(s) of the chat transcripts could not be read and were skipped.")


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text else text


def _as_json(sheets: Preservation) -> dict[str, Any]:
    return {
        "version": 1,
        "sheets": [
            {
                **asdict(sheet),
                "accounts": [
                    {**asdict(account), "first_utc": account.first_utc, "last_utc": account.last_utc}
                    for account in sheet.accounts
                ],
            }
            for sheet in sheets.sheets
        ],
        "unreadable_lines": sheets.unreadable_lines,
        "pictures_left_out": sheets.pictures_left_out,
    }
