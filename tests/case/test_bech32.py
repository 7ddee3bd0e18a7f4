"""Bech32 and Bech32m, by the test vectors of BIP 173 and BIP 350: one copy for age keys and wallets."""

from __future__ import annotations

import pytest

from evidencekit.case import bech32

BECH32_VALID = ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "?1ezyfcl"]
BECH32M_VALID = ["A1LQFN3A", "a1lqfn3a", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx"]
INVALID = [
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty human-readable part
    "x1b4n0q5v",  # a character outside the alphabet
    "li1dgmt3",  # checksum too short
    "A1G7SGD8",  # checksum made with capitals
    "a12UEL5L",  # mixed case
]


@pytest.mark.parametrize("text", BECH32_VALID)
def test_bech32_strings_are_read(text):
    assert bech32.hrp_of(text) == text.lower().rpartition("1")[0]
    assert bech32.hrp_of(text, (bech32.BECH32,)) is not None


@pytest.mark.parametrize("text", BECH32M_VALID)
def test_bech32m_strings_are_read_only_where_allowed(text):
    assert bech32.hrp_of(text) is not None  # wallets: either kind
    assert bech32.hrp_of(text, (bech32.BECH32,)) is None  # age keys: Bech32 only
    with pytest.raises(ValueError):
        bech32.decode(text)


@pytest.mark.parametrize("text", INVALID)
def test_anything_else_is_refused(text):
    assert bech32.hrp_of(text) is None
    with pytest.raises(ValueError):
        bech32.decode(text)


def test_an_age_key_decodes_to_its_32_bytes():
    hrp, data = bech32.decode("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
    assert hrp == "age" and len(data) == 32
