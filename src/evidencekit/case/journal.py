"""All-or-nothing changes to a case folder: stage, commit, and recover after a crash.

A command never edits the case in place. It writes every new or changed file (payload copies, the
records, both manifests, bag-info.txt, seal files) into `.evidencekit-txn/`, flushes them to disk,
and writes a `COMMIT` list of renames. Only then are the files renamed into place, payload first and
the tag manifest last. Killed before `COMMIT` exists, the staged files are discarded on the next
open; killed after, the renames are finished on the next open (they are idempotent). Either way
no item is ever half-added and no record points at a missing file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from evidencekit.case import layout, safepath, withdraw
from evidencekit.case.atomic import (
    atomic_write_text,
    fsync_dir,
    write_bytes_durably,
)
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.layout import TXN_DIR
from evidencekit.case.libc import linux_libc
from evidencekit.errors import EvidenceKitError, InterruptedAfterSaving

COMMIT_FILE = "COMMIT"
COMMIT_PATH = f"{TXN_DIR}/{COMMIT_FILE}"
# A COMMIT list of 10,000 captured files is under a megabyte; this is far beyond any real one.
MAX_COMMIT_BYTES = 256 << 20

# What a change may rename, and to where. Sources are our own staging names, or (when a reopen
# keeps the old seal) a seal file; finals are the places a case keeps things, never the staging
# folder or the lock.
_STAGED = re.compile(r"\A" + re.escape(TXN_DIR) + r"/[0-9]{6}\Z")
_SEAL_FILE = re.compile(r"\Aseal/[^/]+\Z")
_SEAL_KEPT = re.compile(r"\Aseal/history/[0-9]{1,6}/[^/]+\Z")
_TAG_FILES = frozenset({layout.BAGIT_TXT, layout.BAG_INFO_TXT, layout.MANIFEST, layout.TAGMANIFEST})
_FINAL_AREAS = (f"{layout.DATA_DIR}/", f"{layout.RECORDS_DIR}/", f"{layout.SEAL_DIR}/")


class JournalDamagedError(EvidenceKitError):
    """The record of an interrupted change cannot be carried out as it is."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"This case holds an unfinished change that evidencekit will not complete ({why}).",
            hint="The case may have been changed outside evidencekit. Nothing was changed. "
            "Run: evidencekit verify, to see what is there, and keep a copy of the folder as it is.",
        )


@dataclass(frozen=True)
class CommitPlan:
    """The renames of one change, each checked: (source, final), both case paths."""

    renames: tuple[tuple[str, str], ...]


def rename_problem(source: str, final: str) -> str | None:
    """Why a change may not rename `source` to `final`, or None when it may."""
    for path in (source, final):
        problem = safepath.path_problem(path)
        if problem is not None:
            return f"a path in it is not usable: {problem}"
    if _STAGED.match(source):
        allowed = final in _TAG_FILES or final.startswith(_FINAL_AREAS)
        if not allowed or final.startswith(f"{TXN_DIR}/"):
            return "it would put a file outside the places a case keeps files"
        return None
    if _SEAL_FILE.match(source) and _SEAL_KEPT.match(final):
        return None  # a reopen keeping the old seal in seal/history/N/
    if withdraw.rename_allowed(source, final):
        return None  # a derived file withdrawn: it waits in the staging folder, deleted at the end
    return "it would move a file that is not one of its own"


