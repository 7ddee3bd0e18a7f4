"""Earlier seals kept in seal/history/N/ are checked like the current one, and a re-seal with
another key is said plainly."""

from __future__ import annotations

import pytest

from evidencekit.case import layout
from evidencekit.case.seal import reopen_case, seal_case
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case

HISTORY = "seal/history/1"


@pytest.fixture
def resealed(case, evidence):
    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    reopen_case(case, reason="new messages")
    capture(case, [evidence / "notes.txt"])
    seal_case(case)
    report = verify_case(case.root)
    assert report.ok, report.errors
    assert "earlier-seal-ok" in {f.code for f in report.findings}
    return case.root


def codes(root):
    return {(f.severity, f.code, f.path) for f in verify_case(root).findings}


@pytest.mark.parametrize(
    "name",
    ["seal.json", "VERIFY.txt", "bag-info.txt", "signer.pub", "allowed_signers"],
)
def test_an_edited_file_kept_with_an_earlier_seal_is_an_error(resealed, name):
    path = resealed / HISTORY / name
    path.write_bytes(path.read_bytes().replace(b"e", b"E", 1))
    report = verify_case(resealed)
    assert not report.ok
    assert ("earlier-seal-invalid", HISTORY) in {(f.code, f.path) for f in report.errors}
    assert "earlier-seal-ok" not in {f.code for f in report.findings}


def test_an_earlier_seal_json_with_another_sealing_time_is_an_error(resealed):
    path = resealed / HISTORY / "seal.json"
    path.write_text(path.read_text().replace('"sealed_at": "20', '"sealed_at": "19', 1))
    report = verify_case(resealed)
    assert any(f.code == "earlier-seal-invalid" and "seal.json" in f.message for f in report.errors)


@pytest.mark.parametrize("where", ["seal/history/1/notes.txt", "seal/history/readme.txt", "seal/history/x/y"])
def test_an_unexpected_file_in_the_history_is_reported(resealed, where):
    target = resealed / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("added later")
    assert ("warning", "earlier-seal-extra-file", where) in codes(resealed)


def test_the_same_key_twice_gives_no_key_warning(resealed):
    assert "seal-key-changed" not in {code for _, code, _ in codes(resealed)}


def test_a_reseal_with_another_key_is_a_warning_naming_both_keys(case, evidence, monkeypatch, tmp_path):
    capture(case, [evidence / "chat.txt"])
    first = seal_case(case)
    reopen_case(case)
    monkeypatch.setenv("EVIDENCEKIT_HOME", str(tmp_path / "someone-else"))
    second = seal_case(case)
    assert first.key_fingerprint != second.key_fingerprint
    report = verify_case(case.root)
    assert report.ok  # every signature is valid: the warning is what tells the reader
    warnings = [f for f in report.findings if f.code == "seal-key-changed"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert first.key_fingerprint in warnings[0].message and second.key_fingerprint in warnings[0].message


def test_verify_txt_of_a_resealed_case_names_the_real_history_folder(resealed):
    text = (resealed / layout.VERIFY_TXT).read_text()
    assert "seal/history/1/allowed_signers" in text and "seal/history/N/allowed" not in text
