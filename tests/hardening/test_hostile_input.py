"""Hostile input: whatever a case folder or a file name contains, nothing crashes or escapes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.case import layout
from evidencekit.case.case import Case, CaseDamagedError, create_case
from evidencekit.case.seal import seal_case
from evidencekit.errors import EvidenceKitError
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag
from tests.fuzzing import examples

TAG_FILES = [
    layout.BAGIT_TXT,
    layout.BAG_INFO_TXT,
    layout.MANIFEST,
    layout.TAGMANIFEST,
    layout.CASE_JSON,
    layout.ITEMS_JSONL,
    layout.URLS_JSONL,
    layout.CUSTODY_JSONL,
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A sealed case with one item, copied for each example."""
    os.environ.setdefault("EVIDENCEKIT_HOME", str(tmp_path_factory.mktemp("home")))
    root = tmp_path_factory.mktemp("template") / "case"
    case = create_case(root, title="template")
    source = root.parent / "chat.txt"
    source.write_text("pay or else\n")
    capture(case, [source])
    add_url(case, "https://www.instagram.com/someone/")
    seal_case(case)
    return root


hostile_bytes = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"",
            b"\xff\xfe\x00",
            b"{" * 5000,
            b"[" * 100_000 + b"]" * 100_000 + b"\n",  # valid JSON, too deep for Python's parser
            b'{"id": "E0001", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n",
            b"0" * 64 + b"  ../../etc/passwd\n",
            b"0" * 64 + b"  /etc/passwd\n",
            b"0" * 64 + b"  data/" + b"a" * 5000 + b"\n",
            b"Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n",
            b'{"seq": 1e999}\n',
            b"[]\n",
            b"x" * 200_000,
        ]
    ),
)


@settings(
    max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(TAG_FILES), content=hostile_bytes)
def test_verify_reports_any_damaged_record_as_findings_never_a_crash(
    template, tmp_path_factory, target, content
):
    root = tmp_path_factory.mktemp("hostile") / "case"
    shutil.copytree(template, root)
    original = (root / target).read_bytes()
    (root / target).write_bytes(content)
    try:
        report = verify_case(root)
    except EvidenceKitError:
        return  # "this is not a case" is a fine answer for a destroyed bagit.txt / case.json
    if content != original:
        assert not report.ok
    assert all(f.code and f.message for f in report.findings)


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.sampled_from([layout.ITEMS_JSONL, layout.CUSTODY_JSONL, layout.URLS_JSONL]),
    content=hostile_bytes,
)
def test_a_write_command_refuses_to_build_on_damaged_records(template, tmp_path_factory, target, content):
    root = tmp_path_factory.mktemp("hostile") / "case"
    shutil.copytree(template, root)
    (root / layout.SIGNATURE).unlink()  # pretend it is open, so only the damage can stop us
    if content == (root / target).read_bytes():
        return
    (root / target).write_bytes(content)
    source = root.parent / "new.txt"
    source.write_text("more")
    with pytest.raises((CaseDamagedError, EvidenceKitError)):
        capture(Case(root), [source])


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=80,
).filter(lambda n: n not in (".", "..") and len(os.fsencode(n)) < 250)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names)
def test_a_file_with_any_name_in_any_script_is_captured_and_verifies(tmp_path_factory, name):
    base = tmp_path_factory.mktemp("names")
    case = create_case(base / "case")
    source_dir = base / "src"
    source_dir.mkdir()
    source = source_dir / name
    source.write_bytes(name.encode("utf-8", "surrogateescape"))
    [item] = capture(case, [source]).added
    assert item["original_name"] == name
    stored = case.root / item["bag_path"]
    assert stored.parent == case.root / "data/items"
    assert stored.read_bytes() == source.read_bytes()
    assert verify_case(case.root).ok


def test_awkward_names_pass_the_official_validator(tmp_path):
    case = create_case(tmp_path / "case")
    folder = tmp_path / "export"
    folder.mkdir()
    for name in [
        "\u202etxt.exe",
        "control\x07bell",
        "日本語のファイル.txt",
        "emoji 😀.png",
        "tab\there",
        "trailing. ",
        "CON",
        "a" * 200,
    ]:
        (folder / name).write_text(name)
    capture(case, [folder])
    assert_valid_bag(case.root)
