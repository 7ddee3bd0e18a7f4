"""Sealing: a signature that openssl and ssh-keygen check, exactly as VERIFY.txt says."""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess

import pytest

from evidencekit.case import layout
from evidencekit.case.seal import reopen_case, seal_case
from evidencekit.errors import EvidenceKitError
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag, require_tool


@pytest.fixture
def sealed(case, evidence):
    capture(case, [evidence / "chat.txt"], note="threat")
    add_url(case, "https://www.instagram.com/bad.actor/", kind="profile")
    result = seal_case(case)
    return case, result


def verify_txt_commands(case_root) -> dict[str, str]:
    """The commands VERIFY.txt tells a reader to run, by tool."""
    text = (case_root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    commands = {}
    for line in text.splitlines():
        line = line.strip()
        for tool in (
            "ssh-keygen -Y verify",
            "openssl pkeyutl",
            "sha256sum -c tagmanifest",
            "sha256sum -c manifest",
            "sha256sum tagmanifest",
        ):
            if line.startswith(tool):
                commands[tool] = line
    return commands


def run_shell(command: str, cwd) -> subprocess.CompletedProcess[str]:
    """Run a line from VERIFY.txt in a shell, as an officer would paste it."""
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_fingerprint_is_the_sha256_of_the_tag_manifest(sealed):
    case, result = sealed
    assert result.fingerprint == hashlib.sha256((case.root / layout.TAGMANIFEST).read_bytes()).hexdigest()
    commands = verify_txt_commands(case.root)
    out = run_shell(commands["sha256sum tagmanifest"], case.root)
    assert out.stdout.split()[0] == result.fingerprint
    assert result.fingerprint in (case.root / layout.VERIFY_TXT).read_text()


def test_ssh_keygen_verifies_the_seal_as_verify_txt_says(sealed):
    require_tool("ssh-keygen")
    case, result = sealed
    command = verify_txt_commands(case.root)["ssh-keygen -Y verify"]
    out = run_shell(command, case.root)
    assert out.returncode == 0, out.stderr
    assert (
        f'Good "evidencekit" signature for evidencekit-seal with ED25519 key {result.key_fingerprint}'
        in out.stdout + out.stderr
    )


def test_openssl_verifies_the_seal_as_verify_txt_says(sealed):
    require_tool("openssl")
    case, _ = sealed
    out = run_shell(verify_txt_commands(case.root)["openssl pkeyutl"], case.root)
    assert out.returncode == 0, out.stderr
    assert "Signature Verified Successfully" in out.stdout


def test_both_tools_reject_a_changed_tag_manifest(sealed):
    case, _ = sealed
    tagmanifest = case.root / layout.TAGMANIFEST
    tagmanifest.write_bytes(tagmanifest.read_bytes().replace(b"  ", b" ", 1))
    commands = verify_txt_commands(case.root)
    assert run_shell(commands["ssh-keygen -Y verify"], case.root).returncode != 0
    assert run_shell(commands["openssl pkeyutl"], case.root).returncode != 0


def test_the_sha256sum_and_bagit_steps_of_verify_txt_pass(sealed):
    case, _ = sealed
    commands = verify_txt_commands(case.root)
    for tool in ("sha256sum -c tagmanifest", "sha256sum -c manifest"):
        out = run_shell(commands[tool], case.root)
        assert out.returncode == 0 and "FAILED" not in out.stdout, out.stdout
    assert_valid_bag(case.root)


def test_the_custody_check_in_verify_txt_works(sealed):
    case, _ = sealed
    text = (case.root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    line = next(x.strip() for x in text.splitlines() if x.strip().startswith("python3 -c"))
    assert "chain OK" in run_shell(line, case.root).stdout
    log = case.root / layout.CUSTODY_JSONL
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + lines[2] + lines[1] + b"".join(lines[3:]))
    assert "chain BROKEN" in run_shell(line, case.root).stdout


def test_sealing_is_logged_and_verified(sealed):
    case, result = sealed
    last = case.custody_entries()[-1]
    assert last["action"] == "sealed"
    assert last["details"]["signer_key_fingerprint"] == result.key_fingerprint
    assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", result.key_fingerprint)
    report = verify_case(case.root)
    assert report.ok and report.sealed
    assert "seal-signature-ok" in {f.code for f in report.findings}


def test_sealing_twice_changes_nothing(sealed):
    case, first = sealed
    again = seal_case(case)
    assert again.already_sealed and again.fingerprint == first.fingerprint
    assert [e["action"] for e in case.custody_entries()].count("sealed") == 1


def test_the_same_key_seals_every_case_of_the_user(sealed, tmp_path):
    from evidencekit.case.case import create_case

    other = create_case(tmp_path / "other")
    assert seal_case(other).key_fingerprint == sealed[1].key_fingerprint


def test_reopen_keeps_the_earlier_seal_checkable_and_the_next_seal_supersedes_it(sealed, evidence, tmp_path):
    case, first = sealed
    reopened = reopen_case(case, reason="new messages")
    assert reopened.superseded_fingerprint == first.fingerprint
    assert not case.is_sealed()
    assert verify_case(case.root).ok
    capture(case, [evidence / "notes.txt"])
    second = seal_case(case)
    assert second.fingerprint != first.fingerprint

    actions = [e["action"] for e in case.custody_entries()]
    assert actions[-4:] == ["sealed", "reopened", "item-captured", "sealed"]
    history = case.root / "seal/history/1"
    assert hashlib.sha256((history / "tagmanifest-sha256.txt").read_bytes()).hexdigest() == first.fingerprint
    with (history / "tagmanifest-sha256.txt").open("rb") as signed:
        out = subprocess.run(
            shlex.split(
                "ssh-keygen -Y verify -f allowed_signers -I evidencekit-seal -n evidencekit "
                "-s tagmanifest-sha256.txt.sshsig"
            ),
            stdin=signed,
            cwd=history,
            capture_output=True,
        )
    assert out.returncode == 0
    report = verify_case(case.root)
    assert report.ok, report.errors
    assert "earlier-seal-ok" in {f.code for f in report.findings}
    assert "EARLIER SEALS" in (case.root / layout.VERIFY_TXT).read_text()
    assert_valid_bag(case.root)


def test_evidence_removed_after_an_earlier_seal_is_detected(sealed):
    case, _ = sealed
    reopen_case(case)
    manifest = case.root / layout.MANIFEST
    history_manifest = case.root / "seal/history/1/manifest-sha256.txt"
    assert history_manifest.read_text() == manifest.read_text()
    # Someone rewrites the current manifest by hand to drop the first item.
    (case.root / "data/items").joinpath(
        sorted(p.name for p in (case.root / "data/items").iterdir())[0]
    ).unlink()
    manifest.write_text("")
    codes = {f.code for f in verify_case(case.root).errors}
    assert "earlier-seal-evidence-changed" in codes


def test_reopening_an_open_case_is_refused(case):
    with pytest.raises(EvidenceKitError, match="not sealed"):
        reopen_case(case)


def test_the_private_key_never_enters_the_case(sealed, isolated):
    case, _ = sealed
    key = (isolated / "seal-key.pem").read_bytes()
    assert b"PRIVATE KEY" in key
    for path in case.root.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes()


def test_a_link_put_in_place_of_seal_json_is_not_followed(sealed, tmp_path):
    from evidencekit.case.seal import read_seal_json

    case, _result = sealed
    assert read_seal_json(case)["sealed_at"]
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"sealed_at": "from outside the case"}', encoding="utf-8")
    seal_json = case.root / layout.SEAL_JSON
    seal_json.unlink()
    seal_json.symlink_to(elsewhere)

    assert read_seal_json(case) == {}
