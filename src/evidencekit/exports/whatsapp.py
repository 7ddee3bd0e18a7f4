"""WhatsApp "Export chat": the .txt (Android or iOS), alone, in a zip, or in a folder with its media.

Android writes `14/03/2024, 21:07 - Riley: text`; iOS writes `[14/03/2024, 21:07:41] Riley: text`
(often with a left-to-right mark first). The date order follows the phone's locale and is never
written down, so it is decided once for the whole file, never line by line: a first field above
12 means day-first, a second field above 12 means month-first. When every date fits both, the
reading that would put messages after the export was captured, or make the dates jump backwards,
is ruled out; if both readings remain possible the person is asked (`--date-order`).

Times have no zone: they are read in the zone the person states (or the case's) and flagged.
Text is kept exactly as exported (invisible marks included); a cleaned copy is used only to
recognise attachments, omitted media and deleted or edited messages, in the common languages.
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any

from evidencekit.exports.base import (
    MESSAGE,
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    ExportDamaged,
    Message,
    NeedsDateOrder,
    ParseContext,
)
from evidencekit.exports.source import Source
from evidencekit.exports.times import localise

NAME = "whatsapp"
VERSION = "1"

_SPACE = "[ \u00a0\u202f]"
HEADER = re.compile(
    r"^(?P<pre>[\ufeff\u200e\u200f]*)(?P<br>\[)?[\ufeff\u200e\u200f]*"
    r"(?P<a>\d{1,4})(?P<sep>[./-]) ?(?P<b>\d{1,4})(?P=sep) ?(?P<c>\d{2,4})(?P<dot>\.)?"
    r"(?:,? klo |, ?| )"
    r"(?P<pre_ampm>上午|下午|午前|午後|오전|오후)?" + _SPACE + "?"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:" + _SPACE + r"?(?P<ampm>[AaPp]\.?" + _SPACE + r"?[Mm]\.?))?"
    # After the time: "] " (iPhone) or " - " / ": " (Android). Hungarian-style dates, which end
    # in a full stop (`13. 6. 2018. 21:25:15 Name: text`), may have only a space there.
    r"(?(br)\]" + _SPACE + r"|(?(dot)(?: [-–] |: | )|(?: [-–] |: )))"
    r"(?P<rest>.*)$"
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff"))
_SPACES = {0x00A0: " ", 0x202F: " "}
_CHAT_NAME = re.compile(
    r"^WhatsApp[ _-]?Chat\s*(?:with|mit|con|avec|com|met|ile|med|z|с|-)?\s*(?P<name>.+?)"
    r"(?: \(\d+\))?(?:\.txt|\.zip)?$",
    re.IGNORECASE,
)

# Markers, lower-cased, as exported in the common languages (English first; others best-effort).
ANDROID_ATTACHED = {
    "file attached",
    "datei angehängt",
    "arquivo anexado",
    "archivo adjunto",
    "fichier joint",
    "file allegato",
    "bestand bijgevoegd",
    "dosya ekli",
    "файл прикреплен",
    "файл прикреплён",
    "plik załączony",
    "fil bifogad",
    "fil vedhæftet",
    "fil vedlagt",
    "tiedosto liitetty",
}
IOS_ATTACHED = {
    "attached",
    "anhang",
    "adjunto",
    "pièce jointe",
    "anexado",
    "allegato",
    "bijgevoegd",
    "прикреплено",
    "ekli",
    "załącznik",
    "bifogad",
    "vedhæftet",
    "vedlagt",
    "liitteenä",
}
DELETED = {
    "this message was deleted",
    "you deleted this message",
    "diese nachricht wurde gelöscht",
    "du hast diese nachricht gelöscht",
    "se eliminó este mensaje",
    "eliminaste este mensaje",
    "mensaje eliminado",
    "ce message a été supprimé",
    "vous avez supprimé ce message",
    "esta mensagem foi apagada",
    "você apagou esta mensagem",
    "mensagem apagada",
    "questo messaggio è stato eliminato",
    "hai eliminato questo messaggio",
    "dit bericht is verwijderd",
    "je hebt dit bericht verwijderd",
    "bu mesaj silindi",
    "bu mesajı sildiniz",
    "данное сообщение удалено",
    "вы удалили данное сообщение",
    "это сообщение удалено",
    "ta wiadomość została usunięta",
    "usunięto tę wiadomość",
}
EDITED_WORDS = (
    "edited",
    "bearbeitet",
    "editó",
    "editada",
    "modifié",
    "modificato",
    "bewerkt",
    "düzenlendi",
    "изменено",
    "edytowana",
)
OMITTED_WORDS = (
    "omitted",
    "ausgeschlossen",
    "weggelassen",
    "omitido",
    "omitida",
    "omis",
    "omise",
    "absente",
    "oculta",
    "ocultado",
    "ocultada",
    "omessa",
    "omesso",
    "omessi",
    "weggelaten",
    "dahil edilmedi",
    "без медиафайлов",
    "пропущено",
    "pominięto",
)
SYSTEM_HINTS = re.compile(
    r"end-to-end encrypted|Ende-zu-Ende|cifrados de extremo|chiffrés de bout|ponta a ponta"
    r"|created group|changed the subject|changed this group|changed the group|added |removed |left$"
    r"| joined using|changed their phone number|changed to|security code|disappearing messages"
    r"|Missed (?:voice|video) call|pinned a message|deleted this group's|turned on|turned off"
    r"|hat die Gruppe|hat den Betreff|creó el grupo|a créé le groupe|criou o grupo",
    re.IGNORECASE,
)
_MEDIA_NAME = re.compile(
    r"^(?:IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d+|^\d{8}-(?:PHOTO|VIDEO|AUDIO|STICKER|GIF|FILE)-", re.I
)
_MEDIA_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|heic|mp4|3gp|mov|opus|ogg|m4a|aac|mp3|amr|pdf|vcf|docx?|xlsx?)$", re.I
)


def _clean(text: str) -> str:
    return text.translate(_INVISIBLE).translate(_SPACES).strip()


def chat_name(label: str) -> str | None:
    match = _CHAT_NAME.match(label.rsplit("/", 1)[-1])
    return match.group("name").strip() if match else None


# ---- detection -----------------------------------------------------------------------------


def _decode_head(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _header_share(text: str) -> tuple[int, int, bool]:
    """(header lines, non-empty lines, first line is a header) among the first 50 non-empty lines."""
    lines = [line for line in text.splitlines()[:400] if line.strip()][:50]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    hits = sum(1 for line in lines if HEADER.match(line))
    return hits, len(lines), bool(lines) and bool(HEADER.match(lines[0]))


_LOG_LEVEL = re.compile(r"^(?:\[?[A-Z]{3,8}\]?)(?::| |$)")


def _looks_like_chat(source: Source, name: str, named: bool) -> float:
    """How sure the first lines make us. A file not named like a WhatsApp export needs more:
    most lines must look like messages, and not like a program's log (`… - INFO: started`)."""
    try:
        text = _decode_head(source.head(name))
    except OSError:
        return 0.0
    hits, total, first = _header_share(text)
    if not hits or not first:
        return 0.0
    share = hits / total
    if named:
        return 0.85 if share >= 0.3 else 0.55 if share >= 0.1 else 0.0
    rests = [m.group("rest") for m in map(HEADER.match, text.splitlines()[:200]) if m]
    log_like = sum(1 for rest in rests if _LOG_LEVEL.match(rest))
    if share < 0.5 or log_like * 2 >= len(rests):
        return 0.0
    return 0.75


