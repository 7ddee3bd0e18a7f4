"""Checking a case: everything an examiner would check, returned as data.

`verify_case()` never raises for a problem it finds in the case: each problem becomes a `Finding`
(severity, code, path, message) in the report, and the CLI renders it as a table or JSON. It raises
only when it cannot run at all (the path is not a case). It writes nothing, so it is safe on a
write-protected copy. The codes are a contract, listed in docs/reference/verify-codes.md.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.case import layout, parallel, record_types, safepath
from evidencekit.case.bag import is_safe_bag_path, parse_bag_info, parse_manifest
from evidencekit.case.custody import TOOL, check_chain
from evidencekit.case.hashing import SourceChangedError, hash_case_file, hash_file
from evidencekit.case.journal import pending_state
from evidencekit.case.jsonlines import loads_lines, parse_json
from evidencekit.case.seal_record import allowed_signers_bytes, signer_pub_bytes
from evidencekit.errors import NotACaseError

REPORT_FORMAT = "evidencekit-verify/1"
SMALL_FILE = 4 << 20  # up to this size, many files go to worker processes (see parallel.py)
ERROR, WARNING, INFO = "error", "warning", "info"
# A finding's message is one sentence for people: a path from a hostile manifest (megabytes long, or
# full of line breaks) is shown shortened in it, so no renderer has to lay out megabytes of text.
# The finding's `path` keeps it whole, for --json.
MAX_SHOWN_PATH = 200
MAX_MESSAGE = 2000
_IGNORED_AT_ROOT = {layout.LOCK_FILE}
_KNOWN_AT_ROOT = {
    layout.BAGIT_TXT,
    layout.BAG_INFO_TXT,
    layout.MANIFEST,
    layout.TAGMANIFEST,
    layout.DATA_DIR,
    layout.RECORDS_DIR,
    layout.SEAL_DIR,
    layout.TXN_DIR,
    layout.LOCK_FILE,
}


@dataclass(frozen=True)
class Finding:
    """One thing verify noticed. `code` is stable (documented); `message` is for people."""

    severity: str
    code: str
    path: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "path": self.path, "message": self.message}


@dataclass
class VerifyReport:
    """Everything verify found, plus what it looked at."""

    case_id: str | None = None
    title: str | None = None
    fingerprint: str | None = None
    sealed: bool = False
    sealed_at: str | None = None
    findings: list[Finding] = field(default_factory=list)
    checked_files: int = 0
    checked_bytes: int = 0
    source: str = ""
    # Structured facts that checks add for scripts (e.g. "timestamps", "archive"); in --json.
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def add(self, severity: str, code: str, path: str | None, message: str) -> None:
        self.findings.append(finding(severity, code, path, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "case_id": self.case_id,
            "fingerprint": self.fingerprint,
            "sealed": self.sealed,
            "sealed_at": self.sealed_at,
            "checked": {"files": self.checked_files, "bytes": self.checked_bytes},
            "findings": [f.to_json() for f in self.findings],
            **self.details,
        }


def finding(severity: str, code: str, path: str | None, message: str) -> Finding:
    """A `Finding` whose message stays short and on one line, whatever the path in it."""
    if path and (len(path) > MAX_SHOWN_PATH or not path.isprintable()):
        message = message.replace(path, shown_path(path))
    if len(message) > MAX_MESSAGE or not message.isprintable():
        message = "".join(ch if ch.isprintable() else "?" for ch in message[:MAX_MESSAGE])
        if len(message) == MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
    return Finding(severity, code, path, message)


def shown_path(path: str) -> str:
    """A path as a message shows it: control characters as `?`, the middle of a long one cut."""
    if len(path) > MAX_SHOWN_PATH:
        half = MAX_SHOWN_PATH // 2
        path = f"{path[:half]}…{path[-half:]}"
    return "".join(ch if ch.isprintable() else "?" for ch in path)


BytesProgress = Callable[[int, int], None]  # (done bytes, total bytes)


class BagView:
    """What the checks read: a case folder on disk (this class) or a bag read from a tar stream.

    Paths are bag paths ("data/items/E0001-x.png"). `read_bytes` raises FileNotFoundError or
    OSError like a file would, so every check reports a missing or unreadable file the same way.
    """

    label: str = ""

    def read_bytes(self, relative: str) -> bytes:
        raise NotImplementedError

    def exists(self, relative: str) -> bool:
        raise NotImplementedError

    def is_file(self, relative: str) -> bool:
        """A regular file (not a link, not a folder)."""
        raise NotImplementedError

    def sha256(self, relative: str) -> str | None:
        try:
            return hashlib.sha256(self.read_bytes(relative)).hexdigest()
        except OSError:
            return None

    def files_under(self, top: str) -> list[str]:
        """Every file or link below the folder `top`, sorted."""
        raise NotImplementedError

    def folders_in(self, top: str) -> list[str]:
        """Names of the folders directly inside `top`, sorted."""
        raise NotImplementedError

    def top_level(self) -> list[str]:
        raise NotImplementedError

    def links_and_specials(self) -> list[tuple[str, str]]:
        """(path, 'link' or 'special') for everything outside data/ that is not a file or folder."""
        return []

    def pending_state(self) -> str | None:
        return None

    def payload_files(self, report: VerifyReport) -> dict[str, int]:
        """{bag path: size} of every file under data/; links and special files become findings."""
        raise NotImplementedError

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        """(path, expected, actual sha256 or None, problem or None) for each (path, expected, size)."""
        raise NotImplementedError


class FolderView(BagView):
    """A case folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.label = str(root)

    # Everything goes through safepath, the one door into a case folder: no link is followed at any
    # step (a linked folder could make verify check files outside the case and call them the
    # case's), and only regular files are opened (a FIFO would hang verify, a device never end).
    # Links and special files themselves are findings (`links_and_specials`).

    def read_bytes(self, relative: str) -> bytes:
        """The file's bytes; anything but a regular file reached without a link is an OSError
        (safepath's UnsafeCasePathError), reported like an unreadable file."""
        return safepath.read_bytes(self.root, relative)

    def exists(self, relative: str) -> bool:
        try:
            return safepath.exists_in_case(self.root, relative)
        except safepath.UnsafeCasePathError:
            return True  # something is there, behind a link: reading it says why it cannot be used

    def is_file(self, relative: str) -> bool:
        return safepath.is_file_in_case(self.root, relative)

    def files_under(self, top: str) -> list[str]:
        return [entry.path for entry in safepath.walk(self.root, top) if entry.kind != "folder"]

    def folders_in(self, top: str) -> list[str]:
        start = len(top) + 1
        return [
            entry.path[start:]
            for entry in safepath.walk(self.root, top, max_depth=2)  # folders, and what is in them
            if entry.kind == "folder" and "/" not in entry.path[start:]
        ]

    def top_level(self) -> list[str]:
        return sorted(os.listdir(self.root))

    def links_and_specials(self) -> list[tuple[str, str]]:
        out = []
        for name in self.top_level():
            if name == layout.DATA_DIR:
                continue  # the payload listing reports these, as payload-symlink / -special-file
            st = os.lstat(self.root / name)
            kind = safepath.kind_of(st)
            if kind in ("link", "special"):
                out.append((name, kind))
            elif kind == "folder":
                out += [
                    (e.path, e.kind) for e in safepath.walk(self.root, name) if e.kind in ("link", "special")
                ]
        return out

    def pending_state(self) -> str | None:
        return pending_state(self.root)

    def payload_files(self, report: VerifyReport) -> dict[str, int]:
        return _payload_on_disk(self.root, report)

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        # Many small files: worker processes, because threads do not scale for short system calls
        # (see parallel.py); they are started and given their work now, in the calling thread.
        # Large files: threads (each pipelines its own reading and hashing), meanwhile.
        small = [job for job in jobs if job[2] <= SMALL_FILE]
        if not parallel.worth_processes(len(small)):
            return self._hash_in_threads(jobs, workers)
        large = [job for job in jobs if job[2] > SMALL_FILE]
        root = str(self.root)  # plain strings: pathlib would cost a tenth of the checking here
        started = parallel.start_chunks(parallel.hash_chunk, [(root, job[0]) for job in small])
        return _Hashing(
            itertools.chain(
                self._hash_in_threads(large, workers),
                (
                    (path, expected, actual, problem)
                    for (path, expected, _size), (actual, problem) in zip(small, started, strict=True)
                ),
            ),
            stop=started.close,
        )

    def _hash_in_threads(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        root = self.root

        def one(job: tuple[str, str, int]) -> tuple[str, str, str | None, str | None]:
            path, expected, _size = job
            try:
                actual, _ = hash_case_file(root, path)  # through safepath: no link followed
                return path, expected, actual, None
            except SourceChangedError:
                return path, expected, None, "it changed while it was being checked"
            except OSError as exc:
                return path, expected, None, parallel.unreadable_reason(root, path, exc)

        if not jobs:
            return
        count = workers or min(32, (os.cpu_count() or 2) * 2)
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="ek-verify") as pool:
            yield from pool.map(one, jobs)


