"""The wizard's flow, driven by a scripted person: each answer is given to the question it expects.

These tests run the real core (real case folders, real captures, real seals); only the keyboard is
scripted. The same flow is driven in a real terminal in tests/cli/test_start_tty.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evidencekit.case.case import Case, create_case
from evidencekit.guide.answers import split_paths, web_address
from evidencekit.guide.progress import ProgressStore
from evidencekit.guide.talk import Choice, SkipStep, StopWizard
from evidencekit.guide.wizard import Wizard
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag

SKIP, STOP = object(), object()
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=timezone.utc)  # a Wednesday, in winter time


def FIXED_CLOCK() -> datetime:
    return NOW


class ScriptedPerson:
    """Answers questions from a script of (words the question must contain, answer)."""

    def __init__(self, script: Sequence[tuple[str, object]]) -> None:
        self.script = list(script)
        self.shown: list[str] = []

    def _answer(self, question: str) -> str:
        self.shown.append(question)
        assert self.script, f"the wizard asked more than the script answers: {question!r}"
        expected, answer = self.script.pop(0)
        assert expected in question, f"expected a question about {expected!r}, got {question!r}"
        if answer is SKIP:
            raise SkipStep
        if answer is STOP:
            raise StopWizard
        return str(answer)

    def heading(self, text: str) -> None:
        self.shown.append(text)

    def say(self, text: str) -> None:
        self.shown.append(text)

    success = note = say

    def problem(self, message: str, hint: str | None) -> None:
        self.shown.append(f"Problem: {message} {hint or ''}")

    def lines(self, lines) -> None:
        self.shown.extend(line for _style, line in lines)

    def choose(self, question: str, choices: Sequence[Choice], default: str | None = None) -> str:
        answer = self._answer(question)
        if answer == "" and default:
            return default
        assert answer in [c.key for c in choices], f"{answer!r} is not one of {[c.key for c in choices]}"
        return answer

    def ask(self, question: str, *, default: str | None = None, optional: bool = False) -> str:
        answer = self._answer(question)
        return answer or (default or "")

    @contextlib.contextmanager
    def progress(self, description: str):
        yield lambda *args, **kwargs: None

    def new_passphrase(self, avoid) -> str | None:
        answer = self._answer("new passphrase")
        return answer or None

    @property
    def transcript(self) -> str:
        return "\n".join(self.shown)

    def finished(self) -> None:
        assert not self.script, f"the wizard did not ask: {self.script}"


class NoScreen:
    def unavailable_reason(self) -> str:
        return "there is no screen in this test"

    def capture(self, case, *, delay, not_intimate):  # pragma: no cover - never reached
        raise AssertionError("no screen")


def make_wizard(person, tmp_path: Path, **kwargs) -> Wizard:
    kwargs.setdefault("screen", NoScreen())
    return Wizard(person, cwd=tmp_path, store=ProgressStore(tmp_path / "progress"), **kwargs)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    from PIL import Image

    folder = tmp_path / "my files"
    folder.mkdir()
    Image.new("RGB", (6, 6), "white").save(folder / "Screenshot 1.png")
    (folder / "WhatsApp Chat with Alex.txt").write_text("14/03/2026, 21:05 - Alex: pay\n", encoding="utf-8")
    return folder


def test_from_nothing_to_a_sealed_case(tmp_path, files):
    person = ScriptedPerson(
        [
            ("Where should the case folder be made?", "my-case"),
            ("Who is saving the evidence", "Sam"),
            ("Which country", "uk"),
            ("under 18 when they were taken", "no"),
            ("What would you like to do?", "take"),  # no screen here: it says so and asks again
            ("What would you like to do?", "files"),
            ("Type the path", f"'{files / 'Screenshot 1.png'}'"),
            ("Does any of them show nudity", "no"),
            ("A short note", "the threat"),
            ("What would you like to do?", "done"),
            ("Type the path", f"'{files / 'WhatsApp Chat with Alex.txt'}'"),
            ("A short note", ""),
            ("Type the path", ""),
            ("Paste a web address", "https://www.instagram.com/the.account/"),
            ("What is this address?", "profile"),
            ("Does that page show intimate images?", "no"),
            ("Paste a web address", ""),
            ("Which app or website was the account on?", ""),
            ("Did they ask you for money", "no"),
            ("What happened?", ""),
            ("Have you done any of these?", "done"),
            ("Make the report now?", "no"),
            ("Seal the case now?", "yes"),
            ("Make an encrypted copy now?", "no"),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(person, tmp_path).run()
    person.finished()
    case = Case(tmp_path / "my-case")
    assert case.is_sealed()
    assert case.info.country == "GB" and case.info.collector == "Sam"
    assert case.info.flags == {"under_18": False}
    items = case.items()
    assert [i["original_name"] for i in items] == ["Screenshot 1.png", "WhatsApp Chat with Alex.txt"]
    assert items[0]["note"] == "the threat" and items[0]["not_intimate_confirmed"] is True
    assert case.urls()[0]["kind"] == "profile" and case.urls()[0]["not_intimate_confirmed"] is True
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)
    shown = person.transcript
    assert "not your fault" in shown
    assert shown.index("999") < shown.index("Your case folder")  # emergency numbers before anything
    assert "there is no screen in this test" in shown
    assert "Seal fingerprint" in shown and "StopNCII" in shown and "CEOP" not in shown
    assert "[done] Save the evidence" in shown


def test_under_18_keeps_only_the_images_by_reference_and_still_reads_the_chat(tmp_path, files):
    person = ScriptedPerson(
        [
            ("Where should the case folder be made?", "case"),
            ("Who is saving the evidence", ""),
            ("Which country", "United Kingdom"),
            ("under 18 when they were taken", "not sure"),
            ("What would you like to do?", "files"),
            ("Type the path", f"'{files}'"),
            ("Does any of them show nudity", "yes"),
            ("A short note", ""),
            ("What would you like to do?", "done"),
            ("Type the path", ""),
            ("Paste a web address", ""),
            ("Which app or website was the account on?", STOP),
        ]
    )
    with pytest.raises(StopWizard):
        make_wizard(person, tmp_path).run()
    case = Case(tmp_path / "case")
    assert case.info.flags == {"under_18": True} and case.info.country == "GB"
    [folder] = case.items()
    assert folder["bag_path"]  # the folder is kept: only the image inside it is withheld
    [withheld] = folder["withheld_files"]
    assert withheld["original_path"].endswith("Screenshot 1.png")
    stored = [p.name for p in (case.root / folder["bag_path"]).rglob("*") if p.is_file()]
    assert stored == ["WhatsApp Chat with Alex.txt"]  # the chat export is copied, the image is not
    assert not any(p.suffix == ".png" for p in (case.root / "data").rglob("*"))
    assert (case.root / "data" / "derived" / folder["id"] / "transcript.html").is_file()
    shown = person.transcript
    assert "do not screenshot, save, copy or send those images" in shown
    for route in ("CEOP", "Report Remove", "Take It Down", "Internet Watch Foundation"):
        assert route in shown
    assert "StopNCII" not in shown  # adults only
    assert "recorded by reference only" in shown and "still read into a transcript" in shown
    assert verify_case(case.root).ok


def test_not_sure_counts_as_under_18(tmp_path):
    person = ScriptedPerson(
        [
            ("Where should the case folder be made?", "case"),
            ("Who is saving", ""),
            ("Which country", "US"),
            ("under 18 when they were taken", "not sure"),
            ("What would you like to do?", STOP),
        ]
    )
    with pytest.raises(StopWizard):
        make_wizard(person, tmp_path).run()
    case = Case(tmp_path / "case")
    assert case.info.flags == {"under_18": True}
    assert case.custody_entries()[-1]["details"]["answer"] == "not-sure"
    assert "NCMEC CyberTipline" in person.transcript and "1-800-843-5678" in person.transcript


def test_stop_then_resume_where_it_left_off(tmp_path, files):
    first = ScriptedPerson(
        [
            ("Where should the case folder be made?", "case"),
            ("Who is saving", ""),
            ("Which country", ""),
            ("under 18 when they were taken", "no"),
            ("What would you like to do?", SKIP),
            ("Type the path", STOP),
        ]
    )
    with pytest.raises(StopWizard):
        make_wizard(first, tmp_path).run()

    second = ScriptedPerson(
        [
            ("Continue with it?", "yes"),
            ("Type the path", f"'{files / 'WhatsApp Chat with Alex.txt'}'"),  # where it stopped
            ("A short note", ""),
            ("Type the path", ""),
            ("Paste a web address", ""),
            ("Which app or website was the account on?", ""),
            ("Did they ask you for money", "no"),
            ("What happened?", ""),
            ("Have you done any of these?", "done"),
            ("Make the report now?", "no"),
            ("Seal the case now?", "yes"),
            ("Make an encrypted copy now?", "no"),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(second, tmp_path).run()
    second.finished()
    transcript = second.transcript
    assert "Welcome back" in transcript
    assert "[done] Was anyone shown under 18?" in transcript and "[skipped] Screenshots" in transcript
    assert "[to do] Chat exports and other files" in transcript
    assert "under 18 when they were taken" not in transcript  # answered last time: not asked again
    case = Case(tmp_path / "case")
    assert case.is_sealed() and len(case.items()) == 1


def test_reopening_a_sealed_case_to_add_more_seals_it_again(tmp_path, files):
    from evidencekit.case.seal import seal_case

    case = create_case(tmp_path / "case", flags={"under_18": False})
    seal_case(case)
    person = ScriptedPerson(
        [
            ("This case is sealed", "no"),  # screenshots: not now
            ("This case is sealed", "yes"),  # chat exports: yes, reopen to add one
            ("Type the path", f"'{files / 'WhatsApp Chat with Alex.txt'}'"),
            ("A short note", ""),
            ("Type the path", ""),
            ("Paste a web address", ""),  # the case is open now: no second question about it
            ("Which app or website was the account on?", ""),
            ("Did they ask you for money", "no"),
            ("What happened?", ""),
            ("Have you done any of these?", "done"),
            ("Make the report now?", "no"),
            ("Seal the case now?", "yes"),
            ("Make an encrypted copy now?", "no"),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(person, tmp_path, case=case).run()
    person.finished()
    reread = Case(case.root)
    assert reread.is_sealed() and len(reread.items()) == 1
    actions = [e["action"] for e in reread.custody_entries()]
    assert actions.count("sealed") == 2 and "reopened" in actions
    assert verify_case(case.root).ok


def test_every_step_can_be_skipped(tmp_path):
    person = ScriptedPerson(
        [
            ("Where should the case folder be made?", SKIP),
        ]
    )
    make_wizard(person, tmp_path).run()  # without a case: straight to the advice and helplines
    person.finished()
    assert "Don't pay" in person.transcript and "Who can help" in person.transcript
    assert not any(tmp_path.glob("case-*"))

    case = create_case(tmp_path / "skipping")
    person = ScriptedPerson(
        [
            ("under 18", SKIP),
            ("What would you like to do?", SKIP),
            ("Type the path", SKIP),
            ("Paste a web address", SKIP),
            ("Which app or website was the account on?", SKIP),
            ("Did they ask you for money", SKIP),
            ("What happened?", SKIP),
            ("Have you done any of these?", SKIP),
            ("Make the report now?", SKIP),
            ("Seal the case now?", SKIP),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(person, tmp_path, case=case).run()
    person.finished()
    # The encrypted copy waits for a seal: skipped without a question.
    assert person.transcript.count("Skipped. You can come back to it later") == 11


def test_a_mistyped_path_is_explained_and_asked_again(tmp_path, files):
    case = create_case(tmp_path / "case", flags={"under_18": False})
    person = ScriptedPerson(
        [
            ("What would you like to do?", "files"),
            ("Type the path", f"'{files / 'no such file.png'}'"),
            ("What would you like to do?", "done"),
            ("Type the path", STOP),
        ]
    )
    with pytest.raises(StopWizard):
        make_wizard(person, tmp_path, case=case).run()
    assert "Problem: There is no file or folder at" in person.transcript


def test_accounts_payments_notes_and_actions_are_recorded_by_the_library(tmp_path):
    case = create_case(
        tmp_path / "case", flags={"under_18": False}, zone_name="Europe/London", clock=FIXED_CLOCK
    )
    person = ScriptedPerson(
        [
            ("What would you like to do?", "done"),
            ("Type the path", ""),
            ("Paste a web address", "instagram.com/alex"),  # no https:// : understood all the same
            ("What is this address?", "profile"),
            ("Does that page show intimate images?", "no"),
            ("Paste a web address", ""),
            ("Which app or website", "Instagram"),
            ("username or handle", "alex has spaces"),  # refused: only this answer is asked again
            ("username or handle", "@alex"),
            ("address of their profile", "instagram.com/alex"),
            ("The name it shows", "Alex ❤"),
            ("A phone number", ""),
            ("An e-mail address", ""),
            ("Anything else", ""),
            ("Which app or website", ""),
            ("Did they ask you for money", "yes"),
            ("How did they want to be paid?", "bank"),
            ("Who the money was to go to", "J Smith"),  # a bank: no wallet question follows
            ("bank account or IBAN", "12345678"),
            ("A reference", ""),
            ("How much did they ask for?", "£250"),
            ("Did you pay?", "no"),
            ("When did they ask", "yesterday at nine-ish"),  # unreadable: the time alone is asked again
            ("When did they ask", "yesterday 9pm"),
            ("another payment", "no"),
            ("What happened?", "He said he would send the photo to my family"),
            ("When did that happen?", "an hour ago"),
            ("What happened?", ""),
            ("Have you done any of these?", "reported"),
            ("Which app or website did you report it to?", ""),  # Enter: the account's platform
            ("report or ticket number", "IG-1234"),
            ("When?", "today 10am"),
            ("Have you done any of these?", "done"),
            ("Make the report now?", "no"),
            ("Seal the case now?", "no"),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(person, tmp_path, case=case, clock=FIXED_CLOCK).run()
    person.finished()
    shown = person.transcript
    assert "wallet" not in shown.lower()
    assert "ID number" not in shown  # a victim does not know the account's number
    assert "Problem: “yesterday at nine-ish” is not a time evidencekit can read." in shown
    assert "evidencekit action" not in shown  # the wizard records it itself
    assert case.urls()[0]["url"] == "https://instagram.com/alex"
    [offender] = case.records("evidencekit/offenders.jsonl")
    assert offender["username"] == "alex" and offender["profile_url"] == "https://instagram.com/alex"
    [payment] = case.records("evidencekit/payments.jsonl")
    assert (payment["method"], payment["payee"], payment["amount"], payment["currency"]) == (
        "bank",
        "J Smith",
        "250",
        "GBP",
    )
    assert payment["at"] == "2026-03-17T21:00:00+00:00" and payment["paid"] is False
    assert "“yesterday 9pm”" in payment["note"]  # the words they used are kept
    [note] = case.records("evidencekit/notes.jsonl")
    assert note["at"] == "2026-03-18T11:00:00+00:00" and note["text"].startswith("He said")
    [action] = case.records("evidencekit/actions.jsonl")
    assert (action["action"], action["to"], action["ref"]) == ("reported", "Instagram", "IG-1234")
    assert action["at"] == "2026-03-18T10:00:00+00:00"
    assert verify_case(case.root).ok


def test_the_end_makes_the_report_seals_and_writes_an_encrypted_copy(tmp_path, files):
    case = create_case(tmp_path / "case", flags={"under_18": False})
    person = ScriptedPerson(
        [
            ("What would you like to do?", "done"),
            ("Type the path", f"'{files / 'WhatsApp Chat with Alex.txt'}'"),
            ("A short note", ""),
            ("Type the path", ""),
            ("Paste a web address", ""),
            ("Which app or website", ""),
            ("Did they ask you for money", "no"),
            ("What happened?", ""),
            ("Have you done any of these?", "done"),
            ("Make the report now?", "yes"),
            ("Seal the case now?", "yes"),
            ("Make an encrypted copy now?", "yes"),
            ("If the police gave you a key", "age1notakey"),  # refused: asked again
            ("If the police gave you a key", ""),  # no key: a passphrase instead
            ("new passphrase", "correct horse battery staple orbit"),
        ]
    )
    make_wizard(person, tmp_path, case=case).run()
    person.finished()
    reread = Case(case.root)
    assert reread.is_sealed()
    assert (reread.root / "data/derived/report/report.html").is_file()
    archive = tmp_path / f"{reread.info.id}.tar.age"
    checksum = tmp_path / f"{reread.info.id}.tar.age.sha256"
    assert archive.is_file() and checksum.is_file()
    assert archive.read_bytes().startswith(b"age-encryption.org/v1")
    assert "Problem:" in person.transcript and "Tell them the passphrase separately" in person.transcript
    assert verify_case(reread.root).ok


def test_a_case_started_in_another_folder_is_not_offered(tmp_path):
    store = ProgressStore(tmp_path / "progress")
    elsewhere = tmp_path / "someone else"
    elsewhere.mkdir()
    first = ScriptedPerson(
        [
            ("Where should the case folder be made?", "their-case"),
            ("Who is saving", ""),
            ("Which country", ""),
            ("under 18", STOP),
        ]
    )
    with pytest.raises(StopWizard):
        Wizard(first, cwd=elsewhere, store=store, screen=NoScreen()).run()
    me = tmp_path / "me"
    me.mkdir()
    second = ScriptedPerson([("Where should the case folder be made?", STOP)])
    with pytest.raises(StopWizard):
        Wizard(second, cwd=me, store=store, screen=NoScreen()).run()
    assert "their-case" not in second.transcript and "Continue with it?" not in second.transcript
    third = ScriptedPerson([("Continue with it?", STOP)])  # back in that folder: offered again
    with pytest.raises(StopWizard):
        Wizard(third, cwd=elsewhere, store=store, screen=NoScreen()).run()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("instagram.com/alex", "https://instagram.com/alex"),
        ("www.tiktok.com/@alex", "https://www.tiktok.com/@alex"),
        ("https://t.me/alex", "https://t.me/alex"),
        ("javascript:alert(1)", "javascript:alert(1)"),  # left for the library to refuse
        ("alex", "alex"),
    ],
)
def test_web_addresses_without_https_are_completed(typed, expected):
    assert web_address(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/tmp/a.png", ["/tmp/a.png"]),
        ("'/tmp/My Screenshot.png'", ["/tmp/My Screenshot.png"]),
        ("/tmp/My\\ Screenshot.png /tmp/b.txt", ["/tmp/My Screenshot.png", "/tmp/b.txt"]),
        ('"/tmp/it\'s here.png"', ["/tmp/it's here.png"]),
        ("'/tmp/unbalanced.png", ["/tmp/unbalanced.png"]),
        ("   ", []),
    ],
)
def test_paths_dragged_into_the_terminal_are_understood(typed, expected):
    assert split_paths(typed) == [Path(p) for p in expected]


def test_a_finished_case_offers_to_add_more(tmp_path, files):
    case = create_case(tmp_path / "case", flags={"under_18": False})
    done = ScriptedPerson(
        [
            ("What would you like to do?", "done"),
            ("Type the path", ""),
            ("Paste a web address", ""),
            ("Which app or website was the account on?", ""),
            ("Did they ask you for money", "no"),
            ("What happened?", ""),
            ("Have you done any of these?", "done"),
            ("Make the report now?", SKIP),
            ("Seal the case now?", "yes"),
            ("Make an encrypted copy now?", SKIP),
            ("You skipped some steps", "none"),
        ]
    )
    make_wizard(done, tmp_path, case=case).run()
    done.finished()
    again = ScriptedPerson(
        [
            ("Every step has been done for this case", "urls"),
            ("This case is sealed", "yes"),
            ("Paste a web address", "https://t.me/someone"),
            ("What is this address?", "profile"),
            ("Does that page show intimate images?", "no"),
            ("Paste a web address", ""),
            ("You skipped some steps", "none"),
            ("Seal the case now?", "yes"),  # reopened to add: sealed again before finishing
        ]
    )
    make_wizard(again, tmp_path, case=Case(case.root)).run()
    again.finished()
    reread = Case(case.root)
    assert reread.is_sealed() and reread.urls()[0]["platform"] == "Telegram"
