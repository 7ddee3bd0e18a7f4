"""Options shared by many commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from evidencekit.case.case import Case

CaseOption = Annotated[
    Path | None,
    typer.Option(
        "--case",
        "-C",
        envvar="EVIDENCEKIT_CASE",
        help="The case folder. Default: $EVIDENCEKIT_CASE, else the case folder you are in.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of text.")]


def open_case(case: Path | None) -> Case:
    """The case a command works on: --case, $EVIDENCEKIT_CASE, or the folder we are in."""
    from evidencekit.case.case import find_case  # imported here: the help must start fast

    return find_case(case)
