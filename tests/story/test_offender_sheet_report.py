"""Section 2 of the report, as the officer reads it: under the recorded accounts, every identifier
found in the evidence with every place it was seen, its time or the box on the screenshot, and
whether it is recorded yet."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from evidencekit.case.case import Case
from evidencekit.intake.files import capture
from evidencekit.report.model import ReportOptions, collect
from evidencekit.report.render import render_html
from evidencekit.story import add_offender
from tests.story.test_offender_sheet import gb_case, payment_page
from tests.synthetic import START, add_chat_export, message

NOW = datetime(2026, 3, 20, tzinfo=timezone.utc)


def section_2(case: Case) -> str:
    html = render_html(collect(case, ReportOptions(images=False), NOW))
    section = html[html.index('<section id="offenders">') : html.index('<section id="payments">')]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_the_offender_sheet_lists_every_place_with_its_time_or_box(tmp_path: Path):
    case = gb_case(tmp_path)
    export = add_chat_export(
        case,
        tmp_path / "export",
        [
            message(1, "my number is 07700 900123", sender="Jake Miller"),
            message(
                3,
                "call 0044 7700 900123. steam card 7HQ2R-9XK4M-2P8LD",
                sender="Jake Miller",
                at=START + timedelta(days=2, hours=3),
            ),
        ],
    )
    [shot] = capture(case, [payment_page(tmp_path / "page.png")]).added
    add_offender(case, platform="WhatsApp", phone="+44 7700 900123")

    text = section_2(case)

    assert "Identifiers found in the evidence, and every place each was seen" in text
    assert "+447700900123" in text and "recorded as O0001" in text
    assert f"{export} message 1 (from Jake Miller), 2026-03-14 21:01:00 +00:00" in text
    assert f"{export} message 3 (from Jake Miller), 2026-03-17 00:00:00 +00:00" in text
    assert "2026-03-14 21:01:00 +00:00 to 2026-03-17 00:00:00 +00:00" in text  # first and last seen
    assert re.search(rf"{shot['id']} \(read from the picture at \d+,\d+\), x \d+, y \d+, \d+ × \d+ px", text)
    assert "7HQ2R-9XK4M-2P8LD" in text and "NOT RECORDED" in text


def test_a_case_without_identifiers_says_so(case: Case):
    assert "No identifiers were found in the chats, screenshots, web addresses or notes." in section_2(case)
