"""Crypto addresses in text read from a picture, put right where OCR is known to go wrong.

OCR reads a wallet address in a chat bubble with the mistakes OCR always makes: "0" as "O", "l" as
"1", a stray letter added ("1L" for "1"), a letter in the wrong case (W for w), and a space where
the bubble wrapped the address onto the next line. An address carries a checksum, so a correction
can be *proved*: the pieces of a wrapped address are joined, characters that cannot be in such an
address are given what they are usually confused with, and then at most two more small edits are
tried (a character left out, a look-alike swapped: q/g, 5/S, x/X…). A reading is kept only when
exactly one address passes its checksum. Base58Check has 32 bits of checksum and Bech32 30, and at
most some ten thousand spellings are tried for one reading, so a wrong address passes about once in
a few hundred thousand readings; Ethereum's EIP-55 checksum is weaker (one bit per letter), so only
characters that cannot be in the address are corrected there. The corrected address is shown with
the corrections made, for a person to compare with the picture; text a person typed is never
corrected.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from evidencekit.story.formats import Wallet, recognise_wallet

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_HEX = set("0123456789abcdefABCDEF")
_BECH32_PREFIXES = ("bc1", "bcl", "be1", "bel", "ltc1", "ltcl")  # c read as e, 1 as l

# What OCR reads in place of a character that cannot be in the address ("" = a stray mark).
_B58_FIXES = {"0": "o", "O": "o", "I": "1", "l": "1", "|": "1", "!": "1"}
_BECH32_FIXES = {"o": "0", "1": "l", "i": "l", "b": "6", "|": "l", "!": "l"}
_HEX_FIXES = {"O": "0", "o": "0", "i": "1", "I": "1", "l": "1", "|": "1", "!": "1", "S": "5", "s": "5"}
_HEX_FIXES |= {"T": "fF7", "t": "fF", "G": "6", "g": "9"}  # both cases of a letter: EIP-55 decides
# Characters OCR reads as another that can be in the address too: only the checksum can tell.
_LOOKALIKES = {
    "q": "ga9",
    "g": "q9",
    "9": "gq",
    "a": "q",
    "5": "sS",
    "s": "5",
    "S": "5",
    "z": "2",
    "Z": "2",
    "2": "zZ",
    "u": "v",
    "v": "uU",
    "U": "v",
    "c": "eo",
    "e": "c",
    "o": "c",
    "n": "mh",
    "m": "n",
    "h": "n",
    "i": "j1",
    "j": "i",
    "1": "i",
    "B": "8",
    "8": "B",
    "G": "6",
    "6": "Gb",
    "b": "6",
    "t": "f",
    "f": "t",
}
_CASES = set("cCkKoOpPsSuUvVwWxXzZ")  # letters whose two cases look alike on a screen
_PIECE = re.compile(r"(?:[^\W_]|[|!])+")
_MAX_SPELLINGS = 12_000  # per reading: about 65 ms at most, only for text that looks like an address


@dataclass(frozen=True)
class Repaired:
    """An address found by correcting what OCR read: where it is in the text, the address, and
    what was changed ("O→0", "L left out", "a line break in it removed")."""

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
        for count in (1, 2, 3, 4):  # an address wrapped over at most four lines of a bubble
            group = pieces[index : index + count]
            if len(group) < count or any(
                text[a.end() : b.start()] not in (" ", "\n") for a, b in itertools.pairwise(group)
            ):
                break
            joined = "".join(piece.group(0) for piece in group)
            found = _checked(joined) if 26 <= len(joined) <= 66 else None
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
    if sum(c.isdigit() for c in text) < 2:
        return None  # real addresses have digits in them; words joined together do not
    if lowered.startswith(_BECH32_PREFIXES):
        return _bech32(text)
    if len(text) <= 37:
        return _base58(text)
    return None


# ---- Ethereum ---------------------------------------------------------------------------------


def _ethereum(text: str) -> tuple[Wallet, list[str]] | None:
    """0x and 40 hex digits in mixed case: only characters that cannot be in the address are
    corrected (or, one of them, left out), and only when the EIP-55 checksum then matches for
    exactly one spelling; an address in one case has no checksum to prove a correction."""
    choices: list[tuple[str, ...]] = []
    stray = 0
    for char in text[2:]:
        if char in _HEX:
            choices.append((char,))
        elif char in _HEX_FIXES:
            choices.append(tuple(_HEX_FIXES[char]))
        else:
            stray += 1
            choices.append(("",))
    if stray > 1 or len(choices) - stray != 40:
        return None
    found = _unique(
        ("".join(s) for s in itertools.product(*choices)),
        lambda spelling: _verified(recognise_wallet("0x" + spelling)),
    )
    if found is None:
        return None
    fixes = set(_differences(text[2:], found.address[2:]))
    if text[0] != "0":
        fixes.add(f"{text[0]}→0")
    return found, sorted(fixes)


# ---- Bech32 and Base58Check ---------------------------------------------------------------------


def _bech32(text: str) -> tuple[Wallet, list[str]] | None:
    hrp = "bc" if text.lower().startswith("b") else "ltc"
    prefix = text[: len(hrp) + 1]
    data = text[len(hrp) + 1 :].lower()
    start = "".join(_BECH32_FIXES.get(c, c) for c in data)
    if any(c not in _BECH32 for c in start):
        return None

    def check(spelling: str) -> Wallet | None:
        return _verified(recognise_wallet(f"{hrp}1{spelling}")) if len(spelling) in (39, 59) else None

    found = _search(start, _BECH32, check)
    if found is None:
        return None
    fixes = _differences(text[len(hrp) + 1 :], found.address[len(hrp) + 1 :])
    if prefix.lower() != f"{hrp}1":
        fixes.append(f"{prefix}→{hrp}1")
    return found, sorted(fixes)


def _base58(text: str) -> tuple[Wallet, list[str]] | None:
    start = "".join(_B58_FIXES.get(c, c) for c in text)
    unreadable = [i for i, c in enumerate(start) if c not in _B58]
    if len(unreadable) > 1:
        return None
    # one character OCR could not read at all (é for 6): each character is tried in its place
    at = unreadable[0] if unreadable else 0
    starts = [start[:at] + c + start[at + 1 :] for c in _B58] if unreadable else [start]

    def check(spelling: str) -> Wallet | None:
        return _verified(recognise_wallet(spelling)) if 26 <= len(spelling) <= 35 else None

    found = None
    for first in starts:
        found = _search(first, _B58, check, cases=True, depth=1 if unreadable else 2)
        if found is not None:
            break
    if found is None:
        return None
    return found, _differences(text, found.address)


def _search(
    start: str, alphabet: str, check: Callable[[str], Wallet | None], *, cases: bool = False, depth: int = 2
) -> Wallet | None:
    """The one address `check` accepts among `start` and its spellings at most `depth` small edits
    away (nearest first), or None when there is none or more than one at the nearest distance."""
    level = [start]
    seen = {start}
    for distance in range(depth + 1):
        passing = _passing(level, check)
        if passing:
            return passing[0] if len(passing) == 1 else None
        if distance == depth:
            return None
        following = []
        for spelling in level:
            for edited in _edits(spelling, alphabet, cases):
                if edited not in seen:
                    seen.add(edited)
                    following.append(edited)
            if len(following) > _MAX_SPELLINGS:
                return None
        level = following
    return None


def _edits(spelling: str, alphabet: str, cases: bool) -> Iterable[str]:
    """Every spelling one small OCR mistake away: a character left out, a look-alike swapped, or
    (Base58) a letter whose cases look alike in the other case."""
    for index, char in enumerate(spelling):
        before, after = spelling[:index], spelling[index + 1 :]
        yield before + after
        for other in _LOOKALIKES.get(char, ""):
            if other in alphabet:
                yield before + other + after
        if cases and char in _CASES and char.swapcase() in alphabet:
            yield before + char.swapcase() + after


def _unique(spellings: Iterable[str], check: Callable[[str], Wallet | None]) -> Wallet | None:
    passing = _passing(spellings, check)
    return passing[0] if len(passing) == 1 else None


def _passing(spellings: Iterable[str], check: Callable[[str], Wallet | None]) -> list[Wallet]:
    """The distinct addresses among `spellings` that pass (two are enough to know it is not one)."""
    found: dict[str, Wallet] = {}
    for spelling in spellings:
        wallet = check(spelling)
        if wallet is not None:
            found[wallet.address] = wallet
            if len(found) > 1:
                break
    return list(found.values())


def _verified(wallet: Wallet | None) -> Wallet | None:
    return wallet if wallet is not None and wallet.checksum_verified else None


def _differences(read: str, address: str) -> list[str]:
    """What was changed to make `address` from `read`: "O→0", "x→X", "L left out"."""
    out = set()
    matcher = difflib.SequenceMatcher(None, read, address, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "replace":
            out.add(f"{read[a1:a2]}→{address[b1:b2]}")
        elif op == "delete":
            out.add(f"{read[a1:a2]} left out")
        elif op == "insert":
            out.add(f"{address[b1:b2]} added")
    return sorted(out)
