"""One rule for every name read from outside: a member of a hand-over archive, a line of a manifest,
a file inside a chat export's zip. A name that could land outside its folder, or in another file
than the one it names, on any system, is refused everywhere with the same reason; every other
name is accepted everywhere."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.case.bag import is_safe_bag_path
from evidencekit.case.names import MAX_STEP_BYTES, member_name_problem, safe_component
from evidencekit.case.safepath import path_problem
from evidencekit.exports.source import ZipSource, unsafe_member_name
from evidencekit.handover.stream_verify import MemberNames, safe_member_name

NFC = unicodedata.normalize("NFC", "data/items/E0002-export/Café.jpg")
NFD = unicodedata.normalize("NFD", NFC)

REFUSED = {
    # what the name is: (the name, a word the reason says)
    "the parent folder": ("..", "“..”"),
    "a climb half-way": ("data/../../etc/passwd", "“..”"),
    "an absolute path": ("/etc/passwd", "absolute"),
    "a Windows absolute path": ("\\Windows\\evil.txt", "absolute"),
    "a drive with a path": ("C:/Windows/evil.txt", "drive"),
    "a drive-relative name": ("C:evil.txt", "drive"),
    "a drive-relative name in a folder": ("data/C:evil.txt", "colon"),
    "a hidden stream of another file": ("data/items/a.txt:stream", "colon"),
    "a home folder": ("~/.bashrc", "“~”"),
    "a backslash": ("data\\items\\x", "backslash"),
    "a NUL": ("data/x\x00.png", "NUL"),
    "a line break": ("data/x\ny", "control"),
    "a terminal escape": ("data/\x1b[31mred", "control"),
    "a C1 control": ("data/x\x85y", "control"),
    "DEL": ("data/x\x7fy", "control"),
    "an empty step": ("data//x", "empty"),
    "a `.` step": ("data/./x", "“.”"),
    "a trailing slash": ("data/x/", "empty"),
    "nothing": ("", "empty"),
    "a device": ("CON", "device"),
    "a device with an extension": ("data/items/E0002-src/aux.c", "device"),
    "a device in other capitals, with spaces": ("data/Nul  .txt", "device"),
    "a numbered device": ("data/com1", "device"),
    "a device folder": ("data/lpt9/x", "device"),
    "an overlong step": ("data/" + "a" * (MAX_STEP_BYTES + 1), "255 bytes"),
    "an overlong step in UTF-8": ("data/" + "é" * 128, "255 bytes"),
    "an overlong path": ("data/" + "a/" * 2100 + "x", "too long"),
}

ACCEPTED = {
    "a payload file": "data/items/E0001-chat.png",
    "a tag file": "bagit.txt",
    "a name with spaces": "WhatsApp Chat with Riley/IMG-20240314-WA0007.jpg",
    "NFC": NFC,
    "NFD": NFD,
    "other scripts": "data/items/E0003-聊天记录.txt",
    "a trailing dot, as other BagIt tools write": "data/x.",
    "dots only": "data/...",
    "a hidden file": "data/.hidden",
    "a tilde inside": "data/a~b",
    "a word that starts like a device": "data/console.log",
    "a device name inside a word": "data/iconic/auxiliary.txt",
    "a step of exactly 255 bytes": "data/" + "a" * MAX_STEP_BYTES,
}


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_a_name_that_could_land_elsewhere_is_refused_with_a_reason(what):
    name, word = REFUSED[what]
    reason = member_name_problem(name)
    assert reason is not None and word in reason, (what, reason)


@pytest.mark.parametrize("what", sorted(ACCEPTED))
def test_any_other_name_is_accepted(what):
    assert member_name_problem(ACCEPTED[what]) is None


@pytest.mark.parametrize("name", [n for n, _ in REFUSED.values()] + list(ACCEPTED.values()))
def test_the_manifest_the_archive_and_the_export_all_judge_by_it(name):
    refused = member_name_problem(name) is not None
    assert is_safe_bag_path(name) is not refused
    assert (unsafe_member_name(name) is not None) is refused
    # An archive member is the same name once `./` steps and a folder's trailing slash are dropped.
    if not name.startswith("/") and "//" not in name and "/./" not in name and not name.endswith("/"):
        assert (safe_member_name(name) is None) is refused


def test_an_archive_member_may_start_with_dot_slash_and_a_folder_end_with_a_slash():
    assert safe_member_name("./case/bagit.txt") == "case/bagit.txt"
    assert safe_member_name("case/data/items/") == "case/data/items"
    assert safe_member_name("./") == ""  # the folder the archive was made from


def test_nfc_and_nfd_spellings_of_one_name_are_the_same_member():
    # On macOS both spellings are one file: unpacking the second would replace the first.
    names = MemberNames()
    assert names.add(NFC)
    assert not names.add(NFD)


@given(st.text(max_size=60))
def test_an_accepted_name_is_a_case_path_too(name):
    # Whatever the rule lets in, the one door into a case folder (safepath) lets in as well.
    if member_name_problem(name) is None:
        assert path_problem(name) is None


@given(st.text(min_size=1, max_size=200))
def test_every_name_evidencekit_gives_a_file_is_accepted(name):
    # Capture names every file with safe_component, so the case it writes passes its own verify.
    assert member_name_problem(safe_component(name)) is None
    assert member_name_problem(f"data/items/E0002-export/{safe_component(name)}") is None


def test_a_file_called_like_a_device_is_renamed_on_capture():
    assert safe_component("aux.c") == "_aux.c"
    assert safe_component("CON") == "_CON"
    assert safe_component("console.log") == "console.log"


def test_a_zip_member_called_c_colon_is_set_aside_by_the_export_reader(tmp_path: Path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", "[14/03/2024, 10:15:22] Riley: hi\n")
        zf.writestr("C:evil.txt", "evil")
    with ZipSource(path, path.name) as source:
        assert source.names() == ["_chat.txt"]
        assert any("C:evil.txt" in problem and "drive" in problem for problem in source.problems)
