"""The one door into a case folder, which may have been made by a stranger.

A case travels from a victim to a helpline to an officer, and any folder can be renamed to look
like a case, so nothing in it is trusted: every path read from it or written into it goes through
this module. The rules, each in one function:

- a case path is relative, `/`-separated, normalised, and names no drive, stream or parent
  (`case_path`);
- no step of it is a symbolic link (or, on Windows, any other reparse point), checked with `lstat`
  at every step and, on POSIX, opened step by step with `O_NOFOLLOW` below a descriptor of the
  case folder, so a link swapped in between the check and the open is not followed either
  (`open_regular`, `lstat_in_case`);
- only regular files are opened for reading, and they are checked *before* they are opened: a FIFO
  would hang the command, a device could never end (`open_regular`);
- folders are created one step at a time, never through a link (`make_dirs`).

A path that breaks a rule raises `UnsafeCasePathError`. It is both an `EvidenceKitError` (so the
command that met it refuses with a sentence, exit 2) and an `OSError` (so a check that reports
unreadable files as findings reports this one too, without a special case).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evidencekit.errors import EvidenceKitError

DIR_MODE = 0o700
# Deeper than any folder a capture keeps (exports nest a few levels) and shallow enough that a
# hostile case cannot make a walk take long or use much memory.
MAX_DEPTH = 64

_BINARY = getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_REPARSE = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
# Step-by-step opening needs openat(2) and O_NOFOLLOW; elsewhere (Windows) every step is checked
# with lstat instead.
_STEPWISE = (
    os.name == "posix"
    and bool(_NOFOLLOW)
    and bool(_DIRECTORY)
    and os.open in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
)
STEPWISE = _STEPWISE  # whether open_folder and open_regular_at can be used here


class UnsafeCasePathError(EvidenceKitError, OSError):
    """A path in a case leaves it, passes through a link, or names something that is not a file."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        EvidenceKitError.__init__(
            self,
            message,
            hint
            or "This case folder was changed outside evidencekit, so evidencekit will not use it "
            "as it is. Run: evidencekit verify, to see what changed.",
        )
        self.errno = errno.EINVAL
        self.strerror = message

    def __str__(self) -> str:
        return self.message


