"""One merged timeline: notes, messages, captures, web addresses, payments and actions.

Every event is placed by one instant (UTC) and shown in the case's zone with UTC beside it. Where an
event has two times (a note written on Monday about Saturday), it is placed at the time the event
happened and says when it was written; where only the time of recording is known, it says so
("recorded at"), so no row claims more than the records hold.

Chats can have tens of thousands of messages; the complete conversation is in each transcript
file. Above `max_messages`, the timeline keeps the messages an officer needs first, in this order:
the first and last message of each chat; the first mention of each identifier (handle, link, phone
number, e-mail, wallet, IBAN); the first time each text about money or payment appears; messages
with attachments or marked deleted, unsent or edited; then repeats of those. Each run of messages
left out becomes one row saying how many, from when to when, and which transcript holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any

from evidencekit.case.records import CustodyEntry, ItemRecord, UrlRecord
from evidencekit.clock import parse_iso
from evidencekit.story import sources
from evidencekit.story.actions import ACTION_LABELS
from evidencekit.story.identifiers import find_identifiers, mentions_money
from evidencekit.story.ocr_texts import unread_pictures
from evidencekit.story.payments import describe

KEY_FLAGS = {"deleted", "unsent", "edited"}
CAPTURE_GROUP = 4  # this many captures in a row, or more, become one row


@dataclass
class Event:
    """One row of the timeline."""

    moment: datetime | None
    kind: str  # note, message, system, capture, url, web-capture, payment, action, case, omitted
    source: str
    title: str
    text: str = ""
    basis: str = "event"  # event | recorded | message
    flags: list[str] = field(default_factory=list)
    order: int = 0
    zone_assumed: bool = False  # the source wrote this time without a zone; read in the case's

    def sort_key(self) -> tuple[int, datetime, int]:
        if self.moment is None:
            return (1, datetime.max.replace(tzinfo=timezone.utc), self.order)
        return (0, self.moment, self.order)


@dataclass
class TranscriptFacts:
    """What the timeline learned about one transcript while reading it."""

    item_id: str
    item_name: str
    bag_path: str
    messages: int = 0
    shown: int = 0
    first: datetime | None = None
    last: datetime | None = None
    senders: dict[str, int] = field(default_factory=dict)
    unreadable_lines: int = 0
    zone_assumed: int = 0
    time_zone: str | None = None  # the zone the export's zone-less times were read in


@dataclass
class Timeline:
    events: list[Event]
    transcripts: list[TranscriptFacts]
    messages_total: int
    messages_shown: int
    abridged: bool
    pictures_left_out: int = 0  # chat screenshots whose OCR transcript is not used (unread_pictures)


def when(text: Any) -> datetime | None:
    """A stored ISO time as an aware datetime, or None when missing or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = parse_iso(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def build_timeline(
    case: Any,
    *,
    items: Sequence[ItemRecord],
    urls: Sequence[UrlRecord],
    notes: list[dict[str, Any]],
    payments: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    custody: Sequence[CustodyEntry],
    zone: tzinfo | None,
    max_messages: int | None,
    progress: Callable[[str], None] | None = None,
) -> Timeline:
    """Merge everything into one ordered list of events (see the module docstring)."""
    events: list[Event] = []
    counter = iter(range(10**9))

    def add(event: Event) -> None:
        event.order = next(counter)
        events.append(event)

    for entry in custody:
        logged = entry.get("action")
        if logged == "case-created":
            add(
                Event(
                    when(entry.get("at")),
                    "case",
                    "log",
                    "Case created",
                    f"by {entry.get('actor')}",
                    "recorded",
                )
            )
        elif logged == "sealed":
            add(
                Event(
                    when(entry.get("at")),
                    "case",
                    "log",
                    "Case sealed",
                    f"by {entry.get('actor')}",
                    "recorded",
                )
            )
        elif logged == "reopened":
            reason = (entry.get("details") or {}).get("reason")
            add(Event(when(entry.get("at")), "case", "log", "Case reopened", reason or "", "recorded"))

    for note in notes:
        happened = when(note.get("at"))
        flags = []
        if happened is not None:
            written_local, written_utc = local_and_utc(when(note.get("recorded_at")), zone)
            flags.append(f"written down {written_local} ({written_utc})")
            if note.get("at_zone_assumed"):
                flags.append(f"time given without a zone, read as {note['at_zone_assumed']}")
        add(
            Event(
                happened or when(note.get("recorded_at")),
                "note",
                str(note.get("id")),
                "Victim's account",
                str(note.get("text") or ""),
                "event" if happened else "recorded",
                flags,
            )
        )

    for payment in payments:
        happened = when(payment.get("at"))
        text = describe(payment)
        details = [str(payment[k]) for k in ("account", "wallet", "tx", "reference") if payment.get(k)]
        if details:
            text += " — " + ", ".join(details)
        add(
            Event(
                happened or when(payment.get("recorded_at")),
                "payment",
                str(payment.get("id")),
                "Payment" if payment.get("paid") else "Payment demanded",
                text,
                "event" if happened else "recorded",
            )
        )

    for action in actions:
        happened = when(action.get("at"))
        parts = [ACTION_LABELS.get(str(action.get("action")), str(action.get("action")))]
        if action.get("to"):
            parts.append(f"({action['to']})")
        if action.get("ref"):
            parts.append(f"reference {action['ref']}")
        if action.get("note"):
            parts.append(f"— {action['note']}")
        add(
            Event(
                happened or when(action.get("recorded_at")),
                "action",
                str(action.get("id")),
                "Action taken",
                " ".join(parts),
                "event" if happened else "recorded",
            )
        )

    for url in urls:
        text = str(url.get("url") or "")
        if url.get("platform"):
            text += f" ({url['platform']}, {url.get('kind') or 'other'})"
        flags = ["sensitive: recorded only, never opened"] if url.get("sensitive") else []
        add(
            Event(
                when(url.get("recorded_at")),
                "url",
                str(url.get("id")),
                "Web address recorded",
                text,
                "recorded",
                flags,
            )
        )

    _add_captures(items, add)

    if progress:
        progress("Reading chat transcripts")
    facts, message_events, total, shown, left_out = _messages(case, items, max_messages, zone)
    for event in message_events:
        add(event)
    events.sort(key=Event.sort_key)
    return Timeline(events, facts, total, shown, shown < total, left_out)


def _add_captures(items: Sequence[ItemRecord], add: Callable[[Event], None]) -> None:
    """Captured items; long runs of captures made together become one row."""
    captures: list[Event] = []
    for item in items:
        if item.get("kind") == "url-capture":
            found = item.get("web_capture")
            capture: dict[str, Any] = found if isinstance(found, dict) else {}
            fetched = when(capture.get("fetched_at")) or when(item.get("captured_at"))
            text = str(
                capture.get("final_url") or capture.get("requested_url") or item.get("original_name") or ""
            )
            if capture.get("status"):
                text += f" (HTTP {capture['status']})"
            add(
                Event(
                    fetched,
                    "web-capture",
                    str(item.get("id")),
                    f"Web page captured ({item.get('url_id') or 'URL'})",
                    text,
                    "recorded",
                )
            )
            continue
        withheld = bool(item.get("sensitive") or item.get("by_reference"))
        title = "Recorded by reference (withheld)" if withheld else "Captured"
        text = f"{item.get('original_name') or ''} ({item.get('kind') or 'item'})"
        captures.append(
            Event(when(item.get("captured_at")), "capture", str(item.get("id")), title, text, "recorded")
        )
    run: list[Event] = []

    def flush() -> None:
        if len(run) >= CAPTURE_GROUP:
            first, last = run[0], run[-1]
            add(
                Event(
                    first.moment,
                    "capture",
                    f"{first.source}–{last.source}",
                    "Captured",
                    f"{len(run)} items ({first.source} to {last.source}); see the exhibit list",
                    "recorded",
                )
            )
        else:
            for event in run:
                add(event)
        run.clear()

    for event in captures:
        if run and (
            event.title != run[-1].title
            or event.moment is None
            or run[-1].moment is None
            or (event.moment - run[-1].moment).total_seconds() > 120
        ):
            flush()
        run.append(event)
    flush()


def _priority(message: dict[str, Any], seen: set[str]) -> int | None:
    """How much an officer needs this message, when not every message fits (lower is sooner):
    1 the first mention of an identifier (handle, link, number, wallet…), 2 the first time a text
    about money or payment appears, 3 attachments and deleted / unsent / edited messages,
    4 repeats of the above; None for the rest."""
    said = message.get("text")
    text = said if isinstance(said, str) else ""
    best = None
    if text:
        keys = {f"{found.kind}:{found.key}" for found in find_identifiers(text)}
        if keys - seen:
            seen.update(keys)
            return 1
        if keys:
            best = 4
        if mentions_money(text):
            normalised = "money:" + " ".join(text.lower().split())
            if normalised not in seen:
                seen.add(normalised)
                return 2
            best = 4
    if message.get("attachments") or set(message.get("flags") or []) & KEY_FLAGS:
        return 3
    return best


def _message_event(item_id: str, message: dict[str, Any]) -> Event:
    sender = message.get("sender") if isinstance(message.get("sender"), str) else None
    sender_id = message.get("sender_id")
    kind = "system" if message.get("kind") == "system" else "message"
    title = (
        f"Message from {sender}"
        if sender and kind == "message"
        else ("Chat notice" if kind == "system" else "Message")
    )
    if sender and sender_id not in (None, ""):
        title += f" (ID {sender_id})"
    said = message.get("text")
    text = said if isinstance(said, str) else ""
    flags = [str(flag) for flag in message.get("flags") or []]
    attachments = message.get("attachments") or []
    for attachment in attachments:
        if isinstance(attachment, dict):
            name = attachment.get("name") or "attachment"
            state = (
                "missing from the export"
                if attachment.get("missing")
                else f"sha256 {attachment.get('sha256') or '?'}"
            )
            flags.append(f"attachment {name} ({state}; not shown)")
    moment = when(message.get("time"))
    if moment is None and message.get("time_as_written"):
        flags.append(f"time as written: {message.get('time_as_written')}")
    event = Event(moment, kind, f"{item_id} #{message.get('seq', '?')}", title, text, "message", flags)
    event.zone_assumed = bool(message.get("time_zone_assumed"))
    return event


def _messages(
    case: Any, items: Sequence[ItemRecord], max_messages: int | None, zone: tzinfo | None
) -> tuple[list[TranscriptFacts], list[Event], int, int, int]:
    """Read each transcript twice, streaming: first to count and rank its messages (keeping only a
    flag and a time per message, so memory stays small for huge chats), then to build the rows.
    A chat screenshot's transcript that `unread_pictures` leaves out is not opened; the last number
    says how many were left out."""
    unread = unread_pictures(case, items)
    every = sources.transcripts(case, items)
    found = [t for t in every if t.item_id not in unread]
    facts_list: list[TranscriptFacts] = []
    compact: list[list[tuple[int | None, datetime | None]]] = []
    for transcript in found:
        facts = TranscriptFacts(transcript.item_id, transcript.item_name, transcript.bag_path)
        rows: list[tuple[int | None, datetime | None]] = []
        seen: set[str] = set()
        for message in sources.messages(transcript):
            moment = when(message.get("time"))
            if moment is not None:
                facts.first = moment if facts.first is None or moment < facts.first else facts.first
                facts.last = moment if facts.last is None or moment > facts.last else facts.last
            if message.get("time_zone_assumed"):
                facts.zone_assumed += 1
            rows.append((_priority(message, seen) if max_messages is not None else None, moment))
        facts.messages = transcript.messages
        facts.senders = dict(sorted(transcript.senders.items(), key=lambda kv: -kv[1]))
        facts.unreadable_lines = transcript.unreadable_lines
        facts.time_zone = transcript.header.get("time_zone") if isinstance(transcript.header, dict) else None
        facts_list.append(facts)
        compact.append(rows)
    total = sum(f.messages for f in facts_list)

    chosen: set[tuple[int, int]] | None = None  # None: every message is shown
    if max_messages is not None and total > max_messages:
        candidates: list[tuple[int, int, int]] = []  # (priority, transcript, row)
        for t_index, rows in enumerate(compact):
            for r_index, (priority, _moment) in enumerate(rows):
                if r_index in (0, len(rows) - 1):
                    candidates.append((0, t_index, r_index))
                elif priority is not None:
                    candidates.append((priority, t_index, r_index))
        candidates.sort()
        chosen = {(t, r) for _p, t, r in candidates[:max_messages]}

    events: list[Event] = []
    shown = 0
    for t_index, (transcript, facts) in enumerate(zip(found, facts_list, strict=True)):
        run: list[datetime | None] = []
        for r_index, message in enumerate(sources.messages(transcript)):
            if chosen is None or (t_index, r_index) in chosen:
                if run:
                    events.append(_omitted(facts, run, zone))
                    run = []
                events.append(_message_event(facts.item_id, message))
                facts.shown += 1
                shown += 1
            else:
                run.append(when(message.get("time")))
        if run:
            events.append(_omitted(facts, run, zone))
    return facts_list, events, total, shown, len(every) - len(found)


def _omitted(facts: TranscriptFacts, skipped: list[datetime | None], zone: tzinfo | None) -> Event:
    times = [t for t in skipped if t is not None]
    first, last = (min(times), max(times)) if times else (None, None)
    count = len(skipped)
    span = ""
    if first and last:
        span = f" between {local_and_utc(first, zone)[0]} and {local_and_utc(last, zone)[0]}"
    return Event(
        first,
        "omitted",
        facts.item_id,
        f"{count} more message{'s' if count != 1 else ''} not shown here",
        f"{count} message{'s' if count != 1 else ''}{span} are in the full transcript {facts.bag_path}.",
        "message",
    )


def local_and_utc(moment: datetime | None, zone: tzinfo | None) -> tuple[str, str]:
    """('2026-03-14 21:07:41 +00:00', '2026-03-14 21:07:41Z') for a row; ('—', '—') if unknown."""
    if moment is None:
        return "—", "—"
    local = moment.astimezone(zone) if zone is not None else moment
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    utc = moment.astimezone(timezone.utc)
    return f"{local.strftime('%Y-%m-%d %H:%M:%S')} {offset}".strip(), utc.strftime("%Y-%m-%d %H:%M:%SZ")


def ordered(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=Event.sort_key)
