"""Guided use from the command line, off a terminal (as scripts and pipes see it)."""

from __future__ import annotations

import json

from PIL import Image

from evidencekit.case.case import Case
from tests.conftest import assert_valid_bag


def test_evidencekit_alone_gives_a_calm_welcome(cli):
    result = cli()
    assert result.exit_code == 0
    assert "this is not your fault" in result.stdout
    assert "evidencekit start" in result.stdout and "evidencekit guide" in result.stdout
    assert "Usage:" not in result.stdout


def test_start_off_a_terminal_explains_it_needs_one(cli):
    result = cli("start", input="")
    assert result.exit_code == 2
    assert "needs a terminal window" in result.stderr
    assert "evidencekit new, capture, add-url, seal" in result.stderr


def test_guide_puts_emergency_numbers_first(cli):
    result = cli("guide", "--country", "uk")
    assert result.exit_code == 0
    out = result.stdout
    assert out.lstrip().startswith("If you are in danger right now, call 999 (or 112).")
    assert out.index("Don't panic") < out.index("Don't pay") < out.index("Save the evidence")
    assert out.index("Save the evidence") < out.index("Report the account") < out.index("Contact the police")
    routes = out[out.index("Who can help") :]
    assert routes.index("999") < routes.index("Samaritans") < routes.index("CEOP")
    assert "last checked on" in out
    assert "\x1b[" not in out


def test_guide_for_an_under_18_case_shows_the_child_safe_routes(cli, tmp_path):
    made = cli("new", tmp_path / "c", "--country", "US", "--under-18")
    assert made.exit_code == 0, made.output
    result = cli("guide", "--json", "--case", tmp_path / "c")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "evidencekit-guide/1" and data["age_group"] == "under-18"
    ids = [e["id"] for section in data["routes"] for e in section["entries"]]
    assert ids[0] == "us-emergency"
    assert {"us-cybertipline", "int-take-it-down"} <= set(ids) and "int-stopncii" not in ids
    steps = {s["id"]: s["status"] for s in data["checklist"]}
    assert steps["save-evidence"] == "not-yet" and steps["calm"] == "advice"


def test_guide_for_adults_points_to_stopncii(cli):
    result = cli("guide", "--country", "CA", "--for", "adult", "--json")
    ids = [e["id"] for section in json.loads(result.stdout)["routes"] for e in section["entries"]]
    assert "int-stopncii" in ids and "ca-cybertip" not in ids


def test_new_records_the_answer_and_explains_it(cli, tmp_path):
    yes = cli("new", tmp_path / "minor", "--under-18")
    assert "please do not screenshot, save, copy or send those images" in yes.stdout
    assert Case(tmp_path / "minor").info.flags == {"under_18": True}
    no = cli("new", tmp_path / "adult", "--no-under-18")
    assert "never copied" in no.stdout
    assert Case(tmp_path / "adult").info.flags == {"under_18": False}
    unasked = cli("new", tmp_path / "script")  # off a terminal: nothing asked, the answer stays open
    assert unasked.exit_code == 0 and "--under-18" in unasked.stdout
    assert Case(tmp_path / "script").info.flags == {}


def test_under_18_capture_off_a_terminal_refuses_kindly_and_copies_nothing(cli, tmp_path):
    cli("new", tmp_path / "c", "--under-18")
    folder = tmp_path / "phone export"
    folder.mkdir()
    (folder / "chat.txt").write_text("pay\n", encoding="utf-8")
    Image.new("RGB", (4, 4), "white").save(folder / "IMG_0001.jpg")
    before = sorted(p.relative_to(tmp_path / "c") for p in (tmp_path / "c").rglob("*"))
    result = cli("capture", folder, "--case", tmp_path / "c")
    assert result.exit_code == 2
    assert "Problem: This case is marked: someone shown may have been under 18." in result.stderr
    assert "IMG_0001.jpg" in result.stderr and "--not-intimate" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.relative_to(tmp_path / "c") for p in (tmp_path / "c").rglob("*")) == before

    sensitive = cli("capture", folder, "--sensitive", "--case", tmp_path / "c", "--json")
    assert sensitive.exit_code == 0
    assert json.loads(sensitive.stdout)["added"][0]["by_reference"] is True
    assert not any((tmp_path / "c" / "data" / "items").iterdir())
    assert_valid_bag(tmp_path / "c")


def test_not_intimate_is_recorded_in_the_item_and_the_custody_log(cli, tmp_path):
    cli("new", tmp_path / "c", "--under-18")
    picture = tmp_path / "Screenshot chat.png"
    Image.new("RGB", (4, 4), "white").save(picture)
    result = cli("capture", picture, "--not-intimate", "--case", tmp_path / "c", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"][0]["not_intimate_confirmed"] is True
    log = cli("log", "--json", "--case", tmp_path / "c")
    captured = [e for e in json.loads(log.stdout)["entries"] if e["action"] == "item-captured"]
    assert captured[0]["details"]["not_intimate_confirmed"] is True


def test_plain_output_has_no_symbols_or_colour(cli, tmp_path):
    result = cli("--plain", "new", tmp_path / "c", "--no-under-18", env={"NO_COLOR": "", "TERM": "xterm"})
    assert result.exit_code == 0
    assert "Done: Created case" in result.stdout
    assert "✓" not in result.stdout and "•" not in result.stdout and "\x1b[" not in result.stdout


def test_delay_and_region_need_screen(cli, tmp_path):
    cli("new", tmp_path / "c")
    result = cli("capture", "--delay", "3", "--case", tmp_path / "c")
    assert result.exit_code == 2 and "go with --screen" in result.stderr


def test_the_welcome_and_the_guide_start_fast():
    from tests.cli.test_startup import loaded_modules

    for args in ((), ("guide", "--country", "GB")):
        loaded = loaded_modules(*args)
        assert not loaded["PIL"] and not loaded["magic"] and not loaded["cryptography"], args
