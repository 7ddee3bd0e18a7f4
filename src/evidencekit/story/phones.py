"""Phone numbers in a text, each with the one spelling two copies of it share (E.164).

"+44 7700 900123", "0044 7700 900123" and "07700 900123" are one person, so `suggest` groups them
under +447700900123. A number written with its country code (+ or 00) is normalised by Google's
numbering plan (the `phonenumbers` library). A national number ("07700 900123") needs to know the
country: the case's country (`case create --country`) is used; a case without one keeps national
numbers as they were written (digits only), so they are still suggested, only not merged with the
international spelling. Dates, times, amounts and long account or card numbers are left out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

PHONE_PATTERN = re.compile(r"(?<![\w+/.:(-])((?:\+|00)?\(?\d[\d ()./-]{5,22}\d)(?![\w/])")
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{1,2}[:.]\d{2}")


@dataclass(frozen=True)
class Phone:
    """A phone number as written, and its key: E.164 ("+447700900123") when it could be
    normalised, else the digits as written."""

    written: str
    key: str
    e164: bool
    region: str | None  # the country of its country code (ISO 3166: GB for +44, US for +1)


@functools.lru_cache(maxsize=4096)  # a chat repeats its numbers; parsing one takes about 0.2 ms
def normalise(text: str, region: str | None = None) -> Phone | None:
    """The phone number `text` is, or None if it is not one (a date, an amount, a card number)."""
    import phonenumbers

    candidate = text.strip()
    if _DATE_LIKE.search(candidate) or re.search(r"\d\.\d{1,2}$", candidate):
        return None
    digits = re.sub(r"\D", "", candidate)
    international = candidate.startswith(("+", "00"))
    if candidate.startswith("00"):
        digits = digits[2:]
    if not 7 <= len(digits) <= 15:
        return None
    if not international and not 9 <= len(digits) <= 11:
        return None  # national numbers have 9 to 11 digits; longer runs are account or card numbers
    if international or region:
        try:
            number = phonenumbers.parse("+" + digits if international else candidate, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            country = phonenumbers.region_code_for_country_code(number.country_code or 0)
            return Phone(candidate, e164, True, None if country == "ZZ" else country)
        if international:
            return None  # a country code that has no numbers this long
    return Phone(candidate, digits, False, None)


def find_phones(text: str, region: str | None = None) -> list[tuple[tuple[int, int], Phone]]:
    """Every phone number in `text`, with where it is."""
    out = []
    for match in PHONE_PATTERN.finditer(text):
        phone = normalise(match.group(1), region)
        if phone is not None:
            out.append((match.span(1), phone))
    return out
