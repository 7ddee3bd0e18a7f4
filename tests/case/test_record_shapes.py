"""A case whose records were edited by hand: every command refuses it in one calm sentence, and
verify reports what is wrong, instead of ending in "a bug in evidencekit".

Each test edits one line of a real case's records and, as a forger would, re-writes the tag
manifest to match, so that the commands that change a case get as far as reading the records.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.case import layout, record_types
from evidencekit.case.bag import format_manifest, parse_manifest
from evidencekit.case.case import Case, CaseDamagedError, create_case
from evidencekit.case.records.hashes import HASHES_JSONL
from evidencekit.intake.files import capture
from evidencekit.intake.urls import add_url
from evidencekit.perceptual.backfill import add_missing as add_missing_hashes
from evidencekit.story import add_action, add_note, add_offender, add_payment
from evidencekit.verify import verify_case
from tests.conftest import CliResult, run_cli

SENTENCE = "A record in this case is not one evidencekit wrote"
HINT = "Run: evidencekit verify, to see what changed."


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case with every kind of record: a chat export, a document, a folder, a sensitive file kept
    by reference, a web address, one offender, payment, note and action, and a photo captured
    before evidencekit made perceptual hashes, hashed later (hashes.jsonl)."""
    base = tmp_path_factory.mktemp("template")
    originals = base / "originals"
    (originals / "folder").mkdir(parents=True)
    (originals / "chat.txt").write_text(
        "14/03/2026, 21:05 - Alex: pay or else, @bad.actor\n14/03/2026, 21:06 - Sam: no\n", encoding="utf-8"
    )
    (originals / "notes.txt").write_text("what happened\n", encoding="utf-8")
    (originals / "folder" / "a.txt").write_text("a\n", encoding="utf-8")
    (originals / "private.jpg").write_bytes(b"not really a picture")
    case = create_case(base / "case", title="Shapes", collector="Sam Helper", zone_name="Europe/London")
    capture(case, [originals / "chat.txt", originals / "notes.txt", originals / "folder"])
    capture(case, [originals / "private.jpg"], sensitive=True)
    add_url(case, "https://www.instagram.com/bad.actor/", kind="profile")
    add_note(case, "He said he would post the photo", at="2026-03-14 21:10")
    add_offender(case, platform="Instagram", username="bad.actor", seen_in=["E0001"])
    add_payment(case, method="bank", payee="J Smith", amount="100", currency="GBP", paid=True)
    add_action(case, "police", ref="CAD-1")
    _capture_without_perceptual_hashes(case, originals / "old-photo.png")
    add_missing_hashes(case)
    return case.root


def _capture_without_perceptual_hashes(case: Case, photo: Path) -> None:
    """As a version before the perceptual enricher did: only the chat-export enricher runs."""
    from PIL import Image

    from evidencekit.enrichers import CAPTURE_ENRICHERS
    from evidencekit.intake import enrichers

    Image.linear_gradient("L").convert("RGB").save(photo)
    before = enrichers._provider
    enrichers.provide(lambda: [e for e in CAPTURE_ENRICHERS if e.what == "a chat export"])
    try:
        capture(case, [photo])
    finally:
        enrichers._provider = before


def copy_of(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "case"
    shutil.copytree(template, root)
    return root


def record_line(root: Path, relative: str, number: int) -> dict[str, Any]:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[number - 1])
    assert isinstance(record, dict)
    return record


def forge(root: Path, relative: str, number: int, value: object) -> None:
    """Replace line `number` of a records file with `value` and re-write the tag manifest."""
    path = root / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = json.dumps(value, ensure_ascii=False)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(data)
    tags = root / layout.TAGMANIFEST
    entries = {line.path: line.digest for line in parse_manifest(tags.read_text(encoding="utf-8"))}
    entries[relative] = hashlib.sha256(data).hexdigest()
    tags.write_text(format_manifest(entries), encoding="utf-8")


def in_case(root: Path, *args: str | Path) -> CliResult:
    return run_cli(*args, env={"EVIDENCEKIT_CASE": str(root)})


def run_all(root: Path, commands: list[list[str | Path]]) -> list[CliResult]:
    """The commands, side by side (each on its own copy of the case: some of them write)."""

    def one(job: tuple[int, list[str | Path]]) -> CliResult:
        index, command = job
        copy = root.parent / f"copy-{index}"
        shutil.copytree(root, copy)
        if command[0] == "verify":
            return run_cli("verify", copy)  # verify takes the folder it checks
        return in_case(copy, *command)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, enumerate(commands)))


