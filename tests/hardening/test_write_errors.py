"""A full disk, a refused write or Ctrl-C: a clear sentence, and the case exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from evidencekit.verify import verify_case
from tests.conftest import BIN, assert_valid_bag


def case_state(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 4 MB file system (tmpfs), so the disk really fills up."""
    mount_point = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.decode().strip()})")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_explained_and_the_case_is_unchanged(cli, tiny_disk, tmp_path, evidence):
    case = tiny_disk / "case"
    assert cli("new", case).exit_code == 0
    assert cli("capture", evidence / "chat.txt", "--case", case).exit_code == 0
    before = case_state(case)
    video = tmp_path / "screen-recording.mp4"
    video.write_bytes(os.urandom(6 * 1024 * 1024))

    result = cli("capture", video, "--case", case)

    assert result.exit_code == 2, result.output
    assert "The disk is full" in result.stderr and "Nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert case_state(case) == before
    assert not (case / ".evidencekit-txn").exists()
    assert verify_case(case).ok
    assert_valid_bag(case)
    small = tmp_path / "small.txt"
    small.write_text("still works")
    assert cli("capture", small, "--case", case).exit_code == 0


LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # get EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
from evidencekit.cli.app import main
main(sys.argv[1:])
"""


def test_a_file_size_limit_is_explained_and_the_case_is_unchanged(tmp_path, cli, evidence):
    case = tmp_path / "case"
    cli("new", case)
    cli("capture", evidence / "chat.txt", "--case", case)
    before = case_state(case)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    proc = subprocess.run(
        [sys.executable, "-c", LIMITED, "capture", str(big), "--case", str(case)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "refused a file this large" in proc.stderr
    assert case_state(case) == before
    assert verify_case(case).ok


def test_ctrl_c_during_a_capture_leaves_the_case_as_it_was(tmp_path, cli, evidence):
    case = tmp_path / "case"
    cli("new", case)
    cli("capture", evidence / "chat.txt", "--case", case)
    before = case_state(case)
    big = tmp_path / "long-recording.bin"
    big.write_bytes(os.urandom(512 * 1024 * 1024))
    proc = subprocess.Popen(
        [str(BIN / "evidencekit"), "capture", str(big), "--case", str(case)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (case / ".evidencekit-txn").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the capture finished before Ctrl-C arrived (a very fast disk)")
    assert proc.returncode == 130, err
    assert "Stopped. Nothing was half-saved" in err
    assert "Traceback" not in err + out
    assert case_state(case) == before
    assert not (case / ".evidencekit-txn").exists()
    assert verify_case(case).ok
