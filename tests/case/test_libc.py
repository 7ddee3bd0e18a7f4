"""The two Linux calls that make flushing many files cheap are really reached (else the code falls
back, silently, to slower paths: one fsync per file, no early writeback)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from evidencekit.case import hashing, journal

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def test_syncfs_is_reached(tmp_path):
    (tmp_path / "copy.bin").write_bytes(b"x" * 4096)
    assert journal._syncfs(tmp_path) is True


def test_sync_file_range_is_reached_and_starts_a_writeback(tmp_path):
    assert hashing._sync_file_range is not None
    fd = os.open(tmp_path / "copy.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"x" * 65536)
        hashing._start_writeback(fd, 0, 0)  # raises nothing, returns at once
    finally:
        os.close(fd)


def test_reaching_the_c_library_starts_no_other_program():
    """`ctypes.util.find_library` would run ldconfig (tens of milliseconds on every command)."""
    traced = subprocess.run(
        [
            sys.executable,
            "-c",
            "import subprocess\n"
            "calls = []\n"
            "real = subprocess.Popen.__init__\n"
            "def spy(self, *a, **k):\n    calls.append(a)\n    real(self, *a, **k)\n"
            "subprocess.Popen.__init__ = spy\n"
            "import evidencekit.case.hashing, evidencekit.case.journal\n"
            "from pathlib import Path\n"
            "evidencekit.case.journal._syncfs(Path('.'))\n"
            "print(len(calls))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert traced.stdout.strip() == "0"
