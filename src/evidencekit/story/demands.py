"""What a demand for money looks like in a text: amounts, gift-card codes, UK bank details, Western
Union tracking numbers (MTCN) and Venmo handles.

Each is found only where its shape *and* what is written around it agree, so that ordinary numbers
are not offered: a gift-card code only with its brand named in the same text ("steam card
XXXXX-XXXXX-XXXXX"), a 10-digit MTCN only with "MTCN" or "Western Union" near it, a UK account
number only beside a sort code, an @handle as Venmo only when Venmo is named. None of these carry
check digits we can test (UK account numbers have a modulus check, but its tables belong to the
banks' clearing system), so every one is shown with where it was seen, for a person to compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Demand:
    """One detail of a demand found in a text: `kind` is amount, gift-card, bank-account, mtcn or
    payment-handle; `key` is the spelling two copies share; `detail` the currency, brand or service."""

    kind: str
    span: tuple[int, int]
    value: str
    key: str
    detail: str | None = None
    name: str | None = None  # an amount's number, a gift card's code, a handle's name


# ---- amounts ----------------------------------------------------------------------------------

_SYMBOLS = {"£": "GBP", "€": "EUR", "₹": "INR", "₦": "NGN", "₱": "PHP", "₿": "BTC", "$": "$"}
_WORDS = {
    "usd": "USD",
    "gbp": "GBP",
    "eur": "EUR",
    "aud": "AUD",
    "cad": "CAD",
    "nzd": "NZD",
    "inr": "INR",
    "ngn": "NGN",
    "php": "PHP",
    "btc": "BTC",
    "eth": "ETH",
    "usdt": "USDT",
    "usdc": "USDC",
    "ltc": "LTC",
    "trx": "TRX",
    "xmr": "XMR",
    "bitcoin": "BTC",
    "dollars": "$",
    "dollar": "$",
    "bucks": "$",
    "pounds": "GBP",
    "pound": "GBP",
    "quid": "GBP",
    "euros": "EUR",
    "euro": "EUR",
    "rupees": "INR",
}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY_WORDS = "|".join(sorted(_WORDS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?i)(?<![\w.,])(?:(?P<symbol>[£€$₹₦₱₿])\s?(?P<n1>{_NUMBER})(?P<k1>k\b)?"
    rf"|(?P<n2>{_NUMBER})(?P<k2>k)?\s?(?:(?P<after>[£€₹₦₱₿])|(?P<word>{_CURRENCY_WORDS})\b))"
    r"(?![\w.,]\d)"
)


def find_amounts(text: str) -> list[Demand]:
    """ "£500", "500 GBP", "$1,200", "0.05 BTC", "€ 300", "2k pounds": each with its currency; a bare
    dollar sign stays "$" (it is the sign of several currencies)."""
    out = []
    for match in _AMOUNT.finditer(text):
        number = match.group("n1") or match.group("n2")
        mark = match.group("symbol") or match.group("after")
        currency = _SYMBOLS[mark] if mark else _WORDS[match.group("word").lower()]
        try:
            amount = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        if match.group("k1") or match.group("k2"):
            amount *= 1000
        if amount <= 0:
            continue
        plain = format(amount.normalize(), "f")
        out.append(
            Demand("amount", match.span(), match.group(0).strip(), f"{plain} {currency}", currency, plain)
        )
    return out


# ---- gift cards -------------------------------------------------------------------------------

# The shapes of each brand's codes as printed on the card or receipt, and the words that name it.
_CARD_BRANDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "Steam",
        re.compile(r"(?i)\bsteam\b"),
        # "-\s?": a code wrapped after its hyphen on a screen, read by OCR with a space
        re.compile(
            r"(?<![A-Z0-9-])([A-Z0-9]{5}-\s?[A-Z0-9]{5}-\s?[A-Z0-9]{5}(?:-\s?[A-Z0-9]{5})?)(?![A-Z0-9-])"
        ),
    ),
    (
        "Apple",
        re.compile(r"(?i)\b(apple|itunes|app store)\b"),
        re.compile(
            r"(?<![A-Z0-9])(X[A-Z0-9]{3}[ -]?[A-Z0-9]{4}[ -]?[A-Z0-9]{4}[ -]?[A-Z0-9]{4})(?![A-Z0-9])"
        ),
    ),
    (
        "Google Play",
        re.compile(r"(?i)\b(google ?play|play store)\b"),
        re.compile(r"(?<![A-Z0-9])([A-Z0-9]{4}(?:[ -]?[A-Z0-9]{4}){4})(?![A-Z0-9])"),
    ),
    (
        "Amazon",
        re.compile(r"(?i)\bamazon\b"),
        re.compile(r"(?<![A-Z0-9-])([A-Z0-9]{4}-\s?[A-Z0-9]{6}-\s?[A-Z0-9]{4,5})(?![A-Z0-9-])"),
    ),
]


def find_gift_cards(text: str) -> list[Demand]:
    """Gift-card codes of a brand named in the same text (a code-shaped word without its brand is
    not offered: serial numbers and order numbers have the same shapes)."""
    out: list[Demand] = []
    taken: list[tuple[int, int]] = []
    for brand, named, shape in _CARD_BRANDS:
        if not named.search(text):
            continue
        for match in shape.finditer(text):
            code = match.group(1)
            compact = re.sub(r"[\s-]", "", code)
            if sum(c.isdigit() for c in compact) < 2 or sum(c.isalpha() for c in compact) < 2:
                continue  # a real code mixes letters and digits; "ABCDE-FGHIJ-KLMNO" is a word game
            if any(start <= match.start(1) < end for start, end in taken):
                continue
            taken.append(match.span(1))
            out.append(Demand("gift-card", match.span(1), code, f"{brand}:{compact}", brand, compact))
    return out


# ---- Western Union MTCN -----------------------------------------------------------------------

_MTCN_CONTEXT = re.compile(r"(?i)\b(mtcn|western ?union|wu|money ?transfer control)\b")
_MTCN = re.compile(r"(?<![\d-])(\d{3}[- ]?\d{3}[- ]?\d{4})(?![\d-])")


def find_mtcns(text: str) -> list[Demand]:
    """10-digit Western Union tracking numbers, only in a text that says MTCN or Western Union."""
    if not _MTCN_CONTEXT.search(text):
        return []
    out = []
    for match in _MTCN.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        out.append(Demand("mtcn", match.span(1), match.group(1), digits, "Western Union", digits))
    return out


# ---- UK sort code and account number ----------------------------------------------------------

_SORT_CODE = re.compile(
    r"(?<![\d-])(\d{2})[- ](\d{2})[- ](\d{2})(?![\d-])|(?<=sort code[: ])\s*(\d{6})(?!\d)", re.I
)
_ACCOUNT = re.compile(r"(?<![\d-])(\d{8})(?![\d-])")
_BANK_CONTEXT = re.compile(r"(?i)\b(sort ?code|s/c|account|acc|acct|a/c|bank)\b")


def find_uk_accounts(text: str) -> list[Demand]:
    """A UK sort code (12-34-56) with an 8-digit account number written just after it (or just
    before), in a text that talks of a sort code, an account or a bank; the pair is one detail (an
    account number means nothing without its bank's sort code)."""
    if not _BANK_CONTEXT.search(text):
        return []
    out = []
    for match in _SORT_CODE.finditer(text):
        sort = "".join(g for g in match.groups() if g)
        after = _ACCOUNT.search(text, match.end())
        if after is not None and after.start() - match.end() <= 60:
            span = (match.start(), after.end())
        else:
            before = [m for m in _ACCOUNT.finditer(text, 0, match.start()) if match.start() - m.end() <= 60]
            if not before:
                continue
            after = before[-1]
            span = (after.start(), match.end())
        account = after.group(1)
        written = f"sort code {sort[:2]}-{sort[2:4]}-{sort[4:]}, account {account}"
        out.append(Demand("bank-account", span, written, f"{sort}:{account}", "UK", written))
    return out


# ---- Venmo ------------------------------------------------------------------------------------

_VENMO = re.compile(r"(?i)\bvenmo\b")
_VENMO_HANDLE = re.compile(r"(?<![\w@./:])@([A-Za-z0-9_-]{5,30})(?![\w@])")


def find_venmo(text: str) -> list[Demand]:
    """@handles in a text that names Venmo (elsewhere an @handle is a social-media account)."""
    if not _VENMO.search(text):
        return []
    return [
        Demand(
            "payment-handle", m.span(), "@" + m.group(1), "venmo:" + m.group(1).lower(), "Venmo", m.group(1)
        )
        for m in _VENMO_HANDLE.finditer(text)
    ]


def find_demands(text: str, lowered: str | None = None) -> list[Demand]:
    """Every detail of a demand in `text`; where two overlap, the one listed first here wins.
    (`lowered`: the text in lower case, when the caller has it; each finder whose words are not in
    it is skipped, which is most of them for most messages.)"""
    low = text.lower() if lowered is None else lowered
    finders = [
        finder
        for finder, words in (
            (find_uk_accounts, ("sort", "s/c", "acc", "a/c", "bank")),
            (find_mtcns, ("mtcn", "western", "wu", "money")),
            (find_gift_cards, ("steam", "apple", "itunes", "app store", "google", "play", "amazon")),
            (find_venmo, ("venmo",)),
        )
        if any(word in low for word in words)
    ]
    out: list[Demand] = []
    for finder in (*finders, find_amounts):
        for found in finder(text):
            if not any(a < found.span[1] and found.span[0] < b for a, b in (d.span for d in out)):
                out.append(found)
    return out
