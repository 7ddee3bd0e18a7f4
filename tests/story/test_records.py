"""Recording the story: offender accounts, payments, notes and actions, each logged and verifiable."""

from __future__ import annotations

import json

import pytest

from evidencekit.case.jsonlines import canonical_json
from evidencekit.errors import CaseSealedError, InvalidUrlError, InvalidValueError
from evidencekit.story import add_action, add_note, add_offender, add_payment
from evidencekit.story.records import record_sha256
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


def lines(case, name):
    return [
        json.loads(line)
        for line in (case.root / "evidencekit" / name).read_text(encoding="utf-8").splitlines()
    ]


def logged(case, action):
    return [e for e in case.custody_entries() if e["action"] == action]


# ---- offenders -----------------------------------------------------------------------------------


def test_a_helper_records_the_offenders_instagram_account(case):
    result = add_offender(
        case,
        platform="instagram",
        username="@bad.actor",
        user_id="17841400000000001",
        profile_url="https://www.instagram.com/bad.actor/",
        display_name="Alex ❤",
        note="the account that sent the threats",
    )

    record = result.record
    assert record["id"] == "O0001" and record["platform"] == "Instagram"
    assert record["username"] == "bad.actor"  # the @ is not part of the name
    assert record["profile_url_normalised"] == "https://www.instagram.com/bad.actor/"
    assert record["recorded_by"] == "Sam Helper" and record["recorded_at"].endswith("Z")
    assert not result.warnings
    stored = (case.root / "evidencekit/offenders.jsonl").read_text(encoding="utf-8")
    assert stored == canonical_json(record) + "\n"
    entry = logged(case, "offender-added")[0]
    assert entry["details"]["id"] == "O0001"
    assert entry["details"]["record_sha256"] == record_sha256(record)
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_a_display_name_alone_is_kept_but_called_weak(case):
    result = add_offender(case, platform="Snapchat", display_name="  Alex   ❤ ")
    assert result.record["display_name"] == "Alex ❤"
    assert any("display name alone is weak" in w for w in result.warnings)


def test_a_username_without_a_stable_id_gets_a_gentle_note(case):
    result = add_offender(case, platform="TikTok", username="bad.actor")
    assert not result.warnings
    assert any("Usernames can be changed" in n for n in result.notes)


def test_the_same_account_twice_is_not_recorded_twice(case):
    first = add_offender(case, platform="Instagram", username="bad.actor", user_id="42")
    again = add_offender(case, platform="instagram", username="bad.actor")
    assert again.record is None and again.duplicate_of == first.record["id"]
    other = add_offender(case, platform="Instagram", username="bad.actor", phone="+44 7700 900123")
    assert other.record["id"] == "O0002"
    assert any("O0001 has the same username" in n for n in other.notes)
    assert len(lines(case, "offenders.jsonl")) == 2


def test_phone_numbers_are_normalised_and_a_missing_country_code_is_pointed_out(case):
    result = add_offender(case, platform="WhatsApp", phone="07700 900123")
    assert result.record["phone"] == "07700 900123" and result.record["phone_normalised"] == "07700900123"
    assert any("country code" in n for n in result.notes)
    international = add_offender(case, platform="WhatsApp", phone="0044 (7700) 900-124")
    assert international.record["phone_normalised"] == "+447700900124"


def test_a_profile_link_on_another_platform_is_questioned(case):
    result = add_offender(case, platform="Facebook", profile_url="https://www.instagram.com/bad.actor/")
    assert any("on Instagram" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "Nothing identifies this account"),
        ({"username": "Alex Smith"}, "probably the name shown on screen"),
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"phone": "call me"}, "does not look like a phone number"),
        ({"phone": "123"}, "phone numbers have between 5 and 15"),
        ({"user_id": "12 34"}, "no spaces"),
        ({"username": "ok", "seen_in": ["E0009"]}, "no item or web address called"),
        ({"display_name": "bad\x1bname"}, "invisible control characters"),
    ],
)
def test_unusable_offender_details_are_refused_and_nothing_is_written(case, fields, words):
    before = case.custody_entries()
    with pytest.raises(InvalidValueError) as error:
        add_offender(case, platform="Instagram", **fields)
    assert words in error.value.message and error.value.hint
    assert case.custody_entries() == before
    assert not (case.root / "evidencekit/offenders.jsonl").exists()


