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
_BECH32_FIXES = {"o": "0", "O": "0", "1": "l", "i": "l", "I": "l", "b": "6", "B": "8", "|": "l", "!": "l"}
_BECH32_PREFIXES = ("bc1", "bcl", "be1", "bel", "ltc1", "ltcl")  # c read as e, 1 as l
_HEX = set("0123456789abcdefABCDEF")
_HEX_FIXES = {"O": "0", "o": "0", "i": "1", "I": "1", "l": "1", "|": "1", "!": "1", "S": "5", "s": "5"}
_B58_FIXES = {"0": "oO", "O": "o", "I": "1l", "l": "1I", "|": "1l"}
_PIECE = re.compile(r"[0-9A-Za-z|!]{4,}")
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
    return lowered.startswith((*_BECH32_PREFIXES, "0x", "ox")) or piece[:1] in "13LMDT"


def _checked(text: str) -> tuple[Wallet, list[str]] | None:
    lowered = text.lower()
    if lowered.startswith(("0x", "ox")):
        return _ethereum(text)
    if lowered.startswith(_BECH32_PREFIXES):
        return _bech32(text)
    return _base58(text)


def _ethereum(text: str) -> tuple[Wallet, list[str]] | None:
    """0x and 40 hex digits in mixed case: corrected only when the EIP-55 checksum (the case of
    its letters) then matches; an address in one case has no checksum to prove a correction."""
    if len(text) != 42:
        return None
    fixes = [f"{text[0]}→0"] if text[0] != "0" else []
    mended = []
    for char in text[2:]:
        if char in _HEX:
            mended.append(char)
        elif char in _HEX_FIXES:
            mended.append(_HEX_FIXES[char])
            fixes.append(f"{char}→{_HEX_FIXES[char]}")
        else:
            return None
    wallet = recognise_wallet("0x" + "".join(mended))
    return (wallet, sorted(set(fixes))) if wallet is not None and wallet.checksum_verified else None


def _bech32(text: str) -> tuple[Wallet, list[str]] | None:
    hrp = "bc" if text.lower().startswith("b") else "ltc"
    fixes = []
    if text[:2].lower() == "be":
        fixes.append(f"{text[1]}→c")
    if text[len(hrp)] != "1":
        fixes.append(f"{text[len(hrp)]}→1")
    data = text[len(hrp) + 1 :]
    found = _bech32_data(hrp, data)
    if found is not None:
        return found[0], sorted({*fixes, *found[1]})
    # One letter read as two ("l" as "!1"): try leaving out each character that cannot be in
    # an address; kept only when exactly one such reading passes the checksum.
    passing = []
    for index, char in enumerate(data):
        if char.lower() in _BECH32_DATA and char not in _BECH32_FIXES:
            continue
        shorter = _bech32_data(hrp, data[:index] + data[index + 1 :])
        if shorter is not None:
            passing.append((shorter, f"{data[index : index + 2]}→{shorter[0].address[len(hrp) + 1 + index]}"))
    if len({wallet.address for (wallet, _), _ in passing}) != 1:
        return None
    (wallet, more), split = passing[0]
    return wallet, sorted({*fixes, split, *(f for f in more if not split.startswith(f[0]))})


def _bech32_data(hrp: str, data: str) -> tuple[Wallet, list[str]] | None:
    fixes = []
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
    return (wallet, fixes) if wallet is not None and wallet.checksum_verified else None


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