_MARKDOWN_MEDIA = re.compile(r"\]\(\./(?:media|attachments)/")


def _made_by_another_tool(name: str, text: str) -> bool:
    """Signal Desktop's exporter (signal-export) writes `[2024-03-14, 21:07] Name: text` lines in
    `chat.md`, which look like an iPhone's WhatsApp export. WhatsApp writes only `.txt`, its iPhone
    lines always carry seconds, and it never links media as Markdown: any of those says the chat
    came from somewhere else, and a transcript must not name the wrong app."""
    if name.lower().endswith((".md", ".markdown", ".html", ".json")):
        return True
    if _MARKDOWN_MEDIA.search(text):
        return True
    headers = [m for m in map(HEADER.match, text.splitlines()[:200]) if m]
    bracketed = [m for m in headers if m.group("br")]
    return bool(bracketed) and len(bracketed) == len(headers) and not any(m.group("s") for m in bracketed)


def detect(source: Source) -> Detection | None:
    names = source.names()
    txts = [n for n in names if n.lower().endswith(".txt")]
    preferred = [n for n in txts if n.rsplit("/", 1)[-1] == "_chat.txt"] + [
        n for n in txts if n.rsplit("/", 1)[-1].lower().startswith("whatsapp")
    ]
    candidates = preferred + [n for n in txts if n not in preferred and "/" not in n]
    if source.kind == "file":
        candidates = names
    for name in candidates[:20]:
        base = name.rsplit("/", 1)[-1]
        named = base == "_chat.txt" or base.lower().startswith("whatsapp") or bool(chat_name(source.label))
        score = _looks_like_chat(source, name, named)
        if not score:
            continue
        text = _decode_head(source.head(name))
        if _made_by_another_tool(base, text):
            continue
        if named:
            score = min(1.0, score + 0.1)
        variant = "ios" if base == "_chat.txt" else None
        first = next((HEADER.match(line) for line in text.splitlines() if HEADER.match(line)), None)
        if first is not None:
            variant = "ios" if first.group("br") else "android"
        label = f"WhatsApp chat export ({'iPhone' if variant == 'ios' else 'Android'})"
        return Detection(NAME, score, label, variant, [name], {})
    return None


