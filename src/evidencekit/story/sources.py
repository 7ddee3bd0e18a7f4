"""Reading what other parts of evidencekit made: chat transcripts and web captures.

Transcripts are `data/derived/<item id>/transcript.jsonl` (the contract in
docs/reference/case-format.md): a header line (it has `format`), then one message per line: `seq`,
`time` (ISO 8601 with offset, or null), `time_as_written`, `time_zone_assumed`, `conversation`,
`sender`, `sender_id`, `text`, `kind` ("message" or "system"), `attachments`, `flags`, `source`. The
chat export's item record says which parser read it (`export.format`). Web captures are items of kind
"url-capture" with `url_id`, `files` and `web_capture`. Both are optional: a case without them
simply has no messages or captures to show.

A line that cannot be read is skipped and counted, never fatal: a report must still be made from a
case whose transcript was cut short. The file is opened through `safepath`: a link or a FIFO put in
a transcript's place is never followed or waited on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.case import Case
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.records import ItemRecord

TRANSCRIPT_NAME = "transcript.jsonl"


@dataclass
class Transcript:
    """One item's transcript file, and what reading it found."""

    item_id: str
    item_name: str
    bag_path: str
    path: Path
    platform: str | None
    root: Path | None = None  # the case folder, through which `bag_path` is opened
    header: dict[str, Any] = field(default_factory=dict)
    unreadable_lines: int = 0
    messages: int = 0
    senders: dict[str, int] = field(default_factory=dict)


def transcripts(case: Case, items: Sequence[ItemRecord] | None = None) -> list[Transcript]:
    """The transcripts present in the case, in item order."""
    out = []
    for item in items if items is not None else case.items():
        item_id = str(item.get("id"))
        bag_path = f"{layout.DERIVED_DIR}/{item_id}/{TRANSCRIPT_NAME}"
        export = item.get("export")
        named = export.get("transcript") if isinstance(export, dict) else None
        if (
            isinstance(named, str)
            and named.startswith(f"{layout.DERIVED_DIR}/{item_id}/")
            and ".." not in named
        ):
            bag_path = named
        if safepath.is_file_in_case(case.root, bag_path):
            out.append(
                Transcript(
                    item_id=item_id,
                    item_name=str(item.get("original_name") or item_id),
                    bag_path=bag_path,
                    path=case.root / bag_path,
                    platform=chat_platform(item),
                    root=case.root,
                )
            )
    return out


_PARSER_PLATFORMS = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "snapchat": "Snapchat",
    "discord": "Discord",
    "sms": "SMS / phone",
}


def chat_platform(item: ItemRecord) -> str | None:
    """The platform of a chat export, from what its record says the parser recognised."""
    export = item.get("export")
    if isinstance(export, dict):
        parser = str(export.get("format") or "")
        if parser in _PARSER_PLATFORMS:
            return _PARSER_PLATFORMS[parser]
        label = str(export.get("label") or "").lower()
        if parser == "meta":
            if "instagram" in label or str(export.get("variant", "")).startswith("instagram"):
                return "Instagram"
            return "Facebook Messenger" if "messenger" in label else "Instagram or Facebook Messenger"
    for key in ("platform", "chat_platform"):
        value = item.get(key)
        if isinstance(value, str):
            return value
    for key in ("chat_export", "transcript", "export"):
        block = item.get(key)
        if isinstance(block, dict):
            for inner in ("platform", "format", "app"):
                found = block.get(inner)
                if isinstance(found, str):
                    return found
    return None


def messages(transcript: Transcript) -> Iterator[dict[str, Any]]:
    """Every readable message of a transcript, in file order (streamed: files can be large)."""
    transcript.unreadable_lines = 0
    transcript.messages = 0
    transcript.senders = {}
    if transcript.root is not None:
        handle = os.fdopen(
            safepath.open_regular(transcript.root, transcript.bag_path),
            "r",
            encoding="utf-8",
            errors="replace",
        )
    else:
        handle = transcript.path.open("r", encoding="utf-8", errors="replace")
    with handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                message = parse_json(line)
            except ValueError:
                transcript.unreadable_lines += 1
                continue
            if not isinstance(message, dict):
                transcript.unreadable_lines += 1
                continue
            if "format" in message and "seq" not in message:
                transcript.header = message  # the header line: which export, parser, zone
                continue
            transcript.messages += 1
            sender = message.get("sender")
            if isinstance(sender, str) and message.get("kind", "message") == "message":
                transcript.senders[sender] = transcript.senders.get(sender, 0) + 1
            yield message


def web_captures(items: Sequence[ItemRecord]) -> dict[str, ItemRecord]:
    """{url id: the latest url-capture item for it}."""
    out: dict[str, ItemRecord] = {}
    for item in items:
        if item.get("kind") == "url-capture" and item.get("url_id"):
            out[str(item["url_id"])] = item
    return out
