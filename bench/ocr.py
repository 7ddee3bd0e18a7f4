"""How well and how fast evidencekit reads chat screenshots.

Renders every app's layout (tests/ocr/chatshots.py: WhatsApp, iMessage, Instagram, Messenger,
Telegram, Snapchat, Discord; light and dark; plus harder ones with emoji, Arabic, a username and
a wallet address) with the installed Chromium, makes photos of a screen from some of them (turned,
perspective, blur, moiré, JPEG), and reads each as capture does. Prints, per picture and in total:

- words correct: the drawn messages' words found in the messages read (as a bag of words: each
  drawn word matched at most once; words in scripts Tesseract's English model cannot read, Arabic
  and emoji, are not counted, and are drawn only to see that they do not break the rest);
- sides correct: messages whose side (sent / received) matches the drawn one;
- header: whether the conversation's name was read exactly;
- identifiers: the phone numbers, wallets, amounts, links and codes in the drawn messages (found by
  `story.identifiers` in the drawn text) found in the text read, by their grouped value (a phone
  number in E.164, a wallet as its checksum spells it); and those read that were not drawn (each
  one a wrong suggestion). One extra screenshot is full of them (IDS_LINES below);
- seconds per screenshot (decoding, finding regions and OCR; not the rendering), with
  OMP_THREAD_LIMIT=1 and the engine kept open as capture keeps it.

Run:  .venv/bin/python bench/ocr.py            (about a minute on two cores)
      .venv/bin/python bench/ocr.py --repeat 3  (best of three timings)
      .venv/bin/python bench/ocr.py --scale 3   (iPhone-sized screenshots, 1170 × 2532)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from tests.ocr import chatshots  # noqa: E402
from tests.ocr.chatshots import RECEIVED, SENT, Line  # noqa: E402
from tests.ocr.scoring import score  # noqa: E402

# A chat full of what an offender gives away: every kind `suggest` looks for, as written in chats.
IDS_LINES = (
    Line(RECEIVED, "Call me on +44 7700 900123", "23:01"),
    Line(RECEIVED, "Pay 0.05 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "23:02"),
    Line(SENT, "I cannot pay that", "23:03"),
    Line(RECEIVED, "Then USDT to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "23:04"),
    Line(RECEIVED, "or steam card 7HQ2R-9XK4M-2P8LD", "23:05"),
    Line(RECEIVED, "or £300 to paypal.me/jakem22", "23:06"),
    Line(RECEIVED, "IBAN GB29 NWBK 6016 1331 9268 19", "23:07"),
    Line(SENT, "Please stop", "23:08"),
)
REGION = "GB"  # the bench's case country, for national phone numbers


def identifiers(texts: list[str], *, ocr: bool) -> set[tuple[str, str]]:
    from evidencekit.story.identifiers import find_identifiers

    return {(f.kind, f.key) for text in texts for f in find_identifiers(text, REGION, ocr=ocr)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="time each picture this many times (best)")
    parser.add_argument(
        "--scale",
        type=int,
        default=chatshots.SCALE,
        help="device pixels per CSS pixel (3: 1170 × 2532, an iPhone)",
    )
    args = parser.parse_args()
    chatshots.SCALE = args.scale
    from PIL import Image

    from evidencekit.ocr.chat import chat_from
    from evidencekit.ocr.engine import Engine
    from evidencekit.ocr.layout import read_picture

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rich = chatshots.shot("telegram", "light", IDS_LINES, "Jake Miller")
        rich = chatshots.Shot(rich.app, rich.theme, rich.title, rich.lines, status=rich.status, extra=True)
        shots = [*chatshots.all_shots(), *chatshots.extra_shots(), rich]
        made = chatshots.render_all(shots, folder)
        cases = [(s.name, made[s.name], s) for s in shots]
        for s in shots:
            if not s.extra and s.app in ("whatsapp", "imessage", "telegram", "messenger"):
                photo = chatshots.photo_of_screen(made[s.name], folder / f"{s.name}-photo.jpg")
                cases.append((f"{s.name}-photo", photo, s))
        totals = {
            "words": 0,
            "words_right": 0,
            "sides": 0,
            "sides_right": 0,
            "headers": 0,
            "headers_right": 0,
            "ids": 0,
            "ids_right": 0,
            "ids_wrong": 0,
        }
        seconds: list[float] = []
        missed: list[str] = []
        heads = f"{'words':>11} {'sides':>9} {'header':>7} {'ids':>7} {'wrong':>5}"
        print(f"{'picture':32} {heads} {'seconds':>8}")
        with Engine() as engine:
            for name, path, s in cases:
                best = float("inf")
                for _ in range(max(1, args.repeat)):
                    start = time.perf_counter()
                    with Image.open(path) as opened:
                        picture = opened.convert("RGB")
                    reading = read_picture(engine, picture)
                    chat = chat_from(reading)
                    best = min(best, time.perf_counter() - start)
                seconds.append(best)
                result = score(s, chat)
                for key, value in result.items():
                    totals[key] += value
                drawn = identifiers([line.text for line in s.lines], ocr=False)
                read = identifiers([m.text for m in (chat.messages if chat else [])], ocr=True)
                totals["ids"] += len(drawn)
                totals["ids_right"] += len(drawn & read)
                totals["ids_wrong"] += len(read - drawn)
                missed.extend(f"{name}: {kind} {key}" for kind, key in sorted(drawn - read))
                print(
                    f"{name:32} {result['words_right']:>4}/{result['words']:<6} "
                    f"{result['sides_right']:>3}/{result['sides']:<5} "
                    f"{'yes' if result['headers_right'] else 'no':>7} "
                    f"{len(drawn & read):>3}/{len(drawn):<3} {len(read - drawn):>5} {best:8.2f}"
                )
        words = totals["words_right"] / max(1, totals["words"])
        sides = totals["sides_right"] / max(1, totals["sides"])
        print()
        print(
            f"pictures: {len(cases)} ({len(shots)} screenshots of "
            f"{chatshots.WIDTH * args.scale}×{chatshots.HEIGHT * args.scale}, "
            f"{len(cases) - len(shots)} photos of a screen)"
        )
        print(f"words correct: {words:.3f} ({totals['words_right']}/{totals['words']})")
        print(f"sides correct: {sides:.3f} ({totals['sides_right']}/{totals['sides']})")
        print(f"headers read exactly: {totals['headers_right']}/{totals['headers']}")
        print(
            f"identifiers found: {totals['ids_right']}/{totals['ids']}, "
            f"found but not drawn (wrong suggestions): {totals['ids_wrong']}"
        )
        for line in missed:
            print(f"  missed {line}")
        ordered = sorted(seconds)
        print(
            f"seconds per picture: mean {sum(seconds) / len(seconds):.2f}, "
            f"median {ordered[len(ordered) // 2]:.2f}, "
            f"slowest {ordered[-1]:.2f} (target: under 1.5)"
        )
        print(f"cores: {os.cpu_count()}, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}")


if __name__ == "__main__":
    main()
