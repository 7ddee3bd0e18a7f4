"""Someone hands over a case whose names and texts hold terminal escapes, and it is looked at.

A case folder, a chat export, a file name and a web page are written by someone else: here the
blackmailer chose their WhatsApp name and wrote the messages, and a hand-edited case holds the
rest. Escape sequences (colour, clear-screen, OSC 8 hidden links, a window title), a carriage
return that overwrites a line, backspaces, bidi overrides that make "exe.jpg" read "gpj.exe" and
Rich markup must all reach the screen as visible, inert text, from every command that shows them.

The commands run for real (the installed `evidencekit`), and their output is read as bytes, so a
carriage return is not turned into a line break before the test can see it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BIN

COLOUR = "\x1b[31mred\x1b[0m"
CLEAR = "\x1b[2J"
HIDDEN_LINK = "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pwned\x07"
OVERWRITE = "paid\rNOT PAID"
BACKSPACES = "abc\b\b\bxyz"
REVERSED = "invoice\u202egpj.exe"  # shown by a terminal as "invoiceexe.jpg"
ISOLATED = "\u2066isolated\u2069"
MARKUP = "[link=https://evil.example/]click[/link] [bold red]boom[/bold red]"
HOSTILE = " ".join((COLOUR, CLEAR, HIDDEN_LINK, TITLE, OVERWRITE, BACKSPACES, REVERSED, ISOLATED, MARKUP))

# What none of the output may hold: each is acted on by a terminal instead of shown.
RAW = ("\x1b", "\x07", "\x08", "\r", "\u202e", "\u2066", "\u2069")

# How the same text is shown instead.
SHOWN_COLOUR = "\\x1b[31mred\\x1b[0m"
SHOWN_TITLE = "\\x1b]0;pwned\\x07"
SHOWN_LINK = "\\x1b]8;;https://evil.example/\\x1b\\click here"
SHOWN_REVERSED = "invoice<U+202E>gpj.exe"
SHOWN_ISOLATED = "<U+2066>isolated<U+2069>"


@dataclass
class Shown:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def assert_inert(result: Shown) -> None:
    found = {repr(char) for char in RAW if char in result.output}
    assert not found, f"raw {', '.join(sorted(found))} reached the terminal:\n{result.output[-3000:]}"


@dataclass
class HostileCase:
    root: Path
    case: Path
    env: dict[str, str]
    captured: Shown

    def run(self, *args: str | Path, case: Path | None = None) -> Shown:
        """The real command, output kept as the bytes it wrote (decoded strictly as UTF-8)."""
        env = {**self.env, "EVIDENCEKIT_CASE": str(case or self.case)}
        done = subprocess.run(
            [str(BIN / "evidencekit"), *map(str, args)],
            capture_output=True,
            env=env,
            cwd=self.root,
            timeout=120,
        )
        return Shown(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def _plant(case: Path, name: str, changes: dict[str, object]) -> None:
    """Edit the first record of evidencekit/NAME by hand, as whoever passed the case on could."""
    path = case / "evidencekit" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    record = {**json.loads(lines[0]), **changes}
    lines[0] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileCase:
    root = tmp_path_factory.mktemp("hostile")
    env = {
        **os.environ,
        "EVIDENCEKIT_HOME": str(root / "home"),
        "EVIDENCEKIT_ACTOR": HOSTILE,  # who is named in the custody log
        "EVIDENCEKIT_LOCK_WAIT": "0.5",
        "NO_COLOR": "1",
        "COLUMNS": "1000",  # wide enough that no table folds a value the test looks for
    }
    env.pop("EVIDENCEKIT_PLAIN", None)
    made = HostileCase(root, root / "case", env, Shown(0, "", ""))
    created = made.run("new", made.case, "--title", HOSTILE, "--collector", HOSTILE, "--no-under-18")
    assert created.exit_code == 0, created.output

    originals = root / "Downloads"
    originals.mkdir()
    named = originals / f"{COLOUR} {TITLE} {REVERSED} [bold red]boom {OVERWRITE}.txt"
    named.write_text("the first threat\n", encoding="utf-8")
    chat = originals / "WhatsApp Chat with Alex.txt"
    chat.write_text(
        f"14/03/2026, 21:05 - Alex{CLEAR}{REVERSED}: pay now {HOSTILE} @evil.handle\n"
        "14/03/2026, 21:06 - Sam: no\n",
        encoding="utf-8",
    )
    made.captured = made.run("capture", named, chat, "--date-order", "dmy", "--export-timezone", "UTC")
    assert made.captured.exit_code == 0, made.captured.output

    for args in (
        ["offender", "add", "--platform", "Instagram", "--username", "bad.actor", "--note", "x"],
        ["payment", "add", "--method", "crypto", "--wallet", "bc1qexample", "--payee", "someone"],
        ["add-url", "https://evil.example/profile"],
        ["note", "he sent the first message"],
    ):
        done = made.run(*args)
        assert done.exit_code == 0, done.output
    # What the commands refuse to record (control characters), a hand-edited case can still hold.
    _plant(
        made.case,
        "offenders.jsonl",
        {"platform": HOSTILE, "username": HOSTILE, "display_name": HOSTILE, "note": f"line one\n{HOSTILE}"},
    )
    _plant(made.case, "payments.jsonl", {"payee": HOSTILE, "wallet": HOSTILE})
    _plant(made.case, "urls.jsonl", {"url": f"https://evil.example/{HOSTILE}", "platform": HOSTILE})
    _plant(made.case, "notes.jsonl", {"text": f"see https://evil.example/{REVERSED} {HOSTILE}"})
    return made


def test_capture_shows_a_file_name_full_of_escapes_as_text(hostile):
    assert_inert(hostile.captured)
    assert f"{SHOWN_COLOUR} {SHOWN_TITLE} {SHOWN_REVERSED} [bold red]boom paid\\rNOT PAID.txt" in (
        hostile.captured.stdout
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(
            ["status"], [SHOWN_COLOUR, SHOWN_TITLE, SHOWN_REVERSED, SHOWN_ISOLATED, MARKUP], id="status"
        ),
        pytest.param(
            ["log"], [SHOWN_COLOUR, SHOWN_TITLE, "paid\\rNOT", "[bold red]boom[/bold red]"], id="log"
        ),
        pytest.param(
            ["offender", "list"],
            [SHOWN_LINK, SHOWN_REVERSED, "[link=https://evil.example/]click[/link]"],
            id="offender list",
        ),
        pytest.param(
            ["payment", "list"], [SHOWN_COLOUR, "paid\\rNOT PAID", "abc\\x08\\x08\\x08xyz"], id="payment list"
        ),
        pytest.param(
            ["suggest", "--all"], ["Alex\\x1b[2Jinvoice<U+202E>gpj.exe", "@evil.handle"], id="suggest"
        ),
        pytest.param(
            ["transcript", "E0002"], [SHOWN_LINK, SHOWN_TITLE, SHOWN_REVERSED, MARKUP], id="transcript"
        ),
    ],
)
def test_every_command_shows_what_the_case_holds_inert_and_visible(hostile, command, expected):
    result = hostile.run(*command)

    assert result.exit_code == 0, result.output
    assert_inert(result)
    for text in expected:
        assert text in result.stdout, f"{text!r} is not shown:\n{result.stdout[-3000:]}"


def test_the_transcript_keeps_its_line_breaks_and_shows_the_rest(hostile):
    shown = hostile.run("transcript", "E0002").stdout

    assert "\n[2] " in shown  # one message a line, as before
    assert f"Alex\\x1b[2J{SHOWN_REVERSED}: pay now {SHOWN_COLOUR}" in shown


def test_a_transcript_piped_as_data_stays_exact(hostile, tmp_path):
    # CSV, HTML and JSONL on a pipe are data for another program (made safe only on a terminal);
    # saved with --out, the text transcript is exact too.
    piped = hostile.run("transcript", "E0002", "--format", "csv")
    assert piped.exit_code == 0, piped.output
    assert f"Alex{CLEAR}{REVERSED}" in piped.stdout

    saved = tmp_path / "alex.txt"
    assert hostile.run("transcript", "E0002", "--format", "text", "--out", saved).exit_code == 0
    assert f"pay now {HOSTILE}" in saved.read_bytes().decode("utf-8")


def test_verify_of_a_tampered_case_shows_the_names_it_found_inert(hostile, tmp_path):
    case = tmp_path / "case"
    shutil.copytree(hostile.case, case, symlinks=True)
    stored = next((case / "data" / "items").glob("E0001-*"))
    stored.write_text("changed afterwards\n", encoding="utf-8")
    (case / "data" / "items" / f"added {TITLE} [bold red]later {REVERSED}").write_text("x")

    result = hostile.run("verify", case)

    assert result.exit_code == 1, result.output
    assert_inert(result)
    assert "payload-changed" in result.stdout and "payload-unexpected" in result.stdout
    assert "[bold red]later" in result.stdout  # markup from a file name, shown as written
    assert SHOWN_TITLE in result.stdout  # the case title, in the heading


def test_verify_json_keeps_the_exact_names(hostile, tmp_path):
    case = tmp_path / "case"
    shutil.copytree(hostile.case, case, symlinks=True)
    (case / "data" / "items" / f"added {REVERSED}").write_text("x")

    result = hostile.run("verify", case, "--json")

    paths = [finding["path"] for finding in json.loads(result.stdout)["findings"]]
    assert f"data/items/added {REVERSED}" in paths  # --json is the exact record, not a display


def test_a_problem_naming_a_hostile_file_is_one_inert_sentence(hostile):
    missing = hostile.root / f"gone {TITLE} {REVERSED} [bold red]x"

    result = hostile.run("capture", missing)

    assert result.exit_code == 2, result.output
    assert_inert(result)
    assert result.stderr.startswith("Problem: ") and "Traceback" not in result.output
    assert f"{SHOWN_TITLE} {SHOWN_REVERSED} [bold red]x" in result.stderr


def test_a_note_with_escapes_is_refused_in_words_that_are_safe_to_show(hostile, tmp_path):
    case = tmp_path / "own-case"  # the planted case refuses additions (its records were edited)
    assert hostile.run("new", case, "--no-under-18").exit_code == 0

    refused = hostile.run("note", HOSTILE, case=case)
    assert refused.exit_code == 2, refused.output
    assert_inert(refused)

    saved = hostile.run("note", f"he wrote {MARKUP} :cross_mark:", case=case)
    assert saved.exit_code == 0, saved.output
    assert_inert(saved)
    assert "Saved note N0001" in saved.stdout


def test_an_unknown_item_given_on_the_command_line_is_named_inert(hostile):
    result = hostile.run("transcript", f"E{TITLE}{REVERSED}")

    assert result.exit_code == 2, result.output
    assert_inert(result)


def test_a_huge_planted_value_is_cut_and_counted_and_shown_promptly(hostile, tmp_path):
    case = tmp_path / "case"
    shutil.copytree(hostile.case, case, symlinks=True)
    _plant(case, "offenders.jsonl", {"display_name": "x" * 1_000_000, "note": "[bold]" * 200_000})

    started = time.monotonic()
    result = hostile.run("offender", "list", case=case)

    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30
    assert "… (998000 more characters)" in result.stdout  # the display name, over LONG_LIMIT
    assert len(result.stdout) < 20_000


def test_plain_mode_is_as_safe(hostile):
    result = hostile.run("--plain", "status")

    assert result.exit_code == 0, result.output
    assert_inert(result)
    assert SHOWN_REVERSED in result.stdout


def test_on_a_real_terminal_nothing_from_the_case_changes_the_title_or_clears_the_screen(hostile):
    from tests.tty import Terminal

    # The probe first sets the title itself, so the test knows this terminal obeys such a sequence.
    script = "printf '\\033]0;probe\\007before\\n'; \"$0\" status"
    env = {key: value for key, value in hostile.env.items() if key != "NO_COLOR"}
    env["EVIDENCEKIT_CASE"] = str(hostile.case)
    with Terminal(
        ["bash", "-c", script, str(BIN / "evidencekit")], cwd=hostile.root, env=env, width=200
    ) as terminal:
        assert terminal.exit_code() == 0, terminal.screen()
        screen = terminal.screen()
        title = subprocess.run(
            [terminal.tmux, "-L", terminal.socket, "display-message", "-p", "-t", "0", "#{pane_title}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()

    assert title == "probe"  # not "pwned"
    assert "before" in screen  # not cleared by ESC [2J
    assert SHOWN_TITLE in screen and SHOWN_REVERSED in screen
