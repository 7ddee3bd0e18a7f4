"""ocr: read the text in the case's screenshots (those captured before OCR was available)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from evidencekit.cli.app import LOOK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("ocr", order=63, panel=LOOK)
def ocr(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM]...", help="Items to read, e.g. E0001. Default: every picture.", show_default=False
        ),
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Read pictures again even if their text was read before.")
    ] = False,
    show: Annotated[
        bool, typer.Option("--show", help="Print the text read (and the chat found) for each picture.")
    ] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Read the text in screenshots and pictures, and a chat screenshot's messages.

    Capture does this for every new screenshot when Tesseract is installed; this command does it
    for pictures captured before (a logged change). Items recorded as sensitive, and in a case
    marked under 18 every picture not confirmed to show no nudity, are never opened. The text is
    kept beside each picture (data/derived/ITEM/ocr.json and ocr.tsv, and a transcript for a chat);
    OCR makes mistakes, so every word keeps its confidence and its place in the picture.

    Example:  evidencekit ocr E0001 --show
    """
    from evidencekit.cli import output
    from evidencekit.errors import InputFileError
    from evidencekit.ocr import engine, service

    the_case = open_case(case)
    needed = again or not show or not _all_read(the_case, items or [])
    if needed and not (show and not again and the_case.is_sealed()):  # a sealed case is shown as it is
        with output.progress_bar("Reading text", total=0, unit="pictures") as bar:
            result = service.read_case(
                the_case, items or [], again=again, progress=lambda done, total, _: bar(done, "", total)
            )
        if result.unavailable is not None:
            hint = engine.platform_hint()
            raise InputFileError(
                f"The text in pictures cannot be read here, because {result.unavailable}.",
                hint=hint[0].upper() + hint[1:] + ".",
            )
        output.recovered(result.recovered)
        if json and not show:
            output.print_json(_as_json(result))
            return
        if not json:
            _say(result)
    if show:
        _show(the_case, items or [], json)


def _all_read(the_case: Any, items: list[str]) -> bool:
    from evidencekit.case import layout
    from evidencekit.ocr import outputs, service

    manifest = the_case.manifest()
    chosen = [i for i in the_case.items() if service.is_picture(i)]
    wanted = {service.item_reference(r) for r in items} if items else None
    return all(
        f"{layout.DERIVED_DIR}/{i['id']}/{outputs.JSON}" in manifest
        for i in chosen
        if wanted is None or i["id"] in wanted
    )


def _as_json(result: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "read": [r.summary() | {"item": r.item_id} for r in result.read],
        "already_read": result.already,
        "not_read": [{"item": r.item_id, "problem": r.problem} for r in result.refused + result.failed],
    }


def _say(result: Any) -> None:
    from evidencekit.cli import output

    for done in result.read:
        chat = done.chat
        if chat:
            name = output.plain(chat.get("conversation") or "someone")
            what = (
                f"a chat with {name}: {chat['messages']} message(s), {chat['sent']} sent, "
                f"{chat['received']} received"
            )
        else:
            what = f"{done.words} word(s)"
        doubt = f"; OCR confidence {done.confidence:.0f}/100" if done.confidence < 80 else ""
        output.success(f"{done.item_id}: read {what}{doubt}.")
    for item in result.refused:
        output.note(f"{item.item_id} was not opened: {output.plain(item.problem)}.")
    for item in result.failed:
        output.warn(f"{item.item_id}: no text was read: {output.plain(item.problem)}.")
    if result.already:
        output.note(
            f"{len(result.already)} picture(s) were read before ({', '.join(result.already[:8])}"
            f"{'…' if len(result.already) > 8 else ''}); add --again to read them again."
        )
    if not (result.read or result.refused or result.failed or result.already):
        output.note("This case has no screenshots or pictures to read.")
    elif result.read:
        output.say("The text is saved beside each picture and logged in the custody log.")
        output.next_step("evidencekit ocr ITEM --show prints what was read; evidencekit report shows it too.")


def _show(the_case: Any, items: list[str], json: bool) -> None:
    from evidencekit.cli import output
    from evidencekit.ocr import stored
    from evidencekit.ocr.layout import LOW_CONFIDENCE
    from evidencekit.story.ocr_texts import unread_note

    shown = stored.stored_readings(the_case, items)
    left_out = unread_note(sum(1 for s in shown if s.left_out))  # story/ocr_texts.py's one rule
    if json:
        output.print_json({"version": 1, "readings": [s.as_json() for s in shown], "left_out": left_out})
        return
    for reading in shown:
        output.heading(f"{reading.item_id} “{output.plain(reading.name)}”")
        if reading.problem:
            output.say(f"  {output.plain(reading.problem)}")
            continue
        output.say(
            f"  Read by {output.plain(reading.engine)}; confidence {reading.confidence:.0f}/100 "
            f"(lines marked ? were read with less than {LOW_CONFIDENCE:.0f}). "
            "OCR makes mistakes: check names, numbers and addresses against the picture."
        )
        if reading.messages:
            output.say(f"  Chat with {output.plain(reading.conversation or '(name not read)')}:")
            for line in reading.messages:
                output.say(f"    {output.plain(line, multiline=True, limit=None)}", markup=False)
        else:
            for line in reading.lines:
                output.say(f"    {output.plain(line, multiline=True, limit=None)}", markup=False)
    if left_out:
        output.note(left_out)
