"""seal and reopen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.case.seal import SealResult
    from evidencekit.handover.archive import HandoverResult
    from evidencekit.handover.keys import RecipientKey
    from evidencekit.handover.timestamp import Timestamper, TsaOutcome


@command("seal", order=40, panel=CHECK)
def seal(
    case: CaseOption = None,
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help="Also write an encrypted copy to hand over (age format): to --recipient keys, "
            "or to a passphrase (asked for, or --passphrase-file).",
        ),
    ] = False,
    recipient: Annotated[
        list[str] | None,
        typer.Option(
            "--recipient",
            "-r",
            help="The police's public key (age1… or ssh-ed25519 …) to encrypt to. "
            "Repeatable; implies --encrypt.",
        ),
    ] = None,
    recipients_file: Annotated[
        Path | None,
        typer.Option("--recipients-file", help="A file of public keys, one per line (age's format)."),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="For scripts: encrypt to the passphrase in this file."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the encrypted files. Default: beside the case folder."),
    ] = None,
    tsa: Annotated[
        list[str] | None,
        typer.Option(
            "--tsa",
            help="Ask this RFC 3161 time-stamping authority (URL) to time-stamp the seal. Repeatable. "
            "The only option of seal that uses the network.",
        ),
    ] = None,
    tsa_ca: Annotated[
        list[Path] | None,
        typer.Option(
            "--tsa-ca", help="The TSA's root certificate (PEM), if this computer does not trust it."
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Seal the case: sign it so that any later change can be detected, and get its fingerprint.

    Write the fingerprint down (or e-mail it to yourself); the police can check it matches.
    With --encrypt, also write an encrypted copy to hand over; with --tsa, get a trusted timestamp.

    Example:  evidencekit seal --encrypt --tsa https://freetsa.org/tsr
    """
    from evidencekit.case.seal import seal_case
    from evidencekit.cli import output

    if out is not None:  # before the seal and the passphrase question, not after them
        from evidencekit.cli.commands._destinations import output_folder

        out = output_folder(out, "--out", "the encrypted copy")
    the_case = open_case(case)
    recipients = _recipients(recipient or [], recipients_file)
    encrypt = encrypt or bool(recipients) or passphrase_file is not None or out is not None
    passphrase = None
    if encrypt and (passphrase_file is not None or not recipients):
        from evidencekit.cli.passphrases import new_passphrase

        passphrase = new_passphrase(passphrase_file, (the_case.info.id, the_case.info.title))
    timestamper = _timestamper(tsa or [], tsa_ca or [])
    result = seal_case(the_case, timestamper)
    if result.already_sealed and timestamper is not None:
        from evidencekit.handover.timestamp import add_timestamps

        add_timestamps(the_case, timestamper)
    handover = None
    if encrypt:
        from evidencekit.errors import EvidenceKitError, ExitCode
        from evidencekit.handover.archive import write_handover

        try:
            with output.progress_bar("Encrypting", total=0) as update:
                handover = write_handover(
                    the_case,
                    out if out is not None else the_case.root.resolve().parent,
                    recipients=recipients,
                    passphrase=passphrase,
                    progress=lambda done, total: update(done, total=total),
                )
        except KeyboardInterrupt:
            # The seal is already saved: "the case is as it was" would not be true.
            stopped = EvidenceKitError(
                "Stopped. The case is sealed, but the encrypted copy was not finished.",
                hint="Run the same command again to write the encrypted copy.",
            )
            stopped.exit_code = ExitCode.INTERRUPTED
            raise stopped from None
    del passphrase
    outcomes = timestamper.outcomes if timestamper is not None else []
    if json:
        output.print_json(_seal_json(result, outcomes, handover))
        return
    _render_seal(the_case, result, outcomes, handover)


def _recipients(values: list[str], recipients_file: Path | None) -> list[RecipientKey]:
    from evidencekit.handover.keys import parse_recipient, read_recipients_file

    keys = [parse_recipient(value) for value in values]
    if recipients_file is not None:
        keys += read_recipients_file(recipients_file)
    return keys


def _timestamper(urls: list[str], ca_files: list[Path]) -> Timestamper | None:
    if not urls:
        return None
    from evidencekit.errors import InputFileError
    from evidencekit.handover.timestamp import Timestamper

    certificates = []
    for path in ca_files:
        try:
            certificates.append(path.read_bytes())
        except OSError as exc:
            raise InputFileError(f"The certificate file {path} cannot be read ({exc.strerror}).") from None
    return Timestamper(urls, certificates)


