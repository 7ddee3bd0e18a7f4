"""A victim reports screenshots and a web address to Instagram, gets a ticket number, and later the
answer: each step is a record, nothing is rewritten, and what is still open is worked out from them."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from evidencekit.case.summary import case_summary
from evidencekit.errors import InvalidValueError
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.story.records import ACTIONS, record_sha256
from evidencekit.story.reports import add_outcome, add_report, track
from evidencekit.verify import verify_case


@pytest.fixture
def reported_case(case, tmp_path):
    """Two screenshots (E0001, E0002) and the offender's profile (U0001)."""
    shots = []
    for number, colour in enumerate(("red", "blue"), start=1):
        path = tmp_path / f"Screenshot_2026-03-14-21-0{number}.png"
        Image.new("RGB", (40, 30), colour).save(path)
        shots.append(path)
    capture(case, shots)
    add_url(case, "https://www.instagram.com/bad.actor/", kind="profile")
    return case


def actions_lines(case) -> list[str]:
    return (case.root / ACTIONS.path).read_text(encoding="utf-8").splitlines()


def test_a_report_to_instagram_then_removed_leaves_nothing_open(reported_case):
    case = reported_case
    made = add_report(
        case, "Instagram", items=["E0001", "e0002"], urls=["U0001"], ref="IG-88120", at="2026-03-15 10:30"
    )
    report = made.record
    assert report["action"] == "reported" and report["to"] == "Instagram"
    assert report["items"] == ["E0001", "E0002"] and report["urls"] == ["U0001"]
    assert report["at"] == "2026-03-15T10:30:00+00:00"
    [open_report] = track(case.records(ACTIONS.path))
    assert open_report.is_open and open_report.outcome is None
    assert "evidencekit report-to Instagram --ref IG-88120 --outcome removed" in open_report.next_step()
    line_before = actions_lines(case)[0]

    pending = add_outcome(case, "instagram", "pending", ref="IG-88120")
    removed = add_outcome(case, "Instagram", "removed", ref="IG-88120", note="account gone")

    assert pending.record["report"] == removed.record["report"] == report["id"]
    assert pending.record["ref"] is None  # the number is the report's: it is kept there only
    assert actions_lines(case)[0] == line_before  # the report itself is never rewritten
    [answered] = track(case.records(ACTIONS.path))
    assert answered.outcome == "removed" and not answered.is_open  # the latest answer wins
    assert [o.outcome for o in answered.outcomes] == ["pending", "removed"]
    summary = case_summary(case)
    assert [r["open"] for r in summary["reports"] if r["to"] == "Instagram"] == [False]
    assert verify_case(case.root).ok


def test_an_id_the_case_does_not_have_is_refused_and_nothing_is_written(reported_case):
    with pytest.raises(InvalidValueError) as refused:
        add_report(reported_case, "Instagram", items=["E0001", "E0009"])
    assert refused.value.message == "This case has no item called “E0009”."
    assert "--item" in refused.value.hint
    with pytest.raises(InvalidValueError, match="no web address called “U0002”"):
        add_report(reported_case, "Instagram", urls=["U0002"])
    with pytest.raises(InvalidValueError, match="no web address called “E0001”"):
        add_report(reported_case, "Instagram", urls=["E0001"])  # an item is not a web address
    assert reported_case.records(ACTIONS.path) == []


def test_an_answer_needs_a_report_to_answer(reported_case):
    case = reported_case
    with pytest.raises(InvalidValueError, match="no report to Instagram"):
        add_outcome(case, "Instagram", "removed")
    add_report(case, "Instagram", items=["E0001"], ref="IG-1")
    with pytest.raises(InvalidValueError, match="no report to Instagram with the reference IG-2"):
        add_outcome(case, "Instagram", "removed", ref="IG-2")
    with pytest.raises(InvalidValueError, match="no report called “A0007”"):
        add_outcome(case, "Instagram", "removed", report_id="A0007")
    with pytest.raises(InvalidValueError, match="made to Instagram, not to Snapchat"):
        add_outcome(case, "Snapchat", "removed", report_id="A0001")
    with pytest.raises(InvalidValueError, match="not an answer evidencekit knows"):
        add_outcome(case, "Instagram", "deleted", ref="IG-1")
    assert len(case.records(ACTIONS.path)) == 1


