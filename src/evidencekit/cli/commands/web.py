"""archive-urls: archive recorded web addresses (WARC, screenshot, PDF) while they are online.

The rendering helpers here are also used by `add-url --archive` (cli/commands/urls.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

ARCHIVE_FORMAT = "evidencekit-archive-urls/1"
_STEPS = {"fetching": "Downloading the page", "rendering": "Opening it in the browser", "saving": "Saving"}

CookiesOption = Annotated[
    Path | None,
    typer.Option(
        "--cookies",
        help="A cookies.txt file exported from your browser, to archive a page you can only see "
        "logged in. Used for this fetch only; never stored in the case.",
        show_default=False,
    ),
]
InvalidCertOption = Annotated[
    bool,
    typer.Option(
        "--accept-invalid-certificate",
        help="Archive an https page even if its security certificate is not valid (this is recorded).",
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option(help="Seconds to wait for the site to connect or send more data.", min=1, max=600),
]
MaxSizeOption = Annotated[
    float,
    typer.Option("--max-size", help="Largest page to download, in MB (more is cut off, and marked).", min=1),
]
MaxCaptureOption = Annotated[
    float,
    typer.Option(
        "--max-capture",
        help="Most to download for one capture, in MB: the page and all it loads (what is left out is "
        "listed).",
        min=1,
    ),
]


NotIntimateOption = Annotated[
    bool,
    typer.Option(
        "--not-intimate",
        help="You confirm the page shows no nudity. Needed to archive pages in a case where someone "
        "shown was under 18; recorded with the capture.",
    ),
]


def archive_options(
    cookies: Path | None,
    accept_invalid_certificate: bool,
    timeout: float = 30.0,
    max_size: float = 50.0,
    not_intimate: bool = False,
    max_capture: float = 250.0,
) -> Any:
    """ArchiveOptions from the command-line options (imports kept lazy for start-up time)."""
    from evidencekit.web.archive import ArchiveOptions
    from evidencekit.web.fetch import MB, FetchOptions

    fetch = FetchOptions(
        timeout=timeout,
        total_timeout=max(120.0, timeout * 4),
        max_bytes=int(max_size * MB),
        verify_tls=not accept_invalid_certificate,
    )
    return ArchiveOptions(
        fetch=fetch,
        cookies_file=cookies,
        browser_timeout=max(60.0, timeout * 2),
        not_intimate=not_intimate,
        max_capture_bytes=int(max_capture * MB),
    )


def before_archiving(url_record: Mapping[str, Any], cookies: Path | None) -> None:
    """Say what to expect before a page of a login-walled platform is fetched."""
    from evidencekit.cli import output
    from evidencekit.web.archive import login_advice

    advice = login_advice(url_record.get("platform"))
    if advice and cookies is None:
        output.note(output.plain(advice))


def progress_for(update: Any, url_id: str | None = None) -> Any:
    def on_step(*args: str) -> None:
        step = args[-1]
        label = _STEPS.get(step, step)
        update(list(_STEPS).index(step) if step in _STEPS else 0, f"{url_id or args[0]}: {label}")

    return on_step


def render_capture(result: Any) -> None:
    """Tell the person what was archived, and anything they should know about it.

    The page's title, the server's reason phrase and its certificate's names come from the website:
    each is shown through plain(), like everything read from the case."""
    from evidencekit.cli import output
    from evidencekit.cli.output import LONG_LIMIT, human_size, plain

    item = result.item
    capture = item["web_capture"]
    status = plain(capture["status"])
    output.success(
        f"Archived {plain(result.url_id)} as {plain(item['id'])} ({plain(item['file_count'])} files, "
        f"{human_size(item['size'])}) in {plain(item['bag_path'])}/"
    )
    output.say(f"  Address:      {plain(capture['requested_url'], limit=LONG_LIMIT)}")
    if capture["final_url"] != capture["fetched_url"]:
        output.say(f"  Redirected to: {plain(capture['final_url'], limit=LONG_LIMIT)}")
    output.say(
        f"  Server said:  {status} {plain(capture.get('reason') or '')}   IP address: {plain(capture['ip'])}"
    )
    if capture.get("title"):
        output.say(f"  Page title:   {plain(capture['title'])}")
    tls = capture.get("tls")
    if tls:
        checked = "valid" if tls.get("verified") else "NOT valid (archived anyway, as you asked)"
        leaf = (tls.get("chain") or [{}])[0]
        output.say(
            f"  Certificate:  {checked}; issued to {plain(str(leaf.get('subject', '?')))} "
            f"by {plain(str(leaf.get('issuer', '?')))}"
        )
    traffic = capture.get("browser_traffic")
    if traffic:
        output.say(
            f"  Browser:      {plain(traffic['requests_recorded'])} downloads recorded in the WARC "
            f"({human_size(traffic['bytes_received'])})"
            + (", incomplete: what was recorded is kept" if capture.get("incomplete") else "")
        )
    files = ", ".join(f["path"] for f in item["files"])
    output.say(f"  Files:        {plain(files)}")
    if result.wacz:
        output.say(f"  For replay:   {plain(result.wacz)} (WACZ: opens offline in ReplayWeb.page or pywb)")
    elif result.wacz_problem:
        output.warn(
            plain(
                f"The copy for replay (WACZ) was not made: {result.wacz_problem}. The capture itself is "
                f"saved; to make it later, run: evidencekit wacz {item['id']}",
                limit=LONG_LIMIT,
            )
        )
    for problem in capture["errors"]:
        output.warn(plain(problem["message"]))


def render_failure(url_id: str, error: Any) -> None:
    from evidencekit.cli import output

    hint = f" {error.hint}" if error.hint else ""
    output.warn(
        output.plain(f"{url_id} could not be archived: {error.message}{hint}", limit=output.LONG_LIMIT)
    )


def capture_json(result: Any) -> dict[str, Any]:
    return {
        "url_id": result.url_id,
        "item": result.item,
        "wacz": result.wacz,
        "wacz_problem": result.wacz_problem,
    }


@command("archive-urls", order=35, panel=COLLECT)
def archive_urls(
    url_ids: Annotated[
        list[str] | None,
        typer.Argument(
            help="Which recorded addresses (U0001 …). Default: every address not archived yet.",
            show_default=False,
        ),
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Also archive addresses that were archived before.")
    ] = False,
    cookies: CookiesOption = None,
    accept_invalid_certificate: InvalidCertOption = False,
    timeout: TimeoutOption = 30.0,
    max_size: MaxSizeOption = 50.0,
    max_capture: MaxCaptureOption = 250.0,
    not_intimate: NotIntimateOption = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Archive recorded web addresses while they are still online: all the browser fetched (WARC),
    a full-page screenshot and a PDF, with the servers' IP addresses and certificates.

    This connects to the websites. Addresses recorded with --sensitive are never opened. Each
    capture is a new item; if a page cannot be fetched the others are still archived (exit 2 only
    when none could be).

    Example:  evidencekit archive-urls U0001 U0003
    """
    from evidencekit.cli import output
    from evidencekit.web import archive as web

    the_case = open_case(case)
    options = archive_options(
        cookies, accept_invalid_certificate, timeout, max_size, not_intimate, max_capture=max_capture
    )
    if cookies is not None:
        from evidencekit.web.cookies import load_cookies

        load_cookies(cookies)  # a bad cookies file is reported before anything is fetched
    if not json:
        named = {u.strip().upper() for u in url_ids or []}
        items = the_case.items()
        for record in the_case.urls():
            if record.get("sensitive"):
                continue
            if record["id"] in named or (not named and (again or not web.captures_of(items, record["id"]))):
                before_archiving(record, cookies)
    with output.progress_bar("Archiving", total=len(_STEPS), unit="steps") as update:
        batch = web.archive_urls(
            the_case, url_ids or [], again=again, options=options, progress=progress_for(update)
        )
    failed_all = bool(batch.failed) and not batch.captured
    if json:
        output.print_json(
            {
                "format": ARCHIVE_FORMAT,
                "case_id": the_case.info.id,
                "archived": [capture_json(r) for r in batch.captured],
                "failed": [
                    {"url_id": u, "code": e.code, "message": e.message, "hint": e.hint}
                    for u, e in batch.failed
                ],
                "sensitive_not_opened": batch.sensitive,
                "already_archived": batch.already,
            }
        )
        if failed_all:
            raise typer.Exit(2)
        return
    for result in batch.captured:
        if result.recovered:
            output.recovered(result.recovered)
        render_capture(result)
    for url_id in batch.sensitive:
        output.note(output.plain(web.sensitive_message(url_id).message))
    if batch.already:
        output.note(
            f"Already archived, so not fetched again: {output.plain(', '.join(batch.already))} "
            "(add --again, or name them, to make a new capture)."
        )
    for url_id, error in batch.failed:
        render_failure(url_id, error)
    if failed_all:
        output.problem(
            "Nothing could be archived. The addresses themselves are still recorded in the case.",
            "Check that this computer is online and try again later.",
        )
        raise typer.Exit(2)
    if not batch.captured and not batch.failed:
        output.say("Nothing was fetched.")
        return
    output.next_step(
        "report the accounts on the platforms and block them (after archiving), then seal: evidencekit seal"
    )
