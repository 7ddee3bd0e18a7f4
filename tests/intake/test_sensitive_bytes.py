"""Bytes a case records as sensitive are never stored by a later capture: not alone, not inside a
folder or a chat-export folder, not inside a zip. Such a file is recorded by reference, and the
capture's warnings and the item record say why."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image

from evidencekit.case.case import Case
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "purple").save(buffer, format="JPEG")
    return buffer.getvalue()


PHOTO = photo_bytes()


def case_holds(case: Case, data: bytes) -> list[str]:
    """Every file in the case folder (staging included) whose bytes contain `data`."""
    return [
        p.relative_to(case.root).as_posix()
        for p in case.root.rglob("*")
        if p.is_file() and data in p.read_bytes()
    ]


def sensitive_photo(case: Case, tmp_path: Path) -> Path:
    original = tmp_path / "private" / "photo.jpg"
    original.parent.mkdir()
    original.write_bytes(PHOTO)
    [item] = capture(case, [original], sensitive=True).added
    assert item["by_reference"] is True
    return original


def test_a_folder_holding_known_sensitive_bytes_keeps_the_rest_and_not_those(case, tmp_path):
    sensitive_photo(case, tmp_path)
    folder = tmp_path / "phone"
    (folder / "DCIM").mkdir(parents=True)
    (folder / "DCIM" / "IMG_0001.jpg").write_bytes(PHOTO)
    (folder / "notes.txt").write_text("what happened\n")

    result = capture(case, [folder])

    [item] = result.added
    assert [f["path"] for f in item["files"]] == ["notes.txt"]
    [held] = item["withheld_files"]
    assert held["original_path"] == "DCIM/IMG_0001.jpg" and held["by_reference"] is True
    assert "E0001" in held["reason"] and "sensitive" in held["reason"]
    assert any("DCIM/IMG_0001.jpg" in w and "not copied" in w for w in result.warnings)
    assert case_holds(case, PHOTO) == []
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_a_whatsapp_zip_holding_known_sensitive_bytes_is_recorded_by_reference(case, tmp_path):
    sensitive_photo(case, tmp_path)
    export = tmp_path / "WhatsApp Chat with Riley.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Riley.txt", "14/03/2024, 21:05 - Riley: <attached: IMG-1.jpg>\n")
        zf.writestr("IMG-1.jpg", PHOTO)

    result = capture(case, [export])

    [item] = result.added
    assert item["by_reference"] is True and item["bag_path"] is None
    assert "IMG-1.jpg" in item["by_reference_reason"] and "E0001" in item["by_reference_reason"]
    assert any("not copied" in w and "IMG-1.jpg" in w for w in result.warnings)
    assert list((case.root / "data/items").iterdir()) == []
    assert not (case.root / "data/derived").exists() or list((case.root / "data/derived").rglob("*")) == []
    assert verify_case(case.root).ok


def test_a_whatsapp_export_folder_holding_known_sensitive_bytes_keeps_the_chat_only(case, tmp_path):
    sensitive_photo(case, tmp_path)
    export = tmp_path / "WhatsApp Chat - Riley"
    export.mkdir()
    (export / "_chat.txt").write_text("[14/03/2024, 21:05:00] Riley: <attached: 00000007-PHOTO.jpg>\n")
    (export / "00000007-PHOTO.jpg").write_bytes(PHOTO)

    [item] = capture(case, [export]).added

    assert [f["path"] for f in item["files"]] == ["_chat.txt"]
    assert [h["original_path"] for h in item["withheld_files"]] == ["00000007-PHOTO.jpg"]
    assert case_holds(case, PHOTO) == []
    assert verify_case(case.root).ok


def test_the_same_photo_alone_is_not_copied_and_the_warning_says_why(case, tmp_path):
    sensitive_photo(case, tmp_path)
    again = tmp_path / "Downloads" / "copy.jpg"
    again.parent.mkdir()
    again.write_bytes(PHOTO)

    result = capture(case, [again])

    assert result.added == [] and [d[1] for d in result.duplicates] == ["E0001"]
    assert any("not copied" in w and "sensitive" in w for w in result.warnings)
    assert case_holds(case, PHOTO) == []


def test_within_one_capture_a_path_marked_sensitive_keeps_its_twin_out_too(case, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(PHOTO)
    (folder / "b.jpg").write_bytes(PHOTO)  # the same photo twice
    (folder / "chat.txt").write_text("hello\n")

    result = capture(case, [folder], sensitive_paths=[folder / "b.jpg"])

    [item] = result.added
    assert [f["path"] for f in item["files"]] == ["chat.txt"]
    assert sorted(h["original_path"] for h in item["withheld_files"]) == ["a.jpg", "b.jpg"]
    assert case_holds(case, PHOTO) == []
    assert verify_case(case.root).ok


def test_a_photo_marked_sensitive_next_to_a_folder_holding_it_is_stored_nowhere(case, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "copy.jpg").write_bytes(PHOTO)
    (folder / "chat.txt").write_text("hello\n")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(PHOTO)

    result = capture(case, [folder, photo], sensitive_paths=[photo])  # the folder comes first

    folder_item, photo_item = result.added
    assert photo_item["by_reference"] is True
    assert [h["original_path"] for h in folder_item["withheld_files"]] == ["copy.jpg"]
    assert case_holds(case, PHOTO) == []
    # and a later capture knows those bytes too
    later = tmp_path / "later"
    later.mkdir()
    (later / "again.jpg").write_bytes(PHOTO)
    (later / "other.txt").write_text("x\n")
    [item] = capture(case, [later]).added
    assert [h["original_path"] for h in item["withheld_files"]] == ["again.jpg"]
    assert case_holds(case, PHOTO) == []
    assert verify_case(case.root).ok


def test_a_folder_holding_only_known_sensitive_bytes_is_recorded_by_reference(case, tmp_path):
    sensitive_photo(case, tmp_path)
    folder = tmp_path / "only"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(PHOTO)

    [item] = capture(case, [folder]).added

    assert item["by_reference"] is True and item["bag_path"] is None
    assert "E0001" in item["by_reference_reason"]
    assert case_holds(case, PHOTO) == []
    assert verify_case(case.root).ok


def test_the_cli_says_why_a_file_was_not_copied(case, tmp_path, cli):
    sensitive_photo(case, tmp_path)
    folder = tmp_path / "phone"
    folder.mkdir()
    (folder / "IMG_0002.jpg").write_bytes(PHOTO)
    (folder / "notes.txt").write_text("x\n")

    done = cli("capture", folder, cwd=case.root)

    assert done.exit_code == 0, done.output
    assert "not copied" in done.output and "IMG_0002.jpg" in done.output
    assert case_holds(case, PHOTO) == []


def test_in_an_under_18_case_files_marked_sensitive_need_no_other_answer(tmp_path):
    from evidencekit.case.case import create_case

    case = create_case(tmp_path / "case", flags={"under_18": True})
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(PHOTO)
    (folder / "chat.txt").write_text("hello\n")

    [item] = capture(case, [folder], sensitive_paths=[folder / "a.jpg"]).added

    assert [f["path"] for f in item["files"]] == ["chat.txt"]
    assert case_holds(case, PHOTO) == []
