"""imessage-exporter's text output (`--format txt`): one `<conversation>.txt` per chat.

Each message is a date line (`Feb 09, 2024  10:16:03 PM`, the exporting Mac's local time, read in
the zone the person states and flagged), the sender, then the text; replies are shown again,
indented, under the message they answer; reactions follow a `Reactions:` line; attachments are
their path on the Mac (or inside the export, with `--copy-method`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from evidencekit.exports.base import Attachment, Conversation, Detection, Message, ParseContext
from evidencekit.exports.imessage_db import OWNER, _attachment_reference, _find_member
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import localise

# imessage-exporter's date line: chrono's "%b %d, %Y %l:%M:%S %p" (%l pads with a space).
_TXT_DATE = re.compile(
    r"^(?P<indent> *)(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>\d{2}), "
    r"(?P<year>\d{4}) +(?P<hour>\d{1,2}):(?P<min>\d{2}):(?P<sec>\d{2}) (?P<ampm>AM|PM)(?P<rest>.*)$"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_TXT_SELF = "Me"
_TXT_REPLY_NOTE = "This message responded to an earlier message."


def looks_like_exporter_txt(source: Source, name: str) -> bool:
    lines = [line for line in head_text(source, name, 4096).splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    first = _TXT_DATE.match(lines[0])
    return first is not None and not first.group("indent")


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, 1):
        line = raw.decode("utf-8", errors="replace")
        if number == 1:
            line = line.lstrip("\ufeff")
        yield number, line.rstrip("\r\n")


def _txt_time(
    match: re.Match[str], context: ParseContext, previous: datetime | None
) -> tuple[datetime | None, str | None]:
    hour = int(match.group("hour")) % 12 + (12 if match.group("ampm") == "PM" else 0)
    try:
        naive = datetime(
            int(match.group("year")),
            _MONTHS[match.group("mon")],
            int(match.group("day")),
            hour,
            int(match.group("min")),
            int(match.group("sec")),
        )
    except ValueError:
        return None, None
    if context.zone is None:
        return None, None
    return localise(naive, context.zone, previous)


def parse_txt(source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
    seq = 0
    assumed = 0
    for name in detection.files:
        stem = posixpath.basename(name).rsplit(".", 1)[0]
        conversation = Conversation(key=name, name=stem)
        previous: datetime | None = None
        current: Message | None = None
        body: list[str] = []
        reactions_open = False

        def finish(msg: Message, lines: list[str], name: str = name) -> Message:
            while lines and not lines[-1].strip():
                lines.pop()
            text_lines = []
            for line in lines:
                found = _find_txt_attachment(source, line, name)
                if found is not None:
                    msg.attachments.append(found)
                elif line == "Attachment missing!":
                    msg.attachments.append(Attachment(name="(attachment)", details={"note": line}))
                elif line == _TXT_REPLY_NOTE:
                    msg.flag("reply")
                else:
                    text_lines.append(line)
            msg.text = "\n".join(text_lines)
            return msg

        with source.open(name) as stream:
            pending_sender = False
            for number, line in _lines(stream):
                match = _TXT_DATE.match(line)
                if match is not None and not match.group("indent"):
                    if current is not None:
                        yield finish(current, body)
                    seq += 1
                    moment, flag = _txt_time(match, context, previous)
                    written = line.strip()
                    current = Message(seq=seq, time=moment, time_as_written=written, sender=None, text="")
                    current.conversation = conversation
                    current.source_file = name
                    current.source_line = number
                    if moment is not None:
                        current.time_zone_assumed = True
                        assumed += 1
                        previous = moment
                    else:
                        current.flag("time-unknown")
                    if flag:
                        current.flag(flag)
                    rest = match.group("rest").strip()
                    if rest:
                        current.details["note_as_written"] = rest
                        current.time_as_written = written[: len(written) - len(match.group("rest"))].strip()
                    body = []
                    pending_sender = True
                    reactions_open = False
                    continue
                if current is None:
                    continue
                if pending_sender:
                    sender = line.strip()
                    current.sender = OWNER if sender == _TXT_SELF else sender
                    current.sender_id = None if sender == _TXT_SELF else sender
                    if sender == _TXT_SELF:
                        current.details["sent_by_account_owner"] = True
                    pending_sender = False
                    continue
                if line.startswith("    "):
                    # A reply shown again under the message it answers; it is also listed on its own.
                    current.details.setdefault("replies_shown_under_it", []).append(line[4:])
                    continue
                if line == "Reactions:":
                    reactions_open = True
                    continue
                if reactions_open:
                    if line.strip():
                        current.reactions.append({"as_written": line.strip()})
                        continue
                    reactions_open = False
                body.append(line)
            if current is not None:
                yield finish(current, body)
    if assumed:
        context.warn(
            f"imessage-exporter writes times in the local time of the Mac that made the export, without a "
            f"zone; {assumed} time(s) were read as {context.zone_name} time."
        )


def _find_txt_attachment(source: Source, line: str, near: str) -> Attachment | None:
    """An attachment line: the file's path on the Mac (or, with `--copy-method`, inside the export)."""
    text = line.strip()
    if not text or "/" not in text:
        return None
    absolute = text.startswith(("/", "~"))
    if absolute and "Attachments/" not in text:
        return None
    if not absolute and not re.fullmatch(r"[^\s<>|]+\.[A-Za-z0-9]{1,5}", text):
        return None
    member = None
    for ref in _attachment_reference(text) if absolute else [text]:
        member = _find_member(source, ref, near)
        if member is not None:
            break
    if member is None and not absolute:
        return None
    return Attachment(name=posixpath.basename(text), member=member, details={"path_as_written": text})
