"""What `verify` checks about chat-export transcripts (registered in case.verify.EXTRA_CHECKS).

The item record (or the newest `transcript-made` custody entry) lists every derived file of a
transcript with its SHA-256. Each must be in the payload manifest with that hash, so a transcript
cannot be removed or swapped, with the manifest edited to match, without verify saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.bag import parse_manifest
from evidencekit.case.jsonlines import loads_lines, shared_lines
from evidencekit.case.verify import ERROR, VerifyReport


def check_transcripts(root: Path, report: VerifyReport) -> None:
    try:
        items = shared_lines((root / layout.ITEMS_JSONL).read_text(encoding="utf-8"))
        custody = loads_lines((root / layout.CUSTODY_JSONL).read_text(encoding="utf-8"))
        manifest_text = (root / layout.MANIFEST).read_text(encoding="utf-8")
    except (OSError, ValueError, UnicodeError):
        return  # verify's own checks already report unreadable records
    manifest = {line.path: line.digest for line in parse_manifest(manifest_text) if line.problem is None}
    latest: dict[str, dict[str, Any]] = {}
    for entry in custody:
        details = entry.get("details") if isinstance(entry, dict) else None
        if entry.get("action") == "transcript-made" and isinstance(details, dict):
            latest[str(details.get("item"))] = details.get("export") or {}
    for item in items:
        export = item.get("export") if isinstance(item, dict) else None
        if not isinstance(export, dict):
            continue
        current = latest.get(str(item.get("id")), export)
        files = current.get("derived_files") or {}
        for path, digest in files.items() if isinstance(files, dict) else ():
            if path not in manifest:
                report.add(
                    ERROR,
                    "transcript-file-missing",
                    path,
                    f"The records of {item.get('id')} list the transcript file {path}, "
                    "but the manifest does not.",
                )
            elif manifest[path] != digest:
                report.add(
                    ERROR,
                    "transcript-hash-mismatch",
                    path,
                    f"The records of {item.get('id')} and the manifest give different SHA-256 values "
                    f"for {path}.",
                )
