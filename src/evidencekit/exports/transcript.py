"""Writing a transcript: `transcript.jsonl` (the contract), then `.csv` and `.html` made from it.

Messages arrive from a parser one at a time and are written straight to a body file, so memory
does not grow with the export. When the export's own order is not the reading order (Meta writes
newest first; SMS backups list texts, then picture messages), only a small index (the sort key and
the line's offset, 16 bytes a message) is kept, and the lines are copied out in order at the end,
numbered again as they are read (#1 is the first message of the transcript, whatever the export's
order; `source` says where each one is in the export). The header line comes first, so it can say
how complete the transcript is and what was assumed.

Media embedded in the export file itself (MMS pictures in an SMS backup) are saved as derived
files under `attachments/`, so police can match them by their hash like any other picture, but
only when the capture's `media_policy` allows it: in a case marked under 18, or for bytes the case
already records as sensitive, they are hashed and never written out.

The CSV and HTML are renderings of the JSONL (renderings.py, transcript_html.py); the
`transcript` command renders the same way. The HTML is one self-contained page: no scripts, no
remote anything (a Content-Security-Policy forbids it even if a message contains markup), and
attachments are never embedded or linked, only named with their SHA-256, because they may be
intimate images.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from evidencekit.case.jsonlines import parse_json
from evidencekit.exports.base import MESSAGE, SYSTEM, Attachment, Message
from evidencekit.exports.source import Source
from evidencekit.exports.times import iso

TRANSCRIPT_FORMAT = "evidencekit-transcript/1"
JSONL = "transcript.jsonl"
CSV = "transcript.csv"
HTML = "transcript.html"
ATTACHMENTS_DIR = "attachments"
_EPOCH = datetime(1970, 1, 1).timestamp()
_SHIFT = 1 << 46
_BIAS = 1 << 45


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
dumps = _ENCODER.encode  # canonical JSON, like the case's own records


# (sha256, size) of an embedded file → None when it may be saved as a derived file, else why not.
MediaPolicy = Callable[[str, int], str | None]
NOT_SAVED = "it is kept only inside the export file (hashed, not saved as a separate file)"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


FILE_MODE = 0o600  # like every other file in the case: transcripts quote private messages


def _private_file(path: Path, *, exclusive: bool) -> IO[bytes]:
    """A new file only its owner can read, whatever the umask (open() would give 0644, or 0666
    under umask 000). The mode is given to the system call itself, so there is no moment when
    the file is readable by others; the caller closes the returned file."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_EXCL if exclusive else os.O_TRUNC
    fd = os.open(path, flags, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # a file left by an earlier run keeps its old mode otherwise
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


class HashingWriter(io.RawIOBase):
    """A binary file that hashes what is written to it (the derived file's manifest entry)."""

    def __init__(self, path: Path) -> None:
        self._fh = _private_file(path, exclusive=True)
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._fh.write(data)
        self.sha.update(data)
        self.size += len(data)
        return len(data)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        super().close()


@dataclass
class WrittenFile:
    relative: str  # inside data/derived/<item>/
    path: Path  # where it was written (a staging folder)
    sha256: str
    size: int


@dataclass
class Stats:
    """Counts for the item record, `status` and the transcript header."""

    messages: int = 0
    system: int = 0
    senders: Counter[str] = field(default_factory=Counter)
    conversations: dict[str, str | None] = field(default_factory=dict)
    first_time: datetime | None = None
    last_time: datetime | None = None
    first_time_text: str | None = None
    last_time_text: str | None = None
    no_time: int = 0
    assumed: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    attachments: int = 0
    attachments_found: int = 0
    attachments_missing: int = 0
    embedded_media: int = 0  # pictures/videos inside the export file itself (e.g. MMS in an SMS backup)

    def add(self, msg: Message, record: dict[str, Any]) -> None:
        if msg.kind == SYSTEM:
            self.system += 1
        else:
            self.messages += 1
            if msg.sender is not None:
                self.senders[msg.sender] += 1
        if msg.conversation is not None and msg.conversation.key not in self.conversations:
            self.conversations[msg.conversation.key] = msg.conversation.name
        if msg.time is None:
            self.no_time += 1
        else:
            if self.first_time is None or msg.time < self.first_time:
                self.first_time, self.first_time_text = msg.time, record["time"]
            if self.last_time is None or msg.time > self.last_time:
                self.last_time, self.last_time_text = msg.time, record["time"]
        if msg.time_zone_assumed:
            self.assumed += 1
        if msg.flags:
            self.flags.update(msg.flags)
        for attachment in record["attachments"]:
            self.attachments += 1
            if attachment["missing"]:
                self.attachments_missing += 1
            else:
                self.attachments_found += 1

    def summary(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "system_messages": self.system,
            "conversations": len(self.conversations),
            "conversation_names": [n for n in list(self.conversations.values())[:50] if n],
            "senders": [name for name, _ in self.senders.most_common(50)],
            "sender_count": len(self.senders),
            "messages_by_sender": dict(self.senders.most_common(50)),
            "first_time": self.first_time_text,
            "last_time": self.last_time_text,
            "messages_without_time": self.no_time,
            "times_zone_assumed": self.assumed,
            "flags": dict(sorted(self.flags.items())),
            "attachments": {
                "referenced": self.attachments,
                "in_export": self.attachments_found,
                "missing": self.attachments_missing,
                "embedded_media": self.embedded_media,
            },
        }


class TranscriptWriter:
    """Takes messages in export order, writes `transcript.jsonl` (and any inline media) in `workdir`."""

    def __init__(self, workdir: Path, source: Source, derived_prefix: str, reading_order: str) -> None:
        self.workdir = workdir
        self.source = source
        self.derived_prefix = derived_prefix
        self.reading_order = reading_order
        self.newest_first = False
        self.media_policy: MediaPolicy | None = None  # None: embedded media are never written out
        self.stats = Stats()
        self.files: list[WrittenFile] = []
        self._body_path = workdir / "transcript.body.tmp"
        self._body = _private_file(self._body_path, exclusive=False)
        self._offset = 0
        self._keys = array("q")
        self._offsets = array("q")
        self._lengths = array("q")
        self._sorted = True
        self._last_key = -(1 << 62)
        self._conv_index: dict[str, int] = {}
        self._last_time_ms: dict[int, int] = {}

    # ---- taking messages ----

    def add(self, msg: Message) -> None:
        _text_fields_as_text(msg)
        record = self.record(msg)
        self.stats.add(msg, record)
        line = (dumps(record) + "\n").encode("utf-8")
        if self.reading_order == "time":
            self._index(msg, len(line))
        self._body.write(line)
        self._offset += len(line)

    def _index(self, msg: Message, length: int) -> None:
        key_conv = msg.conversation.key if msg.conversation is not None else ""
        conv = self._conv_index.setdefault(key_conv, len(self._conv_index))
        if msg.time is not None:
            ms = int(msg.time.timestamp() * 1000)
            self._last_time_ms[conv] = ms
        else:
            ms = self._last_time_ms.get(conv, 0)
        key = conv * _SHIFT + max(0, min(_SHIFT - 1, ms + _BIAS))
        if key < self._last_key:
            self._sorted = False
        self._last_key = key
        self._keys.append(key)
        self._offsets.append(self._offset)
        self._lengths.append(length)

    def record(self, msg: Message) -> dict[str, Any]:
        source: dict[str, Any] = {"file": msg.source_file}
        if msg.source_json_path is not None:
            source["json_path"] = msg.source_json_path
        else:
            source["line"] = msg.source_line
        return {
            "seq": msg.seq,
            "id": msg.id,
            "conversation": msg.conversation.name if msg.conversation is not None else None,
            "time": iso(msg.time),
            "time_as_written": msg.time_as_written,
            "time_zone_assumed": bool(msg.time_zone_assumed and msg.time is not None),
            "sender": msg.sender,
            "sender_id": msg.sender_id,
            "text": msg.text,
            "kind": msg.kind if msg.kind in (MESSAGE, SYSTEM) else MESSAGE,
            "attachments": [self._attachment(msg, a, n) for n, a in enumerate(msg.attachments, 1)],
            "flags": list(msg.flags),
            "reactions": msg.reactions,
            "details": msg.details,
            "source": source,
        }

    def _attachment(self, msg: Message, attachment: Attachment, number: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": attachment.name,
            "member": attachment.member,
            "path": None,
            "sha256": None,
            "missing": True,
            "type": attachment.type,
        }
        if attachment.url:
            out["url"] = attachment.url
        if attachment.details:
            out["details"] = attachment.details
        if attachment.data is not None:
            data = attachment.data
            attachment.data = None  # do not keep media in memory
            sha256 = hashlib.sha256(data).hexdigest()
            out.update(
                sha256=sha256,
                md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
                size=len(data),
                missing=False,
                embedded=True,
            )
            if attachment.type in ("image", "video"):
                self.stats.embedded_media += 1
            refused = NOT_SAVED if self.media_policy is None else self.media_policy(sha256, len(data))
            if refused is None:
                out["path"] = self._save_embedded(attachment.name, data, sha256)
            else:
                out["not_saved"] = refused
            return out
        if attachment.member is not None:
            member = self.source.member(attachment.member)
            if member is not None:
                out.update(path=member.bag_path, sha256=member.sha256, missing=False, size=member.size)
        return out

    def _save_embedded(self, name: str, data: bytes, sha256: str) -> str:
        """Write an embedded file as `attachments/<n>-<name>` (the name made safe for every
        BagIt tool; the number keeps two parts named alike apart). Returns its bag path."""
        folder = self.workdir / ATTACHMENTS_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        safe = _UNSAFE_NAME.sub("_", name).strip("._-")[:80] or "file"
        relative = f"{ATTACHMENTS_DIR}/{len(self.files) + 1:05d}-{safe}"
        writer = HashingWriter(self.workdir / relative)
        with writer:
            writer.write(data)
        self.files.append(WrittenFile(relative, self.workdir / relative, sha256, len(data)))
        return f"{self.derived_prefix}/{relative}"

    # ---- finishing ----

    def finish(self, header: dict[str, Any]) -> WrittenFile:
        """Write `transcript.jsonl`: the header line, then the messages in reading order."""
        self._body.close()
        target = self.workdir / JSONL
        writer = HashingWriter(target)
        # Unbuffered: each line is read with one seek and one read of exactly its length.
        with writer, open(self._body_path, "rb", buffering=0) as body:
            writer.write((dumps(header) + "\n").encode("utf-8"))
            if self.reading_order != "time" or self._sorted:
                while block := body.read(1 << 20):
                    writer.write(block)
            else:
                positions = (
                    range(len(self._keys) - 1, -1, -1) if self.newest_first else range(len(self._keys))
                )
                keys, offsets, lengths = self._keys, self._offsets, self._lengths
                pending: list[bytes] = []
                size = 0
                for number, index in enumerate(sorted(positions, key=keys.__getitem__), start=1):
                    body.seek(offsets[index])
                    record = json.loads(body.read(lengths[index]))
                    record["seq"] = number  # #1 is the first message as the transcript shows it
                    line = (dumps(record) + "\n").encode("utf-8")
                    pending.append(line)
                    size += len(line)
                    if size > 1 << 20:
                        writer.write(b"".join(pending))
                        pending, size = [], 0
                writer.write(b"".join(pending))
        self._body_path.unlink()
        written = WrittenFile(JSONL, target, writer.sha.hexdigest(), writer.size)
        self.files.insert(0, written)
        return written

    def abandon(self) -> None:
        if not self._body.closed:
            self._body.close()
        self._body_path.unlink(missing_ok=True)


# ---- reading a transcript back ---------------------------------------------------------------


def read_transcript(stream: IO[bytes]) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """(header, messages) from a transcript.jsonl stream."""
    first = stream.readline()
    header = parse_json(first.decode("utf-8")) if first.strip() else {}

    def messages() -> Iterator[dict[str, Any]]:
        for line in stream:
            if line.strip():
                yield parse_json(line.decode("utf-8"))

    return header, messages()


def _text_fields_as_text(msg: Message) -> None:
    """Names and texts as strings, whatever the export held there.

    Exports are hostile input: a damaged JSON can put a number (or a list) where a chat name,
    sender or text belongs. Written as its JSON text it stays visible in the transcript, and
    every later step (CSV, HTML, report) can rely on strings.
    """
    msg.text = _as_text(msg.text) or ""
    msg.sender = _as_text(msg.sender)
    msg.sender_id = _as_text(msg.sender_id)
    if msg.conversation is not None:
        msg.conversation.name = _as_text(msg.conversation.name)
        msg.conversation.kind = _as_text(msg.conversation.kind)


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return (
        json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else str(value)
    )