def test_a_bad_profile_link_is_refused(case):
    with pytest.raises(InvalidUrlError):
        add_offender(case, platform="Instagram", profile_url="javascript:alert(1)")


def test_seen_in_must_name_an_item_or_url_of_the_case(case, evidence):
    from evidencekit.intake.files import capture
    from evidencekit.intake.urls import add_url

    capture(case, [evidence / "chat.txt"])
    add_url(case, "https://t.me/bad_actor")
    record = add_offender(case, platform="Telegram", username="bad_actor", seen_in=["e0001", "U0001"]).record
    assert record["seen_in"] == ["E0001", "U0001"]


# ---- payments ------------------------------------------------------------------------------------


def test_a_paid_crypto_payment_is_recorded_with_the_advice_to_call_the_bank(case):
    result = add_payment(
        case,
        method="crypto",
        wallet="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        tx="f" * 64,
        amount="0.0125",
        currency="btc",
        paid=True,
        at="2026-03-14 22:15",
    )
    record = result.record
    assert record["id"] == "P0001" and record["paid"] is True
    assert record["amount"] == "0.0125" and record["currency"] == "BTC"
    assert record["wallet_network"] == "Bitcoin"
    assert record["at"] == "2026-03-14T22:15:00+00:00" and record["at_zone_assumed"] == "Europe/London"
    assert not result.warnings
    advice = " ".join(result.advice)
    assert "don't pay more" in advice and "call your bank" in advice and "cannot be reversed" in advice
    assert logged(case, "payment-added")[0]["details"]["record_sha256"] == record_sha256(record)
    assert verify_case(case.root).ok


def test_a_demand_not_paid_gets_the_advice_not_to_pay(case):
    result = add_payment(case, method="gift-card", brand="Steam", amount="£1,250.50", reference="XXXX-1234")
    assert result.record["paid"] is False
    assert result.record["amount"] == "1250.50" and result.record["currency"] == "GBP"
    assert any(line.startswith("Don't pay") for line in result.advice)
    assert not any("call your bank" in line for line in result.advice)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"method": "western-union", "payee": "x"}, "not a payment method"),
        ({"method": "bank"}, "Nothing says where the money"),
        ({"method": "bank", "amount": "250"}, "no currency"),
        ({"method": "bank", "amount": "$250"}, "sign of several currencies"),
        ({"method": "bank", "amount": "-5", "currency": "GBP"}, "not an amount"),
        ({"method": "bank", "amount": "0", "currency": "GBP"}, "more than zero"),
        ({"method": "bank", "amount": "1.250,00", "currency": "EUR"}, "not an amount"),
        ({"method": "bank", "amount": "€5", "currency": "GBP"}, "says EUR but --currency says GBP"),
        ({"method": "bank", "payee": "x", "currency": "pounds!"}, "not a currency code"),
        ({"method": "crypto", "wallet": "bc1q abc"}, "no spaces"),
        ({"method": "bank", "payee": "x", "at": "14/03/2026 10:00"}, "two different days"),
    ],
)
def test_unusable_payment_details_are_refused(case, fields, words):
    with pytest.raises(InvalidValueError) as error:
        add_payment(case, **fields)
    assert words in error.value.message
    assert not (case.root / "evidencekit/payments.jsonl").exists()


