"""Reading the text in an item's picture, and keeping it as derived files of the item.

Which pictures may be read is decided by the rule the report's previews use
(`report.thumbnails.candidates`: stored, not sensitive, not the same bytes as a sensitive item,
the file the manifest lists with the record's hash), and in a case marked "someone shown may be
under 18" only a picture the person confirmed shows no nudity (`not_intimate_confirmed`) is read,
by that case's one rule (`report.thumbnails.case_involves_minor`, over `case.flags.read_under_18`).
Anything else is never opened: not decoded, not read, not OCR'd.

What is kept, under `data/derived/<item>/`:

- `ocr.tsv`: every word with its box and Tesseract's confidence (a table any spreadsheet opens);
- `ocr.json`: what read it (engine, version, languages, preprocessing), the text line by line with
  boxes and confidences, the regions (header, bubbles and their sides), and the chat found;
- for a chat screenshot, `transcript.jsonl` (the same contract as a chat export's, each row's
  `source` saying it was read by OCR, with its box and confidence) and its `.csv` and `.html`.

Every file is hashed into the manifest by the same all-or-nothing change as the capture (or as the
`ocr` command, for pictures captured before), and the custody log says it was made.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from evidencekit.case import layout
from evidencekit.case.records import ItemRecord, UrlRecord
from evidencekit.clock import iso_utc
from evidencekit.ocr import engine as engines
from evidencekit.ocr.chat import chat_from
from evidencekit.ocr.layout import read_picture
from evidencekit.ocr.outputs import (
    JSON,
    TSV,
    chat_summary,
    json_bytes,
    make_document,
    tsv_bytes,
    write_private,
    write_transcript,
)
from evidencekit.ocr.picture import PictureRefused, decode

if TYPE_CHECKING:
    from evidencekit.case.case import Case, CaseChange

OCR_MADE = "ocr-made"
MAX_BYTES = 40_000_000  # as for a preview: no screenshot is larger
IMAGE_KINDS = ("screenshot", "image")
_FORMAT_REFUSED = "evidencekit reads text only in"


@dataclass
class ItemOutcome:
    """What reading one item did."""

    item_id: str
    status: str  # "read", "not-read" (refused or unreadable), "not-available" (no Tesseract)
    problem: str | None = None
    words: int = 0
    confidence: float = 0.0
    chat: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)  # bag path → SHA-256

    def summary(self) -> dict[str, Any]:
        """The item's `ocr` facts (in its record at capture, in the custody entry later)."""
        out: dict[str, Any] = {"status": self.status, "problem": self.problem}
        if self.status == "read":
            out.update(
                file=f"{layout.DERIVED_DIR}/{self.item_id}/{JSON}",
                words=self.words,
                confidence=self.confidence,
                chat=self.chat,
                derived_files=dict(self.files),
            )
        return out


# ---- which pictures may be read --------------------------------------------------------------


def is_picture(record: ItemRecord) -> bool:
    """Whether the item is a single picture (the only items OCR looks at)."""
    return record.get("kind") in IMAGE_KINDS and record.get("files") is None


def refusal(
    record: ItemRecord,
    items: Sequence[ItemRecord],
    urls: Sequence[UrlRecord],
    flags: dict[str, Any],
    manifest: dict[str, str],
) -> str | None:
    """Why this picture must not be opened (a sentence's end), or None when it may be read."""
    from evidencekit.report.thumbnails import THUMBNAIL_TYPES, candidates, case_involves_minor

    if record.get("sensitive") or record.get("by_reference") or not record.get("bag_path"):
        return "it is recorded as sensitive (by reference), so evidencekit never opens it"
    minor = case_involves_minor(flags)
    if minor and record.get("not_intimate_confirmed") is not True:
        return (
            "this case is marked: someone shown may be under 18, and this picture was not confirmed to "
            "show no nudity, so evidencekit never opens it"
        )
    others = [i for i in items if i.get("id") != record.get("id")]
    # The under-18 rule was applied just above, with the person's confirmation for this picture;
    # every other rule of the previews applies as it is.
    allowed = candidates(Path("."), [*others, record], urls, {} if minor else flags, manifest)
    if any(c.item_id == record.get("id") for c in allowed):
        return None
    mime = record.get("mime") or "unknown"
    if mime not in THUMBNAIL_TYPES:
        return f"{_FORMAT_REFUSED} PNG, JPEG, WebP, GIF and BMP pictures, and this is {mime}"
    return "its bytes match an item recorded as sensitive, or the manifest does not list it as recorded"


# ---- the engine, once per process ------------------------------------------------------------

