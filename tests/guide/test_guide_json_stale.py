"""`guide --json` says how old its numbers are, as the text output does.

A helpline's web page or a support worker's script built on `guide --json` must not show a number
checked years ago as if it were fresh: every entry says whether it is stale, the stale ones are
listed together, and the oldest check is given. The clock is moved forward with faketime (the real
command, in its own process), so the shipped directory is seen as it will look in two years.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from datetime import date, timedelta

from evidencekit.guide import text
from evidencekit.guide.directory import STALE_AFTER, Routes, load_directory, routes_for
from tests.conftest import BIN, require_tool, run_cli


def _guide(*args: str, when: date | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "evidencekit"), "guide", *args]
    if when is not None:
        command = [require_tool("faketime"), when.isoformat(), *command]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def _entries(data: dict[str, object]) -> list[dict[str, object]]:
    return [entry for section in data["routes"] for entry in section["entries"]]  # type: ignore[attr-defined]


def test_today_the_shipped_entries_are_fresh_and_say_so():
    data = json.loads(run_cli("guide", "--country", "GB", "--json").stdout)
    entries = _entries(data)
    assert data["stale_entries"] == [] and data["stale_after_days"] == STALE_AFTER.days
    assert all(entry["stale"] is False for entry in entries)
    assert data["oldest_check"] == min(entry["last_verified"] for entry in entries)


def test_two_years_on_the_json_names_the_same_old_entries_as_the_text():
    newest = max(entry.last_verified for entry in load_directory())
    later = newest + timedelta(days=2 * 365)
    done = _guide("--country", "GB", "--json", when=later)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    entries = _entries(data)
    assert entries and all(entry["stale"] is True for entry in entries)
    assert [s["id"] for s in data["stale_entries"]] == [
        e.id for e in sorted(routes_for("GB", None).entries, key=lambda e: e.last_verified)
    ]

    shown = " ".join(_guide("--country", "GB", when=later).stdout.split())
    assert text.DIRECTORY_STALE in shown
    for stale in data["stale_entries"]:
        assert text.STALE_ENTRY.format(name=stale["name"], date=stale["last_verified"]) in shown


def test_only_the_old_entry_is_marked():
    shipped = next(e for e in load_directory() if e.id == "jp-emergency")
    old = dataclasses.replace(shipped, last_verified=date.today() - timedelta(days=400))
    fresh = dataclasses.replace(shipped, id="jp-fresh", last_verified=date.today())
    data = Routes("JP", "JP", None, [("emergency", [old]), ("support", [fresh])]).to_json()
    named = {"id": old.id, "name": old.name, "last_verified": old.last_verified.isoformat()}
    assert data["stale_entries"] == [named]
    assert [(e["id"], e["stale"]) for e in _entries(data)] == [("jp-emergency", True), ("jp-fresh", False)]
    assert data["oldest_check"] == old.last_verified.isoformat()
