"""Worker processes: forked when that is safe (Linux, one thread), spawned otherwise; same results."""

from __future__ import annotations

import sys
import threading

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
