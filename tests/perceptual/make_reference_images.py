"""Make the pictures of the PDQ reference set in tests/perceptual/data/ (run once; the PNGs are kept).

Meta's published test pictures (ThreatExchange's pdq/data) are binary files this project cannot
fetch, so the reference set is made here instead: pictures like the ones a case holds (a photo-like
scene, a chat screenshot with text, noise and gradients, a flat and nearly featureless picture, a
grey one, one with transparency), drawn with Pillow and numpy's seeded generator. They are saved as
PNG, so the same pixels are read back on any machine whatever Pillow draws differently later.

Their expected hashes (pdq_reference.csv) were computed from the same pixels by Meta's own C++
implementation (pdqhashing.cpp, downscaling.cpp and torben.cpp as shipped in the vpdq 0.2.5 source
package), built outside this repository with a ten-line driver that reads a binary PPM and calls
fillFloatLumaFromRGB and pdqHash256FromFloatLuma; none of Meta's code is kept here.

    python tests/perceptual/make_reference_images.py   # rewrites the PNGs (then recompute the CSV)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

DATA = Path(__file__).parent / "data"

# A 5 × 7 bitmap font for the few letters the screenshot needs, so the text is the same pixels with
# every Pillow and FreeType (Pillow's own default font changed between versions).
_GLYPHS = {
    "a": ["01110", "00001", "01111", "10001", "01111"],
    "e": ["01110", "10001", "11111", "10000", "01110"],
    "h": ["10000", "10000", "11110", "10001", "10001", "10001", "10001"],
    "i": ["00100", "00000", "01100", "00100", "00100", "00100", "01110"],
    "l": ["01100", "00100", "00100", "00100", "00100", "00100", "01110"],
    "n": ["10110", "11001", "10001", "10001", "10001"],
    "o": ["01110", "10001", "10001", "10001", "01110"],
    "p": ["11110", "10001", "11110", "10000", "10000"],
    "s": ["01111", "10000", "01110", "00001", "11110"],
    "t": ["01000", "11110", "01000", "01000", "01001", "00110"],
    "y": ["10001", "10001", "01111", "00001", "01110"],
    "u": ["10001", "10001", "10001", "10011", "01101"],
    "w": ["10001", "10001", "10101", "10101", "01010"],
    " ": ["00000"],
}


def _text(
    draw: ImageDraw.ImageDraw, x: int, y: int, text: str, scale: int, fill: tuple[int, int, int]
) -> None:
    for letter in text:
        rows = _GLYPHS.get(letter, _GLYPHS[" "])
        top = y + (7 - len(rows)) * scale
        for r, row in enumerate(rows):
            for c, bit in enumerate(row):
                if bit == "1":
                    draw.rectangle(
                        (x + c * scale, top + r * scale, x + (c + 1) * scale - 1, top + (r + 1) * scale - 1),
                        fill=fill,
                    )
        x += 6 * scale


def scene() -> Image.Image:
    """A photo-like landscape: sky, sun, hills, a house, grass with seeded grain (800 × 600)."""
    width, height = 800, 600
    rng = np.random.default_rng(2026)
    y = np.linspace(0, 1, height, dtype=np.float64)[:, None]
    sky = np.zeros((height, width, 3))
    sky[..., 0] = 90 + 100 * y
    sky[..., 1] = 150 + 70 * y
    sky[..., 2] = 235 - 30 * y
    picture = Image.fromarray(sky.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((610, 60, 710, 160), fill=(255, 230, 120))
    draw.polygon(
        [(0, 380), (180, 250), (380, 360), (560, 230), (800, 340), (800, 600), (0, 600)], fill=(70, 130, 60)
    )
    draw.polygon([(0, 460), (300, 390), (800, 470), (800, 600), (0, 600)], fill=(95, 160, 70))
    draw.rectangle((300, 330, 460, 450), fill=(200, 170, 140))
    draw.polygon([(285, 335), (380, 260), (475, 335)], fill=(150, 60, 50))
    draw.rectangle((360, 390, 395, 450), fill=(90, 60, 40))
    draw.rectangle((320, 350, 350, 375), fill=(180, 220, 240))
    draw.rectangle((410, 350, 440, 375), fill=(180, 220, 240))
    pixels = np.asarray(picture).astype(np.int16)
    pixels += rng.integers(-4, 5, (height, width, 1), dtype=np.int16)  # film grain, the same in R, G, B
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")


def chat_screenshot() -> Image.Image:
    """A phone chat screenshot: bars, bubbles and blocky text on white (540 × 1200)."""
    picture = Image.new("RGB", (540, 1200), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 539, 90), fill=(7, 94, 84))
    _text(draw, 90, 30, "alex", 4, (255, 255, 255))
    lines = ["hi", "you there", "send it now", "pay or i post", "this is not a joke", "last time"]
    top = 130
    for number, line in enumerate(lines):
        mine = number % 3 == 2
        width = 40 + len(line) * 18
        left = 540 - 20 - width if mine else 20
        draw.rounded_rectangle(
            (left, top, left + width, top + 70), radius=14, fill=(220, 248, 198) if mine else (236, 236, 236)
        )
        _text(draw, left + 20, top + 22, line, 3, (20, 20, 20))
        top += 110
    draw.rectangle((0, 1120, 539, 1199), fill=(240, 240, 240))
    draw.rounded_rectangle((20, 1135, 440, 1185), radius=24, fill=(255, 255, 255))
    return picture


def noise_and_gradients() -> Image.Image:
    """Diagonal colour gradients with seeded noise and a few blobs (640 × 480)."""
    rng = np.random.default_rng(18)
    yy, xx = np.mgrid[0:480, 0:640].astype(np.float64)
    pixels = np.zeros((480, 640, 3))
    pixels[..., 0] = 128 + 100 * np.sin(xx / 90.0 + yy / 140.0)
    pixels[..., 1] = 128 + 90 * np.cos(yy / 60.0)
    pixels[..., 2] = 255 * xx / 640.0
    for _ in range(12):
        cx, cy, r = rng.integers(0, 640), rng.integers(0, 480), rng.integers(20, 90)
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        pixels[mask] = rng.integers(0, 256, 3)
    pixels += rng.normal(0, 5, (480, 640, 1))
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")


def nearly_flat() -> Image.Image:
    """Almost one grey with a faint gradient: a picture PDQ gives a low quality (300 × 300)."""
    rng = np.random.default_rng(7)
    _, xx = np.mgrid[0:300, 0:300].astype(np.float64)
    grey = 120 + 3 * xx / 300.0 + rng.normal(0, 0.8, (300, 300))
    return Image.fromarray(np.repeat(grey.clip(0, 255).astype(np.uint8)[..., None], 3, axis=2), "RGB")


def grey_portrait() -> Image.Image:
    """A greyscale (mode L) tall picture with shapes, to hash through the grey path (360 × 720)."""
    picture = Image.new("L", (360, 720), 200)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((80, 80, 280, 300), fill=90)
    draw.rectangle((60, 320, 300, 700), fill=50)
    draw.ellipse((140, 160, 170, 190), fill=240)
    draw.ellipse((190, 160, 220, 190), fill=240)
    draw.line((0, 719, 359, 0), fill=255, width=9)
    return picture


def transparent_sticker() -> Image.Image:
    """RGBA: a coloured sticker on a transparent background (400 × 400); hashed as its RGB."""
    picture = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((40, 40, 360, 360), fill=(240, 80, 120, 255))
    draw.rectangle((150, 120, 250, 280), fill=(255, 255, 255, 200))
    draw.polygon([(200, 60), (330, 330), (70, 330)], outline=(30, 30, 160, 255), width=12)
    return picture


PICTURES = {
    "scene.png": scene,
    "chat-screenshot.png": chat_screenshot,
    "noise-gradients.png": noise_and_gradients,
    "nearly-flat.png": nearly_flat,
    "grey-portrait.png": grey_portrait,
    "transparent-sticker.png": transparent_sticker,
}


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for name, make in PICTURES.items():
        make().save(DATA / name, optimize=True)
        print(DATA / name)


if __name__ == "__main__":
    main()
