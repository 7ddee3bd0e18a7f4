"""Asking questions in a terminal: the wizard's Conversation, and the few questions other commands ask.

One question at a time, the possible answers listed in words (and numbers, for speed), the default
said in words. Typing "skip" or "stop" (or pressing Ctrl-D) is understood at every question. Nothing
is conveyed by colour alone and nothing counts down. Questions are only asked when the keyboard is a
terminal; callers check `interactive()` first.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from evidencekit.cli import output
from evidencekit.guide import text
from evidencekit.guide.wizard import Choice, Line, OptionSpec, SkipStep, StopWizard


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
    def console(self):  # the current stdout console (--plain may have replaced it)
        return output.stdout

    def _out(self, markup: str = "", indent: int = 0) -> None:
        """One paragraph: word-wrapped (with its indent kept) on a terminal, one line when piped."""
        console = output.stdout
        if not markup or not console.is_terminal:
            console.print(" " * indent + markup)
            return
        from rich.padding import Padding
        from rich.text import Text

        console.print(Padding(Text.from_markup(markup), (0, 0, 0, indent)), soft_wrap=False)

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
        output.problem(message, hint)

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
        return answer

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
                return answer
            if default is not None:
                return default
            if optional:
                return ""
            self._out(output.plain(text.TYPE_AN_ANSWER))

    @contextlib.contextmanager
    def progress(self, description: str) -> Iterator[Callable[..., None]]:
        with output.progress_bar(description, total=0) as update:
            yield update


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


class CliCommands:
    """The wizard's ExtraCommands: evidencekit's own commands, found in this build and run for real.

    Commands from other parts of evidencekit (offender, payment, action) are looked up by name, and
    their options read from the command itself, so the wizard offers them as soon as they exist and
    asks only for options they really have. They run as `python -m evidencekit …` in this terminal,
    inside their own error boundary, and print their own results.
    """

    def _command(self, path: Sequence[str]):
        """The command at `path` (e.g. ("offender", "add")), or None. Duck-typed: typer vendors click."""
        import typer

        from evidencekit.cli.app import _load_commands, app

        _load_commands()
        command = typer.main.get_command(app)
        ctx = command.make_context("evidencekit", [], resilient_parsing=True)
        for name in path:
            if not hasattr(command, "get_command"):
                return None
            command = command.get_command(ctx, name)
            if command is None:
                return None
        return command

    def available(self, path: Sequence[str]) -> bool:
        return self._command(path) is not None

    def options(self, path: Sequence[str]) -> dict[str, OptionSpec]:
        command = self._command(path)
        specs: dict[str, OptionSpec] = {}
        for param in getattr(command, "params", []):
            if getattr(param, "param_type_name", "") != "option" or param.name in (
                None,
                "case",
                "json",
                "help",
            ):
                continue
            long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
            choices = _choices_of(param)
            if param.is_flag and param.secondary_opts:
                specs[param.name] = OptionSpec(param.name, long, "switch", off_flag=param.secondary_opts[0])
            elif param.is_flag:
                continue
            elif choices:
                specs[param.name] = OptionSpec(param.name, long, "choice", tuple(map(str, choices)))
            else:
                specs[param.name] = OptionSpec(param.name, long, "text")
        return specs

    def run(self, path: Sequence[str], args: Sequence[str], case_root: Path) -> int:
        sys.stdout.flush()
        env = dict(os.environ)
        env["EVIDENCEKIT_CASE"] = str(case_root)
        done = subprocess.run([sys.executable, "-m", "evidencekit", *path, *args], env=env, check=False)
        return done.returncode


def _choices_of(param) -> tuple[str, ...]:
    """The allowed values of an option declared with an Enum or a Literal (else none)."""
    import enum
    import typing

    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return tuple(str(member.value) for member in candidate)
        if typing.get_origin(candidate) is typing.Literal:
            return tuple(str(value) for value in typing.get_args(candidate))
    choices = getattr(getattr(param, "type", None), "choices", None)  # plain click.Choice
    return tuple(map(str, choices)) if choices else ()
