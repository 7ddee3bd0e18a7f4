"""Opening an encrypted hand-over: find the right key, decrypt as a stream, classify what goes wrong.

Used by `verify ARCHIVE` (nothing written to disk) and `open ARCHIVE` (unpacked safely). The archive
file is read once: the same pass feeds the decryptor and computes the SHA-256 that is compared with
`<archive>.sha256`. What can go wrong, and how it is reported:

- the passphrase or key does not open it → `WrongKeyError` (exit 2);
- the archive was changed, cut short or extended → `ArchiveDamagedError` (exit 1), saying whether its
  SHA-256 still matches the `.sha256` file beside it;
- it is not an age file at all → `NotAnArchiveError` (exit 2), unless the `.sha256` shows it was
  changed, or it begins as an age file does (a hand-over cut short, even to a few bytes): then it
  is damaged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from evidencekit.errors import EvidenceKitError, ExitCode, InputFileError
from evidencekit.handover.keys import AskPassphrase, WrongKeyError, load_identities

T = TypeVar("T")
Progress = Callable[[int, int], None]


class ArchiveDamagedError(EvidenceKitError):
    """The archive was changed or damaged after it was made; nothing from it is trusted."""

    exit_code = ExitCode.PROBLEMS_FOUND

    def __init__(self, message: str, hint: str | None = None, facts: ArchiveFacts | None = None) -> None:
        super().__init__(message, hint)
        self.facts = facts


class NotAnArchiveError(InputFileError):
    """The file is not an age-encrypted archive."""


class ArchiveContentError(ArchiveDamagedError):
    """The archive decrypts, but what is inside is not a case that can be unpacked safely."""


@dataclass
class ArchiveFacts:
    """What was learnt about the archive file itself."""

    path: Path
    size: int = 0
    sha256: str | None = None
    checksum_file: Path | None = None
    expected_sha256: str | None = None
    recipient_types: list[str] = field(default_factory=list)
    opened_with: str = ""

    @property
    def checksum_state(self) -> str:
        """'ok', 'mismatch', 'missing' (no .sha256 beside it) or 'unreadable'."""
        if self.checksum_file is None:
            return "missing"
        if self.expected_sha256 is None:
            return "unreadable"
        return "ok" if self.sha256 == self.expected_sha256 else "mismatch"

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "checksum_file": str(self.checksum_file) if self.checksum_file else None,
            "checksum": self.checksum_state,
            "encrypted_to": self.recipient_types,
            "opened_with": self.opened_with,
        }


class _HashingSource:
    """The archive file, read ahead in 1 MiB blocks and hashed by a helper thread.

    Reading and hashing the ciphertext (for the .sha256 check) overlap with decrypting and checking
    the plaintext; both release the GIL. `read(n)` returns exactly n bytes unless the file ends.
    """

    def __init__(self, handle: BinaryIO, total: int, progress: Progress | None) -> None:
        import queue
        import threading

        self.handle = handle
        self.hash = hashlib.sha256()
        self.done = 0
        self.total = total
        self.progress = progress
        self._blocks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=8)
        self._stop = threading.Event()
        self._buffer = bytearray()
        self._eof = False
        self._thread = threading.Thread(target=self._read_ahead, name="ek-read", daemon=True)
        self._thread.start()

    def _read_ahead(self) -> None:
        try:
            while not self._stop.is_set():
                block = self.handle.read(1 << 20)
                self.hash.update(block)
                self._blocks.put(block)
                if not block:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
            self._blocks.put(exc)

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size and not self._eof:
            block = self._blocks.get()
            if isinstance(block, BaseException):
                raise block
            if not block:
                self._eof = True
                break
            self._buffer += block
            self.done += len(block)
            if self.progress:
                self.progress(self.done, self.total)

    def peek_exact(self, size: int) -> bytes:
        self._fill(size)
        return bytes(self._buffer[:size])

    def read(self, size: int = -1) -> bytes:
        self._fill(size if size >= 0 else 1 << 62)
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, size: int = -1) -> bytes:
        limit = size if size >= 0 else 1 << 20
        while True:
            cut = self._buffer.find(b"\n", 0, limit)
            if cut >= 0 or len(self._buffer) >= limit or self._eof:
                break
            self._fill(len(self._buffer) + 1)
        end = cut + 1 if cut >= 0 else min(limit, len(self._buffer))
        return self.read(end)

    def finish(self) -> str:
        """Read to the end; the SHA-256 of the whole file."""
        while self.read(1 << 20):
            pass
        self._thread.join()
        return self.hash.hexdigest()

    def stop(self) -> None:
        """Stop reading ahead (on an error), without waiting for the end of the file."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._blocks.get(timeout=0.1)
            except Exception:  # noqa: BLE001, S112 - queue.Empty: just look again
                continue


