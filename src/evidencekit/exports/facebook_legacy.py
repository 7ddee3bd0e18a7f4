"""Facebook's “Download your information” from before 2018, in HTML.

Victims of sextortion that began years ago often have only this old download, or it is the one
saved before the account was closed. Two layouts are common:

- until about 2016, every conversation in one page, `html/messages.htm` (or `messages.htm` at
  the top of the download);
- in 2016-2017, `html/messages.htm` is an index, and each conversation is its own page in a
  `messages/` folder (`messages/123.html`), its photos beside it.

Inside a page each conversation is a `<div class="thread">` that starts with its participants (or
a `<h3>` title), then, for each message, a `<div class="message">` holding a header with the
sender (`<span class="user">`) and the date (`<span class="meta">`), and after that div, not in it,
the text as a `<p>`. The date is written in the account's language (“Tuesday, 3 March 2015 at
21:07 UTC+01”, “Dienstag, 3. März 2015 um 21:07 UTC+01”, “Tuesday, March 3, 2015 at 9:07pm PST”),
usually with its offset: such a time is exact. A date without an offset is read in the zone the
person states and flagged; a date evidencekit cannot read for sure is kept as written and flagged
`time-unknown`, never guessed.

Pages are read with the standard library's html.parser as they stream in, so a single page holding
years of messages never has to fit in memory.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from html.parser import HTMLParser

from evidencekit.exports.base import Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import localise, shown

NAME = "facebook-legacy-html"
VERSION = "1"

_PAGE = re.compile(r"(?:^|/)(?:messages\.html?|messages/[^/]+\.html?)$", re.IGNORECASE)
_THREAD_PAGE = re.compile(r"(?:^|/)messages/(\d+)\.html?$", re.IGNORECASE)
_THREAD_MARK = re.compile(r"""class=["']?thread\b""")
_HEADER_MARK = re.compile(r"""class=["']?message_header\b""")
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "track"}
_BLOCK = {"div", "p", "li", "ul", "table", "tr", "h1", "h2", "h3", "h4"}
_MEDIA_TAGS = {"img": "photo", "video": "video", "audio": "audio"}
_CHUNK = 1 << 16

# Month names in the languages Facebook wrote these pages in most often. A name means the same
# month in every language that uses it (tests check there is no clash).
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "en-short": "jan feb mar apr may jun jul aug sep oct nov dec",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "de-at": "jänner feber märz april mai juni juli august september oktober november dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da-no": "januar februar marts april maj juni juli august september oktober november december",
}


def month_table() -> dict[str, int]:
    """Every month name above → its number; a name meaning two months raises (never guessed)."""
    table: dict[str, int] = {}
    for names in _MONTH_NAMES.values():
        for number, name in enumerate(names.split(), 1):
            if table.setdefault(name, number) != number:
                raise ValueError(f"the month name {name!r} means two different months")
    return table


_MONTHS = month_table()
# US zone abbreviations Facebook wrote for accounts set to US time; each is one fixed offset.
_ABBREVIATIONS = {
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}
_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*(?:(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?(?!\w)")
_ABBREVIATION = re.compile(r"\b(?P<abbr>" + "|".join(_ABBREVIATIONS) + r")\b")
_CLOCK = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})[:h](?P<m>\d{2})(?::(?P<s>\d{2}))?\s?(?P<ampm>[ap]\.?\s?m\.?)?(?![\d:])",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?!\d)")
_DAY = re.compile(r"(?<!\d)(?P<d>\d{1,2})(?!\d)")
_WORD = re.compile(r"[^\W\d_]+\.?")


@dataclass(frozen=True)
class LegacyDate:
    """A date as read: the wall-clock time, its offset when the page wrote one, and whether an
    AM/PM marker was ignored because the hour was already a 24-hour one."""

    wall: datetime
    offset: tzinfo | None
    marker_ignored: bool = False


