"""new, status, log: making a case and looking at it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencekit.cli.app import COLLECT, LOOK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.case.records import CustodyEntry


@command("new", order=10, panel=COLLECT)
def new(
    path: Annotated[
        Path,
        typer.Argument(help="Folder to create for the case (it must not exist yet).", show_default=False),
    ],
    title: Annotated[
        str | None, typer.Option(help="A short title, e.g. “Instagram blackmail, March 2026”.")
    ] = None,
    collector: Annotated[
        str | None, typer.Option(help="Who is collecting the evidence (you, or the helper doing it for you).")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Your time zone, e.g. Europe/London. Default: this computer's."),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="Your country, by name or two-letter code, for the right helplines: United Kingdom "
            "(or GB, UK), US, India, DE…"
        ),
    ] = None,
    under_18: Annotated[
        bool | None,
        typer.Option(
            "--under-18/--no-under-18",
            help="Was anyone shown in the images under 18 when they were taken? If so, no image or "
            "video is copied into the case without an explicit answer. Asked when left out (on a terminal).",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Create a new, empty case folder.

    Example:  evidencekit new my-case --title "Instagram blackmail" --collector "Sam" --no-under-18
    """
    from evidencekit.case.case import create_case
    from evidencekit.cli import output
    from evidencekit.guide.directory import normalise_country

    # A name ("India", "United Kingdom") is understood as the guide and the wizard understand it,
    # and what is no country is refused before anything is asked or made.
    country = normalise_country(country)
    _not_inside_a_case(path)
    if under_18 is None and not json:  # the under-18 safeguard: ask, where someone can answer
        from evidencekit.cli.conversation import interactive
        from evidencekit.cli.safeguard import ask_under_18

        answer = ask_under_18() if interactive() else None
        under_18 = None if answer is None else answer != "no"
    flags = {} if under_18 is None else {"under_18": under_18}
    case = create_case(
        path, title=title, collector=collector, zone_name=timezone, country=country, flags=flags
    )
    if json:
        from evidencekit.case.summary import case_summary

        output.print_json(case_summary(case))
        return
    output.success(f"Created case [bold]{output.plain(case.info.id)}[/bold] in {output.plain(str(path))}")
    if case.info.zone:
        output.note(f"Times are recorded in UTC and shown in {output.plain(case.info.zone)}.")
    else:
        output.warn(
            "This computer's time zone has no name evidencekit can read, so only UTC offsets are "
            "recorded. Add --timezone Europe/London (your zone) next time to record it by name."
        )
    from evidencekit.cli.safeguard import explain_under_18

    explain_under_18(under_18)
    output.next_step(
        f"save your screenshots, chat exports and files into it:\n"
        f"  cd {output.plain(str(path))}\n  evidencekit capture FILE-OR-FOLDER…"
    )


def _not_inside_a_case(path: Path) -> None:
    """A case inside a case would be payload of the outer one (or an unexpected file in it): its
    own manifest and custody log would be checked as somebody's evidence, not as a case."""
    from evidencekit.case.case import Case
    from evidencekit.errors import CaseExistsError

    for folder in path.absolute().resolve().parents:
        if Case.looks_like_case(folder):
            from evidencekit.case.names import display_name

            outside = display_name(str(folder.parent / path.name))
            raise CaseExistsError(
                f"{display_name(str(path))} would be inside the case folder {display_name(str(folder))}, "
                "and a case cannot hold another case.",
                hint=f"Make the new case outside it, e.g. evidencekit new {outside}; or, to add to this "
                "case, use evidencekit capture.",
            )


@command("status", order=60, panel=LOOK)
def status(case: CaseOption = None, json: JsonOption = False) -> None:
    """Show what the case holds and whether it is sealed.

    Example:  evidencekit status --case my-case
    """
    from evidencekit.case.summary import case_summary
    from evidencekit.cli import output

    the_case = open_case(case)
    recovered = the_case.recover_if_needed()
    summary = case_summary(the_case)
    from evidencekit.guide.route_steps import routes_not_yet_taken

    summary["routes_not_yet_taken"] = [step.to_json() for step in routes_not_yet_taken(the_case)]
    if json:
        output.print_json(summary)
        return
    output.recovered(recovered)
    _render_status(summary)


