"""Preservation-request sheets: per platform, the facts an officer puts in a preservation or
disclosure request.

A platform keeps account data and messages for a limited time; police can ask it to hold them (in
the US for 90 days, renewable, under 18 U.S.C. §2703(f)) and later to disclose them. Such a request
names the accounts (user ID, username, profile link, phone, e-mail), the conversations (the
export's own thread or channel ID, where it has one) and the period (the UTC times of the first
and last messages). All of it is already in the case: the offender records, the web addresses and
the chat transcripts. This module gathers it, one `Sheet` per platform; the report shows the sheets
as its last section and `evidencekit preservation` writes them as CSV (preservation_csv.py).

How an account is tied to a conversation: the conversation's transcript is on the account's
platform, and either one of its messages was sent by the account (its sender ID is the account's
user ID, or its sender is the account's username, display name or phone number) or the offender
record says it was seen in that chat-export item (`--seen-in`). Times are the first and last
message of the tied conversations, whoever sent them: the request asks for the conversation.

Only records and transcripts are read (through `story.sources`, so no link or FIFO is followed);
nothing is fetched, and sensitive items contribute nothing here but their facts (a sensitive web
address is listed as an address, never opened). Where evidencekit knows no law-enforcement portal
URL it verified, none is given: the sheet names the company that runs the platform only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from evidencekit.case.case import Case
from evidencekit.case.records import ItemRecord
from evidencekit.clock import parse_iso
from evidencekit.story import sources
from evidencekit.story.ocr_texts import unread_pictures
from evidencekit.story.records import OFFENDERS

# Which company a request for each platform goes to. Portal addresses are left out on purpose:
# none is in evidencekit's sources yet, and a wrong one would send an officer's request astray.
OPERATORS: dict[str, str] = {
    "Instagram": "Meta Platforms",
    "Facebook": "Meta Platforms",
    "Facebook Messenger": "Meta Platforms",
    "Threads": "Meta Platforms",
    "WhatsApp": "WhatsApp (Meta Platforms)",
    "Snapchat": "Snap Inc.",
    "YouTube": "Google",
    "TikTok": "TikTok",
    "X (Twitter)": "X Corp.",
    "Discord": "Discord Inc.",
    "Telegram": "Telegram",
    "Reddit": "Reddit",
    "Skype": "Microsoft",
    "Microsoft Teams": "Microsoft",
    "LinkedIn": "Microsoft (LinkedIn)",
}

# Parsers whose platform story.sources does not name (it knows WhatsApp, Telegram, Snapchat,
# Discord, SMS and Meta's).
_MORE_PARSERS = {
    "tiktok": "TikTok",
    "signal": "Signal",
    "signal_html": "Signal",
    "facebook_legacy": "Facebook Messenger",
    "meta_html": "Instagram or Facebook Messenger",
    "imessage": "iMessage",
}
_META = ("Instagram", "Facebook", "Facebook Messenger")
_EITHER_META = "Instagram or Facebook Messenger"

# The export's own conversation identifiers, read from where a message was in the export.
_META_THREAD = re.compile(
    r"(?:^|/)messages/((?:inbox|archived_threads|message_requests|filtered_threads|e2ee_cutover)/[^/]+)"
    r"/message_\d+\.(?:json|html)$"
)
_DISCORD_CHANNEL = re.compile(r"(?:^|/)messages/c?(\d+)/messages\.(?:json|csv)$", re.IGNORECASE)

NOTHING_YET = (
    "There is nothing to request yet: the case has no offender account, no web address of an "
    "account and no chat export on a platform."
)


@dataclass(frozen=True)
class ConversationFacts:
    """One conversation of a chat export, as a request names it."""

    item_id: str
    transcript: str  # bag path of its transcript.jsonl
    platform: str | None
    name: str | None
    thread_id: str | None  # the export's own ID of the conversation, where it has one
    thread_id_kind: str | None  # what that ID is ("Meta thread folder", "Discord channel ID")
    first_utc: str | None
    last_utc: str | None
    first_message_id: str | None
    last_message_id: str | None
    messages: int
    senders: tuple[str, ...]
    zone_assumed: bool  # some times had no zone in the export and were read in the case's zone

    @property
    def label(self) -> str:
        name = self.name or "(unnamed conversation)"
        return f"{self.item_id} {name}" + (f" [{self.thread_id}]" if self.thread_id else "")


@dataclass(frozen=True)
class AccountFacts:
    """One offender account (one record) and the conversations tied to it."""

    record_id: str
    platform: str
    username: str | None
    user_id: str | None
    profile_url: str | None
    display_name: str | None
    phone: str | None
    email: str | None
    weak: bool  # only a display name identifies it
    ids_in_export: tuple[str, ...]  # IDs the export gives for the account's messages, not recorded yet
    messages_from_account: int
    conversations: tuple[ConversationFacts, ...]
    evidence: tuple[str, ...]  # the item and web-address ids these facts come from

    @property
    def first_utc(self) -> str | None:
        times = [c.first_utc for c in self.conversations if c.first_utc]
        return min(times) if times else None

    @property
    def last_utc(self) -> str | None:
        times = [c.last_utc for c in self.conversations if c.last_utc]
        return max(times) if times else None


@dataclass(frozen=True)
class AddressFacts:
    """A recorded web address on the platform (a profile, a post, a message link)."""

    url_id: str
    url: str
    kind: str | None
    sensitive: bool


@dataclass(frozen=True)
class Sheet:
    """Everything for one platform's request."""

    platform: str
    request_to: str | None  # the company that runs it, when evidencekit knows it
    portal_url: str | None  # its law-enforcement request site: only one evidencekit verified
    accounts: tuple[AccountFacts, ...]
    addresses: tuple[AddressFacts, ...]
    conversations: tuple[ConversationFacts, ...]  # every conversation on this platform

    @property
    def untied(self) -> tuple[ConversationFacts, ...]:
        tied = {id(c) for a in self.accounts for c in a.conversations}
        return tuple(c for c in self.conversations if id(c) not in tied)


