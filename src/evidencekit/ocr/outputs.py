"""The files a reading of a picture is kept as: ocr.tsv (every word with its box and confidence),
ocr.json (what read it, and the text line by line) and, for a chat screenshot, its transcript
in the chat exports' contract. Written private (0600, O_EXCL, fsync) into the change's work folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from evidencekit._version import __version__
from evidencekit.case import layout
from evidencekit.ocr import engine as engines
from evidencekit.ocr.chat import ME, Chat
from evidencekit.ocr.layout import LOW_CONFIDENCE, RECEIVED, SENT, Reading

if TYPE_CHECKING:
    pass

OCR_FORMAT = "evidencekit-ocr/1"
OCR_VERSION = "1"  # bumped whenever the text read from the same picture may change
TSV = "ocr.tsv"
JSON = "ocr.json"
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
_TSV_COLUMNS = ("region", "kind", "side", "line", "left", "top", "width", "height", "confidence", "text")


def chat_summary(chat: Chat, transcript: str) -> dict[str, Any]:
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


def make_document(
    record: Mapping[str, Any],
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


def tsv_bytes(reading: Reading) -> bytes:
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


def json_bytes(document: dict[str, Any]) -> bytes:
    import json

    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_private(path: Path, content: bytes) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    return hashlib.sha256(content).hexdigest(), len(content)


def write_transcript(
    workdir: Path, record: Mapping[str, Any], chat: Chat, info: engines.EngineInfo, made_at: str
) -> list[tuple[str, Path, str, int]]:
    """transcript.jsonl, .csv and .html of the chat, by the chat exports' own writer."""
    from evidencekit.exports.base import MESSAGE, SYSTEM, Conversation, Message
    from evidencekit.exports.renderings import render_files
    from evidencekit.exports.transcript import CSV, HTML, TRANSCRIPT_FORMAT, TranscriptWriter

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
