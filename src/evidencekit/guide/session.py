"""What one run of the guide holds (the conversation, the case, its progress) and the two small
helpers every step uses: a yes/no question, and an action that may be refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from evidencekit.case.case import Case
from evidencekit.clock import Clock, system_clock
from evidencekit.errors import EvidenceKitError
from evidencekit.guide import text
from evidencekit.guide.progress import Progress, ProgressStore
from evidencekit.guide.talk import Choice, Conversation, RealScreen, ScreenTools

T = TypeVar("T")


class Session:
    """The state the steps share; `Wizard` is made of this and the steps (see wizard.py)."""

    def __init__(
        self,
        talk: Conversation,
        *,
        case: Case | None = None,
        cwd: Path | None = None,
        store: ProgressStore | None = None,
        screen: ScreenTools | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.talk = talk
        self.case = case
        self.cwd = cwd or Path.cwd()
        self.store = store or ProgressStore()
        self.screen = screen or RealScreen()
        self.clock = clock
        self.progress: Progress | None = None

    @property
    def _open_case(self) -> Case:
        """The case the steps work on (every step after the first has one)."""
        assert self.case is not None
        return self.case

    def save(self) -> None:
        if self.progress is not None:
            self.store.save(self.progress)

    def _yes_no(self, question: str, default: str | None = None) -> bool:
        choices = [Choice(text.WIZARD_YES, text.WIZARD_YES), Choice(text.WIZARD_NO, text.WIZARD_NO)]
        return self.talk.choose(question, choices, default=default) == text.WIZARD_YES

    def _attempt(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one action; if evidencekit refuses it, show why and carry on with the wizard."""
        try:
            return action(*args, **kwargs)
        except EvidenceKitError as exc:
            self.talk.problem(exc.message, exc.hint)
            return None
