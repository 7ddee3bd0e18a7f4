"""Finding what is written where in a screenshot: the header, the bubbles, their sides.

A chat screen is drawn on one background colour; everything else (header bar, bubbles, text) differs
from it. So the picture is reduced (about 240 pixels wide: fast, and a photo's moiré and noise are
averaged away), the background is its most common colour, and each row is looked at for pixels
that are not background. Runs of such rows are *regions*: a bubble, a line of text, a time between
messages. A region whose own main colour is not the background is a bubble; where it sits tells
who wrote it (against the left edge: received; against the right: sent; centred: a time or notice).
Rows that are entirely not background at the top are the app's header bar.

Each region is then read on its own, at full size: made dark-on-light first (white text on a blue
bubble is inverted, which Tesseract otherwise drops entirely), then made black on white by a
threshold between the bubble's shade and its text's, so the screen around a rounded bubble and a
photo's moiré do not look like text. Reading regions one by one is what makes a second, inverted
pass over the whole picture unnecessary.

A photo of a screen is straightened first: the turn that makes the rows' profile sharpest (tried
from -6° to 6° on the reduced picture, every 1.5° and then every 0.5° around the best) is applied
to the whole picture, and the word boxes are given in the straightened picture (the derived file
says by how much it was turned). A picture of one colour is not read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evidencekit.ocr.engine import Engine, Word

SENT = "sent"
RECEIVED = "received"
TARGET_WIDTH = 240  # the reduced picture's width
# How far (0–255, in any channel) a pixel must be from the background to count: 7 on a clean
# screenshot (dark themes draw bubbles only a little lighter than the screen), 18 on a photo or a
# JPEG, whose background is never one colour.
CLEAN_THRESHOLD = 7
NOISY_THRESHOLD = 18
LOW_CONFIDENCE = 60.0  # below this (Tesseract's 0–100), a line is shown as doubtful
_COARSE = tuple(a * 1.5 for a in range(-4, 5))  # -6° to 6°


@dataclass(frozen=True)
class Line:
    """One line of text as read: its words joined, their mean confidence, its box."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height
    words: tuple[Word, ...]


@dataclass
class Region:
    """Something drawn apart from the background: a bubble, a line of text, the header."""

    kind: str  # "header", "bubble", "text"
    box: tuple[int, int, int, int]
    colour: tuple[int, int, int]
    side: str | None = None  # SENT, RECEIVED, "centre", or None (across the screen)
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float:
        return _mean_confidence([w for line in self.lines for w in line.words])


@dataclass
class Reading:
    """Everything read from one picture."""

    width: int
    height: int
    background: tuple[int, int, int]
    turned: float  # degrees the picture was turned to straighten it (0 for a screenshot)
    header: Region | None
    regions: list[Region]

    @property
    def words(self) -> list[Word]:
        out = list(self.header_words)
        for region in self.regions:
            out.extend(w for line in region.lines for w in line.words)
        return out

    @property
    def header_words(self) -> list[Word]:
        return [w for line in self.header.lines for w in line.words] if self.header else []

    @property
    def text(self) -> str:
        parts = [self.header.text] if self.header and self.header.lines else []
        parts += [r.text for r in self.regions if r.lines]
        return "\n".join(parts)

    @property
    def confidence(self) -> float:
        return _mean_confidence(self.words)


