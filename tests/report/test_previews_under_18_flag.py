"""Previews in the report follow the one rule for the under-18 flag: only a written "no" (False)
or no answer yet allows them; anything else someone typed into case.json keeps them out."""

from __future__ import annotations

import pytest

from evidencekit.report.thumbnails import case_involves_minor


@pytest.mark.parametrize("value", [True, "yes", "no", 1, 0, "false"])
def test_any_hand_written_under_18_value_keeps_previews_out(value):
    assert case_involves_minor({"under_18": value}) is True


@pytest.mark.parametrize("flags", [{}, {"under_18": False}, {"under_18": None}])
def test_a_written_no_or_no_answer_allows_previews(flags):
    assert case_involves_minor(flags) is False