@dataclass(frozen=True)
class Preservation:
    sheets: tuple[Sheet, ...]
    unreadable_lines: int = 0  # transcript lines that could not be read (skipped)
    pictures_left_out: int = 0  # chat screenshots whose transcript is not used (unread_pictures)

    @property
    def empty(self) -> bool:
        return not self.sheets


@dataclass
class _Tally:
    """What one pass over a transcript finds for one conversation."""

    name: str | None
    thread_id: str | None
    thread_id_kind: str | None
    first: datetime | None = None
    last: datetime | None = None
    first_id: str | None = None
    last_id: str | None = None
    messages: int = 0
    zone_assumed: bool = False
    senders: dict[str, int] = field(default_factory=dict)
    sender_ids: dict[str, set[str]] = field(default_factory=dict)


def preservation_sheets(case: Case) -> Preservation:
    """The sheets of this case, one per platform, in the order platforms first appear."""
    items = case.items()
    offenders = case.records(OFFENDERS.path)
    conversations, tallies, unreadable, left_out = _conversations(case, items)
    platforms: list[str] = []

    def platform_seen(name: str | None, *, exact: bool) -> None:
        # An account's platform gets its own sheet; an address or a chat goes on a sheet of the same
        # platform if there is one (a Messenger chat on the Facebook sheet), else gets one of its own.
        if name and name not in platforms and (exact or not any(_same_platform(p, name) for p in platforms)):
            platforms.append(name)

    for record in offenders:
        platform_seen(_text(record.get("platform")), exact=True)
    for url in case.urls():
        platform_seen(_text(url.get("platform")), exact=False)
    for conversation in conversations:
        if conversation.platform and conversation.platform != _EITHER_META:
            platform_seen(conversation.platform, exact=False)
    if not offenders and not platforms:
        return Preservation((), unreadable, left_out)
    if any(c.platform == _EITHER_META for c in conversations) and not any(p in _META for p in platforms):
        platforms.append(_EITHER_META)

    sheets = []
    for platform in platforms:
        on_platform = tuple(c for c in conversations if _same_platform(platform, c.platform))
        accounts = tuple(
            _account(record, conversations, on_platform, tallies)
            for record in offenders
            if _text(record.get("platform")) == platform
        )
        tied_elsewhere = [
            c for a in accounts for c in a.conversations if not any(c is o for o in on_platform)
        ]
        on_platform += tuple(dict.fromkeys(tied_elsewhere))
        addresses = tuple(
            AddressFacts(
                url_id=str(url.get("id")),
                url=str(url.get("url")),
                kind=_text(url.get("kind")),
                sensitive=bool(url.get("sensitive")),
            )
            for url in case.urls()
            if _same_platform(platform, _text(url.get("platform")))
        )
        sheets.append(
            Sheet(
                platform=platform,
                request_to=OPERATORS.get(platform, "Meta Platforms" if platform == _EITHER_META else None),
                portal_url=None,
                accounts=accounts,
                addresses=addresses,
                conversations=on_platform,
            )
        )
    return Preservation(tuple(sheets), unreadable, left_out)


