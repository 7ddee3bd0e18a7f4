"""The under-18 flag: set once, logged, never silently removed, and the case still verifies."""

from __future__ import annotations

import json

import pytest

from evidencekit.case.case import Case, create_case
from evidencekit.case.flags import set_under_18, under_18
from evidencekit.case.seal import seal_case
from evidencekit.errors import CaseSealedError, InvalidValueError
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


def test_a_new_case_has_no_answer_yet(case):
    assert under_18(case) is None


def test_answering_writes_case_json_and_logs_it(case):
    change = set_under_18(case, "not-sure")
    assert change.changed and change.value is True and change.previous is None
    data = json.loads((case.root / "evidencekit/case.json").read_text(encoding="utf-8"))
    assert data["flags"] == {"under_18": True}
    assert under_18(Case(case.root)) is True
    last = case.custody_entries()[-1]
    assert last["action"] == "case-flag-set"
    assert last["details"] == {"flag": "under_18", "value": True, "previous": None, "answer": "not-sure"}
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_the_safeguard_can_be_switched_on_but_never_off(case):
    set_under_18(case, "no")
    set_under_18(case, "yes")
    assert under_18(case) is True
    before = (case.root / "evidencekit/custody.jsonl").read_bytes()
    with pytest.raises(InvalidValueError, match="does not remove that mark"):
        set_under_18(case, "no")
    assert (case.root / "evidencekit/custody.jsonl").read_bytes() == before


def test_the_same_answer_again_changes_nothing(case):
    set_under_18(case, "yes")
    entries = len(case.custody_entries())
    assert not set_under_18(case, "yes").changed
    assert len(case.custody_entries()) == entries


def test_a_sealed_case_is_not_changed(case):
    seal_case(case)
    with pytest.raises(CaseSealedError):
        set_under_18(case, "yes")


def test_new_records_the_flag_at_creation(tmp_path):
    made = create_case(tmp_path / "c", flags={"under_18": True})
    assert under_18(made) is True
    assert made.custody_entries()[0]["details"]["flags"] == {"under_18": True}


@pytest.mark.parametrize("written", ["yes", "no", 1, 0, "true", "false"])
def test_a_hand_written_under_18_value_keeps_the_safeguard_on(tmp_path, written):
    """case.json can be edited by hand. A value evidencekit never writes cannot be trusted to mean
    "no", so every part that asks "was anyone under 18?" reads it as yes (more questions, never
    an unlawful copy)."""
    from evidencekit.case.case import Case
    from evidencekit.case.flags import under_18
    from evidencekit.guide.checklist import build_checklist

    made = create_case(tmp_path / "case", title="t")
    data = json.loads((made.root / "evidencekit/case.json").read_text(encoding="utf-8"))
    data["flags"] = {"under_18": written}
    (made.root / "evidencekit/case.json").write_text(json.dumps(data), encoding="utf-8")
    reopened = Case(made.root)

    assert under_18(reopened) is True

    def advice(steps):
        return [(step.id, step.advice) for step in steps]

    assert advice(build_checklist(reopened)) == advice(build_checklist(None, under_18=True))