def read_picture(engine: Engine, image: Any) -> Reading:
    """Find the regions of `image` (RGB) and read each."""
    small, factor = _reduce(image)
    background = _background(small)
    threshold = _threshold(small, background)
    first = _mask(small, background, threshold)
    if first.getbbox() is None:  # one colour: nothing is written on it
        return Reading(image.width, image.height, background, 0.0, None, [])
    turned = _best_angle(first)
    if turned:
        # The corners the turn leaves are filled with the background's opposite, so that they
        # count as outside the screen (see _screen_edges), not as screen.
        outside = tuple(255 - c for c in background)
        image = image.rotate(turned, resample=3, expand=False, fillcolor=outside)  # 3: bicubic
        small, factor = _reduce(image)
    mask = _mask(small, background, threshold)
    rows = _rows(mask)
    header_end = _header_end(rows, small.height)
    bands = _bands(rows, header_end)
    if header_end == 0:  # a header on the background colour: the text bands near the top
        top = [b for b in bands if b.bottom <= small.height * 0.14]
        if top and len(top) < len(bands):
            header_end = max(b.bottom for b in top)
            bands = [b for b in bands if b.top >= header_end]
    width, height = image.size
    header = None
    if header_end:
        box = (0, 0, width, min(height, header_end * factor + factor))
        header = Region("header", _as_box(box), _colour(small, (0, 0, small.width, header_end)))
        header.lines = _read_region(engine, image, box, threshold == CLEAN_THRESHOLD)
    regions = []
    for band in bands:
        region = _region(small, band, background, threshold)
        pad = 2 * factor
        box = (
            max(0, band.left * factor - pad),
            max(0, band.top * factor - pad),
            min(width, band.right * factor + pad),
            min(height, band.bottom * factor + pad),
        )
        region.box = _as_box(box)
        region.lines = _read_region(engine, image, box, threshold == CLEAN_THRESHOLD)
        if region.lines:
            regions.append(region)
    return Reading(width, height, background, turned, header, regions)


# ---- the reduced picture ----------------------------------------------------------------------


def _reduce(image: Any) -> tuple[Any, int]:
    factor = max(1, round(image.width / TARGET_WIDTH))
    return (image.reduce(factor) if factor > 1 else image), factor


def _background(small: Any) -> tuple[int, int, int]:
    """The most common colour."""
    sample = small.resize((min(small.width, 120), min(small.height, 240)), 0)  # 0: nearest
    colours = sample.getcolors(sample.width * sample.height) or [(1, (255, 255, 255))]
    _count, colour = max(colours, key=lambda c: c[0])
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def _threshold(small: Any, background: tuple[int, int, int]) -> int:
    """CLEAN_THRESHOLD when hardly any pixel is almost, but not quite, the background."""
    near = _distance_histogram(small, background)
    return CLEAN_THRESHOLD if sum(near[3 : CLEAN_THRESHOLD + 1]) < 0.03 * sum(near[:3]) else NOISY_THRESHOLD


def _distance_histogram(small: Any, background: tuple[int, int, int]) -> list[int]:
    from PIL import Image, ImageChops

    difference = ImageChops.difference(small, Image.new("RGB", small.size, background))
    red, green, blue = difference.split()
    return list(ImageChops.lighter(red, ImageChops.lighter(green, blue)).histogram())


def _mask(small: Any, background: tuple[int, int, int], threshold: int) -> Any:
    """255 where a pixel differs from the background, 0 elsewhere (mode L)."""
    from PIL import Image, ImageChops

    difference = ImageChops.difference(small, Image.new("RGB", small.size, background))
    red, green, blue = difference.split()
    greatest = ImageChops.lighter(red, ImageChops.lighter(green, blue))
    return greatest.point(lambda v: 255 if v > threshold else 0)


def _best_angle(mask: Any) -> float:
    """The small turn that makes rows of text and bubbles sharpest: the profile of non-background
    pixels per row has the greatest variance when the lines are level."""
    scores: dict[float, float] = {}

    def score(angle: float) -> float:
        if angle not in scores:
            turned = mask.rotate(angle, resample=2, expand=False) if angle else mask
            profile = turned.resize((1, turned.height), 2).tobytes()  # 2: bilinear, a row's mean
            mean = sum(profile) / len(profile)
            scores[angle] = sum((v - mean) ** 2 for v in profile)
        return scores[angle]

    coarse = max(_COARSE, key=score)  # every 1.5°, then every 0.5° around the best
    best = max((coarse - 1.0, coarse - 0.5, coarse, coarse + 0.5, coarse + 1.0), key=score)
    return 0.0 if score(0.0) >= score(best) * 0.97 else best


