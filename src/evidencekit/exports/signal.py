"""Signal Desktop chats exported with signal-export (`sigexport`, by carderne).

Signal itself has no “export chat” button; signal-export reads Signal Desktop's database and
writes one folder per chat: `<Name>/chat.md` (Markdown), `<Name>/data.json` (one JSON object a
line, the same messages), `<Name>/index.html`, and `<Name>/media/` with the attachments.

Markdown lines look like `[2024-02-09 22:16:03] Alex: text` (older versions: `[2024-02-09, 22:16]`,
minutes only). The times are the exporting computer's wall-clock time without a zone, so they are
read in the zone the person states and flagged. A message may continue on the following lines; a
quoted message comes first as `> ` lines, reactions as `(- Name: emoji -)`, attachments as
Markdown links into `media/`. When `data.json` is there it is read instead (its fields are
separate, so nothing has to be guessed from the layout); `chat.md` is read when it is alone,
and `index.html` (see signal_html) when neither is there.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from evidencekit.exports import signal_html
from evidencekit.exports.base import SYSTEM, Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import localise

NAME = "signal"
VERSION = "1"
OWNER = "(account owner)"
_SELF = "Me"

HEADER = re.compile(
    r"^\[(?P<date>\d{4}-\d{2}-\d{2})(?:, | )(?P<time>\d{2}:\d{2}(?::\d{2})?)\] "
    r"(?P<sender>[^:\n]{1,200}?): ?(?P<text>.*)$"
)
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]+)\)")
_REACTIONS = re.compile(r"^\(- (?P<list>.*) -\)$")
_STICKER = re.compile(r"^\(\( (?P<label>.*) \)\)$")
_DELETED = "(This message was deleted)"
_CALL = re.compile(r"^(?:Incoming|Outgoing|Missed) (?:voice |video )?call\b")
_MAX_LINE = 1 << 20


def _first_lines(source: Source, name: str) -> list[str]:
    return [line for line in head_text(source, name, 8192).splitlines() if line.strip()][:5]


def _is_markdown(source: Source, name: str) -> bool:
    lines = _first_lines(source, name)
    return bool(lines) and HEADER.match(lines[0]) is not None


def _is_jsonl(source: Source, name: str) -> bool:
    lines = _first_lines(source, name)
    if not lines:
        return False
    try:
        first = json.loads(lines[0])
    except ValueError:
        return False
    return isinstance(first, dict) and {"date", "sender", "body"} <= set(first)


def detect(source: Source) -> Detection | None:
    names = source.names()
    if source.kind == "file":
        name = names[0]
        if name.lower().endswith(".json") and _is_jsonl(source, name):
            return Detection(NAME, 0.9, "Signal chat exported by signal-export (JSON lines)", "json", [name])
        if not name.lower().endswith(".json") and _is_markdown(source, name):
            return Detection(
                NAME, 0.95, "Signal chat exported by signal-export (Markdown)", "markdown", [name]
            )
        if name.lower().endswith((".html", ".htm")) and signal_html.looks_like_page(source, name):
            return Detection(NAME, 0.9, "Signal chat exported by signal-export (HTML page)", "html", [name])
        return None
    chats: dict[str, str] = {}
    for name in names:
        base = posixpath.basename(name)
        folder = posixpath.dirname(name)
        # data.json holds the same messages with every field apart, so it wins over chat.md.
        json_lines = base == "data.json" and _is_jsonl(source, name)
        markdown = (
            base == "chat.md" and not chats.get(folder, "").endswith(".json") and _is_markdown(source, name)
        )
        if json_lines or markdown:
            chats[folder] = name
    # A chat folder with neither chat.md nor data.json: its page is all there is.
    checked = 0
    for name in names:
        folder = posixpath.dirname(name)
        if posixpath.basename(name) != "index.html" or folder in chats or checked >= 50:
            continue
        checked += 1
        if signal_html.looks_like_page(source, name):
            chats[folder] = name
    if not chats:
        return None
    files = [chats[key] for key in sorted(chats)]
    kinds = {_kind(name) for name in files}
    variant = kinds.pop() if len(kinds) == 1 else "mixed"
    label = "Signal chats exported by signal-export" + (
        {"markdown": " (Markdown)", "json": " (JSON lines)", "html": " (HTML pages)"}.get(variant, "")
    )
    return Detection(NAME, 0.95, label, variant, files, {"platform": "Signal"})


def _kind(name: str) -> str:
    lower = name.lower()
    return "json" if lower.endswith(".json") else "html" if lower.endswith((".html", ".htm")) else "markdown"


def _conversation(source: Source, name: str) -> Conversation:
    folder = posixpath.dirname(name)
    title = posixpath.basename(folder) if folder else posixpath.basename(name).rsplit(".", 1)[0]
    if not folder and source.kind == "file":
        title = source.label.rsplit(".", 1)[0] or title
    return Conversation(key=folder or name, name=title)


def _naive(date: str, time: str) -> datetime | None:
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(f"{date} {time}", form)
        except ValueError:
            continue
    return None


def _set_time(msg: Message, naive: datetime | None, context: ParseContext, previous: datetime | None) -> None:
    if naive is None or context.zone is None:
        msg.flag("time-unknown")
        return
    if naive.tzinfo is not None:
        msg.time = naive
        return
    msg.time, flag = localise(naive, context.zone, previous)
    msg.time_zone_assumed = True
    if flag:
        msg.flag(flag)


def _sender(msg: Message, sender: str) -> None:
    if sender == _SELF:
        msg.sender = OWNER
        msg.details["sent_by_account_owner"] = True
    else:
        msg.sender = sender
        msg.sender_id = sender


def _attachment(source: Source, near: str, label: str, path: str) -> Attachment:
    written = path
    path = unquote(path)
    member = source.find(path, near=near)
    if member is not None and posixpath.basename(member) != posixpath.basename(path):
        member = None
    kind = None
    if path.startswith("../exported_stickers/") or "exported_stickers/" in path:
        kind = "sticker"
    return Attachment(
        name=label or posixpath.basename(path), member=member, type=kind, details={"path_as_written": written}
    )


def _finish_markdown(msg: Message, lines: list[str], source: Source, name: str) -> None:
    """Split what signal-export packed into the lines of one message: quote, text, reactions,
    sticker and attachments."""
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and not lines[0].strip():
        # `Name: ` then a blank line and `> ` lines: the message quotes an earlier one.
        at = 0
        while at < len(lines) and not lines[at].strip():
            at += 1
        quoted = []
        while at < len(lines) and lines[at].startswith("> "):
            quoted.append(lines[at][2:])
            at += 1
        if quoted:
            msg.flag("reply")
            msg.details["quote"] = "\n".join(quoted)
            while at < len(lines) and not lines[at].strip():
                at += 1
            lines = lines[at:]
    text_lines = []
    for line in lines:
        reactions = _REACTIONS.match(line.strip())
        sticker = _STICKER.match(line.strip())
        if reactions:
            for part in reactions.group("list").split(", "):
                who, _, emoji = part.rpartition(": ")
                msg.reactions.append({"actor": who or None, "reaction": emoji or part})
            continue
        if sticker:
            msg.details["sticker"] = sticker.group("label")
            continue
        for _bang, label, path in _LINK.findall(line):
            msg.attachments.append(_attachment(source, name, label, path))
        line = _LINK.sub("", line) if _LINK.search(line) else line
        text_lines.append(line.rstrip())
    text = "\n".join(text_lines).strip("\n")
    if text.strip() == _DELETED:
        msg.flag("deleted")
        msg.details["text_as_exported"] = text
        text = ""
    if _CALL.match(text.strip()):
        msg.kind = SYSTEM
    msg.text = text.rstrip()


def _parse_markdown(
    source: Source, name: str, context: ParseContext, seq: list[int], counts: dict[str, int]
) -> Iterator[Message]:
    conversation = _conversation(source, name)
    previous: datetime | None = None
    current: Message | None = None
    lines: list[str] = []
    with source.open(name) as stream:
        for number, raw in enumerate(stream, 1):
            if len(raw) > _MAX_LINE:
                raw = raw[:_MAX_LINE]
                counts["cut"] += 1
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if number == 1:
                line = line.lstrip("\ufeff")
            header = HEADER.match(line)
            if header is None:
                if current is not None:
                    lines.append(line)
                elif line.strip():
                    counts["before_first"] += 1
                continue
            if current is not None:
                _finish_markdown(current, lines, source, name)
                yield current
            seq[0] += 1
            written = line[1 : line.index("]")]
            current = Message(seq=seq[0], time=None, time_as_written=written, sender=None, text="")
            current.conversation = conversation
            current.source_file = name
            current.source_line = number
            if len(header.group("time")) == 5:
                counts["minutes"] += 1
            _set_time(current, _naive(header.group("date"), header.group("time")), context, previous)
            if current.time is not None:
                previous = current.time
            if current.time_zone_assumed:
                counts["assumed"] += 1
            _sender(current, header.group("sender"))
            lines = [header.group("text")]
        if current is not None:
            _finish_markdown(current, lines, source, name)
            yield current


def _parse_jsonl(
    source: Source, name: str, context: ParseContext, seq: list[int], counts: dict[str, int]
) -> Iterator[Message]:
    conversation = _conversation(source, name)
    previous: datetime | None = None
    with source.open(name) as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw[:_MAX_LINE].decode("utf-8", errors="replace").lstrip("\ufeff"))
            except ValueError:
                counts["bad_lines"] += 1
                continue
            if not isinstance(record, dict):
                counts["bad_lines"] += 1
                continue
            seq[0] += 1
            written = record.get("date") if isinstance(record.get("date"), str) else None
            msg = Message(seq=seq[0], time=None, time_as_written=written, sender=None, text="")
            msg.conversation = conversation
            msg.source_file = name
            msg.source_line = number
            naive = None
            if written:
                try:
                    naive = datetime.fromisoformat(written)
                except ValueError:
                    naive = None
            _set_time(msg, naive, context, previous)
            if msg.time is not None:
                previous = msg.time
            if msg.time_zone_assumed:
                counts["assumed"] += 1
            sender = record.get("sender")
            if isinstance(sender, str):
                _sender(msg, sender)
            body = record.get("body")
            msg.text = body.rstrip() if isinstance(body, str) else ""
            quote = record.get("quote")
            if isinstance(quote, str) and quote.strip():
                msg.flag("reply")
                msg.details["quote"] = "\n".join(
                    part[2:] if part.startswith("> ") else part for part in quote.strip("\n").splitlines()
                )
            for reaction in record.get("reactions") or []:
                if isinstance(reaction, (list, tuple)) and len(reaction) == 2:
                    msg.reactions.append({"actor": reaction[0], "reaction": reaction[1]})
                elif isinstance(reaction, dict):
                    msg.reactions.append(dict(reaction))
            for entry in record.get("attachments") or []:
                if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                    msg.attachments.append(
                        _attachment(source, name, str(entry.get("name") or ""), entry["path"])
                    )
            sticker = record.get("sticker")
            if sticker:
                msg.details["sticker"] = sticker if isinstance(sticker, (str, dict)) else str(sticker)
            if record.get("deleted"):
                msg.flag("deleted")
            if record.get("call") or record.get("missed"):
                msg.kind = SYSTEM
                msg.details["call"] = "missed call" if record.get("missed") else "call"
            yield msg


def _parse_html(
    source: Source, name: str, context: ParseContext, seq: list[int], counts: dict[str, int]
) -> Iterator[Message]:
    conversation = _conversation(source, name)
    previous: datetime | None = None
    sender: tuple[str, bool] | None = None  # the last sender shown, for grouped messages
    for box in signal_html.read_page(source, name):
        seq[0] += 1
        naive, written = signal_html.wall_clock(box)
        msg = Message(seq=seq[0], time=None, time_as_written=written, sender=None, text="")
        msg.conversation = conversation
        msg.source_file = name
        msg.source_line = box.line
        if naive is None and box.grouped:
            counts["grouped"] += 1
            msg.time_as_written = box.day
            msg.details["note"] = "the page shows no time for a message grouped under the one before it"
        _set_time(msg, naive, context, previous)
        if msg.time is not None:
            previous = msg.time
        if msg.time_zone_assumed:
            counts["assumed"] += 1
        shown = box.text("sender")
        if shown:
            sender = (shown, box.mine)
        if sender is not None and box.call is None:
            _sender(msg, _SELF if sender[1] or sender[0] == _SELF else sender[0])
            if not shown:
                msg.details["sender_from_previous"] = True
        quote = box.text("quote")
        if quote:
            msg.flag("reply")
            msg.details["quote"] = quote
        msg.text = box.text("body")
        for src, label, kind in box.media:
            attachment = _attachment(source, name, label, src)
            attachment.type = attachment.type or kind
            msg.attachments.append(attachment)
        for reaction in box.reactions:
            text = " ".join(reaction["as_written"].split())
            if text:
                msg.reactions.append({"actor": reaction["actor"] or None, "as_written": text})
        if box.deleted or msg.text.strip("() ") == _DELETED.strip("()"):
            msg.flag("deleted")
            msg.text = ""
        if box.call is not None:
            msg.kind = SYSTEM
            msg.details["call"] = box.call
        elif _CALL.match(msg.text):
            msg.kind = SYSTEM
        yield msg


class SignalParser:
    name = NAME
    version = VERSION
    reading_order = "file"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        seq = [0]
        counts: dict[str, Any] = {
            "assumed": 0,
            "minutes": 0,
            "bad_lines": 0,
            "before_first": 0,
            "cut": 0,
            "grouped": 0,
        }
        for name in detection.files:
            kind = _kind(name)
            if kind == "json":
                yield from _parse_jsonl(source, name, context, seq, counts)
            elif kind == "html":
                yield from _parse_html(source, name, context, seq, counts)
            else:
                yield from _parse_markdown(source, name, context, seq, counts)
        if counts["assumed"]:
            context.warn(
                f"signal-export writes the exporting computer's local time without a zone; "
                f"{counts['assumed']} time(s) were read as {context.zone_name} time."
            )
        if counts["minutes"]:
            context.facts["time_precision"] = "minute"
        if counts["bad_lines"]:
            context.warn(f"{counts['bad_lines']} line(s) of data.json could not be read and were left out.")
        if counts["before_first"]:
            context.warn(
                f"{counts['before_first']} line(s) before the first message were not part of any message."
            )
        if counts["grouped"]:
            context.warn(
                f"{counts['grouped']} message(s) of signal-export's HTML page were sent within minutes of "
                "the same sender's previous one, and the page shows no time for them: they keep their "
                "place in the order, flagged time-unknown (chat.md or data.json, if kept, have every time)."
            )
        if counts["cut"]:
            context.warn(
                f"{counts['cut']} line(s) longer than 1 MB were cut to 1 MB (the file is unchanged)."
            )


PARSER = SignalParser()
