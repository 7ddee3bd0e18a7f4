"""Stopped at any rename of its commit, a change happens completely or not at all.

A change is written to `.evidencekit-txn/` first; renaming its `COMMIT` list into place is the
point of no return, and the renames after it move the staged files into the case. Here strace
stops the real command at each of those renames in turn, with Ctrl-C (which arrives just after the
rename: the commit must finish first and say so) and with SIGKILL (which stops the process just
before it: the next command must finish or discard what it left). After every stop the next
command works, the case verifies with evidencekit, bagit.py and sha256sum, and its records are
either exactly those from before the command or exactly those of an uninterrupted run.

bench/every_rename.py does the same for every command that changes a case; this is the part that
runs in the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidencekit.case.case import Case
from evidencekit.case.layout import TXN_DIR
from evidencekit.verify import verify_case
from tests.conftest import BIN, assert_valid_bag, require_tool, run_cli

RENAMES = "rename,renameat,renameat2"


def records(root: Path) -> dict[str, object]:
    """What a change consists of, whatever its times: the number of records of each kind, the
    custody log's actions in order, the payload files and the seal's files."""
    found: dict[str, object] = {}
    for path in sorted((root / "evidencekit").glob("*.jsonl")):
        lines = path.read_bytes().splitlines()
        found[path.name] = len(lines)
        if path.name == "custody.jsonl":
            found["actions"] = [json.loads(line)["action"] for line in lines]
    found["payload"] = sorted(
        p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.is_file()
    )
    seal = root / "seal"
    found["seal"] = sorted(p.relative_to(root).as_posix() for p in seal.rglob("*") if p.is_file())
    return found


def run_traced(
    strace: str, options: list[str], argv: list[str], case_root: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [strace, "-f", "-qq", *options, str(BIN / "evidencekit"), *argv, "--case", str(case_root)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=case_root.parent,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
    )


def counted_renames(strace: str, argv: list[str], case_root: Path) -> list[str]:
    """The renames an uninterrupted run makes, in order (their target paths, case-relative)."""
    log = case_root.parent / "renames.log"
    done = run_traced(
        strace, ["-e", "signal=none", "-e", f"trace={RENAMES}", "-o", str(log)], argv, case_root
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if " rename" in line]
    # strace counts each call of each process separately: "the K-th rename" needs them all to be
    # the same call, from one process.
    assert len({line.split()[0] for line in lines}) == 1, lines
    assert len({line.split()[1].split("(")[0] for line in lines}) == 1, lines
    return [line.split('", "')[1].split('"')[0].removeprefix(f"{case_root}/") for line in lines]


def folder_of_pages(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    for n in range(6):
        (folder / f"page-{n}.png").write_bytes(bytes([n]) * (500 + n))
    return folder


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "capture of a small folder": lambda tmp_path: ["capture", str(folder_of_pages(tmp_path))],
    "note": lambda _tmp_path: ["note", "He said he would send the pictures to my school."],
    "seal": lambda _tmp_path: ["seal"],
}


@dataclass(frozen=True)
class Stop:
    """One run of the command, stopped by `signal_name` at its `k`-th rename."""

    command: str
    signal_name: str
    k: int
    of: int
    rename: str

    def __str__(self) -> str:
        return f"{self.command}, {self.signal_name} at rename {self.k} of {self.of} ({self.rename})"


def problems_after(
    stop: Stop,
    strace: str,
    argv: list[str],
    original: Path,
    trial: Path,
    saved: bool,
    expected: dict[str, object],
) -> list[str]:
    """Run the command on a copy of `original` in `trial`, stop it, and say what is wrong.

    `saved`: whether the change must have happened; `expected`: the records it must leave."""
    shutil.copytree(original, trial, symlinks=True)
    stopped = run_traced(
        strace,
        ["-o", os.devnull, "-e", f"inject={RENAMES}:signal={stop.signal_name}:when={stop.k}"],
        argv,
        trial,
    )
    said = stopped.stdout + stopped.stderr
    problems = []
    if "Traceback" in said:
        problems.append("it printed a traceback")
    if stop.signal_name == "SIGINT":
        if stopped.returncode != 130:
            problems.append(f"Ctrl-C ended it with exit {stopped.returncode}: {said}")
        if ("saved completely" in said) != saved:
            problems.append(f"what Ctrl-C said is not what happened: {said}")
        if (trial / TXN_DIR).exists():
            problems.append("a Ctrl-C left its commit for the next command")
    next_command = run_cli("status", "--case", trial)
    if next_command.exit_code != 0:
        problems.append(f"the next command failed: {next_command.output}")
    if (trial / TXN_DIR).exists():
        problems.append("the next command left the staging folder")
    if records(trial) != expected:
        problems.append("the change half happened, or happened when it should not have")
    report = verify_case(trial)
    if not report.ok:
        problems.append(f"verify found {report.errors}")
    try:
        assert_valid_bag(trial)
    except AssertionError as exc:
        problems.append(f"not a valid bag: {exc}")
    if sorted(p.name for p in trial.parent.iterdir()) != ["case"]:
        problems.append("it wrote beside the case")
    return [f"{stop}: {problem}" for problem in problems]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_stopped_at_any_rename_the_change_happens_completely_or_not_at_all(
    case: Case, tmp_path: Path, command: str, signal_name: str
) -> None:
    strace = require_tool("strace")
    (tmp_path / "first.txt").write_text("the first message he sent\n", encoding="utf-8")
    assert run_cli("capture", tmp_path / "first.txt", "--case", case.root).exit_code == 0
    argv = COMMANDS[command](tmp_path)
    before = records(case.root)

    reference = tmp_path / "reference" / "case"
    shutil.copytree(case.root, reference, symlinks=True)
    renamed = counted_renames(strace, argv, reference)
    after = records(reference)
    assert after != before
    commit_at = renamed.index(f"{TXN_DIR}/COMMIT") + 1  # the point of no return
    assert len(renamed) - commit_at >= 4, renamed  # records, manifests, bag-info, tag manifest

    def one(k: int) -> list[str]:
        # SIGKILL lands before the K-th rename, Ctrl-C just after it: the change is saved exactly
        # when the COMMIT list was renamed into place before the stop.
        saved = k > commit_at or (signal_name == "SIGINT" and k == commit_at)
        stop = Stop(command, signal_name, k, len(renamed), renamed[k - 1])
        trial = tmp_path / f"stopped-at-{k}" / "case"
        return problems_after(stop, strace, argv, case.root, trial, saved, after if saved else before)

    # Two at a time: each run mostly waits for its process and the disk.
    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(one, range(1, len(renamed) + 1)) for p in found]
    assert problems == []
