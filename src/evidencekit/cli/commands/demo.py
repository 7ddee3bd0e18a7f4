"""demo: see what evidencekit does, on invented sample evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidencekit.cli.app import HELP_PANEL, command


@command("demo", order=90, panel=HELP_PANEL)
def demo(
    path: Annotated[
        Path | None,
        typer.Argument(help="Folder for the demo case. Default: ./evidencekit-demo", show_default=False),
    ] = None,
) -> None:
    """Build, seal and verify a case from bundled sample evidence (all invented).

    Example:  evidencekit demo
    """
    from evidencekit.case.seal import group_fingerprint
    from evidencekit.cli import output
    from evidencekit.demo import run_demo
    from evidencekit.errors import ExitCode

    output.heading("evidencekit demo: the whole job, on invented sample evidence")
    result = run_demo(path, on_step=lambda text: output.success(output.plain(text)))
    root = output.plain(str(result.case.root))
    output.say(f"\nSeal fingerprint:  [bold]{group_fingerprint(result.seal.fingerprint)}[/bold]")
    output.say(
        "\nThe case folder is a standard BagIt bag: every file has its SHA-256 in a manifest, every "
        "action is in a hash-chained custody log, and the seal is a signature anyone can check "
        "(see seal/VERIFY.txt inside it)."
    )
    output.say("\nTry:")
    output.say(f"  evidencekit status --case {root}")
    output.say(f"  evidencekit log --case {root}")
    output.say(f"  evidencekit verify {root}")
    output.say(f"  cd {root} && sha256sum -c manifest-sha256.txt")
    output.next_step("make your own case:  evidencekit new my-case")
    if not result.report.ok:
        raise typer.Exit(int(ExitCode.PROBLEMS_FOUND))
