"""The perceptual hashes and SHA-1 a case lacks, made now: for cases captured before evidencekit
made them, and for the hash lists of a sealed case.

`add_missing` hashes every picture and video that has no `perceptual` record yet and appends one
line per file to `evidencekit/hashes.jsonl` with a custody entry, all in one all-or-nothing change
(items are never edited). A stored file is read through the case's one door (safepath: no link
followed, plain files only); an item kept by reference is read where its original lives, and must
still have the SHA-256 recorded at capture. `compute_missing` does the same without writing, for a
case that is sealed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evidencekit.case import safepath
from evidencekit.case.case import Case
from evidencekit.case.records.hashes import HASHES_JSONL
from evidencekit.clock import iso_utc
from evidencekit.perceptual.facts import MediaFacts, hash_media
from evidencekit.perceptual.hashlist import HashRow, rows_of_items, with_facts

Progress = Callable[[int, int, str], None]  # (done, total, label)


@dataclass
class Backfill:
    """What `add_missing` did: the rows of the case after it, and what was hashed now."""

    rows: list[HashRow]
    added: list[HashRow] = field(default_factory=list)
    recorded: bool = True

    @property
    def without_pdq(self) -> list[HashRow]:
        return [row for row in self.added if row.media == "image" and not row.pdq]


def case_rows(case: Case) -> list[HashRow]:
    """Every picture and video of the case, with every hash recorded for it."""
    return rows_of_items(case.items(), case.records(HASHES_JSONL))


def add_missing(case: Case, progress: Progress | None = None) -> Backfill:
    """Hash what lacks a perceptual record and record it (a logged change), or change nothing."""
    with case.change("hashes") as change:
        rows = rows_of_items(change.existing_items, case.records(HASHES_JSONL))
        missing = [row for row in rows if not row.hashed]
        if not missing:
            return Backfill(rows)
        made_at = iso_utc(change.now())
        done: dict[int, HashRow] = {}
        for number, row in enumerate(missing):
            if progress is not None:
                progress(number, len(missing), row.label)
            facts = _hash_row(case.root, row)
            perceptual = facts.perceptual(made_at)
            line: dict[str, object] = {
                "item": row.item,
                "file": row.file,
                "sha256": row.sha256,
                "sha1": facts.sha1,
                "md5": facts.md5,
                "perceptual": perceptual,
                "added_at": made_at,
            }
            change.append_record(HASHES_JSONL, line)
            done[id(row)] = with_facts(row, facts.sha1, facts.md5, perceptual)
        with_pdq = sum(1 for row in done.values() if row.pdq)
        change.log(
            "hashes-added",
            {
                "items": sorted({row.item for row in missing}),
                "files": len(missing),
                "with_pdq": with_pdq,
                "record": HASHES_JSONL,
            },
        )
    return Backfill([done.get(id(row), row) for row in rows], list(done.values()))


def compute_missing(case: Case) -> Backfill:
    """The same hashes, computed in memory only (a sealed case is not changed)."""
    rows = case_rows(case)
    made_at = iso_utc(case.clock())
    out: list[HashRow] = []
    added: list[HashRow] = []
    for row in rows:
        if row.hashed:
            out.append(row)
            continue
        facts = _hash_row(case.root, row)
        new = with_facts(row, facts.sha1, facts.md5, facts.perceptual(made_at))
        out.append(new)
        added.append(new)
    return Backfill(out, added, recorded=False)


def _hash_row(root: Path, row: HashRow) -> MediaFacts:
    if row.source is None:
        return MediaFacts(None, None, None, "the case does not say where this file is")
    if row.by_reference:
        return hash_media(Path(row.source), row.media, row.sha256)
    try:
        fd = safepath.open_regular(root, row.source)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return MediaFacts(None, None, None, f"the stored file could not be opened ({reason.rstrip('.')})")
    return hash_media(Path(os.devnull), row.media, row.sha256, fd=fd)


__all__ = ["Backfill", "add_missing", "case_rows", "compute_missing"]
