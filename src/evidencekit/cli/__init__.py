"""The command-line interface: the only part of evidencekit that prints, prompts or exits.

`main` is a tiny wrapper so that importing this package stays cheap: worker processes started
with "spawn" re-import the console script's module, and they should not pay for Typer and Rich.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (see cli/app.py)."""
    from evidencekit.cli.app import main as run

    run(argv)
