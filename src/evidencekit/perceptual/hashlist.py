"""The hash lists a person, a helpline or an officer hands to a hash-matching service.

Every picture and video of a case (a single item, a file of a captured folder, or a file withheld
from one as sensitive) is one `HashRow`, its hashes taken from the item record and from
`evidencekit/hashes.jsonl` (hashes added later). Three shapes are written:

- **stopncii**: the JSON of StopNCII's hash records, `{"count", "hashRecords": [{"signalType",
  "hashValue"}]}`, with `ImagePDQ` for each picture whose PDQ has quality 50 or more and
  `VideoMD5` for each video: what StopNCII's partners submit and match.
- **ncmec**: XML in the vocabulary of NCMEC's hash-sharing API (v2): `images` and `videos`, each
  entry with its `fingerprints` (`md5`, `sha1`, and `pdq` for a picture).
- **csv**: everything, one row per file: the item, its kind, whether it is marked sensitive, MD5,
  SHA-1, SHA-256, PDQ, quality and why a file has no PDQ.

No image bytes and, unless asked (`with_names`), no file names or folder paths: a name can say
who is in a picture. docs/reference/hash-lists.md lists every field of each shape, and a test holds
the lists to it. A video is listed by its MD5 only (facts.NO_VIDEO_HASH says why). A file
inside a folder item is named by its item and number (E0003 #2).
By default the StopNCII and NCMEC lists hold only what is marked sensitive (the pictures and videos
to be blocked, not the screenshots of the chat); `everything` lists the rest too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from evidencekit.case.records import ItemRecord
from evidencekit.perceptual.facts import NO_VIDEO_HASH, media_kind
from evidencekit.perceptual.pdq import GOOD_QUALITY

FORMATS = ("stopncii", "ncmec", "csv")
NCMEC_NAMESPACE = "https://hashsharing.ncmec.org/hashsharing/v2"


@dataclass(frozen=True)
class HashRow:
    """One picture or video of a case and the hashes recorded for it."""

    item: str
    number: int | None  # its place among the files of a folder item (1, 2 …), None for an item
    file: str | None  # its path inside the folder item (or the withheld file's original path)
    name: str  # the original name (shown only when asked)
    media: str  # "image" or "video"
    sensitive: bool
    by_reference: bool
    sha256: str | None
    md5: str | None
    sha1: str | None
    pdq: str | None
    pdq_quality: int | None
    problem: str | None
    hashed: bool  # whether a perceptual record exists (False: made before evidencekit did this)
    source: str | None  # where the bytes are: a bag path, or the original's path by reference
    withheld: bool = False

    @property
    def label(self) -> str:
        return self.item if self.number is None else f"{self.item} #{self.number}"

    @property
    def listed_pdq(self) -> str | None:
        """The PDQ a service should match on: one of quality 50 or more (lower ones match noise)."""
        if self.pdq and self.pdq_quality is not None and self.pdq_quality >= GOOD_QUALITY:
            return self.pdq
        return None


def rows_of_items(items: Iterable[ItemRecord], added: Iterable[dict[str, Any]]) -> list[HashRow]:
    """Every picture and video of these (checked) item records, with the hashes added later."""
    later = {(str(r["item"]), r.get("file")): r for r in added}
    rows: list[HashRow] = []
    for item in items:
        rows.extend(_rows_of_item(item, later))
    return rows


def _rows_of_item(item: ItemRecord, later: dict[tuple[str, Any], dict[str, Any]]) -> Iterator[HashRow]:
    item_id = str(item["id"])
    sensitive = bool(item.get("sensitive"))
    by_reference = bool(item.get("by_reference"))
    files = item.get("files")
    if isinstance(files, list):
        bag_path, source = item.get("bag_path"), item.get("source_path")
        number = 0
        for entry, withheld in [(e, False) for e in files] + [
            (e, True) for e in item.get("withheld_files") or []
        ]:
            number += 1
            media = media_kind(None, entry.get("mime"))
            if media is None:
                continue
            path = entry.get("original_path") if withheld or by_reference else entry.get("path")
            if withheld or by_reference:
                where = f"{source}/{path}" if isinstance(source, str) and isinstance(path, str) else None
            else:
                where = f"{bag_path}/{path}" if isinstance(bag_path, str) and isinstance(path, str) else None
            key = entry.get("path") if not withheld else entry.get("original_path")
            yield _row(
                item_id, number, key, str(entry.get("original_path") or path or ""), media,
                sensitive or withheld or bool(entry.get("by_reference")), by_reference or withheld,
                entry, later.get((item_id, key)), where, withheld,
            )  # fmt: skip
        return
    media = media_kind(item.get("kind"), item.get("mime"))
    if media is None:
        return
    where = item.get("source_path") if by_reference else item.get("bag_path")
    yield _row(
        item_id, None, None, str(item.get("original_name") or ""), media, sensitive, by_reference,
        item, later.get((item_id, None)), where if isinstance(where, str) else None, False,
    )  # fmt: skip


def _row(
    item_id: str,
    number: int | None,
    file: str | None,
    name: str,
    media: str,
    sensitive: bool,
    by_reference: bool,
    record: Mapping[str, Any],  # an item, or one file of a folder item
    added: dict[str, Any] | None,
    source: str | None,
    withheld: bool,
) -> HashRow:
    perceptual = record.get("perceptual") or (added or {}).get("perceptual") or None
    sha1 = record.get("sha1") or (added or {}).get("sha1")
    md5 = record.get("md5") or (added or {}).get("md5")
    return HashRow(
        item=item_id,
        number=number,
        file=file,
        name=name,
        media=media,
        sensitive=sensitive,
        by_reference=by_reference,
        sha256=record.get("sha256"),
        md5=md5,
        sha1=sha1,
        pdq=perceptual.get("pdq") if perceptual else None,
        pdq_quality=perceptual.get("pdq_quality") if perceptual else None,
        problem=perceptual.get("problem") if perceptual else None,
        hashed=perceptual is not None,
        source=source,
        withheld=withheld,
    )


def with_facts(row: HashRow, sha1: str | None, md5: str | None, perceptual: dict[str, Any]) -> HashRow:
    """The row with hashes just computed (for a list made from a sealed case, not recorded)."""
    return replace(
        row,
        sha1=row.sha1 or sha1,
        md5=row.md5 or md5,
        pdq=perceptual.get("pdq"),
        pdq_quality=perceptual.get("pdq_quality"),
        problem=perceptual.get("problem"),
        hashed=True,
    )


def chosen(rows: Iterable[HashRow], format: str, everything: bool) -> list[HashRow]:
    """The rows a list holds: for StopNCII and NCMEC only what is marked sensitive, unless
    `everything`; the CSV holds every row."""
    return [row for row in rows if format == "csv" or everything or row.sensitive]


def render(rows: list[HashRow], format: str, *, with_names: bool = False) -> str:
    if format == "stopncii":
        return render_stopncii(rows)
    if format == "ncmec":
        return render_ncmec(rows, with_names=with_names)
    return render_csv(rows, with_names=with_names)


def render_stopncii(rows: list[HashRow]) -> str:
    """StopNCII's hash records: ImagePDQ for pictures with a usable PDQ, VideoMD5 for videos."""
    records: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row.media == "image" and row.listed_pdq:
            signal = ("ImagePDQ", row.listed_pdq)
        elif row.media == "video" and row.md5:
            signal = ("VideoMD5", row.md5)
        else:
            continue
        if signal in seen:  # the same picture twice in a case is one hash to match
            continue
        seen.add(signal)
        records.append({"signalType": signal[0], "hashValue": signal[1]})
    return json.dumps({"count": len(records), "hashRecords": records}, indent=2) + "\n"


