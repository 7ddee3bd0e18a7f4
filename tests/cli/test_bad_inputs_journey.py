"""The bad inputs a frightened person meets on the way to a hand-over, each answered by the real
command in one sentence with a hint and exit code 2, before anything is done: a folder that does
not exist after --out or --to, a screenshot with no screen, a new case inside a case; and what
`verify` of an archive did not check, in plain words."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.conftest import run_cli

PASSPHRASE = "violet tractor unfolds 9 maps"
WHATSAPP = (
    "14/03/2026, 21:05 - Alex: hi, I saw your profile\n"
    "14/03/2026, 21:06 - Alex: pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or I send it\n"
    "14/03/2026, 21:09 - Sam: please stop\n"
)


def new_case(tmp_path: Path, collector: str = "Sam") -> dict[str, str]:
    root = tmp_path / "case"
    made = run_cli("new", root, "--collector", collector, "--timezone", "Europe/London", "--no-under-18")
    assert made.exit_code == 0, made.output
    return {"EVIDENCEKIT_CASE": str(root)}


def with_chat(tmp_path: Path, env: dict[str, str]) -> None:
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(WHATSAPP, encoding="utf-8")
    assert run_cli("capture", chat, env=env).exit_code == 0


def passphrase_file(tmp_path: Path) -> Path:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return secret


def one_calm_refusal(result, sentence: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Writing to disk failed" not in result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith("Problem: ")]
    assert problems == [f"Problem: {sentence}"], result.stderr
    assert "What to do: " in result.stderr


# ---- --out and --to: the folder must be there ------------------------------------------------------


def test_a_transcript_saved_to_a_desktop_that_does_not_exist_says_so(tmp_path):
    env = new_case(tmp_path)
    with_chat(tmp_path, env)
    home = tmp_path / "home"
    home.mkdir()

    result = run_cli("transcript", "E0001", "--out", "~/Desktop/x.html", env={**env, "HOME": str(home)})

    one_calm_refusal(
        result, f"The folder {home / 'Desktop'} does not exist, so the transcript cannot be written there."
    )
    assert not (home / "Desktop").exists()
    saved = run_cli("transcript", "E0001", "--out", "~/x.html", env={**env, "HOME": str(home)})
    assert saved.exit_code == 0 and "pay to" in (home / "x.html").read_text(encoding="utf-8")


def test_a_report_written_into_a_missing_folder_says_so_before_making_anything(tmp_path):
    env = new_case(tmp_path)
    missing = tmp_path / "Desktop"

    result = run_cli("report", "--out", missing / "police-report", env=env)

    one_calm_refusal(result, f"The folder {missing} does not exist, so the report cannot be written there.")
    assert not missing.exists()
    made = run_cli("report", "--format", "html", "--out", tmp_path / "police-report", env=env)
    assert made.exit_code == 0, made.output  # the last folder named may be new: it is made


def test_the_encrypted_copy_is_not_sealed_for_nothing_when_its_folder_is_missing(tmp_path):
    env = new_case(tmp_path)
    missing = tmp_path / "USB stick"

    result = run_cli(
        "seal", "--encrypt", "--passphrase-file", passphrase_file(tmp_path), "--out", missing / "x", env=env
    )

    one_calm_refusal(
        result, f"The folder {missing} does not exist, so the encrypted copy cannot be written there."
    )
    assert not (Path(env["EVIDENCEKIT_CASE"]) / "seal").exists()  # checked before sealing


def test_opening_into_a_missing_folder_or_into_a_file_says_which(tmp_path):
    env = new_case(tmp_path)
    secret = passphrase_file(tmp_path)
    out = tmp_path / "handover"
    assert run_cli("seal", "--passphrase-file", secret, "--out", out, env=env).exit_code == 0
    [archive] = out.glob("*.tar.age")

    missing = run_cli("open", archive, "--to", tmp_path / "cases" / "2026", "--passphrase-file", secret)
    one_calm_refusal(
        missing,
        f"The folder {tmp_path / 'cases'} does not exist, so the case folder cannot be written there.",
    )
    a_file = run_cli("open", archive, "--to", secret, "--passphrase-file", secret)
    one_calm_refusal(
        a_file, f"{secret} is a file, not a folder, so the case folder cannot be written into it."
    )


# ---- a screenshot with no screen -------------------------------------------------------------------


def no_display_env(env: dict[str, str]) -> dict[str, str]:
    full = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**full, **env}


def test_a_delayed_screenshot_without_a_screen_is_refused_before_the_countdown(tmp_path):
    env = new_case(tmp_path)

    result = run_cli("capture", "--screen", "--delay", "10", env=no_display_env(env))

    assert result.exit_code == 2
    assert "There is no screen to capture here" in result.stderr
    assert "will be taken in" not in result.output  # no countdown announced for nothing


def free_display_number() -> int:
    for number in range(90, 200):
        path = f"/tmp/.X11-unix/X{number}"
        if os.path.exists(path):
            continue
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect("\0" + path)
            except OSError:
                return number
    pytest.fail("no free X display number")


def test_a_display_left_over_from_an_ended_desktop_is_refused_at_once(tmp_path):
    env = new_case(tmp_path)
    display = f":{free_display_number()}"

    result = run_cli("capture", "--screen", "--delay", "10", env={**no_display_env(env), "DISPLAY": display})

    one_calm_refusal(
        result,
        f"There is no screen to capture here: the display {display} named in DISPLAY does not answer "
        "(the desktop it belonged to has ended, or it is on another computer).",
    )
    assert "will be taken in" not in result.output


# ---- verify of an archive: what was not checked, in words ------------------------------------------


def test_verify_of_an_archive_names_what_it_did_not_check_in_plain_words(tmp_path):
    env = new_case(tmp_path)
    with_chat(tmp_path, env)
    secret = passphrase_file(tmp_path)
    out = tmp_path / "handover"
    assert run_cli("seal", "--passphrase-file", secret, "--out", out, env=env).exit_code == 0
    [archive] = out.glob("*.tar.age")

    result = run_cli("verify", archive, "--passphrase-file", secret)

    assert result.exit_code == 0, result.output
    assert (
        "Not checked inside the archive: the story records (accounts, payments, notes and actions), "
        "the report files, the web captures, the replayable web archives (WACZ), the chat transcripts, "
        "the under-18 safeguard, the hashes added for hash lists and the items' trusted times. "
        "They need the unpacked case folder: `evidencekit open` unpacks it and checks them."
    ) in " ".join(result.stdout.split())
    for internal in ("story.checks", "report.checks", "exports", "guide,"):
        assert internal not in result.output


# ---- a case inside a case ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "data", "data/items", "evidencekit"])
def test_a_new_case_inside_a_case_is_refused(tmp_path, where):
    env = new_case(tmp_path)
    case_root = Path(env["EVIDENCEKIT_CASE"])

    result = run_cli("new", "my-case", "--no-under-18", cwd=case_root / where)

    one_calm_refusal(
        result,
        f"my-case would be inside the case folder {case_root}, and a case cannot hold another case.",
    )
    assert f"evidencekit new {tmp_path / 'my-case'}" in result.stderr
    assert not (case_root / where / "my-case").exists()
    beside = run_cli("new", tmp_path / "my-case", "--no-under-18", cwd=case_root)
    assert beside.exit_code == 0, beside.output


# ---- suggest: never the person themselves, and headings in good English ---------------------------


def test_suggest_leaves_out_the_persons_own_account_and_says_why(tmp_path):
    env = new_case(tmp_path, collector="Sam Taylor")
    with_chat(tmp_path, env)

    result = run_cli("suggest", env=env)

    assert result.exit_code == 0, result.output
    assert "offender add --platform WhatsApp --display-name Alex" in result.stdout
    assert "--display-name Sam" not in result.stdout
    assert (
        "Not suggested: Sam in E0001 is your own account (the chat is named after “Alex”, so the "
        "other person in it made the export)."
    ) in " ".join(result.stdout.split())
    headings = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert "Crypto wallet addresses" in headings and "Chat accounts" in headings
    assert not [h for h in headings if h.endswith(("sss", "ss", "eds", "hashs", ")s"))]

    as_json = json.loads(run_cli("suggest", "--json", env=env).stdout)
    assert [a["value"] for a in as_json["own_accounts"]] == ["Sam"]
    assert "Sam" not in {s["value"] for s in as_json["suggestions"]}
