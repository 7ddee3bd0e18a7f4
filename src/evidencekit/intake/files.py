"""Capturing files and folders into a case.

Each path becomes one item: a file is copied to `data/items/E0001-<name>`, a folder keeps its tree
under `data/items/E0002-<name>/`. Copying and hashing happen in one pass; the source is only read.
Before anything is copied the whole input is checked (missing, unreadable, special files, symlinks
that leave a captured folder), so a capture either takes everything it was given or nothing.
A file already in the case (same SHA-256) is reported instead of stored twice. Sensitive items are
hashed where they are and recorded by reference, never copied.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.case import Case, CaseChange
from evidencekit.case.flags import under_18
from evidencekit.case.hashing import Digest, SourceChangedError, copy_and_hash
from evidencekit.case.names import (
    display_name,
    name_bytes,
    name_is_plain_utf8,
    safe_component,
    unique_component,
)
from evidencekit.clock import iso_utc
from evidencekit.errors import InputFileError, InvalidValueError
from evidencekit.exports.enrich import enrich_capture
from evidencekit.intake import filetype, safeguard
from evidencekit.intake.imagefacts import image_facts, looks_like_screenshot

KINDS = (
    "screenshot",
    "image",
    "video",
    "audio",
    "chat-export",
    "document",
    "folder",
    "url-capture",
    "other",
)
SMALL_FILE = 1 << 20

Enricher = Callable[[CaseChange, dict[str, Any], "Path | None", dict[str, Any]], list[str]]

# Functions that look at each newly captured item and may add facts to its record or derived files
# (e.g. a chat transcript under data/derived/<id>/), inside the same all-or-nothing change.
# Each is called as function(change, record, readable_path, options) and returns a list of
# warnings (sentences). `readable_path` is the stored copy, or the original for an item recorded
# by reference; `options` is the `enricher_options` given to capture() (e.g. how to read dates in a
# chat export). They are imported here, not looked up by name: the chat-export enricher also
# holds the under-18 guard for pictures inside exports, which must never be skipped silently.
# One that cannot run (part of evidencekit missing) is a warning; see `_enrich` for what then
# happens in an under-18 case.
CAPTURE_ENRICHERS: tuple[tuple[str, Enricher], ...] = (("a chat export", enrich_capture),)
_DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/rtf",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/vnd.ms-",
    "message/rfc822",
    "application/json",
    "application/xml",
    "text/",
)


@dataclass(frozen=True)
class CaptureProgress:
    """Progress of a capture: bytes done of total, and the file being read."""

    done_bytes: int
    total_bytes: int
    done_files: int
    total_files: int
    current: str


ProgressCallback = Callable[[CaptureProgress], None]


@dataclass(frozen=True)
class Skipped:
    """An entry of a captured folder that was left out, and why."""

    path: str
    reason: str


@dataclass
class CaptureResult:
    """What a capture did, for the CLI (and scripts) to report."""

    added: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source path, existing id)
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    recovered: str | None = None


@dataclass
class _Member:
    """One regular file to read: its source path and its path inside the item."""

    source: Path
    relative: str  # sanitised, '/'-separated, inside the item folder ('' for a single file)
    original_relative: str
    size: int
    symlink_target: str | None = None

    @property
    def named(self) -> bool:
        """The person named this file itself (not one found inside a folder they named)."""
        return self.relative == ""


@dataclass
class _Captured:
    """One path read into the staging area: its record, the payload files to list in the
    manifest, and where enrichers can read it (the staged copy, or the original if by reference)."""

    record: dict[str, Any]
    payload: dict[str, tuple[str, int]]  # bag path -> (sha256, size)
    readable: Path | None

    @property
    def fingerprint(self) -> str:
        return str(self.record.get("tree_sha256") or self.record["sha256"])


@dataclass
class _Plan:
    """One path given on the command line, checked and listed before any copying."""

    source: Path
    is_dir: bool
    members: list[_Member]
    skipped: list[Skipped]


# ---- checking the input ----------------------------------------------------------------------


def _describe(path: Path) -> str:
    return display_name(str(path))


def _check_readable(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except PermissionError:
        return "you do not have permission to read it"
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    return None


def _plan_file(path: Path, st: os.stat_result) -> _Plan:
    problem = _check_readable(path)
    if problem:
        raise InputFileError(
            f"evidencekit cannot read {_describe(path)}: {problem}.",
            hint="Check the file's permissions (or copy it somewhere you can read it) and try again.",
        )
    return _Plan(path, False, [_Member(path, "", path.name, st.st_size)], [])


def _plan_folder(root: Path, skip_problems: bool) -> _Plan:
    """List every file under `root`. Links inside it are never followed: each is a problem."""
    lexical_root = Path(os.path.abspath(root))
    members: list[_Member] = []
    problems: list[Skipped] = []

    def walk(folder: Path, relative: str, safe_relative: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Skipped(relative or ".", f"the folder cannot be read ({exc.strerror})"))
            return
        taken: set[str] = set()
        for entry in entries:
            original_rel = f"{relative}/{entry.name}" if relative else entry.name
            safe = unique_component(safe_component(entry.name), taken)
            safe_rel = f"{safe_relative}/{safe}" if safe_relative else safe
            path = Path(entry.path)
            symlink_target = None
            try:
                if entry.is_symlink():
                    problems.append(Skipped(original_rel, _link_reason(path, lexical_root)))
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                problems.append(Skipped(original_rel, f"it cannot be read ({exc.strerror})"))
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path, original_rel, safe_rel)
            elif stat.S_ISREG(st.st_mode):
                problem = _check_readable(path)
                if problem:
                    problems.append(Skipped(original_rel, problem))
                    continue
                members.append(_Member(path, safe_rel, original_rel, st.st_size, symlink_target))
            else:
                problems.append(Skipped(original_rel, "it is not a regular file (a device, pipe or socket)"))

    walk(root, "", "")
    if problems and not skip_problems:
        listed = "; ".join(f"{p.path}: {p.reason}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputFileError(
            f"Some things in the folder {_describe(root)} cannot be captured: {listed}{more}.",
            hint="Nothing was captured. Fix or remove those entries, or add --skip-problems to "
            "capture the rest (what was left out is recorded).",
        )
    return _Plan(root, True, members, problems)


_LINK_STEPS = 40  # as the operating systems allow


def _link_reason(link: Path, root: Path) -> str:
    """Why a link inside a captured folder was left out, in words.

    Links are never followed (one can point anywhere, or round in a loop): their text is only read
    (os.readlink, link by link, never opening what they point to) to say where they lead."""
    seen: set[str] = set()
    current = os.path.abspath(link)
    for _ in range(_LINK_STEPS):
        if current in seen:
            break
        seen.add(current)
        try:
            target = os.readlink(current)
        except OSError:  # not a link: the end of the chain
            return _link_end(Path(current), root)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
        if not _is_inside(Path(current), root):
            return "it is a shortcut (symlink) to something outside the folder"
    return "it is a shortcut (symlink) that goes round in a loop (it leads back to itself)"


def _link_end(end: Path, root: Path) -> str:
    try:
        st = os.lstat(end)
    except OSError:
        return "it is a shortcut (symlink) to something that is not there"
    if stat.S_ISDIR(st.st_mode):
        return "it is a shortcut (symlink) to a folder"
    shown = display_name(end.relative_to(root).as_posix())
    return (
        f"it is a shortcut (symlink) to “{shown}”; shortcuts are not followed, "
        "so that file is captured only under its own name"
    )


def _is_inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def plan_capture(paths: Sequence[Path], case_root: Path, skip_problems: bool) -> list[_Plan]:
    """Check every path before copying anything; raise a clear error for the first bad one."""
    if not paths:
        raise InputFileError(
            "No files or folders were given to capture.",
            hint="Name them after the command, for example: evidencekit capture screenshot.png",
        )
    real_case = case_root.resolve()
    plans = []
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise InputFileError(
                f"There is no file or folder at {_describe(path)}.",
                hint="Check the spelling of the path. "
                "Tip: drag the file into the terminal window to paste its path.",
            ) from None
        except PermissionError:
            raise InputFileError(
                f"evidencekit is not allowed to look at {_describe(path)}.",
                hint="Check the permissions of the folder it is in.",
            ) from None
        except OSError as exc:
            raise InputFileError(
                f"{_describe(path)} cannot be opened ({exc.strerror}).", hint="Check the path."
            ) from None
        real = path.resolve()
        if _is_inside(real, real_case) or _is_inside(real_case, real):
            raise InputFileError(
                f"{_describe(path)} is part of the case folder itself (or contains it).",
                hint="Capture files from outside the case folder.",
            )
        if stat.S_ISDIR(st.st_mode):
            plan = _plan_folder(path, skip_problems)
            if not plan.members and not skip_problems:
                raise _nothing_to_keep(plan, several=len(paths) > 1)
            plans.append(plan)
        elif stat.S_ISREG(st.st_mode):
            plans.append(_plan_file(path, st))
        else:
            raise InputFileError(
                f"{_describe(path)} is not a regular file or folder (it is a device, pipe or socket).",
                hint="Capture the files themselves.",
            )
    return plans


def _what_is_empty(plan: _Plan) -> str:
    """What a folder with no file to keep holds, as a verb phrase: "is an empty folder"…"""
    if plan.skipped:
        return "holds nothing that could be captured"
    try:
        with os.scandir(plan.source) as entries:
            has_folders = any(True for _ in entries)
    except OSError:
        has_folders = False
    return "holds only empty folders" if has_folders else "is an empty folder"


def _empty_reason(plan: _Plan) -> str:
    return f"it {_what_is_empty(plan)}, so there is nothing in it to keep"


def _nothing_to_keep(plan: _Plan, several: bool) -> InputFileError:
    """An empty folder is evidence of nothing, and a bag lists files only (so no BagIt tool, and
    no tar of the hand-over, keeps one): it would be an exhibit that vanishes when handed over."""
    hint = "Nothing was captured. Check that this is the folder you meant: the files may be in another one."
    if several:
        hint += " Leave it out, or add --skip-problems to capture the rest without it."
    return InputFileError(
        f"{_describe(plan.source)} {_what_is_empty(plan)}: there is nothing in it to keep.", hint=hint
    )


# ---- building records ------------------------------------------------------------------------


def _ns_to_iso(ns: int) -> str:
    return iso_utc(datetime.fromtimestamp(ns / 1e9, tz=timezone.utc))


def _md5_wanted(ftype: filetype.FileType, sensitive: bool) -> bool:
    """MD5 is what hash-matching services (StopNCII for video, police image databases) use, so it
    is computed for images, video and anything sensitive; elsewhere SHA-256 alone is enough."""
    return sensitive or (ftype.mime or "").startswith(("image/", "video/"))


def _classify(mime: str | None, name: str, facts: dict[str, Any] | None) -> str:
    if not mime:
        return "other"
    if mime.startswith("image/"):
        return "screenshot" if looks_like_screenshot(name, mime, facts) else "image"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith(_DOCUMENT_TYPES):
        return "document"
    return "other"


def _file_facts(digest: Digest, ftype: filetype.FileType, readable_copy: str | Path) -> dict[str, Any]:
    facts = None
    if ftype.mime and ftype.mime.startswith("image/"):
        facts = image_facts(Path(readable_copy))
    return {
        "size": digest.size,
        "sha256": digest.sha256,
        "md5": digest.md5,
        "mime": ftype.mime,
        "mime_description": ftype.description,
        "mime_by_extension": ftype.mime_by_extension,
        "mime_mismatch": ftype.mismatch,
        "image": facts,
        "source_mtime": _ns_to_iso(digest.mtime_ns),
        "source_ctime": _ns_to_iso(digest.ctime_ns),
    }


def _original_names(path: Path) -> dict[str, Any]:
    """The name as a person reads it, plus its exact bytes when they are not plain UTF-8."""
    absolute = str(path.absolute())
    out: dict[str, Any] = {
        "original_name": display_name(path.name),
        "source_path": display_name(absolute),
    }
    if not name_is_plain_utf8(absolute):
        out["source_path_bytes_hex"] = name_bytes(absolute).hex()
    return out


# ---- the capture -----------------------------------------------------------------------------


def capture(
    case: Case,
    paths: Sequence[Path],
    *,
    note: str | None = None,
    tags: Sequence[str] = (),
    sensitive: bool = False,
    kind: str | None = None,
    skip_problems: bool = False,
    progress: ProgressCallback | None = None,
    extra_fields: dict[str, Any] | None = None,
    enricher_options: dict[str, Any] | None = None,
    not_intimate: bool = False,
    sensitive_paths: Sequence[Path] = (),
) -> CaptureResult:
    """Capture files and folders into `case` as new items. All or nothing.

    `not_intimate` records the person's confirmation that the images show no nudity. In a case
    marked under-18, images and videos (also inside folders and archives) need it or `sensitive`:
    without either, UnderEighteenMediaError is raised before anything is copied.

    `sensitive_paths` are some of `paths` (or files inside them) to record by reference, as
    `sensitive` does for all. Bytes this case already records as sensitive (or marked so here)
    are never stored, wherever they turn up: alone, in a folder, or inside an archive.
    """
    if kind is not None and kind not in KINDS:
        raise InvalidValueError(
            f"“{kind}” is not a kind of item evidencekit knows.",
            hint="Use one of: " + ", ".join(KINDS) + ".",
        )
    if sensitive and not_intimate:
        raise InvalidValueError(
            "--sensitive and --not-intimate say opposite things about the same files.",
            hint="Use --sensitive if any of them could show nudity (nothing is copied), "
            "--not-intimate only if none of them does.",
        )
    clean_tags = _clean_tags(tags)
    result = CaptureResult()
    plans = plan_capture([Path(p) for p in paths], case.root, skip_problems)
    marked = _marked(sensitive_paths)
    if under_18(case) and not (sensitive or not_intimate):
        from evidencekit.intake.safeguard import UnderEighteenMediaError, media_in_plans

        found = media_in_plans(_unmarked(plans, marked))  # what is marked is not copied
        if found:
            raise UnderEighteenMediaError(found)
    if not_intimate:
        extra_fields = {**(extra_fields or {}), "not_intimate_confirmed": True}
    total_bytes = sum(m.size for plan in plans for m in plan.members)
    total_files = sum(len(plan.members) for plan in plans)
    counter = _Counter(total_bytes, total_files, progress)

    with case.change("capture") as change:
        result.recovered = change.recovered
        known = {item.get("sha256"): item["id"] for item in change.existing_items if item.get("sha256")}
        known.update(
            {item["tree_sha256"]: item["id"] for item in change.existing_items if item.get("tree_sha256")}
        )
        common = {
            "note": note,
            "tags": clean_tags,
            "sensitive": sensitive,
            "kind": kind,
            "extra": extra_fields or {},
        }
        shield = safeguard.SensitiveHashes.of_items(change.existing_items)
        if not sensitive:
            _remember_marked(plans, marked, shield)
        for plan in plans:
            if plan.is_dir and not plan.members:  # only with skip_problems: see plan_capture
                result.skipped.extend(plan.skipped)
                result.skipped.append(Skipped(display_name(str(plan.source)), _empty_reason(plan)))
                continue
            whole = sensitive or _is_marked(plan.source, marked)
            plan_common = {**common, "sensitive": whole}
            if plan.is_dir:
                captured = _capture_folder(change, plan, whole, counter, plan_common, shield, marked)
            else:
                captured = _capture_file(change, plan.members[0], whole, counter, plan_common, shield)
            record = captured.record
            if captured.fingerprint in known:
                result.duplicates.append((display_name(str(plan.source)), known[captured.fingerprint]))
                if record["bag_path"]:
                    change.discard_payload(record["bag_path"])
                if record.get("by_reference_reason"):
                    result.warnings.append(
                        f"{display_name(str(plan.source))} was not copied: {record['by_reference_reason']}."
                    )
                continue
            known[captured.fingerprint] = record["id"]
            enriched, all_ran = _run_enrichers(change, record, captured.readable, enricher_options or {})
            result.warnings.extend(enriched)
            if not all_ran and under_18(case) and not record.get("not_intimate_confirmed"):
                _keep_by_reference(change, record, captured, safeguard.ENRICHER_MISSING_UNDER_18)
            for relative, (digest, size) in captured.payload.items():
                change.add_payload(relative, digest, size)
            change.add_item(record)
            shield.add_item(record)
            change.log("item-captured", _custody_details(record))
            result.added.append(record)
            result.skipped.extend(plan.skipped)
            result.warnings.extend(_warnings_for(record))
    return result


class _Counter:
    """Progress across the threads that read a folder's files (updates are serialised)."""

    def __init__(self, total_bytes: int, total_files: int, callback: ProgressCallback | None) -> None:
        self.total_bytes, self.total_files, self.callback = total_bytes, total_files, callback
        self.done_bytes = self.done_files = 0
        self.current = ""
        self._lock = threading.Lock()

    def bytes(self, n: int) -> None:
        with self._lock:
            self.done_bytes += n
            self._emit()

    def file_done(self) -> None:
        with self._lock:
            self.done_files += 1
            self._emit()

    def _emit(self) -> None:
        if self.callback:
            self.callback(
                CaptureProgress(
                    self.done_bytes, self.total_bytes, self.done_files, self.total_files, self.current
                )
            )


