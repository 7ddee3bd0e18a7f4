"""capture: bring files and folders into the case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.commands.timestamp import TsaOption
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("capture", order=20, panel=COLLECT)
def capture(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files and folders to capture (screenshots, chat exports, documents…).", show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="A note kept with the items, e.g. “threat sent on Instagram”.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="A label for the items (repeatable).")
    ] = None,
    sensitive: Annotated[
        bool,
        typer.Option(
            "--sensitive",
            help="Intimate images or video: record them by reference (hashes and facts only), never copied.",
        ),
    ] = False,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Override the detected kind: screenshot, image, video, audio, chat-export, document, other."
        ),
    ] = None,
    skip_problems: Annotated[
        bool,
        typer.Option(
            "--skip-problems",
            help="Capture a folder even if some entries in it cannot be read (they are listed).",
        ),
    ] = False,
    # ---- chat exports (evidencekit.exports) ----
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order",
            help="How a chat export writes dates, when it cannot tell: dmy (14/03/2024), mdy (03/14/2024) "
            "or ymd.",
        ),
    ] = None,
    export_timezone: Annotated[
        str | None,
        typer.Option(
            "--export-timezone",
            "--chat-timezone",
            help="Time zone of the phone that made a chat export (e.g. Europe/London), for exports that "
            "write times without one. Default: the case's.",
        ),
    ] = None,
    # ---- end of chat-export options ----
    # ---- the under-18 safeguard and screen capture, asked here so no one is sent to find a flag ----
    not_intimate: Annotated[
        bool,
        typer.Option(
            "--not-intimate",
            help="You confirm the images show no nudity (e.g. chat screenshots). Needed, or --sensitive, "
            "for images and video in a case where someone shown was under 18; recorded with the items.",
        ),
    ] = False,
    screen: Annotated[
        bool,
        typer.Option("--screen", help="Take a screenshot of the whole screen now and save it as an item."),
    ] = False,
    delay: Annotated[
        float,
        typer.Option(help="With --screen: seconds to wait first, to bring the conversation to the front."),
    ] = 0,
    region: Annotated[
        str | None,
        typer.Option(help="With --screen: only this part of the screen, X,Y,WIDTH,HEIGHT in pixels."),
    ] = None,
    # ---- end of the guided-use options ----
    timestamp: Annotated[
        bool,
        typer.Option(
            "--timestamp",
            help="Also get a trusted time (RFC 3161) for each new item from a time-stamping authority "
            "(uses the network; never by default).",
        ),
    ] = False,
    tsa: TsaOption = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Save files and folders into the case: copied byte for byte, with their SHA-256.

    The originals are only read, never changed. A file already in the case is reported, not stored
    twice. Use --sensitive for intimate images: they are hashed where they are and NOT copied.
    With --screen, takes a screenshot of the screen instead (--delay 5 gives you time to switch).

    Example:  evidencekit capture Screenshot_2026-03-14.png "WhatsApp Chat with Alex.zip" --note "threats"
    """
    from evidencekit.cli import output
    from evidencekit.exports.enrich import check_options
    from evidencekit.intake.files import capture as capture_items

    check_options({"date_order": date_order, "export_timezone": export_timezone})
    stamping = None
    if timestamp or tsa:  # --tsa alone asks for it too; the TSA's certificate file is read first
        from evidencekit.cli.commands.timestamp import tsa_client

        stamping = tsa_client(tsa or [], [])
    the_case = open_case(case)
    if screen and stamping is not None:
        from evidencekit.errors import InvalidValueError

        raise InvalidValueError(
            "--timestamp does not go with --screen.",
            hint="Take the screenshot first, then run: evidencekit timestamp",
        )
    if screen:
        from evidencekit.cli.guided import capture_screen_command
        from evidencekit.intake.screen import backend

        backend()  # no screen here: said at once, not after announcing a countdown or asking anything

        capture_screen_command(the_case, paths, note, tag, sensitive, not_intimate, delay, region, json)
        return
    if delay or region:
        from evidencekit.errors import InvalidValueError

        raise InvalidValueError(
            "--delay and --region go with --screen.", hint="Add --screen, or leave them out."
        )

    def run(sensitive: bool, not_intimate: bool) -> Any:  # intake.files.CaptureResult
        with output.progress_bar("Capturing", total=0) as update:

            def on_progress(p: Any) -> None:  # intake.files.CaptureProgress
                update(p.done_bytes, p.current, total=p.total_bytes)

            return capture_items(
                the_case,
                paths or [],
                note=note,
                tags=tag or [],
                sensitive=sensitive,
                kind=kind,
                skip_problems=skip_problems,
                progress=on_progress,
                not_intimate=not_intimate,
                enricher_options={"date_order": date_order, "export_timezone": export_timezone},
            )

    from evidencekit.cli.guided import with_under_18_answer

    result = with_under_18_answer(run, sensitive, not_intimate, asking=not json)
    from evidencekit.exports.service import options_not_applied  # an export saved before: say so

    result.warnings.extend(
        options_not_applied(
            the_case, result.duplicates, {"date_order": date_order, "export_timezone": export_timezone}
        )
    )
    stamped = None
    if stamping is not None and result.added:  # the items are saved first: a TSA cannot lose them
        from evidencekit.cli.commands.timestamp import stamp_new_items

        stamped = stamp_new_items(the_case, stamping, [str(item["id"]) for item in result.added])
    if json:
        from evidencekit.cli.commands.timestamp import result_json

        output.print_json(
            {
                "format": "evidencekit-capture/1",
                "case_id": the_case.info.id,
                "added": result.added,
                "duplicates": [{"path": p, "existing_id": i} for p, i in result.duplicates],
                "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
                "warnings": result.warnings,
                **({"timestamps": result_json(stamped)} if stamped is not None else {}),
            }
        )
        return
    output.recovered(result.recovered)
    _render(result, the_case.info.id)
    if stamped is not None:
        from evidencekit.cli.commands.timestamp import render_after_capture

        render_after_capture(stamped, the_case.info.zone)


