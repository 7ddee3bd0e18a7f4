"""Creating a case: a valid BagIt bag with its description and a first custody entry."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from evidencekit.case import layout
from evidencekit.case.case import create_case, find_case
from evidencekit.errors import CaseExistsError, InvalidValueError, NotACaseError
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


def test_a_new_case_is_a_valid_bag_with_its_description(case):
    assert_valid_bag(case.root)
    assert (case.root / "bagit.txt").read_text(encoding="utf-8") == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    info = json.loads((case.root / layout.CASE_JSON).read_text(encoding="utf-8"))
    assert info["format"] == "evidencekit-case/1"
    assert info["id"].startswith("EK-")
    assert info["title"] == "Test case"
    assert info["collector"] == "Sam Helper"
    assert info["created"]["zone"] == "Europe/London"
    assert info["created"]["utc"].endswith("Z")
    bag_info = (case.root / "bag-info.txt").read_text(encoding="utf-8")
    assert f"External-Identifier: {info['id']}" in bag_info
    assert "Payload-Oxum: 0.0" in bag_info
    assert verify_case(case.root).ok


def test_the_first_custody_entry_records_the_creation(case):
    entries = case.custody_entries()
    assert [e["action"] for e in entries] == ["case-created"]
    assert entries[0]["seq"] == 1
    assert entries[0]["prev"] == "0" * 64
    assert entries[0]["actor"] == "Sam Helper"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_case_files_are_private_to_the_user(case):
    assert stat.S_IMODE(case.root.stat().st_mode) == 0o700
    assert stat.S_IMODE((case.root / layout.CASE_JSON).stat().st_mode) == 0o600


def test_new_refuses_an_existing_case_a_file_and_a_non_empty_folder(tmp_path, case):
    with pytest.raises(CaseExistsError, match="already a case"):
        create_case(case.root)
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(CaseExistsError, match="is a file"):
        create_case(afile)
    full = tmp_path / "full"
    full.mkdir()
    (full / "something").write_text("x")
    with pytest.raises(CaseExistsError, match="not empty"):
        create_case(full)
    assert (full / "something").read_text() == "x"


def test_an_empty_existing_folder_can_become_a_case(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert create_case(folder).root == folder


def test_a_wrong_time_zone_or_country_is_refused_before_anything_is_made(tmp_path):
    with pytest.raises(InvalidValueError, match="time zone"):
        create_case(tmp_path / "c", zone_name="Mars/Olympus")
    with pytest.raises(InvalidValueError, match="country"):
        create_case(tmp_path / "c", country="England")
    assert not (tmp_path / "c").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ek-new-")]


def test_commands_find_the_case_from_a_subfolder_like_git(case):
    inner = case.root / "data" / "items"
    assert find_case(start=inner).root == case.root
    assert find_case(explicit=case.root).info.id == case.info.id


def test_a_folder_that_is_not_a_case_is_named_clearly(tmp_path):
    with pytest.raises(NotACaseError, match="not inside a case"):
        find_case(start=tmp_path)
    with pytest.raises(NotACaseError, match="not an evidencekit case folder"):
        find_case(explicit=tmp_path)
    with pytest.raises(NotACaseError, match="no case folder"):
        find_case(explicit=Path(tmp_path / "nowhere"))
