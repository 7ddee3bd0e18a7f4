"""A case folder made by a stranger: evidencekit refuses what it cannot trust and never writes
outside the case, whatever the folder holds in its journal, lock or records."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekit.case import layout, safepath
from evidencekit.case.journal import JournalDamagedError, parse_plan
from evidencekit.verify import verify_case
from tests.conftest import BIN, assert_valid_bag, run_cli


def in_case(case, *args):
    """Run evidencekit on this case, the way a helper who set EVIDENCEKIT_CASE would."""
    return run_cli(*args, env={"EVIDENCEKIT_CASE": str(case.root)})


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the case, with a file that must never change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / ".bashrc").write_text("# the officer's own file\n", encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def plant_commit(case_root: Path, renames: object) -> None:
    stage = case_root / layout.TXN_DIR
    stage.mkdir()
    (stage / "000001").write_text("planted by whoever made the case\n", encoding="utf-8")
    (stage / "COMMIT").write_text(json.dumps({"renames": renames}), encoding="utf-8")


def assert_refused_calmly(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "a bug" not in result.output
    for word in words:
        assert word in result.output, result.output


# ---- the journal of an interrupted change ----------------------------------------------------


@pytest.mark.parametrize("command", [["status"], ["log"], ["note", "hello"]])
def test_a_planted_commit_record_cannot_write_outside_the_case(case, outside, command):
    before = snapshot(outside)
    plant_commit(case.root, [[f"{layout.TXN_DIR}/000001", str(outside / ".bashrc")]])

    result = in_case(case, *command)

    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert snapshot(outside) == before
    if command[0] == "note":  # a change refuses to build on a journal it will not carry out
        assert_refused_calmly(result, "unfinished change")


@pytest.mark.parametrize(
    "renames",
    [
        [[f"{layout.TXN_DIR}/000001", "../outside/.bashrc"]],
        [[f"{layout.TXN_DIR}/000001", "data/../../outside/.bashrc"]],
        [[f"{layout.TXN_DIR}/000001", f"{layout.TXN_DIR}/elsewhere"]],
        [[f"{layout.TXN_DIR}/000001", layout.LOCK_FILE]],
        [["data/items", "evidencekit/moved"]],  # not one of its own staged files
        [["../outside/.bashrc", "data/items/E0001-stolen"]],
        [[f"{layout.TXN_DIR}/000001", "C:/Windows/evil"]],
        [[f"{layout.TXN_DIR}/000001"]],
        [[1, 2]],
        "not a list",
    ],
)
def test_a_commit_record_that_names_anything_but_its_own_files_is_never_carried_out(case, outside, renames):
    before = snapshot(outside)
    plant_commit(case.root, renames)

    result = in_case(case, "note", "after")

    assert_refused_calmly(result, "unfinished change")
    assert snapshot(outside) == before
    assert (case.root / layout.TXN_DIR / "000001").exists(), "nothing was renamed"


@pytest.mark.parametrize("content", [b"[]", b"{}", b"\xff\xfe", b"[" * 100_000, b'{"renames": {}}'])
def test_a_commit_record_that_is_not_a_list_of_renames_is_refused(content):
    with pytest.raises(JournalDamagedError):
        parse_plan(content)


def test_a_reopen_may_move_seal_files_into_history_and_nothing_else():
    plan = parse_plan(json.dumps({"renames": [["seal/signer.pub", "seal/history/1/signer.pub"]]}).encode())
    assert plan.renames == (("seal/signer.pub", "seal/history/1/signer.pub"),)
    with pytest.raises(JournalDamagedError):
        parse_plan(json.dumps({"renames": [["evidencekit/custody.jsonl", "seal/history/1/x"]]}).encode())


def test_a_staging_folder_that_is_a_link_is_never_written_through(case, outside, evidence):
    before = snapshot(outside)
    os.symlink(outside, case.root / layout.TXN_DIR)

    result = in_case(case, "capture", evidence / "chat.txt")

    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert snapshot(outside) == before
    assert verify_case(case.root).ok


# ---- links inside the case -------------------------------------------------------------------


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(case, outside):
    target = outside / ".bashrc"
    before = target.read_bytes()
    os.symlink(target, case.root / layout.LOCK_FILE)

    result = in_case(case, "note", "hello")

    assert_refused_calmly(result, "lock file")
    assert target.read_bytes() == before
    assert (case.root / layout.LOCK_FILE).is_symlink(), "the link is left for an examiner to see"


def test_a_lock_file_that_is_a_fifo_does_not_hang_a_command(case):
    os.mkfifo(case.root / layout.LOCK_FILE)

    result = in_case(case, "note", "hello")

    assert_refused_calmly(result, "lock file")


def test_a_lock_file_holding_garbage_still_lets_the_next_command_work(case):
    (case.root / layout.LOCK_FILE).write_bytes(b"\x1b]0;owned\x07" + os.urandom(100_000))

    result = in_case(case, "note", "hello")

    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("folder", [layout.RECORDS_DIR, layout.ITEMS_DIR, layout.DATA_DIR])
def test_a_case_folder_replaced_by_a_link_to_outside_is_never_written_through(
    case, outside, evidence, folder
):
    real = case.root / folder
    moved = outside / "moved-here"
    shutil.move(real, moved)
    os.symlink(moved, real)
    before = snapshot(outside)

    result = in_case(case, "capture", evidence / "chat.txt")

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert snapshot(outside) == before


def test_a_records_file_replaced_by_a_fifo_is_refused_without_hanging(case):
    custody = case.root / layout.CUSTODY_JSONL
    custody.unlink()
    os.mkfifo(custody)

    for command in (["status"], ["note", "hello"], ["log"]):
        result = in_case(case, *command)
        assert result.exit_code in (1, 2), (command, result.output)
        assert "Traceback" not in result.output


def test_a_records_file_replaced_by_a_folder_is_refused_calmly(case):
    (case.root / "evidencekit" / "notes.jsonl").mkdir()

    result = in_case(case, "note", "hello")

    assert_refused_calmly(result)


# ---- case.json written by hand ---------------------------------------------------------------


@pytest.mark.parametrize(
    "case_json",
    [
        "[]",
        '"text"',
        "{}",
        '{"id": 5}',
        '{"id": "EK-1", "flags": "yes"}',
        '{"id": "EK-1", "flags": {"a": []}}',
        '{"id": "EK-1", "created": []}',
        '{"id": "EK-1", "title": ["x"]}',
        "[" * 100_000,
    ],
)
@pytest.mark.parametrize("command", [["status"], ["note", "hello"], ["log"]])
def test_a_hand_edited_case_description_is_refused_with_a_sentence(case, case_json, command):
    (case.root / layout.CASE_JSON).write_text(case_json, encoding="utf-8")

    result = in_case(case, *command)

    assert_refused_calmly(result, "case description")


# ---- a commit is never torn ------------------------------------------------------------------


# Ctrl-C delivered at the K-th rename of a capture's commit, by strace (no hooks in the code).
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("at_rename", [2, 5, 10])
def test_a_signal_during_the_renames_waits_for_the_commit_to_finish(case, tmp_path, signal_name, at_rename):
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is not installed; .ci/run installs it")
    folder = tmp_path / "export"
    folder.mkdir()
    for n in range(12):
        (folder / f"page-{n}.txt").write_text(f"page {n}\n", encoding="utf-8")

    proc = subprocess.run(
        [
            strace,
            "-f",
            "-qq",
            "-o",
            os.devnull,
            "-e",
            f"inject=rename,renameat,renameat2:signal={signal_name}:when={at_rename}",
            str(BIN / "evidencekit"),
            "capture",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EVIDENCEKIT_CASE": str(case.root)},
    )

    assert "Traceback" not in proc.stderr
    after = in_case(case, "status")
    assert after.exit_code == 0, after.output
    report = verify_case(case.root)
    assert report.ok, report.errors
    items = json.loads(in_case(case, "status", "--json").stdout).get("items", None)
    assert items is not None
    assert_valid_bag(case.root)
    next_change = in_case(case, "note", "after the interruption")
    assert next_change.exit_code == 0, next_change.output
    if proc.returncode in (130, -2) and "saved completely" in proc.stdout + proc.stderr:
        assert (case.root / layout.ITEMS_JSONL).read_text(encoding="utf-8").count("\n") == 1


# ---- modes -----------------------------------------------------------------------------------


def test_case_folders_and_files_stay_private_under_a_permissive_umask(tmp_path):
    script = "import os, sys; os.umask(0); from evidencekit.cli import main; main(sys.argv[1:])"
    env = dict(os.environ)
    made = subprocess.run(
        [sys.executable, "-c", script, "new", str(tmp_path / "c"), "--title", "t"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    (tmp_path / "chat.txt").write_text("hi\n", encoding="utf-8")
    captured = subprocess.run(
        [sys.executable, "-c", script, "capture", str(tmp_path / "chat.txt")],
        capture_output=True,
        text=True,
        env={**env, "EVIDENCEKIT_CASE": str(tmp_path / "c")},
        timeout=60,
    )
    assert captured.returncode == 0, captured.stdout + captured.stderr
    for path in [tmp_path / "c", *(tmp_path / "c").rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is {oct(mode)}"


def test_the_boundary_refuses_paths_that_leave_the_case(tmp_path):
    for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", "C:x", "~/x", "a\x00b"]:
        assert safepath.path_problem(bad) is not None, bad
    assert safepath.path_problem("data/items/E0001-photo.jpg") is None


def test_ctrl_c_just_after_the_staging_folder_is_made_leaves_nothing_behind(case):
    """The moment a change makes its staging folder is the moment a test polling for it (or a
    person) presses Ctrl-C. The folder must go with the change, not wait for the next command."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is not installed; .ci/run installs it")

    proc = subprocess.run(
        [strace, "-f", "-qq", "-o", os.devnull, "-e", "inject=mkdir,mkdirat:signal=SIGINT:when=1",
         str(BIN / "evidencekit"), "note", "he asked again"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "EVIDENCEKIT_CASE": str(case.root)},
    )  # fmt: skip

    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (case.root / layout.TXN_DIR).exists()
    assert verify_case(case.root).ok
