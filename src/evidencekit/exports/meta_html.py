"""Instagram and Facebook Messenger “Download your information” in HTML.

Many people only have the HTML download (it is the default), and once an account is gone they
cannot ask for the JSON one. Each conversation is a folder (`…/messages/inbox/<thread>/`) holding
`message_1.html`, `message_2.html`, … (newest first, `message_1` the newest). Each message is a
box (`<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder">`) holding three parts: the sender's
name, the content (text, photos, videos, reactions) and the date as a localised string such as
“Feb 9, 2024 10:16 pm” or “9 Feb 2024, 22:16”. The class names are minified and change between
builds, so boxes and parts are found by the few classes that have stayed stable, and by their
order when those are missing.

The dates carry no time zone; they are read in the zone the person states and flagged. Only the
common English forms are read: any other form (another language, another order) is kept as
written and flagged `time-unknown`, never guessed. Meta's mis-encoded UTF-8 (“RÃ©my” for “Rémy”)
is repaired exactly as for the JSON download. Parsing uses the standard library's html.parser.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from evidencekit.exports.base import SYSTEM, Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.meta import repair
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import localise

NAME = "meta-html"
VERSION = "1"

_FILE = re.compile(r"(?:^|/)message_(\d+)\.html?$", re.IGNORECASE)
_BOX_CLASSES = ("_a6-g", "uiBoxWhite")
_MARKERS = ("_a6-g", "uiBoxWhite", "_a6-o", "_3-94")
_SENDER_CLASSES = ("_a6-h", "_2pim")
_CONTENT_CLASSES = ("_a6-p",)
_DATE_CLASSES = ("_a6-o", "_3-94")
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "track"}
_BLOCK = {"div", "p", "li", "ul", "table", "tr", "h1", "h2", "h3", "h4"}
_MEDIA_TAGS = {"img": "photo", "video": "video", "audio": "audio"}
_CHUNK = 1 << 16

_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s?(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
_DATE_FORMS = (
    # Feb 9, 2024 10:16 pm · Feb 09, 2024 10:16:03 PM · February 9, 2024 at 10:16 PM
    re.compile(rf"^(?P<mon>[A-Za-z]{{3,9}})\.? (?P<day>\d{{1,2}}),? (?P<year>\d{{4}}),?(?: at)? {_CLOCK}$"),
    # 9 Feb 2024, 22:16 · 09 Feb 2024 22:16:03 · 9 February 2024 at 10:16 pm
    re.compile(rf"^(?P<day>\d{{1,2}}) (?P<mon>[A-Za-z]{{3,9}})\.? (?P<year>\d{{4}}),?(?: at)? {_CLOCK}$"),
)
# Notices Meta writes as if they were messages (the JSON reader knows more; these are the common ones).
_NOTICE = re.compile(
    r"^(?:(?:.{0,80} )?(?:liked|reacted .{1,16} to) (?:a|your) message\.?|.{0,80} sent an attachment\."
    r"|.{0,80} (?:changed|set) the (?:theme|chat theme|group photo|emoji|quick reaction)\b.*"
    r"|.{0,80} named the group .*|.{0,80} (?:left|joined) the group\.?|.{0,80} unsent a message\.?"
    r"|.{0,80} missed (?:a|your) (?:video |audio )?(?:call|chat)|.{0,80} started (?:a|an) (?:video|audio) "
    r"(?:call|chat)|(?:Video|Audio) chat ended)$",
    re.DOTALL | re.IGNORECASE,
)


# ---- recognising ----------------------------------------------------------------------------


def _number(name: str) -> int:
    match = _FILE.search(name)
    return int(match.group(1)) if match else 0


def _platform(source: Source, names: list[str]) -> str:
    hay = (source.label + " " + " ".join(names[:50])).lower()
    if "instagram" in hay:
        return "Instagram"
    if "facebook" in hay or "messenger" in hay:
        return "Facebook Messenger"
    return "Instagram or Facebook Messenger"


def _looks_like_thread(source: Source, name: str) -> bool:
    head = head_text(source, name, 65536)
    return "<html" in head.lower() and sum(marker in head for marker in _MARKERS) >= 2


def detect(source: Source) -> Detection | None:
    names = source.names()
    pages = [n for n in names if _FILE.search(n)]
    if source.kind == "file":
        pages = [n for n in names if n.lower().endswith((".html", ".htm"))]
    threads: dict[str, list[str]] = {}
    checked = 0
    recognised = False
    for name in pages:
        threads.setdefault(posixpath.dirname(name), []).append(name)
    for key in sorted(threads):
        # Any one readable page says what the export is: a damaged first thread must not hide the rest.
        for name in threads[key]:
            if checked >= 20 or recognised:
                break
            checked += 1
            try:
                recognised = _looks_like_thread(source, name)
            except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
                continue
    if not recognised:
        return None
    files = [f for key in sorted(threads) for f in sorted(threads[key], key=_number, reverse=True)]
    platform = _platform(source, files)
    return Detection(
        NAME,
        0.9,
        f"{platform} “Download your information” (HTML)",
        "html",
        files,
        {"platform": platform},
    )


# ---- reading one page -----------------------------------------------------------------------


@dataclass
class _Box:
    """One message box as found on the page, before it becomes a Message."""

    line: int
    parts: list[str] = field(default_factory=list)  # "sender", "content", "date" in order seen
    sender: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    media: list[tuple[str, str | None]] = field(default_factory=list)  # (path, type)
    links: list[str] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)
    closed: bool = False


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.title: list[str] = []
        self.in_title = False
        self.box: _Box | None = None
        self.box_depth = -1
        self.part: str | None = None
        self.part_depth = -1
        self.children = 0
        self.in_reaction = -1
        self.ready: list[_Box] = []

    # -- structure --

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        classes = values.get("class", "").split()
        if tag == "title":
            self.in_title = True
        if self.box is not None:
            self._inside_box(tag, classes, values)
        elif tag == "div" and any(c in classes for c in _BOX_CLASSES):
            self.box = _Box(line=self.getpos()[0])
            self.box_depth = len(self.stack)
            self.children = 0
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def _inside_box(self, tag: str, classes: list[str], values: dict[str, str]) -> None:
        assert self.box is not None
        depth = len(self.stack)
        if depth == self.box_depth + 1:
            self.part = self._part_named(tag, classes)
            self.part_depth = depth
            self.children += 1
            self.box.parts.append(self.part)
            return
        if self.part == "content":
            if tag == "ul" and self.in_reaction == -1:
                self.in_reaction = depth
            if tag in _BLOCK or tag == "br":
                self._text("\n")
            if tag == "li" and self.in_reaction != -1:
                self.box.reactions.append("")
            if tag == "a" and values.get("href"):
                self._reference(values["href"], None)
            if tag in _MEDIA_TAGS and values.get("src"):
                self._reference(values["src"], _MEDIA_TAGS[tag])
            if tag == "source" and values.get("src"):
                self._reference(values["src"], None)

    def _part_named(self, tag: str, classes: list[str]) -> str:
        if any(c in classes for c in _SENDER_CLASSES) or tag in ("h2", "h3"):
            return "sender"
        if any(c in classes for c in _CONTENT_CLASSES):
            return "content"
        if any(c in classes for c in _DATE_CLASSES):
            return "date"
        return ("sender", "content", "date")[min(self.children, 2)]

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
        if tag == "title":
            self.in_title = False
        if tag not in self.stack:
            return  # a stray end tag closes nothing
        while self.stack:
            open_tag = self.stack.pop()
            depth = len(self.stack)
            if self.box is not None:
                if depth == self.in_reaction:
                    self.in_reaction = -1
                if depth == self.part_depth:
                    self.part, self.part_depth = None, -1
                if depth == self.box_depth:
                    self.box.closed = True
                    self.ready.append(self.box)
                    self.box, self.box_depth = None, -1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.box is None or self.part is None:
            return
        if self.part == "content" and self.in_reaction != -1:
            if self.box.reactions:
                self.box.reactions[-1] += data
            return
        self._text(data)

    def _text(self, data: str) -> None:
        assert self.box is not None
        if self.part == "sender":
            self.box.sender.append(data)
        elif self.part == "date":
            self.box.date.append(data)
        elif self.part == "content":
            self.box.content.append(data)

    def finish(self) -> None:
        self.close()
        if self.box is not None:
            self.ready.append(self.box)  # the page ends inside this box: kept, and said
            self.box = None


# ---- turning a box into a message -----------------------------------------------------------


def _clean(parts: list[str]) -> str:
    text = "".join(parts).replace("\u00a0", " ").replace("\u202f", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def parse_date(written: str) -> tuple[datetime | None, bool]:
    """A Meta HTML date as a wall-clock time (no zone), and whether an AM/PM marker was ignored
    because the hour was already a 24-hour one (`23:15 pm`). None when the form is not one of
    the common English ones: another language or order is never guessed."""
    text = " ".join(written.replace("\u202f", " ").replace("\u00a0", " ").split())
    for form in _DATE_FORMS:
        match = form.match(text)
        if match is None:
            continue
        month = _MONTH_NUMBERS.get(match.group("mon").lower())
        if month is None:
            return None, False
        hour, ignored = int(match.group("h")), False
        marker = (match.group("ampm") or "").lower().replace(".", "").replace(" ", "")
        if marker:
            if hour == 0 or hour > 12:
                ignored = True
            else:
                hour = hour % 12 + (12 if marker == "pm" else 0)
        try:
            moment = datetime(
                int(match.group("year")),
                month,
                int(match.group("day")),
                hour,
                int(match.group("m")),
                int(match.group("s") or 0),
            )
        except ValueError:
            return None, False
        return moment, ignored
    return None, False


@dataclass
class _Counts:
    seq: int = 0
    repaired: int = 0
    unknown_times: int = 0
    assumed: int = 0
    cut: int = 0
    lost: list[str] = field(default_factory=list)


def _repaired(text: str, msg: Message, key: str, counts: _Counts) -> str:
    fixed, changed = repair(text)
    if changed:
        counts.repaired += 1
        msg.details[f"{key}_as_exported"] = text
        if key == "text":
            msg.flag("text-repaired")
    return fixed


def _message(
    box: _Box, source: Source, name: str, context: ParseContext, counts: _Counts, previous: datetime | None
) -> Message:
    written = _clean(box.date)
    msg = Message(seq=0, time=None, time_as_written=written or None, sender=None, text="")
    msg.source_file = name
    msg.source_line = box.line
    naive, ignored = parse_date(written) if written else (None, False)
    if naive is None or context.zone is None:
        msg.flag("time-unknown")
        counts.unknown_times += 1
    else:
        msg.time, flag = localise(naive, context.zone, previous)
        msg.time_zone_assumed = True
        counts.assumed += 1
        if flag:
            msg.flag(flag)
        if ignored:
            msg.flag("time-marker-ignored")
    sender = _clean(box.sender)
    msg.sender = _repaired(sender, msg, "sender", counts) if sender else None
    msg.text = _repaired(_clean(box.content), msg, "text", counts)
    for path, kind in box.media:
        member = source.find(path, near=name)
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
    for reaction in box.reactions:
        cleaned = _clean([reaction])
        if cleaned:
            msg.reactions.append({"as_written": repair(cleaned)[0]})
    if not box.closed:
        msg.details["note"] = "the page ends inside this message (the file looks cut off)"
        counts.cut += 1
    if msg.text and not msg.attachments and _NOTICE.match(msg.text):
        msg.kind = SYSTEM
    return msg


def _read_page(source: Source, name: str) -> tuple[str | None, list[_Box], str | None]:
    """The page's title and message boxes, and why reading stopped early (None when it did not)."""
    page = _Page()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    problem = None
    first = True
    try:
        with source.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                text = decoder.decode(chunk)
                if first:
                    text, first = text.lstrip("\ufeff"), False
                page.feed(text)
            page.feed(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        problem = "it is not valid UTF-8 text from some point on"
        page.feed(bytes(exc.object[: exc.start]).decode("utf-8", errors="ignore"))  # the text before it
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        problem = f"it could not be read to the end ({exc})"
    page.finish()
    title = _clean(page.title) or None
    return title, page.ready, problem


class MetaHtmlParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        counts = _Counts()
        conversations: dict[str, Conversation] = {}
        for name in detection.files:
            key = posixpath.dirname(name) or name
            title, boxes, problem = _read_page(source, name)
            conversation = conversations.get(key)
            if conversation is None:
                conversation = conversations[key] = Conversation(key=key)
            if title and conversation.name is None:
                conversation.name = repair(title)[0]
            if conversation.name is None:
                conversation.name = posixpath.basename(key).rsplit("_", 1)[0] or key
            if problem is not None:
                counts.lost.append(f"“{name}” ({problem}; {len(boxes):,} message(s) before that were kept)")
                # The shared record of lost parts, which the transcript header lists.
                context.facts.setdefault("lost", []).append(
                    {"file": name, "problem": problem, "messages_read": len(boxes)}
                )
            messages = []
            previous: datetime | None = None
            for box in boxes:
                msg = _message(box, source, name, context, counts, previous)
                if msg.time is not None:
                    previous = msg.time
                messages.append(msg)
            # Meta writes each page newest first; the transcript numbers messages oldest first.
            timed = [m.time for m in messages if m.time is not None]
            if len(timed) >= 2 and timed[0] > timed[-1]:
                messages.reverse()
            for msg in messages:
                counts.seq += 1
                msg.seq = counts.seq
                msg.conversation = conversation
                yield msg
        _warn(context, counts)


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
            f"Meta's HTML download writes dates without a time zone; {counts.assumed} time(s) were read as "
            f"{context.zone_name} time (the zone Meta used is not written in the file: check it against "
            "the account's settings)."
        )
    if counts.unknown_times:
        context.warn(
            f"{counts.unknown_times} date(s) are written in a form evidencekit does not read (another "
            "language or order); they are kept as written and flagged time-unknown, not guessed."
        )
    if counts.repaired:
        context.warn(
            f"{counts.repaired} text(s) were written by Meta with a known encoding fault (for example "
            "“RÃ©my” for “Rémy”) and were repaired; the text as exported is kept with each one."
        )


PARSER = MetaHtmlParser()
