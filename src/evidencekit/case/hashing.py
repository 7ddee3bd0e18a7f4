"""Reading files once, fast: copy and hash in a single streaming pass.

Large files are read in 4 MiB blocks; while one block is hashed the next is already being read.
On Linux a large copy is made by the kernel on its own thread meanwhile (kernelcopy.py);
elsewhere each block is written to the copy as it is hashed. `hashlib` uses
OpenSSL's hardware SHA-256 and releases the GIL on large updates, so the reading, hashing and
writing threads really overlap. Memory stays flat whatever the file size. The source is opened
read-only (and without touching its access time where the OS allows); the copy keeps the
source's modification time.

Only regular files are ever opened: a FIFO would hang the command and a device would never end,
so the kind is checked before opening, and again on the open descriptor. Files of a case are
opened through `safepath` (no link at any step: a link swapped in after verify listed the folder is
not followed); an original outside the case is opened by the path the user gave, which may be a
link they chose, except inside a captured folder (`follow_links=False`), where links are never
followed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencekit.case import safepath
from evidencekit.case.atomic import FILE_MODE
from evidencekit.case.libc import linux_libc

BLOCK = 4 << 20
HEAD = 1 << 20
_BINARY = getattr(os, "O_BINARY", 0)

BytesProgress = Callable[[int], None]
HeadInspector = Callable[[bytes], bool]


class SourceChangedError(Exception):
    """The file changed while it was being read (it may still be downloading or syncing)."""


class NotRegularFileError(SourceChangedError, OSError):
    """What should be a plain file is a link not to be followed, or a FIFO, device or socket.

    A kind of SourceChangedError because where it is met, the thing was a plain file when it was
    listed: it was replaced since. Also an OSError, so code that reports unreadable files reports
    this one too. `reason` says what it is now, in words."""

    def __init__(self, path: str | Path, reason: str) -> None:
        OSError.__init__(self, errno.EINVAL, reason, str(path))
        self.reason = reason


LINK_REASON = "it is a link, and evidencekit does not follow links here"
SPECIAL_REASON = "it is not a plain file (a FIFO, device or socket), so it was not opened"


@dataclass(frozen=True)
class Digest:
    """What one pass over a file produced."""

    size: int
    sha256: str
    md5: str | None
    mtime_ns: int
    ctime_ns: int
    atime_ns: int


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_source(path: str | Path, *, follow_links: bool = True) -> int:
    """Open an original read-only, without updating its access time when the OS allows it.

    Only a regular file is opened (its kind is checked first: opening a FIFO would wait for a
    writer forever). With `follow_links=False` a link at the last step is refused, not followed."""
    try:
        before = os.stat(path, follow_symlinks=follow_links)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a loop of links
            raise NotRegularFileError(path, LINK_REASON) from None
        raise
    if stat.S_ISLNK(before.st_mode):
        raise NotRegularFileError(path, LINK_REASON)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFileError(path, SPECIAL_REASON)
    flags = os.O_RDONLY | _BINARY | _NONBLOCK | _CLOEXEC | (0 if follow_links else _NOFOLLOW)
    try:
        fd = _open_noatime(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link after the check above
            raise NotRegularFileError(path, LINK_REASON) from None
        raise
    return _keep_if_same_file(fd, before, path)


def _open_noatime(path: str | Path, flags: int) -> int:
    noatime = getattr(os, "O_NOATIME", 0)
    if noatime:
        try:
            return os.open(path, flags | noatime)
        except PermissionError:
            pass  # O_NOATIME needs ownership of the file; fall back to a plain read-only open
    return os.open(path, flags)


def _keep_if_same_file(fd: int, before: os.stat_result, path: str | Path) -> int:
    """`fd`, once it is known to be the regular file checked before opening (not one swapped in)."""
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            raise NotRegularFileError(path, SPECIAL_REASON)
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise SourceChangedError(str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_case_file(root: str | Path, relative: str) -> int:
    """A read-only descriptor of the regular file `relative` in the case at `root`, through
    `safepath` (no link at any step, only regular files; UnsafeCasePathError otherwise)."""
    return safepath.open_regular(Path(root), relative)


class CaseFiles:
    """Opens many files of one case through safepath, keeping the last few folders open.

    Walking every step of every path again (open, check, open below) costs about as much as
    hashing a small file; thousands of files share a handful of folders. Each folder is opened
    once, step by step without following a link, and its files are opened below its descriptor,
    also without following a link. Use as a context manager (it closes the folders)."""

    KEEP = 16  # open folders at most (descriptors are a limited resource)

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._folders: dict[str, int] = {}

    def open(self, relative: str) -> int:
        folder, _, name = relative.rpartition("/")
        if not safepath.STEPWISE or not folder:
            return safepath.open_regular(self.root, relative)
        fd = self._folders.get(folder)
        if fd is None:
            if len(self._folders) >= self.KEEP:
                self.close()
            fd = self._folders[folder] = safepath.open_folder(self.root, folder)
        return safepath.open_regular_at(fd, name, relative)

    def hash(self, relative: str, progress: BytesProgress | None = None) -> tuple[str, int]:
        """(SHA-256 hex, size) of the case file `relative` (see `hash_case_file`)."""
        return _hash_open(self.open(relative), relative, HEAD, progress)

    def close(self) -> None:
        folders, self._folders = self._folders, {}
        for fd in folders.values():
            os.close(fd)

    def __enter__(self) -> CaseFiles:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


WRITEBACK_STEP = 32 << 20
_SYNC_FILE_RANGE_WRITE = 2


def _load_sync_file_range() -> Callable[[int, int, int, int], Any] | None:
    """Linux's sync_file_range(2): start writing a range to disk without waiting for it."""
    libc = linux_libc()
    if libc is None:
        return None
    try:
        import ctypes

        function = libc.sync_file_range
        function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
        return function  # type: ignore[no-any-return]
    except AttributeError:
        return None


