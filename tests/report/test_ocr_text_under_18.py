"""A helper saves two chat screenshots before anyone asked whether someone shown was under 18;
capture reads their text (OCR). One was confirmed to show no nudity (--not-intimate), the other
not. Later the case is marked under 18. From then on no output shows the unconfirmed picture's
text: not the report (HTML and PDF: timeline, transcripts, preservation sheets), not
`evidencekit ocr --show`, not `evidencekit transcript`, not the preservation sheets, not the
custody log (`evidencekit log`). Each says plainly how many pictures' text it left out and why.
The confirmed picture's text is still shown.
One rule decides this everywhere: story.ocr_texts.unread_pictures."""

from __future__ import annotations

import html as markup
import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evidencekit.case.case import Case
from evidencekit.case.flags import set_under_18
from evidencekit.report.model import ReportOptions, collect
from tests.conftest import require_tool
from tests.ocr import chatshots
from tests.ocr.chatshots import RECEIVED, SENT, Line

UNCONFIRMED = "Meet me at the old bridge tonight"  # in the picture not confirmed to show no nudity
CONFIRMED = "Send the money to my account now"  # in the picture confirmed to show none
NOTE = "1 picture's text is not shown: the case is marked under 18 and it is not confirmed to show no nudity."


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from evidencekit.ocr.engine import unavailable_reason
    from evidencekit.web.browser import unavailable_reason as no_browser

    for why in (unavailable_reason(), no_browser()):
        if why:
            pytest.fail(f"these tests need Tesseract and Chromium; .ci/run installs them ({why})")
    folder = tmp_path_factory.mktemp("screenshots")
    unconfirmed = chatshots.shot(
        "whatsapp", "light", (Line(RECEIVED, UNCONFIRMED, "21:14"), Line(SENT, "Leave me alone", "21:15"))
    )
    confirmed = chatshots.shot(
        "telegram", "light", (Line(RECEIVED, CONFIRMED, "22:14"), Line(SENT, "I will not pay", "22:15"))
    )
    made = chatshots.render_all([unconfirmed, confirmed], folder)
    return {"unconfirmed": made[unconfirmed.name], "confirmed": made[confirmed.name]}


@pytest.fixture
def case_root(cli, tmp_path: Path, screenshots: dict[str, Path]) -> Path:
    """E0001 captured without a confirmation, E0002 with --not-intimate; both read by OCR."""
    root = tmp_path / "case"
    assert cli("new", root, "--timezone", "Europe/London").exit_code == 0
    first = cli("capture", "-C", root, screenshots["unconfirmed"])
    assert first.exit_code == 0, first.output
    second = cli("capture", "-C", root, "--not-intimate", screenshots["confirmed"])
    assert second.exit_code == 0, second.output
    assert {item["id"]: item["ocr"]["status"] for item in Case(root).items()} == {
        "E0001": "read",
        "E0002": "read",
    }
    return root


