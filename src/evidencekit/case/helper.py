"""One job on a helper thread beside the caller: part of the concurrency service (`parallel`,
which is where to look first), in a module of its own so that the kernel's copy (kernelcopy.py)
can use it without importing the rest."""

from __future__ import annotations

import threading
from collections.abc import Callable

WAIT_STEP = 0.2  # seconds: waiting in short steps keeps Ctrl-C (and a second one) responsive


class Helper(threading.Thread):
    """One job on a thread of its own beside the caller (the kernel's copy of a large file; verify
    collecting hashes while other checks run).

    `work(helper)` runs on the thread and should look at `helper.stopping` between steps. What it
    raises is kept and raised by `finish()` in the caller's thread; `stop()` asks it to end after
    the step it is in and waits for that. Waiting is done in short steps, so Ctrl-C is never held up
    by it. A daemon thread: a helper still running when the command ends does not keep it alive."""

    def __init__(self, name: str, work: Callable[[Helper], object] | None = None) -> None:
        super().__init__(name=name, daemon=True)
        self._work = work
        self.stopping = False
        self.error: BaseException | None = None

    def work(self) -> None:
        """The job (given to the constructor, or written in a subclass)."""
        if self._work is not None:
            self._work(self)

    def run(self) -> None:
        try:
            self.work()
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread by finish()
            self.error = exc

    def wait(self) -> None:
        while self.is_alive():
            self.join(WAIT_STEP)

    def finish(self) -> None:
        """Wait for the job to end; raise what stopped it, if anything did."""
        self.wait()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """Ask the job to end after its current step, and wait until it has."""
        self.stopping = True
        self.wait()
