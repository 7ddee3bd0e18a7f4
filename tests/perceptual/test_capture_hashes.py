"""At capture: every picture's PDQ and SHA-1, sensitive ones included, hashed where the file is.

A helpline getting a photo taken down needs its PDQ; the photo itself must never be copied into
the case, previewed or kept. These captures are the story of a person saving their evidence.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from evidencekit.case.case import Case
from evidencekit.case.records import ITEMS
from evidencekit.intake.files import capture
from evidencekit.perceptual.facts import NO_VIDEO_HASH

from .conftest import DATA, reference

EXPECTED = {
    row["file"]: row
    for row in csv.DictReader((DATA / "pdq_reference.csv").read_text(encoding="utf-8").splitlines())
}


def _every_file(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_sensitive_photo_gets_its_pdq_and_is_still_never_copied(case: Case, originals: Path) -> None:
    photo = reference("scene.png", originals, "IMG_2041.png")
    result = capture(case, [photo], sensitive=True)
    record = result.added[0]
    assert record["by_reference"] is True and record["bag_path"] is None
    assert record["perceptual"]["pdq"] == EXPECTED["scene.png"]["pdq"]
    assert record["perceptual"]["pdq_quality"] == 76
    assert record["perceptual"]["problem"] is None
    assert record["sha1"] == hashlib.sha1(photo.read_bytes()).hexdigest()
    picture = photo.read_bytes()
    for path in _every_file(case.root):  # not a byte of the picture anywhere in the case
        assert picture[1000:1064] not in path.read_bytes(), path
    assert ITEMS.problem(case.items()[0]) is None


def test_a_screenshot_stored_in_the_case_gets_its_pdq_too(case: Case, originals: Path) -> None:
    shot = reference("chat-screenshot.png", originals, "Screenshot 2026-03-14.png")
    record = capture(case, [shot]).added[0]
    assert record["bag_path"] is not None
    assert record["perceptual"]["pdq"] == EXPECTED["chat-screenshot.png"]["pdq"]


def test_a_damaged_picture_is_kept_with_a_reason_and_a_warning(case: Case, originals: Path) -> None:
    broken = originals / "photo.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13" * 400)
    result = capture(case, [broken], sensitive=True)
    record = result.added[0]
    assert record["perceptual"]["pdq"] is None
    assert record["perceptual"]["problem"]
    assert any("has no perceptual hash (PDQ)" in warning for warning in result.warnings)
    assert record["sha1"] == hashlib.sha1(broken.read_bytes()).hexdigest()


def test_a_video_gets_sha1_and_says_why_it_has_no_perceptual_hash(case: Case, video: Path) -> None:
    record = capture(case, [video], sensitive=True).added[0]
    assert record["kind"] == "video"
    assert record["md5"] == hashlib.md5(video.read_bytes()).hexdigest()
    assert record["sha1"] == hashlib.sha1(video.read_bytes()).hexdigest()
    assert record["perceptual"]["problem"] == NO_VIDEO_HASH


def test_each_picture_of_a_folder_is_hashed_and_documents_are_not(case: Case, originals: Path) -> None:
    folder = originals / "from-phone"
    reference("scene.png", folder)
    reference("noise-gradients.png", folder / "more")
    (folder / "notes.txt").write_text("what he said\n", encoding="utf-8")
    record = capture(case, [folder]).added[0]
    by_path = {entry["path"]: entry for entry in record["files"]}
    assert by_path["scene.png"]["perceptual"]["pdq"] == EXPECTED["scene.png"]["pdq"]
    assert by_path["more/noise-gradients.png"]["perceptual"]["pdq"] == EXPECTED["noise-gradients.png"]["pdq"]
    assert "perceptual" not in by_path["notes.txt"]
    assert ITEMS.problem(case.items()[0]) is None


def test_a_sensitive_folder_is_hashed_where_it_lives(case: Case, originals: Path) -> None:
    folder = originals / "private"
    reference("grey-portrait.png", folder)
    record = capture(case, [folder], sensitive=True).added[0]
    assert record["by_reference"] is True
    entry = record["files"][0]
    assert entry["perceptual"]["pdq"] == EXPECTED["grey-portrait.png"]["pdq"]


def test_a_picture_withheld_from_a_folder_is_hashed_where_it_is(case: Case, originals: Path) -> None:
    """The same photo captured earlier as sensitive is withheld from a later folder; it is still
    hashed, in its own place, for the hash list."""
    first = reference("scene.png", originals, "first.png")
    capture(case, [first], sensitive=True)
    folder = originals / "camera roll"
    reference("scene.png", folder, "copy.png")
    reference("chat-screenshot.png", folder)
    record = capture(case, [folder]).added[0]
    held = record["withheld_files"][0]
    assert held["perceptual"]["pdq"] == EXPECTED["scene.png"]["pdq"]
    assert ITEMS.problem(case.items()[1]) is None
