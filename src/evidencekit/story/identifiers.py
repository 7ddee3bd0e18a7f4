"""Finding identifiers in chats and web addresses, to *suggest* recording them (never silently).

Offenders give away stable identifiers in the conversation itself: "add me on snap @…", a phone
number, a PayPal link, a Bitcoin wallet. Those are what police can act on, and a frightened person
easily overlooks them. This module finds them in a text (a message, a note, a web address);
`suggestions` runs it over the case and says where each was found and which command would record
it. Nothing is recorded: the person decides (a number in the chat may be their own, or a friend's).

Detection is deliberately strict where check digits exist (crypto addresses, IBANs; see `formats`)
and loose elsewhere; every suggestion shows its source so a human can judge it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from evidencekit.errors import InvalidUrlError
from evidencekit.intake.urls import check_url
from evidencekit.story.demands import find_demands
from evidencekit.story.formats import (
    IBAN_PATTERN,
    TX_PATTERN,
    WALLET_PATTERN,
    Wallet,
    compact_iban,
    iban_valid,
    recognise_wallet,
    wallet_key,
)
from evidencekit.story.ocr_repair import repair_wallets
from evidencekit.story.phones import find_phones

# A web address with its scheme or www., or one of the short hosts people type and screenshots show
# bare ("paypal.me/jake", "t.me/jake").
_BARE_HOSTS = (
    r"paypal\.me|cash\.app|venmo\.com|revolut\.me|wa\.me|t\.me|snapchat\.com|instagram\.com|tiktok\.com"
)
URL_PATTERN = re.compile(rf"(?i)(?:\b(?:https?://|www\.)|(?<![\w.@/])(?:{_BARE_HOSTS})/)[^\s<>\"'`]+")
EMAIL_PATTERN = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
HANDLE_PATTERN = re.compile(r"(?<![\w@./:])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
CASHTAG_PATTERN = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9_]{1,19})(?!\w)")
MONEY_PATTERN = re.compile(
    r"(?i)(?:[£€$₹₦₱₿]\s?\d|\d\s?(?:usd|gbp|eur|aud|cad|nzd|inr|btc|eth|usdt|dollars?|pounds?|euros?|bucks|quid)\b"
    r"|\b(?:gift ?cards?|western union|moneygram|paypal|cash ?app|venmo|zelle|bitcoin|btc|crypto|wallet|"
    r"iban|sort code|bank transfer|itunes|steam card|google play card)\b)"
)
_NOT_CASHTAGS = {"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN"}
_TRAILING = ".,;:!?)]}'\"»”’…"

# Paths that are not accounts, per platform (instagram.com/p/… is a post, not a user).
_NOT_USERS = {
    "Instagram": {"p", "reel", "reels", "stories", "explore", "accounts", "direct", "tv", "about", "legal"},
    "Facebook": {
        "groups",
        "events",
        "photo",
        "photo.php",
        "watch",
        "share",
        "messages",
        "marketplace",
        "pages",
        "story.php",
        "permalink.php",
        "login",
        "help",
    },
    "X (Twitter)": {
        "i",
        "home",
        "search",
        "explore",
        "settings",
        "messages",
        "notifications",
        "intent",
        "share",
        "hashtag",
    },
    "Telegram": {"joinchat", "addstickers", "share", "s"},
    "Snapchat": {"spotlight", "discover", "lens", "unlock"},
    "TikTok": {"tag", "music", "discover", "video"},
}
KIND_ORDER = (
    "chat-account",
    "profile-url",
    "handle",
    "phone",
    "email",
    "payment-link",
    "cashtag",
    "wallet",
    "payment-handle",
    "tx",
    "iban",
    "bank-account",
    "mtcn",
    "gift-card",
    "amount",
    "link",
)
KIND_LABELS = {
    "chat-account": "chat account",
    "profile-url": "profile link",
    "handle": "@handle",
    "phone": "phone number",
    "email": "e-mail address",
    "payment-link": "payment link",
    "cashtag": "Cash App $cashtag",
    "wallet": "crypto wallet address",
    "tx": "transaction hash",
    "iban": "bank account (IBAN)",
    "bank-account": "UK bank account (sort code and account number)",
    "mtcn": "Western Union tracking number (MTCN)",
    "gift-card": "gift card code",
    "payment-handle": "payment handle",
    "amount": "amount of money",
    "link": "web address not yet recorded",
}
# Headings over a group of suggestions: plurals written out ("addresses", "hashes"), not made.
KIND_HEADINGS = {
    "chat-account": "Chat accounts",
    "profile-url": "Profile links",
    "handle": "@handles",
    "phone": "Phone numbers",
    "email": "E-mail addresses",
    "payment-link": "Payment links",
    "cashtag": "Cash App $cashtags",
    "wallet": "Crypto wallet addresses",
    "tx": "Transaction hashes",
    "iban": "Bank accounts (IBAN)",
    "bank-account": "UK bank accounts (sort code and account number)",
    "mtcn": "Western Union tracking numbers (MTCN)",
    "gift-card": "Gift card codes",
    "payment-handle": "Payment handles (Venmo)",
    "amount": "Amounts of money",
    "link": "Web addresses not yet recorded",
}
# How exports name the account that made them, when they say (see exports/: Discord, iMessage,
# Signal, Snapchat, and SMS backups write these instead of the owner's name).
OWNER_SENDERS = frozenset({"(account owner)", "(this phone)"})


@dataclass(frozen=True)
class Found:
    """One identifier found in a piece of text."""

    kind: str
    value: str
    key: str  # normalised, for grouping and for comparing with what is recorded
    platform: str | None = None
    name: str | None = None  # username or payee taken from a link
    detail: str | None = None  # e.g. the crypto network, a phone's country, a gift card's brand
    checked: str | None = None  # how it was checked (a checksum, E.164), in words


def find_identifiers(text: str, region: str | None = None, *, ocr: bool = False) -> list[Found]:
    """Every identifier in `text` (see the module docstring). `region` is the case's country
    (ISO 3166 code), for reading national phone numbers ("07700 900123" in GB is +447700900123).
    `ocr`: the text was read from a picture, so crypto addresses misread the usual ways (O for 0,
    a line break inside) are put right where the checksum proves the correction (`ocr_repair`)."""
    if not text:
        return []
    found: list[Found] = []
    spans: list[tuple[int, int]] = []
    # Most messages hold no identifier: a pattern runs only where what it needs is in the text.
    lowered = text.lower()
    digits = _DIGIT.search(text) is not None
    if ocr:
        for repaired in repair_wallets(text) if digits else ():
            spans.append(repaired.span)
            fixed = repaired.wallet
            found.append(
                Found(
                    "wallet",
                    fixed.address,
                    wallet_key(fixed),
                    detail=fixed.network,
                    name=fixed.currency,
                    checked="checksum matches once corrected from what OCR read ("
                    + ", ".join(repaired.corrections)
                    + "): compare it with the picture",
                )
            )
    for match in URL_PATTERN.finditer(text) if any(h in lowered for h in _URL_HINTS) else ():
        url = _trim(match.group(0))
        spans.append((match.start(), match.start() + len(url)))
        item = classify_url(url if "://" in url else "https://" + url)
        if item:
            found.append(item)
    for match in EMAIL_PATTERN.finditer(text) if "@" in text else ():
        if _inside(match.start(), spans):
            continue
        spans.append(match.span())
        address = match.group(0)
        local, _, domain = address.rpartition("@")
        found.append(Found("email", address, f"{local}@{domain.lower()}".lower()))
    for match in WALLET_PATTERN.finditer(text) if digits else ():
        if _inside(match.start(), spans):
            continue
        wallet = recognise_wallet(match.group(1))
        if wallet is None:
            continue
        spans.append(match.span(1))
        found.append(
            Found(
                "wallet",
                wallet.address,
                wallet_key(wallet),
                detail=wallet.network,
                name=wallet.currency,
                checked=_wallet_check(wallet),
            )
        )
    for match in TX_PATTERN.finditer(text) if digits else ():
        if _inside(match.start(1), spans):
            continue
        spans.append(match.span(1))
        found.append(Found("tx", match.group(1), match.group(1).lower()))
    for match in IBAN_PATTERN.finditer(text) if digits else ():
        if _inside(match.start(1), spans) or not iban_valid(match.group(1)):
            continue
        spans.append(match.span(1))
        found.append(
            Found("iban", match.group(1), compact_iban(match.group(1)), checked="mod-97 check digits match")
        )
    for demand in find_demands(text, lowered) if digits or "@" in text else ():
        if _overlaps(demand.span, spans):
            continue
        spans.append(demand.span)
        found.append(
            Found(
                demand.kind,
                demand.value,
                demand.key,
                platform=demand.detail if demand.kind == "payment-handle" else None,
                name=demand.name,
                detail=demand.detail,
                checked=_DEMAND_CHECKS.get(demand.kind),
            )
        )
    for match in HANDLE_PATTERN.finditer(text) if "@" in text else ():
        if _inside(match.start(), spans):
            continue
        found.append(Found("handle", "@" + match.group(1), match.group(1).lower()))
    for match in CASHTAG_PATTERN.finditer(text) if "$" in text else ():
        if _inside(match.start(), spans) or match.group(1).upper() in _NOT_CASHTAGS:
            continue
        found.append(
            Found("cashtag", "$" + match.group(1), "$" + match.group(1).lower(), platform="Cash App")
        )
    for span, phone in find_phones(text, region) if digits else ():
        if _overlaps(span, spans):
            continue
        found.append(
            Found(
                "phone",
                phone.written,
                phone.key,
                detail=phone.region,
                checked="normalised to E.164" if phone.e164 else "no country known: kept as written",
            )
        )
    return found


_DEMAND_CHECKS = {
    "amount": "a number with its currency",
    "gift-card": "the brand's code shape, with the brand named beside it",
    "bank-account": "a sort code with an 8-digit account number after it (no check digits to test)",
    "mtcn": "10 digits with MTCN or Western Union named beside them",
    "payment-handle": "an @handle with Venmo named beside it",
}


def _wallet_check(wallet: Wallet) -> str:
    if wallet.checksum_verified:
        return "EIP-55 checksum matches" if wallet.address.startswith("0x") else "checksum matches"
    if wallet.address.startswith("0x"):
        return "all one case: a valid address, but without a checksum to check"
    return "recognised by its shape only (no checksum)"


_DIGIT = re.compile(r"\d")
_URL_HINTS = ("http", "www.", ".me/", ".app/", ".com/")


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


# Platforms where an @handle names an account; and words that say which platform a handle is for
# ("add me on snap @…" in a WhatsApp chat is a Snapchat account).
HANDLE_PLATFORMS = {"Instagram", "Telegram", "X (Twitter)", "TikTok", "Discord", "Snapchat", "Threads"}
_PLATFORM_WORDS = [
    (re.compile(r"(?i)\b(snap(chat)?|sc)\b"), "Snapchat"),
    (re.compile(r"(?i)\b(insta(gram)?|ig)\b"), "Instagram"),
    (re.compile(r"(?i)\b(telegram|tg)\b"), "Telegram"),
    (re.compile(r"(?i)\btik ?tok\b"), "TikTok"),
    (re.compile(r"(?i)\bdiscord\b"), "Discord"),
    (re.compile(r"(?i)\b(twitter|tweet)\b"), "X (Twitter)"),
    (re.compile(r"(?i)\bkik\b"), "Kik"),
    (re.compile(r"(?i)\bthreads\b"), "Threads"),
]


def platform_hint(text: str) -> str | None:
    """The one platform a message names (“add me on snap”), or None if it names none or several."""
    named = {platform for pattern, platform in _PLATFORM_WORDS if pattern.search(text)}
    return named.pop() if len(named) == 1 else None


def mentions_money(text: str) -> bool:
    """A message that talks about money or payment (used to keep it in an abridged timeline)."""
    return bool(text) and MONEY_PATTERN.search(text) is not None


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def classify_url(url: str) -> Found | None:
    """A profile link, a payment link, or another web address (None if it is not a valid URL)."""
    try:
        checked = check_url(url)
    except InvalidUrlError:
        return None
    parts = urlsplit(checked.normalised)
    segments = [s for s in parts.path.split("/") if s]
    platform = checked.platform
    host = checked.host
    payment = _payment_link(host, segments)
    if payment:
        method, payee = payment
        return Found(
            "payment-link", checked.original, checked.normalised, platform=platform, name=payee, detail=method
        )
    user = _profile_user(platform, host, segments, parts.query)
    if user:
        return Found("profile-url", checked.original, checked.normalised, platform=platform, name=user)
    return Found("link", checked.original, checked.normalised, platform=platform)


def _payment_link(host: str, segments: list[str]) -> tuple[str, str] | None:
    if host.endswith("paypal.me") and segments:
        return "paypal", segments[0]
    if host.endswith("paypal.com") and len(segments) >= 2 and segments[0].lower() == "paypalme":
        return "paypal", segments[1]
    if host.endswith("cash.app") and segments and segments[0].startswith("$"):
        return "other", segments[0]
    if host.endswith("venmo.com") and segments:
        name = segments[1] if segments[0] == "u" and len(segments) > 1 else segments[0]
        return "other", "@" + name.lstrip("@")
    if host.endswith("revolut.me") and segments:
        return "other", segments[0]
    return None


def _profile_user(platform: str | None, host: str, segments: list[str], query: str) -> str | None:
    if not platform or not segments:
        if platform == "Facebook" and "id=" in query:
            return "id " + parse_qs(query).get("id", [""])[0]
        return None
    first = segments[0]
    if first.lower() in _NOT_USERS.get(platform, set()):
        return None
    if platform == "Facebook" and first == "profile.php":
        ids = parse_qs(query).get("id")
        return f"id {ids[0]}" if ids else None
    if platform in ("Instagram", "Facebook", "X (Twitter)", "Threads", "Telegram", "Twitch", "Pinterest"):
        return first.lstrip("@")
    if platform in ("TikTok", "YouTube") and first.startswith("@"):
        return first[1:]
    if platform == "Snapchat" and first in ("add", "u") and len(segments) > 1:
        return segments[1]
    if platform == "Reddit" and first in ("user", "u") and len(segments) > 1:
        return segments[1]
    if platform == "Discord" and first == "users" and len(segments) > 1:
        return segments[1]
    if platform == "WhatsApp" and host == "wa.me":
        return "+" + re.sub(r"\D", "", first) if re.sub(r"\D", "", first) else None
    return None