def test_a_mistyped_iban_or_wallet_is_kept_but_questioned(case):
    result = add_payment(
        case, method="bank", account="GB82 WEST 1234 5698 7654 33", wallet="bc1qnotarealaddress", payee="J"
    )
    assert result.record is not None
    assert any("IBAN" in w for w in result.warnings)
    assert any("wallet address does not look like" in w for w in result.warnings)


def test_the_same_payment_twice_is_recorded_once(case):
    first = add_payment(
        case, method="paypal", payee="alexreal", amount="500", currency="GBP", at="2026-03-14 22:00"
    )
    again = add_payment(
        case, method="paypal", payee="alexreal", amount="500", currency="GBP", at="2026-03-14 22:00"
    )
    assert again.duplicate_of == first.record["id"]
    later = add_payment(
        case, method="paypal", payee="alexreal", amount="500", currency="GBP", at="2026-03-15 22:00"
    )
    assert later.record["id"] == "P0002"


# ---- notes ---------------------------------------------------------------------------------------


def test_a_note_keeps_when_it_happened_and_when_it_was_written(case):
    result = add_note(
        case, "He said he would send it to my family.\r\nThen he asked for £500.", at="2026-03-14 21:10"
    )
    record = result.record
    assert record["text"] == "He said he would send it to my family.\nThen he asked for £500."
    assert record["at"] == "2026-03-14T21:10:00+00:00" and record["at_as_written"] == "2026-03-14 21:10"
    assert record["recorded_at"].startswith("2026-") and record["recorded_at"] != record["at"]
    assert add_note(case, record["text"], at="2026-03-14 21:10").duplicate_of == "N0001"
    with pytest.raises(InvalidValueError):
        add_note(case, "   ")


# ---- actions: the contract the `guide` command reads ----------------------------------------------


def test_actions_follow_the_agreed_schema_exactly(case):
    add_action(
        case, "police", to="Metropolitan Police", ref="CAD-1234-26", at="2026-03-15 10:30", note="PC Smith"
    )
    add_action(case, "Blocked")
    records = lines(case, "actions.jsonl")
    assert [set(r) for r in records] == [
        {"id", "action", "to", "ref", "at", "note", "recorded_at", "recorded_at_local", "recorded_by"}
    ] * 2
    police, blocked = records
    assert police["id"] == "A0001" and police["action"] == "police" and police["ref"] == "CAD-1234-26"
    assert police["at"] == "2026-03-15T10:30:00+00:00" and police["to"] == "Metropolitan Police"
    assert blocked == {
        **blocked,
        "id": "A0002",
        "action": "blocked",
        "to": None,
        "ref": None,
        "at": None,
        "note": None,
    }
    from evidencekit.guide.checklist import build_checklist, recorded_actions

    assert [a["id"] for a in recorded_actions(case)] == ["A0001", "A0002"]  # the guide reads each once
    steps = {step.id: step for step in build_checklist(case)}
    assert steps["police"].status == "done" and steps["police"].detail.count("CAD-1234-26") == 1
    typed = logged(case, "action-recorded")[0]["details"]
    assert typed["at_as_written"] == "2026-03-15 10:30" and typed["at_zone_assumed"] == "Europe/London"
    assert verify_case(case.root).ok


def test_actions_remind_about_reference_numbers_and_not_deleting(case):
    reported = add_action(case, "reported", to="Instagram")
    assert any("--ref NUMBER" in n for n in reported.notes)
    blocked = add_action(case, "blocked", to="Instagram")
    assert any("Don't delete" in n for n in blocked.notes)
    again = add_action(case, "reported", to="Instagram")
    assert again.duplicate_of == "A0001"
    with pytest.raises(InvalidValueError) as error:
        add_action(case, "deleted")
    assert "reported, blocked, isp, police, helpline, stopncii" in (error.value.hint or "")


def test_a_sealed_case_takes_no_new_records(case):
    from evidencekit.case.seal import seal_case

    seal_case(case)
    with pytest.raises(CaseSealedError):
        add_note(case, "more")
