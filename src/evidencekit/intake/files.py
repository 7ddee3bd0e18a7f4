"""Capturing files and folders into a case.

Each path becomes one item: a file is copied to `data/items/E0001-<name>`, a folder keeps its tree
under `data/items/E0002-<name>/`. Copying and hashing happen in one pass; the source is only read.
Before anything is copied the whole input is checked (missing, unreadable, special files, symlinks
that leave a captured folder), so a capture either takes everything it was given or nothing.
A file already in the case (same SHA-256) is reported instead of stored twice. Sensitive items are
hashed where they are and recorded by reference, never copied.

The jobs are in modules of their own: `plan` checks and lists the input, `reading` copies and
hashes, `item_record` builds the records and the messages, `enrichers` runs what looks at each new
item (a chat export's transcript and picture guard, …). This module puts them together, inside one
all-or-nothing change of the case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.case import Case, CaseChange
from evidencekit.case.flags import under_18
from evidencekit.case.hashing import Digest
from evidencekit.case.names import display_name, safe_component
from evidencekit.errors import InvalidValueError
from evidencekit.intake import safeguard
from evidencekit.intake.enrichers import run_enrichers
from evidencekit.intake.item_record import (
    KINDS,
    base_record,
    classify,
    clean_tags,
    custody_details,
    warnings_for,
    withheld_entry,
)
from evidencekit.intake.plan import (
    Member,
    Plan,
    Skipped,
    empty_reason,
    is_marked,
    marked_paths,
    plan_capture,
    unmarked,
)
from evidencekit.intake.reading import (
    CaptureProgress,
    ProgressCallback,
    ProgressCounter,
    hash_only,
    ns_to_iso,
    read_member,
    read_members,
)

__all__ = ["KINDS", "CaptureProgress", "CaptureResult", "Skipped", "capture", "plan_capture"]


@dataclass
class CaptureResult:
    """What a capture did, for the CLI (and scripts) to report."""

    added: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source path, existing id)
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    recovered: str | None = None


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
    tidy_tags = clean_tags(tags)
    result = CaptureResult()
    plans = plan_capture([Path(p) for p in paths], case.root, skip_problems)
    marked = marked_paths(sensitive_paths)
    if under_18(case) and not (sensitive or not_intimate):
        from evidencekit.intake.safeguard import UnderEighteenMediaError, media_in_plans

        found = media_in_plans(unmarked(plans, marked))  # what is marked is not copied
        if found:
            raise UnderEighteenMediaError(found)
    if not_intimate:
        extra_fields = {**(extra_fields or {}), "not_intimate_confirmed": True}
    total_bytes = sum(m.size for plan in plans for m in plan.members)
    total_files = sum(len(plan.members) for plan in plans)
    counter = ProgressCounter(total_bytes, total_files, progress)

    with case.change("capture") as change:
        result.recovered = change.recovered
        known = {item.get("sha256"): item["id"] for item in change.existing_items if item.get("sha256")}
        known.update(
            {item["tree_sha256"]: item["id"] for item in change.existing_items if item.get("tree_sha256")}
        )
        common = {
            "note": note,
            "tags": tidy_tags,
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
                result.skipped.append(Skipped(display_name(str(plan.source)), empty_reason(plan)))
                continue
            whole = sensitive or is_marked(plan.source, marked)
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
            enriched, all_ran = run_enrichers(change, record, captured.readable, enricher_options or {})
            result.warnings.extend(enriched)
            if not all_ran and under_18(case) and not record.get("not_intimate_confirmed"):
                _keep_by_reference(change, record, captured, safeguard.ENRICHER_MISSING_UNDER_18)
            for relative, (digest, size) in captured.payload.items():
                change.add_payload(relative, digest, size)
            change.add_item(record)
            shield.add_item(record)
            change.log("item-captured", custody_details(record))
            result.added.append(record)
            result.skipped.extend(plan.skipped)
            result.warnings.extend(warnings_for(record))
    return result


def _capture_file(
    change: CaseChange,
    member: Member,
    sensitive: bool,
    counter: ProgressCounter,
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
        digest, facts = read_member(member, target, sensitive, counter)
    record = base_record(change, item_id, member.source, common)
    record.update(facts)
    if reason:
        record["by_reference_reason"] = reason
    record["kind"] = common["kind"] or classify(facts["mime"], member.source.name, facts["image"])
    record["bag_path"] = None if sensitive else bag_path
    record["stored_name_changed"] = (not sensitive) and safe != member.source.name
    payload = {} if sensitive else {bag_path: (digest.sha256, digest.size)}
    return _Captured(record, payload, member.source if sensitive else target)


def _capture_folder(
    change: CaseChange,
    plan: Plan,
    sensitive: bool,
    counter: ProgressCounter,
    common: dict[str, Any],
    shield: safeguard.SensitiveHashes,
    marked: frozenset[str],
) -> _Captured:
    item_id = change.next_item_id()
    safe = safe_component(plan.source.name, fallback="folder")
    bag_path = f"{layout.ITEMS_DIR}/{item_id}-{safe}"
    withheld: list[tuple[Member, Digest, dict[str, Any], str]] = []
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
            counter = ProgressCounter(0, 0, None)  # already counted while hashing
        elif withheld:
            held = {id(w[0]) for w in withheld}
            to_read = [m for m in plan.members if id(m) not in held]
    staged_root = None if sensitive else change.reserve_payload(bag_path)
    if staged_root is not None:
        staged_root.mkdir(mode=0o700)
        folders = sorted({str(Path(m.relative).parent) for m in to_read} - {"."})
        for folder in folders:  # parents sort before children
            (staged_root / folder).mkdir(mode=0o700, parents=True, exist_ok=True)

    results = read_members(to_read, staged_root, sensitive, counter)

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
    record = base_record(change, item_id, plan.source, common)
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
            "source_mtime": ns_to_iso(st.st_mtime_ns),
            "bag_path": None if sensitive else bag_path,
        }
    )
    if withheld:
        record["withheld_files"] = [withheld_entry(*w) for w in withheld]
    if whole_reason:
        record["by_reference_reason"] = whole_reason
    return _Captured(record, payload, plan.source if sensitive else staged_root)


# ---- sensitive bytes are never stored --------------------------------------------------------


def _remember_marked(plans: list[Plan], marked: frozenset[str], shield: safeguard.SensitiveHashes) -> None:
    """Hash the files marked sensitive in this capture first, so that the same bytes elsewhere in
    it (a folder holding the same photo twice) are not copied either, whatever the order."""
    if not marked:
        return
    for plan in plans:
        for member in plan.members:
            if is_marked(member.source, marked):
                digest, _facts = hash_only(member)
                shown = display_name(str(member.source))
                shield.add(digest.sha256, digest.size, safeguard.SensitiveItem("", shown, marked_now=True))


def _withheld(
    member: Member, shield: safeguard.SensitiveHashes, marked: frozenset[str], counter: ProgressCounter
) -> tuple[Digest, dict[str, Any], str] | None:
    """(hashes, facts, why) when `member` must not be copied: it was marked sensitive, its bytes
    are known sensitive (`SensitiveHashes.reason`), or it is an archive holding such bytes.

    Only files of a sensitive file's exact size are hashed first (then read again to be copied),
    and archives are looked into only when the case holds anything sensitive."""
    reason = safeguard.MARKED_NOW if is_marked(member.source, marked) else None
    found: tuple[Digest, dict[str, Any]] | None = None
    if reason is None and shield and member.size in shield.sizes:
        found = hash_only(member)
        reason = shield.reason(found[0].sha256)
    if reason is None and shield:
        inside = safeguard.sensitive_inside_archive(member.source, shield)
        if inside is not None:
            reason = f"“{inside[0]}” inside it: {inside[1]}"
    if reason is None:
        return None
    digest, facts = found or hash_only(member)
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
