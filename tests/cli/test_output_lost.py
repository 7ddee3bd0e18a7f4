"""Output that cannot be written (a full disk behind `> file`, a reader that stopped) ends a
command calmly with exit 2; it is never "a bug", and the case is whole."""

from __future__ import annotations

import subprocess

from evidencekit.verify import verify_case
from tests.conftest import BIN


def _run(case, *args: str, stdout=None, stderr=None):
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [str(BIN / "evidencekit"), *args],
            stdout=full if stdout == "full" else subprocess.PIPE,
            stderr=full if stderr == "full" else subprocess.PIPE,
            cwd=case.root,
            text=True,
            timeout=60,
        )


def test_printing_to_a_full_disk_is_a_sentence_not_a_bug(case):
    done = _run(case, "status", stdout="full")

    assert done.returncode == 2
    assert "could not write its output (No space left on device)" in done.stderr
    assert "bug" not in done.stderr and "Traceback" not in done.stderr


def test_a_change_whose_words_are_lost_is_still_saved_whole(case):
    done = _run(case, "note", "he said he would post it", stdout="full", stderr="full")

    assert done.returncode == 2
    assert "he said he would post it" in (case.root / "evidencekit/notes.jsonl").read_text(encoding="utf-8")
    assert verify_case(case.root).ok


def test_a_reader_that_stops_early_is_not_an_error_message(case):
    for n in range(30):
        subprocess.run(
            [str(BIN / "evidencekit"), "note", f"note {n}"], cwd=case.root, check=True, capture_output=True
        )
    log = subprocess.Popen(
        [str(BIN / "evidencekit"), "log"], cwd=case.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert log.stdout is not None and log.stderr is not None
    log.stdout.read(5)
    log.stdout.close()  # like `| head -c 5`
    errors = log.stderr.read().decode()
    log.stderr.close()
    assert log.wait(timeout=60) in (0, 2)
    assert "Traceback" not in errors and "bug" not in errors and "Problem" not in errors
