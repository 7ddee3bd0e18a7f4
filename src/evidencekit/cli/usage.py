"""Mistakes in how a command was typed, said as one calm sentence and what to do next.

click finds these before any command runs (a misspelt command, an unknown option, a missing
argument, a value it cannot use) and would print a boxed usage text. A frightened person needs
the same two lines every other problem gets: what is wrong, in words, and the one thing to try:
the command they probably meant, an example of the command, or its `-h`.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Sequence
from typing import Any

from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

_NO_SUCH_COMMAND = re.compile(r"^No such command (?P<name>'.*'|\".*\")\.")
_PATH_PROBLEM = re.compile(
    r"^(?:File|Directory|Path) (?P<name>'.*'|\".*\") (?P<what>does not exist|is not readable|is not "
    r"writable|is a directory|is a file|is not executable)\.$"
)
_QUOTED = re.compile(r"'([^']*)'")


def describe(mistake: UsageError, root: Any, argv: Sequence[str]) -> tuple[str, str]:
    """(the sentence, what to do) for a usage mistake click found in `argv`.

    `root` is the evidencekit command group: some mistakes (an option given without its value)
    come without the context of the command they were made in, which is then found in `argv`."""
    ctx = mistake.ctx
    command_path = ctx.command_path if ctx is not None else _command_path(root, argv)
    more = f"See what it can do: {command_path} -h"
    if isinstance(mistake, NoArgsIsHelpError):  # `evidencekit offender` alone: its help is shown
        names = _subcommands(ctx)
        return (
            f"`{command_path}` needs one more word saying what to do: {' or '.join(names)}.",
            _example(ctx, f"For example: {command_path} {names[0] if names else ''}".rstrip()) + f". {more}",
        )
    if isinstance(mistake, BadOptionUsage) and "requires" in mistake.message:
        return f"“{mistake.option_name}” needs a value after it.", more
    found = _NO_SUCH_COMMAND.match(mistake.message)
    if found:
        typed = _literal(found["name"])
        close = difflib.get_close_matches(typed, _subcommands(ctx), n=2, cutoff=0.6)
        if close:
            meant = " or ".join(f"{command_path} {name}" for name in close)
            hint = f"Did you mean: {meant}? All commands: {command_path} -h"
        else:
            hint = f"All commands: {command_path} -h"
        return f"“{typed}” is not a command of {command_path}.", hint
    if isinstance(mistake, NoSuchOption):
        close = sorted(mistake.possibilities or ()) or difflib.get_close_matches(
            mistake.option_name, _options(ctx), n=2, cutoff=0.6
        )
        hint = f"Did you mean {' or '.join(close)}? " if close else ""
        return (
            f"“{mistake.option_name}” is not an option of {command_path}.",
            hint + f"All of its options: {command_path} -h",
        )
    if isinstance(mistake, MissingParameter):
        return _missing(mistake, command_path, more)
    if isinstance(mistake, BadParameter):
        return _bad_value(mistake, command_path, more)
    return _sentence(mistake.format_message()), more


def _missing(mistake: MissingParameter, command_path: str, more: str) -> tuple[str, str]:
    param = mistake.param
    if param is None:
        return _sentence(mistake.format_message()), more
    if getattr(param, "param_type_name", "") == "option":
        name = max(param.opts, key=len)
    else:
        name = (param.name or "").upper()
    explained = getattr(param, "help", None)
    sentence = f"`{command_path}` needs {name}"
    sentence += f": {_lower_first(explained.rstrip('.'))}." if explained else "."
    return sentence, _example(mistake.ctx, "") + (". " if _example(mistake.ctx, "") else "") + more


def _bad_value(mistake: BadParameter, command_path: str, more: str) -> tuple[str, str]:
    found = _PATH_PROBLEM.match(mistake.message)
    if found:
        name, what = _literal(found["name"]), found["what"]
        if what == "does not exist":
            return (
                f"There is no file or folder at “{name}”.",
                "Check the spelling, or drag the file into this window to type its path.",
            )
        if what == "is not readable":
            return (
                f"evidencekit cannot read “{name}”: this computer account has no permission to read it.",
                "Check that you can open it yourself; if it belongs to another account, copy it into "
                "a folder of yours first and use the copy.",
            )
        return f"“{name}” {what}.", more
    hint_of = mistake.param_hint
    if hint_of is None and mistake.param is not None:
        hint_of = mistake.param.get_error_hint(mistake.ctx)  # type: ignore[arg-type]
    label = hint_of if isinstance(hint_of, str) else " / ".join(hint_of or ())
    label = label.replace("'", "")
    what = _sentence(mistake.message)
    if label:
        return f"The value given for {label} cannot be used: {_lower_first(what)}", more
    return what, more


def _example(ctx: Any, fallback: str) -> str:
    """The command's own example (the `Example:` line of its help), else `fallback`."""
    text = getattr(getattr(ctx, "command", None), "help", None) or ""
    found = re.search(r"Example:\s+(.+)", text)
    return f"For example: {found[1].strip()}" if found else fallback


def _command_path(root: Any, argv: Sequence[str]) -> str:
    """`evidencekit payment add` from the words of `argv` that name commands."""
    import typer

    words = ["evidencekit"]
    command = root
    ctx = typer.Context(root, info_name="evidencekit", resilient_parsing=True)
    for word in argv:
        if word.startswith("-") or not hasattr(command, "get_command"):
            continue
        found = command.get_command(ctx, word)
        if found is None:
            break
        words.append(word)
        command = found
    return " ".join(words)


def _subcommands(ctx: Any) -> list[str]:
    command: Any = getattr(ctx, "command", None)
    if ctx is None or not hasattr(command, "list_commands"):
        return []
    return [name for name in command.list_commands(ctx) if not command.get_command(ctx, name).hidden]


def _options(ctx: Any) -> list[str]:
    command = getattr(ctx, "command", None)
    return [opt for param in getattr(command, "params", []) for opt in getattr(param, "opts", [])]


def _literal(quoted: str) -> str:
    try:
        value = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return quoted.strip("'\"")
    return str(value)


def _sentence(text: str) -> str:
    """click's 'x' quotes as “x”, and a full stop at the end."""
    text = _QUOTED.sub(lambda m: f"“{m[1]}”", text.strip())
    return text if text.endswith((".", "?", "!")) else text + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