def assert_calm(result: CliResult) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "a bug" not in result.output, result.output


def assert_refused(result: CliResult, relative: str, number: int) -> None:
    assert_calm(result)
    assert result.exit_code == 2, result.output
    assert SENTENCE in result.stderr and f"line {number} of {relative}" in result.stderr, result.stderr
    assert HINT in result.stderr


# The finding verify gives for a record of the wrong shape, by file.
FINDING = {
    layout.ITEMS_JSONL: "records-invalid",
    layout.URLS_JSONL: "records-invalid",
    layout.CUSTODY_JSONL: "custody-entry-invalid",
    HASHES_JSONL: "hashes-record-invalid",
}


def finding_for(relative: str) -> str:
    return FINDING.get(relative, "story-record-invalid")


def assert_reported(result: CliResult, relative: str) -> None:
    assert_calm(result)
    assert result.exit_code == 1, result.output
    assert finding_for(relative) in result.output, result.output


# ---- the hostile shapes, one record kind at a time -----------------------------------------------

Change = Callable[[dict[str, Any]], object]


def setting(key: str, value: object) -> Change:
    return lambda record: {**record, key: value}


def dropping(key: str) -> Change:
    return lambda record: {k: v for k, v in record.items() if k != key}


def whole(value: object) -> Change:
    return lambda _record: value


def in_first_file(key: str, value: object) -> Change:
    return lambda record: {**record, "files": [{**record["files"][0], key: value}]}


ITEMS, URLS, CUSTODY = layout.ITEMS_JSONL, layout.URLS_JSONL, layout.CUSTODY_JSONL
NOTES, OFFENDERS = "evidencekit/notes.jsonl", "evidencekit/offenders.jsonl"
PAYMENTS, ACTIONS = "evidencekit/payments.jsonl", "evidencekit/actions.jsonl"

# (file, line, what is done to the record, the words that must name the problem)
HOSTILE: list[tuple[str, int, str, Change, str]] = [
    (ITEMS, 2, "id-number", setting("id", 5), "“id” should be an id like E0001, not a whole number"),
    (ITEMS, 2, "id-missing", dropping("id"), "“id” is missing"),
    (ITEMS, 2, "id-path", setting("id", "../../etc"), "“id” is not an id like E0001"),
    (ITEMS, 2, "size-text", setting("size", "big"), "“size” should be a whole number (0 or more), not text"),
    (ITEMS, 2, "size-negative", setting("size", -1), "“size” is not a whole number"),
    (ITEMS, 2, "kind-number", setting("kind", 5), "“kind” should be text"),
    (ITEMS, 2, "tags-text", setting("tags", "threats"), "“tags” should be a list of text"),
    (ITEMS, 2, "sha256-text", setting("sha256", "not a hash"), "“sha256” is not a SHA-256"),
    (ITEMS, 2, "bag-path-list", setting("bag_path", ["x"]), "“bag_path” should be"),
    (ITEMS, 2, "bag-path-outside", setting("bag_path", "../outside"), "“bag_path” is not a path inside"),
    (ITEMS, 1, "export-text", setting("export", "WhatsApp"), "“export” should be a JSON object"),
    (ITEMS, 1, "export-senders", setting("export", {"senders": "Alex"}), "in “export”: “senders”"),
    (ITEMS, 3, "files-text", setting("files", ["a.txt"]), "“files” is not a list of JSON objects"),
    (ITEMS, 3, "file-path-list", in_first_file("path", ["x"]), "in “files”, entry 1: “path”"),
    (ITEMS, 3, "file-path-outside", in_first_file("path", "../../x"), "in “files”, entry 1: “path”"),
    (ITEMS, 4, "by-reference-nowhere", setting("source_path", None), "“source_path” should be text"),
    (ITEMS, 2, "a-list", whole([1, 2]), "it is a list, not a JSON object"),
    (ITEMS, 2, "null", whole(None), "it is null, not a JSON object"),
    (URLS, 1, "id-number", setting("id", 5), "“id” should be an id like U0001"),
    (URLS, 1, "url-list", setting("url", ["x"]), "“url” should be text, not a list"),
    (URLS, 1, "url-missing", dropping("url"), "“url” is missing"),
    (URLS, 1, "sensitive-text", setting("sensitive", "yes"), "“sensitive” should be true or false"),
    (CUSTODY, 2, "seq-missing", dropping("seq"), "“seq” is missing"),
    (CUSTODY, 2, "details-text", setting("details", "x"), "“details” should be a JSON object, not text"),
    (CUSTODY, 2, "action-number", setting("action", 4), "“action” should be text"),
    (CUSTODY, 3, "at-number", setting("at", 12), "“at” should be text, not a whole number"),
    (CUSTODY, 2, "item-list", lambda r: {**r, "details": {**r["details"], "item": ["E1"]}}, "in “details”"),
    (NOTES, 1, "id-number", setting("id", 5), "“id” should be an id like N0001"),
    (NOTES, 1, "text-number", setting("text", 5), "“text” should be text, not a whole number"),
    (NOTES, 1, "text-missing", dropping("text"), "“text” is missing"),
    (OFFENDERS, 1, "id-list", setting("id", ["O1"]), "“id” should be an id like O0001, not a list"),
    (OFFENDERS, 1, "seen-in-text", setting("seen_in", "E0001"), "“seen_in” should be a list of text"),
    (OFFENDERS, 1, "username-number", setting("username", 5), "“username” should be text or null"),
    (PAYMENTS, 1, "amount-float", setting("amount", 1.5), "“amount” should be text or null, not a number"),
    (PAYMENTS, 1, "method-list", setting("method", ["bank"]), "“method” should be text, not a list"),
    (PAYMENTS, 1, "paid-text", setting("paid", "yes"), "“paid” should be true or false or null"),
    (ACTIONS, 1, "action-number", setting("action", 4), "“action” should be text"),
    (ACTIONS, 1, "ref-object", setting("ref", {"x": 1}), "“ref” should be text or null, not a JSON object"),
]

