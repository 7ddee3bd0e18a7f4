"""The CSV and plain-text renderings of a transcript, and `render_files`, which makes the CSV
and HTML from transcript.jsonl in one pass, hashing each file as it is written. Both are made from
the JSONL (the contract), never from the export; the `transcript` command renders the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from evidencekit.exports.base import SYSTEM
from evidencekit.exports.message_lines import attachment_line, describe_system, detail_lines
from evidencekit.exports.transcript import HashingWriter, WrittenFile, read_transcript
from evidencekit.exports.transcript_html import HtmlRenderer

CSV_COLUMNS = (
    "seq",
    "time",
    "time_as_written",
    "time_zone_assumed",
    "conversation",
    "sender",
    "sender_id",
    "kind",
    "text",
    "flags",
    "attachments",
    "attachment_sha256",
    "attachment_paths",
    "reactions",
    "source_file",
    "source_line",
    "source_json_path",
    "item",
    "parser",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula (OWASP's advice:
    a leading ' is added to cells starting with = + - @; the JSONL keeps the exact text)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in _FORMULA_START:
        return "'" + text
    return text


class CsvRenderer:
    """One row per message, plus the item and parser on every row."""

    def __init__(self, header: dict[str, Any], out: IO[str]) -> None:
        self.writer = csv.writer(out, lineterminator="\r\n")
        self.writer.writerow(CSV_COLUMNS)
        self.item = _cell(header.get("item"))
        self.parser = _cell(f"{header.get('parser')} {header.get('parser_version')}")

    def message(self, m: dict[str, Any]) -> None:
        attachments = m.get("attachments") or []
        source = m.get("source") or {}
        reactions = m.get("reactions") or []
        self.writer.writerow(
            (
                m.get("seq"),
                m.get("time") or "",
                _cell(m.get("time_as_written")),
                "true" if m.get("time_zone_assumed") else "false",
                _cell(m.get("conversation")),
                _cell(m.get("sender")),
                _cell(m.get("sender_id")),
                m.get("kind") or "",
                _cell(m.get("text")),
                ";".join(m.get("flags") or ()),
                _cell(" | ".join(a.get("name") or "" for a in attachments)) if attachments else "",
                " | ".join(a.get("sha256") or "" for a in attachments) if attachments else "",
                _cell(" | ".join(a.get("path") or a.get("member") or "" for a in attachments))
                if attachments
                else "",
                _cell(" ".join(f"{r.get('reaction')}({r.get('actor')})" for r in reactions))
                if reactions
                else "",
                _cell(source.get("file")),
                "" if source.get("line") is None else source["line"],
                _cell(source.get("json_path")),
                self.item,
                self.parser,
            )
        )

    def end(self) -> None:
        return None


def render_csv(header: dict[str, Any], messages: Iterable[dict[str, Any]], out: IO[str]) -> None:
    renderer = CsvRenderer(header, out)
    for m in messages:
        renderer.message(m)


def render_text(header: dict[str, Any], messages: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """A plain-text transcript for reading in a terminal or pasting into a statement."""
    for line in heading_lines(header):
        out.write(line + "\n")
    out.write("\n")
    conversation: Any = object()
    for m in messages:
        if m.get("conversation") != conversation:
            conversation = m.get("conversation")
            out.write(f"\n== {conversation or 'Conversation'} ==\n")
        when = m.get("time") or f"{m.get('time_as_written') or 'no time'} (as written)"
        marks = "".join(f" [{f}]" for f in m.get("flags") or [])
        if m.get("kind") == SYSTEM:
            who = f"{m['sender']}: " if m.get("sender") else ""
            body = f"— {who}{describe_system(m)}"
        else:
            body = f"{m.get('sender') or '(unknown sender)'}: {m.get('text')}"
        lines = body.split("\n")
        out.write(f"[{m.get('seq')}] {when}  {lines[0]}{marks}\n")
        for extra in lines[1:]:
            out.write(f"        {extra}\n")
        for a in m.get("attachments") or []:
            out.write(f"        {attachment_line(a)}\n")
        for line in detail_lines(m):
            out.write(f"        {line}\n")
        for r in m.get("reactions") or []:
            out.write(f"        [reaction {r.get('reaction')} by {r.get('actor')}]\n")


def heading_lines(header: dict[str, Any]) -> list[str]:
    summary = header.get("summary") or {}
    lines = [
        f"Transcript of item {header.get('item')} “{header.get('item_name')}”",
        f"Export: {header.get('export')}; read by evidencekit parser {header.get('parser')} "
        f"{header.get('parser_version')} ({header.get('tool')}) at {header.get('made_at')}",
        f"Item SHA-256: {header.get('item_sha256') or header.get('item_tree_sha256')}",
        f"Messages: {summary.get('messages', 0)}, system messages: {summary.get('system_messages', 0)}, "
        f"conversations: {summary.get('conversations', 0)}",
        f"From {summary.get('first_time') or '-'} to {summary.get('last_time') or '-'}",
    ]
    if header.get("time_zone_assumed"):
        lines.append(
            f"Times: the export writes times without a time zone; they were read as "
            f"{header.get('time_zone')} time (an assumption, flagged on each message)."
        )
    if header.get("date_order"):
        lines.append(f"Dates: read as {header['date_order']} ({header.get('date_order_reason')}).")
    if header.get("one_sided"):
        lines.append(f"Note: {header['one_sided']}")
    if not header.get("complete", True):
        lines.append(f"INCOMPLETE: {header.get('problem')}")
    lines.extend(f"Note: {w}" for w in header.get("warnings") or [])
    return lines


def render_files(jsonl: Path, targets: dict[str, Path]) -> list[WrittenFile]:
    """Render transcript.jsonl as CSV and/or HTML in one pass, hashing each file as it is written."""
    kinds: dict[str, type[CsvRenderer] | type[HtmlRenderer]] = {"csv": CsvRenderer, "html": HtmlRenderer}
    opened = []
    try:
        with open(jsonl, "rb") as stream:
            header, messages = read_transcript(stream)
            renderers: list[CsvRenderer | HtmlRenderer] = []
            for kind, target in targets.items():
                writer = HashingWriter(target)
                buffered = io.BufferedWriter(writer, 1 << 20)
                text = io.TextIOWrapper(buffered, encoding="utf-8", newline="")
                opened.append((target, writer, buffered, text))
                renderers.append(kinds[kind](header, text))
            for m in messages:
                for renderer in renderers:
                    renderer.message(m)
            for renderer in renderers:
                renderer.end()
        written = []
        for target, writer, buffered, text in opened:
            text.flush()
            text.detach()
            buffered.flush()
            buffered.detach()
            writer.close()
            written.append(WrittenFile(target.name, target, writer.sha.hexdigest(), writer.size))
        return written
    except BaseException:
        for _target, writer, _buffered, _text in opened:
            writer.close()
        raise
