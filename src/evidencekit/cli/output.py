"""Everything the CLI shows: calm words, no colour-only meaning, readable when piped.

Results go to stdout; problems, warnings and progress bars go to stderr, so `--json` output on stdout
is always clean. Rich respects NO_COLOR and drops styling when output is not a terminal.

Text that came from a case, a file, an export, a web page or the command line is untrusted: it
reaches the screen only through `plain()` (or `inert()`, for text written without Rich), which
shows terminal escapes, control characters and bidi overrides as visible escapes and Rich markup as
the characters it is. `--json` is the exact record; what is printed for reading is made safe.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

from evidencekit.errors import OutputUnwritableError
from evidencekit.sizes import human_size as human_size  # the commands write sizes through output

# emoji=False: Rich would turn ":cross_mark:" in a file name into an emoji; a name shows as written.
stdout = Console(highlight=False, soft_wrap=True, emoji=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
_symbols = {"success": "[green]✓[/green] ", "note": "[cyan]•[/cyan] "}


class _GuardedStream:
    """sys.stdout or sys.stderr, with a failed write said as `OutputUnwritableError`.

    Rich writes to whatever sys.stdout/sys.stderr is at the time of printing, so guarding the two
    streams once (`guard_streams`, from the entry point) covers every print, progress bar and
    JSON line; without it a full disk behind `> file` or `| head` ended as "a bug"."""

    def __init__(self, stream: Any, name: str) -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            raise _unwritable(self._name, exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _unwritable(self._name, exc) from exc

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding … as the real stream
        return getattr(self._stream, name)


def _unwritable(name: str, exc: OSError) -> OutputUnwritableError:
    reason = exc.strerror or type(exc).__name__
    return OutputUnwritableError(name, reason, closed_pipe=isinstance(exc, BrokenPipeError))


def guard_streams() -> None:
    """Make a failed write to the terminal, a file or a pipe a calm `OutputUnwritableError`."""
    if not isinstance(sys.stdout, _GuardedStream) and sys.stdout is not None:
        sys.stdout = _GuardedStream(sys.stdout, "output")
    if not isinstance(sys.stderr, _GuardedStream) and sys.stderr is not None:
        sys.stderr = _GuardedStream(sys.stderr, "messages")


def output_lost(error: OutputUnwritableError) -> None:
    """After a failed write: say so where it still can be said (not for a closed pipe: the reader,
    `head` say, stopped on purpose), and point the lost streams at nothing, so Python's own flush
    at exit cannot print a traceback of its own."""
    lost = [1, 2] if error.stream == "messages" else [1]
    if error.stream != "messages" and not error.closed_pipe:
        try:
            problem(error.message, error.hint)
            sys.stderr.flush()
        except (OSError, OutputUnwritableError):
            lost.append(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in lost:
            with contextlib.suppress(OSError):
                os.dup2(devnull, fd)
    finally:
        os.close(devnull)


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


LIMIT = 500
"""Characters of one untrusted value shown at most; the rest is counted, not printed (`--json`
has it all). A 4 MB name would otherwise take the terminal, and Rich's layout, minutes."""
LONG_LIMIT = 2000
"""For text that is useless cut short: a message around a long name, a web address, a command to
copy, the details of a custody-log entry."""

# What a terminal would act on or reorder instead of showing: C0 and C1 controls and DEL (ESC
# starts colour, cursor, title and OSC 8 link sequences; CR and backspace overwrite what was shown),
# the bidi embeddings, overrides and isolates (U+202E makes "exe.jpg" read "gpj.exe"), the Arabic
# letter mark, the byte-order mark, the line and paragraph separators (a line break to some
# terminals) and lone surrogates (from JSON "\ud800"; they cannot be encoded, so printing one
# would stop the command). Other text, emoji and joiners included, is shown as it is.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0xA0 else f"<U+{code:04X}>"


def inert(text: object, *, multiline: bool = False, limit: int | None = LIMIT) -> str:
    """Untrusted text made safe for a terminal, for writing without Rich (see `plain()`).

    Every control or bidi character becomes a visible escape (`\\x1b`, `\\n`, `<U+202E>`); with
    `multiline`, line breaks are kept (a CR-LF counts as one) for bodies such as notes and
    transcripts. Longer than `limit` characters, the rest is cut and counted.
    """
    value = text if isinstance(text, str) else str(text)
    cut = 0
    if limit is not None and len(value) > limit:
        cut, value = len(value) - limit, value[:limit]
    if multiline:
        lines = value.replace("\r\n", "\n").split("\n")
        value = "\n".join(_UNSAFE.sub(_visible, line) for line in lines)
    else:
        value = _UNSAFE.sub(_visible, value)
    if cut:
        value += f"… ({cut} more character{'s' if cut != 1 else ''})"
    return value


def plain(text: object, *, multiline: bool = False, limit: int | None = LIMIT) -> str:
    """THE way text from a case, a file or a user goes into output: shown, never interpreted.

    `inert()` (controls and bidi characters made visible, long values cut), then Rich markup
    escaped, so "[link=…]" or "[bold red]" in a name is printed as those characters.
    """
    value = inert(text, multiline=multiline, limit=limit)
    body = value.rstrip("\\")
    if len(body) == len(value):
        return escape(value)
    # Rich reads backslashes as escapes only before a tag, so a name ending in "\\" would show
    # doubled at the end of a line but single before our own "[/bold]" (and rich's escape() leaves
    # an even run alone). Doubled, then an empty tag, it shows exactly as written wherever it is.
    return escape(body) + "\\" * (2 * (len(value) - len(body))) + "[not bold][/not bold]"


def heading(text: str) -> None:
    stdout.print(f"[bold]{plain(text)}[/bold]")


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
    # Messages often hold a file name or a value from the case; a longer limit than for one value,
    # so the sentence around a long name is still shown.
    stderr.print(f"[bold]Problem:[/bold] {plain(message, limit=LONG_LIMIT)}")
    if hint:
        stderr.print(f"[bold]What to do:[/bold] {plain(hint, limit=LONG_LIMIT)}")


def print_json(payload: Any) -> None:
    """Machine-readable output on stdout, nothing else on it."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


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
            progress.update(task, completed=done, current=plain(current[-40:]))
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
