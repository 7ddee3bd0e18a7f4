"""Withdrawing a derived file: a picture saved out of an SMS backup leaves the case when the case
is marked as involving someone under 18 and the transcript is made again; the backup itself (the
evidence) stays, and the case still verifies with every tool."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from evidencekit.case import layout
from evidencekit.case.case import Case, create_case
from evidencekit.case.flags import set_under_18
from evidencekit.case.journal import JournalDamagedError, parse_plan, recover
from evidencekit.case.withdraw import WITHDRAWN_ACTION, staging_name
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag, run_cli
from tests.exports import samples

PICTURE = "data/derived/E0001/attachments/00001-a.jpg"


def manifest_paths(case: Case) -> set[str]:
    return set(case.manifest())


def custody(case: Case) -> list[dict[str, object]]:
    return [json.loads(line) for line in (case.root / layout.CUSTODY_JSONL).read_text("utf-8").splitlines()]


@pytest.fixture
def backup_case(tmp_path):
    """A case holding an SMS backup whose picture message was saved as a derived file."""
    case = create_case(tmp_path / "case")
    backup = samples.sms_backup(tmp_path / "in")
    capture(case, [backup])
    assert (case.root / PICTURE).read_bytes() == samples.JPEG
    assert PICTURE in manifest_paths(case)
    return case


def test_marked_under_18_a_re_made_transcript_withdraws_the_saved_picture(backup_case):
    case = backup_case
    item_file = case.root / case.items()[0]["bag_path"]
    evidence_before = item_file.read_bytes()
    set_under_18(case, "yes")

    result = run_cli("transcript", "E0001", "--rebuild", env={"EVIDENCEKIT_CASE": str(case.root)})

    assert result.exit_code == 0, result.output
    assert not (case.root / PICTURE).exists()
    assert not (case.root / "data/derived/E0001/attachments").exists(), "no empty folder is left"
    assert item_file.read_bytes() == evidence_before, "the backup itself is evidence and stays"
    case = Case(case.root)
    assert PICTURE not in manifest_paths(case)
    assert "data/derived/E0001/transcript.jsonl" in manifest_paths(case)
    assert_valid_bag(case.root)  # bagit.py --validate and sha256sum -c agree with the manifest
    assert run_cli("verify", case.root).exit_code == 0
    [withdrawn] = [e for e in custody(case) if e["action"] == WITHDRAWN_ACTION]
    details = withdrawn["details"]
    assert isinstance(details, dict) and details["item"] == "E0001" and "under 18" in details["reason"]
    assert details["files"] == [
        {"path": PICTURE, "sha256": hashlib.sha256(samples.JPEG).hexdigest(), "size": len(samples.JPEG)}
    ]
    lines = (case.root / "data/derived/E0001/transcript.jsonl").read_text("utf-8").splitlines()
    messages = [json.loads(line) for line in lines[1:]]
    picture = next(a for m in messages for a in m.get("attachments", []) if a.get("embedded"))
    assert picture["path"] is None and "under 18" in picture["not_saved"]
    assert picture["sha256"] == hashlib.sha256(samples.JPEG).hexdigest(), "its fingerprint stays"


def test_without_the_mark_a_re_made_transcript_keeps_the_picture(backup_case):
    result = run_cli("transcript", "E0001", "--rebuild", env={"EVIDENCEKIT_CASE": str(backup_case.root)})

    assert result.exit_code == 0, result.output
    assert (backup_case.root / PICTURE).read_bytes() == samples.JPEG
    assert not [e for e in custody(Case(backup_case.root)) if e["action"] == WITHDRAWN_ACTION]
    assert verify_case(backup_case.root).ok


def test_a_withdrawal_interrupted_after_its_commit_record_is_finished_by_the_next_command(backup_case):
    case = backup_case
    set_under_18(case, "yes")
    from evidencekit.case import journal

    real = journal.apply_commit
    journal.apply_commit = lambda root: None  # the process "dies" right after the commit record
    try:
        from evidencekit.exports import service

        service.rebuild(case, "E0001", {})
    finally:
        journal.apply_commit = real
    assert (case.root / PICTURE).exists(), "nothing was renamed yet"

    assert "finished saving" in (recover(case.root) or "")

    assert not (case.root / PICTURE).exists()
    assert not (case.root / layout.TXN_DIR).exists()
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_only_a_derived_file_can_be_withdrawn_and_only_into_the_staging_folder():
    ok = parse_plan(json.dumps({"renames": [[PICTURE, staging_name(1)]]}).encode())
    assert ok.renames == ((PICTURE, staging_name(1)),)
    for source, final in [
        ("data/items/E0001-sms.xml", staging_name(1)),  # evidence, never
        (layout.CUSTODY_JSONL, staging_name(1)),
        ("data/derived/../items/E0001-sms.xml", staging_name(1)),
        ("data/derived/report.pdf", staging_name(1)),  # not a file of an item
        (PICTURE, f"{layout.TXN_DIR}/elsewhere"),
        (PICTURE, "data/derived/E0002/x.jpg"),
    ]:
        with pytest.raises(JournalDamagedError):
            parse_plan(json.dumps({"renames": [[source, final]]}).encode())


def test_a_planted_record_withdrawing_a_folder_is_refused(backup_case):
    case = backup_case
    stage = case.root / layout.TXN_DIR
    stage.mkdir()
    folder = "data/derived/E0001/attachments"
    (stage / "COMMIT").write_text(json.dumps({"renames": [[folder, staging_name(1)]]}), encoding="utf-8")

    with pytest.raises(JournalDamagedError, match="whole folder"):
        recover(case.root)
    assert (case.root / PICTURE).exists()


def test_the_case_layer_refuses_to_withdraw_evidence_or_a_link(backup_case):
    case = backup_case
    item_path = case.items()[0]["bag_path"]
    with pytest.raises(ValueError), case.change("test") as change:
        change.withdraw_derived("E0001", [item_path], "never")
    assert (case.root / item_path).exists()
    link = "data/derived/E0001/attachments/link.jpg"
    os.symlink(case.root / PICTURE, case.root / link)
    with pytest.raises(ValueError), case.change("test") as change:
        change.withdraw_derived("E0001", [link], "never")
    os.unlink(case.root / link)
    assert verify_case(case.root).ok


def test_after_a_seal_and_reopen_the_withdrawal_and_the_new_transcript_still_verify(backup_case):
    case = backup_case
    env = {"EVIDENCEKIT_CASE": str(case.root)}
    assert run_cli("seal", env=env).exit_code == 0
    assert run_cli("reopen", "--reason", "learnt that Riley is 16", env=env).exit_code == 0
    set_under_18(Case(case.root), "yes")

    assert run_cli("transcript", "E0001", "--rebuild", env=env).exit_code == 0

    result = run_cli("verify", case.root, "--json")
    assert result.exit_code == 0, result.output
    codes = {(f["code"], f["path"]) for f in json.loads(result.stdout)["findings"]}
    assert ("earlier-seal-derived-withdrawn", PICTURE) in codes
    assert ("earlier-seal-derived-replaced", "data/derived/E0001/transcript.jsonl") in codes
    assert not [c for c, _ in codes if c == "earlier-seal-evidence-changed"]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
def test_stopped_at_any_rename_the_withdrawal_happens_completely_or_not_at_all(
    backup_case, tmp_path, signal_name
):
    """As test_every_rename does for capture, note and seal: strace stops the re-made transcript
    at each rename of its commit (the picture's withdrawal among them)."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from evidencekit.case.layout import TXN_DIR
    from tests.case.test_every_rename import Stop, counted_renames, problems_after, records
    from tests.conftest import require_tool

    strace = require_tool("strace")
    case = backup_case
    set_under_18(case, "yes")
    argv = ["transcript", "E0001", "--rebuild"]
    before = records(case.root)
    reference = tmp_path / "reference" / "case"
    shutil.copytree(case.root, reference, symlinks=True)
    renamed = counted_renames(strace, argv, reference)
    after = records(reference)
    assert PICTURE in before["payload"] and PICTURE not in after["payload"]
    commit_at = renamed.index(f"{TXN_DIR}/COMMIT") + 1
    assert staging_name(1) in renamed[commit_at:], "the withdrawal is one of the commit's renames"

    def one(k: int) -> list[str]:
        saved = k > commit_at or (signal_name == "SIGINT" and k == commit_at)
        stop = Stop("transcript --rebuild", signal_name, k, len(renamed), renamed[k - 1])
        trial = tmp_path / f"stopped-at-{k}" / "case"
        return problems_after(stop, strace, argv, case.root, trial, saved, after if saved else before)

    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(one, range(1, len(renamed) + 1)) for p in found]
    assert problems == []