def parse_date(written: str) -> LegacyDate | None:
    """A date of an old Facebook page, in any of the languages of `_MONTH_NAMES`, or None.

    The parts are found by what they are (a clock time, a four-digit year, a month name, the one
    number left for the day, an offset) rather than by their order, because every language puts
    them in its own order; anything missing, or a second month name, and the date is not read."""
    text = " ".join(written.replace("\u00a0", " ").replace("\u202f", " ").split())
    offset: tzinfo | None = None
    found = _OFFSET.search(text)
    if found:
        sign = -1 if found.group("sign") in ("-", "\u2212") else 1
        minutes = int(found.group("h") or 0) * 60 + int(found.group("m") or 0)
        if minutes > 14 * 60:
            return None
        offset = timezone(timedelta(minutes=sign * minutes))
        text = text[: found.start()] + " " + text[found.end() :]
    else:
        abbreviation = _ABBREVIATION.search(text)
        if abbreviation:
            offset = timezone(timedelta(hours=_ABBREVIATIONS[abbreviation.group("abbr")]))
            text = text[: abbreviation.start()] + " " + text[abbreviation.end() :]
    clock = _CLOCK.search(text)
    if clock is None:
        return None
    text = text[: clock.start()] + " " + text[clock.end() :]
    year = _YEAR.search(text)
    if year is None:
        return None
    text = text[: year.start()] + " " + text[year.end() :]
    months = [
        _MONTHS[w] for w in (m.group().rstrip(".").lower() for m in _WORD.finditer(text)) if w in _MONTHS
    ]
    days = _DAY.findall(text)
    if len(months) != 1 or len(days) != 1:
        return None
    hour, ignored = int(clock.group("h")), False
    marker = (clock.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if marker:
        if hour == 0 or hour > 12:
            ignored = True
        else:
            hour = hour % 12 + (12 if marker == "pm" else 0)
    try:
        wall = datetime(
            int(year.group("y")),
            months[0],
            int(days[0]),
            hour,
            int(clock.group("m")),
            int(clock.group("s") or 0),
        )
    except ValueError:
        return None
    return LegacyDate(wall, offset, ignored)


# ---- recognising ----------------------------------------------------------------------------


def _has_messages(source: Source, name: str) -> bool:
    head = head_text(source, name, 65536)
    return bool(_THREAD_MARK.search(head)) and bool(_HEADER_MARK.search(head))


def _order(name: str) -> tuple[int, int, str]:
    """The one-page layout first, then the per-conversation pages by their number."""
    match = _THREAD_PAGE.search(name)
    return (1, int(match.group(1)), name) if match else (0, 0, name)


def detect(source: Source) -> Detection | None:
    names = source.names()
    if source.kind == "file":
        pages = [n for n in names if n.lower().endswith((".html", ".htm"))]
    else:
        pages = [n for n in names if _PAGE.search(n)]
    files: list[str] = []
    checked = 0
    for name in sorted(pages, key=_order):
        per_thread = _THREAD_PAGE.search(name) is not None
        if per_thread and files and any(_THREAD_PAGE.search(f) for f in files):
            files.append(name)  # one conversation page read is enough to know the others
            continue
        if checked >= 20:
            break
        checked += 1
        try:
            if _has_messages(source, name):
                files.append(name)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
            continue
    if not files:
        return None
    per_conversation = any(_THREAD_PAGE.search(f) for f in files)
    return Detection(
        NAME,
        0.9,
        "Facebook “Download your information” from before 2018 (HTML)",
        "per-conversation" if per_conversation else "one-page",
        files,
        {"platform": "Facebook"},
    )


# ---- reading a page -------------------------------------------------------------------------


@dataclass
class _Thread:
    line: int
    number: int  # the n-th conversation of its page (a page may be one long line)
    title: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    messages: int = 0


@dataclass
class _Box:
    """One message as found: its header, then the paragraphs that follow it."""

    line: int
    thread: _Thread
    sender: list[str] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    media: list[tuple[str, str | None]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    complete: bool = False


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.thread: _Thread | None = None
        self.thread_depth = -1
        self.box: _Box | None = None
        self.box_depth = -1  # depth of the open <div class="message">, or -1 once it has closed
        self.part: str | None = None  # "sender", "date", "content", "title", "participants"
        self.part_depth = -1
        self.ready: list[_Box] = []
        self.threads = 0
        self.heading: list[str] | None = None  # the page's <h1>: the account owner's name
        self.in_heading = -1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        classes = values.get("class", "").split()
        depth = len(self.stack)
        if tag == "div" and "thread" in classes:
            self._close_box()
            self.threads += 1
            self.thread = _Thread(line=self.getpos()[0], number=self.threads)
            self.thread_depth = depth
            self.part = "participants"
            self.part_depth = depth
        elif self.thread is not None:
            self._inside_thread(tag, classes, values, depth)
        elif tag == "h1" and self.heading is None:
            self.heading, self.in_heading = [], depth
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def _inside_thread(self, tag: str, classes: list[str], values: dict[str, str], depth: int) -> None:
        assert self.thread is not None
        if tag == "div" and "message" in classes:
            self._close_box()
            self.box = _Box(line=self.getpos()[0], thread=self.thread)
            self.box_depth = depth
            self.part, self.part_depth = None, -1
            return
        if tag == "h3" and self.box is None:
            self.part, self.part_depth = "title", depth
            return
        if self.box is None:
            return
        if tag == "span" and "user" in classes:
            self.part, self.part_depth = "sender", depth
            return
        if tag == "span" and "meta" in classes:
            self.part, self.part_depth = "date", depth
            return
        if self.box_depth == -1 and tag == "p" and self.part is None:
            if self.box.content:
                self.box.content.append("\n")
            self.part, self.part_depth = "content", depth
            return
        if self.part == "content":
            if tag in _BLOCK or tag == "br":
                self.box.content.append("\n")
            if tag == "a" and values.get("href"):
                self._reference(values["href"], None)
            if tag in _MEDIA_TAGS and values.get("src"):
                self._reference(values["src"], _MEDIA_TAGS[tag])
            if tag == "source" and values.get("src"):
                self._reference(values["src"], None)

    def _reference(self, target: str, kind: str | None) -> None:
        assert self.box is not None
        if target.startswith(("http://", "https://")):
            if target not in self.box.links:
                self.box.links.append(target)
            return
        if target.startswith(("data:", "javascript:", "#", "mailto:")):
            return
        for index, (seen, seen_kind) in enumerate(self.box.media):
            if seen == target:
                if kind and not seen_kind:
                    self.box.media[index] = (seen, kind)
                return
        self.box.media.append((target, kind))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return  # a stray end tag closes nothing
        while self.stack:
            open_tag = self.stack.pop()
            depth = len(self.stack)
            if depth == self.in_heading:
                self.in_heading = -1
            if depth == self.part_depth:
                self.part, self.part_depth = None, -1
                if self.thread is not None and self.box is None and depth > self.thread_depth:
                    # After the title (2017: `<h3>`), the participants follow as plain text.
                    self.part, self.part_depth = "participants", self.thread_depth
            if depth == self.box_depth:
                self.box_depth = -1  # the header is done; the text follows it
            if depth == self.thread_depth:
                self._close_box()
                self.thread, self.thread_depth = None, -1
                self.part, self.part_depth = None, -1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_heading != -1 and self.heading is not None:
            self.heading.append(data)
        if self.part is None:
            return
        if self.part == "participants" and self.thread is not None:
            self.thread.participants.append(data)
        elif self.part == "title" and self.thread is not None:
            self.thread.title.append(data)
        elif self.box is not None:
            getattr(self.box, self.part).append(data)

    def _close_box(self) -> None:
        if self.box is not None:
            self.box.complete = True
            self.ready.append(self.box)
            self.box.thread.messages += 1
            self.box, self.box_depth = None, -1

    def finish(self) -> None:
        self.close()
        if self.box is not None:
            # The page ends after this message's header or text: kept, and said if the page is cut.
            ended_cleanly = not self.stack
            self._close_box()
            self.ready[-1].complete = ended_cleanly


def _clean(parts: list[str]) -> str:
    text = "".join(parts).replace("\u00a0", " ").replace("\u202f", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


# ---- turning a box into a message -----------------------------------------------------------


@dataclass
class _Counts:
    seq: int = 0
    exact: int = 0
    assumed: int = 0
    unknown: int = 0
    cut: int = 0
    lost: list[str] = field(default_factory=list)


class _Reader:
    """Messages from the pages of one export, one page at a time."""

    def __init__(self, source: Source, context: ParseContext) -> None:
        self.source = source
        self.context = context
        self.counts = _Counts()
        self.conversations: dict[tuple[str, int], Conversation] = {}
        self.previous: dict[str, datetime] = {}
        self.owner: str | None = None  # the name at the top of the page: whose download it is

    def page(self, name: str) -> Iterator[Message]:
        page = _Page()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        problem = None
        first = True
        threads: dict[int, int] = {}
        try:
            with self.source.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    text = decoder.decode(chunk)
                    if first:
                        text, first = text.lstrip("\ufeff"), False
                    page.feed(text)
                    if self.owner is None and page.heading is not None and page.in_heading == -1:
                        self.owner = _clean(page.heading) or None
                    yield from self._drain(page, name, threads)
                page.feed(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            problem = "it is not valid UTF-8 text from some point on"
            page.feed(bytes(exc.object[: exc.start]).decode("utf-8", errors="ignore"))  # the text before it
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            problem = f"it could not be read to the end ({exc})"
        page.finish()
        yield from self._drain(page, name, threads)
        if problem is not None:
            read = sum(threads.values())
            self.counts.lost.append(f"“{name}” ({problem}; {read:,} message(s) before that were kept)")
            self.context.facts.setdefault("lost", []).append(
                {"file": name, "problem": problem, "messages_read": read}
            )

    def _drain(self, page: _Page, name: str, threads: dict[int, int]) -> Iterator[Message]:
        ready, page.ready = page.ready, []
        for box in ready:
            threads[box.thread.number] = threads.get(box.thread.number, 0) + 1
            yield self._message(box, name)

    def _conversation(self, name: str, thread: _Thread) -> Conversation:
        key = (name, thread.number)
        conversation = self.conversations.get(key)
        if conversation is None:
            title = _clean(thread.title)
            participants = [p.strip() for p in _clean(thread.participants).split(",") if p.strip()]
            if title.lower().startswith("participants:"):
                title = ""
            if participants and participants[0].lower().startswith("participants:"):
                participants[0] = participants[0].split(":", 1)[1].strip()
            conversation = Conversation(
                key=f"{name}#{thread.number}",
                name=title or ", ".join(participants) or posixpath.basename(name),
                participants=participants,
            )
            self.conversations[key] = conversation
        return conversation

    def _message(self, box: _Box, name: str) -> Message:
        counts, context = self.counts, self.context
        written = _clean(box.date)
        msg = Message(seq=0, time=None, time_as_written=written or None, sender=None, text="")
        msg.source_file = name
        msg.source_line = box.line
        msg.conversation = self._conversation(name, box.thread)
        date = parse_date(written) if written else None
        previous = self.previous.get(msg.conversation.key)
        if date is not None and date.offset is not None:
            msg.time = shown(date.wall.replace(tzinfo=date.offset), context.display_zone)
            counts.exact += 1
        elif date is not None and context.zone is not None:
            msg.time, flag = localise(date.wall, context.zone, previous)
            msg.time_zone_assumed = True
            counts.assumed += 1
            if flag:
                msg.flag(flag)
        else:
            msg.flag("time-unknown")
            counts.unknown += 1
        if date is not None and date.marker_ignored:
            msg.flag("time-marker-ignored")
        if msg.time is not None:
            self.previous[msg.conversation.key] = msg.time
        msg.sender = _clean(box.sender) or None
        msg.sender_id = msg.sender
        if msg.sender is not None and msg.sender == self.owner:
            msg.details["sent_by_account_owner"] = True
        msg.text = _clean(box.content)
        for path, kind in box.media:
            member = self.source.find(path, near=name)
            if member is not None and posixpath.basename(member) != posixpath.basename(path.split("?", 1)[0]):
                member = None
            msg.attachments.append(
                Attachment(
                    name=posixpath.basename(path.split("?", 1)[0]) or path,
                    member=member,
                    type=kind,
                    details={"path_as_written": path},
                )
            )
        if box.links:
            msg.details["links"] = list(box.links)
        if not box.complete:
            msg.details["note"] = "the page ends at this message (the file looks cut off)"
            counts.cut += 1
        counts.seq += 1
        msg.seq = counts.seq
        return msg


class FacebookLegacyParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        reader = _Reader(source, context)
        for name in detection.files:
            yield from reader.page(name)
        _warn(context, reader.counts)


def _warn(context: ParseContext, counts: _Counts) -> None:
    if counts.lost:
        context.warn(
            "Part of the export could not be read; every other page was: "
            + "; ".join(counts.lost[:5])
            + ("…" if len(counts.lost) > 5 else "")
            + "."
        )
    if counts.cut:
        context.warn(
            f"{counts.cut} message(s) are at the end of a page that looks cut off; they may be incomplete."
        )
    if counts.assumed:
        context.warn(
            f"{counts.assumed} date(s) in this old Facebook download are written without a time zone; they "
            f"were read as {context.zone_name} time."
        )
    if counts.unknown:
        context.warn(
            f"{counts.unknown} date(s) are written in a form evidencekit does not read for sure (another "
            "language); they are kept as written and flagged time-unknown, not guessed."
        )


PARSER = FacebookLegacyParser()
