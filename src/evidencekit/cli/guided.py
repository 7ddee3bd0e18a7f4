"""The guided-use parts of `capture`: asking the under-18 question, and `capture --screen`.

Kept out of the capture command's module so that command stays one readable function.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.cli import output

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.intake.screen import ScreenCaptureResult


def with_under_18_answer(
    run: Callable[[bool, bool], Any], sensitive: bool, not_intimate: bool, *, asking: bool
) -> Any:
    """Run a capture; in an under-18 case, if images need an answer, ask it on a terminal.

    Off a terminal (or with --json) the refusal stands: exit 2, a kind explanation, nothing copied.
    """
    from evidencekit.cli.conversation import interactive
    from evidencekit.intake.safeguard import UnderEighteenMediaError

    try:
        return run(sensitive, not_intimate)
    except UnderEighteenMediaError as refusal:
        if not (asking and interactive()):
            raise
        from evidencekit.cli.safeguard import ask_media_answer

        answer = ask_media_answer(refusal)
        if answer is None:
            from evidencekit.errors import InputFileError
            from evidencekit.guide import text

            raise InputFileError(text.NOTHING_CAPTURED, hint=text.GUIDE_HINT) from None
        return run(*answer)


def capture_screen_command(
    case: Case,
    paths: list[Path] | None,
    note: str | None,
    tags: list[str] | None,
    sensitive: bool,
    not_intimate: bool,
    delay: float,
    region: str | None,
    json: bool,
) -> None:
    """`capture --screen`: take the screenshot, save it, say what was saved."""
    from evidencekit.errors import InvalidValueError
    from evidencekit.guide import text
    from evidencekit.intake.safeguard import UnderEighteenScreenError
    from evidencekit.intake.screen import capture_screen, parse_region

    if paths:
        raise InvalidValueError(text.SCREEN_WITH_FILES, hint=text.SCREEN_WITH_FILES_HINT)
    if sensitive:
        raise InvalidValueError(text.SCREEN_NOT_SENSITIVE, hint=text.SCREEN_NOT_SENSITIVE_HINT)
    area = parse_region(region) if region else None

    def run(confirmed: bool) -> ScreenCaptureResult:
        if delay and not json:
            output.note(output.plain(text.SCREEN_TAKING.format(seconds=f"{delay:g}")))
        return capture_screen(
            case, delay=delay, region=area, note=note, tags=tags or [], not_intimate=confirmed
        )

    try:
        result = run(not_intimate)
    except UnderEighteenScreenError:
        from evidencekit.cli.conversation import interactive
        from evidencekit.cli.safeguard import ask_screen_answer

        if json or not interactive():
            raise
        if not ask_screen_answer():
            from evidencekit.errors import InputFileError

            raise InputFileError(text.NOTHING_CAPTURED, hint=text.GUIDE_HINT) from None
        result = run(True)
    record = result.record
    if json:
        output.print_json(
            {
                "format": "evidencekit-capture/1",
                "case_id": case.info.id,
                "added": [record],
                "duplicates": [],
                "skipped": [],
                "warnings": result.warnings,
            }
        )
        return
    output.recovered(result.recovered)
    shot = record["screen"]
    image = record.get("image") or {}
    saved = text.SCREEN_CLI_SAVED.format(
        item_id=record["id"],
        case_id=case.info.id,
        width=image.get("width", "?"),
        height=image.get("height", "?"),
        digest=record["sha256"][:12],
    )
    output.success(output.plain(saved))
    output.say(f"         → {output.plain(record['bag_path'])}")
    when = output.human_time(shot["taken_at"], case.info.zone)
    output.say("  " + output.plain(text.SCREEN_CLI_TAKEN_AT.format(when=when)))
    if shot.get("active_window_title"):
        output.say("  " + output.plain(text.SCREEN_WINDOW.format(title=shot["active_window_title"])))
    for message in result.warnings:
        output.warn(output.plain(message))
    output.next_step(output.plain(text.SCREEN_CLI_NEXT))
