"""The command-line interface: the only part of evidencekit that prints, prompts or exits.

`main` is a tiny wrapper so that importing this package stays cheap: worker processes started
with "spawn" re-import the console script's module, and they should not pay for Typer and Rich.

It is also the outermost error boundary. Importing Typer, Rich and the commands takes a large part
of a second, before any command's own boundary (`guarded` in app.py) exists; Ctrl-C then must not
print a Python traceback at someone who has just pressed it because they changed their mind. Nothing
has been read or written at that point, so "Stopped." is the whole truth.

What no code of ours can catch: a Ctrl-C while Python itself starts, before it reaches this module.
Before Python installs its own handler for Ctrl-C the process simply ends (a shell shows nothing;
the exit status is that of SIGINT, -2 to Python's subprocess); while Python's start-up imports its
`site` module it prints its own traceback. Both windows are a few hundredths of a second.
"""

from __future__ import annotations

import sys
from typing import NoReturn

STOPPED = "Stopped."
INTERRUPTED = 130  # ExitCode.INTERRUPTED, not imported: evidencekit.errors is not loaded yet


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (see cli/app.py)."""
    try:
        from evidencekit.cli.app import main as run

        run(argv)
    except KeyboardInterrupt:
        # Only a Ctrl-C outside every command reaches here (commands have their own boundary,
        # which says what happened to the case): while Typer, Rich and the commands are imported.
        _stopped()


def _stopped() -> NoReturn:
    """Say "Stopped." and end with 130, even if Ctrl-C is pressed again meanwhile."""
    for _attempt in range(3):
        try:
            _ignore_further_interrupts()
            try:
                sys.stderr.write(STOPPED + "\n")
                sys.stderr.flush()
            except (OSError, ValueError, AttributeError):
                pass  # no terminal left to tell (stderr closed or None): the exit code says it
            break
        except KeyboardInterrupt:
            continue  # pressed again before the handler was replaced: try once more
    raise SystemExit(INTERRUPTED)


def _ignore_further_interrupts() -> None:
    import contextlib
    import signal

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no signals: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)
