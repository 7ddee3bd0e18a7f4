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
# Others, drawn in another app, that the OCR corrections (story/ocr_repair.py) were not tuned on.
IDS_LINES_2 = (
    Line(RECEIVED, "TRC20 only: TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "23:11"),
    Line(RECEIVED, "or LTC LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1", "23:12"),
    Line(SENT, "Who is this", "23:13"),
    Line(RECEIVED, "BTC 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "23:14"),
    Line(RECEIVED, "ETH 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "23:15"),
    Line(RECEIVED, "$1,200 or text +1 212 555 0147", "23:16"),
    Line(RECEIVED, "IBAN DE89 3704 0044 0532 0130 00", "23:17"),
)
REGION = "GB"  # the bench's case country, for national phone numbers


def random_addresses(count: int, seed: int = 17) -> list[str]:
    """`count` valid addresses of each kind made from random bytes (none seen while writing the OCR
    corrections): Bitcoin 1…, 3… and bc1q…, Tron T…, Litecoin L…, Ethereum 0x… in EIP-55 case."""
    import hashlib
    import random

    from evidencekit.story.formats import eip55_checksum

    rng = random.Random(seed)
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

    def base58check(version: int) -> str:
        raw = bytes([version]) + rng.randbytes(20)
        raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
        number, text = int.from_bytes(raw, "big"), ""
        while number:
            number, digit = divmod(number, 58)
            text = alphabet[digit] + text
        return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text

    def segwit(hrp: str) -> str:
        charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
        program, bits, acc, data = rng.randbytes(20), 0, 0, [0]
        for byte in program:
            acc, bits = (acc << 8) | byte, bits + 8
            while bits >= 5:
                bits -= 5
                data.append((acc >> bits) & 31)
        if bits:
            data.append((acc << (5 - bits)) & 31)
        values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
        check = 1
        for value in values:
            top, check = check >> 25, (check & 0x1FFFFFF) << 5 ^ value
            for i, generator in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
                check ^= generator if (top >> i) & 1 else 0
        check ^= 1
        return hrp + "1" + "".join(charset[v] for v in data + [(check >> 5 * (5 - i)) & 31 for i in range(6)])

    out = []
    for _ in range(count):
        out += [base58check(0x00), base58check(0x05), segwit("bc"), base58check(0x41), base58check(0x30)]
        out.append(eip55_checksum("0x" + rng.randbytes(20).hex()))
    return out


def wallet_shots(count: int, seed: int = 17) -> list[chatshots.Shot]:
    """Screenshots of chats asking for the random addresses, three to a screenshot, in four apps."""
    addresses = random_addresses(count, seed)
    apps = [("whatsapp", "light"), ("telegram", "dark"), ("imessage", "light"), ("messenger", "dark")]
    shots = []
    for number, start in enumerate(range(0, len(addresses), 3)):
        lines = []
        for minute, address in enumerate(addresses[start : start + 3]):
            lines.append(Line(RECEIVED, f"Send it to {address}", f"20:{minute:02}"))
        lines.append(Line(SENT, "Please stop", "20:09"))
        app, theme = apps[number % len(apps)]
        drawn = chatshots.shot(app, theme, lines, f"Wallet {number}")
        shots.append(chatshots.Shot(drawn.app, drawn.theme, drawn.title, drawn.lines, status=drawn.status))
    return shots


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
    parser.add_argument(
        "--wallets",
        type=int,
        default=0,
        help="also draw this many random addresses of each kind (6 kinds, 3 to a screenshot) and count "
        "those read exactly: addresses the OCR corrections were not written against",
    )
    parser.add_argument(
        "--wallet-seed", type=int, default=17, help="the random addresses' seed (a new one: a new sample)"
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
        other = chatshots.shot("whatsapp", "light", IDS_LINES_2, "Mark T")
        other = chatshots.Shot(
            other.app, other.theme, other.title, other.lines, status=other.status, extra=True
        )
        shots = [*chatshots.all_shots(), *chatshots.extra_shots(), rich, other]
        made = chatshots.render_all(shots, folder)
        cases = [(s.name, made[s.name], s) for s in shots]
        for s in shots:
            if not s.extra and s.app in ("whatsapp", "imessage", "telegram", "messenger"):
                photo = chatshots.photo_of_screen(made[s.name], folder / f"{s.name}-photo.jpg")
                cases.append((f"{s.name}-photo", photo, s))
        for number, s in enumerate(wallet_shots(args.wallets, args.wallet_seed)):
            made_one = chatshots.render_all([s], folder / f"wallets-{number}")
            cases.append((f"wallets-{number}-{s.name}", made_one[s.name], s))
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
            "ids_plain": 0,
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
                plain = identifiers([m.text for m in (chat.messages if chat else [])], ocr=False)
                totals["ids_plain"] += len(drawn & plain)
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
        print(f"identifiers found without the OCR corrections (story/ocr_repair.py): {totals['ids_plain']}")
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
