"""Verify's check of the hashes added after capture (`evidencekit/hashes.jsonl`).

Registered in `verify.parts.EXTRA_CHECKS`. The tag manifest already shows a changed file; this
check also says which line is wrong when the file was rewritten together with the manifest (an
unsealed case cannot otherwise show it): every line must have the shape evidencekit writes, name an
item (or a file of one) that exists, carry that file's recorded SHA-256, and be logged by a
`hashes-added` custody entry. A hash list made from a line that fails here would name the wrong
picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.records import CUSTODY, ITEMS, read_records
from evidencekit.case.records.hashes import HASHES, HASHES_JSONL

ERROR = "error"


def check_hash_records(root: Path, report: Any) -> None:
    """Add findings about `evidencekit/hashes.jsonl` to a `VerifyReport`."""
    try:
        if not safepath.exists_in_case(root, HASHES_JSONL):
            return
        text = safepath.read_text(root, HASHES_JSONL)
        items_text = safepath.read_text(root, layout.ITEMS_JSONL, missing_ok=True)
        custody_text = safepath.read_text(root, layout.CUSTODY_JSONL, missing_ok=True)
    except (OSError, ValueError):
        return  # the core checks already report a file that cannot be read
    read = read_records(HASHES, text)
    for problem in read.problems:
        report.add(ERROR, "hashes-record-invalid", HASHES_JSONL, f"{problem[0].upper()}{problem[1:]}.")
    known: dict[tuple[str, str | None], Any] = {}
    for _number, item in read_records(ITEMS, items_text).records:
        known[(item["id"], None)] = item.get("sha256")
        for entry in item.get("files") or []:
            known[(item["id"], entry.get("path"))] = entry.get("sha256")
        for entry in item.get("withheld_files") or []:
            known[(item["id"], entry.get("original_path"))] = entry.get("sha256")
    for number, line in read.records:
        key = (line["item"], line.get("file"))
        where = f"Line {number} of {HASHES_JSONL}"
        if key not in known:
            report.add(
                ERROR,
                "hashes-record-unknown",
                HASHES_JSONL,
                f"{where} gives hashes for {_named(key)}, which the case does not hold.",
            )
        elif line.get("sha256") != known[key]:
            report.add(
                ERROR,
                "hashes-record-mismatch",
                HASHES_JSONL,
                f"{where} gives hashes for {_named(key)} with a SHA-256 that is not the one recorded for it.",
            )
    logged = sum(
        entry["details"].get("files", 0)
        for _number, entry in read_records(CUSTODY, custody_text).records
        if entry["action"] == "hashes-added" and isinstance(entry["details"].get("files", 0), int)
    )
    lines = len(read.records) + len(read.problems)
    if lines != logged:
        report.add(
            ERROR,
            "hashes-not-logged",
            HASHES_JSONL,
            f"{HASHES_JSONL} has {lines} line(s), but the custody log records adding {logged}.",
        )


def _named(key: tuple[str, str | None]) -> str:
    item, file = key
    return item if file is None else f"a file of {item}"


__all__ = ["check_hash_records"]
