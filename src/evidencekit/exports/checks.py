"""Checks on chat-export transcripts: dates that cannot be right, and what `verify` checks.

`DateGuard` sees every message of every format on its way to the transcript (pipeline.transcribe).
A transcript goes to court, and a wrong date that nobody flagged is worse than no date, so a
message is flagged `time-implausible` (with the reason in `details.time_implausible`) when it is
dated after the export was captured, before the app could have sent it, or, in an export that
keeps its messages in time order, well before the message just before it. Nothing is changed or
dropped: the date stays as the export wrote it, and the transcript header says how many are
doubtful and why.

`check_transcripts` is registered in verify.parts.EXTRA_CHECKS: the item record (or the newest
`transcript-made` custody entry) lists every derived file of a transcript with its SHA-256. Each
must be in the payload manifest with that hash, so a transcript cannot be removed or swapped, with
the manifest edited to match, without verify saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.exports.base import TIME_IMPLAUSIBLE, Detection, Message

if TYPE_CHECKING:
    from evidencekit.case.findings import VerifyReport

UTC = timezone.utc

# When each service began (the earliest a message from it can be dated), with the words the
# transcript uses. Launch dates are public; a day's margin covers every time zone.
_Since = tuple[str, datetime]
PLATFORMS: dict[str, _Since] = {
    "WhatsApp": ("WhatsApp existed (2009)", datetime(2009, 1, 1, tzinfo=UTC)),
    "Telegram": ("Telegram existed (August 2013)", datetime(2013, 8, 1, tzinfo=UTC)),
    "Snapchat": ("Snapchat existed (July 2011)", datetime(2011, 7, 1, tzinfo=UTC)),
    "Instagram": ("Instagram had direct messages (December 2013)", datetime(2013, 12, 1, tzinfo=UTC)),
    # Messenger's downloads also hold the Facebook messages written before the app (2011).
    "Facebook Messenger": ("Facebook existed (February 2004)", datetime(2004, 2, 1, tzinfo=UTC)),
    "Discord": ("Discord existed (May 2015)", datetime(2015, 5, 1, tzinfo=UTC)),
    "SMS": ("the first text message was sent (December 1992)", datetime(1992, 12, 1, tzinfo=UTC)),
    "phone calls": (
        "the first mobile phone network opened (October 1983)",
        datetime(1983, 10, 1, tzinfo=UTC),
    ),
    # The phone's Messages database holds SMS as well as iMessages, so the first iPhone counts.
    "iMessage": ("the first iPhone (June 2007)", datetime(2007, 6, 1, tzinfo=UTC)),
    # Signal keeps the history of TextSecure, its predecessor.
    "Signal": ("Signal's predecessor TextSecure existed (May 2010)", datetime(2010, 5, 1, tzinfo=UTC)),
    # TikTok took over musical.ly's accounts and their messages.
    "TikTok": ("TikTok's predecessor musical.ly existed (2014)", datetime(2014, 1, 1, tzinfo=UTC)),
}
_BY_PARSER = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "snapchat": "Snapchat",
    "discord": "Discord",
    "sms": "SMS",
    "imessage": "iMessage",
    "signal": "Signal",
    "tiktok": "TikTok",
}
_MARGIN = timedelta(days=1)

# A message can be a little later than the capture when the phone's clock is ahead. A time written
# without a zone and read in an assumed one can be off by the whole difference between two zones
# (UTC-12 to UTC+14).
AFTER_CAPTURE_TOLERANCE = timedelta(minutes=15)
ZONE_SPREAD = timedelta(hours=26)
# How far back an export in time order may step before it is doubtful: a clock set back an hour in
# autumn for exact times; for wall-clock times, also a trip across time zones.
BACKWARDS_TOLERANCE = timedelta(hours=1)


def platform_of(parser: str, detection: Detection) -> str | None:
    """The service whose messages these are, as named in PLATFORMS (None when unknown).

    A parser names it in `detection.info["platform"]` when the format is shared (Meta's), or
    for the calls backup; otherwise the parser's name says it."""
    named = detection.info.get("platform")
    if isinstance(named, str):
        if named in PLATFORMS:
            return named
        if "Messenger" in named or "Facebook" in named:
            return "Facebook Messenger"  # the earlier of "Instagram or Facebook Messenger"
        if "Instagram" in named:
            return "Instagram"
    if parser == "sms" and detection.variant == "calls":
        return "phone calls"
    return _BY_PARSER.get(parser)


def _where(msg: Message) -> str:
    """Where a message is in the export, in words (seq numbers may change with the reading order)."""
    name = msg.source_file or "the export"
    if msg.source_json_path is not None:
        return f"“{name}” at {msg.source_json_path}"
    if msg.source_line is not None:
        return f"line {msg.source_line:,} of “{name}”"
    return f"“{name}”"


def _example(msg: Message) -> str:
    written = msg.time_as_written or (msg.time.isoformat() if msg.time else "")
    return f"{_where(msg)}, dated “{written}”"


def _span(delta: timedelta) -> str:
    days = delta.days
    if days >= 730:
        return f"about {days // 365} years"
    if days >= 2:
        return f"{days} days"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hours" if hours >= 2 else f"{int(delta.total_seconds() // 60)} minutes"


@dataclass
class _Count:
    count: int = 0
    example: str = ""

    def add(self, msg: Message) -> None:
        self.count += 1
        if not self.example:
            self.example = _example(msg)


@dataclass
class DateGuard:
    """Flags doubtful dates as messages pass, holding back one message (to flag both sides of a
    jump backwards), so memory stays flat whatever the export's size."""

    platform: str | None
    not_after: datetime | None  # the capture (or, without one, no check)
    ordered: bool  # the export keeps its messages in time order…
    newest_first: bool = False  # …the newest first (Meta)
    fed: int = 0
    _pending: Message | None = None
    _last: dict[str, Message] = field(default_factory=dict)
    _after: _Count = field(default_factory=_Count)
    _before: _Count = field(default_factory=_Count)
    _backwards: _Count = field(default_factory=_Count)

    @classmethod
    def for_export(
        cls, parser: str, detection: Detection, reading_order: str, not_after: datetime | None
    ) -> DateGuard:
        newest_first = bool(detection.info.get("newest_first"))
        return cls(
            platform_of(parser, detection),
            not_after,
            ordered=reading_order == "file" or newest_first,
            newest_first=newest_first,
        )

    def feed(self, msg: Message) -> Iterator[Message]:
        """The messages ready to be written after `msg` arrived (at most one)."""
        self.fed += 1
        if msg.time is not None:
            self._check(msg)
        pending, self._pending = self._pending, msg
        if pending is not None:
            yield pending

    def finish(self) -> Iterator[Message]:
        """The message still held back (call once reading has stopped, for whatever reason)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            yield pending

    def _check(self, msg: Message) -> None:
        assert msg.time is not None
        moment = msg.time
        doubtful = False
        if self.not_after is not None:
            tolerance = AFTER_CAPTURE_TOLERANCE + (ZONE_SPREAD if msg.time_zone_assumed else timedelta())
            if moment > self.not_after + tolerance:
                self._after.add(msg)
                _mark(msg, f"dated after the export was captured ({_utc(self.not_after)})")
                doubtful = True
        since = PLATFORMS.get(self.platform or "")
        if since is not None and moment < since[1] - _MARGIN:
            self._before.add(msg)
            _mark(msg, f"dated before {since[0]}")
            doubtful = True
        if self.ordered and not doubtful:  # an impossible date says nothing about its neighbours
            self._check_order(msg, moment)

    def _check_order(self, msg: Message, moment: datetime) -> None:
        key = msg.conversation.key if msg.conversation is not None else (msg.source_file or "")
        previous = self._last.get(key)
        self._last[key] = msg
        if previous is None or previous.time is None:
            return
        step = moment - previous.time if self.newest_first else previous.time - moment
        tolerance = BACKWARDS_TOLERANCE
        if msg.time_zone_assumed or previous.time_zone_assumed:
            tolerance += ZONE_SPREAD
        if step <= tolerance:
            return
        self._backwards.add(msg)
        direction = "later" if self.newest_first else "earlier"
        _mark(
            msg,
            f"dated {_span(step)} {direction} than the message before it in the export, which "
            "otherwise keeps its messages in time order: one of the two dates is wrong",
        )
        if previous is self._pending:  # not written yet, and just as doubtful
            _mark(
                previous,
                f"the message after it in the export is dated {_span(step)} {direction}, though the "
                "export keeps its messages in time order: one of the two dates is wrong",
            )

    def warnings(self) -> list[str]:
        """Sentences for the transcript header (empty when every date is plausible)."""
        out = []
        flagged = f"each is flagged “{TIME_IMPLAUSIBLE}” and its date is kept as the export wrote it"
        if self._after.count:
            assert self.not_after is not None
            out.append(
                f"{self._after.count:,} message(s) are dated after this export was captured "
                f"({_utc(self.not_after)}), for example {self._after.example}. Those dates cannot "
                f"be right (a wrong phone clock, a misread date or a damaged export); {flagged}."
            )
        if self._before.count:
            since = PLATFORMS[self.platform or ""]
            out.append(
                f"{self._before.count:,} message(s) are dated before {since[0]}, for example "
                f"{self._before.example}. Those dates cannot be right (often a phone clock reset to "
                f"1970 or a damaged export); {flagged}."
            )
        if self._backwards.count:
            out.append(
                f"{self._backwards.count:,} time(s) the dates jump backwards in an export that keeps "
                f"its messages in time order, for example at {self._backwards.example}: one date of "
                f"each such pair is wrong (a phone clock changed by hand, or a damaged export); "
                f"{flagged.replace('each is', 'both messages are')}."
            )
        return out


def _mark(msg: Message, why: str) -> None:
    msg.flag(TIME_IMPLAUSIBLE)
    reasons = msg.details.get("time_implausible")
    msg.details["time_implausible"] = f"{reasons}; {why}" if isinstance(reasons, str) else why


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---- verify ----------------------------------------------------------------------------------


def check_transcripts(root: Path, report: VerifyReport) -> None:
    from evidencekit.case import layout, safepath
    from evidencekit.case.bag import parse_manifest
    from evidencekit.case.findings import ERROR
    from evidencekit.case.jsonlines import loads_lines, shared_lines

    try:  # the case is untrusted input: read through its one door, never via a link
        items = shared_lines(safepath.read_text(root, layout.ITEMS_JSONL))
        custody = loads_lines(safepath.read_text(root, layout.CUSTODY_JSONL))
        manifest_text = safepath.read_text(root, layout.MANIFEST)
    except (OSError, ValueError, UnicodeError):
        return  # verify's own checks already report unreadable records
    manifest = {line.path: line.digest for line in parse_manifest(manifest_text) if line.problem is None}
    latest: dict[str, dict[str, Any]] = {}
    for entry in custody:
        details = entry.get("details") if isinstance(entry, dict) else None
        if entry.get("action") == "transcript-made" and isinstance(details, dict):
            latest[str(details.get("item"))] = details.get("export") or {}
    for item in items:
        export = item.get("export") if isinstance(item, dict) else None
        if not isinstance(export, dict):
            continue
        current = latest.get(str(item.get("id")), export)
        files = current.get("derived_files") or {}
        for path, digest in files.items() if isinstance(files, dict) else ():
            if path not in manifest:
                report.add(
                    ERROR,
                    "transcript-file-missing",
                    path,
                    f"The records of {item.get('id')} list the transcript file {path}, "
                    "but the manifest does not.",
                )
            elif manifest[path] != digest:
                report.add(
                    ERROR,
                    "transcript-hash-mismatch",
                    path,
                    f"The records of {item.get('id')} and the manifest give different SHA-256 values "
                    f"for {path}.",
                )
