"""A helper captures a WhatsApp export, checks `status`, reads and saves the transcript."""

from __future__ import annotations

import json

from tests.conftest import assert_valid_bag
from tests.exports import samples


def test_capture_status_and_transcript_from_the_command_line(cli, tmp_path):
    export = samples.whatsapp_android_zip(tmp_path / "Downloads")
    case = tmp_path / "case"
    assert cli("new", case, "--timezone", "Europe/London").exit_code == 0

    captured = cli("capture", "-C", case, export)
    assert captured.exit_code == 0, captured.output
    assert "WhatsApp chat export (Android): 8 messages" in captured.stdout
    assert "evidencekit transcript E0001" in captured.stdout

    status = cli("status", "-C", case)
    assert "Chat exports" in status.stdout and "Riley, Sam" in status.stdout
    as_json = json.loads(cli("status", "-C", case, "--json").stdout)
    assert as_json["exports"][0]["messages"] == 8

    shown = cli("transcript", "-C", case, "E0001")
    assert shown.exit_code == 0, shown.output
    assert "Riley: you there?" in shown.stdout and "zone" in shown.stdout

    out = tmp_path / "Desktop" / "riley.csv"
    out.parent.mkdir()
    saved = cli("transcript", "-C", case, "e1", "--out", out)
    assert saved.exit_code == 0, saved.output
    assert out.read_text(encoding="utf-8").startswith("seq,time,")

    lines = cli("transcript", "-C", case, "E0001", "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["format"] == "evidencekit-transcript/1" and len(lines) == 11
    assert_valid_bag(case)


def test_transcript_problems_are_one_calm_sentence_and_exit_2(cli, tmp_path, evidence):
    case = tmp_path / "case"
    cli("new", case, "--timezone", "Europe/London")
    cli("capture", "-C", case, evidence / "notes.txt")

    for args, words in [
        (["E0009"], "has no item E0009"),
        (["E0001"], "not a chat export"),
        (["E0001", "--format", "pdf"], "not a transcript format"),
        (["banana"], "not an item id"),
    ]:
        result = cli("transcript", "-C", case, *args)
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "Traceback" not in result.output

    bad = cli("capture", "-C", case, evidence / "chat.txt", "--date-order", "dd/mm")
    assert bad.exit_code == 2 and "not a date order" in bad.stderr
    zone = cli("capture", "-C", case, evidence / "chat.txt", "--export-timezone", "Mars/Olympus")
    assert zone.exit_code == 2 and "time zone" in zone.stderr


def test_an_ambiguous_export_then_the_date_order_and_no_writing_into_the_case(cli, tmp_path):
    export = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.AMBIGUOUS)
    case = tmp_path / "case"
    cli("new", case, "--timezone", "Europe/London")

    captured = cli("capture", "-C", case, export)
    assert captured.exit_code == 0 and "--date-order dmy" in captured.stderr

    early = cli("transcript", "-C", case, "E0001")
    assert early.exit_code == 2 and "--date-order" in early.stderr

    made = cli("transcript", "-C", case, "E0001", "--date-order", "dmy")
    assert made.exit_code == 0, made.output
    assert "2024-02-01T21:07:00+00:00" in made.stdout
    assert "transcript-made" in cli("log", "-C", case).stdout

    inside = cli("transcript", "-C", case, "E0001", "--out", case / "data" / "x.html")
    assert inside.exit_code == 2 and "inside the case folder" in inside.stderr
    assert cli("verify", case).exit_code == 0


def test_a_changed_transcript_is_not_shown(cli, tmp_path):
    export = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)
    case = tmp_path / "case"
    cli("new", case, "--timezone", "Europe/London")
    cli("capture", "-C", case, export)
    derived = case / "data" / "derived" / "E0001" / "transcript.jsonl"
    derived.write_text(derived.read_text(encoding="utf-8").replace("you there?", "pay me"), encoding="utf-8")

    result = cli("transcript", "-C", case, "E0001")

    assert result.exit_code == 2 and "does not match" in result.stderr
    assert cli("verify", case).exit_code == 1
