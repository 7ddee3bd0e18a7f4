"""`evidencekit guide --country` as a person types it: a name, a code, or something we do not know."""

from __future__ import annotations

import json


def test_a_country_name_is_understood(cli):
    result = cli("guide", "--country", "India")
    assert result.exit_code == 0, result.output
    assert "Who can help: India (IN)" in result.stdout
    assert "cybercrime.gov.in" in result.stdout and "1930" in result.stdout


def test_germany_is_told_about_german_services(cli):
    result = cli("guide", "--country", "DE", "--json")
    ids = [e["id"] for section in json.loads(result.stdout)["routes"] for e in section["entries"]]
    assert ids[0] == "de-emergency" and {"de-hateaid", "de-onlinewache", "de-jugendschutz-net"} <= set(ids)


def test_an_unknown_code_is_said_in_one_sentence_and_the_open_services_follow(cli):
    result = cli("guide", "--country", "XX")
    assert result.exit_code == 0 and "Traceback" not in result.output
    out = result.stdout
    assert out.count("not a country code evidencekit knows") == 1
    assert "call your local emergency number" in out and "Take It Down" in out
    assert json.loads(cli("guide", "--country", "XX", "--json").stdout)["unknown_country"]
