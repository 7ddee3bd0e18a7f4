"""One file read where it is: its SHA-1 and MD5, and a picture's PDQ, or a sentence saying why not.

Every bad picture a person may have (damaged, cut short, a format Pillow is not allowed to decode,
one that declares billions of pixels) is a recorded reason, never an exception.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from evidencekit.perceptual.facts import NO_VIDEO_HASH, hash_media, media_kind

from .conftest import DATA, png_declaring, reference

EXPECTED = {
    row["file"]: row
    for row in csv.DictReader((DATA / "pdq_reference.csv").read_text(encoding="utf-8").splitlines())
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_photo_gets_its_pdq_quality_sha1_and_md5(originals: Path) -> None:
    photo = reference("scene.png", originals, "holiday.png")
    facts = hash_media(photo, "image", _sha256(photo))
    assert facts.pdq is not None
    assert (facts.pdq.hash, facts.pdq.quality) == (EXPECTED["scene.png"]["pdq"], 76)
    assert facts.sha1 == hashlib.sha1(photo.read_bytes()).hexdigest()
    assert facts.md5 == hashlib.md5(photo.read_bytes()).hexdigest()
    assert facts.problem is None


def test_a_jpeg_with_exif_rotation_is_hashed_as_it_is_shown(originals: Path) -> None:
    """A phone stores a portrait photo sideways with an EXIF orientation; platforms hash the picture
    as it is shown, so evidencekit turns it first."""
    from PIL import Image

    upright = Image.open(DATA / "grey-portrait.png").convert("RGB")
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to show"
    turned, plain = originals / "turned.jpg", originals / "upright.jpg"
    sideways.save(turned, quality=95, exif=exif)
    upright.save(plain, quality=95)
    first = hash_media(turned, "image", None).pdq
    second = hash_media(plain, "image", None).pdq
    assert first is not None and second is not None
    from evidencekit.perceptual.pdq import hamming

    assert hamming(first.hash, second.hash) <= 8


def test_a_damaged_picture_has_no_pdq_and_says_why(originals: Path) -> None:
    broken = originals / "broken.jpg"
    data = (DATA / "scene.png").read_bytes()
    broken.write_bytes(data[: len(data) // 3])  # cut short, as a failed download is
    facts = hash_media(broken, "image", None)
    assert facts.pdq is None
    assert "damaged or cut short" in (facts.problem or "")
    assert facts.sha1 == hashlib.sha1(broken.read_bytes()).hexdigest()  # still listed by MD5/SHA-1


def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded(originals: Path) -> None:
    bomb = originals / "bomb.png"
    bomb.write_bytes(png_declaring(60_000, 60_000))
    facts = hash_media(bomb, "image", None)
    assert facts.pdq is None
    assert facts.problem == "the picture says it is 60000×60000 pixels, too large to decode safely"


def test_a_format_that_is_not_decoded_is_named(originals: Path) -> None:
    heic = originals / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200)
    facts = hash_media(heic, "image", None)
    assert facts.pdq is None
    assert "HEIC" in (facts.problem or "")
    assert facts.md5 is not None


def test_a_file_changed_since_capture_is_not_hashed(originals: Path) -> None:
    photo = reference("scene.png", originals)
    recorded = _sha256(photo)
    photo.write_bytes(photo.read_bytes() + b"!")
    facts = hash_media(photo, "image", recorded)
    assert (facts.pdq, facts.sha1, facts.md5) == (None, None, None)
    assert "no longer the file that was captured" in (facts.problem or "")


def test_a_video_gets_sha1_and_md5_and_the_reason_for_no_perceptual_hash(video: Path) -> None:
    facts = hash_media(video, "video", _sha256(video))
    assert facts.pdq is None
    assert facts.problem == NO_VIDEO_HASH
    assert facts.md5 == hashlib.md5(video.read_bytes()).hexdigest()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_is_not_followed(originals: Path) -> None:
    photo = reference("scene.png", originals)
    link = originals / "link.png"
    link.symlink_to(photo)
    facts = hash_media(link, "image", None)
    assert facts.pdq is None and facts.sha1 is None
    assert "could not be opened" in (facts.problem or "")


def test_a_missing_file_is_a_sentence(originals: Path) -> None:
    facts = hash_media(originals / "gone.jpg", "image", None)
    assert facts.problem is not None and facts.problem.startswith("it could not be opened")


def test_which_files_are_hashed() -> None:
    assert media_kind("screenshot", "image/png") == "image"
    assert media_kind("other", "image/jpeg") == "image"
    assert media_kind("video", None) == "video"
    assert media_kind("chat-export", "application/zip") is None
    assert media_kind("document", "application/pdf") is None


def test_a_damaged_picture_is_still_refused_after_a_report_was_printed_by_weasyprint(originals: Path) -> None:
    # WeasyPrint, once loaded, tells Pillow to take cut-short pictures as whole, for the whole
    # process; the report is printed in the same process as previews and hashes are made.
    from evidencekit.report.render import pdf_engine_available, render_pdf

    if not pdf_engine_available("weasyprint"):
        pytest.skip("WeasyPrint is not installed")
    render_pdf("<p>a report</p>", engines=("weasyprint",))
    broken = originals / "broken.jpg"
    data = (DATA / "scene.png").read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    facts = hash_media(broken, "image", None)
    assert facts.pdq is None
    assert "damaged or cut short" in (facts.problem or "")
