"""A real terminal for tests: tmux runs a command, the test types into it and reads the screen.

This is how a person uses `evidencekit start`: questions appear one at a time on a terminal, and
answers are typed. tmux's send-keys types, capture-pane reads what is on the screen (with the whole
scroll-back, so nothing that scrolled away is missed).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from pathlib import Path

from tests.conftest import require_tool


class Terminal:
    """One tmux session running one command in a fresh, private tmux server."""

    def __init__(self, command: list[str], *, cwd: Path, env: dict[str, str], width: int = 100) -> None:
        self.tmux = require_tool("tmux")
        self.socket = f"ek-test-{uuid.uuid4().hex[:8]}"
        self.done_file = cwd / f".exit-{self.socket}"
        full_env = {**env, "TERM": "xterm-256color"}
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in full_env.items())
        script = (
            f"cd {shlex.quote(str(cwd))} && env {exports} {shlex.join(command)}; "
            f"echo $? > {shlex.quote(str(self.done_file))}; sleep 600"
        )
        start = ["new-session", "-d", "-x", str(width), "-y", "50"]
        shell = ["bash", "--norc", "--noprofile", "-c", script]
        subprocess.run(
            [self.tmux, "-L", self.socket, "-f", os.devnull, *start, *shell],
            check=True,
            timeout=30,
        )
        subprocess.run(
            [self.tmux, "-L", self.socket, "set-option", "-g", "history-limit", "20000"], check=True
        )

    def screen(self) -> str:
        """Everything the terminal has shown, scroll-back included, lines joined as displayed."""
        done = subprocess.run(
            [self.tmux, "-L", self.socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "0"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    def wait_for(self, expected: str, *, after: int = 0, timeout: float = 60) -> int:
        """Wait until `expected` appears on the screen after position `after`; return where it ends."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            found = shown.find(expected, after)
            if found >= 0:
                return found + len(expected)
            if time.monotonic() > deadline:
                raise AssertionError(f"did not see {expected!r} on the terminal; it shows:\n{shown[-3000:]}")
            time.sleep(0.1)

    def type(self, answer: str) -> None:
        """Type an answer and press Enter."""
        if answer:
            subprocess.run([self.tmux, "-L", self.socket, "send-keys", "-t", "0", "-l", answer], check=True)
        subprocess.run([self.tmux, "-L", self.socket, "send-keys", "-t", "0", "Enter"], check=True)

    def keys(self, *keys: str) -> None:
        """Press special keys, e.g. "C-c" or "C-d"."""
        subprocess.run([self.tmux, "-L", self.socket, "send-keys", "-t", "0", *keys], check=True)

    def exit_code(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while not self.done_file.exists() or not self.done_file.read_text().strip():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the command did not finish; the terminal shows:\n{self.screen()[-3000:]}"
                )
            time.sleep(0.1)
        return int(self.done_file.read_text().strip())

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=30)
        self.done_file.unlink(missing_ok=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
