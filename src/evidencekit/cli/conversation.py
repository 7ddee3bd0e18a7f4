"""Asking questions in a terminal: the wizard's Conversation, and the few questions other commands ask.

One question at a time, the possible answers listed in words (and numbers, for speed), the default
said in words. Typing "skip" or "stop" (or pressing Ctrl-D) is understood at every question. Nothing
is conveyed by colour alone and nothing counts down. Questions are only asked when the keyboard is a
terminal; callers check `interactive()` first.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from evidencekit.cli import output
from evidencekit.guide import text
from evidencekit.guide.talk import Choice, Line, SkipStep, StopWizard


def interactive() -> bool:
    """True when a person can answer questions: the keyboard and the screen are a terminal."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class TerminalConversation:
    """The wizard's Conversation, in this terminal (via Rich)."""

    def __init__(self, *, allow_skip: bool = True) -> None:
        self.allow_skip = allow_skip

    @property
    def console(self) -> Any:  # the current stdout console (--plain may have replaced it)
        return output.stdout

    def _out(self, markup: str = "", indent: int = 0, *, console: Any = None) -> None:
        """One paragraph: word-wrapped at spaces (with its indent kept) on a terminal, so no word
        is cut at the screen's edge; one line when piped, for logs and screen readers."""
        console = console or output.stdout
        if not markup or not console.is_terminal:
            console.print(" " * indent + markup)
            return
        from rich.padding import Padding
        from rich.text import Text

        console.print(
            Padding(Text.from_markup(markup), (0, 0, 0, indent)), soft_wrap=False, width=_width(console)
        )

    def heading(self, text_: str) -> None:
        self._out()
        self._out(f"[bold]{output.plain(text_)}[/bold]")

    def say(self, text_: str) -> None:
        self._out()
        for paragraph in text_.split("\n"):
            self._out(output.plain(paragraph))

    def success(self, text_: str) -> None:
        self._out(output.mark("success") + output.plain(text_))

    def note(self, text_: str) -> None:
        self._out(output.mark("note") + output.plain(text_))

    def problem(self, message: str, hint: str | None) -> None:
        """Like every problem (output.problem), but wrapped at spaces on a terminal."""
        if not output.stderr.is_terminal:
            output.problem(message, hint)
            return
        self._out(f"[bold]Problem:[/bold] {output.plain(message)}", console=output.stderr)
        if hint:
            self._out(f"[bold]What to do:[/bold] {output.plain(hint)}", console=output.stderr)

    def new_passphrase(self, avoid: tuple[str, ...]) -> str | None:
        """A new passphrase for the encrypted copy, typed twice, hidden, weak ones refused (the
        library's rule); None if none was chosen. Never echoed, logged or put in a message."""
        import getpass

        from evidencekit.handover.keys import passphrase_weakness

        self.say(text.PASSPHRASE_INTRO)
        for _ in range(3):
            try:
                first = getpass.getpass(text.PASSPHRASE_PROMPT)
                reason = passphrase_weakness(first, avoid)
                if reason:
                    self.note(text.PASSPHRASE_WEAK.format(reason=reason))
                    continue
                if getpass.getpass(text.PASSPHRASE_AGAIN) == first:
                    return first
            except EOFError:
                return None
            self.note(text.PASSPHRASE_DIFFERENT)
        self.problem(text.PASSPHRASE_NONE, text.PASSPHRASE_NONE_HINT)
        return None

    def lines(self, lines: Sequence[Line]) -> None:
        for style, line in lines:
            body = output.plain(line)
            if style == "heading":
                self._out()
                self._out(f"[bold]{body}[/bold]")
            elif style == "section":
                self._out(f"[bold]{body}[/bold]")
            elif style == "item":
                self._out(body, indent=2)
            elif style == "fingerprint":
                self._out()
                self._out(f"[bold]{body}[/bold]", indent=4)
                self._out()
            elif style == "blank":
                self._out()
            else:
                self._out(body, indent=6)

    def _read(self, prompt: str) -> str:
        try:
            answer = self.console.input(prompt)
        except EOFError:
            raise StopWizard from None
        word = answer.strip().casefold()
        if word == text.STOP_WORD:
            raise StopWizard
        if word == text.SKIP_WORD and self.allow_skip:
            raise SkipStep
        return str(answer)

    def choose(self, question: str, choices: Sequence[Choice], default: str | None = None) -> str:
        self.say(question)
        for number, choice in enumerate(choices, start=1):
            if choice.label.casefold().startswith(choice.key.casefold()):
                shown = choice.label  # "yes, someone was under 18": the word to type comes first
            else:
                shown = f"{choice.key}: {choice.label}"
            self._out(f"{number}) {output.plain(shown)}", indent=2)
        keys = [c.key for c in choices]
        if self.allow_skip:
            self._out(output.plain(text.CONTROL_HINT))
        suffix = f" [{default}]" if default else ""
        while True:
            answer = self._read(f"> {output.plain('/'.join(keys))}{output.plain(suffix)}: ").strip()
            if not answer and default:
                return default
            found = _match(answer, choices)
            if found:
                return found
            self._out(output.plain(text.TYPE_ONE_OF.format(keys=", ".join(keys))))

    def ask(self, question: str, *, default: str | None = None, optional: bool = False) -> str:
        self.say(question)
        if self.allow_skip:
            self._out(output.plain(text.CONTROL_HINT))
        while True:
            answer = self._read("> ").strip()
            if answer:
                return str(answer)
            if default is not None:
                return default
            if optional:
                return ""
            self._out(output.plain(text.TYPE_AN_ANSWER))

    @contextlib.contextmanager
    def progress(self, description: str) -> Iterator[Callable[..., None]]:
        with output.progress_bar(description, total=0) as update:
            yield update


def _width(console: Any) -> int:
    """The terminal's width now, asked of the terminal itself: a COLUMNS variable left over from
    before the window was resized (or set by a parent program) would make lines longer than the
    screen, and the terminal would then cut them in the middle of a word."""
    import os

    try:
        return max(20, os.get_terminal_size(console.file.fileno()).columns)
    except (AttributeError, OSError, ValueError):
        return int(console.width)


def _match(answer: str, choices: Sequence[Choice]) -> str | None:
    word = answer.strip().casefold()
    if not word:
        return None
    if word.isdigit() and 1 <= int(word) <= len(choices):
        return choices[int(word) - 1].key
    for choice in choices:
        if word == choice.key.casefold():
            return choice.key
    starts = [c.key for c in choices if c.key.casefold().startswith(word)]
    return starts[0] if len(starts) == 1 else None


def ask_choice(question: str, choices: Sequence[Choice]) -> str | None:
    """One question for a command that is not the wizard (e.g. capture); None if they stopped."""
    talk = TerminalConversation(allow_skip=False)
    try:
        return talk.choose(question, choices)
    except StopWizard:
        return None
