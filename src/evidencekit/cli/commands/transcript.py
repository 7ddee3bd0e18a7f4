"""transcript: show or save a chat export's transcript, or make it again."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Annotated, Any

import typer

from evidencekit.cli.app import LOOK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

FORMATS = ("text", "jsonl", "csv", "html")


@command("transcript", order=62, panel=LOOK)
def transcript(
    item: Annotated[
        str, typer.Argument(metavar="ITEM", help="The chat export's item id, e.g. E0002.", show_default=False)
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", help="text, jsonl, csv or html. Default: text, or what --out ends with."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Save to this file (outside the case) instead of printing.")
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Make the transcript again from the stored export (a logged change)."),
    ] = False,
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order", help="Remake it reading dates as dmy (14/03/2024), mdy (03/14/2024) or ymd."
        ),
    ] = None,
    export_timezone: Annotated[
        str | None,
        typer.Option(
            "--export-timezone",
            "--chat-timezone",
            help="Remake it reading times written without a zone in this zone (e.g. Europe/London).",
        ),
    ] = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Show a chat export's transcript: every message with its time, sender and attachments.

    The transcript was made when the export was captured (data/derived/ITEM/). --date-order or
    --export-timezone (or --rebuild) make it again from the stored export; that is logged, and the
    export itself is never changed.

    Example:  evidencekit transcript E0002 --format html --out alex-chat.html
    """
    from evidencekit.cli import output
    from evidencekit.errors import InvalidValueError
    from evidencekit.exports import service

    kind = _format_for(format, out)
    if kind not in FORMATS:
        raise InvalidValueError(
            f"“{format}” is not a transcript format.", hint="Use text, jsonl, csv or html."
        )
    if out is not None:  # before a rebuild changes the case for a file that cannot be written
        from evidencekit.cli.commands._destinations import output_file

        out = output_file(out, "--out", "the transcript")
    the_case = open_case(case)
    _refuse_unread_picture(the_case, item)
    if rebuild or date_order or export_timezone:
        export, warnings = service.rebuild(
            the_case, item, {"date_order": date_order, "export_timezone": export_timezone}
        )
        for message in warnings:
            output.warn(output.plain(message))
        if export.get("transcript"):
            output.stderr.print(
                f"Made the transcript of {output.plain(service.item_id(item))} again: "
                f"{output.plain(export.get('messages'))} messages (logged in the custody log)."
            )
    record = service.find_item(the_case, item)
    path = service.transcript_path(the_case, record)
    if json and out is None and kind == "text":
        kind = "jsonl"
    _write(path, kind, out, the_case.root)
    if out is not None:
        output.success(
            f"Saved the transcript of {output.plain(record['id'])} as {kind.upper()} "
            f"in {output.plain(str(out))}"
        )


def _refuse_unread_picture(the_case: Any, item: str) -> None:
    """A chat screenshot's transcript (read by OCR) is not shown when story.ocr_texts' one rule
    leaves the picture out: the case is marked under 18 and it is not confirmed to show no nudity."""
    from evidencekit.errors import InputFileError
    from evidencekit.exports import service
    from evidencekit.story.ocr_texts import unread_note, unread_pictures

    record = service.find_item(the_case, item)
    if str(record.get("id")) in unread_pictures(the_case, the_case.items()):
        raise InputFileError(
            f"{record['id']}: {unread_note(1)}",
            hint="A chat export's transcript is always shown; evidencekit status lists the items.",
        )


def _format_for(format: str | None, out: Path | None) -> str:
    if format:
        return format.lower()
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        if suffix in ("jsonl", "csv", "html"):
            return suffix
        if suffix == "htm":
            return "html"
    return "text"


class _ForReading:
    """A text stream for reading on screen: what a chat export's sender wrote (or a case's editor)
    reaches the terminal through output.inert, so an escape sequence or a bidi override in a
    message is shown, not acted on. Line breaks are kept; nothing is cut (it is the transcript)."""

    def __init__(self, target: IO[str]) -> None:
        self._target = target

    def write(self, text: str) -> int:
        from evidencekit.cli.output import inert

        self._target.write(inert(text, multiline=True, limit=None))
        return len(text)


def _write(path: Path, kind: str, out: Path | None, case_root: Path) -> None:
    """Render to stdout, or to `out` through a temporary file renamed into place (never into the
    case folder), so memory stays flat and a half-written file is never left behind.

    Text on stdout is for reading, so it is made safe to show; CSV, HTML and JSONL are exact when
    piped (data for another program) and made safe only on a terminal. --out is always exact."""
    import contextlib
    import os
    import sys

    from evidencekit.case import safepath
    from evidencekit.case.atomic import storage_errors, temp_path_beside
    from evidencekit.errors import InputFileError
    from evidencekit.exports import renderings
    from evidencekit.exports import transcript as t
    from evidencekit.exports.transcript_html import render_html

    if out is not None:
        real_out, real_case = out.absolute().resolve(), case_root.resolve()
        if real_out == real_case or real_case in real_out.parents:
            raise InputFileError(
                "The transcript cannot be saved inside the case folder (only evidencekit writes there).",
                hint="Give a file outside the case, e.g. --out ~/Desktop/transcript.html",
            )
        if out.is_dir():
            raise InputFileError(f"{out} is a folder.", hint="Give a file name, e.g. --out transcript.html")

    relative = path.relative_to(case_root).as_posix()

    def render(target: Any) -> None:
        # Through the case's one door: the manifest check read it there, never via a link.
        with os.fdopen(safepath.open_regular(case_root, relative), "rb") as stream:
            if kind == "jsonl":
                for line in stream:
                    target.write(line.decode("utf-8"))
                return
            header, messages = t.read_transcript(stream)
            {"text": renderings.render_text, "csv": renderings.render_csv, "html": render_html}[kind](
                header, messages, target
            )

    if out is None:
        if (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") != "utf8":
            with contextlib.suppress(AttributeError, ValueError):
                sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        for_reading = kind == "text" or sys.stdout.isatty()
        try:
            render(_ForReading(sys.stdout) if for_reading else sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    with storage_errors("saving the transcript"):
        temp = temp_path_beside(out.absolute())
        try:
            with open(temp, "w", encoding="utf-8", newline="") as fh:
                render(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, out)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
