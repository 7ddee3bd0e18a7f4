"""The parts every chat-export parser shares: one message, one attachment, and the parser role.

A parser has two jobs. `detect(source)` looks at a few bytes and names (never the whole export)
and says how sure it is that the export is its format. `parse(source, detection, context)` yields
`Message`s one at a time, in the export's own order, so memory does not grow with the export. A
parser never writes anything and never raises for bad data in the export: it records what it had
to repair or skip in `context.warnings`, and raises `ExportDamaged` only when it cannot go on
(for example, a JSON file that ends half-way); what it yielded before that is kept.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from evidencekit.exports.source import Source

MESSAGE = "message"
SYSTEM = "system"

# The flags a message can carry (docs/reference/case-format.md, “transcript.jsonl”).
FLAGS = (
    "deleted",
    "edited",
    "forwarded",
    "reply",
    "media-omitted",
    "unsent",
    "time-ambiguous",
    "time-nonexistent",
    "text-repaired",
    "time-marker-ignored",  # `23:59 PM`: a 24-hour time with an AM/PM marker; read as 24-hour
    "time-implausible",  # after the capture, before the platform existed, or out of order
    "time-unknown",  # a date written in a form we cannot read for sure: kept as written, no time
    "text-unreadable",  # the text is stored in a form that could not be read (iMessage blobs)
)
TIME_IMPLAUSIBLE = "time-implausible"


class ExportDamaged(Exception):
    """The export cannot be read further (truncated, invalid JSON/XML…). The sentence says where."""


# Errors raised while *reading* an export (JSON, XML, zip, text); anything else is a bug or a
# problem with our own disk and is not hidden. Parsers that read an export in parts (Meta's
# thread files) catch these per part, so one damaged part costs only that part.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    ExportDamaged,
    ValueError,  # json, ijson, bad numbers and dates
    UnicodeError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    csv.Error,  # e.g. a field longer than any message (the csv module's limit is 128 KB)
    KeyError,
    TypeError,
    AttributeError,
)


def read_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the export is damaged here" (ijson's and expat's included)."""
    extra: list[type[BaseException]] = []
    try:
        import ijson  # type: ignore[import-untyped]

        extra.append(ijson.JSONError)
    except ImportError:  # pragma: no cover - ijson is a dependency
        pass
    from xml.parsers.expat import ExpatError

    extra.append(ExpatError)
    return _READ_ERRORS + tuple(extra)


def read_errors_and_os() -> tuple[type[BaseException], ...]:
    """read_errors() and OSError: for a part of an export read on its own, where a zip damaged
    inside (a member's header pointing nowhere) fails as the member is read."""
    return (*read_errors(), OSError)


def read_problem(exc: BaseException) -> str:
    """What a reading error says about the export, as the middle of a sentence."""
    if isinstance(exc, ExportDamaged):
        return str(exc)
    name = type(exc).__name__
    text = str(exc).strip() or name
    if "Incomplete" in name or "premature EOF" in text or "no element found" in text:
        return "the file ends too early: it looks cut off"
    if isinstance(exc, csv.Error):
        return f"a CSV file of the export is damaged ({text})"
    if isinstance(exc, UnicodeError):
        return f"the text is not in the expected encoding ({text})"
    return f"the export is damaged or not in the expected layout ({name}: {text[:200]})"


class NeedsDateOrder(Exception):
    """A WhatsApp-style export whose dates fit both day-first and month-first readings."""

    def __init__(self, message: str, examples: list[str]) -> None:
        super().__init__(message)
        self.examples = examples


@dataclass
class Conversation:
    """A chat or thread. Parsers may fill in `name` after its messages (Meta writes it last)."""

    key: str
    name: str | None = None
    kind: str | None = None  # "personal_chat", "group", "DM"… as the export says, when it says
    participants: list[str] = field(default_factory=list)


@dataclass
class Attachment:
    """A file a message refers to. `member` is its path inside the export, when it is there."""

    name: str
    member: str | None = None
    type: str | None = None  # photo, video, audio, file, sticker, gif, voice…
    url: str | None = None  # where the export points at a web address instead of a file
    data: bytes | None = None  # inline media (SMS backups); written out as a derived file
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    """One message (or system event) as the export has it."""

    seq: int
    time: datetime | None  # aware, or None when the export gives no usable time
    time_as_written: str | None
    sender: str | None
    text: str
    kind: str = MESSAGE
    time_zone_assumed: bool = False
    sender_id: str | None = None
    id: str | None = None
    conversation: Conversation | None = None
    attachments: list[Attachment] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    source_file: str | None = None
    source_line: int | None = None
    source_json_path: str | None = None

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


@dataclass
class Detection:
    """What `detect` found: how sure it is, and the facts `parse` needs."""

    parser: str
    confidence: float  # 0..1; 0.5 or more means "this is my format"
    label: str  # "WhatsApp chat export (iOS)"
    variant: str | None = None
    files: list[str] = field(default_factory=list)  # the export's main files, in reading order
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseContext:
    """What a parser needs to know from outside, and where it reports problems."""

    zone: tzinfo | None  # for times written without a zone
    zone_name: str | None
    display_zone: tzinfo | None  # absolute times are shown in this zone (the case's)
    date_order: str | None = None  # "dmy", "mdy" or "ymd" when the person said so
    not_after: datetime | None = None  # no message can be later than this (capture time)
    source_name: str = ""  # the item's original name (WhatsApp names the chat in it)
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # decisions to record (date order, …)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


class Parser(Protocol):
    """One chat-export format."""

    name: str  # "whatsapp"
    version: str  # bumped whenever output for the same input changes
    reading_order: str  # "file": the export's order is the reading order; "time": sort by time

    def detect(self, source: Source) -> Detection | None: ...

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]: ...
