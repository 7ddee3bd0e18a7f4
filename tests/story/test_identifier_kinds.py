"""Each kind of identifier an offender gives away is found when it is right and left alone when its
check digits, shape or context say it is not: a detective would rather have no suggestion than a
wallet that is one character off."""

from __future__ import annotations

import pytest

from evidencekit.story.formats import eip55_checksum, eip55_status, recognise_wallet
from evidencekit.story.identifiers import find_identifiers
from evidencekit.story.phones import normalise


def found(text: str, region: str | None = None) -> list[tuple[str, str, str]]:
    return [(f.kind, f.value, f.key) for f in find_identifiers(text, region)]


def kinds(text: str, region: str | None = None) -> set[str]:
    return {f.kind for f in find_identifiers(text, region)}


# ---- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["+44 7700 900123", "0044 7700 900123", "+44 (0)7700 900123", "07700 900123", "07700-900-123"],
)
def test_every_spelling_of_a_uk_mobile_number_is_one_number_in_a_gb_case(written):
    assert found(f"call me {written} tonight", "GB") == [("phone", written, "+447700900123")]


def test_without_the_cases_country_only_numbers_with_their_country_code_are_normalised():
    assert found("text +1 212 555 0147")[0][2] == "+12125550147"
    assert found("text 07700 900123") == [("phone", "07700 900123", "07700900123")]


def test_the_cases_country_reads_its_own_national_numbers():
    assert normalise("(212) 555-0147", "US").key == "+12125550147"
    assert normalise("0412 345 678", "AU").key == "+61412345678"


@pytest.mark.parametrize("text", ["+999 1234 5678", "+44 12", "meet 21:07 on 14.03.2026", "paid 1,250.50"])
def test_what_is_no_phone_number_is_not_one(text):
    assert "phone" not in kinds(text, "GB")


# ---- crypto ----------------------------------------------------------------------------------

EIP55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # the example in EIP-55 itself


def test_an_ethereum_address_in_mixed_case_must_match_its_eip55_checksum():
    assert eip55_checksum(EIP55.lower()) == EIP55
    assert eip55_status(EIP55) == "matches"
    one_letter_off = EIP55.replace("aAeb", "aaeb")
    assert eip55_status(one_letter_off) == "wrong"
    assert recognise_wallet(one_letter_off) is None
    assert found(f"send to {one_letter_off}") == []
    [wallet] = find_identifiers(f"send USDT to {EIP55}")
    assert wallet.checked == "EIP-55 checksum matches" and wallet.key == EIP55.lower()


@pytest.mark.parametrize("address", [EIP55.lower(), "0x" + EIP55[2:].upper()])
def test_an_ethereum_address_in_one_case_is_valid_but_unchecked(address):
    wallet = recognise_wallet(address)
    assert wallet is not None and not wallet.checksum_verified
    [item] = find_identifiers(address)
    assert "without a checksum" in (item.checked or "")


def test_two_spellings_of_one_ethereum_address_are_one_wallet():
    assert {f.key for f in find_identifiers(f"{EIP55} or {EIP55.lower()}")} == {EIP55.lower()}


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Bitcoin"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "Bitcoin"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
        ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "Tron"),
        ("LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1", "Litecoin"),
        ("ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea", "Litecoin"),
        ("DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", "Dogecoin"),
    ],
)
def test_each_coin_victims_are_asked_for_is_recognised_by_its_checksum(address, network):
    wallet = recognise_wallet(address)
    assert wallet is not None and wallet.network == network and wallet.checksum_verified
    broken = address[:-1] + ("2" if address[-1] != "2" else "3")
    assert recognise_wallet(broken) is None
    assert "wallet" not in kinds(f"pay {broken}")


