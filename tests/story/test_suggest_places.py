"""A victim in the UK has a WhatsApp export, a screenshot of the same chat and a screenshot of a
payment page. The offender's phone number is written three ways across them; `suggest` shows it
once, as +447700900123, with every place it was seen: the message in the export with its time, and
the box on each screenshot where it was read. The victim's own side is never offered."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencekit.case.case import Case, create_case
from evidencekit.intake.files import capture
from evidencekit.ocr.outputs import OCR_FORMAT
from evidencekit.story import ocr_texts
from evidencekit.story.suggestions import suggest
from tests.ocr import chatshots
from tests.ocr.chatshots import RECEIVED, SENT, Line
from tests.synthetic import START, add_chat_export, message

WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from PIL import Image, ImageDraw, ImageFont

    from evidencekit.ocr.engine import unavailable_reason
    from evidencekit.web.browser import unavailable_reason as no_browser

    for why in (unavailable_reason(), no_browser()):
        if why:
            pytest.fail(f"these tests need Tesseract and Chromium; .ci/run installs them ({why})")
    folder = tmp_path_factory.mktemp("pictures")
    lines = (
        Line(RECEIVED, "Call me on +44 7700 900123", "21:14"),
        Line(SENT, "Leave me alone", "21:15"),
        Line(RECEIVED, f"Send 0.05 BTC to {WALLET}", "21:16"),
        Line(SENT, "My insta is @sam.helper stop", "21:17"),
    )
    chat = chatshots.shot("whatsapp", "light", lines, "Jake Miller")
    made = chatshots.render_all([chat], folder)
    page = Image.new("RGB", (1000, 360), "white")
    font = ImageFont.truetype("DejaVuSans.ttf", 40)
    draw = ImageDraw.Draw(page)
    draw.text((30, 60), "Request from Jake Miller", fill="black", font=font)
    draw.text((30, 160), "Phone: 07700 900123", fill="black", font=font)
    draw.text((30, 260), "paypal.me/jakem22", fill="black", font=font)
    page.save(folder / "payment-page.png")
    receive = Image.new("RGB", (800, 420), "white")
    draw = ImageDraw.Draw(receive)
    draw.text((30, 40), "Receive Bitcoin", fill="black", font=font)
    draw.text((30, 170), WALLET[:22], fill="black", font=font)  # the app wraps the address
    draw.text((30, 230), WALLET[22:], fill="black", font=font)
    receive.save(folder / "receive.png")
    return {"chat": made[chat.name], "page": folder / "payment-page.png", "receive": folder / "receive.png"}


@pytest.fixture
def gb_case(tmp_path: Path) -> Case:
    return create_case(
        tmp_path / "case", title="Test case", collector="Sam Helper", zone_name="Europe/London", country="GB"
    )


def test_one_number_written_three_ways_in_an_export_and_two_screenshots_is_one_suggestion(
    gb_case: Case, tmp_path: Path, pictures
):
    export = add_chat_export(
        gb_case, tmp_path / "export", [message(1, "text me 07700-900-123", sender="Jake Miller")]
    )
    chat, page = (item["id"] for item in capture(gb_case, [pictures["chat"], pictures["page"]]).added)

    found = suggest(gb_case)

    [phone] = [s for s in found.items if s.kind == "phone"]
    assert phone.key == "+447700900123"
    assert [p.ref for p in phone.places] == [export, chat, page]
    in_export, on_chat, on_page = phone.places
    assert in_export.seq == 1 and in_export.time == START.replace(minute=1).isoformat()
    assert in_export.box is None and in_export.read_by is None
    assert on_chat.read_by == "ocr" and on_chat.box is not None and on_chat.sender == "Jake Miller"
    assert on_chat.time_as_written == "21:14"
    assert on_page.read_by == "ocr" and on_page.box is not None
    left, top, width, tall = on_page.box
    assert left < 60 and 100 < top < 260 and width > 100  # the line "Phone: 07700 900123"
    assert phone.first_time == phone.last_time == in_export.time
    assert phone.to_json()["places"][2]["box"] == {"left": left, "top": top, "width": width, "height": tall}


def test_the_screenshots_wallet_and_payment_link_are_found_where_they_were_read(gb_case: Case, pictures):
    chat, page = (item["id"] for item in capture(gb_case, [pictures["chat"], pictures["page"]]).added)

    found = {s.kind: s for s in suggest(gb_case).items if s.kind in ("wallet", "payment-link", "amount")}

    assert found["wallet"].value == WALLET and [p.ref for p in found["wallet"].places] == [chat]
    # OCR reads this bubble as "bc1qarOsrrr7xfkvy51643lydnw9re5 9gtzzwf5mdq": O for 0, 1 for l and
    # the wrap as a space; the checksum proves the one correction that gives the drawn address.
    assert (found["wallet"].checked or "").startswith("checksum matches")
    assert found["amount"].key == "0.05 BTC"
    assert found["payment-link"].name == "jakem22" and found["payment-link"].places[0].ref == page


def test_an_address_a_wallet_app_shows_over_two_lines_is_read_as_one(gb_case: Case, pictures):
    [item] = capture(gb_case, [pictures["receive"]]).added

    [wallet] = [s for s in suggest(gb_case).items if s.kind == "wallet"]

    assert wallet.value == WALLET and wallet.places[0].ref == item["id"]
    _left, top, _width, height = wallet.places[0].box
    assert top < 200 and top + height > 250  # the box holds both lines


def test_the_victims_own_side_of_a_screenshot_is_never_offered(gb_case: Case, pictures):
    capture(gb_case, [pictures["chat"]])

    found = suggest(gb_case)

    offered = {s.value for s in found.items}
    assert "Jake Miller" in offered
    assert "(this phone)" not in offered
    assert not [s for s in found.items if s.kind == "handle"]  # @sam.helper is the collector's own
    assert [own.value for own in found.own_accounts] == ["(this phone)", "@sam.helper"]
    assert "name of one of your own accounts" in found.own_accounts[1].why


def test_text_read_from_a_screenshot_marked_sensitive_is_never_used(gb_case: Case, pictures):
    capture(gb_case, [pictures["page"]], sensitive=True)

    assert [s for s in suggest(gb_case).items if s.kind in ("phone", "payment-link")] == []


def test_once_a_case_is_marked_under_18_text_read_before_from_unconfirmed_pictures_is_not_used(
    gb_case: Case, tmp_path: Path, pictures
):
    from evidencekit.case.flags import set_under_18

    capture(gb_case, [pictures["page"], pictures["chat"]])
    export = add_chat_export(gb_case, tmp_path / "export", [message(1, "pay @jake.m22", sender="Jake")])
    assert len([s for s in suggest(gb_case).items if s.kind in ("phone", "wallet")]) == 2

    set_under_18(gb_case, "not-sure")

    found = suggest(Case(gb_case.root))
    assert [s for s in found.items if s.kind in ("phone", "wallet")] == []
    assert [s.seen_in for s in found.items if s.kind in ("handle", "chat-account")] == [[export], [export]]


def test_story_reads_the_ocr_files_that_ocr_writes():
    assert ocr_texts.OCR_FORMAT == OCR_FORMAT
