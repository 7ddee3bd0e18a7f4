"""Capturing folders: one item that keeps its tree; all or nothing; symlinks stay inside."""

from __future__ import annotations

import os

import pytest

from evidencekit.errors import InputFileError
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


@pytest.fixture
def export(tmp_path):
    """A chat export as a folder: a text file and media in a subfolder."""
    root = tmp_path / "WhatsApp Chat - Alex"
    (root / "media").mkdir(parents=True)
    (root / "_chat.txt").write_text("[14/03/2026, 21:07:41] Alex: pay\n", encoding="utf-8")
    (root / "media" / "00000007-PHOTO.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "media" / "100%.txt").write_text("odd name")
    return root


def test_a_folder_becomes_one_item_that_keeps_its_tree(case, export):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in export.rglob("*") if p.is_file()}

    [item] = capture(case, [export]).added

    assert item["kind"] == "chat-export"  # a WhatsApp export folder is recognised (evidencekit.exports)
    assert item["file_count"] == 3
    assert item["bag_path"] == "data/items/E0001-WhatsApp Chat - Alex"
    paths = {f["path"]: f for f in item["files"]}
    assert set(paths) == {"_chat.txt", "media/00000007-PHOTO.jpg", "media/100_.txt"}
    assert paths["media/100_.txt"]["original_path"] == "media/100%.txt"
    for original, (content, mtime) in before.items():
        assert original.read_bytes() == content and original.stat().st_mtime_ns == mtime
    stored = case.root / item["bag_path"]
    assert (stored / "_chat.txt").read_bytes() == (export / "_chat.txt").read_bytes()
    assert len(item["tree_sha256"]) == 64
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_the_same_folder_twice_is_recognised(case, export):
    capture(case, [export])
    result = capture(case, [export])
    assert result.added == [] and result.duplicates == [(str(export), "E0001")]
    assert not (case.root / "data/items/E0002-WhatsApp Chat - Alex").exists()
    assert verify_case(case.root).ok


def test_a_symlink_that_leaves_the_folder_is_refused_and_nothing_is_captured(case, export, tmp_path):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not part of the export")
    os.symlink(secret, export / "media" / "link.txt")

    with pytest.raises(InputFileError, match="symlink") as error:
        capture(case, [export])
    assert "--skip-problems" in error.value.hint
    assert case.items() == []
    assert list((case.root / "data/items").iterdir()) == []


def test_skip_problems_captures_the_rest_and_records_what_was_left_out(case, export, tmp_path):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not part of the export")
    os.symlink(secret, export / "media" / "link.txt")
    os.symlink("../_chat.txt", export / "media" / "inside.txt")  # stays inside, but is not followed

    result = capture(case, [export], skip_problems=True)

    [item] = result.added
    assert [s.path for s in result.skipped] == ["media/inside.txt", "media/link.txt"]
    assert item["skipped"] == [
        {
            "path": "media/inside.txt",
            "reason": "it is a shortcut (symlink) to “_chat.txt”; shortcuts are not followed, "
            "so that file is captured only under its own name",
        },
        {"path": "media/link.txt", "reason": "it is a shortcut (symlink) to something outside the folder"},
    ]
    assert "media/inside.txt" not in [f["path"] for f in item["files"]]
    assert "_chat.txt" in [f["path"] for f in item["files"]]
    assert not (case.root / item["bag_path"] / "media" / "inside.txt").exists()
    assert "not part of the export" not in "".join(
        p.read_text(errors="ignore") for p in case.root.rglob("*.txt")
    )
    assert_valid_bag(case.root)


def test_names_that_collide_after_cleaning_are_kept_apart(case, tmp_path):
    folder = tmp_path / "clash"
    folder.mkdir()
    (folder / "a%b.txt").write_text("one")
    (folder / "a_b.txt").write_text("two")
    (folder / "A_B.txt").write_text("three")
    [item] = capture(case, [folder]).added
    assert sorted(f["path"] for f in item["files"]) == ["A_B.txt", "a_b~2.txt", "a_b~3.txt"]
    assert_valid_bag(case.root)


def test_a_sensitive_folder_is_recorded_by_reference_only(case, export):
    [item] = capture(case, [export], sensitive=True).added
    assert item["by_reference"] is True and item["bag_path"] is None
    assert item["file_count"] == 3 and all(f["md5"] for f in item["files"])
    assert list((case.root / "data/items").iterdir()) == []
    report = verify_case(case.root, check_originals=True)
    assert report.ok and "original-matches" in {f.code for f in report.findings}
    (export / "_chat.txt").write_text("edited later")
    report = verify_case(case.root, check_originals=True)
    assert "original-changed" in {f.code for f in report.findings}