def _read_one(
    source: str | Path,
    target: str | Path | None,
    sensitive: bool,
    progress: Callable[[int], None] | None = None,
    follow_links: bool = True,
) -> tuple[str, Digest | None, dict[str, Any] | None]:
    """Copy (or only hash) one file and describe it: ("ok", digest, facts), or a problem code.

    `follow_links=False` for the files of a captured folder: the listing left links out, and one
    swapped in after it ("changed") is not followed either. A file the person named is opened
    even through a link: that is the file they chose.

    Module-level and returning plain data, so worker processes can run it too. Paths may be plain
    strings: workers handle thousands of files, and a Path for each costs more than its copy."""
    seen: list[filetype.FileType] = []

    def inspect_head(head: bytes) -> bool:
        seen.append(filetype.detect(head, os.path.basename(source)))
        return _md5_wanted(seen[0], sensitive)

    if target is not None and os.path.lexists(target):
        os.unlink(target)  # a worker that died left a partial copy in the staging area: redo it
    try:
        digest = copy_and_hash(
            source, target, inspect_head=inspect_head, progress=progress, follow_links=follow_links
        )
    except SourceChangedError:
        return "changed", None, None
    except PermissionError:
        return "denied", None, None
    except FileNotFoundError:
        return "missing", None, None
    return "ok", digest, _file_facts(digest, seen[0], source if target is None else target)


