"""The offline directory of helplines and reporting routes (`directory.json`, shipped in the package).

The directory is data, not code, so that a helpline worker can correct a number without reading
Python: each entry names the service, what it is for, how to reach it (phone, text, web), the
country and age group it serves, and the day it was last checked against its source. `problems()`
says what is missing or malformed in an entry (one sentence naming it); tests run it over every
entry. `stale_entries` names those not checked for over a year, which the guide warns about rather
than hiding: an old number may still be the best there is, but the person should know its age.

`routes_for(country, age_group)` picks what to show a person: emergency numbers first, then crisis
lines, reporting routes, takedown services and support, their own country's before services that
are open to everyone.

Countries are understood by code or by name (`countries.json`: every ISO 3166-1 code with its
English name, and names people type, like "England", "Deutschland" or "USA"), because a frightened
person may not know that the United Kingdom is "GB". A country the directory has no entries for
gets the EU's services (for EU members) or the services open to everyone, and says so; a code or
name that is no country at all is refused with one sentence (`UnknownCountryError`), and
`routes_for_answer` turns that into the services open to everyone plus that sentence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

from evidencekit.errors import InvalidValueError

DIRECTORY_FORMAT = "evidencekit-directory/1"
KINDS = ("emergency", "crisis", "police", "child-report", "fraud", "takedown", "support")
AGE_GROUPS = ("under-18", "adult", "all")
# The countries the directory has entries of its own for (the others get EU or open services):
# at least the 30 countries with the most internet users (docs/reference/directory.md says which).
NATIONAL = (
    "GB", "US", "AU", "CA", "IE", "DE", "FR", "BE", "IN", "NZ", "ZA", "PH", "BR",
    "CN", "JP", "ID", "RU", "NG", "PK", "BD", "MX", "VN", "EG", "TR", "IR", "TH",
    "IT", "KR", "ES", "AR", "CO", "PL", "MY", "SA", "UA", "ET",
)  # fmt: skip
# An entry checked longer ago than this is named in a warning wherever it is shown: numbers change.
STALE_AFTER = timedelta(days=365)
REGIONS = (*NATIONAL, "EU", "INT")
EU_MEMBERS = frozenset(
    ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IT",
     "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE")
)  # fmt: skip
ALIASES = {"UK": "GB", "EL": "GR"}  # what people type, and the EU's own code for Greece

# The order sections are shown in: emergency numbers always first.
SECTIONS = (
    ("emergency", ("emergency",)),
    ("crisis", ("crisis",)),
    ("report", ("child-report", "police", "fraud")),
    ("takedown", ("takedown",)),
    ("support", ("support",)),
)
_REQUIRED = ("id", "name", "purpose", "kind", "country", "age_group", "last_verified", "source")
_OPTIONAL = ("phone", "url", "text", "hours", "note")
# Digits (and a vanity spelling), then optionally "or 999" and a bracketed alternative; a leading #
# is a short code dialled as written (Japan's #8103).
_PHONE = re.compile(r"^#?[0-9][0-9A-Z -]*[0-9A-Z]( or [0-9][0-9 ]*[0-9])?( \([^()]+\))?$")


@dataclass(frozen=True)
class Entry:
    """One helpline or reporting route."""

    id: str
    name: str
    purpose: str
    kind: str
    country: str
    age_group: str
    last_verified: date
    source: str
    phone: str | None = None
    url: str | None = None
    text: str | None = None
    hours: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "purpose": self.purpose,
            "kind": self.kind,
            "country": self.country,
            "age_group": self.age_group,
            "phone": self.phone,
            "text": self.text,
            "url": self.url,
            "hours": self.hours,
            "note": self.note,
            "last_verified": self.last_verified.isoformat(),
            "source": self.source,
        }


@dataclass(frozen=True)
class Routes:
    """What to show for one country and age group, in order."""

    country: str | None  # what was asked for (normalised), or None
    region: str  # the directory region used: a country of NATIONAL, EU or INT
    age_group: str | None  # "under-18", "adult", or None (show both)
    sections: list[tuple[str, list[Entry]]] = field(default_factory=list)
    unknown_country: str | None = None  # the sentence saying what was typed is no country we know

    @property
    def entries(self) -> list[Entry]:
        return [entry for _name, entries in self.sections for entry in entries]

    @property
    def oldest_check(self) -> date | None:
        dates = [entry.last_verified for entry in self.entries]
        return min(dates) if dates else None

    def stale_entries(self, today: date | None = None) -> list[Entry]:
        """The entries shown that were last checked more than a year before `today`."""
        return stale_entries(self.entries, today)

    def to_json(self, today: date | None = None) -> dict[str, Any]:
        """The routes for `guide --json`, with the same warning about their age that the text
        shows: each entry says whether it is stale, and the stale ones are also listed together,
        so a script (or a helpline's own page built from it) cannot show an old number as fresh."""
        stale = self.stale_entries(today)
        stale_ids = {entry.id for entry in stale}
        return {
            "country": self.country,
            "region": self.region,
            "age_group": self.age_group,
            "unknown_country": self.unknown_country,
            "oldest_check": self.oldest_check.isoformat() if self.oldest_check else None,
            "stale_after_days": STALE_AFTER.days,
            "stale_entries": [
                {"id": e.id, "name": e.name, "last_verified": e.last_verified.isoformat()} for e in stale
            ],
            "routes": [
                {
                    "section": name,
                    "entries": [{**entry.to_json(), "stale": entry.id in stale_ids} for entry in entries],
                }
                for name, entries in self.sections
            ],
        }


def stale_entries(entries: Iterable[Entry], today: date | None = None) -> list[Entry]:
    """Entries last checked more than a year ago, oldest first: the guide warns about them."""
    limit = (today or date.today()) - STALE_AFTER
    return sorted((e for e in entries if e.last_verified < limit), key=lambda e: e.last_verified)


def raw_directory() -> dict[str, Any]:
    """The directory file as stored in the package."""
    text = resources.files("evidencekit.guide").joinpath("directory.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def problems(raw: dict[str, Any]) -> list[str]:
    """Everything incomplete or malformed in a directory, one sentence each (empty: all good)."""
    found: list[str] = []
    if raw.get("format") != DIRECTORY_FORMAT:
        found.append(f"the directory's format is not {DIRECTORY_FORMAT}")
    entries = raw.get("entries")
    if not isinstance(entries, list) or not entries:
        return [*found, "the directory has no entries"]
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = f"entry {index + 1} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            found.append(f"{label} is not an object")
            continue
        for key in _REQUIRED:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                found.append(f"{label} has no {key}")
        unknown = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
        if unknown:
            found.append(f"{label} has unknown fields: {', '.join(sorted(unknown))}")
        if entry.get("id") in seen:
            found.append(f"{label} repeats the id {entry.get('id')}")
        seen.add(str(entry.get("id")))
        if entry.get("kind") not in KINDS:
            found.append(f"{label} has kind {entry.get('kind')!r}, not one of {', '.join(KINDS)}")
        if entry.get("country") not in REGIONS:
            found.append(f"{label} has country {entry.get('country')!r}, not one of {', '.join(REGIONS)}")
        if entry.get("age_group") not in AGE_GROUPS:
            found.append(f"{label} has age group {entry.get('age_group')!r}")
        if not any(
            isinstance(entry.get(key), str) and entry[key].strip() for key in ("phone", "url", "text")
        ):
            found.append(f"{label} has no phone number, text number or web address")
        url = entry.get("url")
        if url is not None and not (
            isinstance(url, str) and re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}/", url)
        ):
            found.append(f"{label} has a web address that is not https://host/…: {url!r}")
        phone = entry.get("phone")
        if phone is not None and not (isinstance(phone, str) and _PHONE.match(phone)):
            found.append(f"{label} has a phone number in an unexpected form: {phone!r}")
        try:
            checked = date.fromisoformat(str(entry.get("last_verified")))
        except ValueError:
            found.append(f"{label} has a last_verified date that is not YYYY-MM-DD")
        else:
            if checked > date.today():
                found.append(f"{label} was last verified in the future ({checked})")
    # A country declared as having its own entries but given none would silently get only the
    # services open to everyone, while the guide claims to know it.
    countries = {entry.get("country") for entry in entries if isinstance(entry, dict)}
    found += [f"the directory has no entries for {code}, listed in NATIONAL" for code in NATIONAL
              if code not in countries]  # fmt: skip
    return found


@lru_cache(maxsize=1)
def load_directory() -> tuple[Entry, ...]:
    """Every entry of the shipped directory (checked: an incomplete directory is a bug)."""
    raw = raw_directory()
    found = problems(raw)
    if found:
        raise ValueError("the helpline directory is incomplete: " + "; ".join(found))
    out = []
    for item in raw["entries"]:
        values = {key: item.get(key) for key in (*_REQUIRED, *_OPTIONAL)}
        values["last_verified"] = date.fromisoformat(item["last_verified"])
        out.append(Entry(**values))
    return tuple(out)


class UnknownCountryError(InvalidValueError):
    """What was typed is neither a country code nor a country name evidencekit knows."""


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(code → English name, anything typed, case-folded → code) from countries.json."""
    raw = json.loads(
        resources.files("evidencekit.guide").joinpath("countries.json").read_text(encoding="utf-8")
    )
    names: dict[str, str] = dict(raw["codes"])
    lookup = {_key(code): code for code in names}
    lookup.update({_key(name): code for code, name in names.items()})
    lookup.update({_key(name.split(",")[0]): code for code, name in names.items()})  # "Palestine"
    lookup.update({_key(alias): code for alias, code in raw["aliases"].items()})
    lookup.update({_key(alias): code for alias, code in ALIASES.items()})
    return names, lookup


def _key(text: str) -> str:
    return " ".join(text.replace(".", " ").split()).casefold()


def country_name(code: str | None) -> str | None:
    """`IN` → `India` (None for None or a code that is no country)."""
    return _countries()[0].get(code) if code else None


def normalise_country(code: str | None) -> str | None:
    """`uk` → `GB`, `India` → `IN`; UnknownCountryError for what is no country we know."""
    if code is None or not code.strip():
        return None
    found = _countries()[1].get(_key(code))
    if found:
        return found
    typed = " ".join(code.split())
    hint = "Type the country's name (for example India or Germany) or its two-letter code (IN, DE, GB, US…)."
    if len(typed) == 2 and typed.isascii() and typed.isalpha():
        raise UnknownCountryError(f"“{typed.upper()}” is not a country code evidencekit knows.", hint=hint)
    raise UnknownCountryError(f"evidencekit does not know a country called “{typed}”.", hint=hint)


def region_for(country: str | None) -> str:
    """Which part of the directory serves `country`: its own entries, the EU's, or INT only."""
    if country in NATIONAL:
        return country
    if country in EU_MEMBERS:
        return "EU"
    return "INT"


def normalise_age_group(value: str | None) -> str | None:
    if value in (None, "", "all", "unknown"):
        return None
    if value in ("under-18", "minor", "child"):
        return "under-18"
    if value in ("adult", "18+"):
        return "adult"
    raise InvalidValueError(f"“{value}” is not an age group.", hint="Use under-18 or adult.")


def routes_for(country: str | None, age_group: str | None) -> Routes:
    """The entries to show, grouped into sections, emergency numbers first.

    Services of the person's own country (or the EU) come before those open to everyone; the
    general emergency entry is only used where no national one exists.
    """
    country = normalise_country(country)
    age_group = normalise_age_group(age_group)
    region = region_for(country)
    wanted_ages = {"all", age_group} if age_group else set(AGE_GROUPS)
    entries = [e for e in load_directory() if e.age_group in wanted_ages]
    local = [e for e in entries if e.country == region and region != "INT"]
    if region != "EU" and country in EU_MEMBERS:  # an EU country with its own entries: the EU's too,
        national_kinds = {e.kind for e in local} & {"emergency", "police"}  # but its own 112 and police
        phones = {e.phone for e in local if e.phone}  # 116 111 is both national and EU-wide
        local += [
            e
            for e in entries
            if e.country == "EU" and e.kind not in national_kinds and not (e.phone and e.phone in phones)
        ]
    general = [e for e in entries if e.country == "INT"]
    has_local_emergency = any(e.kind == "emergency" for e in local)
    general = [e for e in general if not (e.kind == "emergency" and has_local_emergency)]

    sections: list[tuple[str, list[Entry]]] = []
    for name, kinds in SECTIONS:
        chosen = []
        for kind in kinds:
            chosen += [e for e in local if e.kind == kind]
        for kind in kinds:
            chosen += [e for e in general if e.kind == kind]
        if age_group is None:  # both groups shown: under-18 routes first, they are the urgent ones
            chosen.sort(key=lambda e: {"under-18": 0, "all": 1, "adult": 2}[e.age_group])
        if chosen:
            sections.append((name, chosen))
    return Routes(country=country, region=region, age_group=age_group, sections=sections)


def routes_for_answer(country: str | None, age_group: str | None) -> Routes:
    """`routes_for`, but a country we do not know gives the services open to everyone, with the
    sentence saying so (`Routes.unknown_country`), instead of an error: help is never refused."""
    try:
        return routes_for(country, age_group)
    except UnknownCountryError as unknown:
        general = routes_for(None, age_group)
        return Routes(None, general.region, general.age_group, general.sections, unknown.message)


def emergency_numbers(country: str | None) -> list[Entry]:
    """Only the emergency entries for `country` (what the wizard shows before anything else)."""
    routes = routes_for(country, None)
    return [e for e in routes.entries if e.kind == "emergency"]
