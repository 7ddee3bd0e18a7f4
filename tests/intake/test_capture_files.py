"""Capturing files: copied byte for byte, hashed once, originals untouched, every fact recorded."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from evidencekit.case.seal import seal_case
from evidencekit.errors import CaseSealedError, InputFileError, InvalidValueError
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag
from tests.unprivileged import cannot_read, without_special_rights


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_screenshot_is_copied_exactly_and_described(case, tmp_path):
    shot = tmp_path / "Screenshot_20260314-210741_Instagram.png"
    Image.new("RGB", (390, 844), (250, 250, 250)).save(shot)
    before = fingerprint(shot)

    result = capture(case, [shot], note="threat on Instagram", tags=["threat", "instagram"])

    assert fingerprint(shot) == before, "the original must not change"
    [item] = result.added
    assert item["id"] == "E0001"
    assert item["kind"] == "screenshot"
    assert item["bag_path"] == "data/items/E0001-Screenshot_20260314-210741_Instagram.png"
    stored = case.root / item["bag_path"]
    assert stored.read_bytes() == shot.read_bytes()
    assert stored.stat().st_mtime_ns == shot.stat().st_mtime_ns, "the copy keeps the original's time"
    assert item["sha256"] == hashlib.sha256(shot.read_bytes()).hexdigest()
    assert item["md5"] == hashlib.md5(shot.read_bytes()).hexdigest()  # images get MD5 for hash matching
    assert item["mime"] == "image/png" and item["mime_mismatch"] is False
    assert item["image"]["width"] == 390 and item["image"]["height"] == 844
    assert item["note"] == "threat on Instagram" and item["tags"] == ["threat", "instagram"]
    assert item["source_path"] == str(shot.absolute())
    assert item["captured_at"].endswith("Z") and item["captured_by"] == "Sam Helper"
    assert f"{item['sha256']}  {item['bag_path']}\n" in (case.root / "manifest-sha256.txt").read_text()
    assert case.custody_entries()[-1]["action"] == "item-captured"
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_exif_capture_time_offset_software_and_gps_are_read_from_the_exif_ifd(case, tmp_path):
    photo = tmp_path / "IMG_0042.jpg"
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0131] = "18.3"  # Software
    exif.get_ifd(0x8769)[0x9003] = "2026:03:14 21:07:41"  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9011] = "+01:00"  # OffsetTimeOriginal
    exif.get_ifd(0x8825)[1] = "N"  # GPSLatitudeRef
    Image.new("RGB", (64, 48), (10, 20, 30)).save(photo, exif=exif)

    [item] = capture(case, [photo]).added

    facts = item["image"]
    assert item["kind"] == "image"
    assert facts["exif_datetime_original"] == "2026:03:14 21:07:41"
    assert facts["exif_offset_time_original"] == "+01:00"
    assert facts["exif_datetime_original_iso"] == "2026-03-14T21:07:41+01:00"
    assert facts["camera_make"] == "Apple" and facts["camera_model"] == "iPhone 15"
    assert facts["software"] == "18.3"
    assert facts["gps_present"] is True


def test_a_png_that_is_really_a_pdf_is_stored_as_it_is_and_flagged(case, tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    result = capture(case, [fake])

    [item] = result.added
    assert item["mime"] == "application/pdf"
    assert item["mime_by_extension"] == "image/png"
    assert item["mime_mismatch"] is True
    assert (case.root / item["bag_path"]).read_bytes() == fake.read_bytes()
    assert any("named like image/png but its content is application/pdf" in w for w in result.warnings)


def test_a_file_already_in_the_case_is_not_stored_twice(case, evidence, tmp_path):
    copy = tmp_path / "same-again.txt"
    copy.write_bytes((evidence / "chat.txt").read_bytes())
    capture(case, [evidence / "chat.txt"])

    result = capture(case, [copy])

    assert result.added == []
    assert result.duplicates == [(str(copy), "E0001")]
    assert len(case.items()) == 1
    assert len(list((case.root / "data/items").iterdir())) == 1
    assert verify_case(case.root).ok


def test_two_identical_files_in_one_command_are_stored_once(case, evidence, tmp_path):
    twin = tmp_path / "twin.txt"
    twin.write_bytes((evidence / "chat.txt").read_bytes())
    result = capture(case, [evidence / "chat.txt", twin])
    assert [i["id"] for i in result.added] == ["E0001"]
    assert result.duplicates == [(str(twin), "E0001")]
    assert verify_case(case.root).ok


def test_a_sensitive_image_is_hashed_where_it_is_and_never_copied(case, tmp_path):
    private = tmp_path / "private.jpg"
    Image.new("RGB", (32, 32), (200, 150, 150)).save(private)
    content = private.read_bytes()

    result = capture(case, [private], sensitive=True, note="image the offender threatens to share")

    [item] = result.added
    assert item["by_reference"] is True and item["sensitive"] is True
    assert item["bag_path"] is None
    assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert item["md5"] == hashlib.md5(content).hexdigest()
    assert list((case.root / "data").rglob("*.jpg")) == []
    for path in case.root.rglob("*"):
        if path.is_file():
            assert content not in path.read_bytes(), f"image bytes leaked into {path}"
    assert private.read_bytes() == content
    report = verify_case(case.root, check_originals=True)
    assert report.ok
    assert {f.code for f in report.findings} >= {"by-reference", "original-matches"}


def test_an_empty_file_is_recorded_with_a_plain_warning(case, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = capture(case, [empty])
    assert result.added[0]["size"] == 0
    assert any("is empty (0 bytes)" in w for w in result.warnings)
    assert_valid_bag(case.root)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("new\nline.txt", "new_line.txt"),
        ("50%off.txt", "50_off.txt"),
        ("back\\slash.txt", "back_slash.txt"),
        ("-rf.txt", "rf.txt"),
        (".hidden", "hidden"),
        ("Ünïcödé é.txt", "Ünïcödé é.txt"),
        ('what?<>:"|*.txt', "what_______.txt"),
    ],
)
def test_awkward_file_names_are_stored_under_names_every_tool_reads(case, tmp_path, name, stored):
    original = tmp_path / name
    original.write_text("evidence")
    result = capture(case, [original])
    [item] = result.added
    assert item["original_name"] == name
    assert item["bag_path"] == f"data/items/E0001-{stored}"
    assert_valid_bag(case.root)


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes")
def test_a_name_that_is_not_utf8_keeps_its_exact_bytes_in_the_record(case, tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(b"latin-1 name")
    [item] = capture(case, [Path(os.fsdecode(raw))]).added
    assert item["original_name"] == "caf\ufffd.txt"
    assert bytes.fromhex(item["source_path_bytes_hex"]) == raw
    assert item["bag_path"] == "data/items/E0001-caf_.txt"
    assert_valid_bag(case.root)


def test_a_large_file_is_copied_in_one_streaming_pass(case, tmp_path):
    big = tmp_path / "recording.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024 + 123))
    seen = []
    [item] = capture(case, [big], progress=lambda p: seen.append(p)).added
    assert (case.root / item["bag_path"]).read_bytes() == big.read_bytes()
    assert item["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert seen[-1].done_bytes == seen[-1].total_bytes == big.stat().st_size


def test_a_file_that_changes_while_it_is_read_is_refused_and_nothing_is_kept(case, tmp_path):
    growing = tmp_path / "still-downloading.bin"
    growing.write_bytes(os.urandom(64 * 1024 * 1024))
    stop = threading.Event()

    def keep_writing() -> None:
        with open(growing, "ab") as handle:
            while not stop.is_set():
                handle.write(b"x" * 4096)
                handle.flush()
                time.sleep(0.0005)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        time.sleep(0.02)
        with pytest.raises(InputFileError, match="changed while evidencekit was reading it"):
            capture(case, [growing])
    finally:
        stop.set()
        writer.join()
    assert case.items() == []
    assert list((case.root / "data/items").iterdir()) == []
    assert not (case.root / ".evidencekit-txn").exists()
    assert verify_case(case.root).ok


def test_bad_paths_are_refused_with_a_clear_sentence_and_nothing_is_captured(case, evidence, tmp_path):
    with pytest.raises(InputFileError, match="There is no file or folder at"):
        capture(case, [evidence / "chat.txt", tmp_path / "missing.png"])
    with pytest.raises(InputFileError, match="No files or folders were given"):
        capture(case, [])
    with pytest.raises(InputFileError, match="part of the case folder"):
        capture(case, [case.root / "bagit.txt"])
    with pytest.raises(InvalidValueError, match="kind of item"):
        capture(case, [evidence / "chat.txt"], kind="selfie")
    fifo = tmp_path / "pipe"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        with pytest.raises(InputFileError, match="not a regular file"):
            capture(case, [fifo])
    assert case.items() == []


# capture() run in a process of its own without root's rights (tests/unprivileged.py), so that the
# file's permissions apply in CI too; it prints the error it raised.
_CAPTURE_AS_A_USER = """
import sys
from pathlib import Path
from evidencekit.case.case import Case
from evidencekit.errors import EvidenceKitError
from evidencekit.intake.files import capture
try:
    capture(Case(Path(sys.argv[1])), [Path(sys.argv[2])])
except EvidenceKitError as error:
    print(type(error).__name__, error.message, sep=": ")
else:
    print("captured")
"""


def test_an_unreadable_file_is_refused(case, tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    assert cannot_read(locked)  # the precondition: else the test proves nothing
    done = subprocess.run(
        [*without_special_rights(), sys.executable, "-c", _CAPTURE_AS_A_USER, str(case.root), str(locked)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("InputFileError: ") and "cannot read" in done.stdout
    assert case.items() == []


def test_a_sealed_case_refuses_new_items(case, evidence):
    seal_case(case)
    with pytest.raises(CaseSealedError, match="sealed"):
        capture(case, [evidence / "chat.txt"])
