"""An item's OCR file read back for showing (`ocr --show`, the report): only the file the manifest
lists with the hash its bytes have, read through safepath, and only an OCR file of that item.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evidencekit.case import layout
from evidencekit.ocr.layout import LOW_CONFIDENCE, RECEIVED, SENT
from evidencekit.ocr.outputs import JSON, OCR_FORMAT
from evidencekit.ocr.service import is_picture, item_reference, refusal
from evidencekit.story.ocr_texts import unread_pictures

UNREAD_REASON = "the case is marked under 18 and this picture is not confirmed to show no nudity."

if TYPE_CHECKING:
    from evidencekit.case.case import Case


@dataclass
class StoredReading:
    """An item's OCR file, read back (checked against the manifest) for showing."""

    item_id: str
    name: str
    problem: str | None = None
    left_out: bool = False  # by story.ocr_texts.unread_pictures: the case is marked under 18
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
            "left_out": self.left_out,
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
    unread = unread_pictures(case, all_items)
    for item in items:
        item_id = str(item["id"])
        shown = StoredReading(item_id, str(item.get("original_name") or item_id))
        out.append(shown)
        if item_id in unread:
            shown.left_out = True
            shown.problem = "Not shown: " + UNREAD_REASON
            continue
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