# ---- reading the text ------------------------------------------------------------------------


# WhatsApp limits a message to 65,536 characters. A line or a message many times that long is not
# a chat message: the file is damaged or made to exhaust memory, so reading stops there.
MAX_LINE_BYTES = 1 << 20
MAX_MESSAGE_CHARS = 1_000_000


class TooLong(ExportDamaged):
    """A line or a message far longer than WhatsApp allows; `head` is the start of the line."""

    def __init__(self, message: str, head: str | None = None) -> None:
        super().__init__(message)
        self.head = head


def _too_long_line(number: int, head: str) -> TooLong:
    return TooLong(
        f"line {number:,} is longer than {MAX_LINE_BYTES >> 20} MB, far longer than any WhatsApp "
        "message: the file is damaged or is not a chat export",
        head,
    )


def _lines(stream: IO[bytes], counter: dict[str, int]) -> Iterator[str]:
    """Decoded lines. UTF-16 files (a BOM) are decoded as such; bytes that are not UTF-8 become
    U+FFFD and are counted, so the transcript can say so instead of guessing an encoding.
    Raises TooLong at a line longer than MAX_LINE_BYTES (never holding more than that)."""
    buffered = io.BufferedReader(stream) if not isinstance(stream, io.BufferedIOBase) else stream  # type: ignore[arg-type]
    start = buffered.peek(4)[:4] if hasattr(buffered, "peek") else b""
    number = 0
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = io.TextIOWrapper(buffered, encoding="utf-16", errors="replace", newline=None)
        counter["utf16"] = 1
        limit = MAX_LINE_BYTES // 2
        try:
            while line := text.readline(limit + 1):
                number += 1
                if len(line) > limit:
                    raise _too_long_line(number, line[:200])
                yield line.rstrip("\n")
        finally:
            text.detach()  # the caller closes the stream itself
        return
    while raw := buffered.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise _too_long_line(number, raw[:200].decode("utf-8", errors="replace"))
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            counter["bad_lines"] = counter.get("bad_lines", 0) + 1
            yield raw.decode("utf-8", errors="replace")


# The ways a date's three numbers can be read. "ymd" covers both `2024-02-09` and `24-02-09`;
# a year in the middle (`06/2018/13`) is read only when it has four digits.
ORDERS = ("dmy", "mdy", "ymd", "myd", "dym")


def _fields(order: str, a: str, b: str, c: str) -> tuple[int, int, int] | None:
    """(year, month, day) under `order`, or None when the numbers cannot be that date."""
    parts = dict(zip(order, (a, b, c), strict=True))
    y, mo, d = parts["y"], parts["m"], parts["d"]
    if len(mo) > 2 or len(d) > 2 or len(y) not in (2, 4):
        return None
    if order in ("myd", "dym") and len(y) != 4:
        return None
    month, day = int(mo), int(d)
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
        return None
    return _year(y), month, day


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass
class _Reading:
    """What one way of reading the dates gives over the whole file (constant memory)."""

    valid: bool = True
    earliest: int = 0  # yyyymmdd
    latest: int = 0
    backwards: int = 0
    prev: int = 0
    checksum: int = 0  # equal for two readings that give the same date on every line


