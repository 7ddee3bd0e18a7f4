"""The `evidencekit` command: a Typer app assembled from the modules in `cli/commands/`.

This file holds the single error boundary: every command runs inside `guarded()`, which turns an
`EvidenceKitError` into a sentence, a hint and the documented exit code, Ctrl-C into a calm message
and exit 130, and anything unexpected into an apology and exit 3 (a traceback only with --debug,
never with local variables, because passphrases pass through them).

Mistakes in how a command is typed (a misspelt command, an unknown option, a missing argument) are
found by click before any command runs, so `main()` catches them too and shows them in the same
`Problem:` / `What to do:` form, exit 2, instead of click's boxed usage text (see `usage.py`).
"""

from __future__ import annotations

import copy
import functools
import importlib
import itertools
import pkgutil
import sys
import traceback
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from evidencekit._version import __version__

F = TypeVar("F", bound=Callable[..., Any])

HELP = (
    "Keep evidence of online blackmail (sextortion) safe, and hand it to the police in a form "
    "anyone can check.\n\n"
    "[bold]If this is happening to you:[/bold] it is not your fault. Don't pay, stop replying, "
    "don't delete anything. Save the evidence (this tool), report the account, block it, and "
    "contact the police.\n\n"
    "Start with:  [bold]evidencekit start[/bold]  (a calm, step-by-step guide), or  "
    "[bold]evidencekit new my-case[/bold]  then  [bold]evidencekit capture FILE[/bold]\n\n"
    "Try it first on invented sample evidence:  [bold]evidencekit demo[/bold]"
)

