"""A frightened person captures the wrong folder: an empty one. It is refused in one sentence, since
it would be an exhibit of nothing that then vanishes from the hand-over; what a captured folder's
record lists is exactly what the police unpack."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

PASSPHRASE = "violet tractor unfolds 9 maps"


def new_case(tmp_path: Path) -> dict[str, str]:
    root = tmp_path / "case"
    made = run_cli("new", root, "--collector", "Sam", "--timezone", "Europe/London", "--no-under-18")
    assert made.exit_code == 0, made.output
    return {"EVIDENCEKIT_CASE": str(root)}


def items(env: dict[str, str]) -> list[dict]:
    path = Path(env["EVIDENCEKIT_CASE"]) / "evidencekit/items.jsonl"
    lines = path.read_text(encoding="utf-8") if path.exists() else ""  # written with the first item
    return [json.loads(line) for line in lines.splitlines() if line.strip()]


def test_an_empty_folder_is_refused_in_one_sentence_and_nothing_is_captured(tmp_path):
    env = new_case(tmp_path)
    empty = tmp_path / "Screenshots"
    empty.mkdir()

    result = run_cli("capture", empty, env=env)

    assert result.exit_code == 2, result.output
    assert f"Problem: {empty} is an empty folder: there is nothing in it to keep." in result.stderr
    assert "What to do: Nothing was captured. Check that this is the folder you meant" in result.stderr
    assert "Traceback" not in result.output
    assert items(env) == []


def test_a_folder_of_empty_folders_is_refused_too(tmp_path):
    env = new_case(tmp_path)
    (tmp_path / "Backup" / "2026" / "March").mkdir(parents=True)

    result = run_cli("capture", tmp_path / "Backup", env=env)

    assert result.exit_code == 2
    assert "holds only empty folders: there is nothing in it to keep." in result.stderr
    assert items(env) == []


def test_given_with_other_files_the_empty_folder_stops_all_of_them_or_is_skipped_when_asked(tmp_path):
    env = new_case(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    chat = tmp_path / "chat.txt"
    chat.write_text("pay or else\n", encoding="utf-8")

    refused = run_cli("capture", chat, empty, env=env)
    assert refused.exit_code == 2 and items(env) == []  # all or nothing
    assert "--skip-problems" in refused.stderr

    skipped = run_cli("capture", chat, empty, "--skip-problems", env=env)
    assert skipped.exit_code == 0, skipped.output
    assert [item["original_name"] for item in items(env)] == ["chat.txt"]
    assert f"Left out {empty}: it is an empty folder, so there is nothing in it to keep." in skipped.output

    as_json = run_cli("capture", empty, "--skip-problems", "--json", env=env)
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["skipped"] == [
        {"path": str(empty), "reason": "it is an empty folder, so there is nothing in it to keep"}
    ]


def test_what_a_folders_record_lists_is_what_the_police_unpack(tmp_path):
    env = new_case(tmp_path)
    export = tmp_path / "Instagram export"
    (export / "messages" / "alex").mkdir(parents=True)
    (export / "messages" / "alex" / "message_1.json").write_text('{"messages": []}', encoding="utf-8")
    (export / "media" / "stories").mkdir(parents=True)  # empty: nothing in it to keep
    assert run_cli("capture", export, env=env).exit_code == 0
    [record] = items(env)
    assert [f["path"] for f in record["files"]] == ["messages/alex/message_1.json"]

    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    out = tmp_path / "for-police"
    sealed = run_cli("seal", "--encrypt", "--passphrase-file", secret, "--out", out, env=env)
    assert sealed.exit_code == 0, sealed.output
    [archive] = out.glob("*.tar.age")
    opened = run_cli("open", archive, "--to", tmp_path / "police", "--passphrase-file", secret)
    assert opened.exit_code == 0, opened.output

    [unpacked] = (tmp_path / "police").iterdir()
    kept = Path(env["EVIDENCEKIT_CASE"]) / record["bag_path"]
    handed_over = unpacked / record["bag_path"]
    assert files_in(handed_over) == files_in(kept) == {f["path"] for f in record["files"]}
    assert tree(handed_over) == tree(kept)  # no folder in the case that the hand-over loses


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
