"""What the `transcript` and `status` commands ask of chat exports, as plain functions.

Transcripts are read back from the case, and checked against the manifest first, so what is
printed is what the case holds. Re-making a transcript (for a date order or time zone the
capture could not know) is a logged change that replaces only the derived files; the item and
its record are never edited, so the new summary goes into the custody log (`transcript-made`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.case import Case
from evidencekit.case.records import ItemRecord
from evidencekit.errors import EvidenceKitError, InputFileError
from evidencekit.exports.transcript import JSONL

TRANSCRIPT_MADE = "transcript-made"


class TranscriptChangedError(EvidenceKitError):
    """A derived transcript no longer matches the manifest."""


def item_id(reference: str) -> str:
    """`E0002` from `E0002`, `e2` or `2`."""
    text = reference.strip()
    match = re.fullmatch(r"[Ee]?0*(\d{1,6})", text)
    if not match:
        raise InputFileError(
            f"“{reference}” is not an item id.",
            hint="Item ids look like E0002; `evidencekit status` lists them.",
        )
    return f"E{int(match.group(1)):04d}"


def find_item(case: Case, reference: str) -> ItemRecord:
    wanted = item_id(reference)
    for item in case.items():
        if item.get("id") == wanted:
            return item
    raise InputFileError(
        f"This case has no item {wanted}.", hint="`evidencekit status` lists the items and their ids."
    )


def latest_transcripts(case: Case) -> dict[str, dict[str, Any]]:
    """The newest `transcript-made` custody details per item id."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in case.custody_entries():
        if entry.get("action") == TRANSCRIPT_MADE:
            details = entry.get("details") or {}
            if details.get("item"):
                latest[details["item"]] = details
    return latest


def current_export(case: Case, item: ItemRecord) -> dict[str, Any] | None:
    """The item's export facts, updated by the newest re-made transcript if there is one."""
    export = item.get("export")
    if export is None:
        return None
    newer = latest_transcripts(case).get(item["id"])
    return {**export, **newer["export"]} if newer else export


def transcript_path(case: Case, item: ItemRecord) -> Path:
    """The item's transcript.jsonl, after checking it against the manifest."""
    export = current_export(case, item)
    name = item.get("original_name")
    if export is None:
        raise InputFileError(
            f"{item['id']} “{name}” is not a chat export (it is a {item.get('kind')}), "
            "so it has no transcript.",
            hint="`evidencekit status` lists the chat exports in the case.",
        )
    if not export.get("transcript"):
        reason = export.get("problem") or "none was made"
        hint = "Run it again with --rebuild after fixing the problem, or capture a fresh export."
        if export.get("status") == "needs-date-order":
            hint = (
                f"Say how the dates are written: evidencekit transcript {item['id']} --date-order dmy "
                "(14/03 is 14 March) or --date-order mdy (03/14)."
            )
        raise InputFileError(f"{item['id']} “{name}” has no transcript: {reason}.", hint=hint)
    bag_path = f"{layout.DERIVED_DIR}/{item['id']}/{JSONL}"
    path = case.root / bag_path
    expected = case.manifest().get(bag_path)
    try:
        actual = _sha256(case.root, bag_path)
    except OSError:  # also UnsafeCasePathError: a link or a folder where the transcript should be
        actual = None
    if expected is None or actual != expected:
        raise TranscriptChangedError(
            f"The transcript of {item['id']} does not match the case's manifest (it is missing or was "
            "changed outside evidencekit), so it is not shown.",
            hint="Run: evidencekit verify, to see what changed.",
        )
    return path


def _sha256(root: Path, bag_path: str) -> str:
    """The SHA-256 of a file in the case, read through the case's one door (never via a link)."""
    sha = hashlib.sha256()
    fd = safepath.open_regular(root, bag_path)
    try:
        while block := os.read(fd, 1 << 20):
            sha.update(block)
    finally:
        os.close(fd)
    return sha.hexdigest()


