"""verify never follows a link in a case folder, and never opens a FIFO or a device: each is a finding."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from evidencekit.case.seal import reopen_case, seal_case
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks and FIFOs as on POSIX")


@pytest.fixture
def resealed(case, evidence):
    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    reopen_case(case)
    seal_case(case)
    assert verify_case(case.root).ok
    return case.root


def replace_by_link(root, relative, tmp_path):
    """Move the folder out of the case and put a link to it in its place: the same content."""
    outside = tmp_path / ("outside-" + relative.replace("/", "-"))
    shutil.move(root / relative, outside)
    os.symlink(outside, root / relative)


@pytest.mark.parametrize(
    ("folder", "code"),
    [
        ("data/items", "payload-symlink"),
        ("data", "payload-symlink"),
        ("evidencekit", "case-link"),
        ("seal", "case-link"),
        ("seal/history/1", "case-link"),
        ("seal/history", "case-link"),
    ],
)
def test_a_linked_folder_is_an_error_and_is_not_followed(resealed, tmp_path, folder, code):
    replace_by_link(resealed, folder, tmp_path)
    report = verify_case(resealed)
    assert not report.ok
    assert (code, folder) in {(f.code, f.path) for f in report.errors}
    assert "earlier-seal-ok" not in {f.code for f in report.findings} or not folder.startswith("seal")


def test_a_linked_record_file_is_not_read(resealed, tmp_path):
    outside = tmp_path / "case.json"
    shutil.move(resealed / "evidencekit/case.json", outside)
    os.symlink(outside, resealed / "evidencekit/case.json")
    report = verify_case(resealed)
    assert ("case-link", "evidencekit/case.json") in {(f.code, f.path) for f in report.errors}


VERIFY_IN_CHILD = (
    "import sys; from pathlib import Path; from evidencekit.verify import verify_case; "
    "r = verify_case(Path(sys.argv[1])); print(sorted({(f.code, f.path) for f in r.errors}))"
)


def verify_in_child(root):
    """A FIFO opened by mistake would hang: verify in a child process, with a time limit."""
    out = subprocess.run(
        [sys.executable, "-c", VERIFY_IN_CHILD, str(root)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("where", ["evidencekit/items.jsonl", "seal/seal.json", "seal/history/1/VERIFY.txt"])
def test_a_fifo_in_place_of_a_record_is_an_error_and_is_not_opened(resealed, where):
    (resealed / where).unlink()
    os.mkfifo(resealed / where)
    assert f"('case-special-file', '{where}')" in verify_in_child(resealed)


def test_a_fifo_among_the_evidence_is_an_error(resealed):
    os.mkfifo(resealed / "data/items/E0009-pipe")
    assert "('payload-special-file', 'data/items/E0009-pipe')" in verify_in_child(resealed)


def test_a_device_is_not_opened(resealed):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    os.symlink("/dev/zero", resealed / "evidencekit/extra.jsonl")
    assert "('case-link', 'evidencekit/extra.jsonl')" in verify_in_child(resealed)
