"""The banner is added around a screenshot, never over it."""

from __future__ import annotations

import random

from PIL import Image, ImageChops

from evidencekit.web.banner import add_banner


def noisy_page(path, width=640, height=400) -> Image.Image:
    rng = random.Random(7)
    page = Image.new("RGB", (width, height))
    page.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(width * height)]
    )
    page.save(path)
    return page


def test_the_page_pixels_are_unchanged_inside_the_recorded_box(tmp_path):
    page = noisy_page(tmp_path / "page.png")
    url = "https://www.instagram.com/" + "very-long-account-name/" * 8
    facts = add_banner(
        tmp_path / "page.png",
        tmp_path / "out.png",
        ["evidencekit web capture · case EK-1", f"Address: {url}"],
        f"End of page · {url}",
        {"Source": url},
    )
    out = Image.open(tmp_path / "out.png")
    x, y, width, height = facts["page_box"]
    assert (x, width, height) == (0, page.width, page.height) and y > 0
    assert out.size == tuple(facts["size"])
    assert out.width >= 900 and out.height > y + height, "room for the banner above and the footer below"
    inside = out.convert("RGB").crop((x, y, x + width, y + height))
    assert ImageChops.difference(inside, page).getbbox() is None, "not one page pixel may change"
    assert out.text["Source"] == url
    assert f"y={y}" in out.text["evidencekit-page-box"]


def test_a_long_address_is_wrapped_not_cut(tmp_path):
    noisy_page(tmp_path / "page.png", width=300, height=100)
    short = add_banner(tmp_path / "page.png", tmp_path / "a.png", ["Address: https://x.example/"], "end", {})
    long = add_banner(
        tmp_path / "page.png", tmp_path / "b.png", ["Address: https://x.example/" + "a" * 400], "end", {}
    )
    assert long["page_box"][1] > short["page_box"][1], "more lines of banner, page pushed down"