def _read_chunk(
    jobs: list[tuple[str, str | None, bool, bool]],
) -> list[tuple[str, Digest | None, dict[str, Any] | None]]:
    """Worker process: `_read_one` for each (source, target, sensitive, follow_links)."""
    return [
        _read_one(source, target or None, sensitive, follow_links=follow)
        for source, target, sensitive, follow in jobs
    ]


def _refuse(code: str, source: Path) -> InputFileError:
    if code == "changed":
        return InputFileError(
            f"{_describe(source)} changed while evidencekit was reading it.",
            hint="It may still be downloading or syncing. Wait until it is complete, then capture "
            "it again. Nothing was captured.",
        )
    if code == "denied":
        return InputFileError(
            f"evidencekit cannot read {_describe(source)}: permission denied.",
            hint="Check the file's permissions and try again.",
        )
    return InputFileError(
        f"{_describe(source)} disappeared while evidencekit was reading it.",
        hint="Check that the file still exists (and the disk is connected), then try again.",
    )


def _read_member(
    member: _Member, target: Path | None, sensitive: bool, counter: _Counter
) -> tuple[Digest, dict[str, Any]]:
    """Copy (or only hash) one file in this process, with byte-level progress."""
    counter.current = display_name(member.original_relative)
    code, digest, facts = _read_one(
        member.source, target, sensitive, progress=counter.bytes, follow_links=member.named
    )
    if code != "ok" or digest is None or facts is None:
        raise _refuse(code, member.source)
    counter.file_done()
    return digest, facts


