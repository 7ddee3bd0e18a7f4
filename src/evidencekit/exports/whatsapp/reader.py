"""Reading the messages: a first pass decides the date order and learns the senders' names, the
second builds each message from its header line and any lines after it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone, tzinfo

from evidencekit.exports.base import (
    MESSAGE,
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    ExportDamaged,
    Message,
    ParseContext,
)
from evidencekit.exports.source import Source
from evidencekit.exports.times import localise
from evidencekit.exports.whatsapp.dates import ORDER_WORDS, Scan, date_fields, decide_date_order
from evidencekit.exports.whatsapp.detection import NAME, detect
from evidencekit.exports.whatsapp.lines import MAX_MESSAGE_CHARS, TooLong, line_blocks
from evidencekit.exports.whatsapp.patterns import (
    ANDROID_ATTACHED,
    ANDROID_ATTACHMENT,
    ANGLED,
    DELETED,
    EDITED_MARK,
    EDITED_WORDS,
    HEADER,
    INVISIBLE,
    IOS_ATTACHED,
    IOS_ATTACHMENT,
    OLD_IOS_ATTACHMENT,
    OMITTED_WORDS,
    SYSTEM_HINTS,
    chat_name,
    clean,
    looks_like_media,
    type_of,
)

VERSION = "1"
_PM = ("下午", "午後", "오후")
_AM = ("上午", "午前", "오전")


class WhatsAppParser:
    name = NAME
    version = VERSION
    reading_order = "file"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        chat_file = detection.files[0]
        scan = Scan()
        match = HEADER.match
        with source.open(chat_file) as stream:
            try:
                for block in line_blocks(stream, {}):  # bad bytes are counted in the second pass
                    for line, m in zip(block, map(match, block), strict=True):
                        if m is not None:
                            scan.add(m, line)
            except TooLong:
                pass  # decide from the lines before it; reading the messages stops there too
        if not scan.headers:
            raise ExportDamaged(f"“{chat_file}” has no lines that look like WhatsApp messages")
        order, why = decide_date_order(scan, context.date_order, context.not_after, source.label)
        if context.date_order and context.date_order != order:
            context.warn(
                f"The dates in “{source.label}” were read as {ORDER_WORDS[order]}, not as you asked "
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
        conversation = Conversation(key=chat_file, name=chat_name(source.label) or chat_name(chat_file))
        members = {n.rsplit("/", 1)[-1]: n for n in source.names() if n != chat_file}
        state = _State(context, order, conversation, chat_file, known, members)
        counter: dict[str, int] = {}
        number = 0
        with source.open(chat_file) as stream:
            try:
                for block in line_blocks(stream, counter):
                    for line, m in zip(block, map(match, block), strict=True):
                        number += 1
                        if m is not None:
                            if state.current is not None:
                                yield state.flush()
                            state.start(m, number)
                        else:
                            state.more(line, number)
            except TooLong as exc:
                if exc.head is not None and match(exc.head) and state.current is not None:
                    yield state.flush()  # the message before the long line is whole
                raise
        if state.current is not None:
            yield state.flush()
        if counter.get("bad_lines"):
            context.warn(
                f"{counter['bad_lines']} line(s) of “{chat_file}” were not valid UTF-8; the unreadable "
                "bytes are shown as � in the transcript (the original is unchanged)."
            )
        referenced = state.referenced
        unreferenced = [
            n for n in source.names() if n != chat_file and n not in referenced and looks_like_media(n)
        ]
        context.facts["unreferenced_media"] = unreferenced
        if unreferenced:
            context.warn(
                f"{len(unreferenced)} media file(s) in the export are not mentioned by any message "
                f"(for example “{unreferenced[0]}”). They are kept in the item."
            )


class _State:
    """The message being read: its header, then any continuation lines."""

    def __init__(
        self,
        context: ParseContext,
        order: str,
        conversation: Conversation,
        chat_file: str,
        known: set[str],
        members: dict[str, str],
    ) -> None:
        self.context = context
        self.zone = context.zone
        self.order = order
        self.conversation = conversation
        self.chat_file = chat_file
        self.known = known
        # Longest first, so that of "Ann" and "Ann: Bo" the longer wins. Only a name with ": "
        # in it can be confused that way; without one, the text before the first ": " is the name.
        self.known_sorted = sorted(known, key=len, reverse=True)
        self.ambiguous_names = any(": " in name for name in known)
        self.members = members
        self.seq = 0
        self.current: Message | None = None
        self.lines: list[str] = []
        self.size = 0  # characters in `lines`
        self.previous_time: datetime | None = None
        self.referenced: set[str] = set()
        self.ios = False
        self._offsets: dict[tuple[int, int, int, int], tzinfo | bool] = {}
        self._last_date: tuple[str, str, str] = ("", "", "")
        self._last_fields: tuple[int, int, int] | None = None

    def start(self, m: re.Match[str], number: int) -> None:
        self.seq += 1
        self.ios = bool(m.group("br"))
        rest = m.group("rest")
        written = m.string[: m.start("rest")]
        if not written.isascii():  # only then can invisible marks be in it
            written = written.translate(INVISIBLE)
        written = written.strip().removeprefix("[").removesuffix("-").strip()
        written = written.removesuffix("]").removesuffix(":").strip()
        sender, text = self._split(rest)
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
        if not self.ambiguous_names:
            if ": " in rest:
                candidate, text = rest.split(": ", 1)
                if candidate in self.known:
                    return candidate, text
            elif rest.endswith(":") and rest[:-1] in self.known:
                return rest[:-1], ""
        else:
            for name in self.known_sorted:
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
        written = (a, b, c)
        if written == self._last_date:  # most messages share the date of the one before
            fields = self._last_fields
        else:
            fields = date_fields(self.order, a, b, c)
            self._last_date, self._last_fields = written, fields
        if fields is None:
            msg.details["time_problem"] = (
                f"this date cannot be read {ORDER_WORDS[self.order]} like the rest of the file"
            )
            return
        year, month, day = fields
        hour, minute, second = int(h), int(mi), int(sec) if sec else 0
        if marker or pre:
            marker = (marker or "").lower().replace(".", "").replace(" ", "").replace("\u00a0", "")
            marker = marker.replace("\u202f", "")
            pm = marker == "pm" or pre in _PM
            am = marker == "am" or pre in _AM
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
        zone = self.zone
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
            moment = datetime(year, month, day, hour, minute, second, tzinfo=fixed)  # type: ignore[arg-type]
            flag = None
        else:
            naive = datetime(year, month, day, hour, minute, second)
            moment, flag = localise(naive, zone, self.previous_time)  # type: ignore[arg-type]
        msg.time = moment
        msg.time_zone_assumed = True
        if flag:
            msg.flag(flag)
        self.previous_time = moment

    def flush(self) -> Message:
        """The message read so far, whole (only called when there is one)."""
        msg = self.current
        assert msg is not None
        self.current = None
        lines = self.lines
        msg.text = lines[0] if len(lines) == 1 else "\n".join(lines)
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
        cleaned = clean(text)
        first_line = clean(text.split("\n", 1)[0])
        lowered = cleaned.lower().rstrip(".")
        if msg.sender is not None and msg.text == "":
            msg.details["empty"] = (
                "WhatsApp wrote this message with no text; it may have been view-once or disappearing media"
            )
            return
        if lowered in DELETED:
            msg.flag("deleted")
            return
        edited = EDITED_MARK.search(cleaned)
        if edited and any(word in edited.group(1).lower() for word in EDITED_WORDS):
            msg.flag("edited")
        attachment = self._attachment(first_line)
        if attachment is not None:
            msg.attachments.append(attachment)
            return
        if self._omitted(first_line, text):
            msg.flag("media-omitted")
            msg.details["omitted"] = first_line
            return
        if msg.sender is not None and self.ios and text.startswith("\u200e") and SYSTEM_HINTS.search(cleaned):
            # iOS writes system events with the chat (or the actor) as "sender" and an LRM first.
            # People's messages can start with an LRM too, so the text must also read like one.
            msg.kind = SYSTEM

    def _attachment(self, first_line: str) -> Attachment | None:
        name = None
        ios = IOS_ATTACHMENT.match(first_line)
        if ios and (ios.group(1).strip().lower() in IOS_ATTACHED or ios.group(2).strip() in self.members):
            name = ios.group(2).strip()
        old_ios = OLD_IOS_ATTACHMENT.match(first_line)
        if name is None and old_ios:
            name = old_ios.group(1).strip()
        android = ANDROID_ATTACHMENT.match(first_line)
        if name is None and android:
            label = android.group(2).strip().lower()
            if label in ANDROID_ATTACHED or android.group(1).strip() in self.members:
                name = android.group(1).strip()
        if name is None:
            return None
        member = self.members.get(name)
        if member is not None:
            self.referenced.add(member)
        return Attachment(name=name, member=member, type=type_of(name))

    def _omitted(self, first_line: str, text: str) -> bool:
        if "\n" in text.strip():
            return False
        lowered = first_line.lower()
        if ANGLED.fullmatch(first_line):
            inner = lowered[1:-1]
            return any(word in inner for word in OMITTED_WORDS) or inner.startswith(("media", "medien"))
        return text.startswith("\u200e") and any(lowered.endswith(word) for word in OMITTED_WORDS)
