"""`capture --timestamp` and `evidencekit timestamp`, run as a person would, against a real TSA on
127.0.0.1 that this computer trusts (SSL_CERT_FILE), or one that is down."""

from __future__ import annotations

import json

import pytest

DOWN = "http://127.0.0.1:9/tsr"  # nothing listens on the discard port


@pytest.fixture
def trusting(tsa) -> dict[str, str]:
    """This computer trusts the local TSA's root, as it trusts a public TSA's."""
    return {"SSL_CERT_FILE": str(tsa.ca_cert)}


def one_calm_problem(result, sentence: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Problem: ") and sentence in " ".join(result.stderr.split())
    assert "What to do: " in result.stderr


def test_a_screenshot_captured_with_timestamp_gets_its_trusted_time_at_once(
    cli, case, evidence, tsa, trusting
):
    result = cli(
        "capture", "-C", case.root, evidence / "chat.txt", "--timestamp", "--tsa", tsa.url, env=trusting
    )

    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "Saved 1 item" in words
    assert "E0001 “chat.txt”: trusted time" in words and "from CN=Test TSA, at capture" in words
    assert "this computer's clock was right to within a second" in words or "seconds ahead" in words
    checked = cli("verify", case.root, env=trusting)
    assert checked.exit_code == 0, checked.output
    assert "E0001: trusted time" in checked.stdout and "Test TSA" in checked.stdout


def test_capture_never_uses_the_network_unless_asked(cli, case, evidence, tsa):
    before = len(tsa.requests)
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    assert len(tsa.requests) == before
    assert not (case.root / "data/derived/E0001/trusted-time").exists()


def test_offline_captures_are_kept_then_stamped_later_in_one_go(cli, case, evidence, tsa, trusting):
    offline = cli("capture", "-C", case.root, evidence / "chat.txt", evidence / "notes.txt", "--tsa", DOWN)
    assert offline.exit_code == 0, offline.output
    words = " ".join(offline.output.split())
    assert "Saved 2 items" in words
    assert (
        f"The items are saved, but without a trusted time: the TSA {DOWN}: it could not be reached" in words
    )
    assert "evidencekit timestamp" in words
    assert words.count("could not be reached") == 1  # one sentence, not one per item

    later = cli("timestamp", "-C", case.root, "--tsa", tsa.url, env=trusting)
    assert later.exit_code == 0, later.output
    for item in ("E0001 “chat.txt”", "E0002 “notes.txt”"):
        assert f"{item}: trusted time" in later.stdout
    again = cli("timestamp", "-C", case.root, "--tsa", tsa.url, env=trusting)
    assert again.exit_code == 0
    assert "2 item(s) already had a trusted time (E0001, E0002)" in " ".join(again.output.split())


def test_a_tsa_that_cannot_be_reached_is_one_sentence_and_nothing_changes(cli, case, evidence):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    manifest = (case.root / "manifest-sha256.txt").read_bytes()
    result = cli("timestamp", "-C", case.root, "--tsa", DOWN)
    one_calm_problem(result, f"No item was time-stamped: the TSA {DOWN}: it could not be reached")
    assert "The items are kept as they were" in result.stderr
    assert (case.root / "manifest-sha256.txt").read_bytes() == manifest


def test_a_tsa_that_refuses_is_said_in_words(cli, case, evidence, tsa):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    tsa.refuse = True
    try:
        result = cli("timestamp", "-C", case.root, "--tsa", tsa.url)
    finally:
        tsa.refuse = False
    one_calm_problem(result, "the TSA answered with HTTP error 503")


def test_a_sealed_case_says_how_to_add_a_trusted_time(cli, case, evidence, tsa):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    assert cli("seal", "-C", case.root).exit_code == 0
    before = len(tsa.requests)
    result = cli("timestamp", "-C", case.root, "--tsa", tsa.url)
    one_calm_problem(result, "This case is sealed, so no trusted time can be added to its items.")
    assert "evidencekit reopen" in result.stderr
    assert len(tsa.requests) == before  # refused before anything was sent


def test_an_item_the_case_does_not_hold_is_refused(cli, case, evidence, tsa):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    result = cli("timestamp", "E0009", "-C", case.root, "--tsa", tsa.url)
    one_calm_problem(result, "This case has no item E0009.")


def test_json_gives_each_token_with_the_clock_offset_and_the_delay(cli, case, evidence, tsa, trusting):
    assert cli("capture", "-C", case.root, evidence / "chat.txt", evidence / "notes.txt").exit_code == 0
    result = cli("timestamp", "1", "-C", case.root, "--tsa", tsa.url, "--json", env=trusting)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["format"] == "evidencekit-timestamp-result/1"
    [stamped] = payload["stamped"]
    assert stamped["item"] == "E0001"
    [token] = stamped["tokens"]
    assert token["gen_time"].endswith("Z") and isinstance(token["clock_offset_seconds"], float)
    assert token["delay_seconds"] is not None and token["checked"] is True
    checked = json.loads(cli("verify", case.root, "--json", env=trusting).stdout)
    [summary] = checked["item_timestamps"]
    assert summary["item"] == "E0001" and summary["time"] == token["gen_time"] and summary["tokens"] == 1
    assert summary["clock_offset_seconds"] == token["clock_offset_seconds"]


def test_timestamp_with_screen_is_refused_before_anything_is_taken(cli, case, tsa):
    before = len(tsa.requests)
    result = cli("capture", "-C", case.root, "--screen", "--timestamp", "--tsa", tsa.url)
    one_calm_problem(result, "--timestamp does not go with --screen.")
    assert "evidencekit timestamp" in result.stderr
    assert len(tsa.requests) == before
    assert not list((case.root / "data").rglob("*.png"))


def test_a_tsa_whose_root_this_computer_does_not_know_still_gives_a_kept_token(cli, case, evidence, tsa):
    result = cli("capture", "-C", case.root, evidence / "chat.txt", "--tsa", tsa.url, "--json")
    assert result.exit_code == 0, result.output
    [stamped] = json.loads(result.stdout)["timestamps"]["stamped"]
    assert stamped["tokens"][0]["checked"] is False and stamped["tokens"][0]["root_sha256"] is None
    said = cli("timestamp", "-C", case.root, "--tsa", tsa.url)
    assert "1 item(s) already had a trusted time (E0001)" in " ".join(said.output.split())
    checked = cli("verify", case.root, "--json")
    assert checked.exit_code == 0, checked.output  # a warning, not an error: the token holds for its record
    found = {f["code"]: f["message"] for f in json.loads(checked.stdout)["findings"]}
    assert "item-time-root-unknown" in found and "openssl ts -verify" in found["item-time-root-unknown"]
    assert "item-time-ok" not in found


def test_an_officer_who_opens_the_hand_over_gets_every_items_trusted_time_checked(
    cli, case, evidence, tsa, trusting, passphrase_file, tmp_path
):
    assert (
        cli("capture", "-C", case.root, evidence / "chat.txt", "--tsa", tsa.url, env=trusting).exit_code == 0
    )
    out = tmp_path / "handover"
    assert cli("seal", "-C", case.root, "--passphrase-file", passphrase_file, "--out", out).exit_code == 0
    archive = out / f"{case.info.id}.tar.age"

    inside = cli("verify", archive, "--passphrase-file", passphrase_file, env=trusting)
    assert inside.exit_code == 0, inside.output
    assert "the items' trusted times" in " ".join(inside.stdout.split())  # left for after `open`

    opened = cli("open", archive, "--passphrase-file", passphrase_file, "--json", env=trusting)
    assert opened.exit_code == 0, opened.output
    report = json.loads(opened.stdout)
    assert report["ok"] and [s["item"] for s in report["item_timestamps"]] == ["E0001"]


def test_verify_of_many_stamped_items_shows_a_few_and_counts_the_rest(cli, case, tmp_path, tsa, trusting):
    # Screenshots, each with its trusted time: the verdict must not scroll away under a line per
    # item. The JSON still names every one.
    folder = tmp_path / "screenshots"
    folder.mkdir()
    for n in range(8):
        (folder / f"shot-{n}.txt").write_text(f"screenshot {n}\n", encoding="utf-8")
    captured = cli(
        "capture", "-C", case.root, *sorted(folder.iterdir()), "--timestamp", "--tsa", tsa.url, env=trusting
    )
    assert captured.exit_code == 0, captured.output

    checked = cli("verify", case.root, env=trusting)

    assert checked.exit_code == 0, checked.output
    words = " ".join(checked.stdout.split())
    assert words.count(": trusted time") == 5
    assert "… and 3 more like these (item-time-ok); evidencekit verify --json lists each one." in words
    assert "Verified: nothing has changed." in words
    listed = json.loads(cli("verify", case.root, "--json", env=trusting).stdout)
    assert len([f for f in listed["findings"] if f["code"] == "item-time-ok"]) == 8
