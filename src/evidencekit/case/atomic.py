"""Durable, private file writes.

Every file evidencekit writes goes to a temporary name in the same folder, is flushed to the disk,
and only then renamed over its final name, so a crash, a full disk or Ctrl-C leaves either the old
file or the new one, never half of either. Files are private to the user (0600, folders 0700);
Windows ignores POSIX modes and relies on the profile folder's ACLs instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from evidencekit.errors import EvidenceKitError, StorageError

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_PREFIX = ".ek-tmp-"

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable. A no-op where folders cannot be opened."""
    if os.name == "nt":  # pragma: no cover - NTFS journals metadata; folders cannot be fsynced
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private_dir(path: Path) -> None:
    """Create `path` (and missing parents) readable only by the user.

    Each folder made gets DIR_MODE explicitly: `mkdir(parents=True)` gives the parents it makes
    the umask's mode (0777 under umask 000). Folders inside a case are made with
    `safepath.make_dirs`, which also refuses links; this is for folders outside one."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        with contextlib.suppress(OSError):
            os.chmod(folder, DIR_MODE)
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, exist_ok=True)  # raises the right error (a file is there)


def temp_path_beside(final: Path) -> Path:
    """A fresh temporary name in the same folder as `final` (same disk, so rename is atomic)."""
    return final.with_name(f"{TEMP_PREFIX}{secrets.token_hex(6)}-{final.name}"[:200])


def write_bytes_durably(path: Path, data: bytes) -> None:
    """Create `path` with `data`, flushed to disk. `path` must not exist yet."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: temp file, fsync, rename, fsync the folder."""
    temp = temp_path_beside(path)
    try:
        write_bytes_durably(temp, data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` for UTF-8 text with `\\n` line endings on every OS."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn a low-level OSError while writing into a sentence a person can act on."""
    try:
        yield
    except EvidenceKitError:
        raise  # already a sentence (a refused path is also an OSError: see safepath)
    except OSError as exc:
        raise storage_error(exc, action) from exc


def storage_error(exc: OSError, action: str) -> StorageError:
    """A `StorageError` that explains `exc` in plain words."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StorageError(
            f"The disk is full, so evidencekit could not finish {action}. Nothing was changed.",
            hint="Free some space (or choose a case folder on a bigger disk) and try again.",
        )
    if exc.errno == errno.EROFS:
        return StorageError(
            f"The disk is read-only, so evidencekit could not finish {action}. Nothing was changed.",
            hint="Copy the case folder to a writable disk first.",
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageError(
            f"evidencekit is not allowed to write here, so it could not finish {action}.",
            hint="Check that you own the case folder, or choose another folder.",
        )
    if exc.errno == errno.EFBIG:
        return StorageError(
            f"The file system refused a file this large while {action}. Nothing was changed.",
            hint="Use a disk formatted with a modern file system (not FAT32) for the case.",
        )
    return StorageError(
        f"Writing to disk failed while {action} ({exc.strerror or exc}). Nothing was changed.",
        hint="Check the disk and try again.",
    )
