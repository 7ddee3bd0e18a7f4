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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from evidencekit._version import __version__
from evidencekit.case import layout
from evidencekit.clock import iso_utc
from evidencekit.ocr import engine as engines
from evidencekit.ocr.chat import ME, Chat, chat_from
from evidencekit.ocr.layout import LOW_CONFIDENCE, RECEIVED, SENT, Reading, read_picture
from evidencekit.ocr.picture import PictureRefused, decode

if TYPE_CHECKING:
    from evidencekit.case.case import Case, CaseChange

OCR_FORMAT = "evidencekit-ocr/1"
OCR_VERSION = "1"  # bumped whenever the text read from the same picture may change
TSV = "ocr.tsv"
JSON = "ocr.json"
OCR_MADE = "ocr-made"
MAX_BYTES = 40_000_000  # as for a preview: no screenshot is larger
IMAGE_KINDS = ("screenshot", "image")
NOTE = (
    "This text was read by OCR from a picture: it may contain mistakes (I read as |, 0 as O, "
    "1 as l), so check every name, number and address against the picture itself."
)
PREPROCESSING = (
    "regions found on the reduced picture by their difference from the background colour",
    "each region made dark-on-light (inverted when its text is lighter than it), then black on white "
    "by a threshold between its own shade and its text's, then read by Tesseract as one block of text",
    "a photo of a screen turned (at most 6°) to make its rows level",
    "no word lists (dictionary correction off), LSTM engine, one thread",
    "a lone '|' read as the word 'I'",
)
_FORMAT_REFUSED = "evidencekit reads text only in"
_TSV_COLUMNS = ("region", "kind", "side", "line", "left", "top", "width", "height", "confidence", "text")


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


def is_picture(record: dict[str, Any]) -> bool:
    """Whether the item is a single picture (the only items OCR looks at)."""
    return record.get("kind") in IMAGE_KINDS and record.get("files") is None


