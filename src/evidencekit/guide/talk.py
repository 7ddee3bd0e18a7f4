"""How the wizard meets the outside world: the person (a `Conversation`) and the screen.

The wizard never prints or reads the keyboard itself; the CLI gives it a Conversation that asks in
a terminal, and tests give it a scripted one. The same for the screen: `RealScreen` takes a real
screenshot, tests pass their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evidencekit.case.case import Case


class SkipStep(Exception):
    """The person chose to skip the current step."""


class StopWizard(Exception):
    """The person chose to stop; progress is saved and they can continue later."""


@dataclass(frozen=True)
class Choice:
    """One answer to a multiple-choice question: the word to type, and what it means."""

    key: str
    label: str


Line = tuple[str, str]


class Conversation(Protocol):
    """How the wizard talks to the person. Every ask may raise SkipStep or StopWizard."""

    def heading(self, text: str) -> None: ...
    def say(self, text: str) -> None: ...
    def success(self, text: str) -> None: ...
    def note(self, text: str) -> None: ...
    def problem(self, message: str, hint: str | None) -> None: ...
    def lines(self, lines: Sequence[Line]) -> None: ...
    def choose(self, question: str, choices: Sequence[Choice], default: str | None = None) -> str: ...
    def ask(self, question: str, *, default: str | None = None, optional: bool = False) -> str: ...
    def progress(self, description: str) -> contextlib.AbstractContextManager[Callable[..., None]]: ...
    def new_passphrase(self, avoid: tuple[str, ...]) -> str | None: ...


class ScreenTools(Protocol):
    def unavailable_reason(self) -> str | None: ...
    def capture(self, case: Case, *, delay: float, not_intimate: bool) -> Any: ...


class RealScreen:
    """intake.screen, for real."""

    def unavailable_reason(self) -> str | None:
        from evidencekit.intake.screen import unavailable_reason

        return unavailable_reason()

    def capture(self, case: Case, *, delay: float, not_intimate: bool) -> Any:
        from evidencekit.intake.screen import capture_screen

        return capture_screen(case, delay=delay, not_intimate=not_intimate)
