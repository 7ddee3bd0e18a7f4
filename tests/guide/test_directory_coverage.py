"""Help wherever the person is: the countries with the most internet users each have their own routes.

A frightened person in Lagos, Jakarta or Mexico City who types their country should be told who
answers the phone there: the police (or the emergency number that reaches them) and at least one
service that supports them, not only the services open to everyone. Every entry says where it was
checked and when, and an entry not checked for over a year is named in a warning.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import date, timedelta

import pytest

from evidencekit.guide import text
from evidencekit.guide.directory import (
    NATIONAL,
    Entry,
    Routes,
    country_name,
    load_directory,
    problems,
    raw_directory,
    routes_for,
    stale_entries,
)
from evidencekit.guide.render import routes_lines

# The 30 countries with the most internet users, and the other large ones named beside them:
# ITU World Telecommunication Indicators 2024 (top 25, via isolatedtraveller.com), Internet World
# Stats 2017 (top 20, via fridayposts.com), worldlistmania.com's top 20, toptenmix.com's top 25 and
# the DataReportal/Statista top 10 of 2025 (jagranjosh.com); Ethiopia, near the 30th place in some
# counts, too (docs/reference/directory.md).
MOST_INTERNET_USERS = (
    "CN", "IN", "US", "ID", "BR", "RU", "NG", "JP", "PK", "BD", "MX", "PH", "VN", "DE", "EG", "TR",
    "IR", "GB", "FR", "TH", "IT", "KR", "ES", "AR", "CO", "PL", "CA", "ZA", "MY", "SA", "UA", "AU",
    "ET",
)  # fmt: skip

POLICE_KINDS = {"emergency", "police"}
SUPPORT_KINDS = {"crisis", "support", "child-report", "takedown"}
# Where no national support line for that age group was confirmed in a source: the person is
# shown the services open to everyone (Take It Down for under-18s, StopNCII for adults, and
# INHOPE). Listed so a new entry, or a lost one, makes this test fail and the documentation
# (docs/reference/directory.md, "none confirmed") is updated with it.
NO_CONFIRMED_NATIONAL_SUPPORT = {
    ("PH", "adult"), ("RU", "adult"), ("NG", "adult"), ("VN", "adult"), ("SA", "adult"),
}  # fmt: skip
WORLDWIDE_SUPPORT = {"under-18": {"int-take-it-down", "int-inhope"}, "adult": {"int-stopncii"}}


def _local(routes: Routes) -> list[Entry]:
    """The entries shown for the country itself (its own, or the EU's), not the worldwide ones."""
    return [e for e in routes.entries if e.country != "INT"]


def test_at_least_thirty_countries_are_covered_and_each_is_a_country():
    assert len(MOST_INTERNET_USERS) >= 30 and len(set(MOST_INTERNET_USERS)) == len(MOST_INTERNET_USERS)
    for code in MOST_INTERNET_USERS:
        assert code in NATIONAL, code
        assert country_name(code), code


@pytest.mark.parametrize("country", MOST_INTERNET_USERS)
def test_each_country_has_a_police_route_of_its_own(country):
    routes = routes_for(country, None)
    assert routes.sections[0][0] == "emergency"
    police = [e for e in _local(routes) if e.kind in POLICE_KINDS]
    assert police, f"{country} has no police or emergency entry of its own"
    assert all(e.phone or e.url for e in police)


@pytest.mark.parametrize("age_group", ["under-18", "adult"])
@pytest.mark.parametrize("country", MOST_INTERNET_USERS)
def test_each_country_has_a_support_route(country, age_group):
    routes = routes_for(country, age_group)
    local_support = [e for e in _local(routes) if e.kind in SUPPORT_KINDS]
    if (country, age_group) in NO_CONFIRMED_NATIONAL_SUPPORT:
        assert not local_support, (
            f"{country} now has a support entry for {age_group}: update the list and the docs"
        )
        worldwide = {e.id for e in routes.entries if e.kind in SUPPORT_KINDS}
        assert WORLDWIDE_SUPPORT[age_group] <= worldwide
    else:
        assert local_support, f"{country} has no support entry of its own for {age_group}"


def test_every_country_has_a_support_route_for_someone_under_18():
    """A child in any of these countries is given a line of their own country to call or write to."""
    assert not {country for country, age in NO_CONFIRMED_NATIONAL_SUPPORT if age == "under-18"}


@pytest.mark.parametrize("age_group", ["under-18", "adult"])
@pytest.mark.parametrize("country", MOST_INTERNET_USERS)
def test_each_age_group_still_gets_the_emergency_number_first(country, age_group):
    routes = routes_for(country, age_group)
    name, entries = routes.sections[0]
    assert name == "emergency" and len(entries) == 1
    assert not any(e.age_group not in ("all", age_group) for e in routes.entries)


_WEB_ADDRESS = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
# A numbered reference into the project's research notes, whose list gives each page's address.
_NOTES_REFERENCE = re.compile(r"victim-needs\.md \[\d+\]")


def test_every_entry_says_where_and_when_it_was_checked():
    for entry in load_directory():
        assert isinstance(entry.last_verified, date), entry.id
        assert entry.last_verified <= date.today(), entry.id
        source = entry.source
        assert _WEB_ADDRESS.search(source.replace("victim-needs.md", "")) or _NOTES_REFERENCE.search(
            source
        ), entry.id


def test_what_a_source_could_not_confirm_is_said_in_the_entry():
    entries = {e.id: e for e in load_directory()}
    # Pakistan's 15 was confirmed for two regions only; Argentina's 911 from one province's page.
    assert "Sindh" in (entries["pk-emergency"].note or "")
    assert "Buenos Aires" in (entries["ar-emergency"].note or "")
    assert "2010" in (entries["eg-16000"].note or "")


def _entry(days_old: int) -> Entry:
    shipped = next(e for e in load_directory() if e.id == "jp-emergency")
    return dataclasses.replace(shipped, last_verified=date.today() - timedelta(days=days_old))


def _named(entry: Entry) -> str:
    """How the guide names an entry in its warning about old entries."""
    return text.STALE_ENTRY.format(name=entry.name, date=entry.last_verified.isoformat())


def test_an_entry_checked_more_than_a_year_ago_is_named_in_a_warning():
    old, fresh = _entry(400), _entry(30)
    routes = Routes("JP", "JP", None, [("emergency", [old]), ("support", [fresh])])
    shown = " ".join(line for _style, line in routes_lines(routes))
    warning = text.DIRECTORY_STALE
    assert warning in shown and _named(old) in shown and _named(fresh) not in shown
    assert routes.stale_entries() == [old]

    recent = Routes("JP", "JP", None, [("emergency", [fresh])])
    assert warning not in " ".join(line for _style, line in routes_lines(recent))


def test_no_shipped_entry_is_old_without_the_guide_saying_so():
    for country in MOST_INTERNET_USERS:
        routes = routes_for(country, None)
        shown = " ".join(line for _style, line in routes_lines(routes))
        for entry in stale_entries(routes.entries):
            assert _named(entry) in shown, (country, entry.id)


def test_the_directory_checks_its_own_shape_and_names_the_broken_entry():
    assert problems(raw_directory()) == []
    raw = copy.deepcopy(raw_directory())
    index = next(i for i, e in enumerate(raw["entries"]) if e["id"] == "vn-111")
    raw["entries"][index]["phone"] = "one one one"
    expected = f"entry {index + 1} (vn-111) has a phone number in an unexpected form: 'one one one'"
    assert expected in problems(raw)

    raw = copy.deepcopy(raw_directory())
    raw["entries"] = [e for e in raw["entries"] if e["country"] != "CN"]
    assert "the directory has no entries for CN, listed in NATIONAL" in problems(raw)


@pytest.mark.parametrize("country", MOST_INTERNET_USERS)
def test_the_guide_for_each_country_shows_its_services(cli, country):
    result = cli("guide", "--country", country)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert f"Who can help: {country_name(country)} ({country})" in shown
    for entry in _local(routes_for(country, None)):
        assert entry.name in shown, (country, entry.id)
        if entry.phone:
            assert entry.phone in shown, (country, entry.id)
