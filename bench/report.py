"""Benchmark: the report's PDF for a big case (1,000 exhibits, 50,000 chat messages).

Builds the case once through evidencekit's own API (real captures; the chat is a real WhatsApp
export text, transcribed by evidencekit's parser on capture), times `build_report` (HTML + PDF),
then prints the same HTML to PDF three ways, side by side: evidencekit's own PDF step
(`render_pdf`, which prints with Chromium when it is installed and WeasyPrint otherwise), WeasyPrint
alone (what a computer without a browser gets), and Chromium's own command line
(`chromium --headless --print-to-pdf`), the reference. Prints each time and the ratios.

    .venv/bin/python bench/report.py [--exhibits 1000] [--messages 50000] [--rounds 1] [--keep DIR]

The target is evidencekit's PDF in at most 1.5 times Chromium's own time. With --rounds N the three
are run in turn N times and the fastest of each is kept (the machine's load changes between runs).
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
from collections.abc import Callable
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

TARGET_RATIO = 1.5
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
            path.write_bytes(png_bytes(colour, size=(1080, 2400)))
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
    """Chromium's own time: its command line printing the HTML file, start to exit."""
    from evidencekit.web.browser import find_browser

    browser = find_browser()
    if browser is None:
        return None
    profile = tempfile.mkdtemp(prefix="ek-bench-chromium-")
    pdf.unlink(missing_ok=True)
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
        timeout=900,
        check=False,
    )
    elapsed = time.perf_counter() - started
    shutil.rmtree(profile, ignore_errors=True)
    return elapsed if pdf.exists() else None


def timed(work: Callable[[], object]) -> float | None:
    from evidencekit.report.render import PdfUnavailableError

    started = time.perf_counter()
    try:
        work()
    except PdfUnavailableError:
        return None
    return time.perf_counter() - started


def best(times: list[float | None]) -> float | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def show(seconds: float | None) -> str:
    return "  n/a  " if seconds is None else f"{seconds:6.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1, help="run each printer this many times")
    parser.add_argument("--keep", type=Path, help="build the case in this folder and keep it")
    args = parser.parse_args()
    os.environ.setdefault("EVIDENCEKIT_HOME", tempfile.mkdtemp(prefix="ek-bench-home-"))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ek-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from evidencekit.case.case import Case
        from evidencekit.report.render import render_pdf

        started = time.perf_counter()
        root = folder / "case"
        if not (root / "bagit.txt").exists():
            root = build_case(folder, args.exhibits, args.messages)
            print(
                f"built a case with {args.exhibits} exhibits and {args.messages} messages "
                f"in {time.perf_counter() - started:.1f} s"
            )
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
        html_file = next(f.path for f in result.files if f.format == "html")
        html = html_file.read_text(encoding="utf-8")
        ours: list[float | None] = []
        weasy: list[float | None] = []
        chromium: list[float | None] = []
        for _ in range(max(1, args.rounds)):
            ours.append(timed(lambda: render_pdf(html)))
            weasy.append(timed(lambda: render_pdf(html, engines=("weasyprint",))))
            chromium.append(chromium_print(html_file, folder / "chromium.pdf"))
        mine, fallback, reference = best(ours), best(weasy), best(chromium)
        print(f"PDF of the same HTML ({len(html) / 1e6:.1f} MB), best of {max(1, args.rounds)}:")
        print(f"  {show(mine)}  evidencekit (render_pdf: Chromium through Playwright when installed)")
        print(f"  {show(fallback)}  WeasyPrint alone (the fallback without a browser)")
        print(f"  {show(reference)}  Chromium's own command line (--print-to-pdf), the reference")
        if reference is None or mine is None:
            print("reference: Chromium not found or no PDF made, no ratio")
            return 1
        ratio = mine / reference
        print(f"ratio evidencekit/Chromium = {ratio:.2f} (target at most {TARGET_RATIO})", end="")
        print(f"; WeasyPrint/Chromium = {fallback / reference:.2f}" if fallback is not None else "")
        verdict = "OK" if ratio <= TARGET_RATIO else "TOO SLOW"
        print(f"target: at most {TARGET_RATIO}x Chromium -> {verdict}")
        return 0 if ratio <= TARGET_RATIO else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