def _read_members_in_processes(
    members: list[_Member], staged_root: Path | None, sensitive: bool, counter: _Counter
) -> list[tuple[_Member, Digest, dict[str, Any]]]:
    """Many small files: one worker process per core (threads do not scale here: parallel.py)."""
    from evidencekit.case import parallel

    jobs = [
        (str(m.source), None if staged_root is None else str(staged_root / m.relative), sensitive, m.named)
        for m in members
    ]
    by_source = {str(m.source): m for m in members}

    def on_chunk(part: list[tuple[str, str | None, bool, bool]], results: list[Any]) -> None:
        for (source, *_rest), (_code, digest, _facts) in zip(part, results, strict=True):
            counter.current = display_name(by_source[source].original_relative)
            if digest is not None:
                counter.bytes(digest.size)
            counter.file_done()

    out = []
    for member, (code, digest, facts) in zip(
        members, parallel.map_chunks(_read_chunk, jobs, on_chunk=on_chunk), strict=True
    ):
        if code != "ok" or digest is None or facts is None:
            raise _refuse(code, member.source)
        out.append((member, digest, facts))
    return out


def _capture_file(
    change: CaseChange,
    member: _Member,
    sensitive: bool,
    counter: _Counter,
    common: dict[str, Any],
    shield: safeguard.SensitiveHashes,
) -> _Captured:
    item_id = change.next_item_id()
    safe = safe_component(member.source.name)
    bag_path = f"{layout.ITEMS_DIR}/{item_id}-{safe}"
    withheld = None if sensitive else _withheld(member, shield, frozenset(), counter)
    if withheld is not None:
        sensitive = True
        common = {**common, "sensitive": True}
        digest, facts, reason = withheld
        target = None
    else:
        reason = None
        target = None if sensitive else change.reserve_payload(bag_path)
        digest, facts = _read_member(member, target, sensitive, counter)
    record = _base_record(change, item_id, member.source, common)
    record.update(facts)
    if reason:
        record["by_reference_reason"] = reason
    record["kind"] = common["kind"] or _classify(facts["mime"], member.source.name, facts["image"])
    record["bag_path"] = None if sensitive else bag_path
    record["stored_name_changed"] = (not sensitive) and safe != member.source.name
    payload = {} if sensitive else {bag_path: (digest.sha256, digest.size)}
    return _Captured(record, payload, member.source if sensitive else target)