def test_a_report_without_a_ticket_is_answered_by_its_id_and_gets_its_number_then(reported_case):
    case = reported_case
    first = add_report(case, "Snapchat", items=["E0001"]).record
    add_report(case, "Snapchat", items=["E0002"])
    with pytest.raises(InvalidValueError) as which:
        add_outcome(case, "Snapchat", "pending")  # two open reports there: which one?
    assert "A0001, A0002" in which.value.hint
    add_outcome(case, "Snapchat", "pending", report_id=first["id"], ref="SC-5")
    add_outcome(case, "Snapchat", "refused", ref="SC-5")  # the number that came with the answer
    tracked = {r.id: r for r in track(case.records(ACTIONS.path))}
    assert tracked["A0001"].reference == "SC-5" and tracked["A0001"].outcome == "refused"
    assert "did not remove it" in tracked["A0001"].next_step()
    assert tracked["A0002"].is_open


def test_the_same_report_twice_is_recorded_once(reported_case):
    first = add_report(reported_case, "Instagram", items=["E0001"], ref="IG-1")
    again = add_report(reported_case, "instagram".title(), items=["E0001"], ref="IG-1")
    assert again.record is None and again.duplicate_of == first.record["id"]


def append_by_hand(case, records: list[dict]) -> None:
    """Lines evidencekit would never write, each logged like a real one (so only the content is odd)."""
    with case.change("action") as change:
        for record in records:
            change.append_record(ACTIONS.path, record)
            change.log("action-recorded", {"id": record["id"], "file": ACTIONS.path,
                                           "record_sha256": record_sha256(record)})  # fmt: skip


def test_a_hostile_actions_file_is_reported_by_verify_not_a_crash(reported_case):
    case = reported_case
    huge = "x" * 200_000
    append_by_hand(
        case,
        [
            {"id": "A0001", "action": "reported", "to": "Instagram", "ref": huge, "items": ["E0001", "E0404",
             "../../etc/passwd", "\x1b[31mred"], "urls": ["U0009"]},
            {"id": "A0002", "action": "outcome", "report": "A0099", "outcome": "removed", "to": "Instagram"},
            {"id": "A0003", "action": "outcome", "report": "A0001", "outcome": "deleted!", "to": huge},
            {"id": "A0004", "action": "outcome", "report": "A0005", "outcome": "removed"},  # a later report
            {"id": "A0005", "action": "reported", "to": "Snapchat", "items": ["E0002"] * 5000},
        ],
    )  # fmt: skip
    report = verify_case(case.root)
    found = [(f.code, f.message) for f in report.errors]
    codes = [code for code, _message in found]
    assert codes.count("report-unknown-evidence") == 2  # A0001's items, A0001's web address
    assert codes.count("report-outcome-orphan") == 2  # A0002 (no A0099) and A0004 (A0005 came later)
    assert codes.count("report-record-odd") == 4  # the huge ref and to, "deleted!", 5000 items
    assert set(codes) == {"report-unknown-evidence", "report-outcome-orphan", "report-record-odd"}
    unknown = next(m for c, m in found if c == "report-unknown-evidence" and "item" in m)
    assert "E0404" in unknown and "E0001" not in unknown and "\x1b" not in unknown
    assert all(len(message) < 400 for _code, message in found)  # the huge strings are not repeated
    # Everything else still reads the file: the answer to nothing and the unknown one are left out.
    tracked = {r.id: r for r in track(case.records(ACTIONS.path))}
    assert list(tracked) == ["A0001", "A0005"] and tracked["A0001"].outcome is None
    assert json.dumps(case_summary(case)["reports"])


def test_a_report_recorded_earlier_with_action_reported_can_be_answered(reported_case):
    from evidencekit.story import add_action

    add_action(reported_case, "reported", to="TikTok", ref="TT-31")
    add_action(reported_case, "blocked", to="TikTok")
    add_outcome(reported_case, "tiktok", "refused", ref="TT-31")
    [tracked] = track(reported_case.records(ACTIONS.path))  # a block is not a report
    assert (tracked.id, tracked.to, tracked.outcome) == ("A0001", "TikTok", "refused")
    with pytest.raises(InvalidValueError, match="no report called “A0002”"):
        add_outcome(reported_case, "TikTok", "removed", report_id="A0002")  # the block
