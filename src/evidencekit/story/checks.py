"""Verify and status for the story records.

`check_story_records` (registered in `verify.parts.EXTRA_CHECKS`) ties every line of offenders,
payments, notes and actions to its custody entry: each record must be readable, have the next id,
and be logged with the SHA-256 of its exact line; every logged record must exist. The tag manifest
already detects a changed file; this check also catches records added or rewritten together with a
re-written tag manifest (which an unsealed case cannot otherwise show), and says which line.

`summary_section` (registered in `case.summary.EXTRA_SECTIONS`) adds counts and records to
`status --json`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from evidencekit.case import layout, record_types, safepath
from evidencekit.case.jsonlines import iter_lines, parse_json
from evidencekit.story.records import ACTIONS, STORY_FILES

ERROR = "error"


def check_story_records(root: Path, report: Any) -> None:
    """Add findings about the story records to a `VerifyReport`."""
    try:
        custody_text = safepath.read_text(root, layout.CUSTODY_JSONL)
    except (OSError, ValueError):
        return  # the core checks already report an unreadable custody log
    # Entries of the wrong shape are reported by the custody check; only the others are read here.
    custody = [
        entry for _number, entry in record_types.read_records(record_types.CUSTODY, custody_text).records
    ]
    logged: dict[str, dict[str, str]] = {kind.path: {} for kind in STORY_FILES}
    for entry in custody:
        details = entry["details"]
        for kind in STORY_FILES:
            if entry["action"] == kind.custody_action and details.get("file", kind.path) == kind.path:
                # "record" is what the first versions called the record's id in these details
                logged[kind.path][str(details.get("id", details.get("record")))] = str(
                    details.get("record_sha256")
                )
    actions: list[tuple[int, dict[str, Any]]] = []  # the readable ones, for the reports check
    for kind in STORY_FILES:
        shape = record_types.KINDS[kind.path]
        try:
            present = safepath.exists_in_case(root, kind.path)
        except OSError:
            present = True  # a path that cannot even be looked at: reading it below says so
        if not present:
            for record_id in sorted(logged[kind.path]):
                report.add(
                    ERROR,
                    "story-logged-record-missing",
                    kind.path,
                    f"The custody log records adding {kind.name} {record_id}, but {kind.path} is missing.",
                )
            continue
        try:
            text = safepath.read_bytes(root, kind.path).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            report.add(ERROR, "story-record-invalid", kind.path, f"{kind.path} cannot be read as UTF-8 text.")
            continue
        seen: set[str] = set()
        for number, line in iter_lines(text):
            try:
                record = parse_json(line)
            except ValueError:
                record = None
            problem = shape.problem(record)
            if problem is not None:
                report.add(
                    ERROR,
                    "story-record-invalid",
                    kind.path,
                    f"{kind.path} line {number} is not a valid record ({problem}).",
                )
            elif kind is ACTIONS:
                actions.append((number, record))
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                continue
            record_id = record["id"]
            expected_id = f"{kind.prefix}{len(seen) + 1:04d}"
            if record_id != expected_id:
                report.add(
                    ERROR,
                    "story-record-invalid",
                    kind.path,
                    f"{kind.path} line {number} has id {record_id}; the next id should be {expected_id} "
                    "(a record was removed, repeated or reordered).",
                )
            seen.add(record_id)
            digest = hashlib.sha256(line.encode("utf-8")).hexdigest()
            expected = logged[kind.path].get(record_id)
            if expected is None:
                report.add(
                    ERROR,
                    "story-record-not-logged",
                    kind.path,
                    f"{kind.name.capitalize()} {record_id} ({kind.path} line {number}) has no "
                    f"“{kind.custody_action}” entry in the custody log.",
                )
            elif expected != digest:
                report.add(
                    ERROR,
                    "story-record-changed",
                    kind.path,
                    f"{kind.name.capitalize()} {record_id} ({kind.path} line {number}) is not the record "
                    "the custody log says was added (it was changed afterwards).",
                )
        for record_id in sorted(set(logged[kind.path]) - seen):
            report.add(
                ERROR,
                "story-logged-record-missing",
                kind.path,
                f"The custody log records adding {kind.name} {record_id}, but {kind.path} does not hold it.",
            )
    _check_reports(root, actions, report)


def _check_reports(root: Path, actions: list[tuple[int, dict[str, Any]]], report: Any) -> None:
    """Reports name items and web addresses the case has; answers name reports it has."""
    from evidencekit.story.reports import check_reports

    if not actions:
        return
    known: dict[str, set[str]] = {}
    for path in (layout.ITEMS_JSONL, layout.URLS_JSONL):
        try:
            text = safepath.read_text(root, path, missing_ok=True) or ""
        except (OSError, ValueError):
            text = ""  # the core checks report an unreadable records file
        read = record_types.read_records(None, text, path)
        known[path] = {str(record.get("id")) for _number, record in read.records}
    for problem in check_reports(actions, known[layout.ITEMS_JSONL], known[layout.URLS_JSONL]):
        report.add(ERROR, problem["code"], ACTIONS.path, problem["message"])


def summary_section(case: Any, summary: dict[str, Any]) -> None:
    """Add `story` to the status summary: counts, and each record as stored."""
    story: dict[str, Any] = {}
    for kind in STORY_FILES:
        records = case.records(kind.path)
        story[kind.path.rsplit("/", 1)[-1].removesuffix(".jsonl")] = records
    summary["story"] = story
    summary["story_counts"] = {name: len(records) for name, records in story.items()}
    from evidencekit.story.reports import track

    summary["reports"] = [tracked.to_json() for tracked in track(story["actions"])]
