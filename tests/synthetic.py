"""Synthetic case content made through the CaseChange API, as the chat-export and URL-capture
parts of evidencekit would make it (their contracts: docs/reference/case-format.md).

Used by the report and story tests, and by bench/report.py. Only the public staging API is used,
so every case built here verifies like a real one.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from evidencekit.case.case import Case
from evidencekit.case.jsonlines import dumps_lines
from evidencekit.clock import iso_utc

START = datetime(2026, 3, 14, 21, 0, tzinfo=timezone.utc)


def message(
    seq: int,
    text: str,
    *,
    sender: str = "Alex",
    sender_id: str | None = "1784140000123",
    at: datetime | None = None,
    zone_assumed: bool = False,
    attachments: list[dict[str, Any]] | None = None,
    flags: list[str] | None = None,
    kind: str = "message",
) -> dict[str, Any]:
    moment = at or START + timedelta(minutes=seq)
    return {
        "seq": seq,
        "time": moment.isoformat(timespec="seconds"),
        "time_as_written": moment.strftime("%d/%m/%Y, %H:%M"),
        "time_zone_assumed": zone_assumed,
        "sender": sender,
        "sender_id": sender_id,
        "text": text,
        "kind": kind,
        "attachments": attachments or [],
        "flags": flags or [],
        "source": {"file": "chat.txt", "line": seq},
    }


def add_transcript(case: Case, item_id: str, messages: list[dict[str, Any]]) -> str:
    """Write data/derived/<item_id>/transcript.jsonl as the chat-export parser would."""
    data = dumps_lines(messages).encode("utf-8")
    bag_path = f"data/derived/{item_id}/transcript.jsonl"
    with case.change("transcript") as change:
        target = change.reserve_payload(bag_path)
        target.write_bytes(data)
        change.add_payload(bag_path, hashlib.sha256(data).hexdigest(), len(data))
        change.log("transcript-made", {"item": item_id, "path": bag_path, "messages": len(messages)})
    return bag_path


def add_chat_export(
    case: Case, folder: Path, messages: list[dict[str, Any]], name: str = "WhatsApp Chat with Alex.txt"
) -> str:
    """Capture a small export file as an item and give it a transcript; returns the item id."""
    from evidencekit.intake.files import capture

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / name
    source.write_text(
        "".join(f"{m['time_as_written']} - {m['sender']}: {m['text']}\n" for m in messages), encoding="utf-8"
    )
    result = capture(case, [source], kind="chat-export")
    item_id = result.added[0]["id"] if result.added else result.duplicates[0][1]
    add_transcript(case, item_id, messages)
    return item_id


def png_bytes(colour: tuple[int, int, int], size: tuple[int, int] = (320, 200), marker: bytes = b"") -> bytes:
    """A real PNG of one colour (with an optional text chunk, to make its bytes distinctive)."""
    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", size, colour)
    info = PngImagePlugin.PngInfo()
    if marker:
        info.add_text("Comment", marker.decode("ascii"))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def add_web_capture(
    case: Case,
    url_id: str,
    *,
    screenshot: bytes,
    requested_url: str,
    final_url: str | None = None,
    status: int = 200,
    title: str = "Profile",
    errors: list[str] | None = None,
) -> str:
    """Add a url-capture item (folder under data/web/) as the URL archiver would; returns its id."""
    files = {
        "capture.warc.gz": b"WARC/1.1 (synthetic)\n",
        "screenshot.png": screenshot,
        "page.pdf": b"%PDF-1.4 synthetic\n",
    }
    with case.change("archive-url") as change:
        item_id = change.next_item_id()
        bag_path = f"data/web/{url_id}-capture"
        members = []
        for name, data in sorted(files.items()):
            digest = hashlib.sha256(data).hexdigest()
            target = change.reserve_payload(f"{bag_path}/{name}")
            target.write_bytes(data)
            change.add_payload(f"{bag_path}/{name}", digest, len(data))
            members.append(
                {"path": name, "original_path": name, "size": len(data), "sha256": digest, "md5": None}
            )
        tree = hashlib.sha256("".join(f"{m['sha256']}  {m['path']}\n" for m in members).encode()).hexdigest()
        now = change.now()
        record = {
            "id": item_id,
            "kind": "url-capture",
            "url_id": url_id,
            "original_name": f"capture of {requested_url}",
            "source_path": requested_url,
            "size": sum(m["size"] for m in members),
            "sha256": None,
            "md5": None,
            "tree_sha256": tree,
            "file_count": len(members),
            "files": members,
            "mime": None,
            "captured_at": iso_utc(now),
            "captured_at_local": case.local_time(now),
            "captured_by": change.actor,
            "note": None,
            "tags": [],
            "sensitive": False,
            "by_reference": False,
            "bag_path": bag_path,
            "web_capture": {
                "requested_url": requested_url,
                "final_url": final_url or requested_url,
                "status": status,
                "title": title,
                "ip": "203.0.113.7",
                "fetched_at": iso_utc(now),
                "tls": None,
                "tools": {"chromium": "156"},
                "errors": errors or [],
            },
        }
        change.add_item(record)
        change.log("item-captured", {"item": item_id, "kind": "url-capture", "url_id": url_id})
    return item_id
