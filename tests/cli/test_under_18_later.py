"""A helpline worker learns, after the case was made, that the person shown was 15: they say so
with `evidencekit under-18`, and the case keeps such images safe from then on."""

from __future__ import annotations

import json

from PIL import Image


def picture(path, colour):
    Image.new("RGB", (64, 64), colour).save(path)
    return path


def test_marking_a_case_under_18_later_warns_about_what_was_already_copied(cli, case, tmp_path):
    copied = picture(tmp_path / "photo.png", "red")
    assert cli("capture", "-C", case.root, copied).exit_code == 0

    marked = cli("under-18", "not-sure", "-C", case.root)

    assert marked.exit_code == 0, marked.output
    words = " ".join(marked.stdout.split())
    assert "Recorded: someone shown was, or may have been, under 18." in words
    assert "please do not screenshot, save, copy or send those images" in words
    assert "already holds 1 image(s) or video(s) that were copied before this answer" in words
    assert json.loads((case.root / "evidencekit/case.json").read_text())["flags"]["under_18"] is True
    assert cli("verify", case.root).exit_code == 0

    # From now on an image is not copied without an answer.
    later = cli("capture", "-C", case.root, picture(tmp_path / "later.png", "blue"))
    assert later.exit_code == 2
    assert not any(p.name == "later.png" for p in (case.root / "data").rglob("*"))


def test_the_mark_cannot_be_taken_back_and_a_wrong_answer_is_one_sentence(cli, case):
    assert cli("under-18", "yes", "-C", case.root).exit_code == 0

    again = cli("under-18", "yes", "-C", case.root, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["changed"] is False
    undone = cli("under-18", "no", "-C", case.root)
    assert undone.exit_code == 2 and "does not remove that mark" in undone.stderr
    wrong = cli("under-18", "maybe", "-C", case.root)
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("Problem: “maybe” is not an answer evidencekit knows.")
    assert "Traceback" not in wrong.output


def test_an_adult_case_is_recorded_as_such(cli, case):
    said = cli("under-18", "no", "-C", case.root, "--json")
    assert said.exit_code == 0
    assert json.loads(said.stdout) == {
        "flag": "under_18",
        "previous": None,
        "value": False,
        "changed": True,
        "copied_media": [],
    }
