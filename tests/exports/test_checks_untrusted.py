"""Verify's transcript check reads the case as untrusted input: a records file replaced by a link
is never followed (verify's own checks report the link)."""

from __future__ import annotations

import json
import os

from evidencekit.case import layout
from evidencekit.case.findings import VerifyReport
from evidencekit.exports.checks import check_transcripts


def test_a_records_file_that_is_a_link_is_not_followed(case, tmp_path):
    outside = tmp_path / "outside-items.jsonl"
    planted = {"id": "E0001", "export": {"derived_files": {"data/derived/E0001/planted.html": "0" * 64}}}
    outside.write_text(json.dumps(planted) + "\n", encoding="utf-8")
    items = case.root / layout.ITEMS_JSONL
    items.unlink(missing_ok=True)
    os.symlink(outside, items)

    report = VerifyReport()
    check_transcripts(case.root, report)

    assert not [f for f in report.findings if f.code == "transcript-file-missing"], "the link was followed"


def test_a_record_listing_a_missing_transcript_file_is_found(case, tmp_path):
    planted = {"id": "E0001", "export": {"derived_files": {"data/derived/E0001/planted.html": "0" * 64}}}
    (case.root / layout.ITEMS_JSONL).write_text(json.dumps(planted) + "\n", encoding="utf-8")

    report = VerifyReport()
    check_transcripts(case.root, report)

    assert [f.path for f in report.findings if f.code == "transcript-file-missing"] == [
        "data/derived/E0001/planted.html"
    ]