@dataclass
class _Scan:
    """What one pass over the file tells before any message is read (constant memory)."""

    headers: int = 0
    max_a: int = 0
    max_b: int = 0
    year_first: int = 0
    short_year_first: int = 0  # `24-02-09`: a two-digit first number that could be the year
    senders: Counter[str] = field(default_factory=Counter)
    brackets: int = 0
    readings: dict[str, _Reading] = field(default_factory=lambda: {o: _Reading() for o in ORDERS})
    first_example: str = ""

    def add(self, m: re.Match[str], line: str) -> None:
        self.headers += 1
        a_text, b_text, c_text = m.group("a", "b", "c")
        if len(a_text) == 4:
            self.year_first += 1
        if len(b_text) <= 2:
            self.max_a = max(self.max_a, int(a_text))
            self.max_b = max(self.max_b, int(b_text))
        for order, reading in self.readings.items():
            if not reading.valid:
                continue
            ymd = _fields(order, a_text, b_text, c_text)
            if ymd is None:
                reading.valid = False
                continue
            key = ymd[0] * 10000 + ymd[1] * 100 + ymd[2]
            if reading.prev and key < reading.prev:
                reading.backwards += 1
            reading.prev = key
            reading.latest = max(reading.latest, key)
            reading.earliest = min(reading.earliest, key) if reading.earliest else key
            reading.checksum = (reading.checksum * 1_000_003 + key) % (1 << 61)
        if not self.first_example:
            self.first_example = line.strip()[:40]
        if m.group("br"):
            self.brackets += 1
        rest = m.group("rest")
        if ": " in rest:
            self.senders[rest.split(": ", 1)[0]] += 1
        elif rest.endswith(":"):
            self.senders[rest[:-1]] += 1

    def possible(self) -> list[str]:
        return [order for order, reading in self.readings.items() if reading.valid and reading.latest]


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) <= 2 else year