def _seal_json(
    result: SealResult, outcomes: list[TsaOutcome], handover: HandoverResult | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "format": "evidencekit-seal-result/1",
        "case_id": result.case_id,
        "fingerprint": result.fingerprint,
        "signer_key_fingerprint": result.key_fingerprint,
        "sealed_at": result.sealed_at,
        "already_sealed": result.already_sealed,
    }
    if outcomes:
        payload["timestamps"] = [
            {"tsa_url": o.url, "ok": o.ok, "message": o.message, "time": o.gen_time, "tsa": o.tsa}
            for o in outcomes
        ]
    if handover is not None:
        payload["handover"] = {
            "archive": str(handover.archive),
            "checksum_file": str(handover.checksum_file),
            "key_file": str(handover.key_file) if handover.key_file else None,
            "how_to": str(handover.how_to),
            "sha256": handover.sha256,
            "size": handover.size,
            "recipients": list(handover.recipients),
            "passphrase": handover.passphrase,
            "left_out": list(handover.left_out),
            "recipient_fingerprints": list(handover.recipient_fingerprints),
            "stale_removed": list(handover.stale_removed),
            "stale_left": list(handover.stale_left),
        }
    return payload


def _render_seal(
    the_case: Case, result: SealResult, outcomes: list[TsaOutcome], handover: HandoverResult | None
) -> None:
    from evidencekit.case.seal import group_fingerprint
    from evidencekit.cli import output

    output.recovered(result.recovered)
    if result.already_sealed:
        output.note(f"Case {output.plain(result.case_id)} was already sealed; the seal was not changed.")
    else:
        output.success(f"Sealed case {output.plain(result.case_id)}.")
    output.say("\n[bold]Seal fingerprint[/bold] (write it down, or e-mail it to yourself):")
    output.say(f"\n    [bold]{group_fingerprint(result.fingerprint)}[/bold]\n")
    output.say(
        "Anyone can check the case against this fingerprint, with or without evidencekit "
        "(see seal/VERIFY.txt in the case folder)."
    )
    for outcome in outcomes:
        if outcome.ok:
            # The authority's name and time are read from its answer: shown, never interpreted.
            output.success(
                f"Trusted timestamp from {output.plain(outcome.tsa or outcome.url)}: "
                f"{output.plain(outcome.gen_time)}."
            )
            if outcome.message != "time-stamped":
                output.warn(output.plain(outcome.message) + ".")
        else:
            output.warn(
                f"The time-stamping authority {output.plain(outcome.url)} did not time-stamp the case: "
                f"{output.plain(outcome.message)}. The seal is complete without it; you can try again "
                "later with: evidencekit seal --tsa URL"
            )
    if handover is None:
        output.next_step(
            "give the police the whole case folder (or an encrypted copy: evidencekit seal --encrypt) and "
            "the fingerprint. To check it yourself: evidencekit verify " + output.plain(str(the_case.root))
        )
        return
    _render_handover(handover)


def _render_handover(handover: HandoverResult) -> None:
    from evidencekit.cli import output
    from evidencekit.cli.output import human_size, plain

    verb = "Replaced the earlier hand-over" if handover.replaced else "Wrote the encrypted hand-over"
    output.success(f"{verb} in {plain(str(handover.archive.parent))}:")
    names = [handover.archive, handover.checksum_file]
    if handover.key_file is not None:
        names.append(handover.key_file)
    names.append(handover.how_to)
    for path in names:
        output.say(f"    {plain(path.name)}")
    output.say(f"  ({human_size(handover.size)}; {handover.files} files of the case inside)")
    if handover.left_out:
        output.note(
            "Left out, because they are not part of the case: " + plain(", ".join(handover.left_out)) + "."
        )
    output.say("")
    output.say(
        f"[bold]Hand over all {len(names)} files together.[/bold] "
        f"{plain(handover.how_to.name)} tells the police how to open and check them."
    )
    if handover.passphrase:
        output.say(
            "[bold]Give the passphrase separately[/bold]: by phone or in person, never in the same e-mail, "
            "folder or USB stick as the files. Nobody can recover a lost passphrase."
        )
    if handover.recipients:
        output.say("It opens with the secret key of: " + plain(", ".join(handover.recipients)))
        pairs = zip(handover.recipient_fingerprints, handover.recipients, strict=True)
        ssh = [fingerprint for fingerprint, key in pairs if fingerprint != key]
        if ssh:
            shown = plain(", ".join(ssh))
            output.say(f"  (SSH key fingerprints, as ssh-keygen -lf KEY.pub shows them: {shown})")
    if handover.stale_removed:
        output.note(
            f"Removed {len(handover.stale_removed)} unfinished file(s) left there by an earlier hand-over "
            "that was stopped before it could tidy up."
        )
    for left in handover.stale_left:
        output.warn("An unfinished hand-over file was left where it is: " + plain(left) + ".")
    output.next_step("to check the encrypted copy: evidencekit verify " + plain(str(handover.archive)))


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
    output.success(
        f"Reopened case {output.plain(result.case_id)}. "
        f"The earlier seal is kept in {output.plain(result.history_folder)}/."
    )
    output.note(
        "Anyone you gave the earlier fingerprint to can still check it; "
        "when you seal again you get a new one."
    )
    output.next_step("capture what you need to add, then: evidencekit seal")
