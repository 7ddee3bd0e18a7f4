"""The hand-over's files beside each other: their names, and what a killed run left of them.

A run killed outright (SIGKILL, power cut) cannot remove its temporary files; the next hand-over
to the same folder removes them: only names made exactly the way `temp_path_beside` makes them for
this case's hand-over files, only plain files (never a link), and never one another evidencekit is
still writing (the writer holds an advisory lock on its file, `hold_while_writing`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from evidencekit.case.atomic import TEMP_PREFIX, fsync_dir

ARCHIVE_SUFFIX = ".tar.age"
CHECKSUM_SUFFIX = ".tar.age.sha256"
KEY_SUFFIX = ".key.age"
HOW_TO_SUFFIX = ".HOW-TO-OPEN.txt"
_HEX = frozenset("0123456789abcdef")


def handover_paths(out_dir: Path, case_id: str) -> dict[str, Path]:
    return {
        "archive": out_dir / f"{case_id}{ARCHIVE_SUFFIX}",
        "checksum": out_dir / f"{case_id}{CHECKSUM_SUFFIX}",
        "key": out_dir / f"{case_id}{KEY_SUFFIX}",
        "how_to": out_dir / f"{case_id}{HOW_TO_SUFFIX}",
    }


def _stale_temp_of(name: str, case_id: str) -> str | None:
    """The hand-over file `name` is a temporary copy of, if `name` is exactly such a temp name
    (`temp_path_beside`: prefix, twelve hex digits, a dash, the final name, cut at 200)."""
    if not name.startswith(TEMP_PREFIX):
        return None
    digits = name[len(TEMP_PREFIX) : len(TEMP_PREFIX) + 12]
    if len(digits) != 12 or not set(digits) <= _HEX:
        return None
    for suffix in (ARCHIVE_SUFFIX, CHECKSUM_SUFFIX, KEY_SUFFIX, HOW_TO_SUFFIX):
        final = f"{case_id}{suffix}"
        if name == f"{TEMP_PREFIX}{digits}-{final}"[:200]:
            return final
    return None


def clear_stale_temps(out_dir: Path, case_id: str) -> tuple[list[str], list[str]]:
    """Remove what a killed earlier hand-over of this case left in `out_dir`.

    Returns (names removed, "name (why it was left)" for the others). Only names of exactly our
    temp pattern for this case's hand-over files; only plain files, never a link (a link is not
    followed, nor removed: someone made it); never a file another evidencekit is still writing."""
    removed: list[str] = []
    left: list[str] = []
    try:
        names = sorted(os.listdir(out_dir))
    except OSError:
        return removed, left
    for name in names:
        if _stale_temp_of(name, case_id) is None:
            continue
        path = out_dir / name
        try:
            before = os.lstat(path)
            if not stat.S_ISREG(before.st_mode):
                left.append(f"{name} (not a plain file, so it was left alone)")
                continue
            if not _remove_if_abandoned(path, before):
                left.append(f"{name} (another evidencekit is still writing it)")
                continue
        except FileNotFoundError:
            continue  # gone meanwhile
        except OSError as exc:
            left.append(f"{name} (it could not be removed: {exc.strerror or exc})")
            continue
        removed.append(name)
    if removed:
        fsync_dir(out_dir)
    return removed, left


def _remove_if_abandoned(path: Path, before: os.stat_result) -> bool:
    """Unlink `path` unless a living writer holds its lock; False if one does."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(now.st_mode):
            raise FileNotFoundError(errno.ENOENT, "replaced meanwhile", str(path))
        if _held_by_a_writer(fd):
            return False
        again = os.lstat(path)
        if (again.st_dev, again.st_ino) != (before.st_dev, before.st_ino):
            raise FileNotFoundError(errno.ENOENT, "replaced meanwhile", str(path))
        os.unlink(path)
        return True
    finally:
        os.close(fd)


def hold_while_writing(fd: int) -> None:
    """Take an advisory lock on the temp file being written, so a hand-over running at the same
    time (another copy of this case, writing to the same folder) does not take it for a leftover.
    The kernel drops the lock when the process ends, however it ends."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: an open file cannot be deleted there anyway
        return
    with contextlib.suppress(OSError):  # a file system without locks: nothing better to do
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _held_by_a_writer(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: unlink fails on an open file instead
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False  # no locks on this file system: the name alone says it is ours
    return False


__all__ = [
    "ARCHIVE_SUFFIX",
    "CHECKSUM_SUFFIX",
    "HOW_TO_SUFFIX",
    "KEY_SUFFIX",
    "clear_stale_temps",
    "handover_paths",
    "hold_while_writing",
]
