"""Android "SMS Backup & Restore" XML: `sms-<time>.xml` (texts and picture messages) and
`calls-<time>.xml` (the call log).

Backups with pictures reach gigabytes (MMS media is inline base64), so the XML is read with expat
in blocks, one message at a time; each picture is decoded strictly (damaged data is reported, never
turned into an empty "picture"), handed to the transcript writer, which hashes it and saves it as a
derived file where the case allows (transcript.py), and is not kept in memory. `date`
is exact (epoch milliseconds); `readable_date` is the phone's local rendering and is kept as
written. Some apps write emoji as two character references
to UTF-16 surrogate halves (`&#55357;&#56832;`), which XML forbids; each pair is merged into the
one character it stands for before parsing, and counted.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat

from evidencekit.exports.base import (
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    ExportDamaged,
    Message,
    ParseContext,
)
from evidencekit.exports.source import Source
from evidencekit.exports.times import from_epoch_ms, shown

NAME = "sms"
VERSION = "2"
ME = "(this phone)"
_SMS_TYPES = {"1": "received", "2": "sent", "3": "draft", "4": "outbox", "5": "failed", "6": "queued"}
_MMS_BOX = {"1": "received", "2": "sent", "3": "draft", "4": "outbox"}
_CALL_TYPES = {
    "1": "Incoming call",
    "2": "Outgoing call",
    "3": "Missed call",
    "4": "Voicemail",
    "5": "Rejected call",
    "6": "Blocked call",
    "7": "Call answered on another device",
}
_PAIR = re.compile(rb"&#(?:(\d{5})|[xX]([0-9A-Fa-f]{4}));&#(?:(\d{5})|[xX]([0-9A-Fa-f]{4}));")
_WHITESPACE = re.compile(r"\s+")
_LONE = re.compile(rb"&#(?:(\d{5})|[xX]([0-9A-Fa-f]{4}));")


def _value(ref_dec: bytes | None, ref_hex: bytes | None) -> int:
    return int(ref_dec) if ref_dec else int(ref_hex, 16)  # type: ignore[arg-type]


class SurrogateFixer:
    """Merges character references to surrogate pairs into one reference, replaces lone halves
    with U+FFFD, block by block (a reference cut by a block boundary is carried over)."""

    def __init__(self) -> None:
        self.repairs = 0
        self._pending = b""

    def _fix(self, data: bytes) -> bytes:
        if b"&#" not in data:
            return data

        def pair(m: re.Match[bytes]) -> bytes:
            high, low = _value(m.group(1), m.group(2)), _value(m.group(3), m.group(4))
            if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
                self.repairs += 1
                code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                return b"&#%d;" % code
            return m.group(0)

        def lone(m: re.Match[bytes]) -> bytes:
            if 0xD800 <= _value(m.group(1), m.group(2)) <= 0xDFFF:
                self.repairs += 1
                return b"&#65533;"
            return m.group(0)

        return _LONE.sub(lone, _PAIR.sub(pair, data))

    def feed(self, chunk: bytes, final: bool = False) -> bytes:
        data = self._pending + chunk
        if final:
            self._pending = b""
            return self._fix(data)
        cut = max(0, len(data) - 32)
        amp = data.rfind(b"&", max(0, cut - 20), cut)
        if amp != -1:
            cut = amp
        self._pending = data[cut:]
        return self._fix(data[:cut])


def detect(source: Source) -> Detection | None:
    for name in source.names():
        if not name.lower().endswith(".xml"):
            continue
        head = source.head(name, 4096).decode("utf-8", errors="replace")
        if re.search(r"<smses[\s>]", head):
            return Detection(NAME, 0.9, "SMS Backup & Restore (Android) messages backup (XML)", "sms", [name])
        if re.search(r"<calls[\s>]", head):
            return Detection(
                NAME, 0.85, "SMS Backup & Restore (Android) call log backup (XML)", "calls", [name]
            )
    return None


def _null(value: str | None) -> str | None:
    return None if value in (None, "null", "") else value


class SmsParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        state = _Reader(source, detection.files, context)
        for name in detection.files:
            with source.open(name) as stream:
                yield from state.read(name, stream)
        if state.fixer_repairs:
            context.warn(
                f"{state.fixer_repairs} emoji or character(s) were written as invalid halves "
                "(“&#55357;&#56832;”) and were read as the characters they stand for."
            )
        if state.bad_media:
            context.warn(
                f"{state.bad_media} picture-message part(s) hold damaged data (not base64) in the backup, "
                f"for example in the message at line {state.bad_media_line:,} of “{state.bad_media_file}”: "
                "the file cannot be recovered from the backup, so it is listed as missing, not "
                "hashed (the backup itself is kept unchanged)."
            )


class _Reader:
    def __init__(self, source: Source, files: list[str], context: ParseContext) -> None:
        self.source = source
        self.context = context
        self.seq = 0
        self.conversations: dict[str, Conversation] = {}
        self.fixer_repairs = 0
        self.bad_media = 0
        self.bad_media_line = 0
        self.bad_media_file = ""

    def read(self, name: str, stream: IO[bytes]) -> Iterator[Message]:
        ready: list[Message] = []
        mms: dict[str, Any] | None = None
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal mms
            line = parser.CurrentLineNumber
            if tag == "sms":
                ready.append(self._sms(attrs, name, line))
            elif tag == "call":
                ready.append(self._call(attrs, name, line))
            elif tag == "mms":
                mms = {"attrs": attrs, "parts": [], "addrs": [], "line": line}
            elif tag == "part" and mms is not None:
                mms["parts"].append(attrs)
            elif tag == "addr" and mms is not None:
                mms["addrs"].append(attrs)

        def end(tag: str) -> None:
            nonlocal mms
            if tag == "mms" and mms is not None:
                ready.append(self._mms(mms, name))
                mms = None

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        fixer = SurrogateFixer()
        try:
            while True:
                chunk = stream.read(1 << 20)
                final = not chunk
                try:
                    parser.Parse(fixer.feed(chunk, final=final), final)
                except expat.ExpatError:
                    yield from ready  # what was read before the fault is kept
                    ready.clear()
                    raise
                except LookupError as exc:  # the XML declaration names an encoding Python does not know
                    yield from ready
                    ready.clear()
                    problem = f"the backup names a text encoding that cannot be read ({exc})"
                    raise ExportDamaged(problem) from exc
                yield from ready
                ready.clear()
                if final:
                    break
        finally:
            self.fixer_repairs += fixer.repairs
        yield from ready

    def _conversation(self, address: str | None, contact: str | None) -> Conversation:
        key = re.sub(r"[^\d+~]", "", address or "") or (address or "unknown")
        conversation = self.conversations.get(key)
        if conversation is None:
            label = " ".join(p for p in (contact, address) if p) or "unknown number"
            conversation = self.conversations[key] = Conversation(key=key, name=label)
        return conversation

    def _base(self, attrs: dict[str, str], name: str, line: int) -> Message:
        self.seq += 1
        date = _null(attrs.get("date"))
        moment = None
        if date and date.lstrip("-").isdigit():
            moment = shown(from_epoch_ms(int(date), None), self.context.display_zone)
        msg = Message(
            seq=self.seq,
            time=moment,
            time_as_written=_null(attrs.get("readable_date")) or date,
            sender=None,
            text="",
        )
        msg.source_file = name
        msg.source_line = line
        return msg

    def _sms(self, attrs: dict[str, str], name: str, line: int) -> Message:
        msg = self._base(attrs, name, line)
        address = _null(attrs.get("address"))
        contact = _null(attrs.get("contact_name"))
        if contact == "(Unknown)":
            contact = None
        direction = _SMS_TYPES.get(attrs.get("type", ""), attrs.get("type"))
        msg.details["direction"] = direction
        if direction == "received":
            msg.sender, msg.sender_id = contact or address, address
        else:
            msg.sender = ME
        msg.text = _null(attrs.get("body")) or ""
        if _null(attrs.get("subject")):
            msg.details["subject"] = attrs["subject"]
        msg.conversation = self._conversation(address, contact)
        return msg

    def _call(self, attrs: dict[str, str], name: str, line: int) -> Message:
        msg = self._base(attrs, name, line)
        number = _null(attrs.get("number"))
        contact = _null(attrs.get("contact_name"))
        if contact == "(Unknown)":
            contact = None
        what = _CALL_TYPES.get(attrs.get("type", ""), f"Call (type {attrs.get('type')})")
        duration = _null(attrs.get("duration"))
        msg.kind = SYSTEM
        msg.text = what + (f", {duration} seconds" if duration and duration != "0" else "")
        msg.details["call"] = what
        if attrs.get("type") in ("2",):
            msg.sender = ME
        else:
            msg.sender, msg.sender_id = contact or number, number
        msg.conversation = self._conversation(number, contact)
        return msg

    def _mms(self, mms: dict[str, Any], name: str) -> Message:
        attrs = mms["attrs"]
        msg = self._base(attrs, name, mms["line"])
        address = _null(attrs.get("address"))
        contact = _null(attrs.get("contact_name"))
        if contact == "(Unknown)":
            contact = None
        direction = _MMS_BOX.get(attrs.get("msg_box", ""), attrs.get("msg_box"))
        msg.details["direction"] = direction
        msg.details["mms"] = True
        sender_addr = next((_null(a.get("address")) for a in mms["addrs"] if a.get("type") == "137"), None)
        recipients = [a.get("address") for a in mms["addrs"] if a.get("type") in ("151", "130", "129")]
        if recipients:
            msg.details["recipients"] = recipients
        if direction == "received":
            msg.sender, msg.sender_id = (
                (contact if contact and "," not in contact else None) or sender_addr,
                sender_addr,
            )
        else:
            msg.sender = ME
        texts = []
        for number, part in enumerate(mms["parts"], start=1):
            content_type = (part.get("ct") or "").lower()
            if content_type == "application/smil":
                continue
            if content_type == "text/plain":
                text = _null(part.get("text"))
                if text is not None:
                    texts.append(text)
                continue
            label = _null(part.get("cl")) or _null(part.get("name")) or f"part-{number}"
            attachment = Attachment(
                name=posixpath.basename(label),
                type=content_type.split("/", 1)[0] or "file",
                details={"content_type": content_type},
            )
            data = _WHITESPACE.sub("", part.get("data") or "")
            if data:
                # Strictly: a lenient decoder skips what is not base64 and turns “%%%” into an
                # empty “picture” with the SHA-256 of nothing, which would look like evidence.
                try:
                    decoded = base64.b64decode(data, validate=True)
                except (binascii.Error, ValueError):
                    decoded = b""
                if decoded:
                    attachment.data = decoded
                else:
                    if not self.bad_media:
                        self.bad_media_line, self.bad_media_file = mms["line"], name
                    self.bad_media += 1
                    attachment.details["problem"] = (
                        "its data in the backup is damaged (not base64), so the file cannot be recovered"
                    )
            else:
                attachment.details["note"] = "the backup does not include this file"
            msg.attachments.append(attachment)
        msg.text = "\n".join(texts)
        msg.conversation = self._conversation(address, contact)
        return msg


PARSER = SmsParser()
