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
from evidencekit.story.formats import (
    IBAN_PATTERN,
    TX_PATTERN,
    WALLET_PATTERN,
    compact_iban,
    iban_valid,
    recognise_wallet,
)

URL_PATTERN = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
EMAIL_PATTERN = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
HANDLE_PATTERN = re.compile(r"(?<![\w@./:])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
CASHTAG_PATTERN = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9_]{1,19})(?!\w)")
PHONE_PATTERN = re.compile(r"(?<![\w+/.:(-])((?:\+|00)?\(?\d[\d ()./-]{5,22}\d)(?![\w/])")
MONEY_PATTERN = re.compile(
    r"(?i)(?:[£€$₹₦₱₿]\s?\d|\d\s?(?:usd|gbp|eur|aud|cad|nzd|inr|btc|eth|usdt|dollars?|pounds?|euros?|bucks|quid)\b"
    r"|\b(?:gift ?cards?|western union|moneygram|paypal|cash ?app|venmo|zelle|bitcoin|btc|crypto|wallet|"
    r"iban|sort code|bank transfer|itunes|steam card|google play card)\b)"
)
_NOT_CASHTAGS = {"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN"}
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{1,2}[:.]\d{2}")
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
    "tx",
    "iban",
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
    detail: str | None = None  # e.g. the crypto network


def find_identifiers(text: str) -> list[Found]:
    """Every identifier in `text`, in order of kind (see the module docstring)."""
    if not text:
        return []
    found: list[Found] = []
    spans: list[tuple[int, int]] = []
    for match in URL_PATTERN.finditer(text):
        url = _trim(match.group(0))
        spans.append((match.start(), match.start() + len(url)))
        item = classify_url(url if "://" in url else "https://" + url)
        if item:
            found.append(item)
    for match in EMAIL_PATTERN.finditer(text):
        if _inside(match.start(), spans):
            continue
        spans.append(match.span())
        address = match.group(0)
        local, _, domain = address.rpartition("@")
        found.append(Found("email", address, f"{local}@{domain.lower()}".lower()))
    for match in HANDLE_PATTERN.finditer(text):
        if _inside(match.start(), spans):
            continue
        found.append(Found("handle", "@" + match.group(1), match.group(1).lower()))
    for match in CASHTAG_PATTERN.finditer(text):
        if _inside(match.start(), spans) or match.group(1).upper() in _NOT_CASHTAGS:
            continue
        found.append(
            Found("cashtag", "$" + match.group(1), "$" + match.group(1).lower(), platform="Cash App")
        )
    for match in WALLET_PATTERN.finditer(text):
        if _inside(match.start(), spans):
            continue
        wallet = recognise_wallet(match.group(1))
        if wallet is None:
            continue
        spans.append(match.span(1))
        found.append(
            Found("wallet", wallet.address, wallet.address, detail=wallet.network, name=wallet.currency)
        )
    for match in TX_PATTERN.finditer(text):
        if _inside(match.start(1), spans):
            continue
        spans.append(match.span(1))
        found.append(Found("tx", match.group(1), match.group(1).lower()))
    for match in IBAN_PATTERN.finditer(text):
        if _inside(match.start(1), spans) or not iban_valid(match.group(1)):
            continue
        spans.append(match.span(1))
        found.append(Found("iban", match.group(1), compact_iban(match.group(1))))
    for match in PHONE_PATTERN.finditer(text):
        if _inside(match.start(1), spans):
            continue
        phone = _phone(match.group(1))
        if phone:
            found.append(Found("phone", match.group(1).strip(), phone))
    return found


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


def _phone(text: str) -> str | None:
    candidate = text.strip()
    if _DATE_LIKE.search(candidate) or re.search(r"\d\.\d{1,2}$", candidate):
        return None
    digits = re.sub(r"\D", "", candidate)
    international = candidate.startswith(("+", "00"))
    if international and candidate.startswith("00"):
        digits = digits[2:]
    if not 7 <= len(digits) <= 15:
        return None
    if not international and not 9 <= len(digits) <= 11:
        return None  # national numbers have 9 to 11 digits; longer runs are account or card numbers
    return ("+" if international else "") + digits


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