_sync_file_range = _load_sync_file_range()


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing `length` bytes from `offset` (0: to the end) to disk, without waiting."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


class _Writer:
    """Writes the copy of a small file, or of a large one where the kernel cannot copy it
    (kernelcopy.py does that on Linux), and starts its writeback when done, so the flush before
    commit finds most of it already on disk."""

    def __init__(self, dst: int) -> None:
        self.fd = dst

    def write(self, data: bytes | bytearray | memoryview, _offset: int) -> None:
        _write_all(self.fd, data)  # blocks arrive in order

    def finish(self) -> None:
        _start_writeback(self.fd, 0, 0)


_copy_file_range = getattr(os, "copy_file_range", None) if sys.platform.startswith("linux") else None


def _read_into(fd: int, buffer: bytearray) -> int:
    """Fill `buffer` from `fd` without allocating (readv where the OS has it, e.g. not Windows)."""
    if _readv is not None:
        return int(_readv(fd, [buffer]))
    data = os.read(fd, len(buffer))
    buffer[: len(data)] = data
    return len(data)


_readv = getattr(os, "readv", None)


def _read_block(fd: int, size: int = BLOCK) -> bytes:
    return os.read(fd, size)


def copy_and_hash(
    source: str | Path,
    target: str | Path | None,
    *,
    inspect_head: HeadInspector | None = None,
    progress: BytesProgress | None = None,
    follow_links: bool = True,
) -> Digest:
    """Copy `source` to `target` (None: only hash) computing SHA-256 in the same pass.

    `inspect_head(first_bytes)` sees the first MiB (for file-type detection, so nothing is read
    twice) and answers whether MD5 is worth computing as well (MD5 is for hash-matching services and
    is slower than SHA-256, so it is not computed for everything).
    The copy is not flushed to disk here: the journal flushes everything a change staged, at once,
    before it commits. Raises SourceChangedError if the file's size or modification time changed
    while reading, NotRegularFileError (a SourceChangedError) if it is no longer a plain file, or
    with `follow_links=False`, has become a link.
    """
    src = open_source(source, follow_links=follow_links)
    return _copy_and_hash_open(src, str(source), target, inspect_head=inspect_head, progress=progress)


def _copy_and_hash_open(
    src: int,
    label: str,
    target: str | Path | None,
    *,
    inspect_head: HeadInspector | None = None,
    progress: BytesProgress | None = None,
) -> Digest:
    """`copy_and_hash` of the open descriptor `src` (closed here); `label` names it in errors."""
    dst = None
    try:
        before = os.fstat(src)
        if target is not None:
            dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, FILE_MODE)
        sha = hashlib.sha256()
        # Ask for exactly what the file holds (plus one byte, to see the end): a 1 MiB request for
        # a 200 KB file costs a large allocation each time, which dominates for many small files.
        first = _read_block(src, min(HEAD, before.st_size + 1))
        md5 = hashlib.md5(usedforsecurity=False) if inspect_head and inspect_head(first) else None
        hashers = [sha] if md5 is None else [sha, md5]
        if dst is not None and _copy_file_range is not None and len(first) == HEAD:
            total = _copy_in_kernel_while_hashing(src, dst, first, hashers, progress)
        else:
            total = _stream(src, dst, first, hashers, progress)
        after = os.fstat(src)
    finally:
        os.close(src)
        if dst is not None:
            os.close(dst)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or total != after.st_size:
        if target is not None:
            with contextlib.suppress(OSError):
                os.unlink(target)
        raise SourceChangedError(label)
    if target is not None:
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    return Digest(
        size=total,
        sha256=sha.hexdigest(),
        md5=md5.hexdigest() if md5 is not None else None,
        mtime_ns=before.st_mtime_ns,
        ctime_ns=before.st_ctime_ns,
        atime_ns=before.st_atime_ns,
    )


