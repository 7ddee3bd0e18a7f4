"""One writer at a time per case, on every OS.

POSIX uses `flock` on `.evidencekit.lock` (released by the kernel if the process dies, so a crash
never leaves a stale lock) and removes the file on release. Windows uses `msvcrt.locking` on the
same file and leaves it in place (an open file cannot be deleted there). The file holds who took
the lock, so a second command can say who is busy with the case.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from evidencekit.case.atomic import FILE_MODE
from evidencekit.case.jsonlines import parse_json
from evidencekit.errors import CaseLockedError

DEFAULT_WAIT_SECONDS = 5.0
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
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
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
    if os.name == "nt":  # pragma: no cover
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
        self.path = case_root / ".evidencekit.lock"
        self.command = command
        self.wait = wait_seconds() if wait is None else wait
        self._fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
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
            on_disk = os.stat(self.path)
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
            raw = self.path.read_bytes()
            info = parse_json(raw or b"{}")
            return (
                f"“{info.get('command', '?')}”, process {info.get('pid', '?')} on "
                f"{info.get('host', '?')}, since {info.get('since', '?')}"
            )
        except (OSError, ValueError):
            return "another process"

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _HELD.discard(fd)
        if os.name != "nt":
            with contextlib.suppress(OSError):
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
