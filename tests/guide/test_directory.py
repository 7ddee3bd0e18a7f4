"""The helpline directory: every entry complete, the right routes for each country and age group."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from evidencekit.guide.directory import (
    AGE_GROUPS,
    EU_MEMBERS,
    KINDS,
    NATIONAL,
    REGIONS,
    UnknownCountryError,
    country_name,
    load_directory,
    normalise_country,
    problems,
    raw_directory,
    routes_for,
    routes_for_answer,
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
        ("DE", {"de-emergency", "de-nummer-gegen-kummer", "int-inhope", "int-take-it-down"}),
        ("FR", {"eu-116111", "fr-pharos", "int-take-it-down"}),
    ],
)
def test_under_18_routes_fit_the_country(country, expected):
    ids = {e.id for e in routes_for(country, "under-18").entries}
    assert expected <= ids
    assert "int-stopncii" not in ids  # StopNCII is for adults; under-18 images go to Take It Down
    assert not any(e.age_group == "adult" for e in routes_for(country, "under-18").entries)


@pytest.mark.parametrize("country", ["GB", "US", "AU", "CA", "IE", "DE", "JP", "KE"])
def test_adults_are_pointed_to_stopncii_not_child_routes(country):
    entries = routes_for(country, "adult").entries
    assert "int-stopncii" in {e.id for e in entries}
    assert not any(e.age_group == "under-18" for e in entries)


def test_a_country_without_entries_gets_the_services_open_to_everyone():
    routes = routes_for("KE", None)  # Kenya: no entries of its own yet
    assert routes.region == "INT"
    assert [e.id for e in routes.sections[0][1]] == ["int-emergency"]
    assert {"int-take-it-down", "int-stopncii", "int-inhope"} <= {e.id for e in routes.entries}


def test_other_countries_do_not_get_british_numbers():
    for country in ("US", "DE", "AU"):
        assert not any(e.country == "GB" for e in routes_for(country, None).entries)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("India", "IN"),
        ("united kingdom", "GB"),
        ("England", "GB"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("U.S.A.", "US"),
        ("uk", "GB"),
        ("in", "IN"),
        ("  New   Zealand ", "NZ"),
    ],
)
def test_countries_are_understood_by_name_as_well_as_code(typed, code):
    assert normalise_country(typed) == code


def test_germany_gets_german_services_before_the_eu_wide_ones():
    ids = [e.id for e in routes_for("DE", None).entries]
    assert ids[0] == "de-emergency" and "eu-emergency" not in ids and "eu-police" not in ids
    for wanted in ("de-onlinewache", "de-hateaid", "de-nummer-gegen-kummer", "de-jugendschutz-net"):
        assert wanted in ids
    assert "eu-116111" not in ids  # the same number as Nummer gegen Kummer: listed once
    assert "eu-insafe" in ids  # EU-wide services still follow


def test_india_gets_the_cyber_crime_portal_and_1930():
    routes = routes_for("India", "adult")
    ids = [e.id for e in routes.entries]
    assert routes.country == "IN" and ids[0] == "in-emergency"
    assert {"in-cybercrime-portal", "in-1930", "int-stopncii"} <= set(ids)


def test_an_eu_country_without_its_own_entries_gets_the_eu_services():
    routes = routes_for("Portugal", None)
    assert routes.region == "EU" and routes.entries[0].id == "eu-emergency"


@pytest.mark.parametrize("typed", ["XX", "Narnia"])
def test_what_is_no_country_is_refused_with_one_sentence(typed):
    with pytest.raises(UnknownCountryError) as refused:
        routes_for(typed, None)
    assert typed in refused.value.message and refused.value.hint


def test_the_guide_still_helps_when_the_country_is_unknown():
    routes = routes_for_answer("XX", None)
    assert routes.unknown_country == "“XX” is not a country code evidencekit knows."
    assert routes.entries[0].id == "int-emergency" and "int-take-it-down" in {e.id for e in routes.entries}


def test_every_national_region_has_its_emergency_number_and_a_way_to_report():
    for country in NATIONAL:
        entries = [e for e in load_directory() if e.country == country]
        kinds = {e.kind for e in entries}
        if country not in EU_MEMBERS:  # Belgium, Italy, Spain: 112 comes from the EU entries
            assert "emergency" in kinds, country
        assert country_name(country), country
