"""start: the calm, step-by-step guide (the wizard), for a person at a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidencekit.cli.app import COLLECT, command
from evidencekit.cli.options import CaseOption

if TYPE_CHECKING:
    from pathlib import Path

    from evidencekit.case.case import Case


@command("start", order=5, panel=COLLECT)
def start(case: CaseOption = None) -> None:
    """A calm, step-by-step guide: make a case, save the evidence, seal it, and see who can help.

    One question at a time: the evidence, the accounts, payments, your own account of what
    happened, what you have already done, then the report, the seal and an encrypted copy for the
    police. Type "skip" to skip a step or "stop" to stop. Everything you save is kept, and running
    it again in the same folder continues where you left off. It needs a terminal; in scripts, use
    new, capture, add-url, report and seal directly.

    Example:  evidencekit start
    """
    import typer

    from evidencekit.cli import output
    from evidencekit.cli.conversation import TerminalConversation, interactive
    from evidencekit.errors import EvidenceKitError, ExitCode
    from evidencekit.guide import text
    from evidencekit.guide.talk import StopWizard
    from evidencekit.guide.wizard import Wizard

    if not interactive():
        raise EvidenceKitError(text.WIZARD_NEEDS_TERMINAL, hint=text.WIZARD_NEEDS_TERMINAL_HINT)
    the_case = _case_if_any(case)
    wizard = Wizard(TerminalConversation(), case=the_case)
    try:
        wizard.run()
    except (StopWizard, KeyboardInterrupt) as stop:
        wizard.save()  # keep what was done, whatever stopped us
        output.say()
        output.say(output.plain(text.WIZARD_STOPPED))
        if wizard.case is not None:
            output.say(output.plain(text.WIZARD_STOPPED_CASE.format(path=wizard.case.root)))
        if isinstance(stop, KeyboardInterrupt):
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def _case_if_any(case: Path | None) -> Case | None:
    """The case given (--case, EVIDENCEKIT_CASE, or the folder we are in), or None to ask."""
    from evidencekit.case.case import Case, find_case
    from evidencekit.errors import NotACaseError

    if case is not None:
        return Case(case)
    try:
        return find_case(None)
    except NotACaseError:
        return None
