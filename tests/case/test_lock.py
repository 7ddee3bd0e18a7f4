"""One writer at a time: a second command waits briefly, then says who is busy."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from evidencekit.case.lock import CaseLock
from evidencekit.errors import CaseLockedError
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag

HOLD = """
import sys, time
from pathlib import Path
from evidencekit.case.lock import CaseLock
with CaseLock(Path(sys.argv[1]), "seal"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(case_root, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(case_root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_a_busy_case_is_refused_with_who_holds_it(case, evidence):
    holder = hold_lock(case.root, 5)
    try:
        with pytest.raises(CaseLockedError) as error:
            capture(case, [evidence / "chat.txt"])
        assert "“seal”" in error.value.message
        assert f"process {holder.pid}" in error.value.message
        assert "Nothing was changed" in error.value.hint
    finally:
        stop(holder)
    assert case.items() == []


def test_the_lock_is_released_when_its_holder_is_killed(case, evidence):
    holder = hold_lock(case.root, 60)
    stop(holder)
    assert capture(case, [evidence / "chat.txt"]).added


def test_a_second_command_waits_for_the_first_and_both_succeed(case, tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCEKIT_LOCK_WAIT", "30")
    script = (
        "import sys; from pathlib import Path; from evidencekit.case.case import Case; "
        "from evidencekit.intake.files import capture; capture(Case(Path(sys.argv[1])), [Path(sys.argv[2])])"
    )
    files = []
    for n in range(2):
        path = tmp_path / f"recording-{n}.bin"
        path.write_bytes(os.urandom(16 * 1024 * 1024))
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(case.root), str(f)]) for f in files]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert sorted(i["original_name"] for i in case.items()) == ["recording-0.bin", "recording-1.bin"]
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_the_lock_file_is_gone_after_a_command(case, evidence):
    capture(case, [evidence / "chat.txt"])
    assert not (case.root / ".evidencekit.lock").exists()


def test_waiting_gives_up_after_the_set_time(case):
    with CaseLock(case.root, "capture"):
        started = time.monotonic()
        with pytest.raises(CaseLockedError), CaseLock(case.root, "seal", wait=0.3):
            pass
        assert 0.25 < time.monotonic() - started < 3


HOLD_WITH_WORKERS = """
import os, sys, time
from pathlib import Path
from evidencekit.case.lock import CaseLock

if __name__ == "__main__":
    lock = CaseLock(Path(sys.argv[1]), "capture")
    lock.acquire()
    worker = os.fork()  # as parallel.py forks its workers
    if worker == 0:
        # fork() returns here only after the lock's at-fork hook has closed the child's copy.
        os.write(1, b"worker-started\\n")  # one write each: the two lines never interleave
        time.sleep(30)
        os._exit(0)
    os.write(1, f"locked {worker}\\n".encode())
    time.sleep(60)
"""


def test_workers_left_behind_by_a_killed_command_do_not_keep_the_case_locked(case, evidence, tmp_path):
    """A command killed while a process it forked still runs: the child shares the lock file, and
    must not hold the case, or the next command would be told it is busy. (Worker processes are
    also made to end with their command; this is the second line of defence.)"""
    script = tmp_path / "hold_with_workers.py"
    script.write_text(HOLD_WITH_WORKERS)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(case.root)], stdout=subprocess.PIPE, text=True
    )
    # Both lines, in either order: the lock is tried only once the worker is really running (a
    # process killed between fork() and its child's first step is a window no lock can close).
    lines = sorted(holder.stdout.readline().split() for _ in range(2))
    assert lines[1] == ["worker-started"], lines
    said, *workers = lines[0]
    assert said == "locked"
    stop(holder)
    try:
        assert workers, "the command had started no worker processes"
        for pid in workers:
            os.kill(int(pid), 0)  # still running (raises if not)
        with CaseLock(case.root, "capture", wait=0):
            pass
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
