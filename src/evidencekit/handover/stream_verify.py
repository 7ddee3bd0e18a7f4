"""Verifying a bag as it streams out of a tar archive: nothing written to disk.

One pass over the tar: every file under `data/` is hashed as it goes by (only its size and SHA-256
are kept), and the small tag files (bagit.txt, bag-info.txt, the manifests, `evidencekit/`, `seal/`)
are kept in memory. Then the same checks that `verify` runs on a case folder run over these facts,
through `StreamView` (see verify/archive.py), so a bag is judged by exactly the same rules wherever
it is.

The bag may be at the top of the tar (`tar -C case -c .`) or in one folder (`tar -c case`, or
evidencekit's own `<case-id>/`). Names that would leave the bag, a name given twice, links and
special files are findings, never opened.
"""

from __future__ import annotations

import errno
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from evidencekit.case import layout
from evidencekit.case.bagview import BagView
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.names import member_name_problem

if TYPE_CHECKING:
    from evidencekit.handover.opening import ArchiveFacts

MAX_TAG_FILE = 256 << 20  # larger non-payload files are hashed but not kept in memory
_BLOCK = 1 << 20


class NotATarError(Exception):
    """What was decrypted is not a tar archive."""


def safe_member_name(name: str) -> str | None:
    """The member's path inside the archive, normalised; None if it is not safe to use.

    The one rule for both `verify ARCHIVE` and `open ARCHIVE`: after dropping `./` steps and
    trailing slashes, the name must pass names.member_name_problem, the rule for every name read
    from outside (no absolute path, drive or stream such as `C:evil.txt`, `..`, backslash, NUL or
    other control character, `~`, device name, overlong step)."""
    if not name or name.startswith("/"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts:
        return ""  # "./": the folder the archive was made from
    normalised = "/".join(parts)
    return None if member_name_problem(normalised) else normalised


class MemberNames:
    """The names seen so far in one archive, to find a name given twice.

    On a case-insensitive disk (macOS, Windows) `bagit.txt` and `BAGIT.TXT`, or `data/` and
    `Data/`, are one file or folder: one would replace or join the other when unpacked; so are `é`
    written as one character (NFC) and as `e` and an accent (NFD) on macOS. So a name is given
    twice when it, or any folder on its way, was seen before spelt in other capitals or another
    Unicode form; and
    `verify` and `open` use this same rule."""

    def __init__(self) -> None:
        self._spelling: dict[str, str] = {}  # casefolded path -> as first spelt
        self._files: set[str] = set()

    def add(self, name: str) -> bool:
        """Record `name`; False when it was given before (exactly, or in other capitals)."""
        clash = name in self._files
        parts = name.split("/")
        for end in range(1, len(parts) + 1):
            path = "/".join(parts[:end])
            first = self._spelling.setdefault(unicodedata.normalize("NFC", path).casefold(), path)
            clash = clash or first != path
        self._files.add(name)
        return not clash


def _payload_like(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == layout.DATA_DIR or (len(parts) > 1 and parts[1] == layout.DATA_DIR)


@dataclass
class StreamFacts:
    """What one pass over the tar stream found, keyed by the member's normalised name."""

    kept: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, tuple[int, str]] = field(default_factory=dict)
    others: dict[str, str] = field(default_factory=dict)  # name -> "link" | "special"
    dirs: set[str] = field(default_factory=set)
    duplicates: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    members: int = 0
    payload_bytes: int = 0

    def names(self) -> set[str]:
        return set(self.kept) | set(self.digests) | set(self.others)


def collect(stream: BinaryIO, on_file: Callable[[str], None] | None = None) -> StreamFacts:
    """Read a tar stream to its end, hashing every file; keep the small tag files."""
    from evidencekit.handover.hashing import BackgroundHasher

    facts = StreamFacts()
    seen: set[str] = set()
    with BackgroundHasher() as hasher:
        pending = _collect(stream, facts, seen, hasher, on_file)
        facts.digests = {name: (size, digest.hexdigest()) for name, (size, digest) in pending.items()}
    return facts


def _collect(
    stream: BinaryIO,
    facts: StreamFacts,
    seen: set[str],
    hasher: Any,
    on_file: Callable[[str], None] | None,
) -> dict[str, tuple[int, Any]]:
    from evidencekit.handover.tarstream import TarFormatError, is_plain_file, iter_members

    pending: dict[str, tuple[int, Any]] = {}
    names = MemberNames()
    try:
        for member in iter_members(stream):
            info = member.info
            facts.members += 1
            name = safe_member_name(info.name)
            if name is None:
                facts.unsafe.append(info.name)
                continue
            if name == "" and info.isdir():
                continue
            if not names.add(name):
                facts.duplicates.append(name)
            seen.add(name)
            if info.isdir():
                facts.dirs.add(name)
                continue
            if info.issym() or info.islnk():
                facts.others[name] = "link"
                continue
            if not is_plain_file(info):
                facts.others[name] = "special"
                continue
            if on_file:
                on_file(name)
            digest = hasher.new()
            keep = not _payload_like(name) and info.size <= MAX_TAG_FILE
            chunks = []
            while block := member.read(_BLOCK):
                digest.update(block)
                if keep:
                    chunks.append(block)
            digest.close()
            pending[name] = (info.size, digest)
            if keep:
                facts.kept[name] = b"".join(chunks)
            else:
                facts.payload_bytes += info.size
    except TarFormatError as exc:
        raise NotATarError(str(exc)) from None
    return pending


def bag_root(facts: StreamFacts) -> str | None:
    """The folder in the archive that holds the bag ('' for the top), or None if there is none."""
    names = facts.names() | facts.dirs
    if layout.BAGIT_TXT in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{layout.BAGIT_TXT}" in names or f"{top}/{layout.RECORDS_DIR}" in names:
            return top
        if any(n.startswith(f"{top}/") for n in names):
            return top
    return None


class StreamView(BagView):
    """A bag read from a tar stream, as the verify checks see it."""

    def __init__(self, facts: StreamFacts, root: str, label: str) -> None:
        self.facts = facts
        self.prefix = f"{root}/" if root else ""
        self.label = label
        cut = len(self.prefix)
        self._kept = {k[cut:]: v for k, v in facts.kept.items() if k.startswith(self.prefix)}
        self._digests = {k[cut:]: v for k, v in facts.digests.items() if k.startswith(self.prefix)}
        self._others = {k[cut:]: v for k, v in facts.others.items() if k.startswith(self.prefix)}
        self._dirs = {k[cut:] for k in facts.dirs if k.startswith(self.prefix) and k[cut:]}
        for name in [*self._digests, *self._others]:
            parts = name.split("/")[:-1]
            self._dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))

    def read_bytes(self, relative: str) -> bytes:
        if relative in self._kept:
            return self._kept[relative]
        if relative in self._digests:
            raise OSError(errno.EFBIG, "it is too large to check inside the archive; use evidencekit open")
        if relative in self._others:
            raise OSError(errno.ELOOP, "it is a link or special file in the archive")
        if relative in self._dirs:
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        raise FileNotFoundError(errno.ENOENT, "not in the archive")

    def exists(self, relative: str) -> bool:
        return relative in self._digests or relative in self._others or relative in self._dirs

    def is_file(self, relative: str) -> bool:
        return relative in self._digests

    def sha256(self, relative: str) -> str | None:
        found = self._digests.get(relative)
        return found[1] if found else None

    def files_under(self, top: str) -> list[str]:
        start = top + "/"
        return sorted(n for n in [*self._digests, *self._others] if n.startswith(start))

    def folders_in(self, top: str) -> list[str]:
        start = top + "/"
        return sorted(
            {d[len(start) :] for d in self._dirs if d.startswith(start) and "/" not in d[len(start) :]}
        )

    def top_level(self) -> list[str]:
        return sorted({n.split("/", 1)[0] for n in [*self._digests, *self._others, *self._dirs]})

    def pending_state(self) -> str | None:
        from evidencekit.case.journal import COMMIT_FILE

        if layout.TXN_DIR not in self.top_level():
            return None
        return "committed" if self.exists(f"{layout.TXN_DIR}/{COMMIT_FILE}") else "uncommitted"

    def payload_files(self, report: VerifyReport) -> dict[str, int]:
        found: dict[str, int] = {}
        start = layout.DATA_DIR + "/"
        if layout.DATA_DIR not in self._dirs and not any(n.startswith(start) for n in self._digests):
            report.add(
                ERROR, "payload-folder-missing", layout.DATA_DIR, "The evidence folder data/ is missing."
            )
            return found
        for name, kind in sorted(self._others.items()):
            if not name.startswith(start):
                continue
            if kind == "link":
                report.add(
                    ERROR,
                    "payload-symlink",
                    name,
                    f"{name} is a symbolic link; evidence files must be real files.",
                )
            else:
                report.add(ERROR, "payload-special-file", name, f"{name} is not a regular file.")
        for name, (size, _digest) in self._digests.items():
            if name.startswith(start):
                found[name] = size
        return found

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        for path, expected, _size in jobs:
            yield path, expected, self._digests[path][1], None