def _conversations(
    case: Case, items: Sequence[ItemRecord]
) -> tuple[list[ConversationFacts], dict[int, _Tally], int, int]:
    """Every conversation of every transcript, read once; tallies keyed by id() of the facts. A
    chat screenshot's transcript that `unread_pictures` leaves out is not opened (the last number
    counts them)."""
    by_item = {str(item.get("id")): item for item in items}
    out: list[ConversationFacts] = []
    tallies: dict[int, _Tally] = {}
    unreadable = 0
    unread = unread_pictures(case, items)
    every = sources.transcripts(case, items)
    for transcript in (t for t in every if t.item_id not in unread):
        found: dict[tuple[str | None, str | None], _Tally] = {}
        for message in sources.messages(transcript):
            name = _text(message.get("conversation"))
            source = message.get("source")
            thread, kind = _thread_of(source.get("file") if isinstance(source, dict) else None)
            tally = found.get((name, thread))
            if tally is None:
                tally = found[(name, thread)] = _Tally(name, thread, kind)
            if message.get("kind", "message") != "message":
                continue
            tally.messages += 1
            tally.zone_assumed = tally.zone_assumed or message.get("time_zone_assumed") is True
            moment = _utc(message.get("time"))
            message_id = _text(message.get("id"))
            if moment is not None:
                if tally.first is None or moment < tally.first:
                    tally.first, tally.first_id = moment, message_id
                if tally.last is None or moment >= tally.last:
                    tally.last, tally.last_id = moment, message_id
            sender = _text(message.get("sender"))
            if sender:
                tally.senders[sender] = tally.senders.get(sender, 0) + 1
                sender_id = _text(message.get("sender_id"))
                if sender_id:
                    tally.sender_ids.setdefault(sender, set()).add(sender_id)
        unreadable += transcript.unreadable_lines
        platform = transcript.platform or _more_platform(by_item.get(transcript.item_id))
        for tally in found.values():
            if not tally.messages:
                continue
            facts = ConversationFacts(
                item_id=transcript.item_id,
                transcript=transcript.bag_path,
                platform=platform,
                name=tally.name,
                thread_id=tally.thread_id,
                thread_id_kind=tally.thread_id_kind,
                first_utc=_iso(tally.first),
                last_utc=_iso(tally.last),
                first_message_id=tally.first_id,
                last_message_id=tally.last_id,
                messages=tally.messages,
                senders=tuple(sorted(tally.senders, key=lambda s: -tally.senders[s])),
                zone_assumed=tally.zone_assumed,
            )
            out.append(facts)
            tallies[id(facts)] = tally
    return out, tallies, unreadable, sum(1 for t in every if t.item_id in unread)


