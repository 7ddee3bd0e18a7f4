"""Offender accounts: who the police need to ask a platform about.

Police and helplines ask for *stable* identifiers: the account's user ID, its username or handle,
the link to its profile, phone numbers and e-mail addresses. A display name ("Alex ❤") is not one:
anyone can choose any display name and change it at any moment, so a record that has only a display
name is accepted (it is still a clue) but flagged as weak, and the person is asked for more.

One record per account; a case can have many (offenders often use several accounts and platforms).
"""

from __future__ import annotations

import re
from typing import Any

from evidencekit.case.case import Case, CaseChange
from evidencekit.errors import InvalidValueError
from evidencekit.intake.platforms import PLATFORMS
from evidencekit.intake.urls import check_url
from evidencekit.story.records import OFFENDERS, AddResult, append_story_record, check_references, one_line

IDENTIFIER_FIELDS = ("username", "user_id", "profile_url", "phone", "email")
STABLE_FIELDS = ("user_id", "profile_url", "phone", "email")

# Names people type for platforms, mapped to the names used everywhere else in evidencekit.
_ALIASES = {
    "insta": "Instagram",
    "ig": "Instagram",
    "fb": "Facebook",
    "messenger": "Facebook Messenger",
    "facebook messenger": "Facebook Messenger",
    "twitter": "X (Twitter)",
    "x": "X (Twitter)",
    "snap": "Snapchat",
    "whats app": "WhatsApp",
    "tg": "Telegram",
    "tinder": "Tinder (dating)",
    "bumble": "Bumble (dating)",
    "hinge": "Hinge (dating)",
    "grindr": "Grindr (dating)",
    "email": "E-mail",
    "e-mail": "E-mail",
    "sms": "SMS / phone",
    "phone": "SMS / phone",
}
_KNOWN = {name.lower(): name for name in set(PLATFORMS.values())}
_KNOWN.update({name.split(" (")[0].lower(): name for name in set(PLATFORMS.values())})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+$")


def platform_name(text: str) -> str:
    """`instagram` → `Instagram`; a platform evidencekit does not know is kept as typed."""
    clean = one_line(text, "platform", max_length=80)
    if not clean:
        raise InvalidValueError(
            "The platform is empty.", hint="Say where the account is, e.g. --platform Instagram"
        )
    key = clean.lower()
    return _ALIASES.get(key) or _KNOWN.get(key) or clean


def normalise_phone(text: str) -> tuple[str, str, bool]:
    """(as written, digits with a leading + if given, has a country code?) or a clear error."""
    written = " ".join(text.split())
    if not _PHONE_ALLOWED.match(written):
        raise InvalidValueError(
            f"“{written}” does not look like a phone number.",
            hint="Give the number with digits only (spaces are fine), best with the country code, "
            "e.g. +44 7700 900123.",
        )
    digits = re.sub(r"\D", "", written)
    international = written.startswith("+") or written.startswith("00")
    if written.startswith("00"):
        digits = digits[2:]
    if not 5 <= len(digits) <= 15:
        raise InvalidValueError(
            f"“{written}” has {len(digits)} digits; phone numbers have between 5 and 15.",
            hint="Check that the whole number was copied, with the country code, e.g. +44 7700 900123.",
        )
    return written, ("+" if international else "") + digits, international


def normalise_username(text: str) -> str:
    name = text.strip()
    if name.startswith("@"):
        name = name[1:]
    if not name:
        raise InvalidValueError(
            "The username is empty.", hint="Give it as shown on the profile, e.g. --username bad.actor"
        )
    if any(ch.isspace() for ch in name):
        raise InvalidValueError(
            f"“{text.strip()}” has spaces in it, so it is probably the name shown on screen, "
            "not the username.",
            hint="Use --display-name for the shown name, and --username for the handle (the part after @ "
            "or in the profile link).",
        )
    return one_line(name, "username", max_length=200) or name


