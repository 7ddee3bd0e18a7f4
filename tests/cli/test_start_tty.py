"""`evidencekit start` in a real terminal (tmux), as a person uses it: from nothing to a sealed case.

The screenshot step takes a real screenshot of a virtual screen (Xvfb) painted with a known pattern;
the sealed case is then checked as an officer would: `evidencekit verify`, bagit.py and sha256sum.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image

from evidencekit.case.case import Case, create_case
from tests import xvfb as virtual_screen
from tests.conftest import BIN, assert_valid_bag, run_cli
from tests.tty import Terminal
from tests.xvfb import assert_shows_pattern

xvfb, screen = virtual_screen.xvfb, virtual_screen.screen  # the fixtures


def terminal_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        "EVIDENCEKIT_HOME": str(home),
        "NO_COLOR": "1",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "Europe/London",
    }
    env.update(extra)
    return env


def converse(term: Terminal, script: list[tuple[str, str]]) -> None:
    """Answer each question when it appears on the screen, one at a time."""
    position = 0
    for question, answer in script:
        position = term.wait_for(question, after=position)
        position = term.wait_for("> ", after=position)  # the prompt is there: the question is complete
        term.type(answer)


def test_from_start_to_a_sealed_case_in_a_real_terminal(tmp_path, screen):
    work = tmp_path / "work"
    work.mkdir()
    (work / "WhatsApp Chat with Alex.txt").write_text("14/03/2026, 21:05 - Alex: pay\n", encoding="utf-8")
    home = tmp_path / "home"
    with Terminal(
        [str(BIN / "evidencekit"), "start"], cwd=work, env=terminal_env(home, DISPLAY=screen)
    ) as term:
        converse(
            term,
            [
                ("Where should the case folder be made?", "my case"),
                ("Who is saving the evidence", "Sam (helper)"),
                ("Which country are you in?", "GB"),
                ("under 18 when they were taken?", "2"),  # a number works as well as the word
                ("What would you like to do?", "take"),
                ("How many seconds should evidencekit wait", "0"),
                ("What would you like to do?", "done"),
                ("Type the path", "WhatsApp\\ Chat\\ with\\ Alex.txt"),
                ("A short note", "the chat with the threats"),
                ("Type the path", ""),
                ("Paste a web address", "https://www.instagram.com/bad.actor/"),
                ("What is this address?", "profile"),
                ("Does that page show intimate images?", "no"),
                ("Paste a web address", ""),
                # The offender step records the account through the library.
                ("Which app or website was the account on?", "Instagram"),
                ("Their username or handle", "@bad.actor"),
                ("The address of their profile", "https://www.instagram.com/bad.actor/"),
                ("The name it shows", ""),
                ("A phone number they used", ""),
                ("An e-mail address they used", ""),
                ("Anything else about this", ""),
                ("Which app or website was the account on?", ""),
                ("Did they ask you for money", "no"),
                ("What happened?", ""),
                ("Have you done any of these?", "done"),
                ("Make the report now?", "no"),
                ("Seal the case now?", "yes"),
                ("Make an encrypted copy now?", "no"),
                ("You skipped some steps", "none"),
            ],
        )
        assert term.exit_code() == 0
        shown = term.screen()
    assert "this is not your fault" in shown
    assert shown.index("999") < shown.index("Your case folder")
    assert "Saved E0001: a screenshot of the screen (320 × 200" in shown
    assert "Seal fingerprint (write it down" in shown
    assert "If you are in danger right now, call 999 (or 112)." in shown
    assert "[done] Save the evidence (2 item(s) saved)" in shown
    assert "[not yet] Report the account to the platform" in shown
    assert "Samaritans" in shown and "StopNCII" in shown
    assert "Traceback" not in shown and "\x1b[" not in shown

    case = Case(work / "my case")
    assert case.is_sealed() and case.info.collector == "Sam (helper)"
    fingerprint = case.fingerprint()
    assert fingerprint and " ".join(fingerprint[i : i + 8] for i in range(0, 64, 8)) in shown
    screenshot, chat = case.items()
    assert screenshot["kind"] == "screenshot" and screenshot["source"] == "screen"
    assert_shows_pattern(case.root / screenshot["bag_path"])
    assert chat["note"] == "the chat with the threats"
    assert case.urls()[0]["url"] == "https://www.instagram.com/bad.actor/"
    assert "Recorded the account as O0001." in shown
    offender = case.records("evidencekit/offenders.jsonl")[0]
    assert (
        offender["username"] == "bad.actor"
        and offender["profile_url"] == "https://www.instagram.com/bad.actor/"
    )
    verified = run_cli("verify", "--json", case.root)
    assert verified.exit_code == 0 and json.loads(verified.stdout)["sealed"] is True
    assert_valid_bag(case.root)


def test_stop_with_ctrl_c_then_continue_where_it_left_off(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    env = terminal_env(home)
    with Terminal([str(BIN / "evidencekit"), "start"], cwd=work, env=env) as term:
        converse(
            term,
            [
                ("Where should the case folder be made?", "case"),
                ("Who is saving the evidence", ""),
                ("Which country are you in?", "US"),
                ("under 18 when they were taken?", "no"),
            ],
        )
        term.wait_for("What would you like to do?")
        term.keys("C-c")
        assert term.exit_code() == 130
        shown = term.screen()
    assert "Stopped. Everything you saved is kept." in shown and "evidencekit start" in shown
    assert "911" in shown

    with Terminal([str(BIN / "evidencekit"), "start"], cwd=work, env=env) as term:
        converse(
            term,
            [
                ("Continue with it?", "yes"),
                ("What would you like to do?", "stop"),
            ],
        )
        assert term.exit_code() == 0
        shown = term.screen()
    assert "Welcome back" in shown and "[done] Was anyone shown under 18?" in shown
    assert "[to do] Screenshots" in shown
    assert Case(work / "case").info.flags == {"under_18": False}


def test_under_18_capture_asks_first_and_copies_nothing_when_stopped(tmp_path):
    case_dir = tmp_path / "case"
    create_case(case_dir, flags={"under_18": True})
    picture = tmp_path / "Screenshot_20260314.png"
    Image.new("RGB", (4, 4), "white").save(picture)
    env = terminal_env(tmp_path / "home", EVIDENCEKIT_CASE=str(case_dir))
    with Terminal([str(BIN / "evidencekit"), "capture", str(picture)], cwd=tmp_path, env=env) as term:
        converse(term, [("Does any of them show nudity or sexual content?", "stop")])
        assert term.exit_code() == 2
        shown = term.screen()
    assert "someone shown was under 18" in shown and "Nothing was captured" in shown
    assert not any((case_dir / "data" / "items").iterdir())

    with Terminal([str(BIN / "evidencekit"), "capture", str(picture)], cwd=tmp_path, env=env) as term:
        converse(term, [("Does any of them show nudity or sexual content?", "no")])
        assert term.exit_code() == 0
    [item] = Case(case_dir).items()
    assert item["not_intimate_confirmed"] is True and item["bag_path"]


def test_new_asks_the_under_18_question_on_a_terminal(tmp_path):
    env = terminal_env(tmp_path / "home")
    with Terminal(
        [str(BIN / "evidencekit"), "new", "case", "--country", "AU"], cwd=tmp_path, env=env
    ) as term:
        converse(term, [("under 18 when they were taken?", "yes")])
        assert term.exit_code() == 0
        shown = term.screen()
    assert "please do not screenshot, save, copy or send those images" in shown
    assert Case(tmp_path / "case").info.flags == {"under_18": True}
