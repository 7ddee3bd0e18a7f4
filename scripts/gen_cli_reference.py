"""Write docs/reference/cli.md from the commands themselves (tests/test_docs.py checks it is current).

Run from the repository root:  python scripts/gen_cli_reference.py
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"


def render() -> str:
    import typer

    from evidencekit.cli.app import _load_commands, app

    _load_commands()
    group = typer.main.get_command(app)
    ctx = group.make_context("evidencekit", ["--help"], resilient_parsing=True)
    out = [
        "# Command reference",
        "",
        "Generated from the commands' own help by `scripts/gen_cli_reference.py`; do not edit by hand.",
        "Every command also shows this with `evidencekit COMMAND --help`.",
        "",
        "Options for every command: `--debug` (before the command: show technical details if something",
        "goes wrong), `--version`, `--help`.",
        "",
    ]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        out += _section(f"evidencekit {name}", command)
        if hasattr(command, "list_commands"):  # a group, e.g. `evidencekit offender add`
            sub_ctx = command.make_context(name, ["--help"], parent=ctx, resilient_parsing=True)
            for sub_name in command.list_commands(sub_ctx):
                out += _section(f"evidencekit {name} {sub_name}", command.get_command(sub_ctx, sub_name))
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, command) -> list[str]:
    out = [f"## `{title}`", ""]
    out += [inspect.cleandoc(command.help or "").replace("Example:  ", "Example:\n\n    "), ""]
    rows = []
    for param in command.params:
        if param.name == "help":
            continue
        if param.param_type_name == "argument":
            label = f"`{param.name.upper()}`" + ("…" if param.nargs == -1 else "")
        else:
            label = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        help_text = (getattr(param, "help", None) or "").replace("|", "\\|")
        default = param.default
        if default not in (None, False, (), []) and not callable(default):
            help_text += f" Default: `{default}`."
        envvar = getattr(param, "envvar", None)
        if envvar:
            help_text += f" Environment: `{envvar}`."
        rows.append(f"| {label} | {help_text.strip()} |")
    if rows:
        out += ["| argument or option | meaning |", "|---|---|", *rows, ""]
    return out


def main() -> int:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
