"""What a case is before anything reads it: its description (case.json, checked), its id, who
is acting, and the error for a case whose records changed outside evidencekit."""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidencekit.errors import EvidenceKitError

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CaseDamagedError(EvidenceKitError):
    """The case's own records changed outside evidencekit; adding to them would hide that."""


def new_case_id(moment: datetime) -> str:
    """`EK-20261128-7F3K2Q`: the date plus six characters that are easy to read aloud."""
    suffix = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    return f"EK-{moment.strftime('%Y%m%d')}-{suffix}"


def default_actor(collector: str | None) -> str:
    """Who is acting: EVIDENCEKIT_ACTOR, else the case's collector, else the computer account."""
    explicit = os.environ.get("EVIDENCEKIT_ACTOR")
    if explicit:
        return explicit
    if collector:
        return collector
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no account name (some containers)
        return "unknown"


MAX_CASE_JSON_BYTES = 1 << 20  # a real case.json is a few hundred bytes
_FLAG_VALUE = (bool, str, int, float, type(None))


@dataclass(frozen=True)
class CaseInfo:
    """The contents of `evidencekit/case.json`, checked: every field has the type it should."""

    id: str
    title: str
    created_utc: str
    created_local: str
    zone: str | None
    collector: str | None
    country: str | None
    flags: dict[str, bool | str | int | float | None]
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: object) -> CaseInfo:
        """Check a parsed case.json; ValueError (saying what is wrong) for anything else."""
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        case_id = data.get("id")
        if not isinstance(case_id, str) or not case_id.strip():
            raise ValueError("it has no case id")
        created = data.get("created", {})
        if created is None:
            created = {}
        if not isinstance(created, dict):
            raise ValueError("its creation time is not a record")
        flags = data.get("flags", {})
        if flags is None:
            flags = {}
        if not isinstance(flags, dict) or not all(
            isinstance(key, str) and isinstance(value, _FLAG_VALUE) for key, value in flags.items()
        ):
            raise ValueError("its flags are not a record of simple values")
        return cls(
            id=case_id,
            title=_text_or_none(data, "title") or "",
            created_utc=_text_or_none(created, "utc") or "",
            created_local=_text_or_none(created, "local") or "",
            zone=_text_or_none(created, "zone"),
            collector=_text_or_none(data, "collector"),
            country=_text_or_none(data, "country"),
            flags=dict(flags),
            raw=data,
        )


def _text_or_none(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"its “{key}” is not text")
