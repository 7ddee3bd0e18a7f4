"""Benchmark: the report for a big case (1,000 exhibits, 50,000 chat messages) builds in under 30 s.

Builds the case once through evidencekit's own API (real captures; the chat is a real WhatsApp
export text, transcribed by evidencekit's parser on capture), then times `build_report` for HTML +
PDF, and, side by side as a reference, headless Chromium printing the same HTML to PDF. Prints the
times and the ratio.

    .venv/bin/python bench/report.py [--exhibits 1000] [--messages 50000] [--keep DIR]

Figures depend on the machine and its load; the target is an absolute one (under 30 s).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.synthetic import START, png_bytes  # noqa: E402

from evidencekit.case.case import create_case  # noqa: E402
from evidencekit.intake.files import capture  # noqa: E402
from evidencekit.intake.urls import add_url  # noqa: E402
from evidencekit.report.build import build_report  # noqa: E402
from evidencekit.story import add_action, add_note, add_offender, add_payment  # noqa: E402

TARGET_SECONDS = 30.0
LINES = [
    "hey",
    "why are you ignoring me",
    "I have your pictures",
    "pay £500 or I send them to everyone you know",
    "you have 1 hour",
    "send it to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "ok ok please don't",
    "add me on snap @alex.real.2",
    "I can see your followers list",
    "lol",
    "answer me",
    "paypal.me/alexreal2 now",
]


def build_case(folder: Path, exhibits: int, messages: int) -> Path:
    rng = random.Random(7)
    case = create_case(
        folder / "case", title="Benchmark case", collector="bench", zone_name="Europe/London", country="GB"
    )
    originals = folder / "originals"
    originals.mkdir()
    paths = []
    for number in range(exhibits - 2):
        if number % 10 == 0:
            path = originals / f"notes-{number:04d}.txt"
            path.write_text(f"document {number}\n" * 20, encoding="utf-8")
        else:
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            path = originals / f"Screenshot_2026-03-14-21-{number:04d}.png"
            path.write_bytes(png_bytes(colour, size=(108, 240)))
        paths.append(path)
    capture(case, paths[: len(paths) // 2], note="first batch")
    capture(case, paths[len(paths) // 2 :], note="second batch")
    secret = originals / "private.jpg"
    secret.write_bytes(png_bytes((255, 0, 255), marker=b"PRIVATE"))
    capture(case, [secret], sensitive=True)
    # A real WhatsApp export, transcribed by evidencekit's own parser when it is captured.
    export = originals / "WhatsApp Chat with Alex.txt"
    with export.open("w", encoding="utf-8") as out:
        for seq in range(1, messages + 1):
            moment = START + timedelta(seconds=seq * 20)
            sender = "Alex" if seq % 3 else "Sam"
            text = LINES[rng.randrange(len(LINES))] if seq % 7 else f"message number {seq}"
            out.write(f"{moment.strftime('%d/%m/%Y, %H:%M')} - {sender}: {text}\n")
    captured = capture(case, [export])
    assert captured.added[0].get("export", {}).get("messages") == messages, "the export was not transcribed"
    for number in range(20):
        add_url(case, f"https://www.instagram.com/account{number}/", kind="profile")
    for number in range(5):
        add_offender(
            case, platform="Instagram", username=f"alex.real.{number}", user_id=f"17841400{number:05d}"
        )
    add_payment(
        case,
        method="crypto",
        wallet="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        amount="0.01",
        currency="BTC",
        paid=True,
        at="2026-03-14 22:00",
    )
    add_payment(case, method="paypal", payee="alexreal2", amount="500", currency="GBP")
    for number in range(10):
        add_note(case, f"Note {number}: what happened next.", at=f"2026-03-14 {12 + number}:00")
    add_action(case, "reported", to="Instagram", ref="IG-1")
    add_action(case, "police", to="Metropolitan Police", ref="CAD-1234-26", at="2026-03-15 10:00")
    return case.root


def chromium_print(html: Path, pdf: Path) -> float | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        return None
    profile = tempfile.mkdtemp(prefix="ek-bench-chromium-")
    started = time.perf_counter()
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - started
    shutil.rmtree(profile, ignore_errors=True)
    return elapsed if pdf.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="build the case in this folder and keep it")
    args = parser.parse_args()
    os.environ.setdefault("EVIDENCEKIT_HOME", tempfile.mkdtemp(prefix="ek-bench-home-"))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ek-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        root = build_case(folder, args.exhibits, args.messages)
        print(
            f"built a case with {args.exhibits} exhibits and {args.messages} messages "
            f"in {time.perf_counter() - started:.1f} s"
        )
        from evidencekit.case.case import Case

        case = Case(root)
        stages: list[tuple[str, float]] = []
        started = time.perf_counter()
        result = build_report(case, progress=lambda text: stages.append((text, time.perf_counter())))
        total = time.perf_counter() - started
        previous = started
        for text, moment in stages:
            print(f"  {moment - previous:6.2f} s  before: {text}")
            previous = moment
        print(f"  {started + total - previous:6.2f} s  last stage")
        sizes = ", ".join(f"{f.format} {f.size / 1e6:.1f} MB" for f in result.files)
        print(
            f"evidencekit report (HTML + PDF): {total:.2f} s ({sizes}; "
            f"{result.messages_shown} of {result.messages_total} messages in the timeline)"
        )
        html = next(f.path for f in result.files if f.format == "html")
        reference = chromium_print(html, folder / "chromium.pdf")
        if reference is not None:
            print(
                f"reference, Chromium printing the same HTML to PDF: {reference:.2f} s; "
                f"ratio evidencekit/Chromium = {total / reference:.2f}"
            )
        else:
            print("reference: Chromium not found, no side-by-side figure")
        verdict = "OK" if total < TARGET_SECONDS else "TOO SLOW"
        print(f"target: under {TARGET_SECONDS:.0f} s -> {verdict}")
        return 0 if total < TARGET_SECONDS else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