def parse_plan(data: bytes) -> CommitPlan:
    """The COMMIT file's text as a checked plan; JournalDamagedError for anything else."""
    try:
        raw: Any = parse_json(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise JournalDamagedError("its list of files cannot be read") from None
    renames = raw.get("renames") if isinstance(raw, dict) else None
    if not isinstance(renames, list):
        raise JournalDamagedError("its list of files is not a list")
    checked: list[tuple[str, str]] = []
    finals: set[str] = set()
    for pair in renames:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise JournalDamagedError("an entry in its list of files is not a pair of paths")
        source, final = pair
        problem = rename_problem(source, final)
        if problem is not None:
            raise JournalDamagedError(problem)
        if final in finals:
            raise JournalDamagedError("it names the same file twice")
        finals.add(final)
        checked.append((source, final))
    return CommitPlan(tuple(checked))


def read_plan(root: Path) -> CommitPlan:
    """The checked plan of the committed change waiting in `root`."""
    try:
        data = safepath.read_bytes(root, COMMIT_PATH, limit=MAX_COMMIT_BYTES)
    except safepath.UnsafeCasePathError as exc:
        raise JournalDamagedError(exc.message) from None
    return parse_plan(data)


@dataclass
class Journal:
    """The staged part of one change. Create with `Journal.begin(root)`."""

    root: Path
    stage: Path
    renames: list[tuple[str, str]] = field(default_factory=list)  # (source, final), root-relative
    _counter: int = 0

    @classmethod
    def begin(cls, root: Path) -> Journal:
        # Never through a link: a `.evidencekit-txn` planted as a link would put the staged
        # evidence and records somewhere else.
        stage = safepath.make_dirs(root, TXN_DIR)
        return cls(root=root, stage=stage)

    def _next_stage_name(self) -> str:
        self._counter += 1
        return f"{TXN_DIR}/{self._counter:06d}"

    def reserve(self, final: str) -> Path:
        """A path in the staging area where the caller writes what will become `final`.

        The caller creates the file (or a folder tree) there; commit moves it into place.
        """
        staged = self._next_stage_name()
        self.renames.append((staged, final))
        return self.root / staged

    def forget(self, final: str) -> None:
        """Un-stage what was reserved for `final` and delete it."""
        for pair in list(self.renames):
            if pair[1] == final:
                self.renames.remove(pair)
                staged = self.root / pair[0]
                if staged.is_dir() and not staged.is_symlink():
                    shutil.rmtree(staged, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        staged.unlink()

    def put(self, final: str, data: bytes) -> None:
        """Stage `data` as the new content of `final`."""
        write_bytes_durably(self.reserve(final), data)

    def move(self, source: str, final: str) -> None:
        """Move an existing file of the case to another place as part of this change."""
        self.renames.append((source, final))

    def commit(self) -> None:
        """Make the change durable and visible. After this returns the change is complete.

        From the moment the commit record exists the change is rolled forward, never back: Ctrl-C,
        SIGTERM or a closed terminal wait until the last rename is done (`signals_deferred`), and
        a SIGKILL or power cut leaves the record for the next command to finish."""
        _flush_tree(self.stage)
        for source, final in self.renames:  # our own plan must pass the rule recovery applies
            problem = rename_problem(source, final)
            if problem is not None:
                raise RuntimeError(f"a change of evidencekit's own is not valid ({problem})")
        with signals_deferred():
            self.write_commit_record()
            apply_commit(self.root)

    def write_commit_record(self) -> None:
        """The point of no return: once this file exists, recovery finishes the change."""
        atomic_write_text(self.stage / COMMIT_FILE, json.dumps({"renames": self.renames}))
        fsync_dir(self.stage)

    def abort(self) -> None:
        """Throw the staged files away, unless the change is already committed.

        Called when anything goes wrong inside a change. Before the commit record, the case is as
        it was. After it, some files may already be in place, so the change is finished instead;
        if even that fails, the record stays for the next command to finish."""
        if pending_state(self.root) == "committed":
            with signals_deferred(), contextlib.suppress(Exception):
                apply_commit(self.root)
            return
        discard(self.root)


def apply_commit(root: Path) -> None:
    """Carry out (or finish) a committed change. Safe to run any number of times.

    The plan is checked before anything is renamed (see `rename_problem`), and every folder a file
    goes into is made or checked without following links, so a hostile case cannot use recovery
    to write anywhere but inside itself."""
    plan = read_plan(root)
    touched: set[Path] = set()
    withdrawn: list[str] = []
    for source, final in plan.renames:
        withdrawal = withdraw.rename_allowed(source, final)
        if withdrawal:
            withdrawn.append(source)
        st = safepath.lstat_in_case(root, source)
        if st is None:
            continue  # already moved by an earlier, interrupted attempt
        if safepath.kind_of(st) not in ("file", "folder"):
            raise JournalDamagedError("it would move a link or a special file into the case")
        if withdrawal and safepath.kind_of(st) != "file":
            raise JournalDamagedError("it would withdraw a whole folder, not one derived file")
        parent, _, _name = final.rpartition("/")
        folder = safepath.make_dirs(root, parent) if parent else root
        target = safepath.parent_is_safe(root, final)
        os.replace(root / source, target)
        touched.add(folder)
        if withdrawal:
            touched.add((root / source).parent)
    for folder in touched:
        fsync_dir(folder)
    discard(root)
    for source in withdrawn:
        withdraw.prune_empty_folders(root, source)


def discard(root: Path) -> None:
    """Remove the staging folder (a link planted in its place is removed, never followed)."""
    stage = root / TXN_DIR
    try:
        st = os.lstat(stage)
    except FileNotFoundError:
        return
    if safepath.kind_of(st) == "folder":
        shutil.rmtree(stage, ignore_errors=True)  # never follows links inside it
    else:
        with contextlib.suppress(OSError):
            os.unlink(stage)
    fsync_dir(root)


def pending_state(root: Path) -> str | None:
    """'committed' (must be finished), 'uncommitted' (must be discarded), or None."""
    stage = safepath.lstat_in_case(root, TXN_DIR)
    if stage is None:
        return None
    if safepath.kind_of(stage) != "folder":
        return "uncommitted"  # not ours to follow: discarding removes it
    return "committed" if safepath.exists_in_case(root, COMMIT_PATH) else "uncommitted"


def recover(root: Path) -> str | None:
    """Finish or discard what an interrupted command left; say which, in words (or None)."""
    state = pending_state(root)
    if state == "committed":
        with signals_deferred():
            apply_commit(root)
        return "An earlier command was interrupted while saving; evidencekit finished saving it."
    if state == "uncommitted":
        discard(root)
        return (
            "An earlier command was interrupted before it saved anything; its unfinished files "
            "were removed. The case is as it was before that command."
        )
    return None


# Signals that would stop the process between two renames of a commit. SIGKILL cannot be caught:
# after it, the next command finishes the commit.
_DEFERRED = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name)
)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and a closed terminal until the block ends, then act on them.

    A commit must never stop half-way. Signals that arrive meanwhile are noted; when the block is
    done they take effect: Ctrl-C raises `InterruptedAfterSaving` (so the command can say that
    the change *was* saved), other signals are delivered again to their previous handler (by
    default ending the process, after the save). Python runs signal handlers only in the main
    thread; elsewhere the block simply runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in _DEFERRED:
            try:
                previous[signum] = signal.signal(signum, note)
            except (OSError, ValueError):  # not settable here
                continue
        yield
    finally:
        for signum, handler in previous.items():
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, handler)
    if received:
        _act_on(received[0], previous.get(received[0]))


