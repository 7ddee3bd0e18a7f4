"""The under-18 safeguard: in a case where someone shown was under 18, no image or video is copied
without an explicit answer, wherever it is in the input, and a refusal leaves the case untouched."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from evidencekit.case.case import Case, create_case
from evidencekit.errors import InvalidValueError
from evidencekit.intake.files import capture
from evidencekit.intake.safeguard import UnderEighteenMediaError, media_in_paths
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


@pytest.fixture
def minor_case(tmp_path: Path) -> Case:
    return create_case(tmp_path / "case", collector="Helper", flags={"under_18": True})


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def snapshot(case: Case) -> dict[str, bytes]:
    """Every file in the case folder, so a test can show that nothing at all changed."""
    return {p.relative_to(case.root).as_posix(): p.read_bytes() for p in case.root.rglob("*") if p.is_file()}


@pytest.fixture
def originals(tmp_path: Path) -> Path:
    folder = tmp_path / "originals"
    (folder / "export" / "media").mkdir(parents=True)
    (folder / "chat.txt").write_text("pay or else\n", encoding="utf-8")
    (folder / "screenshot.png").write_bytes(png_bytes())
    (folder / "export" / "messages.json").write_text("[]", encoding="utf-8")
    (folder / "export" / "media" / "IMG_0001").write_bytes(png_bytes("blue"))  # no telling name
    with zipfile.ZipFile(folder / "WhatsApp Chat.zip", "w") as archive:
        archive.writestr("WhatsApp Chat.txt", "14/03/2026, 21:05 - Alex: pay\n")
        archive.writestr("IMG-20260314-WA0001.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    with zipfile.ZipFile(folder / "text-only.zip", "w") as archive:
        archive.writestr("chat.txt", "nothing to see\n")
    with tarfile.open(folder / "backup.tar.gz", "w:gz") as archive:
        data = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
        info = tarfile.TarInfo("videos/clip")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (folder / "mystery.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 32)
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    return folder


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("screenshot.png", ["screenshot.png"]),
        ("export", ["export/media/IMG_0001"]),
        ("WhatsApp Chat.zip", ["WhatsApp Chat.zip → IMG-20260314-WA0001.jpg"]),
        ("backup.tar.gz", ["backup.tar.gz → videos/clip"]),
        ("mystery.7z", ["mystery.7z"]),
        ("broken.zip", ["broken.zip"]),
        ("chat.txt", []),
        ("text-only.zip", []),
    ],
)
def test_images_and_videos_are_found_wherever_they_are(minor_case, originals, name, expected):
    found = media_in_paths([originals / name], minor_case.root)
    assert [f.path.replace(str(originals) + "/", "") for f in found] == expected


@pytest.mark.parametrize(
    "name", ["screenshot.png", "export", "WhatsApp Chat.zip", "backup.tar.gz", "mystery.7z"]
)
def test_a_refusal_copies_nothing(minor_case, originals, name):
    before = snapshot(minor_case)
    with pytest.raises(UnderEighteenMediaError) as refused:
        capture(minor_case, [originals / "chat.txt", originals / name])
    assert "Nothing was captured" in refused.value.hint
    assert "--not-intimate" in refused.value.hint and "--sensitive" in refused.value.hint
    assert "under 18" in refused.value.message and "unlawful" in refused.value.message
    assert snapshot(minor_case) == before  # not even chat.txt, which came first
    assert not (minor_case.root / ".evidencekit-txn").exists()


def test_files_without_images_are_captured_as_usual(minor_case, originals):
    result = capture(minor_case, [originals / "chat.txt", originals / "text-only.zip"])
    assert [r["original_name"] for r in result.added] == ["chat.txt", "text-only.zip"]
    assert not any("not_intimate_confirmed" in r for r in result.added)


def test_not_intimate_copies_them_and_records_the_confirmation(minor_case, originals):
    result = capture(minor_case, [originals / "screenshot.png", originals / "export"], not_intimate=True)
    assert all(r["not_intimate_confirmed"] is True for r in result.added)
    assert (minor_case.root / result.added[0]["bag_path"]).read_bytes() == png_bytes()
    logged = [e for e in minor_case.custody_entries() if e["action"] == "item-captured"]
    assert all(e["details"]["not_intimate_confirmed"] is True for e in logged)
    assert verify_case(minor_case.root).ok
    assert_valid_bag(minor_case.root)


def test_sensitive_records_them_by_reference_and_copies_nothing(minor_case, originals):
    result = capture(minor_case, [originals / "WhatsApp Chat.zip"], sensitive=True)
    record = result.added[0]
    assert record["by_reference"] is True and record["bag_path"] is None
    assert not any((minor_case.root / "data" / "items").iterdir())
    assert verify_case(minor_case.root).ok


def test_both_answers_at_once_are_refused(minor_case, originals):
    with pytest.raises(InvalidValueError, match="opposite"):
        capture(minor_case, [originals / "screenshot.png"], sensitive=True, not_intimate=True)


def test_cases_without_the_flag_are_not_affected(case, originals):
    result = capture(case, [originals / "screenshot.png"])
    assert result.added[0]["bag_path"] is not None


def test_the_check_does_not_depend_on_file_names(minor_case, tmp_path):
    disguised = tmp_path / "notes.txt"
    disguised.write_bytes(png_bytes())  # a picture renamed to look like text
    with pytest.raises(UnderEighteenMediaError):
        capture(minor_case, [disguised])


def test_libmagic_is_called_in_one_place_only():
    """filetype owns libmagic (its per-thread handles); the safeguard asks filetype."""
    import inspect

    from evidencekit.intake import filetype, safeguard

    source = inspect.getsource(safeguard)
    assert "from_buffer" not in source and "_magic_pair" not in source
    assert filetype.mime_by_content(png_bytes()) in (None, "image/png")
