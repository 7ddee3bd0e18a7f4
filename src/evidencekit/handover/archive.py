"""Writing the encrypted hand-over: the sealed bag, streamed as a tar into age.

Files written beside each other (default: next to the case folder):

    <case-id>.tar.age          the bag as a POSIX tar (pax), encrypted with age (age_stream.AgeWriter)
    <case-id>.tar.age.sha256   one `sha256sum -c` line, to check the transfer before decrypting
    <case-id>.key.age          passphrase hand-overs only: the archive's X25519 key, encrypted
                               with the passphrase (`age -d -i <case-id>.key.age <case-id>.tar.age`)
    <case-id>.HOW-TO-OPEN.txt  what to hand over, how to send the passphrase, how to open and check

Why a key file instead of encrypting the archive to the passphrase directly: age's scrypt
recipient must be the only one, so the archive could not also open with the police's keys; and
pyrage, which locks the small key file with the passphrase, encrypts to a passphrase only from one
bytes object. Stock `age` opens the pair with one passphrase prompt.

Nothing of the case is written outside the case folder in plain text: the tar is produced in memory,
a block at a time, and goes straight into the encryptor, whose output goes to a temporary file in
the output folder. Each file is hashed as it is read and compared with the sealed
manifests, so the archive holds exactly what was sealed. On any failure or Ctrl-C every temporary
file is removed; the final names appear only when everything is complete. The case is read through
`safepath` like every case (no link followed, plain files only).

A full disk is the likeliest failure (the archive is as large as the case): the message says which
file was being written, about how much space the hand-over needs and how much is free, and that the
case itself is sealed and unchanged. A run killed outright (SIGKILL, power cut) cannot remove its
temporary files; the next hand-over to the same folder removes them: only names made exactly the way
`temp_path_beside` makes them for this case's hand-over files, only plain files (never a link), and
never one another evidencekit is still writing (the writer holds an advisory lock on its file).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tarfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from evidencekit.case import layout, safepath
from evidencekit.case.atomic import (
    FILE_MODE,
    TEMP_PREFIX,
    fsync_dir,
    make_private_dir,
    storage_error,
    temp_path_beside,
    write_bytes_durably,
)
from evidencekit.case.bag import parse_manifest
from evidencekit.case.case import Case
from evidencekit.errors import EvidenceKitError, InvalidValueError, StorageError
from evidencekit.handover.age_stream import AgeWriter
from evidencekit.handover.handover_files import (
    ARCHIVE_SUFFIX,
    clear_stale_temps,
    handover_paths,
    hold_while_writing,
)
from evidencekit.handover.how_to import how_to_text, key_fingerprint
from evidencekit.handover.keys import RecipientKey, new_identity
from evidencekit.sizes import human_size

_BLOCK = 1 << 20
_TAR_MODE_FILE = 0o600
_TAR_MODE_DIR = 0o700
_MAX_MANIFEST_BYTES = 1 << 30  # a manifest line is ~100 bytes: ten million files

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class CaseNotReadyError(EvidenceKitError):
    """The case does not match its seal, so it must not be handed over as it is."""


@dataclass(frozen=True)
class HandoverResult:
    case_id: str
    fingerprint: str
    archive: Path
    checksum_file: Path
    key_file: Path | None
    how_to: Path
    sha256: str
    size: int
    files: int
    payload_bytes: int
    recipients: tuple[str, ...]
    passphrase: bool
    left_out: tuple[str, ...]
    replaced: bool
    # How to check which key the archive was encrypted to, with the standard tools: an age key is
    # its own identity (`age-keygen -y KEYFILE` prints it); an SSH key's fingerprint is what
    # `ssh-keygen -lf KEY.pub` prints. In the order of `recipients`.
    recipient_fingerprints: tuple[str, ...] = ()
    stale_removed: tuple[str, ...] = ()  # unfinished files of an earlier, killed hand-over, removed
    stale_left: tuple[str, ...] = ()  # such files left alone, each with the reason


@dataclass
class _Plan:
    entries: list[tuple[str, str | None]] = field(default_factory=list)  # (bag path, expected sha256)
    folders: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    total: int = 0
    payload_bytes: int = 0
    sizes: dict[str, int] = field(default_factory=dict)  # bag path: size, for each entry


def write_handover(
    case: Case,
    out_dir: Path,
    *,
    recipients: list[RecipientKey],
    passphrase: str | None,
    progress: Progress | None = None,
) -> HandoverResult:
    """Write the encrypted hand-over of a sealed `case` into `out_dir`.

    `recipients` and `passphrase` may be combined: the archive then opens with any of the keys, or
    with the key file and the passphrase.
    """
    from evidencekit.case.lock import CaseLock

    if not recipients and passphrase is None:
        raise InvalidValueError(
            "An encrypted hand-over needs a passphrase or the police's public key.",
            hint="Add --recipient age1… (the key the police gave you), or --passphrase-file FILE.",
        )
    out_dir = _check_out_dir(case, out_dir)
    with CaseLock(case.root, "seal --encrypt"):
        from evidencekit.case.journal import pending_state

        if pending_state(case.root) is not None:
            raise CaseNotReadyError(
                "An earlier evidencekit command on this case did not finish, "
                "so it cannot be handed over yet.",
                hint="Run: evidencekit status (it tidies up), then try again.",
            )
        if not case.is_sealed():
            raise CaseNotReadyError(
                "The case is not sealed, so it cannot be handed over.", hint="Run: evidencekit seal --encrypt"
            )
        plan = _plan(case)
        return _write(case, out_dir, plan, recipients, passphrase, progress)


def _check_out_dir(case: Case, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidValueError(f"{out_dir} is a file, not a folder.", hint="Give a folder with --out.")
    resolved_case = case.root.resolve()
    resolved_out = out_dir.resolve()
    if resolved_out == resolved_case or resolved_case in resolved_out.parents:
        raise InvalidValueError(
            "The hand-over cannot be written inside the case folder (it would become part of the case).",
            hint="Give a folder outside the case with --out, or leave --out out to write it beside the case.",
        )
    try:
        make_private_dir(out_dir)
    except OSError as exc:
        raise storage_error(exc, "creating the output folder") from exc
    return out_dir


def _plan(case: Case) -> _Plan:
    """What goes into the archive, in order, each with the SHA-256 it must have."""
    from evidencekit.case.seal_check import check_signature_folder

    root = case.root
    plan = _Plan()
    tagmanifest = safepath.read_bytes(root, layout.TAGMANIFEST, limit=_MAX_MANIFEST_BYTES)
    problems = [p for p in check_signature_folder(root / layout.SEAL_DIR, tagmanifest) if p[0] == "error"]
    if problems:
        raise CaseNotReadyError(
            "The case no longer matches its seal, so it was not encrypted: " + problems[0][2],
            hint="Run: evidencekit verify, to see what changed.",
        )
    tag_entries = {line.path: line.digest for line in parse_manifest(tagmanifest.decode("utf-8", "replace"))}
    manifest_text = safepath.read_bytes(root, layout.MANIFEST, limit=_MAX_MANIFEST_BYTES).decode("utf-8")
    manifest = {line.path: line.digest for line in parse_manifest(manifest_text) if line.problem is None}
    sizes: dict[str, int] = {}
    for top in (layout.BAGIT_TXT, layout.BAG_INFO_TXT, layout.MANIFEST, layout.TAGMANIFEST):
        st = safepath.lstat_in_case(root, top)
        if st is None or safepath.kind_of(st) != "file":
            _refuse(f"{top} is missing, or not a plain file")
        sizes[top] = st.st_size
    plan.entries.append((layout.BAGIT_TXT, tag_entries.get(layout.BAGIT_TXT)))
    plan.entries.append((layout.BAG_INFO_TXT, tag_entries.get(layout.BAG_INFO_TXT)))
    plan.entries.append((layout.MANIFEST, tag_entries.get(layout.MANIFEST)))
    plan.entries.append((layout.TAGMANIFEST, None))  # signed: checked above
    for path, digest in sorted(tag_entries.items()):
        if path.startswith(layout.RECORDS_DIR + "/"):
            plan.entries.append((path, digest))
    records = _walk(root, layout.RECORDS_DIR, sizes)
    for relative in records:
        if relative not in tag_entries:
            _refuse(f"{relative} is in the records folder but not in the sealed tag manifest")
    for path, _digest in plan.entries:
        if path.startswith(layout.RECORDS_DIR + "/") and path not in sizes:
            _refuse(f"{path} is in the sealed tag manifest but missing")
    for relative in _walk(root, layout.SEAL_DIR, sizes):
        plan.entries.append((relative, None))
    on_disk = set(_walk(root, layout.DATA_DIR, sizes))
    for relative in sorted(on_disk - set(manifest)):
        _refuse(f"{relative} is in the evidence folder but not in the sealed manifest")
    for relative, digest in sorted(manifest.items()):
        if relative not in on_disk:
            _refuse(f"{relative} is in the sealed manifest but missing")
        plan.entries.append((relative, digest))
    for entry in sorted(os.listdir(root)):
        known = {layout.BAGIT_TXT, layout.BAG_INFO_TXT, layout.MANIFEST, layout.TAGMANIFEST}
        known |= {layout.DATA_DIR, layout.RECORDS_DIR, layout.SEAL_DIR, layout.LOCK_FILE, layout.TXN_DIR}
        if entry not in known:
            plan.left_out.append(entry)
    folders = {layout.DATA_DIR}
    for relative, _ in plan.entries:
        parts = relative.split("/")[:-1]
        folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    plan.folders = sorted(folders)
    plan.sizes = {relative: sizes[relative] for relative, _ in plan.entries}
    for relative, _ in plan.entries:
        plan.total += sizes[relative]
        if relative.startswith(layout.DATA_DIR + "/"):
            plan.payload_bytes += sizes[relative]
    return plan


def _refuse(what: str) -> NoReturn:
    raise CaseNotReadyError(
        f"The case does not match its seal ({what}), so it was not encrypted.",
        hint="Run: evidencekit verify, to see what changed.",
    )


def _walk(root: Path, top: str, sizes: dict[str, int]) -> list[str]:
    """Every file under `top` (bag paths), refusing links and special files; temp files skipped.
    Each file's size goes into `sizes`."""
    st = safepath.lstat_in_case(root, top)
    if st is None:
        return []
    if safepath.kind_of(st) != "folder":
        _refuse(f"{top} is a link or a file where a folder should be")
    out = []
    for entry in safepath.walk(root, top):
        if entry.path.rpartition("/")[2].startswith(TEMP_PREFIX):
            continue
        if entry.kind in ("link", "special"):
            _refuse(f"{entry.path} is a link or special file, which a case never holds")
        if entry.kind == "file":
            out.append(entry.path)
            sizes[entry.path] = entry.size
    return out