def _capture_folder(
    change: CaseChange,
    plan: _Plan,
    sensitive: bool,
    counter: _Counter,
    common: dict[str, Any],
    shield: safeguard.SensitiveHashes,
    marked: frozenset[str],
) -> _Captured:
    item_id = change.next_item_id()
    safe = safe_component(plan.source.name, fallback="folder")
    bag_path = f"{layout.ITEMS_DIR}/{item_id}-{safe}"
    withheld: list[tuple[_Member, Digest, dict[str, Any], str]] = []
    to_read = plan.members
    whole_reason = None
    if not sensitive:
        for member in plan.members:
            found = _withheld(member, shield, marked, counter)
            if found is not None:
                withheld.append((member, *found))
        if withheld and len(withheld) == len(plan.members):  # nothing left to store
            sensitive, whole_reason, withheld = True, withheld[0][3], []
            common = {**common, "sensitive": True}
            counter = _Counter(0, 0, None)  # already counted while hashing
        elif withheld:
            held = {id(w[0]) for w in withheld}
            to_read = [m for m in plan.members if id(m) not in held]
    staged_root = None if sensitive else change.reserve_payload(bag_path)
    if staged_root is not None:
        staged_root.mkdir(mode=0o700)
        folders = sorted({str(Path(m.relative).parent) for m in to_read} - {"."})
        for folder in folders:  # parents sort before children
            (staged_root / folder).mkdir(mode=0o700, parents=True, exist_ok=True)

    def read(member: _Member) -> tuple[_Member, Digest, dict[str, Any]]:
        target = None if staged_root is None else staged_root / member.relative
        digest, facts = _read_member(member, target, sensitive, counter)
        return member, digest, facts

    # Many small files: worker processes; a few: threads. Large files are pipelined inside
    # copy_and_hash (reading, hashing and writing overlap on threads).
    from evidencekit.case import parallel

    small = [m for m in to_read if m.size <= SMALL_FILE]
    large = [m for m in to_read if m.size > SMALL_FILE]
    results: list[tuple[_Member, Digest, dict[str, Any]]] = []
    if parallel.worth_processes(len(small)):
        results.extend(_read_members_in_processes(small, staged_root, sensitive, counter))
    else:
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
            results.extend(pool.map(read, small))
    results.extend(read(m) for m in large)
    results.sort(key=lambda r: r[0].relative)

    files = []
    payload = {}
    for member, digest, facts in results:
        entry = {
            "path": member.relative,
            "original_path": display_name(member.original_relative),
            "size": digest.size,
            "sha256": digest.sha256,
            "md5": digest.md5,
            "mime": facts["mime"],
            "mime_mismatch": facts["mime_mismatch"],
            "source_mtime": facts["source_mtime"],
        }
        if member.symlink_target is not None:
            entry["symlink_target"] = display_name(member.symlink_target)
        if facts["image"]:
            entry["image"] = facts["image"]
        files.append(entry)
        if staged_root is not None:
            payload[f"{bag_path}/{member.relative}"] = (digest.sha256, digest.size)

    tree = hashlib.sha256("".join(f"{f['sha256']}  {f['path']}\n" for f in files).encode("utf-8"))
    record = _base_record(change, item_id, plan.source, common)
    st = plan.source.stat()
    record.update(
        {
            "kind": common["kind"] or "folder",
            "size": sum(f["size"] for f in files),
            "sha256": None,
            "md5": None,
            "tree_sha256": tree.hexdigest(),
            "file_count": len(files),
            "files": files,
            "skipped": [{"path": s.path, "reason": s.reason} for s in plan.skipped],
            "mime": "inode/directory",
            "source_mtime": _ns_to_iso(st.st_mtime_ns),
            "bag_path": None if sensitive else bag_path,
        }
    )
    if withheld:
        record["withheld_files"] = [_withheld_entry(*w) for w in withheld]
    if whole_reason:
        record["by_reference_reason"] = whole_reason
    return _Captured(record, payload, plan.source if sensitive else staged_root)


