"""Bech32 (BIP 173) and Bech32m (BIP 350): the checksummed text of age keys and of some wallets.

One copy for both users: handover/ reads `age1…` and `AGE-SECRET-KEY-1…` keys (Bech32), story/
recognises `bc1…` and `ltc1…` wallet addresses (Bech32 or Bech32m). It sits in the case layer, the
lowest both can import.
"""

from __future__ import annotations

BECH32, BECH32M = 1, 0x2BC830A3  # what the checksum of a valid string comes to, by kind
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATORS):
            if (top >> i) & 1:
                check ^= generator
    return check


def _parts(text: str, kinds: tuple[int, ...]) -> tuple[str, list[int]] | None:
    """(human-readable part, 5-bit values before the checksum), or None if not valid as `kinds`."""
    if text.lower() != text and text.upper() != text:
        return None  # mixed case is never valid
    text = text.lower()
    hrp, _, data = text.rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _CHARSET for c in data):
        return None
    values = [_CHARSET.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    if _polymod(expanded + values) not in kinds:
        return None
    return hrp, values[:-6]


def hrp_of(text: str, kinds: tuple[int, ...] = (BECH32, BECH32M)) -> str | None:
    """The human-readable part of a valid string (e.g. "bc"), else None."""
    parts = _parts(text, kinds)
    return parts[0] if parts else None


def decode(text: str) -> tuple[str, bytes]:
    """(human-readable part, data bytes) of a Bech32 string; ValueError if it is not one."""
    parts = _parts(text, (BECH32,))
    if parts is None:
        raise ValueError("not a valid bech32 string")
    hrp, values = parts
    acc = bits = 0
    out = bytearray()
    for value in values:
        acc = (acc << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc & ((1 << bits) - 1)):
        raise ValueError("bad padding")
    return hrp, bytes(out)


__all__ = ["BECH32", "BECH32M", "decode", "hrp_of"]
