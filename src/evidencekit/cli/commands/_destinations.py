"""Where a command is told to write (--out, --to): checked before anything is done.

A person types `--out ~/Desktop/report.html` on a computer with no ~/Desktop (a server, or a
desktop that is called something else in their language). Creating that folder silently would put
the file where their file manager never shows it; failing later says "Writing to disk failed",
which sounds like a broken disk. So the folder a file goes into must exist; a folder to write
into may be new (it is created), but the folder holding it must exist. Checked first, so that a
seal, a passphrase question or a long decryption never happens for nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from evidencekit.case.names import display_name
from evidencekit.errors import InputFileError


def output_file(path: Path, option: str, what: str) -> Path:
    """`path` (a file to write, `what` in words) with `~` expanded; its folder must exist."""
    path = path.expanduser()
    _folder_must_exist(path.absolute().parent, option, what, example=path.name)
    return path


def output_folder(path: Path, option: str, what: str) -> Path:
    """`path` (a folder to write `what` into, made if needed) with `~` expanded; the folder
    holding it must exist."""
    path = path.expanduser()
    absolute = path.absolute()
    if absolute.exists() and not absolute.is_dir():
        raise InputFileError(
            f"{_shown(absolute)} is a file, not a folder, so {what} cannot be written into it.",
            hint=f"Give a folder with {option}.",
        )
    if not absolute.exists():
        _folder_must_exist(absolute.parent, option, what, example=path.name)
    return path


def _folder_must_exist(folder: Path, option: str, what: str, example: str) -> None:
    if folder.is_dir():
        return
    missing = folder
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent  # name the first folder that is not there, not a deeper one
    if missing.exists():  # there, but a file (or something else) where a folder should be
        raise InputFileError(
            f"{_shown(missing)} is a file, not a folder, so {what} cannot be written there.",
            hint=f"Give another place with {option}, e.g. {option} {_home_example(example)}",
        )
    raise InputFileError(
        f"The folder {_shown(missing)} does not exist, so {what} cannot be written there.",
        hint=f"Check the spelling, or create that folder first, or give another place, "
        f"e.g. {option} {_home_example(example)}",
    )


def _home_example(name: str) -> str:
    return os.path.join("~", name)


def _shown(path: Path) -> str:
    return display_name(str(path))