def render_ncmec(rows: list[HashRow], *, with_names: bool = False) -> str:
    """NCMEC hash-sharing (v2) entries: md5, sha1 and, for a picture, pdq."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<hashes xmlns="{NCMEC_NAMESPACE}">']
    for media, group in (("image", "images"), ("video", "videos")):
        chosen_rows = [row for row in rows if row.media == media and (row.md5 or row.sha1)]
        lines.append(f'  <{group} count="{len(chosen_rows)}">')
        for row in chosen_rows:
            lines.append(f"    <{media}>")
            lines.append(f"      <id>{escape(row.label)}</id>")
            if with_names and row.name:
                lines.append(f"      <name>{escape(row.name)}</name>")
            lines.append("      <fingerprints>")
            if row.md5:
                lines.append(f"        <md5>{row.md5}</md5>")
            if row.sha1:
                lines.append(f"        <sha1>{row.sha1}</sha1>")
            if media == "image" and row.listed_pdq:
                lines.append(f"        <pdq>{row.listed_pdq}</pdq>")
            lines.append("      </fingerprints>")
            lines.append(f"    </{media}>")
        lines.append(f"  </{group}>")
    lines.append("</hashes>")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "item",
    "kind",
    "sensitive",
    "md5",
    "sha1",
    "sha256",
    "pdq",
    "pdq_quality",
    "no_pdq_because",
)


def render_csv(rows: list[HashRow], *, with_names: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*CSV_COLUMNS, "name") if with_names else CSV_COLUMNS)
    for row in rows:
        values: list[object] = [
            row.label,
            row.media,
            "yes" if row.sensitive else "no",
            row.md5 or "",
            row.sha1 or "",
            row.sha256 or "",
            row.pdq or "",
            "" if row.pdq_quality is None else row.pdq_quality,
            _why_no_pdq(row),
        ]
        if with_names:
            values.append(_csv_safe(row.name))
        writer.writerow(values)
    return out.getvalue()


def _why_no_pdq(row: HashRow) -> str:
    if row.media == "video":
        return NO_VIDEO_HASH  # the current sentence, whatever an older record's said
    if not row.hashed:
        return "not hashed yet (run: evidencekit hashes)"
    if row.pdq and row.pdq_quality is not None and row.pdq_quality < GOOD_QUALITY:
        return f"quality {row.pdq_quality} is under {GOOD_QUALITY}: too featureless to match on"
    return "" if row.pdq else (row.problem or "")


def _csv_safe(text: str) -> str:
    """A name a spreadsheet would run as a formula (=, +, -, @ first) is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def source_path(case_root: Path, row: HashRow) -> tuple[str | None, Path | None]:
    """(bag path inside the case, None) for a stored file, (None, original path) by reference."""
    if row.source is None:
        return None, None
    if row.by_reference:
        return None, Path(row.source)
    return row.source, case_root / row.source


__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "HashRow",
    "chosen",
    "render",
    "render_csv",
    "render_ncmec",
    "render_stopncii",
    "rows_of_items",
    "with_facts",
]
