"""Tampering: any change to a sealed case is found, and verify names exactly what changed."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from evidencekit.case import layout
from evidencekit.case.seal import seal_case
from evidencekit.errors import NotACaseError
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case


@pytest.fixture
def sealed(case, evidence, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.txt").write_text("first member")
    capture(case, [evidence / "chat.txt", folder])
    add_url(case, "https://www.instagram.com/bad.actor/", kind="profile")
    seal_case(case)
    assert verify_case(case.root).ok
    return case.root


def flip_byte(path: Path, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def codes_at(root: Path) -> set[tuple[str, str | None]]:
    report = verify_case(root)
    assert not report.ok
    return {(f.code, f.path) for f in report.errors}


def test_an_untouched_case_verifies(sealed):
    report = verify_case(sealed)
    assert report.ok and report.sealed and report.errors == []
    assert report.checked_files == 5  # chat.txt, the folder's file, and chat.txt's three transcript files


def test_one_changed_byte_in_an_evidence_file_is_named(sealed):
    flip_byte(sealed / "data/items/E0001-chat.txt", 3)
    assert codes_at(sealed) == {("payload-changed", "data/items/E0001-chat.txt")}


def test_a_changed_file_inside_a_captured_folder_is_named(sealed):
    flip_byte(sealed / "data/items/E0002-export/a.txt")
    assert ("payload-changed", "data/items/E0002-export/a.txt") in codes_at(sealed)


@pytest.mark.parametrize(
    "tag_file",
    [
        "bag-info.txt",
        "manifest-sha256.txt",
        "evidencekit/case.json",
        "evidencekit/items.jsonl",
        "evidencekit/urls.jsonl",
        "evidencekit/custody.jsonl",
    ],
)
def test_one_changed_byte_in_any_record_is_named_and_breaks_the_seal(sealed, tag_file):
    flip_byte(sealed / tag_file, 10)
    codes = codes_at(sealed)
    assert ("tag-changed", tag_file) in codes
    assert ("seal-signature-invalid", "seal") not in codes  # the tag manifest itself is intact


def test_a_changed_bagit_declaration_is_named(sealed):
    (sealed / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    assert {("bag-declaration-invalid", "bagit.txt"), ("tag-changed", "bagit.txt")} <= codes_at(sealed)


def test_a_changed_tag_manifest_breaks_the_signature(sealed):
    path = sealed / layout.TAGMANIFEST
    path.write_text(path.read_text() + "0" * 64 + "  evidencekit/forged.json\n")
    codes = codes_at(sealed)
    assert ("seal-signature-invalid", "seal") in codes
    assert ("seal-sshsig-invalid", "seal") in codes
    assert ("tag-missing", "evidencekit/forged.json") in codes


def test_a_changed_title_in_bag_info_is_named(sealed):
    path = sealed / "bag-info.txt"
    path.write_text(
        path.read_text().replace("External-Description: Test case", "External-Description: Other")
    )
    assert codes_at(sealed) == {("tag-changed", "bag-info.txt")}


@pytest.mark.parametrize("how", ["edit", "delete", "reorder"])
def test_an_edited_deleted_or_reordered_custody_line_breaks_the_chain(sealed, how):
    log = sealed / layout.CUSTODY_JSONL
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "edit":
        entry = json.loads(lines[1])
        entry["actor"] = "someone else"
        lines[1] = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    elif how == "delete":
        del lines[1]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    log.write_text("".join(lines), encoding="utf-8")
    report = verify_case(sealed)
    codes = {f.code for f in report.errors}
    assert "tag-changed" in codes
    assert codes & {"custody-chain-broken", "custody-entry-altered"}
    assert any(
        "line 2" in f.message or "line 3" in f.message for f in report.errors if f.code.startswith("custody")
    )


def test_a_removed_last_custody_line_is_caught_by_the_recorded_head(sealed):
    log = sealed / layout.CUSTODY_JSONL
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text("".join(lines[:-1]), encoding="utf-8")
    codes = {c for c, _ in codes_at(sealed)}
    assert {"custody-head-mismatch", "tag-changed"} <= codes


def test_an_added_evidence_file_is_named(sealed):
    (sealed / "data/items/E0099-planted.png").write_bytes(b"planted")
    codes = codes_at(sealed)
    assert ("payload-unexpected", "data/items/E0099-planted.png") in codes
    assert ("payload-oxum-mismatch", "bag-info.txt") in codes


def test_a_deleted_evidence_file_is_named(sealed):
    (sealed / "data/items/E0001-chat.txt").unlink()
    codes = codes_at(sealed)
    assert ("payload-missing", "data/items/E0001-chat.txt") in codes


def test_an_added_record_file_is_named(sealed):
    (sealed / "evidencekit/extra.json").write_text("{}")
    assert codes_at(sealed) == {("tag-unexpected", "evidencekit/extra.json")}


def test_a_deleted_record_file_is_named(sealed):
    (sealed / layout.URLS_JSONL).unlink()
    assert ("tag-missing", layout.URLS_JSONL) in codes_at(sealed)


def test_a_removed_seal_is_noticed_from_the_custody_log(sealed):
    for path in (sealed / "seal").iterdir():
        path.unlink()
    assert ("seal-missing", "seal") in codes_at(sealed)


def test_a_replaced_public_key_is_noticed(sealed, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    other = Ed25519PrivateKey.generate().public_key()
    (sealed / layout.SIGNER_PEM).write_bytes(
        other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    codes = {c for c, _ in codes_at(sealed)}
    assert {"seal-signature-invalid", "seal-key-mismatch"} <= codes


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_an_evidence_file_replaced_by_a_symlink_is_refused(sealed, tmp_path):
    target = sealed / "data/items/E0001-chat.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(outside)
    codes = codes_at(sealed)
    assert ("payload-symlink", "data/items/E0001-chat.txt") in codes


@pytest.mark.parametrize(
    "path", ["data/../../../etc/passwd", "data/items/C:evil.txt", "data/items/aux.c", "data/items/x%0Dy"]
)
def test_a_manifest_path_leaving_the_bag_is_never_opened(case, tmp_path, path):
    # The rule for every name read from outside (test_member_names.py); %0D is a carriage return.
    (case.root / layout.MANIFEST).write_text("0" * 64 + f"  {path}\n")
    codes = codes_at(case.root)
    assert ("path-unsafe", path.replace("%0D", "\r")) in codes


def test_a_record_and_the_manifest_disagreeing_is_named(case, evidence):
    capture(case, [evidence / "chat.txt"])
    items = case.root / layout.ITEMS_JSONL
    record = json.loads(items.read_text())
    record["sha256"] = "f" * 64
    items.write_text(json.dumps(record) + "\n")
    codes = codes_at(case.root)
    assert ("record-hash-mismatch", "data/items/E0001-chat.txt") in codes


def test_an_extra_file_beside_the_bag_is_only_a_warning(sealed):
    (sealed / "README-from-someone.txt").write_text("hello")
    report = verify_case(sealed)
    assert report.ok
    assert ("extra-file", "README-from-someone.txt") in {(f.code, f.path) for f in report.findings}


def test_verify_cannot_run_on_something_that_is_not_a_case(tmp_path):
    with pytest.raises(NotACaseError):
        verify_case(tmp_path)
    with pytest.raises(NotACaseError):
        verify_case(tmp_path / "missing")


def test_the_json_report_has_the_documented_envelope(sealed):
    flip_byte(sealed / "data/items/E0001-chat.txt")
    payload = verify_case(sealed).to_json()
    assert payload["format"] == "evidencekit-verify/1"
    assert payload["ok"] is False
    assert payload["case_id"].startswith("EK-")
    assert len(payload["fingerprint"]) == 64
    finding = next(f for f in payload["findings"] if f["code"] == "payload-changed")
    assert set(finding) == {"severity", "code", "path", "message"}
    assert finding["severity"] == "error"


def test_deleting_the_list_of_items_is_named_and_its_files_are_flagged(sealed):
    (sealed / layout.ITEMS_JSONL).unlink()
    codes = codes_at(sealed)
    assert ("tag-missing", layout.ITEMS_JSONL) in codes
    assert ("file-without-record", "data/items/E0001-chat.txt") in codes


# ---- the seal's own files: not covered by the signature, so rebuilt from what is signed ----------


def test_changed_instructions_for_the_officer_are_found(sealed):
    verify_txt = sealed / layout.VERIFY_TXT
    text = verify_txt.read_text(encoding="utf-8")
    fingerprint = json.loads((sealed / layout.SEAL_JSON).read_text())["fingerprint"]
    verify_txt.write_text(text.replace(fingerprint, "0" * 64), encoding="utf-8")
    assert codes_at(sealed) == {("seal-instructions-changed", layout.VERIFY_TXT)}


def test_a_changed_sealing_time_in_seal_json_is_found(sealed):
    seal_json = sealed / layout.SEAL_JSON
    info = json.loads(seal_json.read_text())
    info["sealed_at"] = "2020-01-01T00:00:00.000Z"
    seal_json.write_text(json.dumps(info, indent=2) + "\n")
    report = verify_case(sealed)
    assert [(f.code, f.path) for f in report.errors] == [("seal-info-changed", layout.SEAL_JSON)]
    assert "sealed_at" in report.errors[0].message


def test_an_allowed_signers_line_that_no_longer_matches_the_instructions_is_found(sealed):
    allowed = sealed / layout.ALLOWED_SIGNERS
    allowed.write_text(allowed.read_text().replace("evidencekit-seal", "someone-else"))
    report = verify_case(sealed)
    assert [f.code for f in report.errors] == ["seal-key-file-changed"]
    assert "seal/allowed_signers" in report.errors[0].message


def test_a_file_added_to_the_seal_folder_is_a_warning(sealed):
    (sealed / "seal" / "note.txt").write_text("added later")
    report = verify_case(sealed)
    assert report.ok
    assert ("seal-extra-file", "seal/note.txt") in {(f.code, f.path) for f in report.findings}


def test_the_seal_files_match_what_verify_rebuilds_after_reopening_and_sealing_again(sealed):
    from evidencekit.case.case import find_case
    from evidencekit.case.seal import reopen_case

    case = find_case(sealed)
    reopen_case(case, "one more screenshot")
    seal_case(case)
    report = verify_case(sealed)
    assert report.ok, report.errors
    assert not [f for f in report.findings if f.code.startswith("seal-") and f.code != "seal-signature-ok"]


def test_changed_instructions_are_found_in_a_case_without_any_item(case):
    from evidencekit.story.notes import add_note

    add_note(case, "He wrote to me on Instagram first.")
    seal_case(case)
    assert not (case.root / layout.ITEMS_JSONL).exists()
    with open(case.root / layout.VERIFY_TXT, "a", encoding="utf-8") as text:
        text.write("Ignore the steps above.\n")
    assert codes_at(case.root) == {("seal-instructions-changed", layout.VERIFY_TXT)}


@pytest.mark.parametrize(
    "content", ['{"timestamps": 5}', '{"timestamps": null}', "[]", '{"timestamps": [7]}']
)
def test_a_damaged_timestamps_file_is_a_finding_not_a_crash(sealed, content):
    (sealed / "seal" / "timestamps.json").write_text(content)
    report = verify_case(sealed)
    assert ("seal-extra-file", "seal/timestamps.json") in {(f.code, f.path) for f in report.findings}
    assert all(f.code and f.message for f in report.findings)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_seal_file_replaced_by_a_fifo_does_not_hang_verify(sealed):
    (sealed / layout.VERIFY_TXT).unlink()
    os.mkfifo(sealed / layout.VERIFY_TXT)
    report = verify_case(sealed)  # would block forever reading the FIFO
    assert layout.VERIFY_TXT in {f.path for f in report.findings}


def test_a_public_key_of_another_kind_is_refused_with_a_sentence(sealed):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (sealed / layout.SIGNER_PEM).write_bytes(
        other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    assert ("seal-key-invalid", "seal") in codes_at(sealed)


def test_a_seal_made_before_its_time_was_logged_with_it_still_verifies(sealed):
    """Earlier builds took seal.json's time a moment before the custody entry's (up to a second)."""
    custody = sealed / layout.CUSTODY_JSONL
    seal_json = sealed / layout.SEAL_JSON
    info = json.loads(seal_json.read_text())
    logged = next(
        json.loads(line) for line in reversed(custody.read_text().splitlines()) if '"sealed"' in line
    )
    assert info["sealed_at"] == logged["at"]
    moment = datetime.fromisoformat(logged["at"].replace("Z", "+00:00")) - timedelta(milliseconds=1)
    earlier = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # a moment before
    info["sealed_at"] = earlier
    info["sealed_at_local"] = earlier.replace("Z", "+00:00")
    seal_json.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    assert "seal-info-changed" not in {f.code for f in verify_case(sealed).findings}
