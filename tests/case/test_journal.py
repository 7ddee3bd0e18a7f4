"""Crash safety: a change is all or nothing, whenever the process dies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from evidencekit.case import layout
from evidencekit.case.case import Case
from evidencekit.case.journal import pending_state, recover
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag

# The real capture runs in a child process that dies (os._exit, like SIGKILL: no cleanup runs)
# at an exact point of the commit protocol.
DIE_AT = """
import os, sys
from pathlib import Path
from evidencekit.case import journal
from evidencekit.case.case import Case
from evidencekit.intake.files import capture

real = journal.Journal.write_commit_record
def die(self):
    if sys.argv[1] == "after":
        real(self)
    os._exit(137)
journal.Journal.write_commit_record = die
capture(Case(Path(sys.argv[2])), [Path(sys.argv[3])])
"""


def die_during_capture(case: Case, source, when: str) -> None:
    proc = subprocess.run([sys.executable, "-c", DIE_AT, when, str(case.root), str(source)], timeout=60)
    assert proc.returncode == 137


def test_a_change_killed_before_its_commit_record_is_discarded(case, evidence):
    die_during_capture(case, evidence / "chat.txt", "before")
    assert pending_state(case.root) == "uncommitted"
    report = verify_case(case.root)
    assert report.ok, "an uncommitted change never affects the case"
    assert "unfinished-change" in {f.code for f in report.findings}
    assert_valid_bag(case.root)

    message = recover(case.root)

    assert "before it saved anything" in message
    assert not (case.root / layout.TXN_DIR).exists()
    assert verify_case(case.root).ok


@pytest.mark.parametrize("renames_done", [0, 1, 3, 5])
def test_a_change_killed_after_its_commit_record_is_finished_on_the_next_open(case, evidence, renames_done):
    die_during_capture(case, evidence / "chat.txt", "after")
    assert pending_state(case.root) == "committed"
    plan = json.loads((case.root / layout.TXN_DIR / "COMMIT").read_text())
    for source, final in plan["renames"][:renames_done]:  # the crash came part-way through
        (case.root / final).parent.mkdir(parents=True, exist_ok=True)
        os.replace(case.root / source, case.root / final)

    before = verify_case(case.root)
    # Only the interruption is reported: the half-renamed files say nothing about the case itself.
    assert {f.code for f in before.errors} == {"interrupted-change"}, before.errors

    message = case.recover_if_needed()

    assert "finished saving" in message
    assert [item["id"] for item in case.items()] == ["E0001"]
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_the_next_write_command_tidies_up_and_says_so(case, evidence):
    die_during_capture(case, evidence / "chat.txt", "after")
    result = capture(case, [evidence / "notes.txt"])
    assert result.recovered and "finished saving" in result.recovered
    assert [item["id"] for item in case.items()] == ["E0001", "E0002"]
    assert verify_case(case.root).ok


def test_an_error_during_a_change_leaves_the_case_as_it_was(case, evidence):
    before = {p: p.read_bytes() for p in case.root.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError), case.change("capture") as change:
        change.put_file("evidencekit/items.jsonl", b"garbage\n")
        change.log("item-captured", {"item": "E0001"})
        raise RuntimeError("disk on fire")
    after = {p: p.read_bytes() for p in case.root.rglob("*") if p.is_file()}
    assert after == before
    assert not (case.root / layout.TXN_DIR).exists()


CAPTURE_SCRIPT = """
import sys
from pathlib import Path
from evidencekit.case.case import Case
from evidencekit.intake.files import capture
capture(Case(Path(sys.argv[1])), [Path(p) for p in sys.argv[2:]])
"""


def test_killing_capture_at_random_moments_never_breaks_the_case(case, tmp_path):
    """A few SIGKILL trials (the stress script in bench/ runs hundreds)."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for n in range(40):
        (sources / f"shot-{n:02d}.png").write_bytes(os.urandom(20_000 + n))
    big = sources / "recording.bin"
    big.write_bytes(os.urandom(24 * 1024 * 1024))
    rng = random.Random(20261128)
    for trial in range(6):
        targets = [str(big)] if trial % 2 else [str(sources / f"shot-{n:02d}.png") for n in range(40)]
        proc = subprocess.Popen([sys.executable, "-c", CAPTURE_SCRIPT, str(case.root), *targets])
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        report = verify_case(case.root)
        assert report.ok or {f.code for f in report.errors} == {"interrupted-change"}, report.errors
        case.recover_if_needed()
        report = verify_case(case.root)
        assert report.ok, report.errors
        for item in case.items():
            assert (case.root / item["bag_path"]).exists(), "no record may point at a missing file"
    assert_valid_bag(case.root)
