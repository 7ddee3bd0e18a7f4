"""Identifiers found in chats and web addresses are suggested, with where they were seen, and never
recorded without the person asking."""

from __future__ import annotations

import pytest

from evidencekit.intake.urls import add_url
from evidencekit.story import add_offender, add_payment
from evidencekit.story.identifiers import classify_url, find_identifiers, mentions_money
from evidencekit.story.suggestions import suggest
from tests.synthetic import add_chat_export, message


def kinds(text: str) -> set[tuple[str, str]]:
    return {(found.kind, found.value) for found in find_identifiers(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add me on snap @alex.real_2!", {("handle", "@alex.real_2")}),
        ("mail me: alex.real@example.com.", {("email", "alex.real@example.com")}),
        ("call +44 7700 900123 now", {("phone", "+44 7700 900123")}),
        ("my number is (212) 555-0147", {("phone", "(212) 555-0147")}),
        (
            "send to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            {("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")},
        ),
        (
            "eth 0x52908400098527886E0F7030069857D2E4169EE7 ok",
            {("wallet", "0x52908400098527886E0F7030069857D2E4169EE7")},
        ),
        ("IBAN GB82 WEST 1234 5698 7654 32 thanks", {("iban", "GB82 WEST 1234 5698 7654 32")}),
        ("cashapp $alexreal2", {("cashtag", "$alexreal2")}),
        (
            "https://www.instagram.com/alex.real/ is me",
            {("profile-url", "https://www.instagram.com/alex.real/")},
        ),
        ("pay here (https://paypal.me/alexreal2)", {("payment-link", "https://paypal.me/alexreal2")}),
        ("see www.example.org/x.", {("link", "https://www.example.org/x")}),
    ],
)
def test_identifiers_are_found_in_a_message(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "meet at 21:07 on 2026-03-14",
        "I paid 1,250.50 already",
        "order 12345",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",  # checksum wrong: not a wallet
        "GB82 WEST 1234 5698 7654 33",  # check digits wrong
        "name@host",  # no top-level domain
        "my brother is 14 and I am 16",
    ],
)
def test_ordinary_words_and_numbers_are_not_suggested(text):
    assert {k for k, _ in kinds(text)} <= {"tx"} and not [k for k in kinds(text) if k[0] != "tx"]


def test_profile_links_give_the_account_name():
    assert classify_url("https://www.tiktok.com/@alex.real").name == "alex.real"
    assert classify_url("https://www.facebook.com/profile.php?id=100012345").name == "id 100012345"
    assert classify_url("https://www.instagram.com/p/Cx1/").kind == "link"  # a post, not an account
    assert classify_url("https://wa.me/447700900123").name == "+447700900123"


def test_money_talk_is_noticed():
    assert mentions_money("pay £500 now") and mentions_money("buy a steam card") and mentions_money("500 usd")
    assert not mentions_money("see you at 5")


def test_suggestions_come_from_the_chat_and_skip_what_is_recorded(case, tmp_path):
    chat = [
        message(1, "hi", sender="Alex", sender_id="1784140000123"),
        message(2, "add me on snap @alex.real", sender="Alex", sender_id="1784140000123"),
        message(
            3, "pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", sender="Alex", sender_id="1784140000123"
        ),
        message(
            4, "again: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", sender="Alex", sender_id="1784140000123"
        ),
        message(5, "who are you", sender="Sam", sender_id=None),
    ]
    item = add_chat_export(case, tmp_path / "export", chat)
    add_url(case, "https://www.instagram.com/alex.real/", kind="profile")
    before = case.custody_entries()

    found = {(s.kind, s.value): s for s in suggest(case).items}

    assert case.custody_entries() == before  # suggesting records nothing
    wallet = found[("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]
    assert wallet.count == 2 and wallet.senders == ["Alex"] and wallet.seen_in == [item]
    assert wallet.where[0] == f"{item} message 3 (from Alex)"
    assert wallet.command_line() == (
        "evidencekit payment add --method crypto --wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq "
        f"--seen-in {item}"
    )
    assert found[("handle", "@alex.real")].command()[:2] == ["offender", "add"]
    account = found[("chat-account", "Alex")]
    assert account.detail == "1784140000123" and account.count == 4
    assert "--user-id" in account.command()
    assert ("profile-url", "https://www.instagram.com/alex.real/") in found

    add_payment(case, method="crypto", wallet="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    add_offender(
        case,
        platform="Instagram",
        username="alex.real",
        user_id="1784140000123",
        profile_url="https://www.instagram.com/alex.real/",
    )
    left = {(s.kind, s.value) for s in suggest(case).items}
    assert ("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") not in left
    assert ("chat-account", "Alex") not in left and ("handle", "@alex.real") not in left
    assert ("profile-url", "https://www.instagram.com/alex.real/") not in left
    assert ("chat-account", "Sam") in left
    everything = {(s.kind, s.value): s for s in suggest(case, include_recorded=True).items}
    assert everything[("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")].recorded_as == "P0001"


def test_a_broken_transcript_line_is_skipped_and_counted(case, tmp_path):
    item = add_chat_export(case, tmp_path / "export", [message(1, "mail x@example.com")])
    path = case.root / f"data/derived/{item}/transcript.jsonl"
    assert path.exists()
    # A damaged copy outside the case: read through the same reader the suggestions use.
    from evidencekit.story import sources

    broken = tmp_path / "broken.jsonl"
    broken.write_text(path.read_text(encoding="utf-8") + "{not json\n[1]\n", encoding="utf-8")
    transcript = sources.Transcript(item, "x", "x", broken, None)
    assert len(list(sources.messages(transcript))) == 1 and transcript.unreadable_lines == 2
