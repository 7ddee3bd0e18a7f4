"""Recognising payment details by their own check digits: crypto addresses, transaction hashes, IBANs.

Bitcoin, Litecoin, Dogecoin and Tron addresses carry a checksum (Base58Check or Bech32/Bech32m), and
an IBAN carries two check digits (ISO 13616, mod 97). Checking them catches a wrong or incomplete
copy at once, while the victim can still look again, and keeps random words from being suggested as
wallets. An Ethereum-style address (0x + 40 hex digits, also used by BNB Chain, Polygon and USDT on
them) carries its checksum in the case of its letters (EIP-55, Keccak-256 from pycryptodome): mixed
case must match it; all lower or all upper case is valid but unchecked. Monero addresses are
recognised by shape only.
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
        checked = eip55_status(address)
        if checked == "wrong":
            return None
        return Wallet(address, "Ethereum or another EVM chain", None, checked == "matches")
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


def eip55_checksum(address: str) -> str:
    """The EIP-55 spelling of an Ethereum address: each letter upper case where the Keccak-256 of
    the lower-case address has a nibble of 8 or more at its place."""
    from Crypto.Hash import keccak

    hexdigits = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hexdigits.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexdigits)
    )


def eip55_status(address: str) -> str:
    """ "matches" (mixed case, checksum right), "unchecked" (all one case: valid, no checksum) or
    "wrong" (mixed case that is not the checksum: a letter was mistyped or misread)."""
    letters = [c for c in address[2:] if c.isalpha()]
    if all(c.islower() for c in letters) or all(c.isupper() for c in letters):
        return "unchecked"
    return "matches" if eip55_checksum(address) == address else "wrong"


def wallet_key(wallet: Wallet) -> str:
    """The spelling two copies of one address share: Bech32 and Ethereum addresses are the same in
    any case; Base58 addresses (Bitcoin 1…/3…, Tron, Litecoin L…/M…) are not."""
    address = wallet.address
    if address.lower().startswith(("0x", "bc1", "ltc1")):
        return address.lower()
    return address


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
