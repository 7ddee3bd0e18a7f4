"""Asking for passphrases: hidden, on the terminal only, never echoed, logged or put in a message.

Scripts give `--passphrase-file FILE` instead. The core asks through a callback (`AskPassphrase`),
so it never touches the terminal itself.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from evidencekit.errors import InvalidValueError

if TYPE_CHECKING:
    from evidencekit.handover.keys import AskPassphrase

ATTEMPTS = 3


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _no_terminal(what: str) -> InvalidValueError:
    return InvalidValueError(
        f"evidencekit needs the passphrase for {what}, but it can ask for one only in a terminal.",
        hint="Give it in a file instead: --passphrase-file FILE (and delete the file afterwards).",
    )


def asker(passphrase_file: Path | None) -> AskPassphrase:
    """A callback giving the passphrase from the file, or asking once (hidden) on the terminal."""
    if passphrase_file is not None:
        from evidencekit.handover.keys import read_passphrase_file

        value = read_passphrase_file(passphrase_file)
        return lambda what: value

    def ask(what: str) -> str:
        if not _on_terminal():
            raise _no_terminal(what)
        answer = getpass.getpass(f"Passphrase for {what} (it is not shown as you type): ", stream=sys.stderr)
        if not answer:
            raise InvalidValueError("No passphrase was typed.", hint="Run the command again and type it.")
        return answer

    return ask


def new_passphrase(passphrase_file: Path | None, avoid: tuple[str, ...]) -> str:
    """A passphrase for a new hand-over: from the file, or typed twice on the terminal; weak ones refused."""
    from evidencekit.cli import output
    from evidencekit.handover.keys import passphrase_weakness, read_passphrase_file

    if passphrase_file is not None:
        value = read_passphrase_file(passphrase_file)
        reason = passphrase_weakness(value, avoid)
        if reason:
            raise InvalidValueError(
                f"The passphrase in {passphrase_file} is too weak: {reason}.",
                hint="Choose a longer one, for example four or more unrelated words.",
            )
        return value
    if not _on_terminal():
        raise _no_terminal("the encrypted hand-over")
    output.warn(
        "Choose a passphrase for the hand-over. Nobody can recover a lost passphrase, so keep it safe, "
        "and give it to the police separately from the files (by phone or in person)."
    )
    for _ in range(ATTEMPTS):
        first = getpass.getpass("New passphrase (not shown as you type): ", stream=sys.stderr)
        reason = passphrase_weakness(first, avoid)
        if reason:
            output.warn(f"That passphrase is too weak: {reason}. Please choose another.")
            continue
        second = getpass.getpass("Type it again: ", stream=sys.stderr)
        if second != first:
            output.warn("The two passphrases were not the same. Please try again.")
            continue
        return first
    raise InvalidValueError(
        "No passphrase was chosen, so nothing was encrypted.",
        hint="Run the command again; four or more unrelated words make a good passphrase.",
    )
