"""What looks at each new item (CAPTURE_ENRICHERS): added in one list, and never skipped silently."""

from __future__ import annotations

import pytest

from evidencekit import enrichers, verify_case
from evidencekit.case.case import create_case
from evidencekit.intake import enrichers as intake_enrichers
from evidencekit.intake.enrichers import CaptureEnricher
from evidencekit.intake.files import capture


def test_an_enricher_added_to_the_list_runs_for_every_new_item(case, tmp_path, monkeypatch):
    seen = []

    def count_words(change, record, readable, options):
        seen.append((record["id"], readable.read_text(encoding="utf-8")))
        record["word_count"] = len(readable.read_text(encoding="utf-8").split())
        return [f"{record['id']} was counted."]

    extended = (*enrichers.CAPTURE_ENRICHERS, CaptureEnricher("words", count_words))
    monkeypatch.setattr(enrichers, "CAPTURE_ENRICHERS", extended)
    note = tmp_path / "note.txt"
    note.write_text("pay or else", encoding="utf-8")

    result = capture(case, [note])

    [item] = result.added
    assert seen == [("E0001", "pay or else")], "it reads the stored copy"
    assert item["word_count"] == 3
    assert "E0001 was counted." in result.warnings
    assert verify_case(case.root).ok


@pytest.mark.parametrize("provider", [None, "cannot import"])
def test_without_the_list_an_under_18_case_keeps_the_item_by_reference(tmp_path, monkeypatch, provider):
    # The chat-export enricher holds the guard for pictures inside exports: if the list of
    # enrichers cannot be had, the capture says so and copies nothing it could not look into.
    def cannot_import():
        raise ImportError("No module named 'evidencekit.enrichers'", name="evidencekit.enrichers")

    monkeypatch.setattr(intake_enrichers, "_provider", None if provider is None else cannot_import)
    case = create_case(tmp_path / "case", flags={"under_18": True})
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text("14/03/2024, 21:07 - Sam: pay now\n", encoding="utf-8")

    result = capture(case, [export])

    [item] = result.added
    assert item["by_reference"] is True and item["bag_path"] is None
    assert "under 18" in item["by_reference_reason"]
    assert any("could not look at it" in w and "evidencekit.enrichers" in w for w in result.warnings)
    assert list((case.root / "data/items").iterdir()) == []
    assert verify_case(case.root).ok


def test_without_the_list_an_adult_case_keeps_the_copy_and_says_so(case, tmp_path, monkeypatch):
    monkeypatch.setattr(intake_enrichers, "_provider", None)
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text("14/03/2024, 21:07 - Sam: pay now\n", encoding="utf-8")

    result = capture(case, [export])

    [item] = result.added
    assert item["bag_path"] and not item["by_reference"]
    assert any("could not look at it as a chat export" in w for w in result.warnings)
