"""report: the document an officer reads first (HTML and PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.report.build import ReportResult


@command("report", order=38, panel=CHECK)
def report(
    formats: Annotated[str, typer.Option("--format", help="html, pdf, or both: html,pdf.")] = "html,pdf",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the report into this folder, outside the case (needed for a sealed case, which "
            "stays exactly as sealed).",
        ),
    ] = None,
    images: Annotated[
        bool,
        typer.Option(
            "--images/--no-images",
            help="Include previews of screenshots not marked sensitive, large enough to read (at "
            "least 480 pixels wide on screen; never of sensitive items).",
        ),
    ] = True,
    max_messages: Annotated[
        int,
        typer.Option(
            "--max-messages", help="Show at most this many chat messages in the timeline (the key ones)."
        ),
    ] = 500,
    all_messages: Annotated[
        bool,
        typer.Option("--all-messages", help="Show every chat message in the timeline (slow for big chats)."),
    ] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Make a report for the police: accounts, payments, timeline, exhibits with their hashes.

    Stored in the case as data/derived/report/report.html and report.pdf. Intimate images are never
    shown: sensitive items appear only as hashes. A sealed case is reopened, the report added and
    the case sealed again (a new fingerprint; the earlier seal stays checkable); to leave a sealed
    case exactly as it is, write the report outside it with --out FOLDER.

    Example:  evidencekit report --out ~/Desktop/police-report
    """
    from evidencekit.cli import output
    from evidencekit.report.build import build_report

    if out is not None:
        from evidencekit.cli.commands._destinations import output_folder

        out = output_folder(out, "--out", "the report")
    the_case = open_case(case)
    steps = [0]
    with output.progress_bar("Making the report", total=8, unit="steps") as update:

        def on_step(text: str) -> None:
            steps[0] += 1
            update(steps[0], text)

        result = build_report(
            the_case,
            formats=[formats],
            out=out,
            images=images,
            max_messages=None if all_messages else max_messages,
            progress=on_step,
        )
    if json:
        output.print_json(
            {
                "format": "evidencekit-report/1",
                "case_id": the_case.info.id,
                "inside_case": result.inside_case,
                "files": [
                    {
                        "format": f.format,
                        "path": str(f.path),
                        "bag_path": f.bag_path,
                        "sha256": f.sha256,
                        "size": f.size,
                    }
                    for f in result.files
                ],
                "sealed": result.sealed,
                "fingerprint": result.fingerprint,
                "resealed_from": result.resealed_from,
                "pdf_problem": result.pdf_problem,
                "messages_total": result.messages_total,
                "messages_shown": result.messages_shown,
                "exhibits": result.exhibits,
                "withheld": result.withheld,
                "previews": result.thumbnails,
            }
        )
        return
    _render(result, the_case, images)


def _render(result: ReportResult, the_case: Case, images: bool) -> None:
    from evidencekit.case.seal import group_fingerprint
    from evidencekit.cli import output
    from evidencekit.cli.output import human_size, plain

    output.recovered(result.recovered)
    where = "into the case" if result.inside_case else "outside the case"
    output.success(f"Report written {where}:")
    for file in result.files:
        shown = file.bag_path or str(file.path)
        output.say(f"  {plain(shown)}  ({human_size(file.size)}, sha256 {file.sha256[:12]}…)")
    if result.pdf_problem:
        output.warn(plain(result.pdf_problem))
    parts = [f"{result.exhibits} exhibit{'s' if result.exhibits != 1 else ''}"]
    if result.withheld:
        parts.append(f"{result.withheld} withheld (hashes only, never shown)")
    if result.messages_total:
        if result.messages_shown < result.messages_total:
            parts.append(
                f"{result.messages_shown} of {result.messages_total} chat messages in the timeline "
                "(the rest are in the transcripts; --all-messages shows every one)"
            )
        else:
            parts.append(f"all {result.messages_total} chat messages in the timeline")
    if result.thumbnails:
        parts.append(f"{result.thumbnails} screenshot preview{'s' if result.thumbnails != 1 else ''}")
    output.say("  " + "; ".join(parts) + ".")
    if images and result.thumbnails:
        output.note(
            "The report shows previews, large enough to read, of screenshots you did not mark as "
            "sensitive. If any of them shows intimate content, make the report again with --no-images."
        )
    for path in result.earlier_files_kept:
        output.note(
            f"{plain(path)} from an earlier report is still in the case "
            "(nothing is ever deleted from a case)."
        )
    if result.resealed_from:
        output.say("\nThe case was sealed again. [bold]New seal fingerprint[/bold] (write it down):")
        output.say(f"\n    [bold]{group_fingerprint(result.fingerprint or '')}[/bold]\n")
        output.say(
            f"The earlier seal ({plain(result.resealed_from[:16])}…) is kept in seal/history/ "
            "and can still be checked."
        )
    elif result.sealed and not result.inside_case:
        output.say(
            f"  It describes the sealed case with fingerprint {group_fingerprint(result.fingerprint or '')}."
        )
    if not result.sealed:
        output.next_step(
            "seal the case (evidencekit seal), then give the police the case folder, "
            "its fingerprint and this report."
        )
    else:
        output.next_step("give the police the case folder, the seal fingerprint and this report.")


__all__ = ["report"]
