"""The capture enricher that records each picture's PDQ and SHA-1, and each video's SHA-1.

Listed in CAPTURE_ENRICHERS (evidencekit/enrichers.py), it runs for every new item inside the
capture's all-or-nothing change. Sensitive items are hashed too, where the original lives (they are
the pictures a hash list is for); the picture is decoded in memory only for the hash. What it adds:
`sha1`, `md5` when capture did not compute it, and `perceptual` (the PDQ and its quality, or why
there is none) on the item, or on each picture and video of a captured folder, including the files
withheld from a folder as sensitive. A picture that cannot be hashed is a warning and a recorded
reason; it never stops the capture.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.clock import iso_utc
from evidencekit.perceptual.facts import MediaFacts, hash_media, media_kind

if TYPE_CHECKING:
    from evidencekit.case.case import CaseChange


def enrich_capture(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """CAPTURE_ENRICHERS entry: hash every picture and video of a newly captured item."""
    del options  # nothing to choose: every picture is hashed the same way
    made_at = iso_utc(change.now())
    name = record.get("original_name") or record["id"]
    files = record.get("files")
    if isinstance(files, list):
        return _enrich_folder(record, readable, made_at)
    what = media_kind(record.get("kind"), record.get("mime"))
    if what is None or readable is None:
        return []
    facts = hash_media(readable, what, record.get("sha256"))
    _apply(record, facts, made_at)
    if what == "image" and facts.pdq is None:
        return [
            f"{record['id']} “{name}” has no perceptual hash (PDQ): {facts.problem}. "
            "It was kept as it is; its MD5 and SHA-256 are what hash lists can carry for it."
        ]
    return []


def _enrich_folder(record: dict[str, Any], readable: Path | None, made_at: str) -> list[str]:
    by_reference = bool(record.get("by_reference"))
    source = record.get("source_path")
    original_folder = Path(source) if isinstance(source, str) else None
    failed: list[str] = []
    entries: list[tuple[dict[str, Any], Path | None]] = []
    for entry in record.get("files") or []:
        folder = original_folder if by_reference else readable
        relative = entry.get("original_path") if by_reference else entry.get("path")
        entries.append((entry, folder / relative if folder and isinstance(relative, str) else None))
    for entry in record.get("withheld_files") or []:  # kept where they are: read them there
        relative = entry.get("original_path")
        where = original_folder / relative if original_folder and isinstance(relative, str) else None
        entries.append((entry, where))
    for entry, path in entries:
        what = media_kind(None, entry.get("mime"))
        if what is None:
            continue
        if path is None:
            facts = MediaFacts(None, None, None, "evidencekit could not tell where this file is")
        else:
            facts = hash_media(path, what, entry.get("sha256"))
        _apply(entry, facts, made_at)
        if what == "image" and facts.pdq is None:
            failed.append(f"“{entry.get('original_path') or entry.get('path')}”: {facts.problem}")
    if not failed:
        return []
    shown = "; ".join(failed[:3]) + (f" (and {len(failed) - 3} more)" if len(failed) > 3 else "")
    return [f"{record['id']}: {len(failed)} picture(s) in it have no perceptual hash (PDQ): {shown}."]


def _apply(target: dict[str, Any], facts: MediaFacts, made_at: str) -> None:
    if facts.sha1:
        target["sha1"] = facts.sha1
    if facts.md5 and not target.get("md5"):
        target["md5"] = facts.md5
    target["perceptual"] = facts.perceptual(made_at)


__all__ = ["enrich_capture"]
