"""Everything the CLI shows: calm words, no colour-only meaning, readable when piped.

Results go to stdout; problems, warnings and progress bars go to stderr, so `--json` output on stdout
is always clean. Rich respects NO_COLOR and drops styling when output is not a terminal.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)
_symbols = {"success": "[green]✓[/green] ", "note": "[cyan]•[/cyan] "}


def set_plain() -> None:
    """`--plain`: no colour, no styling, words instead of symbols (screen readers, logs, braille)."""
    global stdout, stderr
    stdout = Console(highlight=False, soft_wrap=True, no_color=True, emoji=False, force_terminal=False)
    stderr = Console(
        stderr=True, highlight=False, soft_wrap=True, no_color=True, emoji=False, force_terminal=False
    )
    _symbols.update({"success": "Done: ", "note": "- "})


def mark(kind: str) -> str:
    """The prefix of a success or note line (a symbol, or a word with --plain)."""
    return _symbols[kind]


def say(text: str = "", *, markup: bool = True) -> None:
    """A line of normal output (markup allowed; use `plain()` for user-provided text)."""
    stdout.print(text, markup=markup)


def plain(text: str) -> str:
    """Escape text that came from the user or from files so Rich does not read it as markup."""
    return escape(text)


def heading(text: str) -> None:
    stdout.print(f"[bold]{escape(text)}[/bold]")


def success(text: str) -> None:
    stdout.print(f"{_symbols['success']}{text}")


def note(text: str) -> None:
    """Something worth knowing that is not a problem."""
    stdout.print(f"{_symbols['note']}{text}")


def warn(text: str) -> None:
    """Something the user should look at; the command still did its job."""
    stderr.print(f"[yellow]Note:[/yellow] {text}")


def next_step(text: str) -> None:
    stdout.print(f"\n[bold]Next:[/bold] {text}")


def problem(message: str, hint: str | None) -> None:
    """The one way an error is shown: a sentence and, on its own line, what to do."""
    stderr.print(f"[bold]Problem:[/bold] {escape(message)}")
    if hint:
        stderr.print(f"[bold]What to do:[/bold] {escape(hint)}")


def print_json(payload: Any) -> None:
    """Machine-readable output on stdout, nothing else on it."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"  # pragma: no cover


@contextmanager
def progress_bar(description: str, total: int, unit: str = "bytes") -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; silent otherwise.

    Yields a function `update(done, current_text, total=None)`; `total` may be given late (when
    the work has been counted).
    """
    if not stderr.is_terminal:
        yield lambda done, current="", total=None: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
    if unit == "bytes":
        columns += [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
    else:
        columns += [MofNCompleteColumn(), TimeRemainingColumn()]
    columns.append(TextColumn("[dim]{task.fields[current]}", justify="left"))
    # Redrawn when the work reports progress (at most ten times a second), not by Rich's own
    # refresh thread: a process running one thread can start its workers by forking, which is
    # much cheaper (see case/parallel.py).
    with Progress(*columns, console=stderr, transient=True, auto_refresh=False) as progress:
        task = progress.add_task(description, total=max(total, 1), current="")
        progress.refresh()
        last = [0.0]

        def update(done: int, current: str = "", total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=max(total, 1))
            progress.update(task, completed=done, current=escape(current[-40:]))
            now = time.monotonic()
            if now - last[0] >= 0.1:
                last[0] = now
                progress.refresh()

        yield update


def human_time(iso: str | None, zone_name: str | None) -> str:
    """`2026-11-28 14:20:01 Europe/London` from a stored UTC timestamp."""
    if not iso:
        return "-"
    from evidencekit.clock import load_zone, parse_iso

    try:
        moment = parse_iso(iso)
        zone = load_zone(zone_name) if zone_name else None
    except Exception:  # noqa: BLE001 - display only; fall back to what was stored
        return iso
    local = moment.astimezone(zone) if zone else moment.astimezone()
    label = zone_name or local.strftime("UTC%z")
    return f"{local.strftime('%Y-%m-%d %H:%M:%S')} {label}"


def recovered(message: str | None) -> None:
    """Say so when a command first finished or undid an interrupted one."""
    if message:
        note(message)
