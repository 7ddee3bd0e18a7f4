"""Derived files (transcripts, reports) are added and replaced inside the same safe change."""

from __future__ import annotations

import hashlib

import pytest

from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


def write_derived(case, bag_path: str, data: bytes, replace: bool = False) -> None:
    with case.change("derive") as change:
        digest = hashlib.sha256(data).hexdigest()
        if replace:
            target = change.replace_payload(bag_path, digest, len(data))
        else:
            target = change.reserve_payload(bag_path)
            change.add_payload(bag_path, digest, len(data))
        target.write_bytes(data)
        change.log("derived-written", {"path": bag_path})


def test_a_derived_file_can_be_regenerated_and_the_bag_stays_valid(case, evidence):
    capture(case, [evidence / "chat.txt"])
    write_derived(case, "data/derived/E0001/transcript.txt", b"first version")
    write_derived(case, "data/derived/E0001/transcript.txt", b"second, longer version", replace=True)
    assert (case.root / "data/derived/E0001/transcript.txt").read_bytes() == b"second, longer version"
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_captured_evidence_can_never_be_replaced(case, evidence):
    [item] = capture(case, [evidence / "chat.txt"]).added
    with pytest.raises(ValueError, match="never captured evidence"), case.change("x") as change:
        change.replace_payload(item["bag_path"], "0" * 64, 1)
    assert verify_case(case.root).ok
