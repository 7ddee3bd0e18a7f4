"""verify: check that nothing in a case changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import JsonOption

if TYPE_CHECKING:
    from evidencekit.case.findings import VerifyReport


@command("verify", order=50, panel=CHECK)
def verify(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The case folder, or an encrypted hand-over (.tar.age), to check. "
            "Default: $EVIDENCEKIT_CASE, else the case you are in.",
            show_default=False,
        ),
    ] = None,
    check_originals: Annotated[
        bool,
        typer.Option(
            "--check-originals", help="Also re-hash items recorded by reference, where they still are."
        ),
    ] = False,
    identity: Annotated[
        Path | None,
        typer.Option("--identity", "-i", help="For an archive: the age key file that opens it."),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="For an archive, in scripts: the passphrase, in a file."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Check a case: every file, every record, the custody log and the seal.

    An encrypted hand-over (.tar.age) is checked as it is decrypted, without writing it to disk.
    Exit code 0 means everything checks out, 1 means problems were found, 2 means it could not check.

    Example:  evidencekit verify path/to/case --json
    """
    from evidencekit.cli import output
    from evidencekit.errors import ExitCode
    from evidencekit.verify import verify_case

    root = path if path is not None else _default_case()
    if root.is_file():
        report = verify_archive_cli(root, identity, passphrase_file)
    else:
        with output.progress_bar("Checking", total=0) as update:
            report = verify_case(
                root, progress=lambda done, total: update(done, total=total), check_originals=check_originals
            )
    if json:
        output.print_json(report.to_json())
    else:
        _render(report)
    if not report.ok:
        raise typer.Exit(int(ExitCode.PROBLEMS_FOUND))


def _default_case() -> Path:
    """The case verify checks when none is named: the one other commands would work on."""
    from evidencekit.case.case import find_case
    from evidencekit.errors import NotACaseError

    named = os.environ.get("EVIDENCEKIT_CASE")
    if named:
        return Path(named)
    try:
        return find_case(None).root
    except NotACaseError as exc:
        raise NotACaseError(
            exc.message,
            hint="Name it: evidencekit verify FOLDER (or a .tar.age file), or cd into the case folder.",
        ) from None


def verify_archive_cli(archive: Path, identity: Path | None, passphrase_file: Path | None) -> VerifyReport:
    """Verify an encrypted hand-over: ask for the passphrase first (if needed), then stream it."""
    from evidencekit.cli import output
    from evidencekit.cli.passphrases import asker
    from evidencekit.handover.opening import passphrase_needed
    from evidencekit.verify.archive import verify_archive

    ask = asker(passphrase_file)
    what = passphrase_needed(archive, identity)
    if what is not None:
        answer = ask(what)
        ask = lambda _what: answer  # noqa: E731 - asked once, before the progress bar starts
    with output.progress_bar("Decrypting and checking", total=0) as update:
        return verify_archive(
            archive,
            identity_file=identity,
            ask_passphrase=ask,
            progress=lambda done, total: update(done, total=total),
        )


NOTES_OF_A_KIND = 5


def _render(report: VerifyReport) -> None:
    from rich.table import Table

    from evidencekit.case.seal import group_fingerprint
    from evidencekit.cli import output
    from evidencekit.cli.output import LONG_LIMIT, human_size, plain

    archive = report.details.get("archive")
    if archive and report.case_id is None:  # heading() shows its text through plain()
        output.heading(f"Encrypted archive {archive['path']}")
    else:
        output.heading(
            f"Case {report.case_id or '(unknown)'}" + (f" — {report.title}" if report.title else "")
        )
    if archive and report.case_id is not None:
        output.say(f"  in the encrypted archive {plain(archive['path'])} ({human_size(archive['size'])})")
    shown = [f for f in report.findings if f.severity != "info" or not report.ok]
    problems = [f for f in report.findings if f.severity != "info"]
    if problems:
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("Severity")
        table.add_column("Code")
        table.add_column("What was found", overflow="fold")
        for finding in shown:
            if finding.severity == "info":
                continue
            # Messages quote what the case holds (a name, a line of a manifest): each is cut at
            # LONG_LIMIT characters, so even a 4 MB line takes Rich no time to lay out.
            table.add_row(
                plain(finding.severity.upper()), plain(finding.code), plain(finding.message, limit=LONG_LIMIT)
            )
        output.stdout.print(table)
    # A note per item (each item's trusted time, say) would bury the verdict in a big case: a few
    # of each kind are shown, and how many more there are; --json lists every one.
    shown_of_code: dict[str, int] = {}
    for finding in report.findings:
        if finding.severity == "info":
            shown_of_code[finding.code] = shown_of_code.get(finding.code, 0) + 1
            if shown_of_code[finding.code] <= NOTES_OF_A_KIND:
                output.note(plain(finding.message, limit=LONG_LIMIT))
    for code, count in shown_of_code.items():
        if count > NOTES_OF_A_KIND:
            more = count - NOTES_OF_A_KIND
            output.note(f"… and {more} more like these ({code}); evidencekit verify --json lists each one.")
    checked = f"{report.checked_files} evidence files ({human_size(report.checked_bytes)}) checked"
    if report.ok:
        sealed = "sealed and signed" if report.sealed else "not sealed yet"
        output.success(f"[bold]Verified:[/bold] nothing has changed. {checked}; the case is {sealed}.")
        if report.sealed and report.fingerprint:
            output.say(f"  Seal fingerprint: {plain(group_fingerprint(report.fingerprint))}")
            output.say("  Compare it with the fingerprint you were given when the case was sealed.")
    else:
        count = len(report.errors)
        where = (
            "The encrypted archive was damaged or changed, or does not hold a case (see above)."
            if all(f.code.startswith("archive-") for f in report.errors)
            else "Something in the case was changed, added or removed after it was recorded (see above)."
        )
        plural = "s" if count != 1 else ""
        output.say(f"[bold]✗ NOT VERIFIED: {count} problem{plural} found.[/bold] {checked}. {where}")
