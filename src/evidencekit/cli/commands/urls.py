"""add-url: record where things are shared online."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.commands.web import CookiesOption, InvalidCertOption, NotIntimateOption
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.intake.urls import AddUrlResult


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
    archive: Annotated[
        bool,
        typer.Option(
            "--archive",
            help="Also archive the page now: its HTTP exchange (WARC), a screenshot and a PDF. "
            "This connects to the website.",
        ),
    ] = False,
    cookies: CookiesOption = None,
    accept_invalid_certificate: InvalidCertOption = False,
    not_intimate: NotIntimateOption = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record a web address (a profile, a post, a payment link). Nothing is downloaded unless you
    add --archive (never for --sensitive addresses).

    With --archive the page is archived right away (see archive-urls); if that fails, the address
    stays recorded and the exit code is 2.

    Example:  evidencekit add-url https://www.instagram.com/someaccount/ --kind profile --archive
    """
    from evidencekit.cli import output
    from evidencekit.intake.urls import add_url as record_url

    the_case = open_case(case)
    if archive and cookies is not None and not sensitive:
        from evidencekit.web.cookies import load_cookies

        load_cookies(cookies)  # a bad cookies file is reported before anything is recorded
    result = record_url(the_case, url, kind=kind, note=note, sensitive=sensitive)
    if archive:
        _record_then_archive(
            the_case, result, sensitive, cookies, accept_invalid_certificate, json, not_intimate
        )
        return
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
        output.note(
            f"That address is already recorded as {output.plain(result.duplicate_of)}; nothing was added."
        )
        return
    _render_recorded(result.record or {})


def _render_recorded(record: dict[str, Any]) -> None:
    from evidencekit.cli import output

    _render_recorded_briefly(record)
    if record["platform"] in ("Instagram", "Facebook", "Snapchat", "TikTok", "Facebook Messenger"):
        output.note(
            "Tip: the platform's own data export (“Download your information”) is stronger "
            "evidence than screenshots; capture it too when you have it."
        )
    if record.get("sensitive"):
        output.note("Marked sensitive: evidencekit will never open this page or take a screenshot of it.")
    else:
        output.note(
            "To keep a copy of the page while it is still online: "
            f"evidencekit archive-urls {output.plain(record['id'])}"
        )
    output.next_step(
        "report the account on the platform and block it (after capturing), then seal: evidencekit seal"
    )


def _record_then_archive(
    the_case: Case,
    result: AddUrlResult,
    sensitive: bool,
    cookies: Path | None,
    accept_invalid: bool,
    json: bool,
    not_intimate: bool,
) -> None:
    """add-url --archive: the address is recorded first (that alone is useful), then archived."""
    from evidencekit.cli import output
    from evidencekit.cli.commands import web as web_cli
    from evidencekit.web.archive import archive_url, find_url, sensitive_message
    from evidencekit.web.errors import WebCaptureError

    record = result.record or find_url(the_case, result.duplicate_of or "")
    payload: dict[str, Any] = {
        "format": "evidencekit-add-url/1",
        "case_id": the_case.info.id,
        "added": result.record,
        "duplicate_of": result.duplicate_of,
        "archived": None,
        "archive_refused": None,
        "archive_error": None,
    }
    if not json:
        output.recovered(result.recovered)
        if result.duplicate_of:
            output.note(
                f"That address is already recorded as {output.plain(result.duplicate_of)}; "
                "archiving it again."
            )
        else:
            _render_recorded_briefly(record)
    if sensitive or record.get("sensitive"):
        refusal = sensitive_message(record["id"])
        if json:
            payload["archive_refused"] = {"code": refusal.code, "message": refusal.message}
            output.print_json(payload)
        else:
            output.note(output.plain(refusal.message))
        return
    if not json:
        web_cli.before_archiving(record, cookies)
    options = web_cli.archive_options(cookies, accept_invalid, not_intimate=not_intimate)
    try:
        with output.progress_bar("Archiving", total=3, unit="steps") as update:
            captured = archive_url(
                the_case, record["id"], options=options, progress=web_cli.progress_for(update, record["id"])
            )
    except WebCaptureError as exc:
        if json:
            payload["archive_error"] = {"code": exc.code, "message": exc.message, "hint": exc.hint}
            output.print_json(payload)
            raise typer.Exit(2) from None
        output.problem(f"{record['id']} is recorded, but it could not be archived: {exc.message}", exc.hint)
        raise typer.Exit(2) from None
    if json:
        payload["archived"] = web_cli.capture_json(captured)
        output.print_json(payload)
        return
    web_cli.render_capture(captured)
    output.next_step(
        "report the account on the platform and block it (after capturing), then seal: evidencekit seal"
    )


def _render_recorded_briefly(record: Mapping[str, Any]) -> None:
    from evidencekit.cli import output

    platform = record["platform"] or "a website evidencekit does not recognise"
    url = output.plain(record["url"], limit=output.LONG_LIMIT)
    output.success(f"Recorded {output.plain(record['id'])}: {url}")
    output.say(f"  Platform: {output.plain(platform)}   Kind: {output.plain(record['kind'])}")
