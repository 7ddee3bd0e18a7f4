"""Mistakes in how a command is typed get the same two calm lines as every other problem.

A person who types `evidencekit captur`, forgets the words of a note or misspells an option sees
`Problem:` (what is wrong, in words) and `What to do:` (the command they probably meant, an
example, or the command's -h), exit 2: never click's boxed usage text, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, CliResult
from tests.unprivileged import cannot_read, without_special_rights


def assert_usage_problem(result: CliResult, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Problem: "), result.stderr
    assert "\nWhat to do: " in result.stderr
    for boxed in ("╭", "│", "Usage:", "Try 'evidencekit", "Traceback"):
        assert boxed not in result.output, result.output
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_a_misspelt_command_suggests_the_one_meant(cli):
    result = cli("captur", "chat.txt")
    assert_usage_problem(
        result, "“captur” is not a command of evidencekit.", "Did you mean: evidencekit capture?"
    )


def test_a_word_that_is_no_command_points_to_the_list(cli):
    result = cli("help-me")
    assert_usage_problem(result, "“help-me” is not a command", "All commands: evidencekit -h")
    assert "Did you mean" not in result.stderr


def test_a_note_without_its_words_shows_an_example(cli):
    result = cli("note")
    assert_usage_problem(
        result,
        "`evidencekit note` needs TEXT: what happened, in your own words",
        'For example: evidencekit note "He said',
        "evidencekit note -h",
    )


def test_an_unknown_option_names_the_command_and_the_option_meant(cli):
    result = cli("seal", "--passphrase-fil", "x")
    assert_usage_problem(
        result,
        "“--passphrase-fil” is not an option of evidencekit seal.",
        "Did you mean --passphrase-file?",
        "evidencekit seal -h",
    )


def test_an_option_without_its_value_names_the_command_it_was_given_to(cli):
    result = cli("payment", "add", "--method", "bank", "--amount")
    assert_usage_problem(result, "“--amount” needs a value after it.", "evidencekit payment add -h")


def test_a_missing_required_option_is_explained_with_the_commands_example(cli):
    result = cli("payment", "add", "--amount", "20")
    assert_usage_problem(
        result, "`evidencekit payment add` needs --method: how the money was to be paid", "For example:"
    )


def test_a_value_outside_the_choices_lists_them(cli):
    result = cli("payment", "add", "--method", "cash", "--amount", "20")
    assert_usage_problem(result, "The value given for --method cannot be used", "“crypto”")


def test_a_command_group_alone_shows_its_help_then_says_what_is_missing(cli):
    result = cli("offender")
    assert result.exit_code == 2
    assert "add" in result.stdout and "list" in result.stdout  # its help, as asked for
    assert "Problem: `evidencekit offender` needs one more word saying what to do: add or list." in (
        result.stderr
    )
    assert "Traceback" not in result.output


def _every_command() -> list[list[str]]:
    import typer

    from evidencekit.cli.app import _load_commands, app

    _load_commands()
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="evidencekit", resilient_parsing=True)
    found: list[list[str]] = []
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        if hasattr(command, "list_commands"):
            found += [[name, sub] for sub in command.list_commands(ctx)]
        else:
            found.append([name])
    return found


@pytest.mark.parametrize("words", _every_command(), ids=" ".join)
def test_every_command_answers_an_unknown_option_in_the_same_form(cli, words):
    result = cli(*words, "--no-such-option")
    assert_usage_problem(
        result,
        f"“--no-such-option” is not an option of evidencekit {' '.join(words)}.",
        f"evidencekit {' '.join(words)} -h",
    )


def test_a_file_that_does_not_exist_is_one_sentence(cli, tmp_path):
    assert cli("new", tmp_path / "case").exit_code == 0
    result = cli("capture", tmp_path / "nope.png", "--case", tmp_path / "case")
    assert result.exit_code == 2 and result.stderr.startswith("Problem: There is no file or folder at")
    assert "╭" not in result.output


# ---- as a person without special rights (as root too: tests/unprivileged.py) ------------------


def run_without_special_rights(*args: str | os.PathLike[str]) -> CliResult:
    proc = subprocess.run(
        [*without_special_rights(), str(BIN / "evidencekit"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def test_a_file_this_account_cannot_read_is_explained_not_boxed(cli, tmp_path: Path):
    assert cli("new", tmp_path / "case").exit_code == 0
    locked = tmp_path / "locked.png"
    locked.write_bytes(b"\x89PNG\r\n\x1a\n")
    locked.chmod(0)
    # The precondition: this really is a file the command cannot read (else the test proves nothing).
    assert cannot_read(locked)

    result = run_without_special_rights("capture", locked, "--case", tmp_path / "case")

    assert_usage_problem(result, "cannot read “", "locked.png", "no permission to read it")
    assert not any((tmp_path / "case" / "data" / "items").iterdir())


def test_a_folder_holding_an_unreadable_file_names_it_and_captures_nothing(cli, tmp_path: Path):
    assert cli("new", tmp_path / "case").exit_code == 0
    folder = tmp_path / "phone export"
    folder.mkdir()
    (folder / "chat.txt").write_text("pay\n", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / "photo.jpg").chmod(0)

    result = run_without_special_rights("capture", folder, "--case", tmp_path / "case")

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Problem: ") and "photo.jpg" in result.stderr
    assert "permission" in result.stderr and "Traceback" not in result.output
    assert not any((tmp_path / "case" / "data" / "items").iterdir())
