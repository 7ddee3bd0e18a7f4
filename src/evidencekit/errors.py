"""One exception tree for everything evidencekit can refuse to do.

Every error carries a plain sentence for the person at the keyboard (who may be frightened and not
technical) and a hint saying what to do next. The CLI turns them into a message and an exit code in
one place; the core never prints. Messages must never contain a passphrase or key material.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes (docs/reference/exit-codes.md)."""

    OK = 0
    PROBLEMS_FOUND = 1  # verify ran and found problems
    BAD_INPUT = 2  # bad usage or input; nothing was changed
    INTERNAL_ERROR = 3  # a bug in evidencekit; nothing was changed
    INTERRUPTED = 130  # Ctrl-C; nothing was half-written


class EvidenceKitError(Exception):
    """Base class: a sentence, a hint and an exit code."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class OutputUnwritableError(EvidenceKitError):
    """What a command prints could not be written (a full disk behind `> file`, a closed pipe).

    The case is not at risk: changes are saved completely or not at all, and the core never
    prints. Only the words were lost, so this is bad input from the surroundings, not a bug."""

    def __init__(self, stream: str, reason: str, *, closed_pipe: bool = False) -> None:
        super().__init__(
            f"evidencekit could not write its {stream} ({reason}).",
            hint="If it goes to a file or a pipe, check the disk has space and the reader is still "
            "running. Run: evidencekit status, to see what the case holds.",
        )
        self.stream = stream
        self.closed_pipe = closed_pipe  # the reader (`head`, say) stopped on purpose


class NotACaseError(EvidenceKitError):
    """The folder is not an evidencekit case (or no case could be found)."""


class CaseExistsError(EvidenceKitError):
    """`new` was pointed at a folder that already holds something."""


class CaseLockedError(EvidenceKitError):
    """Another evidencekit command is changing this case right now."""


class CaseSealedError(EvidenceKitError):
    """The case is sealed; adding to it needs an explicit reopen."""


class InputFileError(EvidenceKitError):
    """A file or folder given to a command cannot be used as it is."""


class InvalidUrlError(EvidenceKitError):
    """A URL is not an http(s) web address."""


class InvalidValueError(EvidenceKitError):
    """An option has a value we cannot use (time zone, tag, kind…)."""


class StorageError(EvidenceKitError):
    """Writing to disk failed (full disk, read-only medium, permissions)."""


class SigningKeyError(EvidenceKitError):
    """The signing key cannot be created or read."""


class InterruptedAfterSaving(KeyboardInterrupt):
    """Ctrl-C arrived while a change was being saved; it waited, and the change is complete.

    A KeyboardInterrupt, so everything that stops on Ctrl-C still stops; the CLI tells the person
    that what the command had started saving was saved, not that nothing was."""
