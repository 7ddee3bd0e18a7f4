"""A few rounds of the crash stress script in CI: every write command, killed at random moments.

The full run (bench/stress_kill.py --trials 200) is in docs/performance.md; this keeps the harness
itself working and catches a regression in any command's all-or-nothing behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "stress_kill.py"


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killing_every_write_command_at_random_moments_never_breaks_the_case():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--trials", "12", "--seed", "20261128", "--max-delay", "2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "12 trials" in summary and "failures: 0" in summary
