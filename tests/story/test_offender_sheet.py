"""The officer opens section 2 of the report and finds the offender's number once, in full, with
every place it was seen (the two messages with their times, the line on the screenshot with its
box) and the first and last time; what is already recorded says so, and the victim's own account is
not there."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from evidencekit.case.case import Case, create_case
from evidencekit.intake.files import capture
from evidencekit.report.offender_sheet import offender_sheet
from evidencekit.story import add_offender
from tests.synthetic import START, add_chat_export, message


def gb_case(tmp_path: Path) -> Case:
    return create_case(
        tmp_path / "case", title="Test case", collector="Sam Helper", zone_name="Europe/London", country="GB"
    )


def payment_page(path: Path) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", (1000, 260), "white")
    font = ImageFont.truetype("DejaVuSans.ttf", 40)
    ImageDraw.Draw(page).text((30, 100), "WhatsApp +44 7700 900123", fill="black", font=font)
    page.save(path)
    return path


def test_each_identifier_has_every_place_it_was_seen_and_its_first_and_last_time(tmp_path: Path):
    case = gb_case(tmp_path)
    later = START + timedelta(days=2, hours=3)
    export = add_chat_export(
        case,
        tmp_path / "export",
        [
            message(1, "my number is 07700 900123", sender="Jake Miller"),
            message(2, "stop", sender="(this phone)", sender_id=None),
            message(
                3,
                "call 0044 7700 900123 or else. steam card 7HQ2R-9XK4M-2P8LD",
                sender="Jake Miller",
                at=later,
            ),
        ],
    )
    [shot] = capture(case, [payment_page(tmp_path / "page.png")]).added
    add_offender(case, platform="WhatsApp", phone="+44 7700 900123")

    sheet = {row["kind"]: row for row in offender_sheet(case, case.zone)}

    phone = sheet["phone number"]
    assert phone["full"] == "+447700900123" and phone["count"] == 3
    assert phone["recorded_as"] == "O0001"
    assert [p["item"] for p in phone["places"]] == [export, export, shot["id"]]
    assert phone["first"] == "2026-03-14 21:01:00 +00:00" and phone["last"] == "2026-03-17 00:00:00 +00:00"
    assert phone["places"][2]["box"] and phone["places"][2]["ocr"] and not phone["ocr_only"]
    card = sheet["gift card code"]
    assert card["detail"] == "Steam" and card["recorded_as"] is None
    assert card["first"] == card["last"] == "2026-03-17 00:00:00 +00:00"
    assert "chat account" in sheet and all(row["value"] != "(this phone)" for row in sheet.values())