def _render_status(s: dict[str, Any]) -> None:
    """The summary as lines and tables; every value in it was read from the case, so each is shown
    through plain() (a title, a name or a record can hold terminal escapes or Rich markup)."""
    from rich.table import Table

    from evidencekit.cli import output
    from evidencekit.cli.output import human_size, human_time, plain

    zone = s["zone"]
    output.heading(f"Case {s['case_id']} — {s['title']}")
    rows = [
        ("Folder", plain(s["path"])),
        (
            "Created",
            plain(human_time(s["created"], zone))
            + (f" by {plain(s['collector'])}" if s["collector"] else ""),
        ),
        ("Items", _items_line(s)),
        ("Web addresses", str(s["url_count"])),
    ]
    counts = s.get("story_counts") or {}
    if any(counts.values()):
        names = (
            ("offenders", "offender account"),
            ("payments", "payment"),
            ("notes", "note"),
            ("actions", "action"),
        )
        parts = [
            f"{counts.get(key, 0)} {word}{'s' if counts.get(key, 0) != 1 else ''}" for key, word in names
        ]
        rows.append(("Recorded", ", ".join(parts)))
    if s["sealed"]:
        from evidencekit.case.seal import group_fingerprint

        rows.append(("State", f"sealed {plain(human_time(s['sealed_at'], zone))}"))
        rows.append(("Fingerprint", plain(group_fingerprint(s["fingerprint"] or ""))))
    else:
        rows.append(("State", "open (not sealed yet)"))
    if s["interrupted_change"]:
        rows.append(("Attention", "an earlier command was interrupted; the next change will tidy it up"))
    for label, value in rows:
        output.say(f"  {label + ':':<15} {value}")

    if s["items"]:
        table = Table(title="Items", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("ID", "Kind", "Name", "Size", "SHA-256"):
            table.add_column(
                column, overflow="fold" if column == "Name" else "ellipsis", no_wrap=column != "Name"
            )
        for item in s["items"]:
            size = human_size(item["size"])
            if item["file_count"] is not None:
                size = f"{item['file_count']} files, {size}"
            size = plain(size)
            digest = (item["sha256"] or item["tree_sha256"] or "")[:16] + "…"
            kind = plain(item["kind"]) + (" (by reference)" if item["by_reference"] else "")
            table.add_row(plain(item["id"]), kind, plain(item["name"] or ""), size, plain(digest))
        output.say()
        output.stdout.print(table)
    if s.get("exports"):  # chat exports (evidencekit.exports.service)
        table = Table(title="Chat exports", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("ID", "Export", "Messages", "Senders", "First – last", "Transcript"):
            table.add_column(column, overflow="fold")
        for e in s["exports"]:
            senders = ", ".join(plain(name) for name in e["senders"][:3])
            senders += " …" if (e["sender_count"] or 0) > 3 else ""
            span = " – ".join(
                plain((t or "-")[:16].replace("T", " ")) for t in (e["first_time"], e["last_time"])
            )
            state = "made" if e["transcript"] else plain(e["status"] or "-")
            table.add_row(plain(e["id"]), plain(e["label"] or "not recognised"),
                          plain(e["messages"] or 0), senders or "-", span, state)  # fmt: skip
        output.say()
        output.stdout.print(table)
    if s["urls"]:
        table = Table(title="Web addresses", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("ID", "Platform", "Kind", "Saved copy", "Address"):
            table.add_column(column, overflow="fold")
        for url in s["urls"]:
            captures = url.get("captures") or []
            if url.get("sensitive"):
                saved = "never (sensitive)"
            elif captures:
                saved = plain(", ".join(captures))
            else:
                saved = "address only"
            table.add_row(
                plain(url["id"]),
                plain(url["platform"] or "-"),
                plain(url["kind"] or "-"),
                saved,
                plain(url["url"], limit=output.LONG_LIMIT),
            )
        output.say()
        output.stdout.print(table)
    _render_reports(s)
    if not s["sealed"]:
        output.next_step("when everything is captured, seal the case:  evidencekit seal")


def _render_reports(s: dict[str, Any]) -> None:
    """Reports and takedowns (`report-to`), what is still open, and the routes not yet taken."""
    from rich.table import Table

    from evidencekit.cli import output
    from evidencekit.cli.output import plain
    from evidencekit.story.reports import OUTCOME_LABELS

    reports = s.get("reports") or []
    if reports:
        table = Table(title="Reports and takedowns", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("ID", "To", "What", "Reference", "Answer"):
            table.add_column(column, overflow="fold")
        for r in reports:
            named = ", ".join([*r["items"], *r["urls"]]) or "-"
            table.add_row(plain(r["id"]), plain(r["to"] or r["kind"]), plain(named, limit=output.LONG_LIMIT),
                          plain(r["ref"] or "-"), OUTCOME_LABELS.get(r["outcome"], "?"))  # fmt: skip
        output.say()
        output.stdout.print(table)
    still_open = [r for r in reports if r["open"]]
    refused = [r for r in reports if r["outcome"] == "refused"]
    routes = s.get("routes_not_yet_taken") or []
    if still_open or refused:
        output.say()
        output.heading("Still to do")
        for r in [*still_open, *refused]:
            output.say(f"  • {plain(r['id'])}: {plain(r['next_step'], limit=output.LONG_LIMIT)}")
    elif reports:
        output.say("\n  Every report recorded has an answer; none is waiting.")
    if routes:
        output.say()
        output.heading("Not reported there yet")
        for step in routes:
            output.say(f"  • {plain(step['title'])}")
        output.say("  How to reach each one:  evidencekit guide")


def _items_line(s: dict[str, Any]) -> str:
    from evidencekit.cli.output import human_size, plain

    if not s["item_count"]:
        return "none yet"
    kinds = ", ".join(f"{plain(n)} {plain(k)}" for k, n in s["items_by_kind"].items())
    extra = f"; {s['items_by_reference']} recorded by reference" if s["items_by_reference"] else ""
    return f"{s['item_count']} ({kinds}{extra}), {human_size(s['total_size'])} stored"


@command("log", order=61, panel=LOOK)
def log(case: CaseOption = None, json: JsonOption = False) -> None:
    """Show the custody log: every action taken on the case, in order.

    Example:  evidencekit log
    """
    from rich.table import Table

    from evidencekit.cli import output
    from evidencekit.story.ocr_texts import unread_note

    the_case = open_case(case)
    recovered = the_case.recover_if_needed()
    entries = the_case.custody_entries()
    if json:
        output.print_json({"format": "evidencekit-log/1", "case_id": the_case.info.id, "entries": entries})
        return
    output.recovered(recovered)
    table = Table(
        show_edge=False,
        pad_edge=False,
        title=f"Custody log of {output.plain(the_case.info.id)}",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("When")
    table.add_column("Who", overflow="fold")
    table.add_column("What")
    table.add_column("Details", overflow="fold")
    unread = _pictures_not_to_show(the_case, entries)
    for entry in entries:
        # Every field was read from custody.jsonl, a file anyone holding the case can edit.
        details = entry.get("details") or {}
        if entry.get("action") == "ocr-made" and details.get("item") in unread:
            # What OCR read (a chat's name) is the picture's content: not shown, as everywhere.
            details = {"item": details.get("item"), "ocr": "(what was read is not shown)"}
        table.add_row(
            output.plain(entry.get("seq")),
            output.plain(output.human_time(entry.get("at"), the_case.info.zone)),
            output.plain(entry.get("actor", "")),
            output.plain(entry.get("action", "")),
            output.plain(_details_text(details), limit=output.LONG_LIMIT),
        )
    output.stdout.print(table)
    logged = {str((e.get("details") or {}).get("item")) for e in entries if e.get("action") == "ocr-made"}
    note = unread_note(len(logged & unread))
    if note:
        output.note(note)
    output.say(
        "\nEach line is chained to the one before it by its SHA-256; `evidencekit verify` checks the chain."
    )


def _pictures_not_to_show(case: Case, entries: list[CustodyEntry]) -> set[str]:
    """The pictures whose OCR'd text the log must not show (story.ocr_texts: the one rule)."""
    if not any(entry.get("action") == "ocr-made" for entry in entries):
        return set()
    from evidencekit.story.ocr_texts import unread_pictures

    return unread_pictures(case, case.items())


def _details_text(details: Mapping[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            value = value[:16] + "…"
        parts.append(f"{key}={value}")
    return ", ".join(parts)
