"""A case built to strain the report's layout: whatever a real case can hold that is long or odd.

Payments both paid and demanded-but-not-paid (the "demanded, not paid" cell once ran into the
amount), withheld items with long names (their SHA-256 once ran past the table border), file names
and web addresses with no place to break, fifty offender accounts, and right-to-left text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evidencekit.case.case import Case, create_case
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.story import add_action, add_note, add_offender, add_payment
from tests.synthetic import add_chat_export, message, png_bytes

LONG_NAME = "Screenshot_20260314-214512_Instagram_" + "conversation_with_alex_real_" * 4 + "final.png"
LONG_URL = "https://www.instagram.com/stories/alex.real.official.account/" + "3" * 19 + "?igsh=" + "Zm9v" * 20
RTL_NOTE = "قال إنه سينشر الصور إذا لم أدفع. הוא אמר שישלח את התמונות לכולם."
WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
OFFENDERS = 50


@dataclass
class LayoutCase:
    case: Case
    sensitive_bytes: list[bytes] = field(default_factory=list)
    withheld_hashes: list[str] = field(default_factory=list)
    exhibit_hashes: list[str] = field(default_factory=list)


def build_layout_case(root: Path) -> LayoutCase:
    case = create_case(
        root / "case",
        title="Instagram blackmail " + "with a very long title that somebody typed without stopping " * 2,
        collector="Sam Helper",
        zone_name="Europe/London",
        country="GB",
    )
    originals = root / "originals"
    originals.mkdir()
    shots = []
    for number, colour in enumerate([(30, 120, 200), (200, 60, 30), (20, 160, 90)]):
        path = originals / (LONG_NAME if number == 0 else f"Screenshot_{number}.png")
        path.write_bytes(png_bytes(colour, size=(1080, 2400 if number != 2 else 600)))
        shots.append(path)
    capture(case, shots, note="screenshots of the threats, " + "each one saved right away " * 3)
    layout = LayoutCase(case=case)
    for number in range(2):
        private = originals / (f"private-{number}-" + "photo_he_threatens_to_share_" * 3 + ".jpg")
        content = png_bytes((255, 0, 255), marker=b"PRIVATE-%d" % number)
        private.write_bytes(content)
        layout.sensitive_bytes.append(content)
        capture(case, [private], sensitive=True, note="the photo he threatens to share")
    chat = [
        message(1, "hi, saw your profile"),
        message(2, "pay £500 or I send them to everyone, send it to " + WALLET),
        message(3, RTL_NOTE),
        message(4, "here: " + LONG_URL),
        message(5, "x" * 300),
    ]
    add_chat_export(case, originals / "export", chat)
    add_url(case, LONG_URL, kind="content", note="where he posted it")
    add_url(case, "https://www.instagram.com/alex.real/", kind="profile", note=RTL_NOTE)
    for number in range(OFFENDERS):
        add_offender(
            case,
            platform=["Instagram", "Snapchat", "WhatsApp", "Telegram", "TikTok"][number % 5],
            username=f"alex.real.{number}.{'x' * (number % 4) * 12}",
            user_id=f"1784140000000{number:04d}" + "0" * (number % 3) * 10,
            profile_url=f"https://www.instagram.com/alex.real.{number}.backup.account.name/"
            if number % 2
            else None,
            phone="+44 7700 900123" if number % 7 == 0 else None,
            email=f"alex.real.{number}.very.long.address@example-mail-provider.com"
            if number % 5 == 0
            else None,
            note=RTL_NOTE if number % 10 == 0 else None,
        )
    add_payment(
        case,
        method="crypto",
        wallet=WALLET,
        amount="0.0125",
        currency="BTC",
        tx="ab" * 32,
        paid=False,
        at="2026-03-14 22:15",
        note="demanded first",
    )
    add_payment(
        case,
        method="crypto",
        wallet=WALLET,
        amount="0.0125",
        currency="BTC",
        tx="cd" * 32,
        paid=True,
        at="2026-03-14 23:15",
    )
    add_payment(
        case, method="paypal", payee="alexreal2.long.payee.name@example.com", amount="1500000", currency="GBP"
    )
    add_note(case, RTL_NOTE, at="2026-03-14 21:00")
    add_note(case, "He wrote from " + LONG_URL, at="2026-03-14 21:30")
    add_action(case, "reported", to="Instagram", ref="IG-" + "9" * 40)
    add_action(
        case, "police", to="Metropolitan Police Service, Online Child Sexual Abuse team", ref="CAD-1234-26"
    )
    items = case.items()
    layout.withheld_hashes = [str(i.get("sha256")) for i in items if i.get("sensitive")]
    layout.exhibit_hashes = [
        str(i.get("sha256") or i.get("tree_sha256")) for i in items if not i.get("sensitive")
    ]
    return layout
