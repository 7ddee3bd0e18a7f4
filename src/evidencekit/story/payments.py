"""Payments: what was demanded or paid, and where the money was to go.

The FBI and police ask for the method, the payee (name, handle, account, wallet address), the
transaction ID, the amount and currency, and the date and time with its zone. Where the money went is
often the best lead, and an uncollected transfer can sometimes still be stopped, so recording a
payment always comes with advice: don't pay (more), and if you paid, call your bank now.

Amounts are kept as text exactly as a decimal number (never a float: 0.1 BTC must stay 0.1).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from evidencekit.case.case import Case, CaseChange
from evidencekit.errors import InvalidValueError
from evidencekit.story.formats import iban_valid, looks_like_tx_hash, recognise_wallet
from evidencekit.story.records import PAYMENTS, AddResult, append_story_record, check_references, one_line
from evidencekit.story.times import parse_event_time

METHODS = ("bank", "paypal", "gift-card", "crypto", "money-transfer", "other")
METHOD_LABELS = {
    "bank": "bank transfer",
    "paypal": "PayPal",
    "gift-card": "gift card",
    "crypto": "cryptocurrency",
    "money-transfer": "money transfer (e.g. Western Union, MoneyGram)",
    "other": "other",
}
_SYMBOLS = {"£": "GBP", "€": "EUR", "₹": "INR", "₦": "NGN", "₱": "PHP", "₩": "KRW", "₺": "TRY", "₿": "BTC"}
_AMBIGUOUS_SYMBOLS = {"$": "USD, AUD, CAD, NZD…", "¥": "JPY or CNY"}
_AMOUNT = re.compile(r"^(?:\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)$")
_CURRENCY = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")

DONT_PAY = (
    "Don't pay, and don't pay more: paying rarely ends it, and people who pay are often asked "
    "for more. Stop replying, but keep the messages."
)
CALL_BANK = (
    "If money has already gone, call your bank (or the payment service) now, using the number on "
    "your card or their website: a transfer that has not been collected yet can sometimes be stopped "
    "or recalled. Tell them it is extortion and give them this payment's details."
)
_METHOD_ADVICE = {
    "crypto": "Crypto payments usually cannot be reversed, but the wallet address and transaction ID "
    "let the police trace where the money went. If you used an exchange or a crypto ATM, report it to "
    "them too.",
    "gift-card": "Call the gift card company with the card number and your receipt: a balance that has "
    "not been spent can sometimes be frozen. Keep the cards and receipts.",
    "money-transfer": "Call the transfer service with the tracking number (MTCN or reference): a "
    "transfer that has not been collected can be stopped.",
    "paypal": "Report the payment to PayPal from your account (Resolution Centre) as soon as you can.",
}


def parse_amount(text: str, currency: str | None) -> tuple[str, str | None]:
    """('1250.50', 'GBP') from '£1,250.50'; the currency symbol only when unambiguous."""
    written = text.strip().replace(" ", "")
    symbol_currency = None
    for symbol, code in _SYMBOLS.items():
        if written.startswith(symbol) or written.endswith(symbol):
            symbol_currency = code
            written = written.strip(symbol)
    for symbol, choices in _AMBIGUOUS_SYMBOLS.items():
        if symbol in written and symbol_currency is None:
            raise InvalidValueError(
                f"“{text.strip()}” uses {symbol}, which is the sign of several currencies ({choices}).",
                hint="Give the number alone and the currency separately, e.g. --amount 500 --currency USD",
            )
    match = re.fullmatch(r"([0-9.,]+)\s*([A-Za-z]{3,5})?", written)
    if match and match[2]:
        symbol_currency = symbol_currency or match[2].upper()
        written = match[1]
    if not _AMOUNT.match(written):
        raise InvalidValueError(
            f"“{text.strip()}” is not an amount evidencekit can read.",
            hint="Write it with a dot for decimals and no spaces, e.g. --amount 1250.50 --currency GBP",
        )
    try:
        value = Decimal(written.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already checked it
        raise InvalidValueError(f"“{text.strip()}” is not a number.", hint="e.g. --amount 250") from None
    if value <= 0:
        raise InvalidValueError("The amount must be more than zero.", hint="e.g. --amount 250")
    if currency and symbol_currency and currency.upper() != symbol_currency:
        raise InvalidValueError(
            f"The amount says {symbol_currency} but --currency says {currency.upper()}.",
            hint="Give the currency once, with --currency.",
        )
    return format(value, "f"), symbol_currency


def advice_for(method: str, paid: bool) -> list[str]:
    """What to tell the person recording this payment (also printed in the report)."""
    advice = [DONT_PAY]
    if paid:
        advice.append(CALL_BANK)
    if method in _METHOD_ADVICE and paid:
        advice.append(_METHOD_ADVICE[method])
    return advice


def add_payment(
    case: Case,
    *,
    method: str,
    payee: str | None = None,
    account: str | None = None,
    wallet: str | None = None,
    tx: str | None = None,
    amount: str | None = None,
    currency: str | None = None,
    paid: bool = False,
    at: str | None = None,
    reference: str | None = None,
    brand: str | None = None,
    note: str | None = None,
    seen_in: list[str] | None = None,
) -> AddResult:
    """Record a payment demanded or made. At least one detail of where the money goes is needed."""
    method = method.strip().lower()
    if method not in METHODS:
        raise InvalidValueError(
            f"“{method}” is not a payment method evidencekit knows.",
            hint="Use one of: " + ", ".join(METHODS) + " (use other, with --note, for anything else).",
        )
    warnings: list[str] = []
    fields: dict[str, Any] = {"method": method, "paid": bool(paid)}
    fields["payee"] = one_line(payee, "payee", max_length=300)
    fields["account"] = one_line(account, "account", max_length=300)
    looks_like_iban = bool(fields["account"]) and re.fullmatch(
        r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{11,40}", fields["account"]
    )
    if looks_like_iban and not iban_valid(fields["account"]):
        warnings.append(
            f"“{fields['account']}” looks like an IBAN but its check digits do not match: "
            "please compare it with the original, a digit may have been mistyped."
        )
    fields["wallet"] = one_line(wallet, "wallet address", max_length=200)
    fields["wallet_network"] = None
    if fields["wallet"]:
        if any(ch.isspace() for ch in fields["wallet"]):
            raise InvalidValueError(
                "A wallet address has no spaces in it.",
                hint="Copy the address again, exactly as it was sent.",
            )
        recognised = recognise_wallet(fields["wallet"])
        if recognised is None:
            warnings.append(
                "The wallet address does not look like a Bitcoin, Ethereum, Litecoin, Tron or Monero "
                "address (or its checksum does not match). Please compare it with the original: "
                "one wrong character sends police to the wrong wallet."
            )
        else:
            fields["wallet_network"] = recognised.network
    fields["tx"] = one_line(tx, "transaction ID", max_length=200)
    if fields["tx"] and method == "crypto" and not looks_like_tx_hash(fields["tx"]):
        warnings.append(
            "The transaction ID does not look like a crypto transaction hash (64 letters and digits "
            "0-9, a-f). Please check it was copied completely."
        )
    fields["amount"] = None
    fields["currency"] = None
    if amount and amount.strip():
        value, from_symbol = parse_amount(amount, currency)
        fields["amount"] = value
        code = (currency or from_symbol or "").strip().upper()
        if not code:
            raise InvalidValueError(
                "The amount has no currency.", hint="Add it, e.g. --currency GBP (or USD, EUR, BTC…)."
            )
        fields["currency"] = code
    elif currency and currency.strip():
        fields["currency"] = currency.strip().upper()
    if fields["currency"] and not _CURRENCY.match(fields["currency"]):
        raise InvalidValueError(
            f"“{fields['currency']}” is not a currency code.",
            hint="Use the three-letter code, e.g. GBP, USD, EUR, AUD, CAD, or BTC, ETH, USDT for crypto.",
        )
    fields["reference"] = one_line(reference, "reference", max_length=300)
    fields["brand"] = one_line(brand, "brand", max_length=100)
    fields["note"] = one_line(note, "note", max_length=2000)
    fields["at"] = fields["at_as_written"] = fields["at_zone_assumed"] = None
    fields["seen_in"] = []
    if not any(fields[key] for key in ("payee", "account", "wallet", "tx", "amount", "reference")):
        raise InvalidValueError(
            "Nothing says where the money was to go or how much.",
            hint="Give at least one of --payee, --account, --wallet, --tx, --amount or --reference.",
        )

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        staged["seen_in"] = check_references(change, seen_in or [])
        if at and at.strip():
            when = parse_event_time(at, zone_name=case.info.zone, now=change.now())
            staged["at"], staged["at_as_written"], staged["at_zone_assumed"] = (
                when.iso,
                when.as_written,
                when.zone_assumed,
            )
            if when.ambiguous:
                warnings.append(_ambiguous(when.as_written, case.info.zone))

    keys = (
        "method",
        "paid",
        "payee",
        "account",
        "wallet",
        "tx",
        "amount",
        "currency",
        "reference",
        "brand",
        "note",
    )

    def same_as(existing: dict[str, Any]) -> bool:
        return all(existing.get(key) == fields.get(key) for key in keys) and existing.get(
            "at_as_written"
        ) == (at.strip() if at and at.strip() else None)

    result = append_story_record(
        case,
        PAYMENTS,
        fields,
        details={"method": method, "paid": bool(paid)},
        same_as=same_as,
        prepare=prepare,
    )
    result.warnings.extend(warnings)
    result.advice.extend(advice_for(method, bool(paid)))
    return result


def _ambiguous(written: str, zone: str | None) -> str:
    return (
        f"“{written}” happened twice in {zone} (the clocks went back); the earlier one was recorded. "
        "If it was the later one, record it again with the offset, e.g. +00:00."
    )


def describe(record: dict[str, Any]) -> str:
    """One line for a timeline: 'Paid 250 GBP by bank transfer to J Smith'."""
    verb = "Paid" if record.get("paid") else "Demanded"
    parts = [verb]
    if record.get("amount"):
        parts.append(f"{record['amount']} {record.get('currency') or ''}".strip())
    parts.append(f"by {METHOD_LABELS.get(record.get('method', ''), record.get('method', ''))}")
    if record.get("payee"):
        parts.append(f"to {record['payee']}")
    return " ".join(parts)