@pytest.mark.parametrize(
    ("read", "fixes"),
    [
        ("bc1qarOsrrr7xfkvy51643lydnw9re5 9gtzzwf5mdq", "1→l, O→0, a line break in it removed"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", None),  # read right: nothing to correct
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", None),
        # what Tesseract read in bench/ocr.py's screenshots: c as e, l as "!1", O for 0
        ("be1qarOsrrr7xfkvy5!1643lydnw9re5 9gtzzwf5mdq", "be1→bc1"),
        ("Ox5aAeb6053F3E94C9b9A09f33 669435E7EfiBeAed", "O→0, i→1, a line break in it removed"),
        # and at iPhone size (bench/ocr.py --scale 3): q as g, f as T
        ("bc1garOsrrr7xfkvy5l643lydnw9re5 9gtzzwf5mdq", "g→q"),
        ("Ox5aAeb6053F3E94C9b9A09T33 669435E7Ef1BeAed", "T→f"),
        (
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"[:20] + "\n" + "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"[20:],
            "line break",
        ),
    ],
)
def test_an_address_misread_by_ocr_is_put_right_only_where_its_checksum_proves_it(read, fixes):
    [wallet] = [f for f in find_identifiers(f"send to {read} now", ocr=True) if f.kind == "wallet"]
    assert wallet.value in (
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        EIP55,
    )
    if fixes is None:
        assert wallet.checked == "checksum matches"
    else:
        assert fixes in (wallet.checked or "") and "compare it with the picture" in (wallet.checked or "")


def test_ocr_corrections_are_never_made_in_typed_text_nor_when_no_spelling_passes():
    assert "wallet" not in kinds("send to bc1qarOsrrr7xfkvy51643lydnw9re5 9gtzzwf5mdq")  # typed, not read
    assert "wallet" not in {
        f.kind for f in find_identifiers("bc1qarOsrrr7xfkvy51643lydnw9re59gtzzwf5mdr", ocr=True)
    }
    assert "wallet" not in {f.kind for f in find_identifiers("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", ocr=True)}
    # three characters read as other valid ones: more than two small edits are never tried
    assert "wallet" not in {
        f.kind for f in find_identifiers("bc1gar0srrr7xfkvy5l643lydnw9re59gtzzwfsmdg", ocr=True)
    }
    # an Ethereum address in one case has no checksum to prove a correction with
    assert "wallet" not in {f.kind for f in find_identifiers("Ox" + EIP55[2:].lower(), ocr=True)}
    assert "wallet" not in {
        f.kind for f in find_identifiers("Ox5aAeb6053F3E94C9b9A09f33669435E7EfiBeAeD", ocr=True)
    }


# ---- bank details ----------------------------------------------------------------------------


def test_an_iban_with_right_check_digits_is_found_and_a_mistyped_one_is_not():
    assert kinds("IBAN GB29 NWBK 6016 1331 9268 19") == {"iban"}
    assert "iban" not in kinds("IBAN GB29 NWBK 6016 1331 9268 18")


def test_a_sort_code_and_account_number_are_one_bank_account():
    [(kind, value, key)] = found("bank transfer: sort code 20-00-00, account no. 55779911, name J Smith")
    assert (kind, key) == ("bank-account", "200000:55779911")
    assert value == "sort code 20-00-00, account 55779911"
    assert found("sort code 200000 acc 55779911")[0][2] == "200000:55779911"
    assert found("account 55779911, sort code 20-00-00")[0][2] == "200000:55779911"


def test_a_date_or_a_sort_code_without_an_account_is_not_a_bank_account():
    assert "bank-account" not in kinds("my account was made on 14-03-26")
    assert "bank-account" not in kinds("sort code 20-00-00")
    assert "bank-account" not in kinds("we met 20-00-00 55779911")  # nothing says bank


# ---- gift cards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "brand", "code"),
    [
        ("buy a steam card and send me the code 7HQ2R-9XK4M-2P8LD", "Steam", "7HQ2R9XK4M2P8LD"),
        ("or steam card 7HQ2R-9XK4M- 2P8LD", "Steam", "7HQ2R9XK4M2P8LD"),  # wrapped after a hyphen
        ("Apple gift card X7K2 9Q4M 3RT8 W2N6", "Apple", "X7K29Q4M3RT8W2N6"),
        ("itunes code XJ4K2M9Q3RT8W2N6 now", "Apple", "XJ4K2M9Q3RT8W2N6"),
        ("google play card 4K2M-9Q3R-T8W2-N6PB-7HX3", "Google Play", "4K2M9Q3RT8W2N6PB7HX3"),
        ("amazon gift card AQ3K-7R2P4G-M9W8", "Amazon", "AQ3K7R2P4GM9W8"),
    ],
)
def test_a_gift_card_code_is_found_with_its_brand(text, brand, code):
    [card] = find_identifiers(text)
    assert (card.kind, card.detail, card.name) == ("gift-card", brand, code)
    assert card.key == f"{brand}:{code}"


