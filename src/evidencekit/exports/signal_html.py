"""signal-export's `index.html`, read when a chat's `chat.md` and `data.json` are not there.

Some people keep only the page they could open in a browser. signal-export writes each message as
a `<div class="msg">` (`msg me` for the account owner, `msg cont` for one sent within minutes of
the same sender's previous one, which shows no sender or time of its own), holding the sender
(`class="sender"`), the date and time (`class="date"` / `class="time"`, or a `datetime` attribute
in newer versions), a quoted message (`class="quote"`), the text with its attachments
(`class="body"`) and reactions (`class="reaction"`). Calls are `<div class="event call">` lines and
days are `class="day"` dividers. Class names are matched as words, so either version's quoting
style (`class=msg` or `class="msg"`) is read the same.

The times are the exporting computer's wall-clock time without a zone, as in chat.md. A grouped
(`cont`) message takes its sender from the one before it, its day from the divider above it, and
no time: it is flagged `time-unknown` and keeps its place in the page's order.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from evidencekit.exports.source import Source, head_text

_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "track"}
_BLOCK = {"div", "p", "li", "ul", "table", "tr", "h1", "h2", "h3", "h4", "figure"}
_MEDIA_TAGS = {"img": "photo", "video": "video", "audio": "audio"}
_PARTS = ("sender", "date", "time", "quote", "body", "reaction")
_CHUNK = 1 << 16
_MARK_MSG = re.compile(r"""class=["']?msg\b""")
_MARK_SENDER = re.compile(r"""class=["']?sender\b""")


def looks_like_page(source: Source, name: str) -> bool:
    """Whether `name` is a signal-export page: message boxes with a sender part."""
    head = head_text(source, name, 65536)
    return "<html" in head.lower() and bool(_MARK_MSG.search(head)) and bool(_MARK_SENDER.search(head))


@dataclass
class HtmlMessage:
    """One message box as found on the page."""

    line: int
    mine: bool = False
    grouped: bool = False
    deleted: bool = False
    call: str | None = None  # "call" or "missed call" for an event line
    day: str | None = None  # the day divider above it
    iso: str | None = None  # a `datetime` attribute, when the page has one
    parts: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in _PARTS})
    reactions: list[dict[str, str]] = field(default_factory=list)
    media: list[tuple[str, str, str | None]] = field(default_factory=list)  # (src, label, type)

    def text(self, part: str) -> str:
        return _clean(self.parts[part])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.box: HtmlMessage | None = None
        self.box_depth = -1
        self.part: str | None = None
        self.part_depth = -1
        self.in_day = -1
        self.day: list[str] = []
        self.current_day: str | None = None
        self.ready: list[HtmlMessage] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        classes = values.get("class", "").split()
        depth = len(self.stack)
        if self.box is None and "day" in classes:
            self.in_day, self.day = depth, []
        elif self.box is None and tag == "div" and ("msg" in classes or "event" in classes):
            self.box = HtmlMessage(line=self.getpos()[0], day=self.current_day)
            self.box_depth = depth
            self.box.mine = "me" in classes
            self.box.grouped = "cont" in classes
            self.box.deleted = "deleted" in classes
            if "event" in classes or "call" in classes:
                self.box.call = "missed call" if "missed" in classes else "call"
                self.part, self.part_depth = "body", depth
        elif self.box is not None:
            self._inside(tag, classes, values, depth)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def _inside(self, tag: str, classes: list[str], values: dict[str, str], depth: int) -> None:
        assert self.box is not None
        if values.get("datetime") and self.box.iso is None:
            self.box.iso = values["datetime"]
        named = next((part for part in _PARTS if part in classes), None)
        if named == "reaction":  # a reaction (or the row of them): each one its own entry
            self.box.reactions.append({"as_written": "", "actor": values.get("title", "")})
            self.part, self.part_depth = "reaction", depth
            return
        # An event line is all text, but its date and time spans are still parts of their own.
        event_text = self.box.call is not None and self.part_depth == self.box_depth
        if named is not None and (self.part is None or event_text):
            self.part, self.part_depth = named, depth
            return
        if self.part == "body":
            if tag in _BLOCK or tag == "br":
                self.box.parts["body"].append("\n")
            if tag in _MEDIA_TAGS and values.get("src"):
                self._reference(values["src"], values.get("alt", ""), _MEDIA_TAGS[tag])
            elif tag == "source" and values.get("src"):
                self._reference(values["src"], "", None)
            elif tag == "a" and values.get("href") and not values["href"].startswith(("http://", "https://")):
                self._reference(values["href"], "", "file")

    def _reference(self, src: str, label: str, kind: str | None) -> None:
        assert self.box is not None
        if src.startswith(("data:", "javascript:", "#", "mailto:")):
            return
        for index, (seen, seen_label, seen_kind) in enumerate(self.box.media):
            if seen == src:  # the same picture twice (thumbnail and full size)
                self.box.media[index] = (seen, seen_label or label, seen_kind or kind)
                return
        self.box.media.append((src, label, kind))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            depth = len(self.stack)
            if depth == self.in_day:
                self.current_day = _clean(self.day) or self.current_day
                self.in_day = -1
            if depth == self.part_depth:
                self.part, self.part_depth = None, -1
                if self.box is not None and self.box.call is not None and depth > self.box_depth:
                    self.part, self.part_depth = "body", self.box_depth
            if depth == self.box_depth and self.box is not None:
                self.ready.append(self.box)
                self.box, self.box_depth = None, -1
                self.part, self.part_depth = None, -1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_day != -1 and self.box is None:
            self.day.append(data)
        if self.box is None or self.part is None:
            return
        if self.part == "reaction":
            if self.box.reactions:
                self.box.reactions[-1]["as_written"] += data
            return
        self.box.parts[self.part].append(data)


def _clean(parts: list[str]) -> str:
    text = "".join(parts).replace("\u00a0", " ").replace("\u202f", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def read_page(source: Source, name: str) -> Iterator[HtmlMessage]:
    """The message boxes of one page, in the page's order, as they stream in. A page that is not
    valid UTF-8 from some point on raises UnicodeDecodeError after what came before it."""
    page = _Page()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    first = True
    with source.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                page.feed(bytes(exc.object[: exc.start]).decode("utf-8", errors="ignore"))
                yield from page.ready  # every message before the damage, then the damage itself
                raise
            if first:
                text, first = text.lstrip("\ufeff"), False
            page.feed(text)
            ready, page.ready = page.ready, []
            yield from ready
        page.feed(decoder.decode(b"", final=True))
    page.close()
    yield from page.ready
    if page.box is not None:
        yield page.box  # the page ends inside this message


def wall_clock(box: HtmlMessage) -> tuple[datetime | None, str | None]:
    """The message's wall-clock time and how it was written (None when the page shows none)."""
    candidates = []
    if box.iso:
        candidates.append(box.iso.strip())
    date, time = box.text("date"), box.text("time")
    if date and time and time not in date:
        candidates.append(f"{date} {time}")
    elif date:
        candidates.append(date)
    for written in candidates:
        try:
            moment = datetime.fromisoformat(written.replace("Z", "+00:00"))
        except ValueError:
            continue
        if len(written) > 10:  # a date alone is not a time
            return moment, written
    return None, candidates[-1] if candidates else None