def _withheld_entry(member: _Member, digest: Digest, facts: dict[str, Any], reason: str) -> dict[str, Any]:
    """A file of a captured folder that was not copied, because its bytes are sensitive: its
    hashes say what it was, and `reason` why it is not in the case."""
    return {
        "path": member.relative,
        "original_path": display_name(member.original_relative),
        "size": digest.size,
        "sha256": digest.sha256,
        "md5": digest.md5,
        "mime": facts["mime"],
        "source_mtime": facts["source_mtime"],
        "by_reference": True,
        "reason": reason,
    }


# ---- sensitive bytes are never stored --------------------------------------------------------


def _marked(paths: Sequence[Path]) -> frozenset[str]:
    return frozenset(os.path.abspath(p) for p in paths)


def _is_marked(path: Path, marked: frozenset[str]) -> bool:
    """Whether `path` is one of the paths marked sensitive, or inside one of them."""
    if not marked:
        return False
    current = os.path.abspath(path)
    while True:
        if current in marked:
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def _unmarked(plans: list[_Plan], marked: frozenset[str]) -> list[_Plan]:
    """The plans without what was marked sensitive (for the under-18 question: those files are
    recorded by reference, so they need no answer)."""
    if not marked:
        return plans
    return [
        dataclasses.replace(plan, members=[m for m in plan.members if not _is_marked(m.source, marked)])
        for plan in plans
        if not _is_marked(plan.source, marked)
    ]


