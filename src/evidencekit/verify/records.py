"""The record checks: the custody log's hash chain, and every item record against the manifest
(and, when asked, against the by-reference originals where they still are).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evidencekit.case import layout, record_types
from evidencekit.case.bagview import BagView
from evidencekit.case.custody import check_chain
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.hashing import SourceChangedError, hash_file
from evidencekit.verify.bagit import read_text


def check_custody(
    bag: BagView, report: VerifyReport, bag_info: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    text = read_text(bag, layout.CUSTODY_JSONL, report, "custody-missing", "The custody log")
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


def check_records(
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
        text = read_text(bag, layout.ITEMS_JSONL, report, "items-missing", "The list of items")
        if text is None:
            return None
    else:
        text = ""
    if bag.exists(layout.URLS_JSONL):
        urls = read_text(bag, layout.URLS_JSONL, report, "urls-missing", "The list of web addresses")
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


__all__ = ["check_custody", "check_records"]
