"""A case with everything a report shows, and the real tools an officer would read it with."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from evidencekit.case.case import Case, create_case
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.story import add_action, add_note, add_offender, add_payment
from tests.conftest import require_tool
from tests.synthetic import add_chat_export, add_web_capture, message, png_bytes

SHOT_COLOUR = (30, 120, 200)
CAPTURE_COLOUR = (20, 180, 60)


@dataclass
class StoryCase:
    """A case, plus what a reader of its report must (and must never) find in it."""

    case: Case
    sensitive_bytes: bytes
    must_show: list[str] = field(default_factory=list)
    exhibit_hashes: list[str] = field(default_factory=list)
    offender_identifiers: list[str] = field(default_factory=list)
    action_texts: list[str] = field(default_factory=list)


def noise_png(seed: int, size: int = 96) -> bytes:
    """A PNG of random pixels: its bytes and its picture are both unmistakable."""
    import io

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (size, size), bytes(rng.randrange(256) for _ in range(size * size * 3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build_story_case(root: Path, *, under_18: bool = False) -> StoryCase:
    flags = {"under_18": True} if under_18 else {}
    case = create_case(
        root / "case",
        title="Instagram blackmail",
        collector="Sam Helper",
        zone_name="Europe/London",
        country="GB",
        flags=flags,
    )
    originals = root / "originals"
    originals.mkdir()
    (originals / "Screenshot_threat.png").write_bytes(png_bytes(SHOT_COLOUR))
    (originals / "statement.txt").write_text("what happened\n", encoding="utf-8")
    private = originals / "private-photo.png"
    private.write_bytes(noise_png(1))
    capture(
        case,
        [originals / "Screenshot_threat.png", originals / "statement.txt"],
        note="the first threat",
        not_intimate=under_18,  # an under-18 case asks for this confirmation before copying an image
    )
    capture(case, [private], sensitive=True, note="the photo he threatens to share")
    chat = [
        message(1, "hi, saw your profile", at=None),
        message(2, "add me on snap @alex.real"),
        message(3, "I have your pictures. pay £500 or I send them to everyone"),
        message(4, "send it to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        message(5, "please stop", sender="Sam", sender_id=None),
        message(6, "you have 1 hour", flags=["edited"]),
    ]
    chat_item = add_chat_export(case, originals / "export", chat)
    add_url(case, "https://www.instagram.com/alex.real/", kind="profile", note="his profile")
    add_url(case, "https://files.example.net/leak/123", kind="content", sensitive=True)
    add_web_capture(
        case,
        "U0001",
        screenshot=png_bytes(CAPTURE_COLOUR),
        requested_url="https://www.instagram.com/alex.real/",
    )
    add_offender(
        case,
        platform="Instagram",
        username="alex.real",
        user_id="17841400000000001",
        profile_url="https://www.instagram.com/alex.real/",
        seen_in=[chat_item, "U0001"],
    )
    add_offender(case, platform="Snapchat", display_name="Alex ❤")
    add_offender(case, platform="WhatsApp", phone="+44 7700 900123", email="alex.real@example.com")
    add_payment(
        case,
        method="crypto",
        wallet="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        amount="0.0125",
        currency="BTC",
        tx="ab" * 32,
        paid=True,
        at="2026-03-14 22:15",
    )
    add_note(case, "He contacted me on Instagram, then asked for money.", at="2026-03-14 21:00")
    add_action(case, "reported", to="Instagram", ref="IG-998877")
    add_action(case, "police", to="Metropolitan Police", ref="CAD-1234-26", at="2026-03-15 10:30")
    add_action(case, "blocked", to="Snapchat")

    items = case.items()
    story = StoryCase(case=case, sensitive_bytes=private.read_bytes())
    story.exhibit_hashes = [str(i.get("sha256") or i.get("tree_sha256")) for i in items]
    story.offender_identifiers = [
        "alex.real",
        "17841400000000001",
        "https://www.instagram.com/alex.real/",
        "Alex ❤",
        "+44 7700 900123",
        "alex.real@example.com",
    ]
    story.action_texts = [
        "A0001",
        "A0002",
        "A0003",
        "IG-998877",
        "CAD-1234-26",
        "Metropolitan Police",
        "Reported to the platform",
        "Reported to the police",
        "Blocked the account",
    ]
    story.must_show = [
        case.info.id,
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "call your bank",
        "https://files.example.net/leak/123",
        "withheld",
    ]
    return story


@pytest.fixture
def story_case(tmp_path) -> StoryCase:
    return build_story_case(tmp_path)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the real headless Chromium (Debian's), with a fresh profile, as an officer's browser."""
    browser = require_tool("chromium")
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def pdf_text(pdf: Path) -> str:
    """The PDF read back as text with poppler's pdftotext, as a search or a screen reader would."""
    require_tool("pdftotext")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=120, check=True
    )
    return result.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """Text without any whitespace: a value wrapped over two lines still matches."""
    return "".join(text.split())
