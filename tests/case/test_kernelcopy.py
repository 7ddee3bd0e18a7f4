"""The large-file copy: the kernel copies on its own thread, the original is what is hashed."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from evidencekit.case import hashing
from evidencekit.case.kernelcopy import KernelCopier

pytestmark = pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="copy_file_range is Linux-only")

SIZE = 9 * 1024 * 1024 + 321  # several ranges and blocks, not a multiple of any of them


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "recording.mp4"
    path.write_bytes(os.urandom(SIZE))
    return path


def copy_with(copy_range, source: Path, target: Path, *, target_flags: int = os.O_WRONLY) -> int:
    target.touch()
    src, dst = os.open(source, os.O_RDONLY), os.open(target, target_flags)
    copier = KernelCopier(src, dst, copy_range, None, 1 << 20)
    copier.start()
    os.close(src)  # the copier works on its own descriptors: the caller may close its own at once
    os.close(dst)
    return copier.copied_all()


def test_the_kernel_copy_is_exact(original, tmp_path):
    target = tmp_path / "copy.mp4"
    assert copy_with(os.copy_file_range, original, target) == SIZE
    assert target.read_bytes() == original.read_bytes()


def test_when_the_kernel_refuses_the_copy_is_made_by_reading_and_writing(original, tmp_path):
    def refuses(*_args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    target = tmp_path / "copy.mp4"
    assert copy_with(refuses, original, target) == SIZE
    assert target.read_bytes() == original.read_bytes()


def test_a_kernel_that_refuses_half_way_still_gives_an_exact_copy(original, tmp_path):
    calls = []

    def refuses_after_one(src, dst, count, offset_src, offset_dst):
        calls.append(offset_src)
        if len(calls) > 1:
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return os.copy_file_range(src, dst, min(count, 3 << 20), offset_src, offset_dst)

    target = tmp_path / "copy.mp4"
    assert copy_with(refuses_after_one, original, target) == SIZE
    assert target.read_bytes() == original.read_bytes()


def test_a_write_error_in_the_copying_thread_reaches_the_caller(original, tmp_path):
    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as raised:
        # the fallback's write fails too: the copy is opened read-only, like a disk that refuses writes
        copy_with(full_disk, original, tmp_path / "copy.mp4", target_flags=os.O_RDONLY)
    assert raised.value.errno == errno.EBADF


def test_a_file_system_that_damages_copies_is_caught_not_recorded(original, tmp_path, monkeypatch):
    """The hash recorded is the original's, so a copy that went wrong fails verify later."""

    def loses_data(src, dst, count, offset_src, offset_dst):
        length = min(count, SIZE - offset_src)
        return os.pwrite(dst, b"\0" * length, offset_dst) if length > 0 else 0

    monkeypatch.setattr(hashing, "_copy_file_range", loses_data)
    target = tmp_path / "copy.mp4"
    digest = hashing.copy_and_hash(original, target)
    assert digest.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() != digest.sha256