def report_archive_entries(facts: StreamFacts, root: str, report: VerifyReport) -> None:
    """Findings about the tar itself: unsafe names, names given twice, things outside the bag."""
    for name in facts.unsafe:
        report.add(
            ERROR,
            "archive-path-unsafe",
            name,
            f"The archive holds an entry named “{name}”, which would land outside the case folder; "
            "it was not used.",
        )
    for name in sorted(set(facts.duplicates)):
        report.add(
            ERROR,
            "archive-duplicate-entry",
            name,
            f"The archive holds {name} more than once, or also under the same name in other capitals "
            "(a later copy could replace the first when unpacked).",
        )


def report_checksum(archive: ArchiveFacts, report: VerifyReport) -> None:
    state = archive.checksum_state
    name = archive.checksum_file.name if archive.checksum_file else archive.path.name + ".sha256"
    if state == "ok":
        report.add(
            INFO,
            "archive-checksum-ok",
            name,
            f"The archive matches {name} (SHA-256 {archive.sha256}), "
            "and it decrypted and authenticated to the end.",
        )
    elif state == "missing":
        report.add(
            WARNING,
            "archive-checksum-missing",
            name,
            f"There is no {name} beside the archive, so the transfer could not be checked that way "
            "(the archive itself decrypted and authenticated to the end).",
        )
    else:
        report.add(
            WARNING,
            "archive-checksum-unreadable",
            name,
            f"{name} does not hold a SHA-256 line, so the transfer could not be checked that way "
            "(the archive itself decrypted and authenticated to the end).",
        )