class _HashingWriter:
    """The encrypted output: hashed and written to the temp file by a helper thread.

    Blocks of about 1 MiB are handed over through a short queue, so hashing and writing the
    ciphertext (both release the GIL) overlap with reading, hashing and encrypting the case.
    """

    def __init__(self, fd: int) -> None:
        import queue

        self.fd = fd
        self.hash = hashlib.sha256()
        self.size = 0
        self.error: OSError | None = None
        self._buffer = bytearray()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._drain, name="ek-write", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (block := self._queue.get()) is not None:
            if self.error is not None:
                continue  # keep draining so the producer never blocks; it raises the error
            try:
                view = memoryview(block)
                while view:
                    view = view[os.write(self.fd, view) :]
                self.hash.update(block)
                self.size += len(block)
            except OSError as exc:
                self.error = exc

    def write(self, data: bytes) -> int:
        if self.error is not None:
            raise self.error
        self._buffer += data
        if len(self._buffer) >= _BLOCK:
            self._queue.put(bytes(self._buffer))
            self._buffer = bytearray()
        return len(data)

    def flush(self) -> None:
        return None

    def finish(self) -> None:
        """Write what is left and wait for the helper; raises the first write error."""
        if self._buffer:
            self._queue.put(bytes(self._buffer))
            self._buffer = bytearray()
        self.stop()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class _CheckingReader:
    """Reads one case file for the tar, hashing it (on the helper thread) on the way."""

    def __init__(self, handle: BinaryIO, on_bytes: Callable[[int], None], pending: Any) -> None:
        self.handle = handle
        self.pending = pending
        self.on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.pending.update(data)
        self.on_bytes(len(data))
        return data