_engines: dict[tuple[str, ...], engines.Engine] = {}
_engines_lock = threading.Lock()


def _engine(country: str | None) -> engines.Engine:
    tessdata = engines.find_tessdata()
    if tessdata is None:
        raise RuntimeError("no Tesseract language data")
    languages = engines.languages_for(country, tessdata)
    with _engines_lock:
        found = _engines.get(languages)
        if found is None:
            found = _engines[languages] = engines.Engine(languages)
        return found


# ---- reading one item ------------------------------------------------------------------------


def read_item(
    change: CaseChange,
    record: ItemRecord,
    data: bytes,
    *,
    existing: dict[str, str],
) -> ItemOutcome:
    """OCR `data` (the item's stored bytes, already checked against its SHA-256) and stage the
    derived files in `change`. `existing` is the case's manifest (derived files made before are
    replaced; ones this reading no longer makes are withdrawn, with the reason logged)."""
    item_id = str(record["id"])
    try:
        picture = decode(data)
    except PictureRefused as exc:
        return ItemOutcome(item_id, "not-read", str(exc))
    with picture:
        engine = _engine(change.case.info.country)
        reading = read_picture(engine, picture)
    chat = chat_from(reading)
    prefix = f"{layout.DERIVED_DIR}/{item_id}"
    made_at = iso_utc(change.now())
    workdir = change.journal.stage / f"ocr-{item_id}"
    workdir.mkdir(mode=0o700)
    written: dict[str, tuple[Path, str, int]] = {}
    try:
        chat_facts = None
        if chat is not None and chat.messages:
            chat_facts = chat_summary(chat, f"{prefix}/transcript.jsonl")
            for relative, path, sha256, size in write_transcript(workdir, record, chat, engine.info, made_at):
                written[relative] = (path, sha256, size)
        document = make_document(record, reading, engine.info, made_at, chat_facts)
        for relative, content in ((TSV, tsv_bytes(reading)), (JSON, json_bytes(document))):
            path = workdir / relative
            sha256, size = write_private(path, content)
            written[relative] = (path, sha256, size)
        files = {}
        for relative, (path, sha256, size) in written.items():
            target_path = f"{prefix}/{relative}"
            if target_path in existing:
                target = change.replace_payload(target_path, sha256, size)
            else:
                target = change.reserve_payload(target_path)
                change.add_payload(target_path, sha256, size)
            path.replace(target)
            files[target_path] = sha256
        stale = [
            p
            for p in existing
            if p.startswith(f"{prefix}/transcript.") and p not in files and _made_by_ocr(existing, prefix)
        ]
        if stale:
            change.withdraw_derived(
                item_id, stale, "the screenshot was read again and no chat was found in it"
            )
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return ItemOutcome(
        item_id,
        "read",
        None,
        words=len(reading.words),
        confidence=reading.confidence,
        chat=chat_facts,
        files=files,
    )


def _made_by_ocr(existing: dict[str, str], prefix: str) -> bool:
    """Transcripts beside an OCR file were made from the picture (a picture is never an export)."""
    return f"{prefix}/{JSON}" in existing


# ---- at capture ------------------------------------------------------------------------------

_told_unavailable: set[str] = set()


