"""A victim reports two screenshots and the offender's profile to Instagram with the real command,
gets a ticket number, and days later the answer: status, the report and verify follow it."""

from __future__ import annotations

import json

from PIL import Image

from evidencekit.case.case import Case
from evidencekit.story.records import ACTIONS, record_sha256


def test_report_two_screenshots_and_a_url_then_removed(cli, tmp_path):
    case = tmp_path / "case"
    assert cli("new", case, "--timezone", "Europe/London", "--country", "GB").exit_code == 0
    shots = []
    for number, colour in enumerate(("red", "green"), start=1):
        shot = tmp_path / f"Screenshot_2026-03-14-21-0{number}.png"
        Image.new("RGB", (64, 48), colour).save(shot)
        shots.append(shot)
    assert cli("capture", *shots, "--case", case).exit_code == 0
    assert cli("add-url", "https://www.instagram.com/bad.actor/", "--case", case).exit_code == 0

    wrong = cli("report-to", "Instagram", "--item", "E0003", "--case", case)
    assert wrong.exit_code == 2
    assert "This case has no item called “E0003”." in wrong.stderr and "evidencekit status" in wrong.stderr
    unknown = cli("report-to", "Instagram", "--ref", "IG-4471", "--outcome", "removed", "--case", case)
    assert unknown.exit_code == 2 and "no report to Instagram" in unknown.stderr

    made = cli(
        "report-to", "Instagram", "--item", "E0001", "--item", "E0002", "--url", "U0001",
        "--ref", "IG-4471", "--at", "2026-03-15 10:30", "--case", case,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Recorded report A0001 to Instagram of E0001, E0002, U0001, reference IG-4471." in made.stdout
    waiting = " ".join(cli("status", "--case", case).stdout.split())
    assert "Still to do • A0001: When Instagram answers, record it:" in waiting
    assert "evidencekit report-to Instagram --ref IG-4471 --outcome removed" in waiting

    answer = cli("report-to", "instagram", "--ref", "IG-4471", "--outcome", "removed", "--case", case)
    assert answer.exit_code == 0, answer.output
    assert "Recorded A0002: Instagram answered report A0001: removed." in answer.stdout

    status = cli("status", "--case", case)
    words = " ".join(status.stdout.split())
    assert "Reports and takedowns" in words and "removed" in words
    assert "Still to do" not in words and "none is waiting" in words
    assert "Not reported there yet" in words  # CEOP, Report Remove… are still routes to take
    reports = json.loads(cli("status", "--case", case, "--json").stdout)["reports"]
    assert [(r["to"], r["open"], r["outcome"]) for r in reports] == [("Instagram", False, "removed")]

    assert cli("report", "--case", case, "--no-images").exit_code == 0
    html = (case / "data/derived/report/report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="actions">') : html.index('<section id="timeline"')]
    assert "What was reported" in section and "E0001, E0002, U0001" in section and "IG-4471" in section
    assert "Every report recorded has an answer." in section
    assert cli("verify", case).exit_code == 0


def test_a_hand_edited_actions_file_makes_verify_fail_with_sentences(cli, tmp_path):
    case_dir = tmp_path / "case"
    assert cli("new", case_dir, "--timezone", "Europe/London").exit_code == 0
    case = Case(case_dir)
    with case.change("action") as change:  # what a forger (or a broken tool) might write
        for record in (
            {"id": "A0001", "action": "reported", "to": "Instagram", "items": ["E0042"], "ref": "9" * 50_000},
            {"id": "A0002", "action": "outcome", "report": "A0777", "outcome": "removed"},
        ):
            change.append_record(ACTIONS.path, record)
            change.log("action-recorded", {"id": record["id"], "file": ACTIONS.path,
                                           "record_sha256": record_sha256(record)})  # fmt: skip
    checked = cli("verify", case_dir)
    assert checked.exit_code == 1, checked.output
    words = " ".join(checked.output.split())
    assert "says it reported item E0042, which this case does not have" in words
    assert "is an answer to report A0777, which is not a report recorded before it" in words
    assert "has a “ref” of 50000 characters" in words
    assert "Traceback" not in checked.output and "9" * 1000 not in checked.output
    status = cli("status", "--case", case_dir)
    assert status.exit_code == 0 and "9" * 2100 not in status.stdout
