"""Suggestions for a whole case: the identifiers found in its chat transcripts (exports and chat
screenshots read by OCR), the text read in its other screenshots, recorded web addresses, web
captures and notes (by `identifiers`), one per normalised value ("+44 7700 900123" and "07700
900123" are one phone number in a GB case), each with every place it was seen (item, message and
time, or the box on the screenshot), the first and last time, and the command that would record it.
Nothing is recorded here: the person decides. The victim's own accounts (the collector, "(this
phone)", the owner's side of a chat) are never offered.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from evidencekit.case.case import Case
from evidencekit.story import sources
from evidencekit.story.formats import (
    compact_iban,
)
from evidencekit.story.identifiers import (
    HANDLE_PLATFORMS,
    KIND_HEADINGS,
    KIND_LABELS,
    KIND_ORDER,
    OWNER_SENDERS,
    Found,
    classify_url,
    find_identifiers,
    platform_hint,
)
from evidencekit.story.ocr_texts import OcrLine, box_of, ocr_lines, union, unread_pictures
from evidencekit.story.records import NOTES, OFFENDERS, PAYMENTS


@dataclass(frozen=True)
class Place:
    """One place an identifier was seen: the item (or web address, or note), and within it the
    message (its number, time and sender) or the box of the line on a screenshot."""

    ref: str  # E0002, U0001, N0001
    where: str  # in words: "E0002 message 14 (from Alex)"
    seq: int | None = None
    time: str | None = None  # ISO 8601, when the message's time is known
    time_as_written: str | None = None  # as the screen or the export showed it ("21:07")
    sender: str | None = None
    box: tuple[int, int, int, int] | None = None  # left, top, width, height on the picture
    read_by: str | None = None  # "ocr" when the text was read from a picture

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.ref,
            "where": self.where,
            "seq": self.seq,
            "time": self.time,
            "time_as_written": self.time_as_written,
            "sender": self.sender,
            "box": dict(zip(("left", "top", "width", "height"), self.box, strict=True)) if self.box else None,
            "read_by": self.read_by,
        }


@dataclass
class Suggestion:
    """An identifier worth recording, where it was seen, and the command that would record it."""

    kind: str
    value: str
    key: str
    platform: str | None = None
    name: str | None = None
    detail: str | None = None
    count: int = 0
    first_time: str | None = None
    last_time: str | None = None
    checked: str | None = None  # how the value was checked (checksum, E.164…), in words
    where: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)  # every place it was seen, in reading order
    seen_in: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    recorded_as: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def heading(self) -> str:
        """The heading over this kind of suggestion, in the plural."""
        return KIND_HEADINGS.get(self.kind, self.label[:1].upper() + self.label[1:])

    def command(self) -> list[str]:
        """The evidencekit arguments that would record this (the person checks them first)."""
        platform = self.platform or "PLATFORM"
        seen = [arg for ref in self.seen_in[:3] for arg in ("--seen-in", ref)]
        if self.kind == "chat-account":
            args = ["offender", "add", "--platform", platform]
            if self.detail:
                args += ["--user-id", self.detail]
            return [*args, "--display-name", self.value, *seen]
        if self.kind == "profile-url":
            args = ["offender", "add", "--platform", platform, "--profile-url", self.value]
            if self.name and not self.name.startswith(("id ", "+")):
                args += ["--username", self.name]
            return [*args, *seen]
        if self.kind == "handle":
            return ["offender", "add", "--platform", platform, "--username", self.value.lstrip("@"), *seen]
        if self.kind == "phone":
            return ["offender", "add", "--platform", platform, "--phone", self.value, *seen]
        if self.kind == "email":
            return ["offender", "add", "--platform", self.platform or "E-mail", "--email", self.value, *seen]
        if self.kind == "payment-link":
            return [
                "payment",
                "add",
                "--method",
                self.detail or "other",
                "--payee",
                self.name or self.value,
                "--account",
                self.value,
                *seen,
            ]
        if self.kind == "cashtag":
            return ["payment", "add", "--method", "other", "--payee", self.value, "--note", "Cash App", *seen]
        if self.kind == "wallet":
            return ["payment", "add", "--method", "crypto", "--wallet", self.value, *seen]
        if self.kind == "tx":
            return ["payment", "add", "--method", "crypto", "--tx", self.value, *seen]
        if self.kind == "iban":
            return ["payment", "add", "--method", "bank", "--account", self.value, *seen]
        if self.kind == "bank-account":
            return ["payment", "add", "--method", "bank", "--account", self.value, *seen]
        if self.kind == "mtcn":
            return ["payment", "add", "--method", "money-transfer", "--reference", "MTCN " + self.key, *seen]
        if self.kind == "gift-card":
            brand = ["--brand", self.detail] if self.detail else []
            return ["payment", "add", "--method", "gift-card", *brand, "--reference", self.value, *seen]
        if self.kind == "payment-handle":
            return ["payment", "add", "--method", "other", "--payee", self.value, "--note", platform, *seen]
        if self.kind == "amount":
            number, _, currency = self.key.partition(" ")
            code = currency if currency != "$" else "CURRENCY"
            return ["payment", "add", "--method", "METHOD", "--amount", number, "--currency", code, *seen]
        return [
            "add-url",
            self.value,
            "--note",
            "seen in " + (self.seen_in[0] if self.seen_in else "the case"),
        ]

    def command_line(self) -> str:
        return shlex.join(["evidencekit", *self.command()])

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "value": self.value,
            "platform": self.platform,
            "detail": self.detail,
            "count": self.count,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "checked": self.checked,
            "where": self.where,
            "places": [place.to_json() for place in self.places],
            "seen_in": self.seen_in,
            "senders": self.senders,
            "recorded_as": self.recorded_as,
            "command": ["evidencekit", *self.command()],
        }


@dataclass(frozen=True)
class OwnAccount:
    """A chat account left out of the suggestions because it is the person's own, and why."""

    value: str
    item_id: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"value": self.value, "item": self.item_id, "why": self.why}


