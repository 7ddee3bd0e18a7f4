"""Which reporting route of the directory a person meant by what they typed in --to.

`report-to CEOP` and `action police --to "Met Police"` name routes of `directory.json` (gb-ceop,
gb-police-101); `report-to Instagram` names none (a platform). The checklist and `route_steps`
both ask this module, which knows nothing of either.
"""

from __future__ import annotations

from collections.abc import Iterable

from evidencekit.guide.directory import Entry, load_directory

# What people type in --to for a route, besides its name (case and spacing do not matter).
ALIASES: dict[str, tuple[str, ...]] = {
    "int-stopncii": ("stopncii", "stop ncii"),
    "int-take-it-down": ("take it down", "takeitdown"),
    "int-inhope": ("inhope",),
    "gb-report-remove": ("report remove", "childline"),
    "gb-ceop": ("ceop",),
    "gb-iwf": ("iwf", "internet watch foundation"),
    "gb-police-101": ("police", "101"),
    "us-cybertipline": ("ncmec", "cybertipline", "cyber tipline"),
    "us-ic3": ("ic3",),
    "us-fbi": ("fbi",),
    "au-esafety": ("esafety",),
    "au-accce": ("accce",),
    "ca-cybertip": ("cybertip",),
    "ca-needhelpnow": ("needhelpnow", "need help now"),
    "ca-antifraud": ("anti-fraud", "antifraud"),
    "ie-hotline": ("hotline.ie",),
    "ie-garda": ("garda",),
    "eu-police": ("police",),
}
# The hashing services a `stopncii` action stands for, by the case's age group.
HASHING_ROUTES = {"adult": ("int-stopncii",), "under-18": ("int-take-it-down", "gb-report-remove")}


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _names(entry: Entry) -> tuple[str, ...]:
    return (_key(entry.name), entry.id, *ALIASES.get(entry.id, ()))


def names_route(to: object, entries: Iterable[Entry] | None = None) -> str | None:
    """The id of the directory route `to` names (“CEOP” → gb-ceop), or None (a platform, say)."""
    if not isinstance(to, str) or not to.strip():
        return None
    typed = _key(to)
    for entry in entries if entries is not None else load_directory():
        # an alias of four letters or more may be part of what was typed ("Met Police", "CEOP online")
        if any(typed == name or (len(name) >= 4 and name in typed) for name in _names(entry)):
            return entry.id
    return None
