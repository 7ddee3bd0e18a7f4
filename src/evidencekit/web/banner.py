"""The capture banner: who captured which address when, added around the screenshot.

A screenshot alone does not say where or when it was taken. The banner states the address, the
final address after redirects, the capture time (UTC and local) and the tool, in a band ABOVE the
page and a line BELOW it. The page's own pixels are copied unchanged into the middle of a new,
larger image: nothing is painted over them. Where they are (`page_box`: x, y, width, height) is
recorded, so anyone can crop the untouched page back out (`convert screenshot.png -crop WxH+X+Y`).
The same facts are written into the PNG's text chunks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BANNER_BACKGROUND = (255, 244, 204)  # pale yellow: clearly not part of a web page
BANNER_TEXT = (0, 0, 0)
RULE = (120, 90, 0)
PADDING = 14
FONT_SIZE = 18
MIN_WIDTH = 900


def _font(size: int) -> Any:
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the small bitmap font
        return ImageFont.load_default()


def _wrap(text: str, font: Any, width: int) -> list[str]:
    """Break `text` into lines that fit `width` pixels (long URLs are broken anywhere)."""
    lines: list[str] = []
    current = ""
    for char in text:
        if font.getlength(current + char) > width and current:
            cut = current.rfind(" ")
            if cut > 0 and len(current) - cut < 30:
                lines.append(current[:cut])
                current = current[cut + 1 :] + char
            else:
                lines.append(current)
                current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def add_banner(
    page_png: Path, out_png: Path, header_lines: list[str], footer_line: str, text_chunks: dict[str, str]
) -> dict[str, Any]:
    """Write `out_png`: banner, then `page_png`'s pixels unchanged, then a footer line.

    Returns {"page_box": [x, y, width, height], "size": [width, height]}.
    """
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    with Image.open(page_png) as opened:
        page = opened.copy()
    if page.mode not in ("RGB", "RGBA"):
        page = page.convert("RGBA")
    font = _font(FONT_SIZE)
    line_height = int(FONT_SIZE * 1.45)
    width = max(page.width, MIN_WIDTH)
    text_width = width - 2 * PADDING

    top: list[str] = []
    for line in header_lines:
        top.extend(_wrap(line, font, text_width))
    bottom = _wrap(footer_line, font, text_width)
    top_height = 2 * PADDING + len(top) * line_height + 3
    bottom_height = 2 * PADDING + len(bottom) * line_height + 3
    canvas = Image.new(page.mode, (width, top_height + page.height + bottom_height), BANNER_BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    y = PADDING
    for line in top:
        draw.text((PADDING, y), line, fill=BANNER_TEXT, font=font)
        y += line_height
    draw.rectangle([0, top_height - 3, width - 1, top_height - 1], fill=RULE)
    canvas.paste(page, (0, top_height))
    footer_top = top_height + page.height
    draw.rectangle([0, footer_top, width - 1, footer_top + 2], fill=RULE)
    y = footer_top + 3 + PADDING
    for line in bottom:
        draw.text((PADDING, y), line, fill=BANNER_TEXT, font=font)
        y += line_height

    info = PngInfo()
    page_box = [0, top_height, page.width, page.height]
    for key, value in text_chunks.items():
        info.add_itxt(key, value)
    info.add_itxt(
        "evidencekit-page-box",
        f"The page's own pixels are at x={page_box[0]} y={page_box[1]} width={page_box[2]} "
        f"height={page_box[3]}, unchanged; everything else is the evidencekit banner.",
    )
    canvas.save(out_png, format="PNG", pnginfo=info)
    return {"page_box": page_box, "size": [canvas.width, canvas.height]}
