"""The checklist says which steps a case has done, from its own records."""

from __future__ import annotations

from evidencekit.case.seal import seal_case
from evidencekit.guide.checklist import ADVICE, DONE, NOT_YET, build_checklist
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url


def statuses(case):
    return {step.id: step.status for step in build_checklist(case)}


def test_without_a_case_everything_is_advice():
    steps = build_checklist(None)
    assert [s.id for s in steps][:4] == ["calm", "dont-pay", "save-evidence", "collect-urls"]
    assert {s.status for s in steps} == {ADVICE}
    ids = {s.id for s in steps}
    assert {"report-platform", "report-isp", "block", "police"} <= ids


def test_a_new_case_has_done_nothing_yet(case):
    found = statuses(case)
    assert found["calm"] == ADVICE and found["dont-pay"] == ADVICE
    assert found["save-evidence"] == NOT_YET and found["police"] == NOT_YET


def test_captures_urls_and_seal_are_read_from_the_custody_log(case, evidence):
    capture(case, [evidence / "chat.txt", evidence / "notes.txt"])
    add_url(case, "https://www.instagram.com/someone/", kind="profile")
    seal_case(case)
    steps = {s.id: s for s in build_checklist(case)}
    assert steps["save-evidence"].status == DONE and steps["save-evidence"].detail == "2 item(s) saved"
    assert steps["collect-urls"].status == DONE
    assert steps["seal"].status == DONE
    assert steps["report-platform"].status == NOT_YET


def test_actions_are_read_from_actions_jsonl(case):
    # What the `action` command (another part of evidencekit) writes, in the agreed schema.
    with case.change("action") as change:
        for number, (kind, to, ref) in enumerate(
            [
                ("reported", "Instagram", "IG-123"),
                ("blocked", "Instagram", None),
                ("police", "Met Police", "CR/9"),
            ],
            start=1,
        ):
            record = {"id": f"A{number:04d}", "action": kind, "to": to, "ref": ref, "at": None, "note": None}
            change.append_record("evidencekit/actions.jsonl", record)
            change.log("action-recorded", {"id": record["id"], "action": kind})
    steps = {s.id: s for s in build_checklist(case)}
    assert steps["report-platform"].status == DONE
    assert steps["report-platform"].detail == "to Instagram, reference IG-123"
    assert steps["block"].status == DONE
    assert steps["police"].status == DONE and "CR/9" in steps["police"].detail
    assert steps["report-isp"].status == NOT_YET
    assert steps["hashing"].status == NOT_YET


def test_the_hashing_advice_fits_the_age_group(case):
    adult = {s.id: s for s in build_checklist(case, under_18=False)}["hashing"].advice
    minor = {s.id: s for s in build_checklist(case, under_18=True)}["hashing"].advice
    assert "StopNCII" in adult and "Take It Down" not in adult
    assert "Take It Down" in minor and "StopNCII" not in minor