def _account(
    record: dict[str, Any],
    conversations: list[ConversationFacts],
    on_platform: tuple[ConversationFacts, ...],
    tallies: dict[int, _Tally],
) -> AccountFacts:
    """The account of one offender record, tied to the conversations on its platform in which it
    sent messages or which are named after it ("Direct Message with riley#0"). An item the record
    says it was seen in (`--seen-in`) ties the conversations of that item that match so, or, when
    none does (a one-sided export, or one whose platform its parser could not tell), all of them."""
    seen_in = [str(s) for s in record.get("seen_in") or [] if isinstance(s, str)]
    names = _names_of(record)
    user_id = _text(record.get("user_id"))
    # Telegram writes its user IDs as `user123456789`; people copy the digits.
    own_ids = {_key(user_id), _key(f"user{user_id}")} if user_id else set()
    named = _name_patterns(record)
    tied: list[ConversationFacts] = []
    ids: set[str] = set()
    from_account = 0
    for conversation in conversations:
        if not any(conversation is c for c in on_platform):
            continue
        tally = tallies[id(conversation)]
        matched = any(p.search(conversation.name.casefold()) for p in named) if conversation.name else False
        for sender, count in tally.senders.items():
            sender_ids = tally.sender_ids.get(sender, set())
            if _key(sender) in names or any(_key(s) in names | own_ids for s in sender_ids):
                matched = True
                from_account += count
                ids.update(s for s in sender_ids if _key(s) not in names | own_ids)
        if matched:
            tied.append(conversation)
    for item_id in seen_in:
        if not any(c.item_id == item_id for c in tied):
            tied.extend(c for c in conversations if c.item_id == item_id)
    chosen = {id(c) for c in tied}
    tied = [c for c in conversations if id(c) in chosen]  # in the case's order
    evidence = list(dict.fromkeys([*seen_in, *(c.item_id for c in tied)]))
    return AccountFacts(
        record_id=str(record.get("id")),
        platform=str(record.get("platform")),
        username=_text(record.get("username")),
        user_id=user_id,
        profile_url=_text(record.get("profile_url")),
        display_name=_text(record.get("display_name")),
        phone=_text(record.get("phone")),
        email=_text(record.get("email")),
        weak=not any(record.get(k) for k in ("username", "user_id", "profile_url", "phone", "email")),
        ids_in_export=tuple(sorted(ids)),
        messages_from_account=from_account,
        conversations=tuple(tied),
        evidence=tuple(evidence),
    )


def _names_of(record: dict[str, Any]) -> set[str]:
    """The forms in which a chat export could name this account as a sender."""
    names = set()
    for key in ("username", "display_name", "email"):
        value = _text(record.get(key))
        if value:
            names.add(_key(value))
    for key in ("phone", "phone_normalised"):
        value = _text(record.get(key))
        if value:
            names.add(_key(value))
    return names


def _name_patterns(record: dict[str, Any]) -> list[re.Pattern[str]]:
    """The account's username and display name as whole words (three letters or more)."""
    out = []
    for key in ("username", "display_name"):
        value = _text(record.get(key))
        if value and len(value.lstrip("@")) >= 3:
            out.append(re.compile(r"(?<!\w)@?" + re.escape(value.lstrip("@").casefold()) + r"(?!\w)"))
    return out


def _key(text: str) -> str:
    """A sender or a name as compared: no leading @, case and spacing ignored; a phone number by
    its digits (WhatsApp writes `+44 7700 900123` where the contact is not saved)."""
    clean = text.strip().lstrip("@").casefold()
    if re.fullmatch(r"\+?[\d\s().\-/]{5,}", clean):
        return "tel:" + re.sub(r"\D", "", clean)
    return " ".join(clean.split())


def _same_platform(sheet: str, transcript: str | None) -> bool:
    if transcript is None:
        return False
    if sheet == transcript:
        return True
    messenger = {"Facebook", "Facebook Messenger"}
    if sheet in messenger and transcript in messenger:
        return True
    return (sheet in _META or sheet == _EITHER_META) and transcript == _EITHER_META


def _more_platform(item: ItemRecord | None) -> str | None:
    export = item.get("export") if item is not None else None
    if isinstance(export, dict):
        return _MORE_PARSERS.get(str(export.get("format") or ""))
    return None


def _thread_of(file: Any) -> tuple[str | None, str | None]:
    if not isinstance(file, str):
        return None, None
    found = _META_THREAD.search(file)
    if found:
        return found.group(1), "Meta thread folder"
    found = _DISCORD_CHANNEL.search(file)
    if found:
        return found.group(1), "Discord channel ID"
    return None, None


def _utc(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = parse_iso(text)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


__all__ = [
    "NOTHING_YET",
    "OPERATORS",
    "AccountFacts",
    "AddressFacts",
    "ConversationFacts",
    "Preservation",
    "Sheet",
    "preservation_sheets",
]
