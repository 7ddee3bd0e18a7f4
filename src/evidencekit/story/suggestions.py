"""Suggestions for a whole case: the identifiers found in its chat transcripts, recorded web
addresses, web captures and notes (by `identifiers`), one per value, each with where it was seen and
the command that would record it. Nothing is recorded here: the person decides. The victim's own
accounts (the collector, "(this phone)", the owner's side of a chat) are never offered.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
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
from evidencekit.story.records import NOTES, OFFENDERS, PAYMENTS


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
    where: list[str] = field(default_factory=list)
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
            "where": self.where,
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
    """Identifiers found in the case's transcripts, web addresses and notes, not yet recorded."""
    collected: dict[tuple[str, str], Suggestion] = {}
    items = case.items()

    def add(
        found: Found,
        *,
        where: str,
        ref: str,
        time: str | None = None,
        sender: str | None = None,
        platform: str | None = None,
    ) -> None:
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
            )
        entry.count += 1
        if time and (entry.first_time is None or time < entry.first_time):
            entry.first_time = time
        if len(entry.where) < 5:
            entry.where.append(where)
        if ref not in entry.seen_in:
            entry.seen_in.append(ref)
        if sender and sender not in entry.senders and len(entry.senders) < 5:
            entry.senders.append(sender)

    message_total = unreadable = 0
    own_accounts: list[OwnAccount] = []
    found_transcripts = sources.transcripts(case, items)
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
            where = f"{transcript.item_id} message {message.get('seq', '?')}" + (
                f" (from {sender})" if sender else ""
            )
            for found in find_identifiers(text):
                platform = transcript.platform
                if found.kind == "handle":
                    platform = platform_hint(text) or (platform if platform in HANDLE_PLATFORMS else None)
                add(
                    found,
                    where=where,
                    ref=transcript.item_id,
                    time=_text(message.get("time")),
                    sender=sender,
                    platform=platform,
                )
        message_total += transcript.messages
        unreadable += transcript.unreadable_lines
        own = _own_senders(
            {sender for sender, _ in accounts}, marked_own, conversations, transcript, case.info.collector
        )
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

    for url in case.urls():
        linked = classify_url(str(url.get("url", "")))
        if linked is None or url.get("sensitive"):
            continue
        if linked.kind in ("profile-url", "payment-link"):
            add(linked, where=f"web address {url['id']}", ref=str(url["id"]))
    for item in items:
        capture = item.get("web_capture")
        if (
            isinstance(capture, dict)
            and capture.get("final_url")
            and capture.get("final_url") != capture.get("requested_url")
        ):
            landed = classify_url(str(capture["final_url"]))
            if landed is not None and landed.kind in ("profile-url", "payment-link"):
                add(landed, where=f"{item['id']} (page the address led to)", ref=str(item["id"]))
        if isinstance(item.get("note"), str):
            for found in find_identifiers(item["note"]):
                add(found, where=f"the note on {item['id']}", ref=str(item["id"]))
    for note in case.records(NOTES.path):
        for found in find_identifiers(str(note.get("text", ""))):
            add(found, where=f"your note {note.get('id')}", ref=str(note.get("id")))

    recorded = _recorded_index(case)
    addresses = {str(url.get("url_normalised")).lower(): str(url.get("id")) for url in case.urls()}
    out = []
    for suggestion in collected.values():
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