def _copy_in_kernel_while_hashing(
    src: int, dst: int, first: bytes, hashers: list[Any], progress: BytesProgress | None
) -> int:
    """Large files on Linux: the kernel copies on its own thread while this one hashes the
    original (see kernelcopy.py). Returns the length hashed, which is also the length copied."""
    from evidencekit.case.kernelcopy import KernelCopier

    start_writeback = _start_writeback if _sync_file_range is not None else None
    assert _copy_file_range is not None  # the caller checked: Linux only
    copier = KernelCopier(src, dst, _copy_file_range, start_writeback, WRITEBACK_STEP)
    copier.start()
    try:
        consumers = [_updater(hasher) for hasher in hashers]
        total = feed_blocks(first, lambda buffer: _read_into(src, buffer), consumers, progress)
        copied = copier.copied_all()
    except BaseException:
        copier.stop()
        raise
    if copied != total:  # the original changed length between the two reads
        raise SourceChangedError("the file changed while it was copied")
    return total


def _stream(
    src: int, dst: int | None, first: bytes, hashers: list[Any], progress: BytesProgress | None
) -> int:
    """Feed blocks to the hashers and the copy; overlap with reading the next block."""
    writer = _Writer(dst) if dst is not None else None
    if len(first) < HEAD:  # small file: everything is already in memory
        for hasher in hashers:
            hasher.update(first)
        if writer is not None and first:
            writer.write(first, 0)
            writer.finish()
        if progress and first:
            progress(len(first))
        return len(first)
    consumers: list[BlockConsumer] = [_updater(hasher) for hasher in hashers]
    if writer is not None:
        consumers.append(writer.write)
    total = feed_blocks(first, lambda buffer: _read_into(src, buffer), consumers, progress)
    if writer is not None:
        writer.finish()
    return total


BlockConsumer = Callable[[Any, int], object]  # (block, offset of the block in the file)


def _updater(hasher: Any) -> BlockConsumer:
    return lambda block, _offset: hasher.update(block)


def feed_blocks(
    first: bytes | memoryview,
    read_into: Callable[[bytearray], int],
    consumers: list[BlockConsumer],
    progress: BytesProgress | None,
) -> int:
    """Give every block to every consumer (each on its own thread) while the next block is read.

    Blocks after `first` are read into three reusable buffers (a fresh 4 MiB buffer per block
    costs page faults for every block): one being consumed, one being read, one spare. Returns
    the number of bytes fed.
    """
    buffers = [bytearray(BLOCK) for _ in range(3)]
    block: bytes | memoryview = first
    total = 0
    turn = 0
    with ThreadPoolExecutor(max_workers=len(consumers), thread_name_prefix="ek-hash") as pool:
        while block:
            jobs = [pool.submit(consume, block, total) for consume in consumers]
            buffer = buffers[turn % 3]
            turn += 1
            count = read_into(buffer)
            for job in jobs:
                job.result()
            total += len(block)
            if progress:
                progress(len(block))
            block = memoryview(buffer)[:count]
    return total


def hash_small_file(path: str | Path, limit: int = HEAD, *, follow_links: bool = True) -> tuple[str, int]:
    """(SHA-256, size) of a file up to `limit` bytes with one read; larger ones are streamed.

    The lean path for checking thousands of small files (a stat, an open, an fstat and one read;
    a plain string path saves building a Path for each)."""
    return _hash_open(open_source(path, follow_links=follow_links), str(path), limit)


def hash_file(
    path: Path, progress: BytesProgress | None = None, *, follow_links: bool = True
) -> tuple[str, int]:
    """(SHA-256 hex, size) of an original, reading it once with read-ahead overlap."""
    digest = copy_and_hash(path, None, progress=progress, follow_links=follow_links)
    return digest.sha256, digest.size


def hash_case_file(
    root: str | Path, relative: str, progress: BytesProgress | None = None, limit: int = HEAD
) -> tuple[str, int]:
    """(SHA-256 hex, size) of the file `relative` in the case at `root`, opened through safepath:
    a link (at any step) or a special file raises UnsafeCasePathError, an OSError."""
    return _hash_open(open_case_file(root, relative), relative, limit, progress)


def _hash_open(fd: int, label: str, limit: int, progress: BytesProgress | None = None) -> tuple[str, int]:
    """Hash the open descriptor `fd` (closed here): one read up to `limit` bytes, else streamed."""
    try:
        size = os.fstat(fd).st_size
    except BaseException:
        os.close(fd)
        raise
    if size > limit:
        digest = _copy_and_hash_open(fd, label, None, progress=progress)  # closes fd
        return digest.sha256, digest.size
    try:
        data = os.read(fd, size + 1)
    finally:
        os.close(fd)
    if len(data) != size:
        raise SourceChangedError(label)
    if progress and data:
        progress(len(data))
    return hashlib.sha256(data).hexdigest(), size