def _hash_only(member: _Member) -> tuple[Digest, dict[str, Any]]:
    """Read a file without copying it: its hashes (MD5 too, as for anything sensitive) and facts."""
    code, digest, facts = _read_one(member.source, None, True, follow_links=member.named)
    if code != "ok" or digest is None or facts is None:
        raise _refuse(code, member.source)
    return digest, facts


def _remember_marked(plans: list[_Plan], marked: frozenset[str], shield: safeguard.SensitiveHashes) -> None:
    """Hash the files marked sensitive in this capture first, so that the same bytes elsewhere in
    it (a folder holding the same photo twice) are not copied either, whatever the order."""
    if not marked:
        return
    for plan in plans:
        for member in plan.members:
            if _is_marked(member.source, marked):
                digest, _facts = _hash_only(member)
                shown = display_name(str(member.source))
                shield.add(digest.sha256, digest.size, safeguard.SensitiveItem("", shown, marked_now=True))


def _withheld(
    member: _Member, shield: safeguard.SensitiveHashes, marked: frozenset[str], counter: _Counter
) -> tuple[Digest, dict[str, Any], str] | None:
    """(hashes, facts, why) when `member` must not be copied: it was marked sensitive, its bytes
    are known sensitive (`SensitiveHashes.reason`), or it is an archive holding such bytes.

    Only files of a sensitive file's exact size are hashed first (then read again to be copied),
    and archives are looked into only when the case holds anything sensitive."""
    reason = safeguard.MARKED_NOW if _is_marked(member.source, marked) else None
    found: tuple[Digest, dict[str, Any]] | None = None
    if reason is None and shield and member.size in shield.sizes:
        found = _hash_only(member)
        reason = shield.reason(found[0].sha256)
    if reason is None and shield:
        inside = safeguard.sensitive_inside_archive(member.source, shield)
        if inside is not None:
            reason = f"“{inside[0]}” inside it: {inside[1]}"
    if reason is None:
        return None
    digest, facts = found or _hash_only(member)
    counter.bytes(digest.size)
    counter.file_done()
    return digest, facts, reason


def _keep_by_reference(change: CaseChange, record: dict[str, Any], captured: _Captured, reason: str) -> None:
    """Turn a staged item into one recorded by reference: nothing of it is stored."""
    if record.get("bag_path"):
        change.discard_payload(record["bag_path"])
    captured.payload.clear()
    record.update(bag_path=None, by_reference=True, sensitive=True, stored_name_changed=False)
    record["by_reference_reason"] = reason


