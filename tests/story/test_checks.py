"""verify ties every story record to its custody entry, even when the tag manifest was rewritten
to match an edit (which an unsealed case cannot otherwise reveal)."""

from __future__ import annotations

import hashlib
import json

import pytest

from evidencekit.case.bag import format_manifest, parse_manifest
from evidencekit.case.jsonlines import canonical_json
from evidencekit.case.summary import case_summary
from evidencekit.story import add_action, add_note, add_offender, add_payment
from evidencekit.verify import verify_case


@pytest.fixture
def story(case):
    add_offender(case, platform="Instagram", username="bad.actor", user_id="42")
    add_payment(case, method="paypal", payee="alexreal", amount="500", currency="GBP")
    add_note(case, "first note")
    add_note(case, "second note")
    add_action(case, "police", ref="CAD-1")
    assert verify_case(case.root).ok
    return case


def rewrite(case, name: str, change) -> None:
    """Edit a records file and re-write the tag manifest so that it matches, as a forger would."""
    path = case.root / "evidencekit" / name
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records = change(records)
    data = "".join(canonical_json(r) + "\n" for r in records).encode("utf-8")
    path.write_bytes(data)
    tags = case.root / "tagmanifest-sha256.txt"
    entries = {line.path: line.digest for line in parse_manifest(tags.read_text(encoding="utf-8"))}
    entries[f"evidencekit/{name}"] = hashlib.sha256(data).hexdigest()
    tags.write_text(format_manifest(entries), encoding="utf-8")


def story_codes(case) -> set[str]:
    report = verify_case(case.root)
    return {f.code for f in report.errors if f.code.startswith("story-")}


def test_an_edited_record_is_found_even_with_a_matching_tag_manifest(story):
    def change_wallet(records):
        records[0]["payee"] = "someone-else"
        return records

    rewrite(story, "payments.jsonl", change_wallet)
    report = verify_case(story.root)
    assert [(f.code, f.path) for f in report.errors] == [
        ("story-record-changed", "evidencekit/payments.jsonl")
    ]
    assert "P0001" in report.errors[0].message


def test_a_removed_record_is_found(story):
    rewrite(story, "notes.jsonl", lambda records: records[:1])
    assert story_codes(story) == {"story-logged-record-missing"}


def test_a_record_added_without_the_log_is_found(story):
    def add(records):
        return [*records, {**records[0], "id": "A0002", "ref": "FAKE"}]

    rewrite(story, "actions.jsonl", add)
    assert story_codes(story) == {"story-record-not-logged"}


def test_reordered_records_are_found(story):
    rewrite(story, "notes.jsonl", lambda records: records[::-1])
    assert "story-record-invalid" in story_codes(story)


def test_a_deleted_records_file_is_found(story):
    (story.root / "evidencekit/offenders.jsonl").unlink()
    report = verify_case(story.root)
    assert {"tag-missing", "story-logged-record-missing"} <= {f.code for f in report.errors}


def test_status_lists_the_story(story):
    summary = case_summary(story)
    assert summary["story_counts"] == {"offenders": 1, "payments": 1, "notes": 2, "actions": 1}
    assert summary["story"]["actions"][0]["ref"] == "CAD-1"
