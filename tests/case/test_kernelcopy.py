"""The large-file copy: the kernel copies ahead, the copy is hashed, and every failure surfaces."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from evidencekit.case.kernelcopy import copy_then_hash

pytestmark = pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="copy_file_range is Linux-only")

SIZE = 9 * 1024 * 1024 + 321  # several hashing blocks, not a multiple of any of them


def copy(source: Path, target: Path, copy_range, *, target_flags: int = os.O_WRONLY) -> tuple[int, str]:
    src = os.open(source, os.O_RDONLY)
    target.touch()
    dst = os.open(target, target_flags)
    reader = os.open(target, os.O_RDONLY)
    sha = hashlib.sha256()
    try:
        total = copy_then_hash(
            src,
            dst,
            reader,
            [sha],
            None,
            copy_range=copy_range,
            start_writeback=None,
            writeback_step=1 << 20,
            block=1 << 20,
        )
    finally:
        for fd in (src, dst, reader):
            os.close(fd)
    return total, sha.hexdigest()


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "recording.mp4"
    path.write_bytes(os.urandom(SIZE))
    return path


def test_the_kernel_copy_is_exact_and_its_hash_is_the_originals(original, tmp_path):
    target = tmp_path / "copy.mp4"
    total, digest = copy(original, target, os.copy_file_range)
    assert total == SIZE
    assert target.read_bytes() == original.read_bytes()
    assert digest == hashlib.sha256(original.read_bytes()).hexdigest()


def test_when_the_kernel_refuses_the_copy_is_made_by_reading_and_writing(original, tmp_path):
    def refuses(*_args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    target = tmp_path / "copy.mp4"
    total, digest = copy(original, target, refuses)
    assert total == SIZE
    assert target.read_bytes() == original.read_bytes()
    assert digest == hashlib.sha256(original.read_bytes()).hexdigest()


def test_a_kernel_that_refuses_half_way_still_gives_an_exact_copy(original, tmp_path):
    calls = []

    def refuses_after_one(src, dst, count, offset_src, offset_dst):
        calls.append(offset_src)
        if len(calls) > 1:
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return os.copy_file_range(src, dst, min(count, 3 << 20), offset_src, offset_dst)

    target = tmp_path / "copy.mp4"
    total, _digest = copy(original, target, refuses_after_one)
    assert total == SIZE and target.read_bytes() == original.read_bytes()


def test_a_write_error_in_the_copying_thread_reaches_the_caller(original, tmp_path):
    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as raised:
        # the fallback's write fails too: the copy is opened read-only, like a disk that refuses writes
        copy(original, tmp_path / "copy.mp4", full_disk, target_flags=os.O_RDONLY)
    assert raised.value.errno == errno.EBADF
