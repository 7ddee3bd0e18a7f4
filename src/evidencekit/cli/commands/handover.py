"""open: decrypt an encrypted hand-over, unpack the case folder safely, and verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import JsonOption


@command("open", order=55, panel=CHECK)
def open_(
    archive: Annotated[Path, typer.Argument(help="The encrypted hand-over (.tar.age).", show_default=False)],
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Folder to unpack the case folder into. Default: the archive's folder."),
    ] = None,
    identity: Annotated[
        Path | None,
        typer.Option(
            "--identity", "-i", help="The age key file that opens the archive (if not a passphrase)."
        ),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="For scripts: the passphrase, in a file."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Open an encrypted hand-over: decrypt it, unpack the case folder, and verify it.

    Nothing is left behind if the passphrase is wrong or the archive is damaged.

    Example:  evidencekit open EK-20261128-7F3K2Q.tar.age --to ~/cases
    """
    from evidencekit.cli import output
    from evidencekit.cli.commands.verify import _render
    from evidencekit.cli.passphrases import asker
    from evidencekit.errors import ExitCode
    from evidencekit.handover.opening import passphrase_needed
    from evidencekit.verify.archive import open_archive

    if to is not None:  # before the passphrase question and the decryption, not after them
        from evidencekit.cli.commands._destinations import output_folder

        to = output_folder(to, "--to", "the case folder")
    ask = asker(passphrase_file)
    what = passphrase_needed(archive, identity)
    if what is not None:
        answer = ask(what)
        ask = lambda _what: answer  # noqa: E731 - asked once, before the progress bar starts
    destination = to if to is not None else archive.resolve().parent
    with output.progress_bar("Decrypting", total=0) as update:
        result = open_archive(
            archive,
            destination,
            identity_file=identity,
            ask_passphrase=ask,
            progress=lambda done, total: update(done, total=total),
        )
    report = result.report
    if json:
        payload = report.to_json()
        payload["case_folder"] = str(result.case_folder)
        output.print_json(payload)
    else:
        folder = output.plain(str(result.case_folder))
        output.success(
            f"Opened {output.plain(archive.name)}: the case folder is {folder} "
            f"({result.files} files, {output.human_size(result.bytes)})."
        )
        _render(report)
        if report.ok:
            output.next_step(
                "look at the case with: evidencekit status --case " + output.plain(str(result.case_folder))
            )
    if not report.ok:
        raise typer.Exit(int(ExitCode.PROBLEMS_FOUND))