def _ordinal(key: int) -> int:
    return date(key // 10000, key // 100 % 100, key % 100).toordinal()


def _span_days(reading: _Reading) -> int:
    return _ordinal(reading.latest) - _ordinal(reading.earliest)


def decide_date_order(
    scan: _Scan, asked: str | None, not_after: datetime | None, label: str
) -> tuple[str, str]:
    """(order, why) for the whole file; raises NeedsDateOrder when the file cannot tell.

    Every reading under which some date cannot exist is ruled out first. The person's
    `--date-order` is then followed whenever the dates can be read that way. Otherwise readings
    that put messages after the capture, or make dates jump backwards, are ruled out. A two-digit
    year first (`24-02-09`) is rare, so it is chosen only when the usual readings fail those tests
    or would spread the chat over years while it fits within one year.
    """
    possible = scan.possible()
    if not possible:
        raise NeedsDateOrder(
            f"The dates in “{label}” cannot be read in any one order (for example “{scan.first_example}”).",
            [scan.first_example],
        )
    readings = scan.readings
    if asked in possible:
        return asked, "the person capturing it said so (--date-order)"  # type: ignore[return-value]
    if len(possible) == 1:
        return possible[0], _only_reason(scan, possible[0])
    limit = None
    if not_after is not None:
        day = not_after.replace(tzinfo=None) + timedelta(days=1)
        limit = day.year * 10000 + day.month * 100 + day.day
    reasons: list[str] = []
    in_time = [o for o in possible if limit is None or readings[o].latest <= limit]
    if in_time and len(in_time) < len(possible):
        possible = in_time
        reasons.append("the other reading would put messages after the export was captured")
    fewest = min(readings[o].backwards for o in possible)
    forward = [o for o in possible if readings[o].backwards == fewest]
    if fewest == 0 and len(forward) < len(possible):
        possible = forward
        reasons.append("the other reading would make the dates jump backwards")
    if len(possible) > 1 and len({(readings[o].checksum, readings[o].latest) for o in possible}) == 1:
        # Every date reads the same either way (day = month throughout): nothing to choose.
        chosen = next(o for o in ("dmy", "mdy", "ymd", "myd", "dym") if o in possible)
        return chosen, "every date in it reads the same day-first or month-first"
    if "ymd" in possible and len(possible) > 1 and scan.year_first < scan.headers:
        short = readings["ymd"]
        others = [o for o in possible if o != "ymd"]
        if _span_days(short) < 366 and all(_span_days(readings[o]) > 2 * 366 for o in others):
            possible = ["ymd"]
            reasons.append("read any other way, the dates would spread a short chat over years")
        else:
            possible = others
    if len(possible) == 1:
        return possible[0], "; ".join(reasons) or _only_reason(scan, possible[0])
    raise NeedsDateOrder(
        f"The dates in “{label}” could be day-first or month-first (for example "
        f"“{scan.first_example}”): every date in it fits both readings.",
        [scan.first_example],
    )


def _only_reason(scan: _Scan, order: str) -> str:
    if order == "ymd" and scan.year_first:
        return "the year is written first"
    if order == "dmy" and scan.max_a > 12:
        return f"a date in it has a first number above 12 (up to {scan.max_a})"
    if order == "mdy" and scan.max_b > 12:
        return f"a date in it has a second number above 12 (up to {scan.max_b})"
    return f"no other reading gives real dates (as {_ORDER_WORDS[order]})"


# ---- parsing -----------------------------------------------------------------------------------


class WhatsAppParser:
    name = NAME
    version = VERSION
    reading_order = "file"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        chat_file = detection.files[0]
        counter: dict[str, int] = {}
        scan = _Scan()
        with source.open(chat_file) as stream:
            try:
                for line in _lines(stream, counter):
                    m = HEADER.match(line)
                    if m:
                        scan.add(m, line)
            except TooLong:
                pass  # decide from the lines before it; reading the messages stops there too
        if not scan.headers:
            raise ExportDamaged(f"“{chat_file}” has no lines that look like WhatsApp messages")
        order, why = decide_date_order(scan, context.date_order, context.not_after, source.label)
        if context.date_order and context.date_order != order:
            context.warn(
                f"The dates in “{source.label}” were read as {_ORDER_WORDS[order]}, not as you asked "
                f"(--date-order {context.date_order}), because {why}."
            )
        context.facts.update(
            {
                "date_order": order,
                "date_order_reason": why,
                "time_precision": "second" if scan.brackets else "minute",
            }
        )
        if context.zone is None:
            context.warn(
                "The times in this export are written without a time zone, and no zone is known for the "
                "case, so they are kept only as written. To read them as the phone's local time, make the "
                "transcript again with --export-timezone (for example Europe/London)."
            )
        known = {name for name, count in scan.senders.items() if count >= 2 and len(name) <= 80}
        known_sorted = sorted(known, key=len, reverse=True)
        conversation = Conversation(key=chat_file, name=chat_name(source.label) or chat_name(chat_file))
        members = {n.rsplit("/", 1)[-1]: n for n in source.names() if n != chat_file}
        state = _State(context, order, conversation, chat_file, known_sorted, members)
        with source.open(chat_file) as stream:
            try:
                for number, line in enumerate(_lines(stream, counter), start=1):
                    m = HEADER.match(line)
                    if m is not None:
                        done = state.flush()
                        if done is not None:
                            yield done
                        state.start(m, number)
                    else:
                        state.more(line, number)
            except TooLong as exc:
                if exc.head is not None and HEADER.match(exc.head):  # the message before is whole
                    done = state.flush()
                    if done is not None:
                        yield done
                raise
        done = state.flush()
        if done is not None:
            yield done
        if counter.get("bad_lines"):
            context.warn(
                f"{counter['bad_lines']} line(s) of “{chat_file}” were not valid UTF-8; the unreadable "
                "bytes are shown as � in the transcript (the original is unchanged)."
            )
        referenced = state.referenced
        unreferenced = [
            n for n in source.names() if n != chat_file and n not in referenced and _looks_like_media(n)
        ]
        context.facts["unreferenced_media"] = unreferenced
        if unreferenced:
            context.warn(
                f"{len(unreferenced)} media file(s) in the export are not mentioned by any message "
                f"(for example “{unreferenced[0]}”). They are kept in the item."
            )


_ORDER_WORDS = {
    "dmy": "day first",
    "mdy": "month first",
    "ymd": "year first",
    "myd": "month, year, day",
    "dym": "day, year, month",
}


def _looks_like_media(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return bool(_MEDIA_NAME.match(base) or _MEDIA_EXT.search(base))


class _State:
    """The message being read: its header, then any continuation lines."""

    def __init__(
        self,
        context: ParseContext,
        order: str,
        conversation: Conversation,
        chat_file: str,
        known: list[str],
        members: dict[str, str],
    ) -> None:
        self.context = context
        self.order = order
        self.conversation = conversation
        self.chat_file = chat_file
        self.known = known
        self.members = members
        self.seq = 0
        self.current: Message | None = None
        self.lines: list[str] = []
        self.size = 0  # characters in `lines`
        self.previous_time: datetime | None = None
        self.referenced: set[str] = set()
        self.ios = False
        self._offsets: dict[tuple[int, int, int, int], Any] = {}

    def start(self, m: re.Match[str], number: int) -> None:
        self.seq += 1
        self.ios = bool(m.group("br"))
        written = m.group(0)[: m.start("rest")]
        written = written.translate(_INVISIBLE).strip().removeprefix("[").removesuffix("-").strip()
        written = written.removesuffix("]").removesuffix(":").strip()
        sender, text = self._split(m.group("rest"))
        msg = Message(
            seq=self.seq,
            time=None,
            time_as_written=written,
            sender=sender,
            text="",
            kind=MESSAGE if sender is not None else SYSTEM,
            conversation=self.conversation,
            source_file=self.chat_file,
            source_line=number,
        )
        self._set_time(msg, m)
        self.current = msg
        self.lines = [text]
        self.size = len(text)

    def more(self, line: str, number: int) -> None:
        if self.current is None:
            # Text before the first dated line: kept as a system note so nothing is lost.
            self.seq += 1
            self.current = Message(
                seq=self.seq,
                time=None,
                time_as_written=None,
                sender=None,
                text="",
                kind=SYSTEM,
                conversation=self.conversation,
                source_file=self.chat_file,
                source_line=number,
            )
            self.lines = [line]
            self.size = len(line)
            return
        self.size += len(line) + 1
        if self.size > MAX_MESSAGE_CHARS:
            raise TooLong(
                f"the message that starts at line {self.current.source_line:,} goes on for more than "
                f"{MAX_MESSAGE_CHARS:,} characters, far longer than any WhatsApp message: the file is "
                "damaged or is not a chat export"
            )
        self.lines.append(line)

    def _split(self, rest: str) -> tuple[str | None, str]:
        for name in self.known:
            if rest.startswith(name + ": "):
                return name, rest[len(name) + 2 :]
            if rest == name + ":":
                return name, ""
        if ": " in rest:
            candidate, text = rest.split(": ", 1)
            if len(candidate) <= 80 and not SYSTEM_HINTS.search(candidate):
                return candidate, text
        elif rest.endswith(":") and 0 < len(rest) <= 81 and not SYSTEM_HINTS.search(rest):
            return rest[:-1], ""
        return None, rest

    def _set_time(self, msg: Message, m: re.Match[str]) -> None:
        a, b, c, h, mi, sec, marker, pre = m.group("a", "b", "c", "h", "m", "s", "ampm", "pre_ampm")
        fields = _fields(self.order, a, b, c)
        if fields is None:
            msg.details["time_problem"] = (
                f"this date cannot be read {_ORDER_WORDS[self.order]} like the rest of the file"
            )
            return
        year, month, day = fields
        hour, minute, second = int(h), int(mi), int(sec or 0)
        if marker or pre:
            marker = (marker or "").lower().replace(".", "").replace(" ", "").replace("\u00a0", "")
            marker = marker.replace("\u202f", "")
            pm = marker == "pm" or pre in ("下午", "午後", "오후")
            am = marker == "am" or pre in ("上午", "午前", "오전")
            if hour > 12 or (hour == 0 and pm):
                # Phones do write `23:59 PM` or `00:15 PM`: a 24-hour time with a marker that
                # cannot apply. The hour is read as written and the message flagged.
                msg.flag("time-marker-ignored")
                msg.details["time_marker"] = (
                    "the time has both a 24-hour hour and an AM/PM marker; the hour is read as written"
                )
            else:
                if (pm or am) and hour == 12:
                    hour = 0
                if pm:
                    hour += 12
        zone = self.context.zone
        key = (year, month, day, hour)
        fixed = self._offsets.get(key)
        if fixed is None:
            try:
                hour_start = datetime(year, month, day, hour)
                datetime(year, month, day, hour, minute, second)
            except ValueError:
                msg.details["time_problem"] = "the date or time written here does not exist"
                return
            if zone is None:
                msg.details["time_problem"] = "no time zone is known for this export"
                return
            first, flag_first = localise(hour_start, zone)
            last, flag_last = localise(hour_start.replace(minute=59, second=59), zone)
            offset = first.utcoffset()
            same = offset is not None and not flag_first and not flag_last and offset == last.utcoffset()
            fixed = timezone(offset) if same and offset is not None else False
            self._offsets[key] = fixed
        if minute > 59 or second > 59:
            msg.details["time_problem"] = "the date or time written here does not exist"
            return
        if fixed is not False:  # no clock change in this hour: one fixed offset
            moment = datetime(year, month, day, hour, minute, second, tzinfo=fixed)
            flag = None
        else:
            naive = datetime(year, month, day, hour, minute, second)
            moment, flag = localise(naive, zone, self.previous_time)  # type: ignore[arg-type]
        msg.time = moment
        msg.time_zone_assumed = True
        if flag:
            msg.flag(flag)
        self.previous_time = moment

    def flush(self) -> Message | None:
        msg = self.current
        if msg is None:
            return None
        self.current = None
        msg.text = "\n".join(self.lines)
        self._classify(msg)
        return msg

    def _classify(self, msg: Message) -> None:
        text = msg.text
        if (
            text
            and "<" not in text
            and ")" not in text
            and "\u200e" not in text
            and (len(text) > 60 or text.lower().rstrip(".") not in DELETED)
        ):
            return  # plain text: no marker can be in it
        clean = _clean(text)
        first_line = _clean(text.split("\n", 1)[0])
        lowered = clean.lower().rstrip(".")
        if msg.sender is not None and msg.text == "":
            msg.details["empty"] = (
                "WhatsApp wrote this message with no text; it may have been view-once or disappearing media"
            )
            return
        if lowered in DELETED:
            msg.flag("deleted")
            return
        edited = re.search(r"<([^<>]+)>\s*$", clean)
        if edited and any(word in edited.group(1).lower() for word in EDITED_WORDS):
            msg.flag("edited")
        attachment = self._attachment(first_line, text)
        if attachment is not None:
            msg.attachments.append(attachment)
            return
        if self._omitted(first_line, text):
            msg.flag("media-omitted")
            msg.details["omitted"] = first_line
            return
        if msg.sender is not None and self.ios and text.startswith("\u200e") and SYSTEM_HINTS.search(clean):
            # iOS writes system events with the chat (or the actor) as "sender" and an LRM first.
            # People's messages can start with an LRM too, so the text must also read like one.
            msg.kind = SYSTEM

    def _attachment(self, first_line: str, text: str) -> Attachment | None:
        name = None
        ios = re.match(r"^<([^<>:]{1,40}):\s*([^<>]+)>", first_line)
        if ios and (ios.group(1).strip().lower() in IOS_ATTACHED or ios.group(2).strip() in self.members):
            name = ios.group(2).strip()
        old_ios = re.match(r"^(.+?) <attached>$", first_line)
        if name is None and old_ios:
            name = old_ios.group(1).strip()
        android = re.match(r"^(.+?) \(([^()]+)\)$", first_line)
        if name is None and android:
            label = android.group(2).strip().lower()
            if label in ANDROID_ATTACHED or android.group(1).strip() in self.members:
                name = android.group(1).strip()
        if name is None:
            return None
        member = self.members.get(name)
        if member is not None:
            self.referenced.add(member)
        return Attachment(name=name, member=member, type=_type_of(name))

    def _omitted(self, first_line: str, text: str) -> bool:
        if "\n" in text.strip():
            return False
        lowered = first_line.lower()
        if re.fullmatch(r"<[^<>]+>", first_line):
            inner = lowered[1:-1]
            return any(word in inner for word in OMITTED_WORDS) or inner.startswith(("media", "medien"))
        return text.startswith("\u200e") and any(lowered.endswith(word) for word in OMITTED_WORDS)


def _type_of(name: str) -> str | None:
    lowered = name.lower()
    if lowered.startswith("ptt-") or lowered.endswith((".opus", ".ogg")):
        return "voice"
    if re.search(r"\.(jpe?g|png|heic|webp)$", lowered):
        return "sticker" if lowered.startswith("stk-") or "-sticker-" in lowered else "photo"
    if re.search(r"\.(mp4|3gp|mov)$", lowered):
        return "video"
    if re.search(r"\.(m4a|aac|mp3|amr|wav)$", lowered):
        return "audio"
    if lowered.endswith(".gif"):
        return "gif"
    return "file"


PARSER = WhatsAppParser()
