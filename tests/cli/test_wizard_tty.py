"""The whole journey in a real terminal (tmux), as a frightened person takes it with `evidencekit start`.

Someone is "not sure" whether a person shown was under 18, and has a folder from their phone with a
screenshot and the WhatsApp chat. They say the images could show nudity, give the account as
`instagram.com/alex`, their country as "United Kingdom", a payment demand whose time they first
type in a way that cannot be read, their own account of what happened, that they reported the
account, and then ask for the report, the seal and an encrypted copy. At the end the case verifies
as an officer would check it, the encrypted copy opens with the passphrase they chose, and no line
on the narrow screen was cut in the middle of a word.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from evidencekit.case.case import Case
from tests.cli.test_start_tty import converse, terminal_env
from tests.conftest import BIN, assert_valid_bag, run_cli
from tests.tty import Terminal

WIDTH = 72
PASSPHRASE = "orbit lantern meadow quartz violin"


def cut_by_the_terminal(screen: str) -> list[str]:
    """Lines the terminal itself had to wrap (tmux re-joins them in `Terminal.screen()`, so they
    come back longer than the screen is wide): the terminal cuts wherever the edge falls, often
    in the middle of a word. Lines evidencekit wrapped itself, at spaces, are never longer."""
    return [line for line in screen.splitlines() if len(line.rstrip()) > WIDTH]


def test_not_sure_a_phone_folder_a_payment_and_the_hand_over_in_a_real_terminal(tmp_path: Path):
    work = tmp_path / "work"
    phone = work / "phone export"
    phone.mkdir(parents=True)
    Image.new("RGB", (8, 8), "white").save(phone / "Screenshot_20260314.png")
    (phone / "WhatsApp Chat with Alex.txt").write_text(
        "14/03/2026, 21:05 - Alex: send 250 pounds or everyone sees it\n", encoding="utf-8"
    )
    home = tmp_path / "home"
    with Terminal([str(BIN / "evidencekit"), "start"], cwd=work, env=terminal_env(home), width=WIDTH) as term:
        converse(
            term,
            [
                ("Where should the case folder be made?", "my case"),
                ("Who is saving the evidence", ""),
                ("Which country are you in?", "United Kingdom"),
                ("under 18 when they were taken?", "not sure"),
                ("What would you like to do?", "done"),
                ("Type the path", "phone export"),
                ("Does any of them show nudity or sexual content?", "yes"),
                ("A short note", "from my phone"),
                ("Type the path", ""),
                ("Paste a web address", "instagram.com/alex"),
                ("What is this address?", "profile"),
                ("Does that page show intimate images?", "no"),
                ("Paste a web address", ""),
                ("Which app or website was the account on?", "Instagram"),
                ("Their username or handle", "@alex"),
                ("The address of their profile", "instagram.com/alex"),
                ("The name it shows", ""),
                ("A phone number they used", ""),
                ("An e-mail address they used", ""),
                ("Anything else about this", ""),
                ("Which app or website was the account on?", ""),
                ("Did they ask you for money", "yes"),
                ("How did they want to be paid?", "bank"),
                ("Who the money was to go to", "J Smith"),
                ("bank account or IBAN", ""),
                ("A reference", ""),
                ("How much did they ask for?", "£250"),
                ("Did you pay?", "no"),
                ("When did they ask", "yesterday at nine-ish"),
                ("When did they ask", "yesterday 9pm"),
                ("another payment", "no"),
                ("What happened?", "He said he would send the video to my family"),
                ("When did that happen?", "2 hours ago"),
                ("What happened?", ""),
                ("Have you done any of these?", "reported"),
                ("Which app or website did you report it to?", ""),
                ("report or ticket number", "IG-1234"),
                ("When?", ""),
                ("Have you done any of these?", "done"),
                ("Make the report now?", "yes"),
                ("Seal the case now?", "yes"),
                ("Make an encrypted copy now?", "yes"),
                ("If the police gave you a key", ""),
            ],
        )
        position = term.wait_for("New passphrase (not shown as you type):", timeout=120)
        term.type(PASSPHRASE)
        term.wait_for("Type it again:", after=position)
        term.type(PASSPHRASE)
        assert term.exit_code(timeout=300) == 0
        screen = term.screen()
    shown = " ".join(screen.split())  # lines wrapped at spaces, read as one text

    assert "Traceback" not in shown and "╭" not in shown
    assert "is not a time evidencekit can read" in shown  # said once; only the time was asked again
    assert "wallet" not in shown.lower() and "ID number" not in shown
    assert "still read into a transcript" in shown
    assert "evidencekit action reported" not in shown
    assert "Tell them the passphrase separately" in shown
    assert PASSPHRASE not in shown  # never shown
    assert not cut_by_the_terminal(screen), cut_by_the_terminal(screen)

    case = Case(work / "my case")
    assert case.info.country == "GB" and case.info.flags == {"under_18": True}
    assert case.is_sealed()
    [folder] = case.items()
    assert [w["original_path"].rsplit("/", 1)[-1] for w in folder["withheld_files"]] == [
        "Screenshot_20260314.png"
    ]
    assert (case.root / "data" / "derived" / folder["id"] / "transcript.html").is_file()
    assert not any(p.suffix == ".png" for p in case.root.rglob("*"))
    assert case.urls()[0]["url"] == "https://instagram.com/alex"
    [payment] = case.records("evidencekit/payments.jsonl")
    assert payment["amount"] == "250" and payment["currency"] == "GBP" and payment["at"]
    [action] = case.records("evidencekit/actions.jsonl")
    assert (action["action"], action["to"], action["ref"]) == ("reported", "Instagram", "IG-1234")
    assert (case.root / "data" / "derived" / "report" / "report.html").is_file()
    verified = run_cli("verify", "--json", case.root)
    assert verified.exit_code == 0 and json.loads(verified.stdout)["sealed"] is True
    assert_valid_bag(case.root)

    archive = work / f"{case.info.id}.tar.age"
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    opened = run_cli("verify", archive, "--passphrase-file", secret)
    assert opened.exit_code == 0, opened.output
