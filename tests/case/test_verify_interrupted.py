"""A verify that stops early (Ctrl-C while one of its checks runs) stops its worker
processes too, instead of leaving them to hash every remaining file before the program can end."""

from __future__ import annotations

import subprocess
import sys
import time

from evidencekit.case import parallel
from evidencekit.intake.files import capture

STOPS_EARLY = """
import sys, time
from pathlib import Path
from evidencekit.case import parallel
from evidencekit.verify import parts, verify_case

real_hash_chunk = parallel.hash_chunk

def slow_hash_chunk(paths):
    time.sleep(1.0)  # a slow disk: 1 s per chunk of files
    return real_hash_chunk(paths)

parallel.hash_chunk = slow_hash_chunk

def interrupted_check(root, report):
    raise KeyboardInterrupt  # Ctrl-C while one of the checks runs

parts.EXTRA_CHECKS.append(interrupted_check)

if __name__ == "__main__":
    try:
        verify_case(Path(sys.argv[1]))
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


def test_verify_stopped_by_ctrl_c_does_not_wait_for_its_workers(case, tmp_path):
    folder = tmp_path / "camera-roll"
    folder.mkdir()
    count = 3 * parallel.PROCESS_MIN_FILES  # chunks of 64 files: 19 chunks, about 10 s of hashing
    for n in range(count):
        (folder / f"shot-{n:04d}.bin").write_bytes(n.to_bytes(4, "big") * 100)
    capture(case, [folder])
    script = tmp_path / "stops_early.py"
    script.write_text(STOPS_EARLY)

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script), str(case.root)], capture_output=True, text=True, timeout=120
    )
    seconds = time.monotonic() - started

    assert done.stdout.strip() == "stopped", done.stderr
    assert seconds < 6, f"{seconds:.1f} s: the workers went on hashing every file"


def test_stopping_a_verify_of_an_archive_leaves_its_own_error_intact():
    """An archive is hashed as it is read (a plain generator, run by the collecting thread).
    Stopping while it runs must not replace the reason verify stopped (Ctrl-C, say) with an error
    of its own."""
    import threading

    from evidencekit.case.bagview import BagView
    from evidencekit.case.findings import VerifyReport
    from evidencekit.case.rehash import PendingHashes

    running, release = threading.Event(), threading.Event()

    class ArchiveLikeView(BagView):
        label = "archive"

        def hash_files(self, jobs, workers):
            for path, expected, _size in jobs:
                running.set()
                release.wait(10)
                yield path, expected, expected, None

    pending = PendingHashes(
        ArchiveLikeView(), VerifyReport(source="archive"), [("data/a", "0" * 64, 1)], None, None
    )
    assert running.wait(10)
    try:
        pending.cancel()  # raised "generator already executing"
    finally:
        release.set()
    pending.finish()