def checksum_file_for(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def key_file_for(archive: Path) -> Path:
    name = archive.name
    for suffix in (".tar.age", ".age"):
        if name.endswith(suffix):
            return archive.with_name(name[: -len(suffix)] + ".key.age")
    return archive.with_name(name + ".key.age")


def _read_expected(facts: ArchiveFacts) -> None:
    candidate = checksum_file_for(facts.path)
    if not candidate.is_file():
        return
    facts.checksum_file = candidate
    try:
        first = candidate.read_text(encoding="utf-8", errors="replace").strip().splitlines()[0]
    except (OSError, IndexError):
        return
    match = re.match(r"^([0-9a-fA-F]{64})\s", first + " ")
    if match:
        facts.expected_sha256 = match.group(1).lower()


def read_archive(
    path: Path,
    consume: Callable[[BinaryIO], T],
    *,
    identity_file: Path | None,
    ask_passphrase: AskPassphrase,
    progress: Progress | None = None,
) -> tuple[T, ArchiveFacts]:
    """Decrypt `path` as a stream and give the plaintext to `consume`; check everything after.

    `consume` must read the plaintext it needs; whatever it leaves is read here too, so the whole
    file is authenticated before this returns. Errors from `consume` other than damage propagate.
    """
    import io

    from evidencekit.handover.age_stream import AgeError, AgeReader, open_source, read_header, unwrap_file_key

    path = Path(path)
    facts = ArchiveFacts(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
        facts.size = path.stat().st_size
    except FileNotFoundError:
        raise InputFileError(
            f"There is no file at {path}.", hint="Check the archive's name and folder."
        ) from None
    except IsADirectoryError:
        raise InputFileError(f"{path} is a folder, not an archive.", hint="Give the .tar.age file.") from None
    except OSError as exc:
        raise InputFileError(f"{path} cannot be read ({exc.strerror}).", hint="Check the file.") from None
    _read_expected(facts)
    source = _HashingSource(handle, facts.size, progress)
    try:
        stage = "header"
        try:
            stream, armored = open_source(source)  # type: ignore[arg-type]
            header = read_header(stream, armored)
            facts.recipient_types = header.recipient_types
            identities, passphrase = _credentials(path, header, identity_file, ask_passphrase, facts)
            file_key = unwrap_file_key(header, identities, passphrase)
            plaintext = io.BufferedReader(AgeReader(stream, file_key), buffer_size=1 << 20)
            stage = "content"
            result = consume(plaintext)
            while plaintext.read(1 << 20):  # authenticate to the very end
                pass
        except AgeError as exc:
            if facts.expected_sha256 is not None:  # only then can the rest of the file tell us more
                facts.sha256 = source.finish()
            raise _classify(exc, stage, facts) from None
        facts.sha256 = source.finish()
        if facts.checksum_state == "mismatch":
            beside = facts.checksum_file.name if facts.checksum_file else "its .sha256 file"
            raise ArchiveDamagedError(
                f"The archive decrypted correctly, but its SHA-256 does not match {beside} "
                "(one of the two files was changed or replaced).",
                hint="Ask for both files again, and check them with sha256sum -c before opening.",
                facts=facts,
            )
        return result, facts
    finally:
        source.stop()
        handle.close()


def _classify(exc: Exception, stage: str, facts: ArchiveFacts) -> EvidenceKitError:
    from evidencekit.handover.age_stream import AgeDamagedError, AgeFormatError, AgeNoMatchError

    name = facts.path.name
    if facts.checksum_state == "mismatch":
        checksum = facts.checksum_file.name if facts.checksum_file else "its .sha256 file"
        return ArchiveDamagedError(
            f"The archive {name} was changed or damaged after it was made: its SHA-256 does not match "
            f"{checksum}, and it cannot be decrypted ({exc}). Nothing from it was kept.",
            hint="Ask for the archive again (for example a fresh copy from the person who made it).",
            facts=facts,
        )
    if isinstance(exc, AgeNoMatchError):
        what = "passphrase" if "passphrase" in str(exc) else "key"
        return WrongKeyError(
            f"That {what} does not open {name}.",
            hint="Check the passphrase (capital letters, spaces) and try again; the person who made the "
            "hand-over has it."
            if what == "passphrase"
            else "Give the key file whose public key the archive was encrypted to (--identity FILE).",
        )
    if isinstance(exc, AgeFormatError) and stage == "header" and not _begins_like_age(facts.path):
        return NotAnArchiveError(
            f"{name} is a file, not a case folder or an encrypted hand-over ({exc}).",
            hint="Give the case folder (the one that contains bagit.txt), or a hand-over's .tar.age file.",
        )
    detail = str(exc) if isinstance(exc, AgeDamagedError) else f"it cannot be read ({exc})"
    return ArchiveDamagedError(
        f"The archive {name} was changed or damaged after it was made: {detail}. Nothing from it was kept.",
        hint="Ask for the archive again; check the copy with sha256sum -c before opening.",
        facts=facts,
    )


def _begins_like_age(path: Path) -> bool:
    """Whether the file starts as an age file does (or is a start of one, cut short): then a header
    that cannot be read means a damaged hand-over, not some other kind of file."""
    from evidencekit.handover.age_stream import ARMOR_BEGIN, INTRO

    try:
        with open(path, "rb") as handle:
            start = handle.read(len(ARMOR_BEGIN))
    except OSError:
        return False
    return any(start.startswith(magic) or magic.startswith(start) for magic in (INTRO, ARMOR_BEGIN))


def _credentials(
    path: Path,
    header: object,
    identity_file: Path | None,
    ask_passphrase: AskPassphrase,
    facts: ArchiveFacts,
) -> tuple[tuple[str, ...], str | None]:
    from evidencekit.handover.age_stream import Header

    assert isinstance(header, Header)
    if header.needs_passphrase:
        facts.opened_with = "passphrase"
        return (), ask_passphrase(f"the archive {path.name}")
    types = set(header.recipient_types)
    if "X25519" not in types:
        shown = ", ".join(sorted(types))
        raise InputFileError(
            f"{path.name} was encrypted to a kind of key evidencekit cannot use ({shown}).",
            hint="Open it with age: age -d -i YOUR-KEY ARCHIVE | tar -x, "
            "then run evidencekit verify on the folder.",
        )
    key_file = identity_file or key_file_for(path)
    if identity_file is None and not key_file.is_file():
        raise InputFileError(
            f"{path.name} was encrypted to a public key, so it opens only with the matching secret key "
            f"(there is no {key_file.name} beside it).",
            hint="Give your key file: --identity KEYFILE (made with age-keygen).",
        )
    identities = load_identities(key_file, ask_passphrase)
    facts.opened_with = f"key file {key_file.name}"
    return identities.secrets, None


def passphrase_needed(path: Path, identity_file: Path | None) -> str | None:
    """What a passphrase will be asked for when opening `path` (so the CLI can ask before a progress
    bar starts), or None when no passphrase is needed or the question cannot be answered yet."""
    from evidencekit.handover.age_stream import AgeError, peek_header
    from evidencekit.handover.keys import is_age_file

    try:
        with open(path, "rb") as handle:
            header = peek_header(handle)
    except (OSError, AgeError):
        return None
    if header.needs_passphrase:
        return f"the archive {path.name}"
    key_file = identity_file or key_file_for(path)
    try:
        with open(key_file, "rb") as handle:
            start = handle.read(64)
    except OSError:
        return None
    return f"the key file {key_file.name}" if is_age_file(start) else None
