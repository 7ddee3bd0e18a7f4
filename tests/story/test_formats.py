"""Payment details recognised by their own check digits (crypto addresses, IBANs)."""

from __future__ import annotations

import pytest

from evidencekit.story.formats import iban_valid, looks_like_tx_hash, recognise_wallet


@pytest.mark.parametrize(
    ("address", "network", "verified"),
    [
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin", True),  # Bech32 (segwit v0)
        ("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "Bitcoin", True),  # Bech32m
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Bitcoin", True),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "Bitcoin", True),
        ("LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz", "Litecoin", True),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "Ethereum or another EVM chain", False),
        ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "Tron", True),
    ],
)
def test_known_addresses_are_recognised(address, network, verified):
    wallet = recognise_wallet(address)
    assert wallet is not None and wallet.network == network and wallet.checksum_verified is verified


@pytest.mark.parametrize(
    "address",
    [
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",  # last character mistyped
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
        "0x52908400098527886E0F7030069857D2E4169EE",  # one digit short
        "hello-world",
        "",
    ],
)
def test_a_mistyped_or_partial_address_is_not_recognised(address):
    assert recognise_wallet(address) is None


def test_ibans_are_checked_with_their_check_digits():
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82 WEST 1234 5698 7654 33")
    assert not iban_valid("GB82")


def test_transaction_hashes_have_64_hex_digits():
    assert looks_like_tx_hash("a" * 64) and looks_like_tx_hash("0x" + "B" * 64)
    assert not looks_like_tx_hash("a" * 63) and not looks_like_tx_hash("g" * 64)
