"""One writer at a time per case, on every OS.

POSIX uses `flock` on `.evidencekit.lock` (released by the kernel if the process dies, so a crash
never leaves a stale lock) and removes the file on release. Windows uses `msvcrt.locking` on the
same file and leaves it in place (an open file cannot be deleted there). The file holds who took
the lock, so a second command can say who is busy with the case.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import stat
import sys
import time
from pathlib import Path
from types import TracebackType

from evidencekit.case import safepath
from evidencekit.case.atomic import FILE_MODE
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.layout import LOCK_FILE
from evidencekit.errors import CaseLockedError

DEFAULT_WAIT_SECONDS = 5.0
_MAX_HOLDER_BYTES = 4096  # the holder record is about 100 bytes
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# Windows byte-range locks are mandatory, so lock one byte far past the holder text, which then
# stays readable by the process that is told to wait.
_WINDOWS_LOCK_OFFSET = 1 << 30

# Lock files this process holds open. A `flock` belongs to the open file, which a forked child
# shares: a worker process (parallel.py) that outlived a killed command would keep the case
# locked. So a forked child closes its copies at once (closing, not unlocking: unlocking would
# release the parent's lock too).
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_close_held_in_child)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def wait_seconds() -> float:
    """How long a command waits for a busy case (EVIDENCEKIT_LOCK_WAIT overrides, for tests)."""
    try:
        return float(os.environ.get("EVIDENCEKIT_LOCK_WAIT", DEFAULT_WAIT_SECONDS))
    except ValueError:
        return DEFAULT_WAIT_SECONDS


class CaseLock:
    """Exclusive lock on a case folder; use as a context manager."""

    def __init__(self, case_root: Path, command: str, wait: float | None = None) -> None:
        self.root = case_root
        self.path = case_root / LOCK_FILE
        self.command = command
        self.wait = wait_seconds() if wait is None else wait
        self._fd: int | None = None

    def _open(self) -> int:
        """Open (or create) the lock file, which must be a plain file of the case.

        A link planted as `.evidencekit.lock` would make the lock record overwrite its target, and
        a FIFO or folder there would hang or fail the command: each is refused before opening, and
        O_NOFOLLOW closes the gap between that check and the open."""
        st = safepath.lstat_in_case(self.root, LOCK_FILE)
        if st is not None and safepath.kind_of(st) != "file":
            raise safepath.UnsafeCasePathError(
                f"The case's lock file ({LOCK_FILE}) is not a plain file, so evidencekit will not use it.",
                hint="Nothing was changed. If no evidencekit command is running, the case folder "
                "was changed outside evidencekit: run evidencekit verify to see what else changed.",
            )
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _BINARY, FILE_MODE)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise safepath.UnsafeCasePathError(
                    f"The case's lock file ({LOCK_FILE}) is a link; evidencekit never follows links "
                    "inside a case."
                ) from None
            raise

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            fd = self._open()
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise safepath.UnsafeCasePathError(
                    f"The case's lock file ({LOCK_FILE}) is not a plain file, so evidencekit will not use it."
                )
            if _try_lock(fd):
                if self._still_our_file(fd):
                    self._fd = fd
                    _HELD.add(fd)
                    self._write_holder(fd)
                    return
                os.close(fd)  # the previous holder removed it as we opened it: try again
                continue
            os.close(fd)
            if time.monotonic() >= deadline:
                raise CaseLockedError(
                    f"Another evidencekit command is working on this case right now ({self.holder()}).",
                    hint="Wait for it to finish, then try again. Nothing was changed.",
                )
            time.sleep(0.1)

    def _still_our_file(self, fd: int) -> bool:
        if os.name == "nt":  # pragma: no cover
            return True
        try:
            on_disk = os.lstat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    def _write_holder(self, fd: int) -> None:
        holder = {
            "command": self.command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        data = json.dumps(holder).encode("utf-8")
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)

    def holder(self) -> str:
        """Who holds the lock, in words ('capture, process 1234 on laptop, since 13:20:01')."""
        try:
            raw = safepath.read_bytes(self.root, LOCK_FILE, limit=_MAX_HOLDER_BYTES)
            info = parse_json(raw or b"{}")
        except (OSError, ValueError):
            return "another process"
        if not isinstance(info, dict):
            return "another process"

        def field(name: str) -> str:
            value = info.get(name)
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                return "?"
            # Written by whoever made the case: shown short and without control characters.
            text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
            return text[:60]

        return f"“{field('command')}”, process {field('pid')} on {field('host')}, since {field('since')}"

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _HELD.discard(fd)
        if os.name != "nt":
            with contextlib.suppress(OSError):
                if self._still_our_file(fd):  # never remove what someone put in its place
                    self.path.unlink()
        else:  # pragma: no cover
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        _unlock(fd)
        os.close(fd)

    def __enter__(self) -> CaseLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


__all__ = ["CaseLock", "wait_seconds"]