def rebuild(case: Case, reference: str, options: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Make the item's transcript again (with `options`), as one logged change.

    Returns the new export facts and any warnings.
    """
    from evidencekit.exports.enrich import check_options, transcribe_item

    check_options(options)
    item = find_item(case, reference)
    bag_path = item.get("bag_path")
    if item.get("by_reference") or not bag_path:
        raise InputFileError(
            f"{item['id']} was recorded by reference (sensitive), so evidencekit keeps no copy of it "
            "and makes no transcript of it.",
            hint="Its hashes in the case still prove what it was.",
        )
    with case.change("transcript") as change:
        record: dict[str, Any] = dict(item)
        # The stored export, reached without a link (the case is untrusted input): a link planted
        # in its place must not make the transcript read a file outside the case.
        found = safepath.lstat_in_case(case.root, bag_path)
        if found is None or safepath.kind_of(found) not in ("file", "folder"):
            raise InputFileError(
                f"The stored copy of {item['id']} ({bag_path}) is missing or is not a plain "
                "file or folder, so no transcript can be made from it.",
                hint="Run: evidencekit verify, to see what changed in the case.",
            )
        readable = case.root / bag_path
        warnings = transcribe_item(change, record, readable, options, rebuild=True)
        export = record.get("export") or {}
        if export.get("format") is None:
            raise InputFileError(
                f"{item['id']} “{item.get('original_name')}” is not a chat export evidencekit can read.",
                hint="`evidencekit status` lists the chat exports in the case.",
            )
        change.log(
            TRANSCRIPT_MADE,
            {
                "item": item["id"],
                "options": {k: v for k, v in options.items() if v is not None},
                "export": {k: v for k, v in export.items() if k not in ("unreferenced_media",)},
                # As every command that replaces derived files lists them, so that verify knows
                # a file an earlier seal covered was re-made by this logged change.
                "files": [{"path": p, "sha256": d} for p, d in (export.get("derived_files") or {}).items()],
            },
        )
    return export, warnings


def add_status_section(case: Case, summary: dict[str, Any]) -> None:
    """case.summary EXTRA_SECTIONS entry: one line of facts per chat export."""
    exports = []
    latest = None
    for item in case.items():
        export = item.get("export")
        if export is None:
            continue
        if latest is None:
            latest = latest_transcripts(case)
        newer = latest.get(item["id"])
        if newer:
            export = {**export, **newer["export"]}
        exports.append(
            {
                "id": item["id"],
                "name": item.get("original_name"),
                "format": export.get("format"),
                "label": export.get("label"),
                "status": export.get("status"),
                "problem": export.get("problem"),
                "messages": export.get("messages"),
                "system_messages": export.get("system_messages"),
                "conversations": export.get("conversations"),
                "senders": (export.get("senders") or [])[:10],
                "sender_count": export.get("sender_count"),
                "first_time": export.get("first_time"),
                "last_time": export.get("last_time"),
                "attachments": export.get("attachments"),
                "transcript": export.get("transcript"),
            }
        )
    summary["exports"] = exports


_OPTION_FLAGS = {
    "export_timezone": ("--export-timezone", "time_zone"),
    "date_order": ("--date-order", "date_order"),
}


def options_not_applied(case: Case, duplicates: list[tuple[str, str]], options: dict[str, Any]) -> list[str]:
    """One sentence for each chat export captured again with --export-timezone or --date-order
    that the case already holds: capture stores nothing twice and never re-makes an earlier
    item's transcript behind the examiner's back, so the option was not used, and the sentence
    gives the command that does it as its own logged change. Nothing is said when the item's
    transcript already uses that value."""
    given = {key: value for key, value in options.items() if key in _OPTION_FLAGS and value}
    if not given or not duplicates:
        return []
    items = {item.get("id"): item for item in case.items()}
    out = []
    for _path, existing in dict.fromkeys(duplicates):
        item = items.get(existing)
        export = current_export(case, item) if item is not None else None
        if export is None or export.get("format") is None:
            continue
        differ = {k: v for k, v in given.items() if export.get(_OPTION_FLAGS[k][1]) != v}
        if not differ:
            continue
        flags = " ".join(f"{_OPTION_FLAGS[k][0]} {v}" for k, v in differ.items())
        out.append(
            f"{existing} is already in the case, so {flags} was not applied to it (an export is never "
            f"stored twice, and its transcript is re-made only when you ask); to re-make it that way, "
            f"run: evidencekit transcript {existing} {flags}"
        )
    return out
