"""The report makes small previews of screenshots; a screenshot in a case may be hostile.

A few kilobytes of PNG can declare 60,000 × 60,000 pixels (gigabytes once decoded). Such a picture
is refused from its header, before anything is decoded, and the report says why. So is a
picture that is cut short, or one that only pretends to be a PNG. Every file here is made by
Pillow, then (for the bombs) its header is rewritten to declare another size, as an attacker would.
"""

from __future__ import annotations

import hashlib
import io
import struct
import threading
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from evidencekit.report import thumbnails
from evidencekit.report.thumbnails import Candidate, make_thumbnails

TOO_LARGE = "the picture says it is {}×{} pixels, too large to preview safely"


def pillow_bytes(fmt: str, size: tuple[int, int] = (64, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 200 if mode in ("1", "L") else (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small real PNG whose header (IHDR, with a correct CRC) declares width × height."""
    data = bytearray(pillow_bytes("PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) declares width × height."""
    data = bytearray(pillow_bytes("JPEG"))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_declaring(width: int, height: int) -> bytes:
    """A small real GIF whose logical screen declares width × height."""
    data = bytearray(pillow_bytes("GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def in_case(tmp_path: Path, data: bytes, name: str = "E0001-shot.png") -> tuple[Path, Candidate]:
    root = tmp_path / "case"
    items = root / "data" / "items"
    items.mkdir(parents=True, exist_ok=True)
    (items / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return root, Candidate("E0001", "shot.png", items / name, digest)


def preview(tmp_path: Path, data: bytes) -> tuple[list[thumbnails.Thumbnail], list[str]]:
    root, candidate = in_case(tmp_path, data)
    return make_thumbnails(root, [candidate])


def test_an_ordinary_screenshot_still_gets_its_preview(tmp_path):
    pictures, problems = preview(tmp_path, pillow_bytes("PNG", (1080, 2340)))

    assert problems == []
    [picture] = pictures
    assert picture.data_uri.startswith("data:image/jpeg;base64,")
    assert picture.width == thumbnails.MAX_WIDTH and picture.height <= thumbnails.MAX_HEIGHT


@pytest.mark.parametrize(
    ("make", "width", "height"),
    [(png_declaring, 60000, 60000), (jpeg_declaring, 65000, 65000), (gif_declaring, 60000, 60000)],
    ids=["png", "jpeg", "gif"],
)
def test_a_picture_declaring_a_huge_size_is_refused_from_its_header(tmp_path, make, width, height):
    data = make(width, height)
    assert len(data) < 2000  # a few hundred bytes, claiming billions of pixels

    pictures, problems = preview(tmp_path, data)

    assert pictures == []
    assert problems == ["E0001: " + TOO_LARGE.format(width, height)]


def test_a_real_picture_just_over_the_limit_is_refused_without_a_warning(tmp_path):
    """A valid 12,000 × 9,000 PNG (108 megapixels, 16 KB): Pillow itself would only warn about it,
    through the process-wide `warnings` machinery (which pytest turns into errors here)."""
    data = pillow_bytes("PNG", (12000, 9000), mode="1")
    assert len(data) < 100_000

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning at all would fail this test
        pictures, problems = preview(tmp_path, data)

    assert pictures == []
    assert problems == ["E0001: " + TOO_LARGE.format(12000, 9000)]


def cut_short() -> bytes:
    whole = io.BytesIO()
    Image.effect_noise((300, 300), 64).convert("RGB").save(whole, "PNG")
    return whole.getvalue()[: len(whole.getvalue()) // 2]


def test_a_picture_cut_short_gets_no_preview_and_no_crash(tmp_path, monkeypatch):
    # Pillow's default; WeasyPrint (the PDF renderer) turns it on for the whole process when it is
    # imported, and earlier tests in this process may have made a PDF.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)

    pictures, problems = preview(tmp_path, cut_short())

    assert pictures == []
    assert problems == ["E0001: the picture is damaged or cut short, so no preview was made"]


def test_a_picture_cut_short_never_crashes_once_a_pdf_was_made(tmp_path, monkeypatch):
    """After WeasyPrint is imported Pillow fills in what is missing instead of refusing; the
    preview then shows the picture's first half. Either way, nothing crashes."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    pictures, problems = preview(tmp_path, cut_short())

    assert len(pictures) + len(problems) == 1


@pytest.mark.parametrize("fmt", ["TIFF", "EPS", "ICO", "PPM"])
def test_a_picture_of_another_kind_named_and_recorded_as_png_is_not_decoded(tmp_path, fmt):
    """Only the formats screenshots come in are read (EPS would be handed to Ghostscript)."""
    pictures, problems = preview(tmp_path, pillow_bytes(fmt, mode="L" if fmt == "EPS" else "RGB"))

    assert pictures == []
    [problem] = problems
    assert "its bytes are not a PNG, JPEG, WebP, GIF or BMP picture" in problem


def test_something_that_only_begins_like_a_png_is_refused(tmp_path):
    data = b"\x89PNG\r\n\x1a\n" + b"this is not a picture at all" * 10

    pictures, problems = preview(tmp_path, data)

    assert pictures == []
    assert problems == [
        "E0001: the picture's header is damaged, or it only begins like a picture, so no preview was made"
    ]


def test_text_with_a_picture_name_is_refused(tmp_path):
    pictures, problems = preview(tmp_path, b"I am a text file called shot.png\n")

    assert pictures == []
    assert "not a PNG, JPEG, WebP, GIF or BMP picture" in problems[0]


def test_a_screenshot_swapped_for_a_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(pillow_bytes("PNG"))
    root, candidate = in_case(tmp_path, outside.read_bytes())
    candidate.path.unlink()
    candidate.path.symlink_to(outside)

    pictures, problems = make_thumbnails(root, [candidate])

    assert pictures == []
    assert problems == ["E0001: the stored file is a link or not a plain file (run evidencekit verify)"]


def test_problems_keep_the_order_of_the_pictures(tmp_path):
    root, first = in_case(tmp_path, png_declaring(60000, 60000), "E0001-a.png")
    _, second = in_case(tmp_path, b"not a picture", "E0002-b.png")
    _, third = in_case(tmp_path, pillow_bytes("PNG"), "E0003-c.png")
    second = Candidate("E0002", "b.png", second.path, second.sha256)
    third = Candidate("E0003", "c.png", third.path, third.sha256)

    for _ in range(5):  # two threads make the previews; the order must not depend on them
        pictures, problems = make_thumbnails(root, [first, second, third])
        assert [p.item_id for p in pictures] == ["E0003"]
        assert [p.split(":")[0] for p in problems] == ["E0001", "E0002"]


def test_previews_never_touch_the_process_wide_warning_filters(tmp_path):
    """`warnings.catch_warnings` swaps the filters of the whole process, unsafely across threads,
    and previews are made on two threads beside whatever else runs."""

    def forbidden(*_args, **_kwargs):
        raise AssertionError(f"warnings filters changed on {threading.current_thread().name}")

    root, bomb = in_case(tmp_path, png_declaring(60000, 60000), "E0001-a.png")
    _, fine = in_case(tmp_path, pillow_bytes("PNG"), "E0002-b.png")
    fine = Candidate("E0002", "b.png", fine.path, fine.sha256)
    names = ("catch_warnings", "simplefilter", "filterwarnings", "resetwarnings")
    saved = {name: getattr(warnings, name) for name in names}
    try:  # not monkeypatch: pytest itself uses these functions once the test is over
        for name in names:
            setattr(warnings, name, forbidden)
        pictures, problems = make_thumbnails(root, [bomb, fine])
    finally:
        for name, function in saved.items():
            setattr(warnings, name, function)

    assert [p.item_id for p in pictures] == ["E0002"]
    assert problems == ["E0001: " + TOO_LARGE.format(60000, 60000)]


def test_the_report_says_why_a_screenshot_has_no_preview(tmp_path, case):
    from evidencekit.intake.files import capture
    from evidencekit.report.build import build_report

    shot = tmp_path / "Screenshot_threat.png"
    shot.write_bytes(png_declaring(60000, 60000))
    capture(case, [shot], kind="screenshot", note="looks small, claims to be huge")

    build_report(case, formats=["html"])

    html = (case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "No preview for E0001: " + TOO_LARGE.format(60000, 60000) + "." in html
    assert "<img" not in html
