"""Crypto addresses in text read from a picture, put right where OCR is known to go wrong.

OCR reads a wallet address in a chat bubble with the mistakes OCR always makes: "0" as "O", "l" as
"1", and a space where the bubble wrapped the address onto a second line. An address carries a
checksum, so a correction can be *proved*: each character that cannot be in such an address is
given the one or two characters it is usually confused with, the pieces of a wrapped address are
joined, and a reading is kept only when exactly one of its spellings passes the checksum (a
Bech32 checksum catches any four wrong characters; Base58Check's 32 bits leave one chance in four
billion). The corrected address is shown with the corrections made, for a person to compare with
the picture; nothing is corrected in text a person typed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from evidencekit.story.formats import Wallet, recognise_wallet

_BECH32_DATA = set("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
_B58 = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
# What OCR reads in place of a character that can be there: character -> what it probably was.
_BECH32_FIXES = {"o": "0", "O": "0", "1": "l", "i": "l", "I": "l", "b": "6", "B": "8", "|": "l"}
_B58_FIXES = {"0": "oO", "O": "o", "I": "1l", "l": "1I", "|": "1l"}
_PIECE = re.compile(r"[0-9A-Za-z|]{4,}")
_MAX_VARIANTS = 256


@dataclass(frozen=True)
class Repaired:
    """An address found by correcting what OCR read: where it is in the text, the address, and
    what was changed ("O→0", "a line break removed")."""

    span: tuple[int, int]
    wallet: Wallet
    corrections: tuple[str, ...]


def repair_wallets(text: str) -> list[Repaired]:
    """Addresses in OCR'd `text` that are valid only once the usual OCR mistakes are put right."""
    pieces = list(_PIECE.finditer(text))
    out: list[Repaired] = []
    used = -1
    for index, first in enumerate(pieces):
        if index <= used or not _could_start(first.group(0)):
            continue
        for count in (1, 2, 3):  # an address wrapped over at most three lines of a bubble
            group = pieces[index : index + count]
            if len(group) < count or any(
                text[a.end() : b.start()] not in (" ", "\n") for a, b in itertools.pairwise(group)
            ):
                break
            joined = "".join(piece.group(0) for piece in group)
            if not 26 <= len(joined) <= 90:
                continue
            found = _checked(joined)
            if found is None:
                continue
            wallet, fixes = found
            if count == 1 and not fixes:
                break  # right as read: the ordinary finder has it
            notes = [*fixes, *(["a line break in it removed"] if count > 1 else [])]
            out.append(Repaired((group[0].start(), group[-1].end()), wallet, tuple(notes)))
            used = index + count - 1
            break
    return out


def _could_start(piece: str) -> bool:
    lowered = piece.lower()
    return lowered.startswith(("bc1", "bcl", "ltc1", "ltcl")) or piece[:1] in "13LMDT"


def _checked(text: str) -> tuple[Wallet, list[str]] | None:
    if text.lower().startswith(("bc1", "bcl", "ltc1", "ltcl")):
        return _bech32(text)
    return _base58(text)


def _bech32(text: str) -> tuple[Wallet, list[str]] | None:
    hrp = "bc" if text.lower().startswith("bc") else "ltc"
    data = text[len(hrp) + 1 :]
    fixes = []
    if text[len(hrp)] != "1":
        fixes.append(f"{text[len(hrp)]}→1")
    mended = []
    for char in data:
        if char.lower() in _BECH32_DATA and char not in _BECH32_FIXES:
            mended.append(char.lower())
        elif char in _BECH32_FIXES:
            mended.append(_BECH32_FIXES[char])
            fixes.append(f"{char}→{_BECH32_FIXES[char]}")
        else:
            return None
    wallet = recognise_wallet(hrp + "1" + "".join(mended))
    return (wallet, sorted(set(fixes))) if wallet is not None and wallet.checksum_verified else None


def _base58(text: str) -> tuple[Wallet, list[str]] | None:
    choices: list[str] = []
    for char in text:
        if char in _B58_FIXES:
            choices.append(_B58_FIXES[char])
        elif char in _B58:
            choices.append(char)
        else:
            return None
    variants = 1
    for options in choices:
        variants *= len(options)
    if variants > _MAX_VARIANTS:
        return None
    passing = []
    for spelling in itertools.product(*choices):
        wallet = recognise_wallet("".join(spelling))
        if wallet is not None and wallet.checksum_verified:
            passing.append(wallet)
    if len(passing) != 1:
        return None  # none, or more than one: no correction can be proved
    fixes = sorted({f"{a}→{b}" for a, b in zip(text, passing[0].address, strict=True) if a != b})
    return passing[0], fixes
