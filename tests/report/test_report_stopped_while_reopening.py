"""`report` on a sealed case first reopens it. Ctrl-C while that reopen is being saved must not
leave the person's sealed case open, nor say that all is as it was when a reopen happened."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from evidencekit.case.case import Case
from evidencekit.verify import verify_case
from tests.conftest import BIN, run_cli


@pytest.mark.parametrize("at_rename", [2, 5, 8])  # all inside the reopen's own commit
def test_ctrl_c_while_reopening_for_a_report_leaves_the_case_sealed(tmp_path, at_rename):
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is not installed; .ci/run installs it")
    root = tmp_path / "case"
    assert run_cli("new", root, "--title", "t", "--no-under-18").exit_code == 0
    assert run_cli("note", "he asked for money", cwd=root).exit_code == 0
    assert run_cli("seal", cwd=root).exit_code == 0

    proc = subprocess.run(
        [strace, "-f", "-qq", "-o", "/dev/null",
         "-e", f"inject=rename,renameat,renameat2:signal=SIGINT:when={at_rename}",
         str(BIN / "evidencekit"), "report"],
        cwd=root, capture_output=True, text=True, timeout=180,
    )  # fmt: skip

    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Stopped before the report was made. The case was sealed again" in proc.stderr
    assert Case(root).is_sealed()
    assert verify_case(root).ok
    assert not (root / "data/derived/report").exists()