def _enrich(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """The enrichers' warnings (intake.screen's use: a screen capture in an under-18 case needs
    the no-nudity confirmation before it starts, so nothing is left to fail closed on)."""
    return _run_enrichers(change, record, readable, options)[0]


def _run_enrichers(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> tuple[list[str], bool]:
    """Run every enricher: (warnings, whether all of them could run).

    One that cannot run because part of evidencekit is missing (an ImportError) does not stop the
    capture, but says so; in an under-18 case the caller then keeps the item by reference, since
    the guard for pictures inside exports could not look."""
    warnings: list[str] = []
    all_ran = True
    for what, enricher in CAPTURE_ENRICHERS:
        try:
            warnings.extend(enricher(change, record, readable, options) or [])
        except ImportError as exc:
            all_ran = False
            missing = exc.name or str(exc)
            warnings.append(
                f"{record['id']} “{record.get('original_name')}” was kept, but evidencekit could not "
                f"look at it as {what}, because part of evidencekit is missing ({missing}). "
                "Reinstalling evidencekit fixes this."
            )
    return warnings, all_ran


def _base_record(change: CaseChange, item_id: str, source: Path, common: dict[str, Any]) -> dict[str, Any]:
    now = change.now()
    record: dict[str, Any] = {"id": item_id}
    record.update(_original_names(source))
    record.update(
        {
            "captured_at": iso_utc(now),
            "captured_at_local": change.case.local_time(now),
            "captured_by": change.actor,
            "note": common["note"],
            "tags": common["tags"],
            "sensitive": common["sensitive"],
            "by_reference": common["sensitive"],
        }
    )
    record.update(common["extra"])
    return record


def _custody_details(record: dict[str, Any]) -> dict[str, Any]:
    details = {
        "item": record["id"],
        "kind": record["kind"],
        "original_name": record["original_name"],
        "size": record["size"],
        "by_reference": record["by_reference"],
    }
    if record.get("sha256"):
        details["sha256"] = record["sha256"]
    if record.get("tree_sha256"):
        details["tree_sha256"] = record["tree_sha256"]
        details["file_count"] = record["file_count"]
    if record.get("not_intimate_confirmed"):
        details["not_intimate_confirmed"] = True
    return details


def _warnings_for(record: dict[str, Any]) -> list[str]:
    warnings = []
    name = record["original_name"]
    if record.get("mime_mismatch"):
        warnings.append(
            f"{record['id']} “{name}” is named like {record['mime_by_extension']} but its content is "
            f"{record['mime']}. It was stored exactly as it is, and the difference is recorded."
        )
    if record.get("size") == 0 and record.get("kind") != "folder":
        warnings.append(f"{record['id']} “{name}” is empty (0 bytes). It was recorded as it is.")
    if record.get("stored_name_changed"):
        stored = record["bag_path"].rsplit("/", 1)[-1]
        warnings.append(
            f"{record['id']} “{name}” is stored as “{stored}” so every tool can read the name; "
            "the original name is kept in the record."
        )
    mismatched = [entry for entry in record.get("files") or [] if entry.get("mime_mismatch")]
    if len(mismatched) == 1:
        entry = mismatched[0]
        warnings.append(
            f"{record['id']}: “{entry['original_path']}” has content of type {entry['mime']} "
            "that does not match its name. It was stored exactly as it is."
        )
    elif mismatched:  # one sentence for a whole folder, not a screenful
        shown = ", ".join(f"“{e['original_path']}” ({e['mime']})" for e in mismatched[:3])
        warnings.append(
            f"{record['id']}: {len(mismatched)} files have content that does not match their names, "
            f"for example {shown}. They were stored exactly as they are; each is marked in the record."
        )
    if record.get("by_reference_reason"):
        warnings.append(f"{record['id']} “{name}” was not copied: {record['by_reference_reason']}.")
    held = record.get("withheld_files") or []
    if held:
        shown = "; ".join(f"“{e['original_path']}”: {e['reason']}" for e in held[:3])
        more = f" (and {len(held) - 3} more)" if len(held) > 3 else ""
        warnings.append(f"{record['id']}: {len(held)} file(s) in it were not copied: {shown}{more}.")
    if record.get("mime") is None and record.get("kind") != "folder":
        warnings.append(
            "File types could not be checked because libmagic is not installed "
            "(on Debian/Ubuntu: apt-get install libmagic1)."
        )
    return warnings


def _clean_tags(tags: Sequence[str]) -> list[str]:
    clean = []
    for tag in tags:
        text = " ".join(tag.split())
        if not text:
            raise InvalidValueError("A tag cannot be empty.", hint="Use --tag WORD, e.g. --tag threats")
        if text not in clean:
            clean.append(text)
    return clean
