"""A virtual screen for tests: Xvfb, painted with a known pattern in two odd colours.

`screen` (a fixture) starts nothing itself: `xvfb` (module-scoped) runs one Xvfb per test module,
and `screen` paints its root window with an 8×8 tile and sets DISPLAY. `assert_shows_pattern`
compares a PNG with the pattern pixel for pixel, so a wrong channel order, a flipped or offset
image, or a lossy encoding all fail.
"""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import require_tool

WIDTH, HEIGHT = 320, 200
FG, BG = (0x12, 0xAB, 0x34), (0xFE, 0xDC, 0xBA)
# An 8×8 tile: the top four rows are lit on the left, the bottom four on the right.
XBM = """#define tile_width 8
#define tile_height 8
static unsigned char tile_bits[] = {
   0x0f, 0x0f, 0x0f, 0x0f, 0xf0, 0xf0, 0xf0, 0xf0 };
"""


def expected_pixel(x: int, y: int) -> tuple[int, int, int]:
    lit = (y % 8 < 4) == (x % 8 < 4)
    return FG if lit else BG


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """A virtual screen of our own (Xvfb picks a free display number and tells us)."""
    require_tool("Xvfb")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            f"{WIDTH}x{HEIGHT}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        assert ready, "Xvfb did not start"
        number = os.read(read_end, 64).decode().strip()
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def screen(xvfb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The virtual screen, painted with the pattern, as this process's display."""
    require_tool("xsetroot")
    bitmap = tmp_path / "tile.xbm"
    bitmap.write_text(XBM, encoding="ascii")
    subprocess.run(
        ["xsetroot", "-display", xvfb, "-bitmap", str(bitmap), "-fg", hex_colour(FG), "-bg", hex_colour(BG)],
        check=True,
        timeout=30,
    )
    monkeypatch.setenv("DISPLAY", xvfb)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return xvfb


def assert_shows_pattern(png: Path, origin: tuple[int, int] = (0, 0)) -> None:
    with Image.open(png) as image:
        assert image.format == "PNG"
        pixels = image.convert("RGB").load()
        width, height = image.size
        wrong = [
            (x, y)
            for y in range(height)
            for x in range(width)
            if pixels[x, y] != expected_pixel(x + origin[0], y + origin[1])
        ]
    assert not wrong, f"{len(wrong)} pixels differ from what was drawn, first at {wrong[:3]}"