# The commands that read each kind of record, and so must refuse a case where one is damaged.
READERS: dict[str, set[str]] = {
    ITEMS: {"status", "report", "suggest", "capture"},
    URLS: {"status", "report", "suggest"},
    CUSTODY: {"status", "log", "report"},
    NOTES: {"status", "report", "suggest", "note"},
    OFFENDERS: {"status", "report", "suggest", "offender"},
    PAYMENTS: {"status", "report", "suggest"},
    ACTIONS: {"status", "report"},
}


@pytest.mark.parametrize(
    ("relative", "number", "change", "words"),
    [pytest.param(h[0], h[1], h[3], h[4], id=f"{Path(h[0]).stem}-{h[2]}") for h in HOSTILE],
)
def test_status_refuses_a_hand_edited_record_and_verify_reports_it(
    template, tmp_path, relative, number, change, words
):
    root = copy_of(template, tmp_path)
    forge(root, relative, number, change(record_line(root, relative, number)))

    status = in_case(root, "status")
    report = verify_case(root)

    assert_refused(status, relative, number)
    assert words in status.stderr
    assert not report.ok
    assert any(f.code == finding_for(relative) and words in f.message for f in report.errors), report.errors


COMMANDS: list[list[str | Path]] = [
    ["status"],
    ["status", "--json"],
    ["log"],
    ["report"],
    ["suggest"],
    ["note", "He wrote again"],
    ["capture", "__NEW_FILE__"],
    ["offender", "list"],
    ["verify"],
]


@pytest.mark.parametrize("relative", list(READERS), ids=lambda r: Path(r).stem)
def test_no_command_ends_in_a_bug_on_a_damaged_record(template, tmp_path, relative):
    shape = next(h for h in HOSTILE if h[0] == relative)
    root = copy_of(template, tmp_path)
    forge(root, relative, shape[1], shape[3](record_line(root, relative, shape[1])))
    new_file = tmp_path / "new.txt"
    new_file.write_text("another message\n", encoding="utf-8")
    commands = [[new_file if part == "__NEW_FILE__" else part for part in c] for c in COMMANDS]

    results = run_all(root, commands)

    for command, result in zip(commands, results, strict=True):
        assert_calm(result)
        if command[0] == "verify":
            assert_reported(result, relative)
        elif command[0] in READERS[relative]:
            assert_refused(result, relative, shape[1])
        else:  # a command that does not read this file has no reason to refuse
            assert result.exit_code in (0, 2), result.output


# ---- the validator itself ------------------------------------------------------------------------