@pytest.mark.parametrize(
    "text",
    [
        "your order 7HQ2R-9XK4M-2P8LD has shipped",  # the shape, but no brand named
        "steam: ABCDE-FGHIJ-KLMNO",  # no digits: not a code
        "amazon parcel 1234-567890-1234",  # digits only: an order number
    ],
)
def test_a_code_shape_without_its_brand_or_mixed_characters_is_not_a_gift_card(text):
    assert "gift-card" not in kinds(text)


# ---- amounts, payment handles, MTCN ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("send £500 now", "500 GBP"),
        ("500 GBP or else", "500 GBP"),
        ("$1,200 by friday", "1200 $"),
        ("0.05 BTC to my wallet", "0.05 BTC"),
        ("€ 300 today", "300 EUR"),
        ("i want 2k pounds", "2000 GBP"),
        ("200 usdt", "200 USDT"),
    ],
)
def test_an_amount_is_found_with_its_currency(text, key):
    [amount] = [f for f in find_identifiers(text) if f.kind == "amount"]
    assert amount.key == key


def test_the_same_amount_written_two_ways_is_one_amount():
    assert {f.key for f in find_identifiers("£500. I said 500 GBP. 500 pounds!")} == {"500 GBP"}


@pytest.mark.parametrize("text", ["I am 16", "see you at 5", "room 500", "give me 5 minutes"])
def test_a_number_without_a_currency_is_no_amount(text):
    assert "amount" not in kinds(text)


def test_venmo_handles_only_where_venmo_is_named():
    [handle] = find_identifiers("send it on venmo to @Jake-Miller22")
    assert (handle.kind, handle.platform, handle.key) == ("payment-handle", "Venmo", "venmo:jake-miller22")
    assert kinds("add me @jake_miller22") == {"handle"}


def test_cash_app_cashtags_and_paypal_links():
    assert kinds("cashapp $jakem22") == {"cashtag"}
    assert kinds("pay me at paypal.me/jakem22") == {"payment-link"}


def test_a_western_union_tracking_number_needs_its_name_beside_it():
    [mtcn] = find_identifiers("sent by Western Union, MTCN 123-456-7890")
    assert (mtcn.kind, mtcn.key) == ("mtcn", "1234567890")
    assert "mtcn" not in kinds("call 123-456-7890")


# ---- what the person sees ----------------------------------------------------------------------


def test_suggest_shows_each_demand_once_with_the_command_to_record_it_and_json_keeps_every_place(
    tmp_path, cli
):
    import json

    from evidencekit.case.case import create_case
    from tests.synthetic import add_chat_export, message

    case = create_case(tmp_path / "case", collector="Sam Helper", zone_name="Europe/London", country="GB")
    add_chat_export(
        case,
        tmp_path / "export",
        [
            message(1, "pay £500 by tonight, sort code 20-00-00 account 55779911", sender="Jake"),
            message(2, "or 500 GBP in a steam card: 7HQ2R-9XK4M-2P8LD. call 07700 900123", sender="Jake"),
            message(3, "ok, my number is +44 7700 900123?", sender="Jake"),
        ],
    )
    env = {"EVIDENCEKIT_CASE": str(case.root)}

    shown = cli("suggest", env=env)

    assert shown.exit_code == 0, shown.stderr
    text = shown.stdout
    assert text.count("+447700900123 in full") == 1
    assert "payment add --method bank --account 'sort code 20-00-00, account 55779911'" in text
    assert "payment add --method gift-card --brand Steam --reference 7HQ2R-9XK4M-2P8LD" in text
    assert "--amount 500 --currency GBP" in text and "replace METHOD" in text
    as_json = json.loads(cli("suggest", "--json", env=env).stdout)
    by_kind = {s["kind"]: s for s in as_json["suggestions"]}
    assert by_kind["phone"]["count"] == 2 and [p["seq"] for p in by_kind["phone"]["places"]] == [2, 3]
    assert by_kind["phone"]["first_time"] < by_kind["phone"]["last_time"]
    assert by_kind["amount"]["count"] == 2 and by_kind["amount"]["detail"] == "GBP"
    assert (
        by_kind["phone"]["places"][0]["box"] is None and by_kind["phone"]["checked"] == "normalised to E.164"
    )
