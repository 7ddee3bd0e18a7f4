"""Synthetic case content made through the CaseChange API, in the shape the chat-export and
URL-capture parts of evidencekit write (their contracts: docs/reference/case-format.md).

Used where a test needs exact control over messages (sender ids, flags, zones, 50,000 of them) or a
web capture without a network; tests of the real pipelines capture real exports instead. Only the
public staging API is used, so every case built here verifies like a real one.
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
    conversation: str | None = None,
) -> dict[str, Any]:
    """One transcript line, with every key of the contract."""
    moment = at or START + timedelta(minutes=seq)
    return {
        "seq": seq,
        "id": None,
        "conversation": conversation,
        "time": moment.isoformat(timespec="seconds"),
        "time_as_written": moment.strftime("%d/%m/%Y, %H:%M"),
        "time_zone_assumed": zone_assumed,
        "sender": sender,
        "sender_id": sender_id,
        "text": text,
        "kind": kind,
        "attachments": attachments or [],
        "flags": flags or [],
        "reactions": [],
        "details": {},
        "source": {"file": "conversation.dat", "line": seq},
    }


def add_transcript(
    case: Case, item_id: str, messages: list[dict[str, Any]], parser: str = "synthetic"
) -> str:
    """Write data/derived/<item_id>/transcript.jsonl (a header line, then the messages)."""
    header = {
        "format": "evidencekit-transcript/1",
        "item": item_id,
        "parser": parser,
        "time_zone": case.info.zone,
        "summary": {"messages": len(messages)},
    }
    data = dumps_lines([header, *messages]).encode("utf-8")
    bag_path = f"data/derived/{item_id}/transcript.jsonl"
    with case.change("transcript") as change:
        target = change.reserve_payload(bag_path)
        target.write_bytes(data)
        change.add_payload(bag_path, hashlib.sha256(data).hexdigest(), len(data))
        change.log(
            "synthetic-transcript-added", {"item": item_id, "path": bag_path, "messages": len(messages)}
        )
    return bag_path


def add_chat_export(
    case: Case, folder: Path, messages: list[dict[str, Any]], name: str = "conversation.dat"
) -> str:
    """Capture a small file that no parser recognises and give it a synthetic transcript; returns the
    item id. (A real export is transcribed by evidencekit itself when it is captured.)"""
    from evidencekit.intake.files import capture

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / name
    source.write_bytes(f"synthetic conversation {name}: {len(messages)} messages\n".encode())
    result = capture(case, [source])
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


def warc_bytes(url: str, status: int) -> bytes:
    """A small, valid WARC 1.1 file with one response record (warcio writes its digests)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    body = b"<html><title>Profile</title><body>synthetic page</body></html>"
    headers = StatusAndHeaders(f"{status} OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
    )  # with the length given, warcio needs no temporary file
    writer.write_record(record)
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
    errors: list[dict[str, str]] | None = None,
) -> str:
    """Add a url-capture item (a folder under data/web/), as `add-url --archive` does; returns its id."""
    files = {
        "capture.warc.gz": ("warc", warc_bytes(final_url or requested_url, status), "application/warc"),
        "screenshot.png": ("screenshot", screenshot, "image/png"),
        "page.pdf": ("pdf", b"%PDF-1.4 synthetic\n", "application/pdf"),
    }
    with case.change("archive-url") as change:
        item_id = change.next_item_id()
        number = 1 + sum(1 for i in change.existing_items if i.get("url_id") == url_id)
        bag_path = f"data/web/{url_id}-{number}"
        members = []
        for name, (role, data, mime) in sorted(files.items()):
            digest = hashlib.sha256(data).hexdigest()
            target = change.reserve_payload(f"{bag_path}/{name}")
            target.write_bytes(data)
            change.add_payload(f"{bag_path}/{name}", digest, len(data))
            members.append({"path": name, "role": role, "size": len(data), "sha256": digest, "mime": mime})
        tree = hashlib.sha256("".join(f"{m['sha256']}  {m['path']}\n" for m in members).encode()).hexdigest()
        now = change.now()
        record = {
            "id": item_id,
            "kind": "url-capture",
            "url_id": url_id,
            "capture_number": number,
            "original_name": requested_url,
            "source_url": requested_url,
            "source_path": None,
            "size": sum(m["size"] for m in members),
            "sha256": None,
            "md5": None,
            "tree_sha256": tree,
            "file_count": len(members),
            "files": members,
            "mime": "inode/directory",
            "captured_at": iso_utc(now),
            "captured_at_local": case.local_time(now),
            "captured_by": change.actor,
            "note": None,
            "tags": [],
            "sensitive": False,
            "by_reference": False,
            "stored_name_changed": False,
            "bag_path": bag_path,
            "web_capture": {
                "requested_url": requested_url,
                "final_url": final_url or requested_url,
                "status": status,
                "title": title,
                "ip": "203.0.113.7",
                "fetched_at": iso_utc(now),
                "fetched_at_local": case.local_time(now),
                "tls": None,
                "tools": {"browser": "Chromium 156"},
                "errors": errors or [],
            },
        }
        change.add_item(record)
        change.log("item-captured", {"item": item_id, "kind": "url-capture", "url_id": url_id})
        change.log("url-archived", {"url_id": url_id, "item": item_id, "requested_url": requested_url})
    return item_id