def refusal(
    record: dict[str, Any],
    items: list[dict[str, Any]],
    urls: list[dict[str, Any]],
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
    record: dict[str, Any],
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
            chat_facts = _chat_facts(chat, f"{prefix}/transcript.jsonl")
            for relative, path, sha256, size in _transcript(workdir, record, chat, engine.info, made_at):
                written[relative] = (path, sha256, size)
        document = _document(record, reading, engine.info, made_at, chat_facts)
        for relative, content in ((TSV, _tsv(reading)), (JSON, _json(document))):
            path = workdir / relative
            sha256, size = _write_private(path, content)
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


def _chat_facts(chat: Chat, transcript: str) -> dict[str, Any]:
    messages = [m for m in chat.messages if not m.system]
    return {
        "layout": chat.layout,
        "conversation": chat.title,
        "messages": len(messages),
        "sent": sum(1 for m in messages if m.side == SENT),
        "received": sum(1 for m in messages if m.side == RECEIVED),
        "side_unknown": sum(1 for m in messages if m.side is None),
        "low_confidence": chat.low_confidence,
        "left_out": chat.left_out,
        "transcript": transcript,
    }


def _document(
    record: dict[str, Any],
    reading: Reading,
    info: engines.EngineInfo,
    made_at: str,
    chat: dict[str, Any] | None,
) -> dict[str, Any]:
    from evidencekit.ocr.chat import conversation_name

    words = reading.words
    regions = []
    if reading.header is not None:
        regions.append(reading.header)
    regions.extend(reading.regions)
    return {
        "format": OCR_FORMAT,
        "item": record.get("id"),
        "item_name": record.get("original_name"),
        "item_sha256": record.get("sha256"),
        "tool": f"evidencekit {__version__}",
        "reader_version": OCR_VERSION,
        "made_at": made_at,
        "engine": info.as_dict(),
        "preprocessing": list(PREPROCESSING)
        + (
            [
                f"the picture was turned {reading.turned:+.1f}° to straighten it; "
                "boxes are in the turned picture"
            ]
            if reading.turned
            else []
        ),
        "picture": {"width": reading.width, "height": reading.height, "turned_degrees": reading.turned},
        "note": NOTE,
        "confidence": reading.confidence,
        "words": len(words),
        "low_confidence_words": sum(1 for w in words if w.confidence < LOW_CONFIDENCE),
        "low_confidence_below": LOW_CONFIDENCE,
        "text": reading.text,
        "conversation": conversation_name(reading),
        "regions": [
            {
                "kind": region.kind,
                "side": region.side,
                "box": list(region.box),
                "colour": "#{:02x}{:02x}{:02x}".format(*region.colour),
                "confidence": region.confidence,
                "lines": [
                    {"text": line.text, "confidence": line.confidence, "box": list(line.box)}
                    for line in region.lines
                ],
            }
            for region in regions
        ],
        "chat": chat,
    }


def _tsv(reading: Reading) -> bytes:
    rows = ["\t".join(_TSV_COLUMNS)]
    regions = ([reading.header] if reading.header is not None else []) + reading.regions
    for number, region in enumerate(regions):
        for line_number, line in enumerate(region.lines, start=1):
            for word in line.words:
                text = word.text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
                rows.append(
                    "\t".join(
                        (
                            str(number),
                            region.kind,
                            region.side or "",
                            str(line_number),
                            str(word.left),
                            str(word.top),
                            str(word.width),
                            str(word.height),
                            f"{word.confidence:.1f}",
                            text,
                        )
                    )
                )
    return ("\n".join(rows) + "\n").encode("utf-8")


def _json(document: dict[str, Any]) -> bytes:
    import json

    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _write_private(path: Path, content: bytes) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    return hashlib.sha256(content).hexdigest(), len(content)


def _transcript(
    workdir: Path, record: dict[str, Any], chat: Chat, info: engines.EngineInfo, made_at: str
) -> list[tuple[str, Path, str, int]]:
    """transcript.jsonl, .csv and .html of the chat, by the chat exports' own writer."""
    from evidencekit.exports.base import MESSAGE, SYSTEM, Conversation, Message
    from evidencekit.exports.transcript import CSV, HTML, TRANSCRIPT_FORMAT, TranscriptWriter, render_files

    item_id = str(record["id"])
    picture = str(record.get("bag_path"))
    boxes: dict[int, tuple[tuple[int, int, int, int], float, str | None, str]] = {}

    class OcrWriter(TranscriptWriter):
        """Each row's `source` says it was read from the picture by OCR, where, and how surely."""

        def record(self, msg: Message) -> dict[str, Any]:
            row = super().record(msg)
            box, confidence, side, side_from = boxes[msg.seq]
            row["source"] = {
                "file": picture,
                "read_by": "ocr",
                "box": {"left": box[0], "top": box[1], "width": box[2], "height": box[3]},
                "confidence": confidence,
            }
            row["details"] = {**(row.get("details") or {}), "side": side, "side_from": side_from}
            return row

    conversation = Conversation(key=item_id, name=chat.title, kind="screenshot")
    writer = OcrWriter(workdir, cast(Any, None), f"{layout.DERIVED_DIR}/{item_id}", "file")
    try:
        for seq, m in enumerate(chat.messages, start=1):
            boxes[seq] = (m.box, m.confidence, m.side, m.side_from)
            message = Message(
                seq=seq,
                time=None,
                time_as_written=m.time_as_written,
                sender=m.sender,
                text=m.text,
                kind=SYSTEM if m.system else MESSAGE,
                conversation=conversation,
                source_file=picture,
            )
            if m.confidence < LOW_CONFIDENCE:
                message.flag("ocr-low-confidence")
            writer.add(message)
    except BaseException:
        writer.abandon()
        raise
    summary = writer.stats.summary()
    warnings = [NOTE]
    if chat.left_out:
        warnings.append(
            f"{chat.left_out} line(s) were read with too little confidence to be messages; they are in "
            "ocr.tsv and ocr.json beside this transcript"
        )
    if chat.layout == "names":
        warnings.append(
            "Who sent each message was read from the name above it (the app puts every message on the "
            "same side)"
        )
    header = {
        "format": TRANSCRIPT_FORMAT,
        "item": item_id,
        "item_name": record.get("original_name"),
        "item_sha256": record.get("sha256"),
        "item_tree_sha256": None,
        "export": "Chat screenshot, read by OCR",
        "export_variant": chat.layout,
        "export_files": [picture],
        "parser": "ocr-chat",
        "parser_version": OCR_VERSION,
        "tool": f"evidencekit {__version__}",
        "made_at": made_at,
        "reading_order": "file",
        "time_zone": None,
        "time_zone_assumed": False,
        "date_order": None,
        "date_order_reason": None,
        "time_precision": "as shown on the screen (no date is invented)",
        "one_sided": None,
        "complete": True,
        "problem": None,
        "lost": [],
        "warnings": warnings,
        "summary": summary,
        "read_by": "ocr",
        "ocr_engine": info.as_dict(),
        "this_phone": ME,
    }
    jsonl = writer.finish(header)
    files = [jsonl, *render_files(jsonl.path, {"csv": workdir / CSV, "html": workdir / HTML})]
    return [(f.relative, f.path, f.sha256, f.size) for f in files]


# ---- at capture ------------------------------------------------------------------------------

_told_unavailable: set[str] = set()


def enrich_capture(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """CAPTURE_ENRICHERS entry: read the text in a newly captured screenshot or picture."""
    if readable is None or not is_picture(record):
        return []
    reason = refusal(
        record,
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
    outcome = read_item(change, record, data, existing=change.case.manifest())
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


def _chosen(items: list[dict[str, Any]], references: list[str]) -> list[dict[str, Any]]:
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


# ---- what was read, for showing --------------------------------------------------------------


@dataclass
class StoredReading:
    """An item's OCR file, read back (checked against the manifest) for showing."""

    item_id: str
    name: str
    problem: str | None = None
    engine: str = ""
    confidence: float = 0.0
    conversation: str | None = None
    lines: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "name": self.name,
            "problem": self.problem,
            "ocr": self.document or None,
        }


MAX_DOCUMENT_BYTES = 20_000_000


def read_document(case: Case, item_id: str, manifest: dict[str, str]) -> dict[str, Any] | str:
    """The item's ocr.json, or why it cannot be shown: read through safepath, only when the
    manifest lists it with the hash its bytes have, and only when it is an OCR file of this item."""
    import json

    from evidencekit.case import safepath

    bag_path = f"{layout.DERIVED_DIR}/{item_id}/{JSON}"
    if bag_path not in manifest:
        return "its text has not been read yet (run: evidencekit ocr " + item_id + ")"
    try:
        data = safepath.read_bytes(case.root, bag_path, limit=MAX_DOCUMENT_BYTES)
    except OSError:
        return "its OCR file cannot be read (run evidencekit verify)"
    if hashlib.sha256(data).hexdigest() != manifest[bag_path]:
        return "its OCR file does not match the manifest (run evidencekit verify)"
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "its OCR file is damaged"
    if (
        not isinstance(document, dict)
        or document.get("format") != OCR_FORMAT
        or document.get("item") != item_id
    ):
        return "its OCR file is not one evidencekit wrote for this item"
    return document


def stored_readings(case: Case, references: list[str]) -> list[StoredReading]:
    items = [i for i in case.items() if is_picture(i)]
    if references:
        wanted = [item_reference(r) for r in references]
        by_id = {str(i.get("id")): i for i in case.items()}
        items = [by_id[w] for w in wanted if w in by_id]
    manifest = case.manifest()
    flags = dict(case.info.flags)
    out = []
    urls = case.urls()
    all_items = case.items()
    for item in items:
        item_id = str(item["id"])
        shown = StoredReading(item_id, str(item.get("original_name") or item_id))
        out.append(shown)
        reason = refusal(item, all_items, urls, flags, manifest)
        if reason is not None:
            shown.problem = f"Not opened: {reason}."
            continue
        document = read_document(case, item_id, manifest)
        if isinstance(document, str):
            shown.problem = document[0].upper() + document[1:] + "."
            continue
        shown.document = document
        engine = document.get("engine") or {}
        shown.engine = (
            f"{engine.get('name')} {engine.get('version')} ({'+'.join(engine.get('languages') or [])})"
        )
        shown.confidence = float(document.get("confidence") or 0)
        shown.conversation = document.get("conversation")
        for region in document.get("regions") or []:
            for line in region.get("lines") or []:
                mark = "? " if float(line.get("confidence") or 0) < LOW_CONFIDENCE else ""
                shown.lines.append(f"{mark}{line.get('text')}")
        shown.messages = _transcript_lines(case, item_id, manifest, document)
    return out


def _transcript_lines(
    case: Case, item_id: str, manifest: dict[str, str], document: dict[str, Any]
) -> list[str]:
    from evidencekit.case import safepath
    from evidencekit.exports.transcript import JSONL, read_transcript

    chat = document.get("chat")
    bag_path = f"{layout.DERIVED_DIR}/{item_id}/{JSONL}"
    if not isinstance(chat, dict) or bag_path not in manifest:
        return []
    try:
        data = safepath.read_bytes(case.root, bag_path, limit=MAX_DOCUMENT_BYTES)
    except OSError:
        return []
    if hashlib.sha256(data).hexdigest() != manifest[bag_path]:
        return []
    import io

    lines = []
    try:
        _header, messages = read_transcript(io.BytesIO(data))
        for m in messages:
            mark = "? " if "ocr-low-confidence" in (m.get("flags") or []) else ""
            if m.get("kind") == "system":
                lines.append(f"{mark}— {m.get('text')} —")
                continue
            side = (m.get("details") or {}).get("side")
            arrow = "→" if side == SENT else "←" if side == RECEIVED else "·"
            when = f" [{m['time_as_written']}]" if m.get("time_as_written") else ""
            lines.append(f"{mark}{arrow} {m.get('sender') or '(sender not shown)'}{when}: {m.get('text')}")
    except (ValueError, UnicodeDecodeError):
        return lines
    return lines


def texts_for_report(case: Case, item_ids: list[str], manifest: dict[str, str]) -> dict[str, dict[str, Any]]:
    """For the report: each previewed picture's text as read (a chat's messages, else its lines),
    each line with whether it was read with low confidence. Only OCR files the manifest lists with
    their hash are used; a picture without one simply has no text beside it."""
    out: dict[str, dict[str, Any]] = {}
    for item_id in item_ids:
        document = read_document(case, item_id, manifest)
        if isinstance(document, str):
            continue
        engine = document.get("engine") or {}
        lines: list[dict[str, Any]] = []
        messages = _transcript_lines(case, item_id, manifest, document)
        if messages:
            lines = [{"text": m.removeprefix("? "), "low": m.startswith("? ")} for m in messages]
        else:
            for region in document.get("regions") or []:
                for line in region.get("lines") or []:
                    lines.append(
                        {
                            "text": str(line.get("text") or ""),
                            "low": float(line.get("confidence") or 0) < LOW_CONFIDENCE,
                        }
                    )
        if not lines:  # nothing was written on it: no block of text beside its preview
            continue
        out[item_id] = {
            "engine": f"{engine.get('name')} {engine.get('version')}",
            "confidence": round(float(document.get("confidence") or 0)),
            "conversation": document.get("conversation"),
            "chat": bool(messages),
            "lines": lines[:400],
            "more": max(0, len(lines) - 400),
        }
    return out
