"""The C library, for the two Linux calls Python's `os` module lacks: syncfs(2), sync_file_range(2).

It is reached through the running program's own symbols (`ctypes.CDLL(None)`, which includes the C
library), not through `ctypes.util.find_library("c")`: that runs `ldconfig` in a child process, about
35 ms on every command that hashes a file.
"""

from __future__ import annotations

import functools
import sys
from typing import Any


@functools.cache
def linux_libc() -> Any | None:
    """The C library on Linux; None elsewhere or if it cannot be reached."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None