@dataclass
class Suggestions:
    """All suggestions for a case, plus what was read to find them."""

    items: list[Suggestion]
    transcripts: int
    messages: int
    unreadable_lines: int
    own_accounts: list[OwnAccount] = field(default_factory=list)


def suggest(case: Case, *, include_recorded: bool = False) -> Suggestions:
    """Identifiers found in the case's transcripts, screenshots, web addresses and notes, not yet
    recorded, one per normalised value with every place it was seen."""
    collected: dict[tuple[str, str], Suggestion] = {}
    items = case.items()
    region = case.info.country

    def add(found: Found, place: Place, *, platform: str | None = None) -> None:
        key = (found.kind, found.key)
        entry = collected.get(key)
        if entry is None:
            entry = collected[key] = Suggestion(
                kind=found.kind,
                value=found.value,
                key=found.key,
                platform=found.platform or platform,
                name=found.name,
                detail=found.detail,
                checked=found.checked,
            )
        entry.count += 1
        if place.time:
            if entry.first_time is None or _instant(place.time) < _instant(entry.first_time):
                entry.first_time = place.time
            if entry.last_time is None or _instant(place.time) > _instant(entry.last_time):
                entry.last_time = place.time
        if len(entry.where) < 5:
            entry.where.append(place.where)
        if len(entry.places) < MAX_PLACES:
            entry.places.append(place)
        if place.ref not in entry.seen_in:
            entry.seen_in.append(place.ref)
        if place.sender and place.sender not in entry.senders and len(entry.senders) < 5:
            entry.senders.append(place.sender)

    message_total = unreadable = 0
    own_accounts: list[OwnAccount] = []
    own_names: set[str] = set()
    unread = unread_pictures(case, items)
    found_transcripts = [t for t in sources.transcripts(case, items) if t.item_id not in unread]
    for transcript in found_transcripts:
        accounts: dict[tuple[str, str | None], int] = {}
        marked_own: set[str] = set()
        conversations: set[str] = set()
        for message in sources.messages(transcript):
            text = message.get("text")
            sender = message.get("sender") if isinstance(message.get("sender"), str) else None
            if message.get("kind", "message") == "message" and sender:
                sender_id = message.get("sender_id")
                account = (sender, str(sender_id) if sender_id not in (None, "") else None)
                accounts[account] = accounts.get(account, 0) + 1
                details = message.get("details")
                if isinstance(details, dict) and details.get("sent_by_account_owner") is True:
                    marked_own.add(sender)
            if isinstance(message.get("conversation"), str):
                conversations.add(message["conversation"])
            if not isinstance(text, str) or not text:
                continue
            seq = message.get("seq")
            source = message.get("source")
            by_ocr = isinstance(source, dict) and source.get("read_by") == "ocr"
            place = Place(
                ref=transcript.item_id,
                where=f"{transcript.item_id} message {seq if isinstance(seq, int) else '?'}"
                + (f" (from {sender})" if sender else "")
                + (" (read from the screenshot)" if by_ocr else ""),
                seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
                time=_text(message.get("time")),
                time_as_written=_text(message.get("time_as_written")),
                sender=sender,
                box=box_of(source.get("box")) if by_ocr and isinstance(source, dict) else None,
                read_by="ocr" if by_ocr else None,
            )
            for found in find_identifiers(text, region, ocr=by_ocr):
                platform = transcript.platform
                if found.kind == "handle":
                    platform = platform_hint(text) or (platform if platform in HANDLE_PLATFORMS else None)
                add(found, place, platform=platform)
        message_total += transcript.messages
        unreadable += transcript.unreadable_lines
        own = _own_senders(
            {sender for sender, _ in accounts}, marked_own, conversations, transcript, case.info.collector
        )
        own_names.update(own)
        for (sender, sender_id), count in sorted(accounts.items(), key=lambda kv: -kv[1]):
            if sender in own:
                own_accounts.append(OwnAccount(sender, transcript.item_id, own[sender]))
                continue
            suggestion = Suggestion(
                kind="chat-account",
                value=sender,
                key=f"{transcript.item_id}:{sender}:{sender_id}",
                platform=transcript.platform,
                detail=sender_id,
                count=count,
                where=[f"{transcript.item_id}: {count} message{'s' if count != 1 else ''} from this account"],
                seen_in=[transcript.item_id],
                senders=[sender],
            )
            collected[("chat-account", suggestion.key)] = suggestion

    previous: OcrLine | None = None
    previous_keys: set[str] = set()
    for line in ocr_lines(case, items, case.manifest()):
        keys = set()
        for found in find_identifiers(line.text, region, ocr=True):
            platform = platform_hint(line.text) if found.kind == "handle" else None
            add(found, _picture_place(line.item_id, line.box), platform=platform)
            keys.add(found.key)
        if previous is not None and previous.item_id == line.item_id:
            # a wallet app shows an address over two lines (two blocks, to OCR): read them as one;
            # only a wallet is taken from the pair, and only when its checksum matches
            for found in find_identifiers(f"{previous.text}\n{line.text}", region, ocr=True):
                if found.kind == "wallet" and found.key not in keys | previous_keys:
                    add(found, _picture_place(line.item_id, union(previous.box, line.box)))
                    keys.add(found.key)
        previous, previous_keys = line, keys

    for url in case.urls():
        linked = classify_url(str(url.get("url", "")))
        if linked is None or url.get("sensitive"):
            continue
        if linked.kind in ("profile-url", "payment-link"):
            add(linked, Place(ref=str(url["id"]), where=f"web address {url['id']}"))
    for item in items:
        capture = item.get("web_capture")
        if (
            isinstance(capture, dict)
            and capture.get("final_url")
            and capture.get("final_url") != capture.get("requested_url")
        ):
            landed = classify_url(str(capture["final_url"]))
            if landed is not None and landed.kind in ("profile-url", "payment-link"):
                add(landed, Place(ref=str(item["id"]), where=f"{item['id']} (page the address led to)"))
        note = item.get("note")
        if isinstance(note, str):
            for found in find_identifiers(note, region):
                add(found, Place(ref=str(item["id"]), where=f"the note on {item['id']}"))
    for written in case.records(NOTES.path):
        for found in find_identifiers(str(written.get("text", "")), region):
            add(found, Place(ref=str(written.get("id")), where=f"your note {written.get('id')}"))

    recorded = _recorded_index(case)
    addresses = {str(url.get("url_normalised")).lower(): str(url.get("id")) for url in case.urls()}
    own_names.update(OWNER_SENDERS)
    if case.info.collector:
        own_names.add(case.info.collector)
    out = []
    for suggestion in collected.values():
        if _is_own(suggestion, own_names):
            if suggestion.kind != "chat-account":
                why = f"the {suggestion.label} is the name of one of your own accounts in this case"
                own_accounts.append(OwnAccount(suggestion.value, suggestion.places[0].ref, why))
            continue
        suggestion.seen_in = [ref for ref in suggestion.seen_in if ref[:1] in ("E", "U")]
        index = addresses if suggestion.kind == "link" else recorded
        suggestion.recorded_as = _recorded_as(suggestion, index)
        if suggestion.recorded_as and not include_recorded:
            continue
        out.append(suggestion)
    out.sort(key=lambda s: (KIND_ORDER.index(s.kind) if s.kind in KIND_ORDER else 99, -s.count, s.value))
    return Suggestions(
        out, len(found_transcripts), message_total, unreadable, list(dict.fromkeys(own_accounts))
    )


