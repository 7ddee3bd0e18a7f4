"""A trusted time for each item: tokens from a real TSA on 127.0.0.1 over each item's record,
kept beside it, checked by `verify` and by `openssl ts -verify` exactly as seal/VERIFY.txt says."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evidencekit.case import layout
from evidencekit.case.case import Case, create_case
from evidencekit.case.seal import seal_case
from evidencekit.clock import fixed_clock
from evidencekit.handover.item_timestamp import TsaClient, record_text, stamp_items
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.case.test_verify_text_commands import run_every_command
from tests.conftest import assert_valid_bag
from tests.handover.tsa import start_tsa

FOLDER = "data/derived/E0001/trusted-time"


def client(tsa, *more_urls: str) -> TsaClient:
    return TsaClient([tsa.url, *more_urls], [Path(tsa.ca_cert).read_bytes()], timeout=10)


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


@pytest.fixture
def stamped(case: Case, evidence: Path, tsa) -> Case:
    capture(case, [evidence / "chat.txt", evidence / "notes.txt"])
    result = stamp_items(case, client(tsa))
    assert [s.item_id for s in result.stamped] == ["E0001", "E0002"], result.failed
    return case


def test_each_item_gets_its_record_a_token_and_the_tsa_chain_listed_in_the_manifest(stamped, tsa):
    root = stamped.root
    names = sorted(p.name for p in (root / FOLDER).iterdir())
    assert names == ["record.txt", "token-1.tsr", "trusted-time.json", "tsa-chain-1.pem"]
    item = stamped.items()[0]
    record = (root / FOLDER / "record.txt").read_bytes()
    assert record == record_text(stamped.info.id, item)
    assert f"sha256: {item['sha256']}\n".encode() in record and b"captured-at: " in record
    document = json.loads((root / FOLDER / "trusted-time.json").read_text())
    assert document["record_sha256"] == hashlib.sha256(record).hexdigest()
    [token] = document["tokens"]
    assert token["tsa_url"] == tsa.url and token["tsa"] == "CN=Test TSA" and token["checked"]
    assert abs(token["clock_offset_seconds"]) < 5 and abs(token["delay_seconds"]) < 120
    manifest = stamped.manifest()
    for name in names:
        path = f"{FOLDER}/{name}"
        assert manifest[path] == hashlib.sha256((root / path).read_bytes()).hexdigest()
    logged = [e for e in stamped.custody_entries() if e["action"] == "item-timestamped"]
    assert [e["details"]["item"] for e in logged] == ["E0001", "E0002"]
    assert_valid_bag(root)
    report = verify_case(root)
    assert report.ok, report.errors
    assert "item-time-ok" in codes(report)
    assert [s["item"] for s in report.details["item_timestamps"]] == ["E0001", "E0002"]


def test_openssl_accepts_every_token_with_the_commands_verify_txt_gives(stamped, tsa):
    seal_case(stamped)
    text = (stamped.root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    assert "TRUSTED TIMES OF THE ITEMS" in text
    shutil.copy(tsa.ca_cert, stamped.root / "TSA-ROOT.pem")  # as the TSA publishes it
    try:
        commands = run_every_command(stamped.root)  # each one exits 0, for real
    finally:
        (stamped.root / "TSA-ROOT.pem").unlink()
    item_checks = [c for c in commands if c.startswith("openssl ts -verify -in data/derived/")]
    assert len(item_checks) == 3  # one per token, and the independent check with the TSA's root
    assert verify_case(stamped.root).ok


def test_openssl_refuses_a_token_once_the_record_it_stamps_is_changed(stamped):
    import subprocess

    seal_case(stamped)
    text = (stamped.root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    command = next(
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith(f"openssl ts -verify -in {FOLDER}")
    )
    record = stamped.root / FOLDER / "record.txt"
    record.write_bytes(record.read_bytes().replace(b"size: ", b"size: 1"))
    done = subprocess.run(["bash", "-c", command], cwd=stamped.root, capture_output=True, text=True)
    assert done.returncode != 0 and "Verification: OK" not in done.stdout


def test_an_item_captured_offline_is_stamped_later_with_the_delay_recorded(tmp_path, evidence, tsa):
    three_days_ago = datetime.now(timezone.utc) - timedelta(days=3)
    offline = create_case(tmp_path / "offline", title="Offline", clock=fixed_clock(three_days_ago))
    capture(offline, [evidence / "chat.txt"])
    later = Case(offline.root)
    result = stamp_items(later, client(tsa))
    [stamp] = result.stamped
    token = stamp.document["tokens"][0]
    assert 3 * 86400 - 120 < token["delay_seconds"] < 3 * 86400 + 120
    report = verify_case(later.root)
    [ok] = [f for f in report.findings if f.code == "item-time-ok"]
    assert "3.0 days after capture" in ok.message


def test_items_that_have_a_trusted_time_are_not_asked_for_again(stamped, evidence, tsa):
    before = len(tsa.requests)
    result = stamp_items(stamped, client(tsa))
    assert result.already == ["E0001", "E0002"] and not result.stamped
    assert len(tsa.requests) == before  # nothing was sent


def test_two_tsas_give_two_tokens_each_checked(case, evidence, tsa, tmp_path):
    second, server = start_tsa(tmp_path / "second-tsa")
    try:
        capture(case, [evidence / "chat.txt"])
        both = TsaClient([tsa.url, second.url], [tsa.ca_cert.read_bytes(), second.ca_cert.read_bytes()])
        [stamp] = stamp_items(case, both).stamped
    finally:
        server.shutdown()
        server.server_close()
    assert [t["number"] for t in stamp.document["tokens"]] == [1, 2]
    assert (case.root / FOLDER / "token-2.tsr").is_file() and (
        case.root / FOLDER / "tsa-chain-2.pem"
    ).is_file()
    report = verify_case(case.root)
    assert report.ok, report.errors
    assert "and 1 more TSA" in next(f.message for f in report.findings if f.code == "item-time-ok")


def test_a_tsa_that_refuses_leaves_the_item_as_it_was(case, evidence, tsa):
    capture(case, [evidence / "chat.txt"])
    manifest = (case.root / layout.MANIFEST).read_bytes()
    tsa.refuse = True
    try:
        result = stamp_items(case, client(tsa))
    finally:
        tsa.refuse = False
    [failed] = result.failed
    assert failed.failures[0]["problem"] == "the TSA answered with HTTP error 503"
    assert not result.stamped
    assert (case.root / layout.MANIFEST).read_bytes() == manifest
    assert not (case.root / FOLDER).exists()


def test_an_unreachable_tsa_is_asked_once_not_once_per_item(case, evidence, tsa):
    capture(case, [evidence / "chat.txt", evidence / "notes.txt"])
    gone = "http://127.0.0.1:9/tsr"  # the discard port: nothing listens
    result = stamp_items(case, TsaClient([gone, tsa.url], [tsa.ca_cert.read_bytes()], timeout=5))
    assert [s.item_id for s in result.stamped] == ["E0001", "E0002"]
    for stamp in result.stamped:
        assert stamp.document["failures"][0]["problem"].startswith("it could not be reached")
    assert verify_case(case.root).ok


def test_a_tsa_that_answers_for_other_data_gives_no_token(case, tmp_path, evidence, tsa):
    capture(case, [evidence / "chat.txt"])
    other = create_case(tmp_path / "other", title="Another")
    capture(other, [evidence / "notes.txt"])
    [earlier] = stamp_items(other, client(tsa)).stamped
    reply = earlier.received[0].reply
    tsa.rewrite = lambda _reply: reply
    try:
        result = stamp_items(case, client(tsa))
    finally:
        tsa.rewrite = None
    [failed] = result.failed
    assert "different data" in failed.failures[0]["problem"] or "nonce" in failed.failures[0]["problem"]
    assert not (case.root / FOLDER).exists()


def test_a_sealed_case_is_refused_with_the_way_to_add_a_trusted_time(case, evidence, tsa):
    from evidencekit.errors import CaseSealedError

    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    with pytest.raises(CaseSealedError) as refused:
        stamp_items(case, client(tsa))
    assert "evidencekit reopen" in (refused.value.hint or "")


# ---- verify, on a folder anyone may have edited -------------------------------------------------


def rewrite_in_manifest(case: Case, path: str, data: bytes) -> None:
    """Change a trusted-time file and its manifest line, as someone hiding the change would
    (an unsealed case: nothing signed says what the manifest held)."""
    target = case.root / path
    old = hashlib.sha256(target.read_bytes()).hexdigest()
    target.write_bytes(data)
    manifest = case.root / layout.MANIFEST
    manifest.write_text(
        manifest.read_text().replace(f"{old}  {path}", f"{hashlib.sha256(data).hexdigest()}  {path}")
    )


def test_verify_finds_a_record_that_no_longer_matches_the_item(stamped):
    record = f"{FOLDER}/record.txt"
    text = (stamped.root / record).read_bytes()
    rewrite_in_manifest(stamped, record, text.replace(b"captured-at: 2", b"captured-at: 1"))
    report = verify_case(stamped.root)
    assert "item-time-record-mismatch" in codes(report) and "item-time-not-logged" in codes(report)


def test_verify_finds_a_token_from_another_item(stamped):
    other = (stamped.root / "data/derived/E0002/trusted-time/token-1.tsr").read_bytes()
    rewrite_in_manifest(stamped, f"{FOLDER}/token-1.tsr", other)
    report = verify_case(stamped.root)
    mismatch = [f for f in report.errors if f.code == "item-time-mismatch"]
    assert mismatch and "not this item's record.txt" in mismatch[0].message


@pytest.mark.parametrize(
    "edit",
    [
        lambda doc: doc.update(tokens="none"),
        lambda doc: doc.update(item="E0002"),
        lambda doc: doc["tokens"][0].update(clock_offset_seconds="a lot"),
        lambda doc: doc.update(record="../../../etc/passwd"),
    ],
    ids=["tokens-not-a-list", "other-item", "offset-not-a-number", "record-outside"],
)
def test_verify_refuses_a_trusted_time_json_evidencekit_did_not_write(stamped, edit):
    path = f"{FOLDER}/trusted-time.json"
    document = json.loads((stamped.root / path).read_text())
    edit(document)
    rewrite_in_manifest(stamped, path, json.dumps(document).encode())
    report = verify_case(stamped.root)
    assert "item-time-json-invalid" in codes(report)
    assert "check-failed" not in codes(report)


def test_verify_finds_a_token_recorded_but_removed(stamped):
    path = f"{FOLDER}/token-1.tsr"
    (stamped.root / path).unlink()
    manifest = stamped.root / layout.MANIFEST
    manifest.write_text("".join(line for line in manifest.read_text().splitlines(True) if path not in line))
    assert "item-time-missing" in codes(verify_case(stamped.root))


def test_an_intimate_item_kept_by_reference_gets_a_trusted_time_from_its_hashes_alone(case, tmp_path, tsa):
    original = tmp_path / "private" / "photo.jpg"
    original.parent.mkdir()
    original.write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    capture(case, [original], sensitive=True)
    original.chmod(0o000)  # were it opened now, the stamp would fail (root aside)
    try:
        [stamp] = stamp_items(case, client(tsa)).stamped
    finally:
        original.chmod(0o600)
    record = stamp.record.decode()
    assert "stored-at: by reference (not copied)" in record and "md5: " in record
    assert "photo.jpg" not in record  # a name can say who is shown; the record needs only the hashes
    assert verify_case(case.root).ok


def test_a_captured_folder_is_stamped_by_its_tree_hash(case, evidence, tsa):
    capture(case, [evidence])
    [stamp] = stamp_items(case, client(tsa)).stamped
    item = case.items()[0]
    record = stamp.record.decode()
    assert f"tree-sha256: {item['tree_sha256']}\n" in record and "file-count: 2\n" in record
    assert "\nsha256: " not in record
    assert verify_case(case.root).ok


def test_a_record_cannot_gain_a_line_from_a_value_read_from_the_case():
    item = {"id": "E0001", "kind": "document\nsha256: " + "0" * 64, "sha256": "a" * 64, "size": 1}
    text = record_text("EK-1", item).decode()
    assert text.count("\nsha256: ") == 1 and "document\\u000asha256" in text


def test_verify_names_a_file_added_to_a_trusted_time_folder(stamped):
    path = f"{FOLDER}/note.txt"
    (stamped.root / path).write_text("added later\n")
    manifest = stamped.root / layout.MANIFEST
    digest = hashlib.sha256(b"added later\n").hexdigest()
    manifest.write_text(manifest.read_text() + f"{digest}  {path}\n")
    report = verify_case(stamped.root)
    assert [f.path for f in report.findings if f.code == "item-time-unexpected"] == [path]