def enrich_capture(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """CAPTURE_ENRICHERS entry: read the text in a newly captured screenshot or picture."""
    item = cast("ItemRecord", record)  # the new item's record, built in the item shape
    if readable is None or not is_picture(item):
        return []
    reason = refusal(
        item,
        change.existing_items,
        change.existing_urls,
        dict(change.case.info.flags),
        {str(record.get("bag_path")): str(record.get("sha256"))},
    )
    if reason is not None:
        record["ocr"] = {"status": "not-read", "problem": reason}
        if reason.startswith(_FORMAT_REFUSED):  # a HEIC or TIFF: worth a sentence; sensitive is not
            return [
                f"{record['id']} “{record.get('original_name')}” was kept, but no text was read: {reason}."
            ]
        return []
    missing = engines.unavailable_reason()
    if missing is not None:
        record["ocr"] = {"status": "not-available", "problem": missing}
        key = str(change.journal.stage)
        if key in _told_unavailable:
            return []
        _told_unavailable.add(key)
        return [
            f"The text in screenshots was not read, because {missing}. Everything was saved; to read "
            f"it later, {engines.platform_hint()}."
        ]
    try:
        data = _read_staged(readable)
    except OSError as exc:
        record["ocr"] = {"status": "not-read", "problem": f"the stored copy could not be read ({exc})"}
        return [f"{record['id']}: the text in it was not read: the stored copy could not be read."]
    if data is None or hashlib.sha256(data).hexdigest() != record.get("sha256"):
        record["ocr"] = {
            "status": "not-read",
            "problem": "it is larger than any screenshot, so it was not read",
        }
        return []
    outcome = read_item(change, item, data, existing=change.case.manifest())
    record["ocr"] = outcome.summary()
    if outcome.status != "read":
        return [
            f"{record['id']} “{record.get('original_name')}” was kept, but no text was read: "
            f"{outcome.problem}."
        ]
    return []


def _read_staged(path: Path) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    return None if len(data) > MAX_BYTES else data


# ---- for pictures captured before ------------------------------------------------------------


@dataclass
class CaseOutcome:
    """What `evidencekit ocr` did."""

    read: list[ItemOutcome] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # item ids read before (without --again)
    refused: list[ItemOutcome] = field(default_factory=list)  # never opened, with why
    failed: list[ItemOutcome] = field(default_factory=list)  # opened, but no text could be read
    unavailable: str | None = None
    recovered: str | None = None


Progress = Callable[[int, int, str], None]


def read_case(
    case: Case,
    references: list[str],
    *,
    again: bool = False,
    progress: Progress | None = None,
) -> CaseOutcome:
    """Read the text in the case's pictures (all, or the items named), as one logged change."""
    from evidencekit.case import safepath
    from evidencekit.errors import InputFileError

    outcome = CaseOutcome()
    items = case.items()
    chosen = _chosen(items, references)
    missing = engines.unavailable_reason()
    if missing is not None:
        outcome.unavailable = missing
        return outcome
    with case.change("ocr") as change:
        outcome.recovered = change.recovered
        manifest = case.manifest()
        flags = dict(case.info.flags)
        urls = case.urls()
        for number, item in enumerate(chosen, start=1):
            item_id = str(item["id"])
            if progress:
                progress(number, len(chosen), item_id)
            reason = refusal(item, items, urls, flags, manifest)
            if reason is not None:
                outcome.refused.append(ItemOutcome(item_id, "not-read", reason))
                continue
            if not again and f"{layout.DERIVED_DIR}/{item_id}/{JSON}" in manifest:
                outcome.already.append(item_id)
                continue
            bag_path = str(item["bag_path"])
            try:
                data = safepath.read_bytes(case.root, bag_path, limit=MAX_BYTES)
            except OSError as exc:
                problem = (
                    str(exc)
                    if isinstance(exc, safepath.UnsafeCasePathError)
                    else (f"the stored file could not be read ({exc.strerror or exc})")
                )
                outcome.failed.append(ItemOutcome(item_id, "not-read", problem.rstrip(".")))
                continue
            if hashlib.sha256(data).hexdigest() != manifest.get(bag_path):
                outcome.failed.append(
                    ItemOutcome(
                        item_id,
                        "not-read",
                        "the stored file no longer matches its SHA-256 in the manifest "
                        "(run evidencekit verify)",
                    )
                )
                continue
            done = read_item(change, item, data, existing=manifest)
            if done.status != "read":
                outcome.failed.append(done)
                continue
            outcome.read.append(done)
            change.log(OCR_MADE, {"item": item_id, "ocr": done.summary(), "files": _files(done)})
    if references and not chosen:
        raise InputFileError("None of the items named is a picture.", hint="evidencekit status lists them.")
    return outcome


def _files(done: ItemOutcome) -> list[dict[str, str]]:
    return [{"path": path, "sha256": sha256} for path, sha256 in sorted(done.files.items())]


def _chosen(items: Sequence[ItemRecord], references: list[str]) -> list[ItemRecord]:
    from evidencekit.errors import InputFileError

    if not references:
        return [i for i in items if is_picture(i)]
    by_id = {str(i.get("id")): i for i in items}
    out = []
    for reference in references:
        key = item_reference(reference)
        item = by_id.get(key)
        if item is None:
            raise InputFileError(
                f"This case has no item “{reference}”.",
                hint="evidencekit status lists the items (E0001, E0002…).",
            )
        if not is_picture(item):
            raise InputFileError(
                f"{key} “{item.get('original_name')}” is not a screenshot or picture, "
                "so it has no text to read.",
                hint="evidencekit ocr with no item reads every picture in the case.",
            )
        out.append(item)
    return out


def item_reference(reference: str) -> str:
    """E0001 from "E0001", "e1" or "1"."""
    key = reference.strip().upper()
    digits = key[1:] if key.startswith("E") else key
    return f"E{int(digits):04d}" if digits.isdigit() else key
