"""A victim's helper uses the real `evidencekit` command from start to finish."""

from __future__ import annotations

import json

from tests.conftest import assert_valid_bag


def test_new_capture_add_url_seal_verify_as_a_person_would(cli, tmp_path, evidence):
    case = tmp_path / "my-case"

    made = cli(
        "new",
        case,
        "--title",
        "Instagram blackmail",
        "--collector",
        "Jo (helper)",
        "--timezone",
        "Europe/London",
    )
    assert made.exit_code == 0, made.output
    assert "Created case EK-" in made.stdout and "Next:" in made.stdout
    assert_valid_bag(case)

    # Inside the case folder no --case is needed (found like git finds a repository).
    shot = cli("capture", evidence / "chat.txt", "--note", "the threat", "--tag", "threat", cwd=case)
    assert shot.exit_code == 0, shot.output
    assert "Saved 1 item in case" in shot.stdout and "E0001" in shot.stdout
    assert_valid_bag(case)

    again = cli("capture", evidence / "chat.txt", cwd=case)
    assert again.exit_code == 0 and "already in the case as E0001" in again.stdout

    url = cli("add-url", "https://www.instagram.com/bad.actor/", "--kind", "profile", "--case", case)
    assert url.exit_code == 0, url.output
    assert "Recorded U0001" in url.stdout and "Instagram" in url.stdout
    assert_valid_bag(case)

    status = cli("status", "--case", case)
    assert status.exit_code == 0
    assert "Instagram blackmail" in status.stdout and "open (not sealed yet)" in status.stdout

    sealed = cli("seal", env={"EVIDENCEKIT_CASE": str(case)})
    assert sealed.exit_code == 0, sealed.output
    assert "Seal fingerprint" in sealed.stdout and "write it down" in sealed.stdout
    assert_valid_bag(case)

    refused = cli("capture", evidence / "notes.txt", cwd=case)
    assert refused.exit_code == 2 and "sealed" in refused.stderr and "evidencekit reopen" in refused.stderr

    verified = cli("verify", case)
    assert verified.exit_code == 0, verified.output
    assert "Verified: nothing has changed" in verified.stdout

    log = cli("log", "--case", case)
    assert log.exit_code == 0
    for action in ("case-created", "item-captured", "url-added", "sealed"):
        assert action in log.stdout

    reopened = cli("reopen", "--reason", "more messages", "--case", case)
    assert reopened.exit_code == 0 and "seal/history/1" in reopened.stdout
    assert cli("capture", evidence / "notes.txt", cwd=case).exit_code == 0
    assert cli("seal", "--case", case).exit_code == 0
    assert cli("verify", case).exit_code == 0
    assert_valid_bag(case)


def test_verify_exits_1_and_names_the_change(cli, tmp_path, evidence):
    case = tmp_path / "case"
    cli("new", case)
    cli("capture", evidence / "chat.txt", "--case", case)
    cli("seal", "--case", case)
    stored = next((case / "data/items").iterdir())
    stored.write_bytes(stored.read_bytes() + b"!")

    result = cli("verify", case)

    assert result.exit_code == 1
    assert "payload-changed" in result.stdout and stored.name in result.stdout
    assert "NOT VERIFIED" in result.stdout
    as_json = cli("verify", case, "--json")
    assert as_json.exit_code == 1
    payload = json.loads(as_json.stdout)
    assert payload["format"] == "evidencekit-verify/1" and payload["ok"] is False
    assert any(f["code"] == "payload-changed" for f in payload["findings"])


def test_json_outputs_are_clean_and_versioned(cli, tmp_path, evidence):
    case = tmp_path / "case"
    created = json.loads(cli("new", case, "--json").stdout)
    assert created["format"] == "evidencekit-status/1"
    captured = json.loads(cli("capture", evidence / "chat.txt", "--json", "--case", case).stdout)
    assert captured["added"][0]["id"] == "E0001"
    url = json.loads(cli("add-url", "https://t.me/someone", "--json", "--case", case).stdout)
    assert url["added"]["platform"] == "Telegram"
    sealed = json.loads(cli("seal", "--json", "--case", case).stdout)
    assert len(sealed["fingerprint"]) == 64
    status = json.loads(cli("status", "--json", "--case", case).stdout)
    assert status["sealed"] is True and status["fingerprint"] == sealed["fingerprint"]
    assert status["case_id"] == created["case_id"]
    assert [i["id"] for i in status["items"]] == ["E0001"] and status["urls"][0]["id"] == "U0001"
    log = json.loads(cli("log", "--json", "--case", case).stdout)
    assert [e["action"] for e in log["entries"]] == ["case-created", "item-captured", "url-added", "sealed"]
    verify = json.loads(cli("verify", case, "--json").stdout)
    assert verify["ok"] is True and verify["fingerprint"] == sealed["fingerprint"]


def test_python_dash_m_works(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "evidencekit", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("evidencekit ")