def test_an_empty_folder_is_refused_or_skipped_when_asked(case, tmp_path):
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    with pytest.raises(InputFileError, match="is an empty folder: there is nothing in it to keep"):
        capture(case, [empty])
    result = capture(case, [empty], skip_problems=True)
    assert result.added == [] and [s.path for s in result.skipped] == [str(empty)]
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_a_folder_of_hundreds_of_screenshots_is_captured_on_worker_processes(case, tmp_path):
    from evidencekit.case import parallel

    folder = tmp_path / "camera-roll"
    (folder / "sub").mkdir(parents=True)
    count = parallel.PROCESS_MIN_FILES + 50
    for n in range(count):
        (folder / ("sub" if n % 3 else ".") / f"shot-{n:04d}.bin").write_bytes(n.to_bytes(4, "big") * 900)
    seen = []

    [item] = capture(case, [folder], progress=seen.append).added

    assert item["file_count"] == count
    assert {f["path"] for f in item["files"]} >= {"shot-0000.bin", "sub/shot-0001.bin"}
    assert seen[-1].done_files == count and seen[-1].done_bytes == seen[-1].total_bytes
    stored = case.root / item["bag_path"] / "sub" / "shot-0001.bin"
    assert stored.read_bytes() == (folder / "sub" / "shot-0001.bin").read_bytes()
    report = verify_case(case.root)
    assert report.ok and report.checked_files == count
    (case.root / item["bag_path"] / "sub" / "shot-0004.bin").write_bytes(b"changed")
    assert {f.code for f in verify_case(case.root).errors} == {"payload-changed", "payload-oxum-mismatch"}


def test_many_misnamed_files_in_a_folder_give_one_warning_not_a_screenful(case, tmp_path):
    folder = tmp_path / "renamed"
    folder.mkdir()
    for n in range(25):
        (folder / f"photo-{n:02d}.png").write_bytes(b"%PDF-1.4\n%%EOF\n" + bytes([n]))
    result = capture(case, [folder])
    mismatch = [w for w in result.warnings if "does not match" in w]
    assert len(mismatch) == 1
    assert "25 files have content that does not match their names" in mismatch[0]
    assert sum(f["mime_mismatch"] for f in result.added[0]["files"]) == 25


def looping_folder(tmp_path):
    folder = tmp_path / "loops"
    folder.mkdir()
    (folder / "chat.txt").write_text("hello\n")
    os.symlink("b", folder / "a")  # a -> b -> a
    os.symlink("a", folder / "b")
    os.symlink(".", folder / "here")  # a link to its own folder
    os.symlink("chat.txt", folder / "chat-link.txt")
    return folder


def test_links_that_loop_are_reported_calmly_and_nothing_is_captured(case, tmp_path, cli):
    folder = looping_folder(tmp_path)

    done = cli("capture", folder, cwd=case.root)

    assert done.exit_code == 2, done.output
    assert "loop" in done.output and "--skip-problems" in done.output
    assert case.items() == []


def test_with_skip_problems_links_are_left_out_never_followed(case, tmp_path, cli):
    folder = looping_folder(tmp_path)

    done = cli("capture", folder, "--skip-problems", cwd=case.root)

    assert done.exit_code == 0, done.output
    [item] = case.items()
    assert [f["path"] for f in item["files"]] == ["chat.txt"]
    reasons = {s["path"]: s["reason"] for s in item["skipped"]}
    assert set(reasons) == {"a", "b", "here", "chat-link.txt"}
    assert "loop" in reasons["a"] and "loop" in reasons["b"]
    assert "folder" in reasons["here"]
    assert "chat.txt" in reasons["chat-link.txt"]
    assert verify_case(case.root).ok


def test_a_link_swapped_in_after_the_folder_was_listed_is_not_followed(tmp_path):
    """Between listing a folder and reading its files, a file can be replaced by a link (by a
    sync client, or on purpose). The file is then reported as changed, never read through it."""
    from evidencekit.intake.reading import read_one

    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the evidence\n", encoding="utf-8")
    member = tmp_path / "folder" / "page.txt"
    member.parent.mkdir()
    member.symlink_to(secret)

    assert read_one(str(member), None, False, follow_links=False)[0] == "changed"
    assert read_one(str(member), None, False, follow_links=True)[0] == "ok"  # a file they named
