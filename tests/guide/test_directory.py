"""The helpline directory: every entry complete, the right routes for each country and age group."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from evidencekit.errors import InvalidValueError
from evidencekit.guide.directory import (
    AGE_GROUPS,
    KINDS,
    REGIONS,
    load_directory,
    problems,
    raw_directory,
    routes_for,
)


def test_every_entry_is_complete():
    raw = raw_directory()
    assert problems(raw) == []
    entries = load_directory()
    assert len(entries) == len(raw["entries"]) > 30
    for entry in entries:
        assert entry.name.strip() and entry.purpose.strip() and entry.source.strip(), entry.id
        assert entry.phone or entry.url or entry.text, entry.id
        assert entry.country in REGIONS and entry.age_group in AGE_GROUPS and entry.kind in KINDS
        assert entry.last_verified <= date.today()
        assert entry.url is None or entry.url.startswith("https://")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda e: e.pop("last_verified"), "has no last_verified"),
        (lambda e: e.update(last_verified="28/11/2026"), "not YYYY-MM-DD"),
        (lambda e: e.update(phone=None, url=None, text=None), "no phone number"),
        (lambda e: e.update(age_group="teens"), "age group"),
        (lambda e: e.update(country="England"), "has country"),
        (lambda e: e.update(url="http://example.org/"), "not https"),
        (lambda e: e.update(purpose=" "), "has no purpose"),
        (lambda e: e.update(phone="call us"), "phone number in an unexpected form"),
    ],
)
def test_an_incomplete_entry_is_caught(damage, expected):
    raw = copy.deepcopy(raw_directory())
    damage(raw["entries"][0])
    assert any(expected in problem for problem in problems(raw)), problems(raw)


@pytest.mark.parametrize("country", ["GB", "US", "AU", "CA", "IE", "DE", "FR", "BR", None])
@pytest.mark.parametrize("age_group", ["under-18", "adult", None])
def test_emergency_numbers_come_first_everywhere(country, age_group):
    routes = routes_for(country, age_group)
    first_section, first_entries = routes.sections[0]
    assert first_section == "emergency"
    assert first_entries and all(e.kind == "emergency" for e in first_entries)
    assert len(first_entries) == 1  # the national number, not also the general one


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("GB", {"gb-ceop", "gb-report-remove", "gb-iwf", "gb-childline", "int-take-it-down"}),
        ("UK", {"gb-ceop", "gb-report-remove"}),
        ("US", {"us-cybertipline", "int-take-it-down", "us-fbi"}),
        ("AU", {"au-accce", "au-esafety", "au-kids-helpline"}),
        ("CA", {"ca-cybertip", "ca-needhelpnow", "ca-kids-help-phone"}),
        ("IE", {"ie-hotline", "ie-childline", "ie-garda"}),
        ("DE", {"eu-emergency", "eu-116111", "int-inhope", "int-take-it-down"}),
    ],
)
def test_under_18_routes_fit_the_country(country, expected):
    ids = {e.id for e in routes_for(country, "under-18").entries}
    assert expected <= ids
    assert "int-stopncii" not in ids  # StopNCII is for adults; under-18 images go to Take It Down
    assert not any(e.age_group == "adult" for e in routes_for(country, "under-18").entries)


@pytest.mark.parametrize("country", ["GB", "US", "AU", "CA", "IE", "DE", "JP"])
def test_adults_are_pointed_to_stopncii_not_child_routes(country):
    entries = routes_for(country, "adult").entries
    assert "int-stopncii" in {e.id for e in entries}
    assert not any(e.age_group == "under-18" for e in entries)


def test_a_country_without_entries_gets_the_services_open_to_everyone():
    routes = routes_for("JP", None)
    assert routes.region == "INT"
    assert [e.id for e in routes.sections[0][1]] == ["int-emergency"]
    assert {"int-take-it-down", "int-stopncii", "int-inhope"} <= {e.id for e in routes.entries}


def test_other_countries_do_not_get_british_numbers():
    for country in ("US", "DE", "AU"):
        assert not any(e.country == "GB" for e in routes_for(country, None).entries)


def test_a_bad_country_code_is_refused_kindly():
    with pytest.raises(InvalidValueError, match="two-letter country code"):
        routes_for("England", None)