def _write(
    case: Case,
    out_dir: Path,
    plan: _Plan,
    recipients: list[RecipientKey],
    passphrase: str | None,
    progress: Progress | None,
) -> HandoverResult:
    case_id = case.info.id
    finals = handover_paths(out_dir, case_id)
    replaced = any(path.exists() for path in finals.values())
    keys = [r.text for r in recipients]  # age1…, ssh-ed25519 …, ssh-rsa …: AgeWriter takes them all
    key_file_bytes = None
    if passphrase is not None:
        from pyrage import passphrase as age_passphrase  # type: ignore[import-untyped]

        secret, public = new_identity()
        keys.append(public)
        identity_text = (
            f"# The key that opens {case_id}{ARCHIVE_SUFFIX}, protected by the passphrase.\n"
            f"# public key: {public}\n{secret}\n"
        )
        key_file_bytes = age_passphrase.encrypt(identity_text.encode("ascii"), passphrase, armored=True)
        del secret, identity_text

    stale_removed, stale_left = clear_stale_temps(out_dir, case_id)
    temps: list[Path] = []
    writing = finals["archive"]  # the file being written, for a message if the disk fills up
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, plan.total)

    try:
        archive_temp = temp_path_beside(finals["archive"])
        fd = os.open(
            archive_temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE
        )
        temps.append(archive_temp)
        hold_while_writing(fd)
        writer = _HashingWriter(fd)
        try:
            encrypted = AgeWriter(keys, writer.write)
            _write_tar(case, plan, encrypted, advance)  # type: ignore[arg-type]
            encrypted.close()
            writer.finish()
            os.fsync(fd)
        finally:
            writer.stop()
            os.close(fd)
        digest = writer.hash.hexdigest()
        staged = {"archive": archive_temp}
        small_files = {
            "checksum": f"{digest}  {finals['archive'].name}\n".encode(),
            "how_to": how_to_text(
                case, finals, digest, [r.text for r in recipients], passphrase is not None
            ).encode("utf-8"),
        }
        if key_file_bytes is not None:
            small_files["key"] = key_file_bytes
        for name, data in small_files.items():
            writing = finals[name]
            temp = temp_path_beside(finals[name])
            temps.append(temp)
            write_bytes_durably(temp, data)
            staged[name] = temp
        for name in ("archive", "key", "checksum", "how_to"):
            if name in staged:
                os.replace(staged[name], finals[name])
            elif finals[name].exists():
                finals[name].unlink()  # a key file from an earlier passphrase hand-over: no longer right
        fsync_dir(out_dir)
    except BaseException as exc:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, EvidenceKitError):
            if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
                raise _disk_full(out_dir, writing, plan, len(keys)) from exc
            raise storage_error(exc, "writing the encrypted hand-over") from exc
        raise
    return HandoverResult(
        case_id=case_id,
        fingerprint=case.fingerprint() or "",
        archive=finals["archive"],
        checksum_file=finals["checksum"],
        key_file=finals["key"] if key_file_bytes is not None else None,
        how_to=finals["how_to"],
        sha256=digest,
        size=writer.size,
        files=len(plan.entries),
        payload_bytes=plan.payload_bytes,
        recipients=tuple(r.text for r in recipients),
        passphrase=passphrase is not None,
        left_out=tuple(plan.left_out),
        replaced=replaced,
        recipient_fingerprints=tuple(key_fingerprint(r.text) for r in recipients),
        stale_removed=tuple(stale_removed),
        stale_left=tuple(stale_left),
    )


