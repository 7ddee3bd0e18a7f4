"""`seal --tsa`: RFC 3161 tokens from a real local TSA, checked by openssl and by `verify`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

from evidencekit.case import layout
from tests.handover.conftest import PASSPHRASE


def seal_with_tsa(cli, case, tsa, *extra):
    return cli("seal", "-C", case.root, "--tsa", tsa.url, "--tsa-ca", tsa.ca_cert, *extra)


def verify_txt_line(case, start: str) -> str:
    text = (case.root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def test_the_token_is_stored_and_openssl_accepts_it_as_verify_txt_says(cli, case, evidence, tsa):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    result = seal_with_tsa(cli, case, tsa)
    assert result.exit_code == 0, result.output
    assert "Trusted timestamp from CN=Test TSA" in result.stdout
    seal = case.root / layout.SEAL_DIR
    assert (seal / "tagmanifest-sha256.txt.tsr").is_file() and (seal / "tsa-chain.pem").is_file()
    record = json.loads((seal / "timestamps.json").read_text())["timestamps"][0]
    assert record["tsa_url"] == tsa.url and record["root_sha256"]

    command = verify_txt_line(case, "openssl ts -verify -in seal/tagmanifest-sha256.txt.tsr -data")
    assert "-CAfile seal/tsa-chain.pem" in command
    checked = subprocess.run(
        ["bash", "-c", command], cwd=case.root, capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0 and "Verification: OK" in checked.stdout, checked.stderr

    independent = verify_txt_line(
        case, "openssl ts -verify -in seal/tagmanifest-sha256.txt.tsr -data tagmanifest"
    )
    independent = [
        line for line in (case.root / layout.VERIFY_TXT).read_text().splitlines() if "TSA-ROOT.pem" in line
    ]
    shutil.copy(tsa.ca_cert, case.root / "TSA-ROOT.pem")
    checked = subprocess.run(
        ["bash", "-c", independent[0].strip()], cwd=case.root, capture_output=True, text=True
    )
    assert "Verification: OK" in checked.stdout, checked.stderr
    (case.root / "TSA-ROOT.pem").unlink()

    other = subprocess.run(
        ["openssl", "ts", "-verify", "-in", "seal/tagmanifest-sha256.txt.tsr", "-data", "bag-info.txt",
         "-CAfile", "seal/tsa-chain.pem"],
        cwd=case.root, capture_output=True, text=True,
    )  # fmt: skip
    assert other.returncode != 0  # openssl refuses the token for other data


def test_verify_shows_the_trusted_time_and_the_clock_offset(cli, case, tsa):
    assert seal_with_tsa(cli, case, tsa).exit_code == 0
    result = cli("verify", case.root, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    stamp = report["timestamps"][0]
    assert stamp["tsa"] == "CN=Test TSA" and stamp["time"].endswith("Z")
    assert abs(stamp["clock_offset_seconds"]) < 120
    codes = {f["code"] for f in report["findings"]}
    assert "timestamp-ok" in codes
    assert "timestamp-root-unknown" in codes  # the test root is not one this computer trusts
    text = cli("verify", case.root).stdout
    assert "Trusted timestamp from “Test TSA”" in text and "clock was" in text


def test_a_root_this_computer_trusts_gives_no_warning(cli, case, tsa):
    assert seal_with_tsa(cli, case, tsa).exit_code == 0
    result = cli("verify", case.root, "--json", env={"SSL_CERT_FILE": str(tsa.ca_cert)})
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "timestamp-ok" in codes and "timestamp-root-unknown" not in codes


def test_a_token_over_different_data_is_rejected(cli, case, tmp_path, tsa):
    from evidencekit.case.case import create_case

    assert seal_with_tsa(cli, case, tsa).exit_code == 0
    other = create_case(tmp_path / "other", title="Another case")
    assert seal_with_tsa(cli, other, tsa).exit_code == 0
    token = layout.SEAL_DIR + "/tagmanifest-sha256.txt.tsr"
    (case.root / token).write_bytes((other.root / token).read_bytes())
    result = cli("verify", case.root, "--json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert any(f["code"] == "timestamp-mismatch" and "different data" in f["message"] for f in findings)


def granted_with_modifications(reply: bytes) -> bytes:
    """The reply with its status changed from granted (0) to granted with modifications (1).

    TimeStampResp starts SEQUENCE { PKIStatusInfo SEQUENCE { status INTEGER } ...}; the status is
    outside the signed token, so the token itself still holds."""
    head = b"\x30\x03\x02\x01\x00"
    at = reply.index(head, 0, 12)
    return reply[:at] + b"\x30\x03\x02\x01\x01" + reply[at + len(head) :]


def test_a_timestamp_granted_only_with_modifications_is_not_kept(cli, case, tsa):
    # rfc3161-client's verifier accepts only "granted": what the TSA changed was not asked for.
    # Without --tsa-ca the root is unknown and the verifier cannot run, so the status is judged alone.
    tsa.rewrite = granted_with_modifications
    try:
        result = cli("seal", "-C", case.root, "--tsa", tsa.url)
    finally:
        tsa.rewrite = None
    assert result.exit_code == 0, result.output
    assert "did not time-stamp the case" in result.stderr
    assert "did not grant the timestamp as asked" in result.stderr
    assert not (case.root / "seal/tagmanifest-sha256.txt.tsr").exists()


def test_a_replayed_reply_is_not_kept(cli, case, tmp_path, tsa):
    # A reply to an earlier request (another case's, here) does not carry this request's nonce.
    from evidencekit.case.case import create_case

    other = create_case(tmp_path / "other", title="Another case")
    assert seal_with_tsa(cli, other, tsa).exit_code == 0
    earlier = (other.root / layout.SEAL_DIR / "tagmanifest-sha256.txt.tsr").read_bytes()
    tsa.rewrite = lambda reply: earlier
    try:
        result = seal_with_tsa(cli, case, tsa)
    finally:
        tsa.rewrite = None
    assert result.exit_code == 0, result.output
    assert "the nonce differs" in result.stderr
    assert not (case.root / "seal/tagmanifest-sha256.txt.tsr").exists()


def test_an_old_reply_for_the_same_case_is_not_kept_even_when_its_root_is_unknown(cli, case, tsa):
    # Without --tsa-ca the verifier cannot run; the nonce still shows the reply answers another request.
    assert cli("seal", "-C", case.root, "--tsa", tsa.url).exit_code == 0
    first = (case.root / "seal/tagmanifest-sha256.txt.tsr").read_bytes()
    tsa.rewrite = lambda reply: first
    try:
        result = cli("seal", "-C", case.root, "--tsa", tsa.url)  # the sealed case, time-stamped again
    finally:
        tsa.rewrite = None
    assert result.exit_code == 0, result.output
    assert "the nonce differs" in result.stderr
    assert not (case.root / "seal/tagmanifest-sha256.txt.2.tsr").exists()


def test_a_tsa_that_fails_is_reported_and_the_seal_still_completes(cli, case, tsa):
    tsa.refuse = True
    try:
        result = cli("seal", "-C", case.root, "--tsa", tsa.url, "--tsa", "http://127.0.0.1:9/none")
    finally:
        tsa.refuse = False
    assert result.exit_code == 0, result.output
    assert "Sealed case" in result.stdout
    assert result.stderr.count("did not time-stamp the case") == 2
    assert "HTTP error 503" in result.stderr
    assert not (case.root / "seal/tagmanifest-sha256.txt.tsr").exists()
    assert cli("verify", case.root).exit_code == 0


def test_a_sealed_case_can_be_time_stamped_later_without_changing_its_fingerprint(cli, case, tsa):
    assert cli("seal", "-C", case.root).exit_code == 0
    fingerprint = hashlib.sha256((case.root / layout.TAGMANIFEST).read_bytes()).hexdigest()
    result = seal_with_tsa(cli, case, tsa)
    assert result.exit_code == 0, result.output
    assert "already sealed" in result.stdout and "Trusted timestamp" in result.stdout
    assert hashlib.sha256((case.root / layout.TAGMANIFEST).read_bytes()).hexdigest() == fingerprint
    assert seal_with_tsa(cli, case, tsa).exit_code == 0  # a second TSA token: .2.tsr
    assert (case.root / "seal/tagmanifest-sha256.txt.2.tsr").is_file()
    assert "tagmanifest-sha256.txt.2.tsr" in (case.root / layout.VERIFY_TXT).read_text()
    report = json.loads(cli("verify", case.root, "--json").stdout)
    assert report["ok"] and len(report["timestamps"]) == 2


def test_reopening_keeps_the_token_with_the_earlier_seal(cli, case, evidence, tsa):
    assert seal_with_tsa(cli, case, tsa).exit_code == 0
    assert cli("reopen", "-C", case.root).exit_code == 0
    assert not (case.root / "seal/tagmanifest-sha256.txt.tsr").exists()
    assert (case.root / "seal/history/1/tagmanifest-sha256.txt.tsr").is_file()
    assert cli("capture", "-C", case.root, evidence / "notes.txt").exit_code == 0
    assert cli("seal", "-C", case.root).exit_code == 0
    report = json.loads(cli("verify", case.root, "--json").stdout)
    assert report["ok"]
    assert any(f["code"] == "timestamp-ok" and "earlier seal" in f["message"] for f in report["findings"])


def test_the_token_is_checked_inside_an_encrypted_hand_over(cli, case, tsa, passphrase_file):
    out = case.root.parent / "o"
    assert seal_with_tsa(cli, case, tsa, "--passphrase-file", passphrase_file, "--out", out).exit_code == 0
    result = cli("verify", out / f"{case.info.id}.tar.age", "--passphrase-file", passphrase_file, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["timestamps"][0]["tsa"] == "CN=Test TSA"
    assert PASSPHRASE not in result.output