def _render(result: Any, case_id: str) -> None:  # result: intake.files.CaptureResult
    from evidencekit.cli import output
    from evidencekit.cli.output import human_size, plain

    if result.added:
        count = len(result.added)
        output.success(f"Saved {count} item{'s' if count != 1 else ''} in case {plain(case_id)}:")
        for item in result.added:
            if item.get("file_count") is not None:
                size = f"{item['file_count']} files, {human_size(item['size'])}"
                digest = f"tree {item['tree_sha256'][:12]}…"
            else:
                size = human_size(item["size"])
                digest = f"sha256 {item['sha256'][:12]}…"
            how = "recorded by reference (not copied)" if item["by_reference"] else item["bag_path"]
            output.say(
                f"  {plain(item['id'])}  {plain(item['kind']):<11} {plain(item['original_name'])}  "
                f"({plain(size)}, {plain(digest)})"
            )
            output.say(f"         → {plain(how)}", markup=True)
            export = item.get("export") or {}
            if export.get("transcript"):
                output.say(
                    f"         {plain(export['label'])}: {plain(export['messages'])} messages, "
                    f"{plain(export['sender_count'])} sender(s) → evidencekit transcript {plain(item['id'])}"
                )
    for path, existing in result.duplicates:
        output.note(f"{plain(path)} is already in the case as {plain(existing)}, so it was not stored again.")
    for skipped in result.skipped:
        output.warn(f"Left out {plain(skipped.path)}: {plain(skipped.reason)}.")
    for message in dict.fromkeys(result.warnings):
        output.warn(plain(message))
    if result.added and any(item["by_reference"] for item in result.added):
        output.note(
            "Items recorded by reference stay where they are: keep the originals safe and do not "
            "delete them. Their hashes prove what they were without anyone making a copy."
        )
    if not result.added and not result.duplicates:
        output.say("Nothing was captured.")
        return
    output.next_step(
        "capture more, record the web addresses where things were shared "
        "(evidencekit add-url URL), then seal the case (evidencekit seal)."
    )
