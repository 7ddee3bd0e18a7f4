"""SHA-256 on a helper thread, so hashing overlaps with reading, encrypting and writing.

`hashlib` releases the GIL while it hashes a large block, and so does `cryptography` while it
encrypts one; with the hashing of the case's files moved to its own thread, the three steps of the
hand-over run side by side on a multi-core machine instead of one after the other. Blocks are
hashed in the order they were given; `hexdigest()` waits only for its own file's blocks. The
thread is a `case.parallel.Helper`, like every thread evidencekit hashes on.
"""

from __future__ import annotations

import hashlib
import queue
import threading

from evidencekit.case.parallel import Helper


class PendingHash:
    """The SHA-256 of one file, being computed by a `BackgroundHasher`."""

    def __init__(self, owner: BackgroundHasher) -> None:
        self._owner = owner
        self._hash = hashlib.sha256()
        self._done = threading.Event()
        self._value: str | None = None

    def update(self, data: bytes) -> None:
        self._owner._put((self, data))

    def close(self) -> None:
        """No more data for this file (the digest is then computed in the background)."""
        self._owner._put((self, None))

    def hexdigest(self) -> str:
        self._done.wait()
        if self._owner.error is not None:
            raise self._owner.error
        assert self._value is not None
        return self._value


class BackgroundHasher:
    """One helper thread hashing blocks for any number of files, in order. Use as a context manager."""

    def __init__(self, depth: int = 16) -> None:
        self._queue: queue.Queue[tuple[PendingHash, bytes | None] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._thread = Helper("ek-hash", lambda _helper: self._run())
        self._thread.start()

    def new(self) -> PendingHash:
        return PendingHash(self)

    def _put(self, item: tuple[PendingHash, bytes | None]) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(item)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            pending, data = item
            try:
                if data is None:
                    pending._value = pending._hash.hexdigest()
                    pending._done.set()
                else:
                    pending._hash.update(data)
            except BaseException as exc:  # noqa: BLE001 - reported to whoever waits
                self.error = exc
                pending._done.set()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.wait()  # in short steps: Ctrl-C is not held up

    def __enter__(self) -> BackgroundHasher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
