"""Worker processes: forked when that is safe (Linux, one thread), spawned otherwise; same results."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from evidencekit.case import parallel

STATE = {"changed_in_parent": False}


def what_the_worker_sees(part: list[int]) -> list[tuple[int, bool]]:
    return [(n * n, STATE["changed_in_parent"]) for n in part]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked only on Linux")
def test_workers_are_forked_while_the_process_runs_one_thread(monkeypatch):
    if threading.active_count() != 1:
        pytest.skip("another thread runs in this test process")
    monkeypatch.setitem(STATE, "changed_in_parent", True)

    results = list(parallel.start_chunks(what_the_worker_sees, list(range(10)), chunk=3))

    # A forked worker is a copy of this process, so it sees what was changed here.
    assert results == [(n * n, True) for n in range(10)]


def test_workers_are_spawned_while_another_thread_runs(monkeypatch):
    monkeypatch.setitem(STATE, "changed_in_parent", True)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        results = list(parallel.start_chunks(what_the_worker_sees, list(range(10)), chunk=3))
    finally:
        release.set()
        other.join()

    # A spawned worker is a new interpreter that imported this module afresh.
    assert results == [(n * n, False) for n in range(10)]


def test_results_come_in_order_and_progress_is_reported_per_chunk():
    seen = []

    results = list(
        parallel.map_chunks(
            what_the_worker_sees, list(range(7)), chunk=2, on_chunk=lambda part, _res: seen.append(part)
        )
    )

    assert [square for square, _ in results] == [n * n for n in range(7)]
    assert seen == [[0, 1], [2, 3], [4, 5], [6]]


def run_script(tmp_path, source: str, *args: str) -> tuple[str, float]:
    script = tmp_path / "script.py"
    script.write_text(source)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip(), time.monotonic() - started


ABANDON = """
import time
from evidencekit.case import parallel

def slow(part):
    time.sleep(1)
    return part

if __name__ == "__main__":
    run = parallel.start_chunks(slow, list(range(40)), chunk=1)
    time.sleep(0.5)
    run.close()
    print("closed")
"""


def test_work_handed_out_then_abandoned_does_not_keep_the_program_running(tmp_path):
    said, seconds = run_script(tmp_path, ABANDON)

    assert said == "closed"
    assert seconds < 8, f"{seconds:.1f} s: the program waited for all 40 chunks (20 s of work)"


FORK_FAILS = """
import os
from evidencekit.case import parallel

real_fork = os.fork
forks = [0]

def fork_that_fails_the_second_time():
    forks[0] += 1
    if forks[0] == 2:
        raise OSError(11, "Resource temporarily unavailable")
    return real_fork()

os.fork = fork_that_fails_the_second_time

def squares(part):
    return [n * n for n in part]

if __name__ == "__main__":
    print(sum(parallel.map_chunks(squares, list(range(100)), chunk=10)))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked only on Linux")
def test_when_a_worker_cannot_be_started_the_work_is_done_here_and_the_program_ends(tmp_path):
    if parallel.worker_count() < 2:
        pytest.skip("needs two cores, so that a second worker is forked")

    said, seconds = run_script(tmp_path, FORK_FAILS)

    assert said == str(sum(n * n for n in range(100)))
    assert seconds < 30


ORPHANS = """
import multiprocessing, time
from evidencekit.case import parallel

def slow(part):
    time.sleep(30)
    return part

if __name__ == "__main__":
    run = parallel.start_chunks(slow, list(range(8)), chunk=1)
    time.sleep(0.5)
    print(*[worker.pid for worker in multiprocessing.active_children()], flush=True)
    time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped) is not running
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only (PR_SET_PDEATHSIG)")
def test_workers_end_when_the_command_that_started_them_is_killed(tmp_path):
    """Killed with SIGKILL, a command cannot stop its workers; they must not live on, writing
    into a staging folder the next command is clearing."""
    script = tmp_path / "orphans.py"
    script.write_text(ORPHANS)
    command = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in command.stdout.readline().split()]
    assert workers, "no worker processes were started"
    try:
        command.kill()
        command.wait()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in workers), "workers outlived the killed command"
    finally:
        command.stdout.close()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_closing_a_run_on_threads_drops_the_files_not_yet_started():
    # Verify's Ctrl-C on files read in threads: the threads stop taking files. Many files, so
    # that the close comes while they are still being handed to the threads (which once raised
    # "cannot schedule new futures after shutdown" and lost what had been read).
    release = threading.Event()
    started: list[int] = []

    def one(n: int) -> int:
        started.append(n)
        release.wait(10)
        return n * n

    run = parallel.read_files(
        list(range(20_000)), one, small=lambda n: False, in_worker=what_the_worker_sees, threads=2
    )
    collected: list[tuple[int, int]] = []
    reader = threading.Thread(target=lambda: collected.extend(run))
    reader.start()
    deadline = time.monotonic() + 10
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    run.close()
    release.set()
    reader.join(10)

    assert not reader.is_alive()
    assert sorted(started) == [0, 1], "the other files were never started"
    assert collected == [(0, 0), (1, 1)], "what had started is finished and kept"


def test_an_error_in_a_helper_thread_is_raised_in_the_callers_thread():
    def work(helper: parallel.Helper) -> None:
        raise OSError(28, "No space left on device")

    helper = parallel.Helper("ek-test", work)
    helper.start()

    with pytest.raises(OSError, match="No space left"):
        helper.finish()
