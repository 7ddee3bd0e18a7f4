"""Recognising payment details by their own check digits: crypto addresses, transaction hashes, IBANs.

Bitcoin, Litecoin, Dogecoin and Tron addresses carry a checksum (Base58Check or Bech32/Bech32m), and
an IBAN carries two check digits (ISO 13616, mod 97). Checking them catches a wrong or incomplete
copy at once, while the victim can still look again, and keeps random words from being suggested as
wallets. Ethereum-style addresses (0x + 40 hex digits) and Monero addresses are recognised by shape
only: their checksums need Keccak, which Python's standard library does not have.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from evidencekit.case import bech32

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}

# Base58Check version byte → (network, currency code)
_B58_VERSIONS = {
    0x00: ("Bitcoin", "BTC"),
    0x05: ("Bitcoin", "BTC"),
    0x30: ("Litecoin", "LTC"),
    0x32: ("Litecoin", "LTC"),
    0x1E: ("Dogecoin", "DOGE"),
    0x16: ("Dogecoin", "DOGE"),
    0x41: ("Tron", "TRX"),
}
_BECH32_HRPS = {"bc": ("Bitcoin", "BTC"), "ltc": ("Litecoin", "LTC")}

WALLET_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])("
    r"(?:bc1|ltc1)[ac-hj-np-z02-9]{11,87}"  # Bech32 / Bech32m (lower case)
    r"|0x[0-9a-fA-F]{40}(?![0-9a-fA-F])"  # Ethereum and other EVM chains
    r"|[13LMD][1-9A-HJ-NP-Za-km-z]{25,34}"  # Base58Check (Bitcoin, Litecoin, Dogecoin)
    r"|T[1-9A-HJ-NP-Za-km-z]{33}"  # Tron
    r"|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}"  # Monero
    r")(?![0-9A-Za-z])"
)
TX_PATTERN = re.compile(r"(?<![0-9A-Za-z])((?:0x)?[0-9a-fA-F]{64})(?![0-9A-Za-z])")
IBAN_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![A-Za-z0-9])"
)


@dataclass(frozen=True)
class Wallet:
    """A recognised address: its network, currency code, and whether a checksum confirmed it."""

    address: str
    network: str
    currency: str | None
    checksum_verified: bool


def _b58decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        index = _B58_INDEX.get(char)
        if index is None:
            return None
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _base58check(text: str) -> int | None:
    """The version byte of a valid 25-byte Base58Check address, else None."""
    raw = _b58decode(text)
    if raw is None or len(raw) != 25:
        return None
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return raw[0] if check == raw[-4:] else None


def recognise_wallet(text: str) -> Wallet | None:
    """What kind of crypto address `text` is, or None when it is not one we recognise."""
    address = text.strip()
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", address):
        return Wallet(address, "Ethereum or another EVM chain", None, False)
    if re.fullmatch(r"4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}", address):
        return Wallet(address, "Monero", "XMR", False)
    hrp = bech32.hrp_of(address) if re.fullmatch(r"(?i)(bc1|ltc1)[0-9a-z]{11,87}", address) else None
    if hrp in _BECH32_HRPS:
        network, currency = _BECH32_HRPS[hrp]
        return Wallet(address, network, currency, True)
    version = _base58check(address) if 26 <= len(address) <= 35 else None
    if version in _B58_VERSIONS:
        network, currency = _B58_VERSIONS[version]
        return Wallet(address, network, currency, True)
    return None


def looks_like_tx_hash(text: str) -> bool:
    """64 hex digits (Bitcoin-style), optionally with 0x (Ethereum-style)."""
    return re.fullmatch(r"(?:0x)?[0-9a-fA-F]{64}", text.strip()) is not None


def iban_valid(text: str) -> bool:
    """ISO 13616 check digits (mod 97) of an IBAN, spaces allowed."""
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def compact_iban(text: str) -> str:
    return re.sub(r"\s", "", text).upper()
