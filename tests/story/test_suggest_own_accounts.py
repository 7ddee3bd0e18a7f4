"""`suggest` never proposes the person's own account as the offender's: only sure signs count (the
export marks its owner, the name is the case's collector, a two-person chat is named after the
other one), so an offender's account is never hidden. Headings are proper plurals."""

from __future__ import annotations

import pytest

from evidencekit.intake.files import capture
from evidencekit.story.identifiers import KIND_HEADINGS, KIND_LABELS
from evidencekit.story.suggestions import Suggestion, suggest
from tests.synthetic import add_chat_export, add_transcript, message


def accounts(case) -> set[str]:
    return {s.value for s in suggest(case).items if s.kind == "chat-account"}


def test_the_collectors_own_name_is_not_suggested(case, tmp_path):  # the collector is "Sam Helper"
    add_chat_export(
        case,
        tmp_path / "export",
        [message(1, "pay now", sender="Alex"), message(2, "no", sender="sam  helper", sender_id=None)],
    )

    found = suggest(case)

    assert {s.value for s in found.items if s.kind == "chat-account"} == {"Alex"}
    [own] = found.own_accounts
    assert own.value == "sam  helper" and "collecting the evidence" in own.why


def test_a_sender_the_export_marks_as_its_owner_is_not_suggested(case, tmp_path):
    owner = message(2, "stop", sender="Sam T", sender_id=None)
    owner["details"] = {"sent_by_account_owner": True}
    add_chat_export(
        case,
        tmp_path / "export",
        [message(1, "pay", sender="Alex"), owner, message(3, "ok", sender="(this phone)", sender_id=None)],
    )

    assert accounts(case) == {"Alex"}


def test_in_a_two_person_chat_named_after_one_the_other_is_the_person_who_exported_it(case, tmp_path):
    add_chat_export(
        case,
        tmp_path / "export",
        [
            message(1, "pay", sender="Alex", conversation="Alex"),
            message(2, "no", sender="Jo", sender_id=None, conversation="Alex"),
        ],
    )

    assert accounts(case) == {"Alex"}
    assert "named after “Alex”" in suggest(case).own_accounts[0].why


@pytest.mark.parametrize(
    "chat",
    [
        # a group chat: three people, nobody is known to be the owner
        [
            message(1, "pay", sender="Alex", conversation="Friends"),
            message(2, "no", sender="Jo", conversation="Friends"),
            message(3, "?", sender="Kim", conversation="Friends"),
        ],
        # two people, but the chat is named after neither of them
        [
            message(1, "pay", sender="Alex", conversation="Work"),
            message(2, "no", sender="Jo", conversation="Work"),
        ],
        # only the offender wrote
        [message(1, "pay", sender="Alex", conversation="Alex")],
    ],
)
def test_without_a_sure_sign_every_account_is_still_suggested(case, tmp_path, chat):
    add_chat_export(case, tmp_path / "export", chat)

    assert accounts(case) == {m["sender"] for m in chat}
    assert suggest(case).own_accounts == []


def test_a_discord_package_holds_only_its_owners_messages(case, tmp_path):
    package = tmp_path / "package.dat"
    package.write_bytes(b"a Discord data package, as far as this test goes\n")
    item = capture(case, [package]).added[0]["id"]
    add_transcript(case, item, [message(1, "I said no", sender="samt", sender_id="42")], parser="discord")

    assert accounts(case) == set()


def test_every_kind_has_a_heading_in_the_plural_written_out():
    assert set(KIND_HEADINGS) == set(KIND_LABELS)
    headings = {kind: Suggestion(kind=kind, value="x", key="x").heading for kind in KIND_LABELS}
    assert headings["wallet"] == "Crypto wallet addresses"
    assert headings["link"] == "Web addresses not yet recorded"
    assert headings["tx"] == "Transaction hashes"
    assert headings["iban"] == "Bank accounts (IBAN)"
    assert headings["email"] == "E-mail addresses"
    assert not [h for h in headings.values() if h.endswith(("sss", "dss", "hs", ")s"))]