app = typer.Typer(
    name="evidencekit",
    help=HELP,
    rich_markup_mode="rich",
    no_args_is_help=False,  # no arguments: a short, calm welcome instead (see _root)
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, bool] = {"debug": False, "loaded": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evidencekit {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", metavar="", help="Show technical details (a traceback) if something goes wrong."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", metavar="", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            metavar="",
            envvar="EVIDENCEKIT_PLAIN",
            help="Plain text: no colour, styling or symbols (for screen readers and logs).",
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    if plain:
        from evidencekit.cli import output

        output.set_plain()
    if ctx.invoked_subcommand is None:  # `evidencekit` alone: say what to run first
        from evidencekit.guide.text import WELCOME

        typer.echo(WELCOME)
        raise typer.Exit()


def guarded(function: F) -> F:
    """The error boundary: wrap every command with it (`command()` below does)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from evidencekit.cli import output
        from evidencekit.errors import (
            EvidenceKitError,
            ExitCode,
            InterruptedAfterSaving,
            OutputUnwritableError,
        )

        try:
            function(*args, **kwargs)
            return None  # a command's exit code is said with typer.Exit, never by returning it
        except (typer.Exit, typer.Abort, OutputUnwritableError):
            raise  # output that cannot be written cannot say a problem either: main() ends it
        except EvidenceKitError as exc:
            output.problem(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None
        except InterruptedAfterSaving:
            output.problem(
                "Stopped. The change this command was saving when you pressed Ctrl-C was saved "
                "completely first; nothing is half-saved.",
                "Run: evidencekit status, to see what the case holds now.",
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except KeyboardInterrupt:
            output.problem(
                "Stopped. Nothing was half-saved: the case is exactly as it was before this command.",
                None,
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:  # noqa: BLE001 - the boundary: nothing may escape as a traceback
            if _state["debug"]:
                traceback.print_exception(type(exc), exc, exc.__traceback__)
            output.problem(
                "Something went wrong inside evidencekit (this is a bug, not something you did). "
                "Your case was not changed: evidencekit only saves complete changes.",
                "Run the same command again with --debug after `evidencekit` to see details, and "
                "report them to the evidencekit developers (never include images or passphrases).",
            )
            raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None

    return wrapper  # type: ignore[return-value]


# Help panels, in the order a victim or helper needs them.
COLLECT = "Collect evidence"
CHECK = "Seal, check and hand over"
LOOK = "Look at a case"
HELP_PANEL = "Help and practice"

_registry: list[tuple[int, str, Callable[..., Any], dict[str, Any]]] = []


def command(name: str, *, order: int, panel: str, **kwargs: Any) -> Callable[[F], F]:
    """Declare a command (in any module of cli/commands); `order` sorts the help listing."""

    def register(function: F) -> F:
        _registry.append((order, name, function, {"rich_help_panel": panel, **kwargs}))
        return function

    return register


_groups: list[tuple[int, str, typer.Typer, dict[str, Any]]] = []
_group_commands: list[tuple[typer.Typer, str, Callable[..., Any], dict[str, Any]]] = []


def command_group(name: str, *, order: int, panel: str, help: str) -> Callable[..., Callable[[F], F]]:
    """Declare a command with sub-commands (`evidencekit offender add`). Returns a decorator, used
    like `command`, for its sub-commands; they run inside the same error boundary."""
    group = typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    _groups.append((order, name, group, {"rich_help_panel": panel}))

    def subcommand(sub_name: str, **kwargs: Any) -> Callable[[F], F]:
        def register(function: F) -> F:
            _group_commands.append((group, sub_name, function, kwargs))
            return function

        return register

    return subcommand


def _load_commands() -> None:
    """Import every module in cli/commands, then add their commands in `order`, guarded."""
    from evidencekit.cli import commands

    if _state.get("loaded"):
        return
    _state["loaded"] = True
    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"{commands.__name__}.{info.name}")
    plain = _plain_command()
    for _order, name, function, kwargs in sorted(_registry, key=lambda entry: (entry[0], entry[1])):
        app.command(name, cls=plain, **kwargs)(guarded(function))
    for group, name, function, kwargs in _group_commands:
        group.command(name, cls=plain, **kwargs)(guarded(function))
    for _order, name, group, kwargs in sorted(_groups, key=lambda entry: (entry[0], entry[1])):
        app.add_typer(group, name=name, **kwargs)


def _plain_command() -> type[Any]:
    """Typer's command class, showing TEXT / PATH / NUMBER / nothing in help instead of Python's
    <str>, <path> or <bool>: a person reading the help has not seen a Python type."""
    from typer.core import TyperCommand, TyperOption

    class PlainHelpCommand(TyperCommand):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for param in self.params:
                if isinstance(param, TyperOption) and param.metavar is None:
                    param.metavar = _METAVARS.get(param.type.name, "TEXT")

    return PlainHelpCommand


# By click's name of the option's type; an option declared with metavar= keeps its own.
_METAVARS = {
    "boolean": "",
    "path": "PATH",
    "int": "NUMBER",
    "int range": "NUMBER",
    "float": "NUMBER",
    "float range": "NUMBER",
}


def _with_only_the_command_typed(args: list[str]) -> typer.Typer:
    """The app with just the command that was typed, when it is one of ours: building the options
    of every command is most of a start (about 90 ms of `status`'s 300 ms), and one runs. Anything
    else (no command, a mistyped one, `--help` or `--version` before it) gets the whole app: its
    help lists every command, and a usage problem suggests the close names."""
    before = list(itertools.takewhile(lambda arg: arg.startswith("-"), args))
    if len(before) == len(args) or any(arg not in ("--debug", "--plain") for arg in before):
        return app
    name = args[len(before)]
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands = commands
    only.registered_groups = groups
    return only


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the command, and show usage mistakes as problems (exit 2)."""
    from typer._click.exceptions import ClickException, UsageError

    from evidencekit.cli import output
    from evidencekit.errors import ExitCode, OutputUnwritableError

    output.guard_streams()
    _load_commands()
    command = typer.main.get_command(_with_only_the_command_typed(sys.argv[1:] if argv is None else argv))
    try:
        code = command.main(args=argv, prog_name="evidencekit", standalone_mode=False)
    except OutputUnwritableError as lost:  # also when saying an earlier problem failed
        output.output_lost(lost)
        code = int(lost.exit_code)
    except UsageError as mistake:
        from evidencekit.cli.usage import describe

        message, hint = describe(mistake, command, sys.argv[1:] if argv is None else argv)
        output.problem(message, hint)
        code = int(ExitCode.BAD_INPUT)
    except ClickException as failure:  # e.g. a file click was asked to open could not be opened
        output.problem(failure.format_message(), "Check the path and try again.")
        code = int(ExitCode.BAD_INPUT)
    except typer.Abort:  # Ctrl-C or Ctrl-D at one of click's own prompts
        output.problem("Stopped. Nothing was changed.", None)
        code = int(ExitCode.INTERRUPTED)
    # Without standalone mode click returns the code of a typer.Exit, or what the command returned
    # (always None: see guarded).
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