def estimated_size(plan: _Plan, recipients: int) -> int:
    """About how many bytes the hand-over files take: the tar (a 512-byte header per entry, each
    file padded to 512 bytes, the end marker and record padding), age's 16 bytes per 64 KiB chunk
    plus its header, and the few kilobytes of the small files."""
    tar = sum(512 + -(-size // 512) * 512 for size in plan.sizes.values()) + 512 * (len(plan.folders) + 1)
    tar += 2 * 10240
    age = tar + 16 * -(-tar // 65536) + 200 + 250 * max(1, recipients)
    return age + 16 * 1024


def _disk_full(out_dir: Path, writing: Path, plan: _Plan, recipients: int) -> StorageError:
    try:
        free = shutil.disk_usage(out_dir).free
    except OSError:
        free = None
    needed = estimated_size(plan, recipients)
    has = f"only {human_size(free)} is free there" if free is not None else "the disk is full"
    return StorageError(
        f"The disk is full: evidencekit stopped while writing {writing.name} in {out_dir}. The "
        f"encrypted hand-over needs about {human_size(needed)}, and {has}. Nothing was left behind, "
        "and the case itself is sealed and unchanged.",
        hint="Free some space there, or write the hand-over to a folder on a bigger disk: "
        "evidencekit seal --encrypt --out FOLDER",
    )


def _write_tar(case: Case, plan: _Plan, pipe: BinaryIO, advance: Callable[[int], None]) -> None:
    from evidencekit.handover.hashing import BackgroundHasher

    with BackgroundHasher() as hasher:
        checks = _write_tar_entries(case, plan, pipe, advance, hasher)
        for relative, expected, pending in checks:  # each file is exactly what was sealed
            if expected is not None and pending.hexdigest() != expected:
                _refuse(f"{relative} is not the file that was sealed")


def _write_tar_entries(
    case: Case, plan: _Plan, pipe: BinaryIO, advance: Callable[[int], None], hasher: Any
) -> list[tuple[str, str | None, Any]]:
    from evidencekit.handover.tarstream import TarWriter

    top = case.info.id
    tar = TarWriter(pipe)
    checks = []
    tar.add(_info(f"{top}", tarfile.DIRTYPE, _TAR_MODE_DIR, 0, case.root.stat().st_mtime))
    for folder in plan.folders:
        st = safepath.lstat_in_case(case.root, folder)
        mtime = st.st_mtime if st is not None else 0
        tar.add(_info(f"{top}/{folder}", tarfile.DIRTYPE, _TAR_MODE_DIR, 0, mtime))
    for relative, expected in plan.entries:
        # Through safepath: a link or FIFO swapped in since the plan is refused, not followed.
        with os.fdopen(safepath.open_regular(case.root, relative), "rb", buffering=0) as handle:
            status = os.fstat(handle.fileno())
            info = _info(
                f"{top}/{relative}", tarfile.REGTYPE, _TAR_MODE_FILE, status.st_size, status.st_mtime
            )
            pending = hasher.new()
            checking = _CheckingReader(handle, advance, pending)
            try:
                tar.add(info, checking.read)
            except OSError as exc:
                if isinstance(exc, BrokenPipeError) or exc.errno is not None:
                    raise
                _refuse(f"{relative} changed while it was being encrypted")
            if handle.read(1):
                _refuse(f"{relative} changed while it was being encrypted")
            pending.close()
        checks.append((relative, expected, pending))
    tar.close()
    return checks


def _info(name: str, kind: bytes, mode: int, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = int(mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
