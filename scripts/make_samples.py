"""Regenerate the synthetic sample evidence bundled for `evidencekit demo`.

Everything here is invented: names, accounts, numbers and messages. Run from the repository root:
    python scripts/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "src" / "evidencekit" / "samples"

MESSAGES = [
    ("them", "hey :) you there?"),
    ("me", "who is this?"),
    ("them", "I have your pics. Pay $500 in gift cards in 2 hours or I send them to all your followers"),
    ("me", "please don't"),
    ("them", "clock is ticking. iTunes cards only. send codes here"),
]


def chat_screenshot() -> Image.Image:
    width, height = 390, 844
    im = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=12)
    draw.rectangle([0, 0, width, 90], fill=(245, 245, 245))
    draw.text((16, 22), "9:41", font=font, fill=(0, 0, 0))
    draw.text((60, 50), "alex.m_0998  (sample account)", font=font, fill=(0, 0, 0))
    draw.text((60, 70), "Active 2m ago", font=small, fill=(120, 120, 120))
    y = 110
    for who, text in MESSAGES:
        lines = _wrap(draw, text, font, 240)
        box_h = 14 + 20 * len(lines)
        box_w = max(draw.textlength(line, font=font) for line in lines) + 24
        x = 16 if who == "them" else width - 16 - box_w
        fill = (239, 239, 239) if who == "them" else (55, 151, 240)
        ink = (0, 0, 0) if who == "them" else (255, 255, 255)
        draw.rounded_rectangle([x, y, x + box_w, y + box_h], radius=16, fill=fill)
        for i, line in enumerate(lines):
            draw.text((x + 12, y + 8 + 20 * i), line, font=font, fill=ink)
        y += box_h + 14
    draw.text(
        (16, height - 40),
        "14 Mar 2026 21:07 - SAMPLE EVIDENCE FOR THE DEMO",
        font=small,
        fill=(150, 150, 150),
    )
    return im


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    im = chat_screenshot()
    exif = Image.Exif()
    exif[0x0131] = "iOS 18.3 (sample)"  # Software
    exif[0x0132] = "2026:03:14 21:07:41"  # DateTime
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = "2026:03:14 21:07:41"  # DateTimeOriginal
    exif_ifd[0x9011] = "+00:00"  # OffsetTimeOriginal
    exif_ifd[0x9286] = b"ASCII\x00\x00\x00Screenshot"  # UserComment
    im.save(OUT / "Screenshot 2026-03-14 at 21.07.41.png", exif=exif, optimize=True)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
