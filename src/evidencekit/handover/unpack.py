"""`open`: decrypt a hand-over and unpack the case folder safely (verify/archive.py then verifies it).

Safe means: only regular files and folders are unpacked; a name that would land outside the case
folder (absolute, `..`, a drive letter, a backslash), a link, a device or a name given twice stops
the whole unpacking. Everything is unpacked into a temporary folder inside the destination, and only
renamed to the case's name once the whole archive has decrypted and authenticated: a wrong key, a
damaged or cut-short archive, a full disk or Ctrl-C leave nothing behind. Files are private to the
user (0600, folders 0700), whatever the archive says.

Each file is hashed while it is written, so the verify that follows uses those hashes instead of
reading everything a second time; every other check reads the unpacked folder itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from evidencekit.case.atomic import (
    DIR_MODE,
    FILE_MODE,
    TEMP_PREFIX,
    fsync_dir,
    make_private_dir,
    storage_error,
)
from evidencekit.errors import CaseExistsError, InvalidValueError
from evidencekit.handover.keys import AskPassphrase
from evidencekit.handover.opening import ArchiveContentError, ArchiveFacts, read_archive
from evidencekit.handover.stream_verify import MemberNames, NotATarError, safe_member_name

_BLOCK = 1 << 20
_BAG_NAMES = {
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "data",
    "evidencekit",
    "seal",
}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class Unpacked:
    """A case folder unpacked from a hand-over, and the payload hashes taken while it was written."""

    case_folder: Path
    archive: ArchiveFacts
    digests: dict[str, str]
    files: int
    bytes: int


@dataclass
class _Unpacked:
    top: str | None = None  # the single top folder, or "" when the bag is at the top of the tar
    digests: dict[str, str] | None = None
    files: int = 0
    bytes: int = 0


def _refuse(message: str) -> ArchiveContentError:
    return ArchiveContentError(
        message + " Nothing was unpacked.",
        hint="Ask the person who made the archive for a new one (evidencekit seal --encrypt).",
    )


def _unpack(
    stream: BinaryIO, staging: Path, to_dir: Path, state: _Unpacked, on_file: Callable[[str], None]
) -> None:
    from evidencekit.handover.hashing import BackgroundHasher

    with BackgroundHasher() as hasher:
        pending = _unpack_members(stream, staging, to_dir, state, on_file, hasher)
        state.digests = {name: digest.hexdigest() for name, digest in pending.items()}


def _unpack_members(
    stream: BinaryIO,
    staging: Path,
    to_dir: Path,
    state: _Unpacked,
    on_file: Callable[[str], None],
    hasher: Any,
) -> dict[str, Any]:
    from evidencekit.handover.tarstream import TarFormatError, is_plain_file, iter_members

    digests: dict[str, Any] = {}
    seen = MemberNames()
    try:
        for member in iter_members(stream):
            info = member.info
            name = safe_member_name(info.name)
            if name == "" and info.isdir():
                continue
            if not name:
                raise _refuse(
                    f"The archive holds an entry named “{info.name}”, which would land outside the folder."
                )
            if not seen.add(name):
                raise _refuse(f"The archive holds {name} more than once (perhaps in other capitals).")
            top = name.split("/", 1)[0]
            if state.top is None:  # a quick early check; the case's folder is decided at the end
                state.top = top
                if (info.isdir() or "/" in name) and top not in _BAG_NAMES and (to_dir / top).exists():
                    raise CaseExistsError(
                        f"There is already a folder {top} in {to_dir}.",
                        hint="Choose another folder with --to, or move the existing one away.",
                    )
            target = staging / name
            if info.isdir():
                _mkdir(staging, target)
                continue
            if not is_plain_file(info):
                kind = "a link" if (info.issym() or info.islnk()) else "a special file"
                raise _refuse(f"The archive holds {name}, which is {kind}; a case never holds one.")
            _mkdir(staging, target.parent)
            on_file(name)
            digest = hasher.new()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, FILE_MODE)
            try:
                while block := member.read(_BLOCK):
                    digest.update(block)
                    view = memoryview(block)
                    while view:
                        view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
                digest.close()
            with contextlib.suppress(OSError, OverflowError, ValueError):
                os.utime(target, (info.mtime, info.mtime))
            digests[name] = digest
            state.files += 1
            state.bytes += info.size
    except TarFormatError:
        raise NotATarError("not a tar archive") from None
    return digests


def _mkdir(staging: Path, folder: Path) -> None:
    if folder == staging:
        return
    try:
        folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _refuse(
            f"The archive uses {folder.relative_to(staging).as_posix()} both as a file and as a folder."
        ) from None


def unpack_archive(
    path: Path,
    to_dir: Path,
    *,
    identity_file: Path | None,
    ask_passphrase: AskPassphrase,
    progress: Callable[[int, int], None] | None = None,
    on_file: Callable[[str], None] = lambda name: None,
) -> Unpacked:
    """Decrypt and unpack the hand-over at `path` into `to_dir/<case>` (verify/archive.py's
    `open_archive` then verifies it)."""
    to_dir = Path(to_dir)
    if to_dir.exists() and not to_dir.is_dir():
        raise InvalidValueError(f"{to_dir} is a file, not a folder.", hint="Give a folder with --to.")
    try:
        make_private_dir(to_dir)
    except OSError as exc:
        raise storage_error(exc, "creating the folder to open the archive in") from exc
    staging = to_dir / f"{TEMP_PREFIX}{secrets.token_hex(6)}-open"
    state = _Unpacked()
    try:
        staging.mkdir(mode=DIR_MODE)
        try:
            _, archive = read_archive(
                path,
                lambda stream: _unpack(stream, staging, to_dir, state, on_file),
                identity_file=identity_file,
                ask_passphrase=ask_passphrase,
                progress=progress,
            )
        except NotATarError:
            raise _refuse(
                "The archive decrypted correctly, but what is inside is not a tar archive of a case."
            ) from None
        final = _place(path, staging, to_dir, state)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise storage_error(exc, "unpacking the archive") from exc
        raise
    fsync_dir(to_dir)
    return Unpacked(final, archive, state.digests or {}, state.files, state.bytes)


def _place(path: Path, staging: Path, to_dir: Path, state: _Unpacked) -> Path:
    """Move the unpacked case to its final name: its own top folder, or the archive's name."""
    if state.top is None:
        raise _refuse("The archive is empty.")
    entries = sorted(os.listdir(staging))
    if "bagit.txt" in entries:  # the bag is at the top of the tar (tar -C CASE -c .)
        source, prefix = staging, ""
        name = path.name.removesuffix(".age").removesuffix(".tar")
    elif len(entries) == 1 and (staging / entries[0] / "bagit.txt").is_file():
        source, prefix, name = staging / entries[0], entries[0] + "/", entries[0]
    else:
        raise _refuse("The archive does not hold one case folder (with its bagit.txt).")
    state.digests = {k[len(prefix) :]: v for k, v in (state.digests or {}).items() if k.startswith(prefix)}
    if name.startswith(".") or safe_member_name(name) != name:
        raise _refuse(f"The archive's folder name “{name}” cannot be used.")
    final = to_dir / name
    if final.exists():
        raise CaseExistsError(
            f"There is already a folder {name} in {to_dir}.",
            hint="Choose another folder with --to, or move the existing one away.",
        )
    os.rename(source, final)
    if source != staging:
        staging.rmdir()
    return final
