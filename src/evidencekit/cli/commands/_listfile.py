"""A list saved for someone else to submit (a hash list, preservation sheets): never inside the case
folder (only evidencekit's own changes write there), and never half-written."""

from __future__ import annotations

from pathlib import Path

from evidencekit.case.atomic import atomic_write_text, storage_errors
from evidencekit.errors import InputFileError


def refuse_inside_case(out: Path, root: Path, what: str, example: str) -> None:
    """Refuse `out` when it is the case folder or anything in it, or a folder."""
    real_out, real_case = out.absolute().resolve(), root.resolve()
    if real_out == real_case or real_case in real_out.parents:
        raise InputFileError(
            f"{what[:1].upper()}{what[1:]} cannot be saved inside the case folder (only evidencekit "
            "writes there).",
            hint=f"Give a file outside the case, e.g. --out ~/{example}",
        )
    if out.is_dir():
        raise InputFileError(f"{out} is a folder.", hint=f"Give a file name, e.g. --out {example}")


def save_text(out: Path, text: str, what: str) -> None:
    """Written to a temporary file beside it, flushed and renamed: never half a list."""
    with storage_errors(f"saving {what}"):
        atomic_write_text(out.absolute(), text)
