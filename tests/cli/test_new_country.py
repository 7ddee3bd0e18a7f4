"""`evidencekit new --country` takes the country as a person says it, as the guide and wizard do.

Someone in Mumbai types "India", someone in Leeds "United Kingdom" or "uk"; the case records the
code the directory uses, and the guide run in that case shows that country's services. A word that
is no country is refused in one sentence before any folder is made.
"""

from __future__ import annotations

import json

import pytest

from evidencekit.case.case import Case


@pytest.mark.parametrize(
    ("typed", "code"), [("India", "IN"), ("United Kingdom", "GB"), ("uk", "GB"), ("de", "DE")]
)
def test_a_country_name_or_code_is_recorded_as_its_code(cli, tmp_path, typed, code):
    made = cli("new", tmp_path / "c", "--country", typed, "--no-under-18")
    assert made.exit_code == 0, made.output
    assert Case(tmp_path / "c").info.country == code
    guide = json.loads(cli("guide", "--json", "--case", tmp_path / "c").stdout)
    assert guide["country"] == code and guide["unknown_country"] is None


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("Narnia", "evidencekit does not know a country called “Narnia”."),
        ("XX", "“XX” is not a country code evidencekit knows."),
    ],
)
def test_what_is_no_country_is_refused_before_the_case_is_made(cli, tmp_path, typed, sentence):
    refused = cli("new", tmp_path / "c", "--country", typed, "--no-under-18")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert refused.stderr.startswith(f"Problem: {sentence}\n")
    assert "What to do: Type the country's name" in refused.stderr
    assert not (tmp_path / "c").exists()