class _Hashing:
    """Hashing results still to come, and how to stop the worker processes producing them (from
    any thread) when verify stops early: Ctrl-C, or an error in another check."""

    def __init__(self, results: Iterable[tuple[str, str, str | None, str | None]], stop: Callable[[], None]):
        self._results = results
        self.stop = stop

    def __iter__(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        return iter(self._results)


def as_bag_view(root: Path | BagView) -> BagView:
    """For checks that accept either a folder path or a view."""
    return root if isinstance(root, BagView) else FolderView(Path(root))


def verify_case(
    root: Path,
    *,
    progress: BytesProgress | None = None,
    workers: int | None = None,
    check_originals: bool = False,
) -> VerifyReport:
    """Verify the case folder at `root`."""
    root = Path(root)
    if not root.is_dir():
        raise NotACaseError(
            f"There is no case folder at {root}.",
            hint="Give the folder that contains bagit.txt (or an encrypted .age hand-over file).",
        )
    has_bagit = (root / layout.BAGIT_TXT).exists()
    if not has_bagit and not (root / layout.RECORDS_DIR).is_dir() and not (root / layout.MANIFEST).exists():
        raise NotACaseError(
            f"{root} is not an evidencekit case (it has no bagit.txt).",
            hint="Give the folder that contains bagit.txt.",
        )
    return verify_bag(FolderView(root), progress=progress, workers=workers, check_originals=check_originals)


def verify_bag(
    bag: BagView,
    *,
    progress: BytesProgress | None = None,
    workers: int | None = None,
    check_originals: bool = False,
    report: VerifyReport | None = None,
) -> VerifyReport:
    """Run every check on `bag` (a folder, or a bag read from an archive stream)."""
    report = report if report is not None else VerifyReport(source=bag.label)
    if _check_pending(bag, report) == "committed":
        # The folder is half-way through saving a change (some files renamed into place, others
        # not yet): anything else found now describes that half-saved state, not the case. The
        # verdict is still "problems found" until the next command finishes the saving.
        _identify(bag, report)
        return report
    _check_declaration(bag, report)
    bag_info = _check_bag_info(bag, report)
    case_json = _check_case_json(bag, report, bag_info)
    _check_tag_manifest(bag, report)
    manifest, hashing = _check_payload(bag, report, bag_info, progress, workers)
    try:
        custody = _check_custody(bag, report, bag_info)
        items = _check_records(bag, report, manifest, custody, check_originals)
        _check_seal(bag, report, custody, case_json, items)
        _check_history(bag, report, manifest, custody, case_json, items)
        _check_signing_keys(report, custody)
        _check_extras(bag, report)
        _check_links(bag, report)
        _run_extra_checks(bag, report)
        if hashing is not None:
            hashing.finish()
    except BaseException:
        if hashing is not None:
            hashing.cancel()  # Ctrl-C or a failure: the workers must not go on hashing every file
        raise
    report.case_id = (case_json or {}).get("id") or dict(bag_info).get("External-Identifier")
    report.title = (case_json or {}).get("title")
    report.fingerprint = bag.sha256(layout.TAGMANIFEST)
    return report


# Findings after which the folder holds something a check reading it by path could follow or hang on.
_LINK_CODES = frozenset({"payload-symlink", "payload-special-file", "case-link", "case-special-file"})


def _run_extra_checks(bag: BagView, report: VerifyReport) -> None:
    later = []
    not_run = []
    # The checks that read the folder by path (not through a BagView, so not through safepath) do
    # not run on a folder with links or special files in it: they could be led outside the case,
    # or hang on a FIFO. The verdict is an error already; the finding says what was not checked.
    unsafe = any(f.code in _LINK_CODES for f in report.findings)
    for check in EXTRA_CHECKS:
        part = getattr(check, "words", getattr(check, "__name__", "?"))
        if getattr(check, "bag_view", False):
            _run_extra(check, bag, report)
        elif not isinstance(bag, FolderView):
            later.append(part)
        elif unsafe:
            not_run.append(part)
        else:
            _run_extra(check, bag.root, report)
    if not_run:
        report.add(
            INFO,
            "checks-not-run",
            None,
            f"Not checked: {_and(not_run)}, because the case folder holds links or special "
            "files (see above), which those checks could follow or wait on forever.",
        )
    if later:
        report.add(
            INFO,
            "checks-after-open",
            None,
            f"Not checked inside the archive: {_and(later)}. They need the unpacked case folder: "
            "`evidencekit open` unpacks it and checks them.",
        )


def _and(words: list[str]) -> str:
    """“a, b and c”: what was not checked, in the order of EXTRA_CHECKS."""
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _read_text(bag: BagView, relative: str, report: VerifyReport, missing_code: str, what: str) -> str | None:
    try:
        return bag.read_bytes(relative).decode("utf-8")
    except FileNotFoundError:
        report.add(ERROR, missing_code, relative, f"{what} ({relative}) is missing.")
    except UnicodeDecodeError:
        report.add(ERROR, "not-utf8", relative, f"{relative} is not UTF-8 text.")
    except OSError as exc:
        report.add(ERROR, "unreadable", relative, f"{relative} cannot be read ({exc.strerror}).")
    return None


# ---- structure ---------------------------------------------------------------------------------


def _identify(bag: BagView, report: VerifyReport) -> None:
    """Case id and title for the report's heading, from whatever case.json says (best effort)."""
    try:
        case_json = parse_json(bag.read_bytes(layout.CASE_JSON).decode("utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(case_json, dict):
        report.case_id = case_json.get("id") if isinstance(case_json.get("id"), str) else None
        report.title = case_json.get("title") if isinstance(case_json.get("title"), str) else None


def _check_pending(bag: BagView, report: VerifyReport) -> str | None:
    state = bag.pending_state()
    if state == "committed":
        report.add(
            ERROR,
            "interrupted-change",
            layout.TXN_DIR,
            "An evidencekit command was interrupted while saving. Run any evidencekit command on "
            "the case (for example `evidencekit status`) to finish saving, then verify again.",
        )
    elif state == "uncommitted":
        report.add(
            WARNING,
            "unfinished-change",
            layout.TXN_DIR,
            "An evidencekit command was interrupted before saving; its leftover files are not part "
            "of the case and will be removed by the next evidencekit command.",
        )
    return state


def _check_declaration(bag: BagView, report: VerifyReport) -> None:
    try:
        raw = bag.read_bytes(layout.BAGIT_TXT)
    except FileNotFoundError:
        report.add(ERROR, "bag-declaration-missing", layout.BAGIT_TXT, "bagit.txt is missing.")
        return
    except OSError as exc:
        report.add(ERROR, "unreadable", layout.BAGIT_TXT, f"bagit.txt cannot be read ({exc.strerror}).")
        return
    if raw != layout.BAGIT_DECLARATION.encode("utf-8"):
        report.add(
            ERROR,
            "bag-declaration-invalid",
            layout.BAGIT_TXT,
            "bagit.txt does not say exactly “BagIt-Version: 1.0” and “Tag-File-Character-Encoding: UTF-8”.",
        )


def _check_bag_info(bag: BagView, report: VerifyReport) -> list[tuple[str, str]]:
    text = _read_text(bag, layout.BAG_INFO_TXT, report, "bag-info-missing", "The bag description")
    if text is None:
        return []
    try:
        fields = parse_bag_info(text)
    except ValueError:
        report.add(
            ERROR,
            "bag-info-invalid",
            layout.BAG_INFO_TXT,
            "bag-info.txt has a line that is not “Label: value”.",
        )
        return []
    labels = [label for label, _ in fields]
    if labels.count("Payload-Oxum") > 1:
        report.add(
            ERROR, "bag-info-invalid", layout.BAG_INFO_TXT, "bag-info.txt gives Payload-Oxum more than once."
        )
    return fields


def _check_case_json(
    bag: BagView, report: VerifyReport, bag_info: list[tuple[str, str]]
) -> dict[str, Any] | None:
    text = _read_text(bag, layout.CASE_JSON, report, "case-json-missing", "The case description")
    if text is None:
        return None
    try:
        data = parse_json(text)
        if not isinstance(data, dict) or "id" not in data:
            raise ValueError
    except ValueError:
        report.add(ERROR, "case-json-invalid", layout.CASE_JSON, "case.json is not a valid case description.")
        return None
    if str(data.get("format", "")).split("/")[0] != "evidencekit-case":
        report.add(
            ERROR,
            "case-json-invalid",
            layout.CASE_JSON,
            "case.json does not declare the evidencekit case format.",
        )
    identifier = dict(bag_info).get("External-Identifier")
    if identifier and identifier != data["id"]:
        report.add(
            ERROR,
            "case-id-mismatch",
            layout.BAG_INFO_TXT,
            f"bag-info.txt names case {identifier} but case.json names case {data['id']}.",
        )
    return data


def _check_tag_manifest(bag: BagView, report: VerifyReport) -> dict[str, str]:
    text = _read_text(bag, layout.TAGMANIFEST, report, "tagmanifest-missing", "The tag manifest")
    if text is None:
        return {}
    entries: dict[str, str] = {}
    for line in parse_manifest(text):
        where = f"{layout.TAGMANIFEST} line {line.line_number}"
        if line.problem:
            report.add(ERROR, "manifest-line-invalid", layout.TAGMANIFEST, f"{where}: {line.problem}.")
            continue
        if not is_safe_bag_path(line.path) or line.path.startswith(layout.DATA_DIR + "/"):
            report.add(ERROR, "path-unsafe", line.path, f"{where} names a path a tag manifest must not list.")
            continue
        if line.path in entries:
            report.add(ERROR, "manifest-line-invalid", line.path, f"{where} lists {line.path} a second time.")
        entries[line.path] = line.digest
        actual = bag.sha256(line.path) if bag.is_file(line.path) else None
        if actual is None:
            report.add(
                ERROR, "tag-missing", line.path, f"{line.path} is listed in the tag manifest but is missing."
            )
        elif actual != line.digest:
            report.add(
                ERROR,
                "tag-changed",
                line.path,
                f"{line.path} was changed after it was recorded (its SHA-256 is now {actual[:16]}…, "
                f"the tag manifest says {line.digest[:16]}…).",
            )
    for required in (
        layout.BAGIT_TXT,
        layout.BAG_INFO_TXT,
        layout.MANIFEST,
        layout.CASE_JSON,
        layout.CUSTODY_JSONL,
    ):
        if required not in entries and bag.exists(required):
            report.add(ERROR, "tag-not-covered", required, f"{required} is not listed in the tag manifest.")
    for relative in bag.files_under(layout.RECORDS_DIR):
        if relative not in entries:
            report.add(
                ERROR,
                "tag-unexpected",
                relative,
                f"{relative} is in the records folder but not in the tag manifest (added afterwards).",
            )
    return entries


# ---- payload -------------------------------------------------------------------------------


def _check_payload(
    bag: BagView,
    report: VerifyReport,
    bag_info: list[tuple[str, str]],
    progress: BytesProgress | None,
    workers: int | None,
) -> tuple[dict[str, str], _PendingHashes | None]:
    """Check the manifest against the folder now; start hashing, to be finished later."""
    text = _read_text(bag, layout.MANIFEST, report, "manifest-missing", "The payload manifest")
    if text is None:
        return {}, None
    manifest: dict[str, str] = {}
    for line in parse_manifest(text):
        where = f"{layout.MANIFEST} line {line.line_number}"
        if line.problem:
            report.add(ERROR, "manifest-line-invalid", layout.MANIFEST, f"{where}: {line.problem}.")
            continue
        if not is_safe_bag_path(line.path) or not line.path.startswith(layout.DATA_DIR + "/"):
            report.add(
                ERROR, "path-unsafe", line.path, f"{where} names a path outside data/; it was not opened."
            )
            continue
        if line.path in manifest:
            report.add(ERROR, "manifest-line-invalid", line.path, f"{where} lists {line.path} a second time.")
        manifest[line.path] = line.digest

    on_disk = bag.payload_files(report)
    to_hash = []
    for path, digest in manifest.items():
        size = on_disk.get(path)
        if size is None:
            report.add(ERROR, "payload-missing", path, f"{path} is listed in the manifest but is missing.")
        else:
            to_hash.append((path, digest, size))
    for path in sorted(set(on_disk) - set(manifest)):
        report.add(
            ERROR,
            "payload-unexpected",
            path,
            f"{path} is in the evidence folder but not in the manifest (it was added afterwards).",
        )

    oxum = dict(bag_info).get("Payload-Oxum")
    if oxum is None:
        if bag_info:
            report.add(
                ERROR, "payload-oxum-missing", layout.BAG_INFO_TXT, "bag-info.txt has no Payload-Oxum."
            )
    else:
        actual = f"{sum(on_disk.values())}.{len(on_disk)}"
        if oxum.strip() != actual:
            report.add(
                ERROR,
                "payload-oxum-mismatch",
                layout.BAG_INFO_TXT,
                f"bag-info.txt says the evidence is {_oxum_words(oxum)}, "
                f"but the folder holds {_oxum_words(actual)}.",
            )

    return manifest, _PendingHashes(bag, report, to_hash, progress, workers)


def _oxum_words(oxum: str) -> str:
    octets, _, count = oxum.partition(".")
    return f"{count} files, {octets} bytes"


def _payload_on_disk(root: Path, report: VerifyReport) -> dict[str, int]:
    """{bag path: size} of every file under data/; symlinks and special files are findings."""
    found: dict[str, int] = {}
    data = root / layout.DATA_DIR
    st = safepath.lstat_in_case(root, layout.DATA_DIR)
    kind = safepath.kind_of(st) if st is not None else None
    if kind == "link":
        report.add(
            ERROR,
            "payload-symlink",
            layout.DATA_DIR,
            "data/ is a symbolic link; evidence files must be real files in the case folder.",
        )
        return found
    if kind != "folder":
        report.add(ERROR, "payload-folder-missing", layout.DATA_DIR, "The evidence folder data/ is missing.")
        return found
    # Plain strings, not Path objects: a case may hold tens of thousands of files.
    stack = [(str(data), layout.DATA_DIR)]
    while stack:
        folder, folder_relative = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            report.add(ERROR, "unreadable", folder, f"A folder cannot be read ({exc.strerror}).")
            continue
        for entry in entries:
            relative = f"{folder_relative}/{entry.name}"
            if entry.is_symlink():
                report.add(
                    ERROR,
                    "payload-symlink",
                    relative,
                    f"{relative} is a symbolic link; evidence files must be real files.",
                )
            elif entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, relative))
            elif entry.is_file(follow_symlinks=False):
                found[relative] = entry.stat(follow_symlinks=False).st_size
            else:
                report.add(ERROR, "payload-special-file", relative, f"{relative} is not a regular file.")
    return found


class _PendingHashes:
    """Hashing every payload file, in the background, while the other checks run.

    The hashing itself runs on worker processes or threads (see `BagView.hash_files`); this thread
    only collects results. Its findings are put where the payload check would have put them, so
    the report reads in the same order as if everything had run one after the other.
    """

    def __init__(
        self,
        bag: BagView,
        report: VerifyReport,
        jobs: list[tuple[str, str, int]],
        progress: BytesProgress | None,
        workers: int | None,
    ) -> None:
        import threading

        self._report = report
        self._position = len(report.findings)
        self._findings: list[Finding] = []
        self._error: BaseException | None = None
        self._files = self._bytes = 0
        jobs = sorted(jobs, key=lambda j: -j[2])  # big files first keeps every core busy to the end
        # Worker processes are started here, in the calling thread, before the collecting thread
        # exists (parallel.py forks only a process that runs a single thread).
        results = bag.hash_files(jobs, workers)
        # Only worker processes can be stopped from here; other views hash as they are read (a
        # generator's close() from this thread would fail while the collecting thread runs it).
        self._stop = results.stop if isinstance(results, _Hashing) else None
        self._thread = threading.Thread(
            target=self._run, args=(results, jobs, progress), name="ek-verify-hashes", daemon=True
        )
        self._thread.start()

    def _run(
        self,
        results: Iterable[tuple[str, str, str | None, str | None]],
        jobs: list[tuple[str, str, int]],
        progress: BytesProgress | None,
    ) -> None:
        total = sum(size for _, _, size in jobs)
        sizes = {path: size for path, _, size in jobs}
        try:
            for path, expected, actual, problem in results:
                self._files += 1
                self._bytes += sizes[path]
                if progress:
                    progress(self._bytes, total)
                if problem:
                    self._findings.append(
                        finding(ERROR, "unreadable", path, f"{path} cannot be read ({problem}).")
                    )
                elif actual != expected:
                    self._findings.append(
                        finding(
                            ERROR,
                            "payload-changed",
                            path,
                            f"{path} was changed after it was captured (its SHA-256 is now "
                            f"{(actual or '')[:16]}…, the manifest says {expected[:16]}…).",
                        )
                    )
        except BaseException as exc:  # noqa: BLE001 - re-raised in finish(), in the caller's thread
            self._error = exc

    def cancel(self) -> None:
        """Stop the hashing: work not yet started is dropped, and nothing waits for it."""
        if self._stop is not None:
            self._stop()

    def finish(self) -> None:
        """Wait for the hashing and add what it found to the report."""
        while self._thread.is_alive():
            self._thread.join(0.2)  # short waits keep Ctrl-C responsive
        if self._error is not None:
            raise self._error
        self._report.checked_files += self._files
        self._report.checked_bytes += self._bytes
        self._report.findings[self._position : self._position] = self._findings


# ---- custody log and records --------------------------------------------------------------------


def _check_custody(
    bag: BagView, report: VerifyReport, bag_info: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    text = _read_text(bag, layout.CUSTODY_JSONL, report, "custody-missing", "The custody log")
    if text is None:
        return []
    result = check_chain(text)
    for problem in result.problems:
        where = f"line {problem.line}" if problem.line else "the end"
        report.add(ERROR, problem.code, layout.CUSTODY_JSONL, f"Custody log {where} {problem.message}.")
    if not result.entries or result.entries[0].get("action") != "case-created":
        report.add(
            ERROR,
            "custody-chain-broken",
            layout.CUSTODY_JSONL,
            "The custody log does not start with the creation of the case.",
        )
    head = dict(bag_info).get("EK-Custody-Head")
    if head and head != result.head:
        report.add(
            ERROR,
            "custody-head-mismatch",
            layout.CUSTODY_JSONL,
            "The last line of the custody log is not the one bag-info.txt records (lines were "
            "removed from or added to the end).",
        )
    return result.entries


def _check_records(
    bag: BagView,
    report: VerifyReport,
    manifest: dict[str, str],
    custody: list[dict[str, Any]],
    check_originals: bool,
) -> Sequence[dict[str, Any]] | None:
    """Check every item record; returns the records (None if items.jsonl cannot be read)."""
    # No items.jsonl means nothing was captured yet. If it was deleted, the tag manifest says so
    # (tag-missing), and any evidence file left without its record is named (file-without-record).
    if bag.exists(layout.ITEMS_JSONL):
        text = _read_text(bag, layout.ITEMS_JSONL, report, "items-missing", "The list of items")
        if text is None:
            return None
    else:
        text = ""
    if bag.exists(layout.URLS_JSONL):
        urls = _read_text(bag, layout.URLS_JSONL, report, "urls-missing", "The list of web addresses")
        _shaped_records(record_types.URLS, urls or "", report)
    items = _shaped_records(record_types.ITEMS, text, report)
    if items is None:
        return None
    claimed: set[str] = set()
    ids = set()
    logged = {e.get("details", {}).get("item") for e in custody if e.get("action") == "item-captured"}
    by_reference = []
    for item in items:
        item_id = str(item.get("id"))
        if item_id in ids:
            report.add(ERROR, "records-invalid", layout.ITEMS_JSONL, f"Item {item_id} is listed twice.")
        ids.add(item_id)
        if item_id not in logged:
            report.add(
                ERROR,
                "item-not-logged",
                layout.ITEMS_JSONL,
                f"Item {item_id} has no “item-captured” entry in the custody log.",
            )
        if item.get("by_reference"):
            by_reference.append(item)
            continue
        for bag_path, digest in _item_files(item):
            claimed.add(bag_path)
            if bag_path not in manifest:
                report.add(
                    ERROR,
                    "record-file-missing",
                    bag_path,
                    f"Item {item_id} says it is stored at {bag_path}, but the manifest does not list it.",
                )
            elif digest and manifest[bag_path] != digest:
                report.add(
                    ERROR,
                    "record-hash-mismatch",
                    bag_path,
                    f"Item {item_id}'s record and the manifest give different SHA-256 values for {bag_path}.",
                )
    for entry in custody:
        if entry.get("action") == "item-captured":
            logged_id = entry.get("details", {}).get("item")
            if logged_id not in ids:
                report.add(
                    ERROR,
                    "logged-item-missing",
                    layout.ITEMS_JSONL,
                    f"The custody log records capturing {logged_id}, but there is no such item.",
                )
    derived_prefix = layout.DERIVED_DIR + "/"
    for bag_path in sorted(set(manifest) - claimed):
        if bag_path.startswith(derived_prefix) and bag_path[len(derived_prefix) :].split("/", 1)[0] in ids:
            continue
        if bag_path.startswith(layout.REPORT_DIR + "/"):
            continue  # the case report; evidencekit.report.checks ties it to its custody entry
        report.add(
            ERROR,
            "file-without-record",
            bag_path,
            f"{bag_path} is in the manifest but no item record describes it.",
        )
    if by_reference:
        names = ", ".join(i["id"] for i in by_reference[:10]) + ("…" if len(by_reference) > 10 else "")
        report.add(
            INFO,
            "by-reference",
            None,
            f"{len(by_reference)} item(s) are recorded by reference only, on purpose, and are not in "
            f"the case folder ({names}): their hashes are in items.jsonl.",
        )
        if check_originals:
            _check_originals(report, by_reference)
    return items


def _shaped_records(
    kind: record_types.RecordKind[Any], text: str, report: VerifyReport
) -> list[dict[str, Any]] | None:
    """The records of `kind`, or None when a line cannot be used: each such line is a finding (by
    the one validator every command uses), and the checks that need every record say nothing."""
    read = record_types.read_records(kind, text)
    for problem in read.problems:
        report.add(ERROR, "records-invalid", kind.path, f"{problem[0].upper()}{problem[1:]}.")
    return None if read.problems else [record for _number, record in read.records]


def _item_files(item: dict[str, Any]) -> Iterable[tuple[str, str | None]]:
    bag_path = item.get("bag_path")
    if not bag_path:
        return
    if item.get("files") is not None:
        for member in item["files"]:
            yield f"{bag_path}/{member['path']}", member.get("sha256")
    else:
        yield bag_path, item.get("sha256")


def _check_originals(report: VerifyReport, items: list[dict[str, Any]]) -> None:
    """Re-hash by-reference originals where they still are (only when asked)."""
    for item in items:
        source = Path(item.get("source_path", ""))
        targets = (
            [(source / m["original_path"], m["sha256"]) for m in item["files"]]
            if item.get("files") is not None
            else [(source, item.get("sha256"))]
        )
        changed = missing = 0
        for path, expected in targets:
            try:
                actual, _ = hash_file(path)
            except (OSError, SourceChangedError):
                missing += 1
                continue
            changed += actual != expected
        if missing:
            report.add(
                WARNING,
                "original-unavailable",
                item.get("source_path"),
                f"{item['id']}: the original is no longer at {source} (or cannot be read).",
            )
        elif changed:
            report.add(
                WARNING,
                "original-changed",
                item.get("source_path"),
                f"{item['id']}: the original at {source} is no longer the same as when it was recorded.",
            )
        else:
            report.add(
                INFO,
                "original-matches",
                item.get("source_path"),
                f"{item['id']}: the original at {source} still matches its recorded SHA-256.",
            )


# ---- seal ---------------------------------------------------------------------------------------


def _check_seal(
    bag: BagView,
    report: VerifyReport,
    custody: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> None:
    from evidencekit.case.seal_check import check_seal_files, last_sealed_entry

    sealed = last_sealed_entry(custody)  # None unless the log ends in a sealed state
    if not bag.exists(layout.SIGNATURE):
        if sealed is not None:
            report.add(
                ERROR,
                "seal-missing",
                layout.SEAL_DIR,
                "The custody log says the case was sealed, but the seal's signature is missing.",
            )
        else:
            report.add(
                INFO,
                "not-sealed",
                None,
                "The case is not sealed yet (run `evidencekit seal` when it is complete).",
            )
        return
    report.sealed = True
    if sealed is None:
        report.add(
            ERROR,
            "seal-not-logged",
            layout.SEAL_DIR,
            "There is a seal, but the custody log does not end in a “sealed” state.",
        )
    tagmanifest = _read_bytes(bag, layout.TAGMANIFEST)
    if tagmanifest is None:
        return
    result = _check_signature(lambda name: bag.read_bytes(f"{layout.SEAL_DIR}/{name}"), tagmanifest)
    for severity, code, message in result:
        report.add(severity, code, layout.SEAL_DIR, message)
    problems, seal_info = check_seal_files(bag, sealed, case_json, items, tagmanifest, TOOL)
    if seal_info is not None and isinstance(seal_info.get("sealed_at"), str):
        report.sealed_at = seal_info["sealed_at"]
    for severity, code, path, message in problems:
        report.add(severity, code, path, message)


def _read_bytes(bag: BagView, relative: str) -> bytes | None:
    try:
        return bag.read_bytes(relative)
    except OSError:
        return None


def check_signature_folder(folder: Path, message: bytes) -> list[tuple[str, str, str]]:
    """Check the raw Ed25519 signature and the SSHSIG in `folder` over `message`."""
    return _check_signature(lambda name: (folder / name).read_bytes(), message)


def _check_signature(read: Callable[[str], bytes], message: bytes) -> list[tuple[str, str, str]]:
    """The signature checks, reading the seal files by name through `read`."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

    from evidencekit.case import sshsig

    out: list[tuple[str, str, str]] = []
    try:
        public = load_pem_public_key(read("signer.pem"))
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("not Ed25519")
    except (OSError, ValueError, UnsupportedAlgorithm) as exc:
        return [(ERROR, "seal-key-invalid", f"The seal's public key (signer.pem) cannot be read ({exc}).")]
    key_fp = sshsig.key_fingerprint(public)
    try:
        public.verify(read("tagmanifest-sha256.txt.sig"), message)
        out.append((INFO, "seal-signature-ok", f"The seal's Ed25519 signature is valid (key {key_fp})."))
    except (OSError, InvalidSignature):
        out.append(
            (
                ERROR,
                "seal-signature-invalid",
                "The seal's signature does not match the tag manifest: "
                "the case was changed after it was sealed.",
            )
        )
    try:
        armored = read("tagmanifest-sha256.txt.sshsig").decode("ascii")
        if not sshsig.verify(armored, message, public):
            out.append(
                (ERROR, "seal-sshsig-invalid", "The seal's SSH signature does not match the tag manifest.")
            )
        elif sshsig.rearmored(armored) != armored:
            out.append(
                (
                    ERROR,
                    "seal-key-file-changed",
                    "seal/tagmanifest-sha256.txt.sshsig holds a valid signature but is not the text "
                    "the seal wrote: it was changed after sealing.",
                )
            )
    except (OSError, UnicodeDecodeError):
        out.append((ERROR, "seal-sshsig-invalid", "The seal's SSH signature file is missing or unreadable."))
    public_line = sshsig.openssh_public_line(public)
    written_by_seal = {
        "signer.pem": public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        "signer.pub": signer_pub_bytes(public_line),
        "allowed_signers": allowed_signers_bytes(public_line),
    }
    for name, expected in written_by_seal.items():
        try:
            written = read(name)
        except OSError:
            written = b""
        if written == expected:
            continue
        if name == "signer.pem" or _holds_key(written, public):  # the key was read from signer.pem
            out.append(
                (
                    ERROR,
                    "seal-key-file-changed",
                    f"seal/{name} holds the right key but is not what the seal wrote: it was changed "
                    "after sealing (the checks in seal/VERIFY.txt that use it may fail).",
                )
            )
        else:
            out.append((ERROR, "seal-key-mismatch", f"seal/{name} does not hold the same key as signer.pem."))
    return out


def _holds_key(written: bytes, public: Any) -> bool:
    """Whether an OpenSSH key line (signer.pub, allowed_signers) holds `public`."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    from evidencekit.case import sshsig

    try:
        fields = written.decode("ascii").split()
        start = fields.index("ssh-ed25519")
        other = load_ssh_public_key(f"{fields[start]} {fields[start + 1]}".encode("ascii"))
    except (ValueError, IndexError, UnicodeDecodeError):
        return False
    return isinstance(other, Ed25519PublicKey) and sshsig.public_blob(other) == sshsig.public_blob(public)


def _check_history(
    bag: BagView,
    report: VerifyReport,
    manifest: dict[str, str],
    entries: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> None:
    """Earlier seals: still valid over what they signed, their other files what that seal wrote,
    nothing else kept with them, and nothing they covered was changed."""
    _history_extra_files(bag, report)
    names = bag.folders_in(layout.SEAL_HISTORY_DIR)
    if not names:
        return
    custody = _read_bytes(bag, layout.CUSTODY_JSONL) or b""
    prefix_hashes = _prefix_hashes(custody)
    for name in names:
        relative = f"{layout.SEAL_HISTORY_DIR}/{name}"
        if not name.isdigit():
            continue  # reported by _history_extra_files
        old_tags = _read_bytes(bag, f"{relative}/{layout.TAGMANIFEST}")
        if old_tags is None:
            report.add(ERROR, "earlier-seal-invalid", relative, f"{relative} has no tag manifest.")
            continue
        problems = [
            p
            for p in _check_signature(
                lambda file, folder=relative: bag.read_bytes(f"{folder}/{file}"), old_tags
            )
            if p[0] == ERROR
        ]
        for _severity, _code, message in problems:
            report.add(ERROR, "earlier-seal-invalid", relative, f"Earlier seal in {relative}: {message}")
        old_entries = {line.path: line.digest for line in parse_manifest(old_tags.decode("utf-8", "replace"))}
        problems += _check_history_files(
            bag, report, relative, old_tags, old_entries, entries, case_json, items
        )
        old_manifest = _read_bytes(bag, f"{relative}/{layout.MANIFEST}")
        if old_manifest is None or hashlib.sha256(old_manifest).hexdigest() != old_entries.get(
            layout.MANIFEST
        ):
            report.add(
                ERROR,
                "earlier-seal-invalid",
                relative,
                f"{relative}/manifest-sha256.txt is not the manifest that seal signed.",
            )
            continue
        lost = [
            line.path
            for line in parse_manifest(old_manifest.decode("utf-8", "replace"))
            if manifest.get(line.path) != line.digest
        ]
        replaced = _derived_replaced_after(custody, relative, lost, manifest)
        for path in sorted(replaced):
            report.add(
                INFO,
                "earlier-seal-derived-replaced",
                path,
                f"{path} (a derived file, not evidence) was regenerated after the earlier seal in "
                f"{relative}; the custody log records the new version.",
            )
        lost = [path for path in lost if path not in replaced]
        for path in lost:
            report.add(
                ERROR,
                "earlier-seal-evidence-changed",
                path,
                f"{path} was covered by the earlier seal in {relative} but is now missing or different.",
            )
        if old_entries.get(layout.CUSTODY_JSONL) not in prefix_hashes:
            report.add(
                ERROR,
                "earlier-seal-log-changed",
                relative,
                f"The custody log no longer begins with the log that the earlier seal in {relative} covered.",
            )
        if not problems and not lost:
            fp = hashlib.sha256(old_tags).hexdigest()
            report.add(
                INFO,
                "earlier-seal-ok",
                relative,
                f"Earlier seal {fp[:16]}… is valid and everything it covered is unchanged.",
            )


# What reopen keeps in seal/history/N/: the seal's files and tokens, and the three tag files it signed.
_HISTORY_TAG_FILES = frozenset({layout.TAGMANIFEST, layout.MANIFEST, layout.BAG_INFO_TXT})


def _history_extra_files(bag: BagView, report: VerifyReport) -> None:
    from evidencekit.case.seal_check import DESKTOP_LEFTOVERS
    from evidencekit.case.seal_record import SEAL_FILE_NAMES, TIMESTAMP_FILE

    prefix = layout.SEAL_HISTORY_DIR + "/"
    for path in bag.files_under(layout.SEAL_HISTORY_DIR):
        folder, _, name = path[len(prefix) :].rpartition("/")
        if name in DESKTOP_LEFTOVERS:
            continue
        kept = folder.isdigit() and "/" not in folder
        if kept and (name in SEAL_FILE_NAMES or name in _HISTORY_TAG_FILES or TIMESTAMP_FILE.match(name)):
            continue
        report.add(
            WARNING,
            "earlier-seal-extra-file",
            path,
            f"{path} is not a file that reopening keeps with an earlier seal; no signature covers it.",
        )


def _sealed_entry_for(entries: list[dict[str, Any]], folder: str) -> tuple[dict[str, Any] | None, set[str]]:
    """The "sealed" custody entry of the seal that reopening kept in `folder`, and the ids of the
    items captured before it (the items that seal covered)."""
    sealed: dict[str, Any] | None = None
    captured: set[str] = set()
    covered: set[str] = set()
    for entry in entries:
        action = entry.get("action")
        raw = entry.get("details")
        details: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if action == "item-captured":
            captured.add(str(details.get("item")))
        elif action == "sealed":
            sealed, covered = entry, set(captured)
        elif action == "reopened" and details.get("kept_in") == folder:
            return sealed, covered
    return None, set()


def _check_history_files(
    bag: BagView,
    report: VerifyReport,
    folder: str,
    old_tags: bytes,
    old_entries: dict[str, str],
    entries: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> list[tuple[str, str, str]]:
    """The files kept beside an earlier seal's signature: bag-info.txt as it signed it, and
    seal.json and VERIFY.txt rebuilt, as seal_check does for the current seal."""
    from evidencekit.case.seal_check import check_seal_files

    problems: list[tuple[str, str, str]] = []
    bag_info = _read_bytes(bag, f"{folder}/{layout.BAG_INFO_TXT}")
    if bag_info is None or hashlib.sha256(bag_info).hexdigest() != old_entries.get(layout.BAG_INFO_TXT):
        problems.append(
            (ERROR, "earlier-seal-invalid", f"{folder}/bag-info.txt is not the one that seal signed.")
        )
    sealed, covered = _sealed_entry_for(entries, folder)
    if sealed is None:
        problems.append(
            (
                ERROR,
                "earlier-seal-invalid",
                f"the custody log has no “sealed” entry for the seal kept in {folder}.",
            )
        )
    else:
        old_manifest = _read_bytes(bag, f"{folder}/{layout.MANIFEST}") or b""
        old_items = None if items is None else [i for i in items if str(i.get("id")) in covered]
        found, _info = check_seal_files(
            bag, sealed, case_json, old_items, old_tags, TOOL, folder=folder, manifest=old_manifest
        )
        for severity, code, _path, message in found:
            if severity == ERROR:
                problems.append((ERROR, "earlier-seal-invalid", f"{message} ({code})"))
            elif severity == WARNING:
                report.add(severity, code, folder, message)
    for _severity, _code, message in problems:
        report.add(ERROR, "earlier-seal-invalid", folder, f"Earlier seal in {folder}: {message}")
    return problems


def _check_signing_keys(report: VerifyReport, entries: list[dict[str, Any]]) -> None:
    """A case sealed again with another key: the new seal proves the case is unchanged since it
    was made, but not that the person who made the first seal made this one. Say so plainly."""
    keys = [
        str((entry.get("details") or {}).get("signer_key_fingerprint"))
        for entry in entries
        if entry.get("action") == "sealed" and isinstance(entry.get("details"), dict)
    ]
    for earlier, later in itertools.pairwise(keys):
        if earlier != later:
            report.add(
                WARNING,
                "seal-key-changed",
                layout.SEAL_DIR,
                f"The case was reopened and sealed again with a different signing key: the earlier seal "
                f"used key {earlier}, the later one key {later}. The signature shows the case is unchanged "
                "since the later seal, not who made it: compare the fingerprint you were given, and ask "
                "whoever sealed the case why the key changed.",
            )


def _derived_replaced_after(
    custody: bytes, history_folder: str, paths: list[str], manifest: dict[str, str]
) -> set[str]:
    """Derived files (under data/derived/) that an earlier seal covered and that a later, logged
    command replaced: the command's custody entry lists the path and new SHA-256 in
    `details.files`, after the `reopened` entry that kept that seal in `history_folder`."""
    derived = [p for p in paths if p.startswith(layout.DERIVED_DIR + "/") and p in manifest]
    if not derived:
        return set()
    try:
        entries = loads_lines(custody.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return set()
    logged: set[tuple[str, str]] = set()
    after = False
    for entry in entries:
        details = entry.get("details") or {}
        if entry.get("action") == "reopened" and details.get("kept_in") == history_folder:
            after = True
        elif after:
            for file in details.get("files") or []:
                if isinstance(file, dict):
                    logged.add((str(file.get("path")), str(file.get("sha256"))))
    return {p for p in derived if (p, manifest[p]) in logged}


def _prefix_hashes(data: bytes) -> set[str]:
    """SHA-256 of every prefix of the log that ends at a line break."""
    out = set()
    hasher = hashlib.sha256()
    for line in data.splitlines(keepends=True):
        hasher.update(line)
        out.add(hasher.copy().hexdigest())
    return out


def _check_extras(bag: BagView, report: VerifyReport) -> None:
    for entry in bag.top_level():
        if entry in _KNOWN_AT_ROOT or entry in _IGNORED_AT_ROOT:
            continue
        if entry.startswith(".ek-tmp-"):
            report.add(
                WARNING,
                "leftover-temp-file",
                entry,
                f"{entry} is a leftover temporary file from an interrupted command; "
                "it is not part of the case.",
            )
            continue
        report.add(
            WARNING,
            "extra-file",
            entry,
            f"{entry} is not part of the case (BagIt allows extra files; it is not covered by any manifest).",
        )


def _check_links(bag: BagView, report: VerifyReport) -> None:
    """Links and special files outside data/ (data/ has its own codes): never followed or opened."""
    for path, kind in bag.links_and_specials():
        if kind == "link":
            report.add(
                ERROR,
                "case-link",
                path,
                f"{path} is a symbolic link; a case holds only real files and folders, and evidencekit "
                "never follows a link inside one (what it points to was not checked).",
            )
        else:
            report.add(
                ERROR,
                "case-special-file",
                path,
                f"{path} is not a regular file or folder (a FIFO, socket or device); it was not opened.",
            )


# ---- checks contributed by other parts of evidencekit --------------------------------------------
#
# Each is called as check(root, report). They are imported when called, not when verify is imported
# (verify imports little, see evidencekit/_lazy.py; several of them import verify, too), but by a
# plain import statement: a check that cannot be imported or that fails is a `check-failed` error,
# never skipped in silence. A check that can also run on a bag read from an encrypted archive (no
# folder on disk) has `bag_view = True` and accepts a `BagView` too; the others run after `open`.

ExtraCheck = Callable[[Any, VerifyReport], None]


def _part(name: str, words: str, bag_view: bool = False) -> Callable[[ExtraCheck], ExtraCheck]:
    """`name` is the part of evidencekit the check comes from; `words` says in plain words what
    it checks, for the sentences that tell a person what was not checked."""

    def mark(check: ExtraCheck) -> ExtraCheck:
        check.part = name  # type: ignore[attr-defined]
        check.words = words  # type: ignore[attr-defined]
        check.bag_view = bag_view  # type: ignore[attr-defined]
        return check

    return mark


@_part("story", "the story records (accounts, payments, notes and actions)")
def _story_records(root: Any, report: VerifyReport) -> None:
    from evidencekit.story.checks import check_story_records

    check_story_records(root, report)


@_part("report", "the report files")
def _report_files(root: Any, report: VerifyReport) -> None:
    from evidencekit.report.checks import check_report_files

    check_report_files(root, report)


@_part("web", "the web captures")
def _web_captures(root: Any, report: VerifyReport) -> None:
    from evidencekit.web.warccheck import check_web_captures

    check_web_captures(root, report)


@_part("exports", "the chat transcripts")
def _transcripts(root: Any, report: VerifyReport) -> None:
    from evidencekit.exports.checks import check_transcripts

    check_transcripts(root, report)


@_part("guide", "the under-18 safeguard")
def _under_18(root: Any, report: VerifyReport) -> None:
    from evidencekit.guide.checks import check_under_18

    check_under_18(root, report)


@_part("handover.timestamp", "the trusted timestamps", bag_view=True)
def check_seal_timestamps(root: Any, report: VerifyReport) -> None:
    """The RFC 3161 tokens on the seal (handover/timestamp.py); runs on an archive stream too."""
    from evidencekit.handover.timestamp import check_timestamps

    check_timestamps(root, report)


EXTRA_CHECKS: list[ExtraCheck] = [
    _story_records,
    _report_files,
    _web_captures,
    _transcripts,
    _under_18,
    check_seal_timestamps,
]


def _run_extra(check: ExtraCheck, root: Any, report: VerifyReport) -> None:
    """Run one check; if it cannot run, that is itself a finding (Ctrl-C still stops verify)."""
    try:
        check(root, report)
    except Exception as exc:  # noqa: BLE001 - any failure of a check must show in the verdict
        part = getattr(check, "words", getattr(check, "__name__", "a check"))
        report.add(
            ERROR,
            "check-failed",
            None,
            f"The check of {part} could not run ({type(exc).__name__}: {exc}), so that part of the case "
            "was not checked.",
        )


__all__ = [
    "BagView",
    "Finding",
    "FolderView",
    "VerifyReport",
    "as_bag_view",
    "check_seal_timestamps",
    "check_signature_folder",
    "verify_bag",
    "verify_case",
]