def report_text(cli, root: Path, out: Path) -> tuple[str, str]:
    """The report's HTML and the text of its PDF (as pdftotext gives it, spaces made single)."""
    out.mkdir()
    made = cli("report", "--out", out, "--case", root)
    assert made.exit_code == 0, made.output
    html = markup.unescape((out / "report.html").read_text(encoding="utf-8"))
    pdf = subprocess.run(
        [require_tool("pdftotext"), "-layout", str(out / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return html, " ".join(pdf.split())


def test_before_the_case_is_marked_the_report_shows_both_screenshots_text(cli, tmp_path, case_root):
    html, pdf = report_text(cli, case_root, tmp_path / "report")

    for words in (UNCONFIRMED, CONFIRMED):
        assert words in html and words in pdf
    assert "text is not shown" not in html


def test_once_marked_under_18_the_report_leaves_out_the_unconfirmed_screenshots_text(
    cli, tmp_path, case_root
):
    set_under_18(Case(case_root), "not-sure")  # as the start wizard records the answer

    html, pdf = report_text(cli, case_root, tmp_path / "report")

    assert UNCONFIRMED not in html and UNCONFIRMED not in pdf
    assert CONFIRMED in html and CONFIRMED in pdf  # in the timeline, from the confirmed picture
    timeline = html[html.index('id="timeline"') : html.index('id="transcripts"')]
    assert NOTE in timeline and CONFIRMED in timeline
    transcripts = html[html.index('id="transcripts"') :]
    transcripts = transcripts[: transcripts.index("</section>")]
    assert NOTE in transcripts and "E0002" in transcripts and "E0001" not in transcripts
    assert NOTE in pdf


def test_once_marked_under_18_ocr_show_prints_only_the_confirmed_screenshots_text(cli, case_root):
    set_under_18(Case(case_root), "yes")

    shown = cli("ocr", "-C", case_root, "--show")

    assert shown.exit_code == 0, shown.output
    assert UNCONFIRMED not in shown.output and CONFIRMED in shown.output
    assert " ".join(NOTE.split()) in " ".join(shown.output.split())
    as_json = json.loads(cli("ocr", "-C", case_root, "--show", "--json").stdout)
    dumped = json.dumps(as_json)  # the OCR file's lines, as read (a bubble's text may wrap)
    assert "bridge" not in dumped and "money" in dumped
    assert as_json["left_out"] == NOTE
    assert [(r["item"], r["left_out"]) for r in as_json["readings"]] == [("E0001", True), ("E0002", False)]


def test_once_marked_under_18_the_transcript_of_the_unconfirmed_screenshot_is_refused(cli, case_root):
    before = cli("transcript", "-C", case_root, "E0001")
    assert "not shown" not in before.output  # (a chat screenshot is not a chat export to this command)
    set_under_18(Case(case_root), "yes")

    refused = cli("transcript", "-C", case_root, "E0001", "--format", "jsonl")

    assert refused.exit_code == 2, refused.output
    assert UNCONFIRMED not in refused.output
    assert "1 picture's text is not shown: the case is marked under 18" in " ".join(refused.output.split())


def test_once_marked_under_18_the_preservation_sheets_leave_out_the_unconfirmed_chat(cli, case_root):
    offender = cli(
        "offender", "add", "-C", case_root, "--platform", "WhatsApp", "--display-name", "Jake Miller"
    )
    assert offender.exit_code == 0, offender.output
    before = cli("preservation", "-C", case_root, "--json")
    assert json.loads(before.stdout)["pictures_left_out"] == 0
    set_under_18(Case(case_root), "yes")

    sheets = cli("preservation", "-C", case_root, "--json")

    assert sheets.exit_code == 0, sheets.output
    assert json.loads(sheets.stdout)["pictures_left_out"] == 1
    assert UNCONFIRMED not in sheets.stdout
    text = cli("preservation", "-C", case_root)
    assert " ".join(NOTE.split()) in " ".join(text.stderr.split())


def test_the_rule_knows_the_kinds_of_pictures_ocr_reads():
    from evidencekit.ocr.service import IMAGE_KINDS
    from evidencekit.story.ocr_texts import PICTURE_KINDS

    assert PICTURE_KINDS == IMAGE_KINDS


def test_a_case_json_edited_by_hand_to_say_minor_leaves_the_text_out_as_ocr_would(cli, case_root):
    case_json = case_root / "evidencekit" / "case.json"
    data = json.loads(case_json.read_text(encoding="utf-8"))
    data["flags"] = {"minor": "yes"}  # a spelling evidencekit never writes: OCR reads it as under 18
    case_json.write_text(json.dumps(data), encoding="utf-8")

    shown = cli("ocr", "-C", case_root, "--show")
    # `report` adds to the case, so it refuses a hand-edited one; what it would show is this:
    report = collect(Case(case_root), ReportOptions(images=False), datetime.now(timezone.utc))

    assert shown.exit_code == 0, shown.output
    assert UNCONFIRMED not in shown.output and CONFIRMED in shown.output
    assert " ".join(NOTE.split()) in " ".join(shown.output.split())
    assert UNCONFIRMED not in str(report["timeline"]) and CONFIRMED in str(report["timeline"])
    assert report["ocr_left_out"] == NOTE


def test_the_custody_log_does_not_show_what_ocr_read_in_the_unconfirmed_picture(cli, case_root):
    again = cli("ocr", "--again", "E0001", "--case", case_root)  # logged as ocr-made, with the chat's name
    assert again.exit_code == 0, again.output
    [logged] = [e for e in Case(case_root).custody_entries() if e["action"] == "ocr-made"]
    title = logged["details"]["ocr"]["chat"]["conversation"]
    assert title, "the screenshot's chat has a name OCR read"
    before = " ".join(cli("log", "--case", case_root).stdout.split())
    assert title in before and "'words'" in before

    set_under_18(Case(case_root), "yes")
    after = cli("log", "--case", case_root)

    assert after.exit_code == 0, after.output
    words = " ".join(after.stdout.split())
    assert title not in words and "'words'" not in words
    assert "(what was read is not shown)" in words
    assert NOTE in words
