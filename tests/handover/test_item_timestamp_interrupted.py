"""`evidencekit timestamp` stopped at any rename of its commit (Ctrl-C or SIGKILL, by strace, as
tests/case/test_every_rename.py does for the other commands): the trusted times are saved for
every item or for none, and the case verifies either way."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from evidencekit.case.case import Case
from evidencekit.case.layout import TXN_DIR
from tests.case.test_every_rename import Stop, counted_renames, problems_after, records
from tests.conftest import require_tool, run_cli


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
def test_stopped_at_any_rename_every_item_gets_its_trusted_time_or_none_does(
    case: Case, tmp_path: Path, evidence: Path, tsa, signal_name: str
) -> None:
    strace = require_tool("strace")
    assert (
        run_cli("capture", evidence / "chat.txt", evidence / "notes.txt", "--case", case.root).exit_code == 0
    )
    argv = ["timestamp", "--tsa", tsa.url]
    before = records(case.root)
    reference = tmp_path / "reference" / "case"
    shutil.copytree(case.root, reference, symlinks=True)
    renamed = counted_renames(strace, argv, reference)
    after = records(reference)
    assert [p for p in after["payload"] if "/trusted-time/" in p] and after != before  # type: ignore[union-attr]
    commit_at = renamed.index(f"{TXN_DIR}/COMMIT") + 1

    def one(k: int) -> list[str]:
        saved = k > commit_at or (signal_name == "SIGINT" and k == commit_at)
        stop = Stop("timestamp", signal_name, k, len(renamed), renamed[k - 1])
        trial = tmp_path / f"stopped-at-{k}" / "case"
        return problems_after(stop, strace, argv, case.root, trial, saved, after if saved else before)

    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(one, range(1, len(renamed) + 1)) for p in found]
    assert problems == []
