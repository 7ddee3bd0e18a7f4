"""add-url: record where things are shared online."""

from __future__ import annotations

from typing import Annotated

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("add-url", order=30, panel=COLLECT)
def add_url(
    url: Annotated[
        str,
        typer.Argument(help="The web address, copied from the browser's address bar.", show_default=False),
    ],
    note: Annotated[
        str | None, typer.Option(help="What this link is, e.g. “the account that threatened me”.")
    ] = None,
    kind: Annotated[str, typer.Option(help="profile, content, conversation, payment or other.")] = "other",
    sensitive: Annotated[
        bool,
        typer.Option(
            "--sensitive", help="The page shows intimate images: record the address only, never open it."
        ),
    ] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record a web address (a profile, a post, a payment link). Nothing is downloaded.

    Example:  evidencekit add-url https://www.instagram.com/someaccount/ --kind profile
    """
    from evidencekit.cli import output
    from evidencekit.intake.urls import add_url as record_url

    the_case = open_case(case)
    result = record_url(the_case, url, kind=kind, note=note, sensitive=sensitive)
    if json:
        output.print_json(
            {
                "format": "evidencekit-add-url/1",
                "case_id": the_case.info.id,
                "added": result.record,
                "duplicate_of": result.duplicate_of,
            }
        )
        return
    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(f"That address is already recorded as {result.duplicate_of}; nothing was added.")
        return
    record = result.record
    platform = record["platform"] or "a website evidencekit does not recognise"
    output.success(f"Recorded {record['id']}: {output.plain(record['url'])}")
    output.say(f"  Platform: {output.plain(platform)}   Kind: {record['kind']}")
    if record["platform"] in ("Instagram", "Facebook", "Snapchat", "TikTok", "Facebook Messenger"):
        output.note(
            "Tip: the platform's own data export (“Download your information”) is stronger "
            "evidence than screenshots; capture it too when you have it."
        )
    output.next_step(
        "report the account on the platform and block it (after capturing), then seal: evidencekit seal"
    )
