"""`capture --screen` on a real (virtual) screen: Xvfb, drawn on with xsetroot and xmessage.

The test paints a known pattern in two odd colours on the X root window, takes the screenshot the
way a user would (the real console script), and compares the stored PNG with the pattern pixel for
pixel, so a wrong channel order, a flipped or offset image, or a lossy encoding all fail.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from PIL import Image

from evidencekit.case.case import Case, create_case
from evidencekit.errors import InvalidValueError
from evidencekit.intake.screen import (
    ScreenCaptureError,
    backend,
    capture_screen,
    decode_compound_text,
    parse_region,
)
from evidencekit.verify import verify_case
from tests import wayland as wayland_desktop
from tests import xvfb as virtual_screen
from tests.conftest import BIN, assert_valid_bag, require_tool, run_cli
from tests.xvfb import HEIGHT, WIDTH, assert_shows_pattern

xvfb, screen = virtual_screen.xvfb, virtual_screen.screen  # the fixtures
wayland = wayland_desktop.wayland


def test_capture_screen_stores_exactly_what_was_on_the_screen(screen, tmp_path):
    case_dir = tmp_path / "case"
    create_case(case_dir, zone_name="Europe/London")
    result = run_cli(
        "capture", "--screen", "--note", "the chat", "--json", "--case", case_dir, env={"DISPLAY": screen}
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)["added"][0]
    stored = case_dir / record["bag_path"]
    assert_shows_pattern(stored)
    with Image.open(stored) as image:
        assert image.size == (WIDTH, HEIGHT)
    assert record["kind"] == "screenshot" and record["mime"] == "image/png"
    assert record["source"] == "screen" and record["source_path"] is None
    shot = record["screen"]
    assert shot["method"] == "x11" and shot["display"] == screen
    assert (shot["screen_width"], shot["screen_height"]) == (WIDTH, HEIGHT)
    assert shot["region"] is None and shot["taken_at"].endswith("Z") and shot["taken_at_local"]
    assert record["image"]["width"] == WIDTH and record["note"] == "the chat"
    assert verify_case(case_dir).ok
    assert_valid_bag(case_dir)
    entry = Case(case_dir).custody_entries()[-1]
    assert entry["action"] == "item-captured" and entry["details"]["source"] == "screen"


def test_a_region_is_cut_from_the_right_place(screen, tmp_path):
    case = create_case(tmp_path / "case")
    result = capture_screen(case, region=parse_region("13,21,50,30"))
    stored = case.root / result.record["bag_path"]
    with Image.open(stored) as image:
        assert image.size == (50, 30)
    assert_shows_pattern(stored, origin=(13, 21))
    assert result.record["screen"]["region"] == {"x": 13, "y": 21, "width": 50, "height": 30}


def test_the_delay_is_waited_before_the_screenshot(screen, tmp_path):
    case = create_case(tmp_path / "case")
    waited: list[float] = []
    result = capture_screen(case, delay=2.5, sleep=waited.append)
    assert waited == [2.5]
    assert result.record["screen"]["delay_seconds"] == 2.5


def test_the_title_of_the_window_in_front_is_recorded(screen, tmp_path):
    require_tool("xmessage")
    xdotool = require_tool("xdotool")
    title = "Chat with Alex — Instagram"
    window = subprocess.Popen(
        ["xmessage", "-display", screen, "-title", title, "-geometry", "+10+10", "pay or else"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        found = subprocess.run(
            [xdotool, "search", "--sync", "--name", "Chat with Alex"],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "DISPLAY": screen},
        )
        assert found.returncode == 0, found.stderr
        window_id = found.stdout.split()[0]
        subprocess.run(
            [xdotool, "windowfocus", "--sync", window_id],
            check=True,
            timeout=30,
            env={**os.environ, "DISPLAY": screen},
        )
        case = create_case(tmp_path / "case")
        result = capture_screen(case)
        assert result.record["screen"]["active_window_title"] == title
    finally:
        window.terminate()
        window.wait(timeout=30)


def test_without_a_display_it_says_so_plainly(tmp_path):
    case_dir = tmp_path / "case"
    create_case(case_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [str(BIN / "evidencekit"), "capture", "--screen", "--case", str(case_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "There is no screen to capture here" in result.stderr
    assert "evidencekit capture FILE" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any((case_dir / "data" / "items").iterdir())


def test_wayland_without_a_screenshot_tool_says_what_to_install(monkeypatch):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ScreenCaptureError, match="grim, gnome-screenshot or spectacle"):
        backend()


def test_under_18_needs_the_no_nudity_confirmation_before_anything_is_taken(screen, tmp_path):
    case_dir = tmp_path / "case"
    create_case(case_dir, flags={"under_18": True})
    refused = run_cli("capture", "--screen", "--case", case_dir, env={"DISPLAY": screen})
    assert refused.exit_code == 2
    assert "screen shows no nudity" in refused.stderr and "--not-intimate" in refused.stderr
    assert not any((case_dir / "data" / "items").iterdir())
    accepted = run_cli(
        "capture", "--screen", "--not-intimate", "--json", "--case", case_dir, env={"DISPLAY": screen}
    )
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.stdout)["added"][0]["not_intimate_confirmed"] is True


def test_a_screenshot_cannot_be_sensitive(screen, tmp_path):
    case_dir = tmp_path / "case"
    create_case(case_dir)
    result = run_cli("capture", "--screen", "--sensitive", "--case", case_dir, env={"DISPLAY": screen})
    assert result.exit_code == 2 and "cannot be recorded by reference" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,0,1280,800", (0, 0, 1280, 800)),
        ("1280x800+10+20", (10, 20, 1280, 800)),
        (" 5, 6, 7, 8 ", (5, 6, 7, 8)),
    ],
)
def test_regions_are_read_in_both_forms(text, expected):
    region = parse_region(text)
    assert (region.x, region.y, region.width, region.height) == expected


@pytest.mark.parametrize("text", ["", "1,2,3", "0,0,0,10", "a,b,c,d", "-1,0,10,10"])
def test_a_bad_region_is_refused(text):
    with pytest.raises(InvalidValueError):
        parse_region(text)


def test_a_region_outside_the_screen_is_refused(screen, tmp_path):
    case = create_case(tmp_path / "case")
    with pytest.raises(InvalidValueError, match="does not fit on the screen"):
        capture_screen(case, region=parse_region(f"0,0,{WIDTH + 1},10"))
    assert not any((case.root / "data" / "items").iterdir())


def test_window_titles_in_compound_text_are_decoded():
    raw = b"Chat with Alex \x1b%G\xe2\x80\x94\x1b%@ Instagram"  # what xdotool prints for an Xt window
    assert decode_compound_text(raw) == "Chat with Alex — Instagram"
    assert decode_compound_text("Café — ok".encode()) == "Café — ok"  # _NET_WM_NAME is UTF-8
    assert decode_compound_text(b"caf\xe9") == "café"  # Latin-1 outside UTF-8 runs


def test_on_wayland_the_desktops_screenshot_tool_is_used(wayland, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    for name, value in wayland.items():
        monkeypatch.setenv(name, value)
    case = create_case(tmp_path / "case")
    whole = capture_screen(case).record
    assert whole["screen"]["method"] == "wayland-grim"
    assert (whole["screen"]["screen_width"], whole["screen"]["screen_height"]) == (WIDTH, HEIGHT)
    assert_shows_pattern(case.root / whole["bag_path"])
    part = capture_screen(case, region=parse_region("9,3,40,20")).record
    assert_shows_pattern(case.root / part["bag_path"], origin=(9, 3))
    assert verify_case(case.root).ok