def _picture_place(item_id: str, box: tuple[int, int, int, int] | None) -> Place:
    where = f"{item_id} (read from the picture" + (f" at {box[0]},{box[1]}" if box else "") + ")"
    return Place(ref=item_id, where=where, box=box, read_by="ocr")


MAX_PLACES = 1000  # places kept per identifier (a handle repeated in every message of a long chat)


def _instant(text: str) -> datetime:
    """An ISO 8601 time as an instant, for ordering times written with different offsets."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.max.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _is_own(suggestion: Suggestion, own_names: set[str]) -> bool:
    """A handle, e-mail or chat account that is the name of one of the person's own accounts (the
    collector, the owner's side of a chat): never offered as the offender's."""
    if suggestion.kind not in ("handle", "chat-account", "email", "payment-handle", "cashtag"):
        return False
    value = suggestion.value.lstrip("@$")
    local = value.partition("@")[0] if suggestion.kind == "email" else value
    if suggestion.kind == "chat-account":
        return any(_same_name(value, name) for name in own_names)
    # a handle is a name without its spaces and dots: @sam.helper is "Sam Helper"
    return any(_compact(local) == _compact(name) for name in own_names if _compact(name))


def _compact(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c.isalnum())


def _same_name(a: str, b: str) -> bool:
    return " ".join(unicodedata.normalize("NFKC", a).casefold().split()) == " ".join(
        unicodedata.normalize("NFKC", b).casefold().split()
    )


def _own_senders(
    senders: set[str],
    marked_own: set[str],
    conversations: set[str],
    transcript: sources.Transcript,
    collector: str | None,
) -> dict[str, str]:
    """{sender: why} for the senders of a chat export that are the person themselves.

    Suggesting the victim's own account as the offender's is worse than useless (a frightened
    person may record it). Only sure signs count, so an offender's account is never hidden: the
    export marks the owner; the sender is the case's collector by name; a Discord package holds
    only its owner's messages; or a chat between two people is named after one of them (WhatsApp,
    Telegram and Instagram name a chat after the other person), so the other one exported it."""
    own: dict[str, str] = {}
    for sender in sorted(senders):
        if sender in marked_own or sender in OWNER_SENDERS:
            own[sender] = "the export marks it as the account that made the export"
        elif collector and _same_name(sender, collector):
            own[sender] = "it has the name of the person collecting the evidence in this case"
    if transcript.header.get("parser") == "discord":
        for sender in senders:
            own.setdefault(sender, "a Discord data package holds only the messages its owner sent")
    if len(conversations) == 1 and len(senders) == 2:
        [name] = conversations
        named = [s for s in senders if _same_name(s, name)]
        if len(named) == 1:
            [other] = senders - set(named)
            own.setdefault(
                other, f"the chat is named after “{named[0]}”, so the other person in it made the export"
            )
    return own


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _recorded_index(case: Case) -> dict[str, str]:
    """{normalised value: id of the record holding it} for offenders and payments."""
    index: dict[str, str] = {}

    def put(value: Any, record_id: str, *, lower: bool = True) -> None:
        if value:
            text = str(value)
            index.setdefault(text.lower() if lower else text, record_id)

    for record in case.records(OFFENDERS.path):
        rid = str(record.get("id"))
        put(record.get("username"), rid)
        put(record.get("user_id"), rid)
        put(record.get("profile_url_normalised"), rid)
        put(record.get("phone_normalised"), rid)
        put(record.get("email"), rid)
        if record.get("display_name") and record.get("user_id"):
            put(f"{record['display_name']}|{record['user_id']}", rid)
    for record in case.records(PAYMENTS.path):
        rid = str(record.get("id"))
        put(record.get("wallet"), rid, lower=False)
        put(record.get("tx"), rid)
        put(record.get("payee"), rid)
        if record.get("account"):
            put(compact_iban(str(record["account"])), rid)
            put(record.get("account"), rid)
    return index


def _recorded_as(suggestion: Suggestion, index: dict[str, str]) -> str | None:
    candidates: Iterable[str]
    if suggestion.kind == "chat-account":
        candidates = [f"{suggestion.value}|{suggestion.detail}".lower()] if suggestion.detail else []
        if suggestion.detail:
            candidates = [*candidates, suggestion.detail.lower()]
    elif suggestion.kind == "wallet":
        candidates = [suggestion.value, suggestion.value.lower()]
    elif suggestion.kind == "payment-link":
        candidates = [suggestion.key.lower(), (suggestion.name or "").lower(), suggestion.value.lower()]
    elif suggestion.kind == "link":
        candidates = [suggestion.key.lower()]
    elif suggestion.kind == "profile-url":
        candidates = [suggestion.key.lower(), (suggestion.name or "").lower()]
    else:
        candidates = [suggestion.key.lower(), suggestion.value.lower()]
    for candidate in candidates:
        if candidate and candidate in index:
            return index[candidate]
    return None
