"""`evidencekit demo`: the whole job on bundled sample evidence, for a first look.

Creates a case, captures a chat screenshot (with EXIF), a WhatsApp export and a written account,
records two web addresses, seals the case and verifies it. Every sample is invented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from evidencekit.case.case import Case, create_case
from evidencekit.case.findings import VerifyReport
from evidencekit.case.seal import SealResult, seal_case
from evidencekit.errors import CaseExistsError
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case

DEFAULT_FOLDER = "evidencekit-demo"
SCREENSHOT = "Screenshot 2026-03-14 at 21.07.41.png"
CHAT_EXPORT = "WhatsApp Chat with Alex (sample).txt"
ACCOUNT = "My account of what happened (sample).txt"

Step = Callable[[str], None]


@dataclass
class DemoResult:
    case: Case
    seal: SealResult
    report: VerifyReport


def free_demo_folder(base: Path) -> Path:
    """`evidencekit-demo`, or `evidencekit-demo-2`, `-3`… if that is taken."""
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{number}")
        number += 1
    return candidate


def run_demo(path: Path | None, on_step: Step = lambda _text: None) -> DemoResult:
    """Build, seal and verify a demo case at `path` (default: a new folder here)."""
    if path is None:
        path = free_demo_folder(Path.cwd() / DEFAULT_FOLDER)
    elif path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise CaseExistsError(
            f"{path} already exists.",
            hint="Give a new folder name, or leave it out to use ./evidencekit-demo",
        )
    samples = resources.files("evidencekit") / "samples"
    with resources.as_file(samples) as folder:
        case = create_case(
            path,
            title="Demo case (sample evidence, not real)",
            collector="evidencekit demo",
            zone_name="Europe/London",
        )
        on_step(f"Created case {case.info.id} in {path}")
        shot = capture(
            case,
            [folder / SCREENSHOT],
            note="Instagram DM with the threat and the demand (sample)",
            tags=["threat"],
        )
        on_step(
            f"Captured a chat screenshot as {shot.added[0]['id']} (SHA-256 {shot.added[0]['sha256'][:16]}…)"
        )
        chat = capture(
            case,
            [folder / CHAT_EXPORT],
            note="WhatsApp export of the same conversation (sample)",
            kind="chat-export",
        )
        on_step(f"Captured a WhatsApp chat export as {chat.added[0]['id']}")
        account = capture(
            case, [folder / ACCOUNT], note="The victim's own account, written at the time (sample)"
        )
        on_step(f"Captured the victim's written account as {account.added[0]['id']}")
    for url, kind, note in (
        ("https://www.instagram.com/alex.m_0998/", "profile", "The account that sent the threats (sample)"),
        ("https://paypal.me/sample-not-real", "payment", "Where the money was demanded (sample)"),
    ):
        record = add_url(case, url, kind=kind, note=note).record or {}  # a new case: never a duplicate
        on_step(f"Recorded web address {record.get('id')}: {url} ({record.get('platform')})")
    sealed = seal_case(case)
    on_step(f"Sealed the case; fingerprint {sealed.fingerprint[:16]}…")
    report = verify_case(case.root)
    on_step("Verified the case: " + ("everything checks out" if report.ok else "problems found"))
    return DemoResult(case, sealed, report)