def add_offender(
    case: Case,
    *,
    platform: str,
    username: str | None = None,
    user_id: str | None = None,
    profile_url: str | None = None,
    display_name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    note: str | None = None,
    seen_in: list[str] | None = None,
) -> AddResult:
    """Record one offender account. Refuses a record with no identifier at all."""
    warnings: list[str] = []
    notes: list[str] = []
    fields: dict[str, Any] = {"platform": platform_name(platform)}
    fields["username"] = normalise_username(username) if username and username.strip() else None
    fields["user_id"] = one_line(user_id, "user ID", max_length=200)
    if fields["user_id"] and any(ch.isspace() for ch in user_id.strip()):  # type: ignore[union-attr]
        raise InvalidValueError(
            "A user ID has no spaces in it.", hint="Copy the ID again, e.g. --user-id 17841400000000000"
        )
    fields["profile_url"] = None
    fields["profile_url_normalised"] = None
    if profile_url and profile_url.strip():
        checked = check_url(profile_url)
        fields["profile_url"] = checked.original
        fields["profile_url_normalised"] = checked.normalised
        if checked.platform and checked.platform != fields["platform"] and fields["platform"] != "E-mail":
            warnings.append(
                f"The profile link is on {checked.platform}, but the platform given is "
                f"{fields['platform']}. If that is a mistake, record the account again with the "
                "right --platform."
            )
    fields["display_name"] = one_line(display_name, "display name", max_length=200)
    fields["phone"] = fields["phone_normalised"] = None
    if phone and phone.strip():
        written, normalised, international = normalise_phone(phone)
        fields["phone"], fields["phone_normalised"] = written, normalised
        if not international:
            notes.append(
                "The phone number has no country code. If you know it, record it with one "
                "(e.g. +44 7700 900123): police in another country may not be able to use it otherwise."
            )
    fields["email"] = None
    if email and email.strip():
        address = email.strip()
        if not _EMAIL.match(address):
            raise InvalidValueError(
                f"“{address}” is not an e-mail address.",
                hint="An e-mail address looks like name@example.com.",
            )
        local, _, domain = address.rpartition("@")
        fields["email"] = f"{local}@{domain.lower()}"
    fields["note"] = one_line(note, "note", max_length=2000)
    fields["seen_in"] = []

    if not any(fields[key] for key in (*IDENTIFIER_FIELDS, "display_name")):
        raise InvalidValueError(
            "Nothing identifies this account yet.",
            hint="Give at least one of --username, --user-id, --profile-url, --phone, --email "
            "(or --display-name if that is all you have).",
        )
    if not any(fields[key] for key in IDENTIFIER_FIELDS):
        warnings.append(
            "A display name alone is weak: anyone can use any display name and change it at any "
            "time. If you can, add the account's username (the @name), its user ID or the link to "
            "its profile (--profile-url), which the police can ask the platform about."
        )
    elif fields["username"] and not any(fields[key] for key in STABLE_FIELDS):
        notes.append(
            "Usernames can be changed. The link to the profile or the account's user ID stays the "
            "same: add it when you have it (--profile-url or --user-id)."
        )

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        staged["seen_in"] = check_references(change, seen_in or [])

    def same_as(existing: dict[str, Any]) -> bool:
        if existing.get("platform") != fields["platform"]:
            return False
        keys = (
            "username",
            "user_id",
            "profile_url_normalised",
            "phone_normalised",
            "email",
            "display_name",
            "note",
        )
        given = {key: fields[key] for key in keys if fields[key]}
        return all(existing.get(key) == value for key, value in given.items()) and not (
            set(seen_in or []) - set(existing.get("seen_in") or [])
        )

    result = append_story_record(
        case,
        OFFENDERS,
        fields,
        details={"platform": fields["platform"]},
        same_as=same_as,
        prepare=prepare,
    )
    result.warnings.extend(warnings)
    result.notes.extend(notes)
    if result.record is not None:
        result.notes.extend(_overlaps(case, result.record))
    return result


def _overlaps(case: Case, record: dict[str, Any]) -> list[str]:
    """Point out other records that share an identifier (same account recorded twice?)."""
    out = []
    keys = ("username", "user_id", "profile_url_normalised", "phone_normalised", "email")
    for other in case.records(OFFENDERS.path):
        if other.get("id") == record["id"]:
            continue
        shared = [key for key in keys if record.get(key) and other.get(key) == record.get(key)]
        if shared:
            out.append(
                f"{other['id']} has the same {shared[0].replace('_normalised', '').replace('_', ' ')}; "
                "both records are kept."
            )
    return out


def identifiers_of(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of every identifier in a record, strongest first (for reports)."""
    out = []
    for key, label in (
        ("user_id", "user ID"),
        ("profile_url", "profile"),
        ("username", "username"),
        ("phone", "phone"),
        ("email", "e-mail"),
        ("display_name", "display name"),
    ):
        if record.get(key):
            value = str(record[key])
            out.append((label, value))
    return out


def is_weak(record: dict[str, Any]) -> bool:
    """True when only a display name identifies the account."""
    return not any(record.get(key) for key in IDENTIFIER_FIELDS)
