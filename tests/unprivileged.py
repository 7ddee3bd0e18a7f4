"""Running a command the way an ordinary user's process runs, also when the tests run as root.

As root (CI), a process can read any file whatever its permissions, so an unreadable file cannot
be shown to it, and a test of one would have to be skipped: CI would never run it. Switching to
the `nobody` account does not work here: the Python interpreter lives in root's home folder,
which nobody may enter. So the command keeps root's user id but loses every capability (setpriv),
above all the two that bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): the
kernel then checks each file's mode bits exactly as it does for an ordinary user. Not as root:
nothing is needed. A test using this should also check its precondition (`cannot_read`), so that
it fails rather than passes for the wrong reason if the rights were not dropped.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

from tests.conftest import running_as_root

if TYPE_CHECKING:
    from pathlib import Path


def without_special_rights() -> list[str]:
    """The words to put before a command so that it runs without root's special rights."""
    if not running_as_root():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is not installed; .ci/run installs it")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs"]


def cannot_read(path: Path) -> bool:
    """True when a process without special rights is refused `path` (the precondition)."""
    probe = subprocess.run(
        [*without_special_rights(), "cat", str(path)], capture_output=True, text=True, timeout=30
    )
    return probe.returncode != 0 and "Permission denied" in probe.stderr