def _act_on(signum: int, handler: Any) -> None:
    """Let a held signal take effect now that the commit is complete."""
    if signum == getattr(signal, "SIGINT", None) and handler in (signal.default_int_handler, None):
        raise InterruptedAfterSaving()
    if callable(handler):
        handler(signum, None)
        return
    if handler == signal.SIG_IGN:
        return
    os.kill(os.getpid(), signum)  # the default action (end the process), now that it is safe


def _flush_tree(stage: Path) -> None:
    """Flush every staged file and folder to disk before the commit record exists.

    Many files: one `syncfs` on Linux (see SYNCFS_MIN_FILES). Otherwise the fsyncs run on many
    threads at once: the file system then commits them together (ext4 and APFS group concurrent
    flushes into one journal commit), which is far cheaper than one after the other.
    """
    files: list[Path] = []
    folders: list[Path] = []
    for folder, _dirs, names in os.walk(stage):
        folders.append(Path(folder))
        files.extend(Path(folder) / name for name in names)
    if len(files) >= SYNCFS_MIN_FILES and _syncfs(stage):
        return
    if len(files) <= 4:
        for path in [*files, *folders]:
            _fsync_path(path)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="ek-fsync") as pool:
        list(pool.map(_fsync_path, files))
        list(pool.map(_fsync_path, folders))


# From this many staged files on, one syncfs (Linux) flushes them all far more cheaply than one
# fsync each (10,000 files: 0.08 s against 0.8 s here). It also waits for other programs' pending
# writes on the same disk, which is why small changes use per-file fsync.
SYNCFS_MIN_FILES = 256


def _syncfs(folder: Path) -> bool:
    """Linux's syncfs(2) on the file system holding `folder`; False where it is not available."""
    libc = linux_libc()
    if libc is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return bool(libc.syncfs(fd) == 0)  # a ctypes call: untyped
    except AttributeError:
        return False
    finally:
        os.close(fd)


def _fsync_path(path: Path) -> None:
    if path.is_dir():
        fsync_dir(path)
        return
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