def _shown(relative: str) -> str:
    """A path from a case, as it may appear in a message: short, with no control characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in relative)
    return text if len(text) <= 120 else text[:117] + "…"


def path_problem(relative: str) -> str | None:
    """Why `relative` cannot be a path inside a case, or None when it can."""
    if not isinstance(relative, str) or not relative:
        return "it is empty or not text"
    if len(relative) > 4096:
        return "it is too long"
    if "\x00" in relative or "\\" in relative or ":" in relative:
        return "it holds a character paths in a case never hold"
    if relative.startswith(("/", "~")):
        return "it is not relative to the case"
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return "it is not a plain path inside the case"
    return None


def case_path(relative: str) -> str:
    """`relative` itself, once it is known to be a plain path inside a case; else refuse."""
    problem = path_problem(relative)
    if problem is not None:
        raise UnsafeCasePathError(f"The case names a path that evidencekit will not use ({problem}).")
    return relative


def is_link(st: os.stat_result) -> bool:
    """A symbolic link, or on Windows any reparse point (junctions and mount points too)."""
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & _REPARSE)


def kind_of(st: os.stat_result) -> str:
    """'file', 'folder', 'link' or 'special' (FIFO, socket, device)."""
    if is_link(st):
        return "link"
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        return "folder"
    return "special"


def _link_error(relative: str) -> UnsafeCasePathError:
    return UnsafeCasePathError(
        f"{_shown(relative)} in this case is a link to somewhere else; evidencekit never follows "
        "links inside a case."
    )


def lstat_in_case(root: Path, relative: str) -> os.stat_result | None:
    """The `lstat` of `root/relative`, or None if it does not exist.

    Every folder on the way must be a real folder (not a link); the last step may be anything,
    and the caller decides what it accepts (see `kind_of`)."""
    parts = case_path(relative).split("/")
    current = Path(root)
    for index, part in enumerate(parts):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        if index == len(parts) - 1:
            return st
        if is_link(st):
            raise _link_error("/".join(parts[: index + 1]))
        if not stat.S_ISDIR(st.st_mode):
            return None  # a file where a folder should be: the path does not exist
    raise AssertionError("unreachable")  # pragma: no cover


def exists_in_case(root: Path, relative: str) -> bool:
    """Whether anything (file, folder, link…) is at `relative`; a link on the way is refused."""
    return lstat_in_case(root, relative) is not None


def is_file_in_case(root: Path, relative: str) -> bool:
    """A regular file reached without any link; False for anything else or nothing."""
    try:
        st = lstat_in_case(root, relative)
    except UnsafeCasePathError:
        return False
    return st is not None and kind_of(st) == "file"


def is_dir_in_case(root: Path, relative: str) -> bool:
    """A real folder reached without any link; False for anything else or nothing."""
    try:
        st = lstat_in_case(root, relative)
    except UnsafeCasePathError:
        return False
    return st is not None and kind_of(st) == "folder"


def require_no_links(root: Path, relative: str) -> None:
    """Refuse when `relative` or any folder on its way is a link; nothing there is fine."""
    st = lstat_in_case(root, relative)
    if st is not None and is_link(st):
        raise _link_error(relative)


def _refuse_kind(relative: str, st: os.stat_result, wanted: str) -> None:
    kind = kind_of(st)
    if kind == wanted:
        return
    if kind == "link":
        raise _link_error(relative)
    words = {"file": "a file", "folder": "a folder", "special": "a special file (not a plain file)"}
    raise UnsafeCasePathError(
        f"{_shown(relative)} in this case is {words[kind]} where evidencekit expects {words[wanted]}."
    )


def open_regular(root: Path, relative: str) -> int:
    """A read-only descriptor of the regular file `root/relative`, reached without any link.

    FileNotFoundError when there is nothing there; UnsafeCasePathError for a link on the way, a
    folder, a FIFO or a device (refused before it is opened, so nothing can hang)."""
    parts = case_path(relative).split("/")
    if not _STEPWISE:
        st = lstat_in_case(root, relative)
        if st is None:
            raise FileNotFoundError(errno.ENOENT, "no such file in the case", relative)
        _refuse_kind(relative, st, "file")
        fd = os.open(Path(root, *parts), os.O_RDONLY | _BINARY | _NOFOLLOW | _NONBLOCK)
        return _same_regular_file(fd, st, relative)
    folder = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for index, part in enumerate(parts[:-1]):
            inner = _step_into(folder, part, "/".join(parts[: index + 1]))
            os.close(folder)
            folder = inner
        return open_regular_at(folder, parts[-1], relative)
    finally:
        os.close(folder)


def open_folder(root: Path, relative: str) -> int:
    """A descriptor of the real folder `root/relative`, each step opened below the one before
    without following a link. Only where `STEPWISE` (POSIX with openat); with `open_regular_at`,
    many files of one folder are opened without walking the whole path again for each."""
    parts = case_path(relative).split("/")
    folder = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for index, part in enumerate(parts):
            inner = _step_into(folder, part, "/".join(parts[: index + 1]))
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


def open_regular_at(folder: int, name: str, relative: str) -> int:
    """`open_regular` of the entry `name` of the folder descriptor `folder` (from `open_folder`);
    `relative` is its case path, for messages."""
    if "/" in name or path_problem(name) is not None:
        raise UnsafeCasePathError("The case names a path that evidencekit will not use.")
    try:
        st = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(errno.ENOENT, "no such file in the case", relative) from None
    _refuse_kind(relative, st, "file")
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _link_error(relative) from None
        raise
    return _same_regular_file(fd, st, relative)


def _step_into(folder: int, name: str, shown: str) -> int:
    """Open the folder `name` inside the descriptor `folder`, never through a link."""
    try:
        st = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(errno.ENOENT, "no such folder in the case", shown) from None
    if is_link(st):
        raise _link_error(shown)
    if not stat.S_ISDIR(st.st_mode):  # a file where a folder should be: nothing is there
        raise FileNotFoundError(errno.ENOENT, "no such folder in the case", shown)
    try:
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _link_error(shown) from None
        raise


def _same_regular_file(fd: int, before: os.stat_result, relative: str) -> int:
    """Keep `fd` only if it is the regular file that was checked (nothing swapped in between)."""
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise UnsafeCasePathError(f"{_shown(relative)} in this case changed while it was opened.")
        if _NONBLOCK and os.name == "posix":
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_bytes(root: Path, relative: str, *, limit: int | None = None) -> bytes:
    """The bytes of a regular file in the case (see `open_regular`).

    With `limit`, a file larger than that is refused rather than read into memory: records and
    seal files have sizes no real case comes near."""
    fd = open_regular(root, relative)
    try:
        if limit is not None and os.fstat(fd).st_size > limit:
            raise UnsafeCasePathError(
                f"{_shown(relative)} in this case is far larger than such a file ever is "
                f"(over {limit:,} bytes), so evidencekit did not read it."
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if limit is not None and total > limit:  # it grew while being read
                raise UnsafeCasePathError(f"{_shown(relative)} in this case grew while it was read.")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(root: Path, relative: str, *, limit: int | None = None, missing_ok: bool = False) -> str:
    """UTF-8 text of a file in the case; '' for a missing file when `missing_ok`.

    Bytes that are not UTF-8 raise UnicodeDecodeError (a ValueError), like any unreadable record."""
    try:
        data = read_bytes(root, relative, limit=limit)
    except FileNotFoundError:
        if missing_ok:
            return ""
        raise
    return data.decode("utf-8")


def make_dirs(root: Path, relative: str, mode: int = DIR_MODE) -> Path:
    """Create the folder `root/relative` and any missing folders on the way, private to the user.

    An existing step must be a real folder: a link or a file there is refused, so nothing is ever
    created outside the case through a link planted in it. The mode is set explicitly (a umask of
    000 must not make evidence world-readable)."""
    parts = case_path(relative).split("/")
    current = Path(root)
    for index, part in enumerate(parts):
        current = current / part
        shown = "/".join(parts[: index + 1])
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            try:
                os.mkdir(current, mode)
            except FileExistsError:
                st = os.lstat(current)  # made by someone else just now: check it like any other
            else:
                with contextlib.suppress(OSError):
                    os.chmod(current, mode)
                continue
        _refuse_kind(shown, st, "folder")
    return current


def parent_is_safe(root: Path, relative: str) -> Path:
    """`root/relative`, after checking that every folder on its way is a real folder, not a link.

    For writes: a file renamed or written there lands inside the case. The last step itself may be
    missing or an old file about to be replaced (a rename replaces a link; it never follows it)."""
    parts = case_path(relative).split("/")
    if len(parts) > 1:
        folder = "/".join(parts[:-1])
        st = lstat_in_case(root, folder)
        if st is not None:
            _refuse_kind(folder, st, "folder")
    st = lstat_in_case(root, relative)
    if st is not None and kind_of(st) == "special":
        _refuse_kind(relative, st, "file")
    return Path(root, *parts)


@dataclass(frozen=True)
class Entry:
    """One thing found while walking a case folder: its case path, kind and (for files) size."""

    path: str
    kind: str  # 'file', 'folder', 'link' or 'special'
    size: int


def walk(root: Path, top: str, *, max_depth: int = MAX_DEPTH) -> Iterator[Entry]:
    """Everything below the folder `top`, parents before children, sorted by name, links never
    followed (a link is reported as a 'link', not entered). Nothing is yielded if `top` is not a
    real folder. Folders deeper than `max_depth` are reported as 'special' and not entered."""
    if not is_dir_in_case(root, top):
        return
    yield from _walk(Path(root), top, 0, max_depth)


def _walk(root: Path, top: str, depth: int, max_depth: int) -> Iterator[Entry]:
    try:
        with os.scandir(root / top) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        relative = f"{top}/{entry.name}"
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        kind = kind_of(st)
        if kind == "folder" and depth + 1 >= max_depth:
            yield Entry(relative, "special", 0)
            continue
        yield Entry(relative, kind, st.st_size if kind == "file" else 0)
        if kind == "folder":
            yield from _walk(root, relative, depth + 1, max_depth)


__all__ = [
    "STEPWISE",
    "Entry",
    "UnsafeCasePathError",
    "case_path",
    "exists_in_case",
    "is_dir_in_case",
    "is_file_in_case",
    "is_link",
    "kind_of",
    "lstat_in_case",
    "make_dirs",
    "open_folder",
    "open_regular",
    "open_regular_at",
    "parent_is_safe",
    "path_problem",
    "read_bytes",
    "read_text",
    "require_no_links",
    "walk",
]