@dataclass
class _Row:
    full: bool  # no background at all between the picture's edges
    left: int  # where the screen begins (after a photo's border) and ends
    right: int
    x0: int  # the content between them; x0 == x1 when the row is empty
    x1: int


def _rows(mask: Any) -> list[_Row]:
    data = mask.tobytes()
    width = mask.width
    out = []
    for y in range(mask.height):
        row = data[y * width : (y + 1) * width]
        if row.count(b"\xff") > 0.9 * width:
            out.append(_Row(True, 0, width, 0, width))
            continue
        left, right = _screen_edges(row, width)
        inner = row[left:right]
        if inner.count(b"\xff") < 2:
            out.append(_Row(False, left, right, 0, 0))
            continue
        x0 = left + inner.find(b"\xff")
        x1 = left + inner.rfind(b"\xff") + 1
        out.append(_Row(False, left, right, x0, x1))
    return out


def _screen_edges(row: bytes, width: int) -> tuple[int, int]:
    """Where the screen begins and ends in a row. In a photo of a screen, what is outside it (the
    phone's frame, the room, the corners a straightening turn leaves) touches the picture's edge;
    such a run, if short, is not content and must not join rows of different bubbles together."""
    edge = max(2, width // 8)  # longest such run
    near = max(1, width // 50)  # how close to the picture's edge it begins (2%)
    left = 0
    start = row.find(b"\xff", 0, near + 1)
    if start >= 0:
        end = row.find(b"\x00", start)
        if 0 < end < start + edge:
            left = end
    right = width
    last = row.rfind(b"\xff", width - near - 1)
    if last >= 0:
        begin = row.rfind(b"\x00", 0, last) + 1
        if last + 1 - begin < edge:
            right = begin
    return left, right


def _header_end(rows: list[_Row], height: int) -> int:
    """The bottom row of a header bar: rows with no background, from (near) the top."""
    start = next((y for y, r in enumerate(rows[: max(1, height // 30)]) if r.full), None)
    if start is None:
        return 0
    end = start
    gap = 0
    for y in range(start, min(len(rows), height // 4)):
        if rows[y].full:
            end, gap = y + 1, 0
        else:
            gap += 1
            if gap > 1:
                break
    return end if end - start >= max(3, height // 60) else 0


@dataclass
class _Band:
    top: int
    bottom: int
    left: int
    right: int
    screen_left: int
    screen_right: int


def _bands(rows: list[_Row], start: int) -> list[_Band]:
    bands: list[_Band] = []
    current: list[tuple[int, _Row]] = []
    gap = 0

    def close() -> None:
        if len(current) >= 2:
            xs0 = [r.x0 for _, r in current]
            xs1 = [r.x1 for _, r in current]
            lefts = sorted(r.left for _, r in current)
            rights = sorted(r.right for _, r in current)
            left, right = min(xs0), max(xs1)
            if right - left >= 3:
                bands.append(
                    _Band(
                        current[0][0],
                        current[-1][0] + 1,
                        left,
                        right,
                        lefts[len(lefts) // 2],
                        rights[len(rights) // 2],
                    )
                )
        current.clear()

    for y in range(start, len(rows)):
        row = rows[y]
        if row.full:
            close()
            gap = 0
            continue
        if row.x1 > row.x0:
            current.append((y, row))
            gap = 0
        elif current:
            gap += 1
            if gap > 1:
                close()
    close()
    return bands


def _colour(small: Any, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    crop = small.crop(box)
    colours = crop.getcolors(max(1, crop.width * crop.height)) or [(1, (255, 255, 255))]
    colour = max(colours, key=lambda c: c[0])[1]
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def _region(small: Any, band: _Band, background: tuple[int, int, int], threshold: int) -> Region:
    colour = _colour(small, (band.left, band.top, band.right, band.bottom))
    bubble = max(abs(a - b) for a, b in zip(colour, background, strict=False)) > max(threshold, 8)
    span = max(1, band.screen_right - band.screen_left)
    before = (band.left - band.screen_left) / span
    after = (band.screen_right - band.right) / span
    side: str | None = None
    if before > 0.2 and after > 0.2 and abs(before - after) < 0.06:
        side = "centre"
    elif bubble and before < 0.1 and after > 0.12:
        side = RECEIVED
    elif bubble and after < 0.1 and before > 0.12:
        side = SENT
    return Region("bubble" if bubble else "text", (0, 0, 0, 0), colour, side)


# ---- reading one region -----------------------------------------------------------------------


def _read_region(engine: Engine, image: Any, box: tuple[int, int, int, int], clean: bool) -> list[Line]:
    from PIL import ImageOps

    crop = image.crop(box).convert("L")
    # The shade of the bubble (or screen) and of its text, from the middle of the region: its
    # corners may show the screen around a rounded bubble, or a photo's dark frame.
    dx, dy = crop.width // 12, crop.height // 6
    middle = crop.crop((dx, dy, crop.width - dx, crop.height - dy)) if crop.height > 12 else crop
    histogram = middle.histogram()
    level = max(range(256), key=histogram.__getitem__)
    brighter = sum(histogram[level + 40 :])
    darker = sum(histogram[: max(0, level - 40)])
    if brighter > darker:  # light text on a darker bubble or screen
        crop = ImageOps.invert(crop)
        level = 255 - level
        histogram = histogram[::-1]
    # Black text on white, by a threshold between the bubble's shade and its text's (the darkest
    # 0.5% of the middle): the screen around a bubble and a photo's moiré go to white. Left
    # to Tesseract, a grey bubble between a white screen and black text is often taken for text.
    wanted, seen, ink = max(1, sum(histogram) // 200), 0, 0
    for shade, count in enumerate(histogram):
        seen += count
        ink = shade
        if seen >= wanted:
            break
    if level - ink >= 40:
        # Nearer the bubble on a clean screenshot (grey times keep their strokes), halfway on a
        # photo (its noise and moiré darken the bubble).
        cut = level - (level - ink) * (3 if clean else 5) // 10
        crop = crop.point(lambda v: 0 if v < cut else 255)
    else:
        crop = ImageOps.autocontrast(crop, cutoff=1)
    scale = 1.0
    if crop.height and image.width < 700:  # a small screen's text: Tesseract wants it larger
        scale = 2.0
        crop = crop.resize((crop.width * 2, crop.height * 2), 3)
    crop = ImageOps.expand(crop, border=10, fill=255)
    words = engine.read(crop, offset=(box[0] - round(10 / scale), box[1] - round(10 / scale)), scale=scale)
    return _lines(words)


def _lines(words: list[Word]) -> list[Line]:
    grouped: dict[int, list[Word]] = {}
    for word in words:
        if _is_noise(word):
            continue
        grouped.setdefault(word.line, []).append(word)
    out = []
    for number in sorted(grouped, key=lambda n: min(w.top for w in grouped[n])):
        line_words = sorted(grouped[number], key=lambda w: w.left)
        left = min(w.left for w in line_words)
        top = min(w.top for w in line_words)
        right = max(w.left + w.width for w in line_words)
        bottom = max(w.top + w.height for w in line_words)
        out.append(
            Line(
                " ".join(_fix_word(w.text) for w in line_words),
                _mean_confidence(line_words),
                (left, top, right - left, bottom - top),
                tuple(line_words),
            )
        )
    return out


_NOISE = re.compile(r"[\W_]{1,2}")


def _is_noise(word: Word) -> bool:
    """A lone mark read with little confidence (an avatar's edge, an emoji Tesseract cannot read)."""
    return bool(_NOISE.fullmatch(word.text)) and word.confidence < 50


def _fix_word(text: str) -> str:
    """`|` on its own is almost always the word I in chat text (Tesseract reads the capital I of
    sans-serif fonts as a bar)."""
    return "I" if text == "|" else text


def _mean_confidence(words: list[Word]) -> float:
    total = sum(len(w.text) for w in words)
    if not total:
        return 0.0
    return round(sum(w.confidence * len(w.text) for w in words) / total, 1)


def _as_box(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (box[0], box[1], box[2] - box[0], box[3] - box[1])
