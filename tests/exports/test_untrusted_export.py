"""A captured export inside a case is untrusted input too: a link planted in place of the export,
or of a file inside a captured folder, never makes a re-made transcript read a file outside."""

from __future__ import annotations

import json
import os

from tests.conftest import run_cli
from tests.exports import samples


def _case_with(tmp_path, export):
    case = tmp_path / "case"
    env = {"EVIDENCEKIT_CASE": str(case)}
    assert run_cli("new", case, "--timezone", "Europe/London", "--no-under-18").exit_code == 0
    assert run_cli("capture", export, env=env).exit_code == 0
    return case, env


def test_a_link_planted_inside_a_captured_folder_is_not_followed(tmp_path):
    case, env = _case_with(tmp_path, samples.instagram_thread(tmp_path / "instagram-sam"))
    item = json.loads((case / "evidencekit/items.jsonl").read_text("utf-8").splitlines()[0])
    stored = next(f["path"] for f in item["files"] if f["path"].endswith("message_1.json"))
    secret = tmp_path / "outside.json"
    secret.write_text(
        json.dumps({"participants": [{"name": "x"}], "messages": [{"content": "OUTSIDE SECRET"}]}), "utf-8"
    )
    target = case / item["bag_path"] / stored
    target.unlink()
    os.symlink(secret, target)

    result = run_cli("transcript", "E0001", "--rebuild", env=env)

    assert "Traceback" not in result.output and result.exit_code in (0, 2), result.output
    transcript = case / "data/derived/E0001/transcript.jsonl"
    assert "OUTSIDE SECRET" not in transcript.read_text("utf-8")


def test_a_link_planted_in_place_of_a_captured_file_is_refused_calmly(tmp_path):
    export = samples.telegram_chat(tmp_path / "in") / "result.json"
    case, env = _case_with(tmp_path, export)
    item = json.loads((case / "evidencekit/items.jsonl").read_text("utf-8").splitlines()[0])
    secret = tmp_path / "outside.json"
    secret.write_text(export.read_text("utf-8").replace("Riley", "OUTSIDE SECRET"), "utf-8")
    (case / item["bag_path"]).unlink()
    os.symlink(secret, case / item["bag_path"])

    result = run_cli("transcript", "E0001", "--rebuild", env=env)

    assert result.exit_code == 2, result.output
    assert "not a plain file or folder" in result.output and "Traceback" not in result.output
    assert "OUTSIDE SECRET" not in (case / "data/derived/E0001/transcript.jsonl").read_text("utf-8")