def test_every_record_evidencekit_writes_has_its_shape(template):
    for relative, kind in record_types.KINDS.items():
        text = (template / relative).read_text(encoding="utf-8")
        read = record_types.read_records(kind, text)
        assert read.problems == [] and read.records, relative


def test_a_problem_names_the_line_the_file_and_the_field():
    problem = record_types.check(record_types.ITEMS, {"id": "E0004", "size": "big"}, 4)
    assert problem == "line 4 of evidencekit/items.jsonl: “kind” is missing"
    good = {
        "id": "E0004",
        "kind": "document",
        "original_name": "a",
        "sensitive": False,
        "by_reference": False,
    }
    problem = record_types.check(record_types.ITEMS, {**good, "size": "big"}, 4)
    assert (
        problem == "line 4 of evidencekit/items.jsonl: “size” should be a whole number (0 or more), not text"
    )


def test_fields_a_later_version_adds_are_kept(template):
    record = {**record_line(template, ITEMS, 2), "future_field": {"anything": [1, 2]}}
    assert (
        record_types.check(record_types.ITEMS, record, 2) == record
    )  # the very same record, nothing dropped


def test_records_in_older_shapes_are_still_read():
    # What the guide's tests write as an action (no recorded_* fields), and an item of an early
    # capture (no mime, image or stored_name_changed fields).
    action = {"id": "A0001", "action": "police", "to": "Met", "ref": None, "at": None, "note": None}
    assert record_types.check(record_types.ACTIONS, action, 1) == action
    item = {
        "id": "E0001",
        "kind": "document",
        "original_name": "a.txt",
        "source_path": "/home/sam/a.txt",
        "size": 3,
        "sha256": "0" * 64,
        "sensitive": False,
        "by_reference": False,
        "bag_path": "data/items/E0001-a.txt",
    }
    assert record_types.check(record_types.ITEMS, item, 1) == item


def test_verify_reports_every_bad_line_and_goes_on(template, tmp_path):
    root = copy_of(template, tmp_path)
    forge(root, ITEMS, 2, {**record_line(root, ITEMS, 2), "size": "big"})
    forge(root, ITEMS, 3, [1])

    report = verify_case(root)
    invalid = [f.message for f in report.errors if f.code == "records-invalid"]
    assert invalid == [
        "Line 2 of evidencekit/items.jsonl: “size” should be a whole number (0 or more), not text.",
        "Line 3 of evidencekit/items.jsonl: it is a list, not a JSON object.",
    ]


def test_the_library_raises_the_same_sentence(template, tmp_path):
    root = copy_of(template, tmp_path)
    forge(root, OFFENDERS, 1, {**record_line(root, OFFENDERS, 1), "seen_in": "E0001"})
    with pytest.raises(CaseDamagedError) as raised:
        Case(root).records(OFFENDERS)
    assert raised.value.message == (
        f"{SENTENCE}: line 1 of evidencekit/offenders.jsonl: “seen_in” should be a list of text or null, "
        "not text."
    )
    assert raised.value.hint == HINT


# ---- any change to a real item record ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def item_mutations(draw: st.DrawFn, record: dict[str, Any]) -> object:
    how = draw(st.sampled_from(["drop", "retype", "whole"]))
    if how == "whole":
        return draw(json_values)
    key = draw(st.sampled_from(sorted(record)))
    if how == "drop":
        return {k: v for k, v in record.items() if k != key}
    return {**record, key: draw(json_values)}


ITEM_LINE = 3  # the folder: it has the most fields (files, tree_sha256, skipped…)


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_change_to_an_item_record_is_refused_calmly_or_harmless(template, tmp_path_factory, data):
    original = record_line(template, ITEMS, ITEM_LINE)
    mutated = data.draw(item_mutations(original))
    root = copy_of(template, tmp_path_factory.mktemp("mutated"))
    forge(root, ITEMS, ITEM_LINE, mutated)

    status = in_case(root, "status")
    report = verify_case(root)  # in-process: any exception here fails the test

    assert_calm(status)
    if record_types.ITEMS.problem(mutated) is not None:
        assert_refused(status, ITEMS, ITEM_LINE)
        assert "records-invalid" in {f.code for f in report.errors}
    else:  # the record still has its shape: shown as it is, and verify says whether it matches
        assert status.exit_code == 0, status.output
        assert all(f.code != "records-invalid" for f in report.findings)
