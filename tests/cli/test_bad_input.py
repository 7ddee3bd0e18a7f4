"""Bad input gets one clear sentence, a hint and exit code 2: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def assert_refused(result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Problem:" in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.fixture
def case(cli, tmp_path):
    path = tmp_path / "case"
    assert cli("new", path).exit_code == 0
    return path


def test_a_missing_file(cli, case, tmp_path):
    assert_refused(
        cli("capture", tmp_path / "nope.png", "--case", case), "There is no file or folder at", "What to do:"
    )


def test_not_a_case_folder(cli, tmp_path, evidence):
    assert_refused(
        cli("capture", evidence / "chat.txt", cwd=tmp_path), "not inside a case", "evidencekit new"
    )
    assert_refused(cli("status", "--case", tmp_path), "not an evidencekit case folder")
    assert_refused(cli("verify", tmp_path), "not an evidencekit case")


def test_a_file_where_a_folder_is_needed(cli, case, evidence):
    assert_refused(cli("new", evidence / "chat.txt"), "is a file, not a folder")
    assert_refused(cli("verify", evidence / "chat.txt"), "is a file, not a case folder")
    assert_refused(cli("status", "--case", evidence / "chat.txt"), "no case folder")


def test_a_locked_case(cli, case, evidence):
    hold = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from pathlib import Path; from evidencekit.case.lock import CaseLock\n"
            "with CaseLock(Path(sys.argv[1]), 'capture'):\n print('ok', flush=True); time.sleep(30)",
            str(case),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hold.stdout.readline().strip() == "ok"
        assert_refused(
            cli("capture", evidence / "chat.txt", "--case", case),
            "Another evidencekit command is working on this case",
            "Wait for it to finish",
        )
    finally:
        hold.kill()
        hold.wait()
        hold.stdout.close()


def test_a_sealed_case(cli, case):
    cli("seal", "--case", case)
    assert_refused(cli("add-url", "https://example.org/", "--case", case), "sealed", "evidencekit reopen")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "garbage", "https://user:pw@x.org/"]
)
def test_an_invalid_url(cli, case, url):
    assert_refused(cli("add-url", url, "--case", case), "What to do:")


def test_a_bad_option_value(cli, case, evidence):
    assert_refused(
        cli("add-url", "https://example.org/", "--kind", "selfie", "--case", case), "not a kind of link"
    )
    assert_refused(cli("new", case.parent / "other", "--timezone", "Nowhere/Land"), "time zone")


def test_a_usage_mistake_is_exit_2_too(cli):
    result = cli("capture", "--no-such-option")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["new\nline.png", "50%.png", "back\\slash.png", "zero.png"])
def test_awkward_names_and_empty_files_are_captured_not_refused(cli, case, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"" if name == "zero.png" else b"\x89PNG\r\n\x1a\n")
    result = cli("capture", path, "--case", case)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert cli("verify", case).exit_code == 0


@pytest.mark.skipif(os.name == "nt", reason="POSIX byte names")
def test_a_non_utf8_name_is_captured(cli, case, tmp_path):
    raw = os.fsencode(tmp_path) + b"/\xff\xfe.png"
    Path(os.fsdecode(raw)).write_bytes(b"data")
    result = cli("capture", os.fsdecode(raw), "--case", case)
    assert result.exit_code == 0, result.output
    assert cli("verify", case).exit_code == 0


def test_a_png_that_is_a_pdf_is_stored_and_flagged(cli, case, tmp_path):
    fake = tmp_path / "holiday.png"
    fake.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = cli("capture", fake, "--case", case)
    assert result.exit_code == 0
    assert "named like image/png but its content is application/pdf" in result.stderr


def test_an_unexpected_error_is_an_apology_not_a_traceback(cli, case):
    (case / "evidencekit/items.jsonl").write_text("{not json\n")
    result = cli("status", "--case", case)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot be read" in result.stderr
