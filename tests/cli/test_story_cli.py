"""A helper records the story with the real `evidencekit` command and makes the report for police."""

from __future__ import annotations

import json

from tests.conftest import assert_valid_bag
from tests.synthetic import add_chat_export, message


def test_recording_the_story_and_making_the_report(cli, tmp_path, evidence):
    case = tmp_path / "case"
    assert cli("new", case, "--timezone", "Europe/London", "--collector", "Jo").exit_code == 0
    assert cli("capture", evidence / "chat.txt", "--case", case).exit_code == 0

    weak = cli("offender", "add", "--platform", "snapchat", "--display-name", "Alex", "--case", case)
    assert weak.exit_code == 0, weak.output
    assert "Recorded offender account O0001 on Snapchat" in weak.stdout
    assert "display name alone is weak" in " ".join(weak.stderr.split())

    strong = cli(
        "offender", "add", "--platform", "Instagram", "--username", "@alex.real",
        "--profile-url", "https://www.instagram.com/alex.real/", "--seen-in", "E0001", "--case", case,
    )  # fmt: skip
    assert strong.exit_code == 0, strong.output
    assert "username:" in strong.stdout and "alex.real" in strong.stdout
    again = cli("offender", "add", "--platform", "Instagram", "--username", "alex.real", "--case", case)
    assert "already recorded as O0002" in again.stdout

    listed = cli("offender", "list", "--case", case)
    assert "O0001" in listed.stdout and "weak" in listed.stdout and "alex.real" in listed.stdout

    paid = cli(
        "payment", "add", "--method", "bank", "--payee", "J Smith", "--amount", "250", "--currency", "GBP",
        "--paid", "--at", "2026-03-14 22:15", "--reference", "REF123", "--case", case,
    )  # fmt: skip
    assert paid.exit_code == 0, paid.output
    words = " ".join(paid.stdout.split())
    assert "Recorded payment P0001: Paid 250 GBP by bank transfer to J Smith" in words
    assert "Important:" in words and "call your bank" in words and "don't pay more" in words

    note = cli("note", "He", "said", "he", "would", "post", "it", "--at", "2026-03-14 21:10", "--case", case)
    assert note.exit_code == 0 and "Saved note N0001" in note.stdout
    piped = cli("note", "-", "--case", case, input="A longer account,\nover two lines.\n")
    assert piped.exit_code == 0 and "N0002" in piped.stdout

    police = cli("action", "police", "--to", "Met Police", "--ref", "CAD-1234-26", "--case", case)
    assert police.exit_code == 0 and "reference CAD-1234-26" in police.stdout
    reported = cli("action", "reported", "--case", case)
    assert "--ref NUMBER" in reported.stdout

    status = cli("status", "--case", case)
    assert (
        "Recorded:" in status.stdout and "2 offender accounts, 1 payment, 2 notes, 2 actions" in status.stdout
    )

    made = cli("report", "--case", case)
    assert made.exit_code == 0, made.output
    assert "Report written into the case" in made.stdout and "data/derived/report/report.pdf" in made.stdout
    assert (case / "data/derived/report/report.html").exists()
    assert cli("verify", case).exit_code == 0
    assert_valid_bag(case)

    sealed = json.loads(cli("seal", "--json", "--case", case).stdout)["fingerprint"]
    resealed = cli("report", "--format", "html", "--case", case)
    assert resealed.exit_code == 0, resealed.output
    assert "sealed again" in resealed.stdout and "New seal fingerprint" in resealed.stdout
    assert json.loads(cli("status", "--json", "--case", case).stdout)["fingerprint"] != sealed

    outside = cli("report", "--out", tmp_path / "for-police", "--format", "html", "--json", "--case", case)
    assert outside.exit_code == 0, outside.output
    payload = json.loads(outside.stdout)
    assert payload["format"] == "evidencekit-report/1" and payload["inside_case"] is False
    assert payload["fingerprint"] == json.loads(cli("status", "--json", "--case", case).stdout)["fingerprint"]
    assert cli("verify", case).exit_code == 0

    log = cli("log", "--case", case).stdout
    for action in ("offender-added", "payment-added", "note-added", "action-recorded", "report-generated"):
        assert action in log


def test_json_output_of_the_story_commands(cli, tmp_path):
    case = tmp_path / "case"
    cli("new", case, "--timezone", "Europe/London")
    added = json.loads(
        cli("offender", "add", "--platform", "X", "--username", "a", "--json", "--case", case).stdout
    )
    assert added["format"] == "evidencekit-offender-add/1" and added["added"]["platform"] == "X (Twitter)"
    payment = json.loads(
        cli(
            "payment",
            "add",
            "--method",
            "crypto",
            "--wallet",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "--json",
            "--case",
            case,
        ).stdout
    )
    assert payment["added"]["wallet_network"] == "Bitcoin" and payment["advice"]
    action = json.loads(cli("action", "blocked", "--json", "--case", case).stdout)
    assert action["added"]["action"] == "blocked"
    listed = json.loads(cli("payment", "list", "--json", "--case", case).stdout)
    assert listed["payments"][0]["id"] == "P0001"
    status = json.loads(cli("status", "--json", "--case", case).stdout)
    assert status["story_counts"] == {"offenders": 1, "payments": 1, "notes": 0, "actions": 1}


def test_suggest_lists_what_the_chat_gives_away(cli, tmp_path):
    from evidencekit.case.case import create_case

    case = create_case(tmp_path / "case", zone_name="Europe/London")
    add_chat_export(
        case, tmp_path / "export", [message(1, "add me @alex.real"), message(2, "mail a@example.com")]
    )
    before = (case.root / "evidencekit/custody.jsonl").read_bytes()

    result = cli("suggest", "--case", case.root)

    assert result.exit_code == 0, result.output
    assert "@alex.real" in result.stdout and "a@example.com" in result.stdout
    assert (
        "evidencekit offender add --platform PLATFORM --username alex.real --seen-in E0001" in result.stdout
    )
    assert (case.root / "evidencekit/custody.jsonl").read_bytes() == before
    as_json = json.loads(cli("suggest", "--json", "--case", case.root).stdout)
    assert as_json["messages"] == 2 and {s["kind"] for s in as_json["suggestions"]} >= {"handle", "email"}


def test_bad_story_input_gets_one_sentence_and_a_hint(cli, tmp_path):
    case = tmp_path / "case"
    cli("new", case, "--timezone", "Europe/London")
    for args, words in [
        (["offender", "add", "--platform", "Instagram"], "Nothing identifies this account"),
        (["payment", "add", "--method", "bank", "--amount", "$50"], "several currencies"),
        (["note", "it happened", "--at", "14/03/2026 21:00"], "two different days"),
        (["action", "deleted"], "not an action evidencekit knows"),
        (["report", "--format", "docx"], "not a report format"),
    ]:
        result = cli(*args, "--case", case)
        assert result.exit_code == 2, (args, result.output)
        assert "Problem:" in result.stderr and "What to do:" in result.stderr and words in result.stderr, args
        assert "Traceback" not in result.output
    missing = cli("offender", "add", "--case", case)
    assert missing.exit_code == 2 and "--platform" in missing.stderr
    cheque = cli("payment", "add", "--method", "cheque", "--payee", "x", "--case", case)
    assert cheque.exit_code == 2 and "cheque" in cheque.stderr and "gift-card" in cheque.stderr
