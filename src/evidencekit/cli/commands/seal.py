"""seal and reopen."""

from __future__ import annotations

from typing import Annotated

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("seal", order=40, panel=CHECK)
def seal(case: CaseOption = None, json: JsonOption = False) -> None:
    """Seal the case: sign it so that any later change can be detected, and get its fingerprint.

    Write the fingerprint down (or e-mail it to yourself); the police can check it matches.

    Example:  evidencekit seal
    """
    from evidencekit.case.seal import group_fingerprint, seal_case
    from evidencekit.cli import output

    the_case = open_case(case)
    result = seal_case(the_case)
    if json:
        output.print_json(
            {
                "format": "evidencekit-seal-result/1",
                "case_id": result.case_id,
                "fingerprint": result.fingerprint,
                "signer_key_fingerprint": result.key_fingerprint,
                "sealed_at": result.sealed_at,
                "already_sealed": result.already_sealed,
            }
        )
        return
    output.recovered(result.recovered)
    if result.already_sealed:
        output.note(f"Case {result.case_id} was already sealed; nothing was changed.")
    else:
        output.success(f"Sealed case {result.case_id}.")
    output.say("\n[bold]Seal fingerprint[/bold] (write it down, or e-mail it to yourself):")
    output.say(f"\n    [bold]{group_fingerprint(result.fingerprint)}[/bold]\n")
    output.say(
        "Anyone can check the case against this fingerprint, with or without evidencekit "
        "(see seal/VERIFY.txt in the case folder)."
    )
    output.next_step(
        "give the police the whole case folder (or an encrypted copy) and the fingerprint. "
        "To check it yourself: evidencekit verify " + output.plain(str(the_case.root))
    )


@command("reopen", order=45, panel=CHECK)
def reopen(
    reason: Annotated[
        str | None, typer.Option(help="Why the case is reopened (kept in the custody log).")
    ] = None,
    case: CaseOption = None,
) -> None:
    """Reopen a sealed case to add more. Logged; the next seal replaces this one.

    The earlier seal is kept in seal/history/ and can still be checked.

    Example:  evidencekit reopen --reason "new messages arrived"
    """
    from evidencekit.case.seal import reopen_case
    from evidencekit.cli import output

    result = reopen_case(open_case(case), reason=reason)
    output.recovered(result.recovered)
    output.success(f"Reopened case {result.case_id}. The earlier seal is kept in {result.history_folder}/.")
    output.note(
        "Anyone you gave the earlier fingerprint to can still check it; "
        "when you seal again you get a new one."
    )
    output.next_step("capture what you need to add, then: evidencekit seal")
