"""Capturing an export the case already holds, with an option that changes how it is read: the
export is not stored twice and its transcript is not silently re-made; the person is told so in
one sentence, with the command that does it."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.exports import samples


def test_capturing_a_saved_export_again_with_another_time_zone_says_how_to_apply_it(tmp_path):
    case = tmp_path / "case"
    env = {"EVIDENCEKIT_CASE": str(case)}
    assert run_cli("new", case, "--timezone", "Europe/London", "--no-under-18").exit_code == 0
    export = samples.whatsapp_android_zip(tmp_path / "in")
    assert run_cli("capture", export, env=env).exit_code == 0

    again = run_cli("capture", export, "--export-timezone", "America/New_York", env=env)

    assert again.exit_code == 0, again.output
    assert "already in the case as E0001" in again.output
    assert "--export-timezone America/New_York was not applied" in again.output
    assert "evidencekit transcript E0001 --export-timezone America/New_York" in again.output
    remade = run_cli("transcript", "E0001", "--export-timezone", "America/New_York", env=env)
    assert remade.exit_code == 0, remade.output
    header = json.loads((case / "data/derived/E0001/transcript.jsonl").read_text("utf-8").splitlines()[0])
    assert header["time_zone"] == "America/New_York"


def test_nothing_is_said_when_the_transcript_already_uses_that_zone(tmp_path):
    case = tmp_path / "case"
    env = {"EVIDENCEKIT_CASE": str(case)}
    assert run_cli("new", case, "--timezone", "Europe/London", "--no-under-18").exit_code == 0
    export = samples.whatsapp_android_zip(tmp_path / "in")
    assert run_cli("capture", export, "--export-timezone", "Asia/Kolkata", env=env).exit_code == 0

    again = run_cli("capture", export, "--export-timezone", "Asia/Kolkata", "--json", env=env)

    assert again.exit_code == 0, again.output
    result = json.loads(again.stdout)
    assert result["duplicates"] == [{"path": result["duplicates"][0]["path"], "existing_id": "E0001"}]
    assert not any("not applied" in w for w in result["warnings"])
