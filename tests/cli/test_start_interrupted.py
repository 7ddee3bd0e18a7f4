"""Someone starts evidencekit and presses Ctrl-C at once (a wrong command, a change of mind).

For the first fraction of a second the program is still importing Typer, Rich and its commands,
before any command's own error boundary exists. A Ctrl-C then ends with one calm line and exit
130, never a Python traceback.

The Ctrl-C is sent for real, two ways: from inside the process at the exact moment a chosen
module starts to be imported (a `sitecustomize` on PYTHONPATH installs the trigger; deterministic),
and from outside after a series of small delays (what a person does; the moment varies).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BIN

CONSOLE_SCRIPT = BIN / "evidencekit"

# Sends SIGINT to this very process when the module named in EK_TEST_SIGINT_AT is first imported.
# The signal is real: Python's own handler turns it into KeyboardInterrupt a moment later, inside
# that import, exactly as when a person presses Ctrl-C at that point.
TRIGGER = """
import os, signal, sys

class _CtrlCAt:
    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

_name = os.environ.get("EK_TEST_SIGINT_AT")
if _name:
    sys.meta_path.insert(0, _CtrlCAt(_name))
"""

# A traceback that went through the entry point: that is one evidencekit could have caught.
THROUGH_MAIN = re.compile(r'evidencekit[/\\]cli[/\\]__init__\.py", line \d+, in main')


def interrupted_at(module: str, tmp_path: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(TRIGGER)
    env = {**os.environ, "PYTHONPATH": str(hook), "EK_TEST_SIGINT_AT": module}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    "module",
    [
        "typer",  # the first heavy import
        "rich",  # pulled in by Typer
        "evidencekit.cli.commands.seal",  # the commands, imported one by one
    ],
)
def test_ctrl_c_while_the_interface_is_imported_says_stopped(module, tmp_path):
    done = interrupted_at(module, tmp_path, [str(CONSOLE_SCRIPT), "status"])

    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "Stopped."
    assert done.returncode == 130
    assert done.stdout == ""


def test_python_dash_m_is_stopped_as_calmly(tmp_path):
    done = interrupted_at("typer", tmp_path, [sys.executable, "-m", "evidencekit", "--version"])

    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "Stopped."
    assert done.returncode == 130


def test_the_trigger_really_interrupts(tmp_path):
    """Without a trigger the same command runs normally, so the tests above test the Ctrl-C."""
    done = interrupted_at("", tmp_path, [str(CONSOLE_SCRIPT), "--version"])

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("evidencekit ")


@pytest.mark.parametrize("delay", [0, 0.02, 0.05, 0.1, 0.2])
def test_ctrl_c_soon_after_starting_never_shows_our_traceback(delay):
    """What each outcome means, by when the signal lands:

    - before Python has installed its handler for Ctrl-C: the process just ends, status -2
      (killed by SIGINT), nothing printed;
    - while Python itself starts (its `site` module, the console script's first imports, before
      `main` is called): Python prints its own traceback, which no code of ours can prevent. This
      window is a few hundredths of a second; such a traceback never passes through `main`;
    - while the interface is imported: "Stopped.", 130 (what this file is about);
    - after the command finished: its normal output, 0 (or -2 while Python shuts down).
    """
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    if "Traceback" in err:
        assert not THROUGH_MAIN.search(err), err  # a traceback evidencekit could have caught
        return
    assert process.returncode in (-signal.SIGINT, 130, 0), err
    if process.returncode == 130:
        assert err.strip() == "Stopped."
    if process.returncode == 0:
        assert out.startswith("evidencekit ")
