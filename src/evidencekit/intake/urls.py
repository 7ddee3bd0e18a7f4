"""Recording web addresses (no network access here; fetching is a separate, explicit step).

Police advice: collect the URL links to where things are shared. A URL record keeps the address
exactly as given, a normalised form for comparing, the platform, what kind of page it is, when it
was recorded and a note. Only http(s) addresses are accepted: `javascript:`, `file:` and the like are
not places on the web and are refused with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from evidencekit.case.case import Case
from evidencekit.clock import iso_utc
from evidencekit.errors import InvalidUrlError, InvalidValueError
from evidencekit.intake.platforms import platform_for_host

URL_KINDS = ("profile", "content", "conversation", "payment", "other")
MAX_URL_LENGTH = 8192
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


@dataclass(frozen=True)
class CheckedUrl:
    """A URL that passed the checks, with its parts."""

    original: str
    normalised: str
    host: str
    platform: str | None


def check_url(text: str) -> CheckedUrl:
    """Accept an http(s) URL or raise InvalidUrlError with a sentence a person understands."""
    original = text.strip()
    if not original:
        raise InvalidUrlError(
            "The web address is empty.", hint="Copy the address from the browser's address bar."
        )
    if len(original) > MAX_URL_LENGTH:
        raise InvalidUrlError(
            f"That web address is {len(original)} characters long, too long to be a real link.",
            hint="Copy the address again from the browser's address bar.",
        )
    if _CONTROL.search(original):
        raise InvalidUrlError(
            "That web address contains spaces or invisible characters.",
            hint="Copy it again from the browser's address bar (put it in quotes if it has spaces).",
        )
    if "://" not in original and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", original, re.IGNORECASE):
        raise InvalidUrlError(
            f"“{original}” is missing the https:// at the start.",
            hint=f"Try: https://{original}",
        )
    try:
        parts = urlsplit(original)
        port = parts.port
    except ValueError:
        raise InvalidUrlError(
            f"“{original}” is not a valid web address.",
            hint="Copy the address from the browser's address bar; it starts with https://",
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"a “{scheme}:” link" if scheme else "not a web link"
        raise InvalidUrlError(
            f"“{original[:80]}” is {what}; "
            "only web addresses starting with http:// or https:// can be recorded.",
            hint="Copy the address from the browser's address bar.",
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidUrlError(
            "That web address contains a user name or password.",
            hint="Remove the part before the @ (never record passwords in evidence) and try again.",
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidUrlError(
            f"“{original}” has no website name in it.",
            hint="A web address looks like https://www.instagram.com/username",
        )
    host = _normalise_host(host, original)
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))
    return CheckedUrl(original, normalised, host, platform_for_host(host))


def _normalise_host(host: str, original: str) -> str:
    host = host.lower()
    if ":" in host or re.match(r"^[\d.]+$", host):
        return host  # IP address
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidUrlError(
            f"The website name in “{original}” is not valid.", hint="Copy the address again."
        ) from None
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidUrlError(
            f"“{original}” does not contain a valid website name.",
            hint="A web address looks like https://www.instagram.com/username",
        )
    return ascii_host


@dataclass
class AddUrlResult:
    """The URL record added, or the id it was already recorded under."""

    record: dict[str, Any] | None
    duplicate_of: str | None
    recovered: str | None


def add_url(
    case: Case,
    url: str,
    *,
    kind: str = "other",
    note: str | None = None,
    sensitive: bool = False,
    extra_fields: dict[str, Any] | None = None,
) -> AddUrlResult:
    """Record a URL in the case (never fetched here)."""
    if kind not in URL_KINDS:
        raise InvalidValueError(
            f"“{kind}” is not a kind of link evidencekit knows.",
            hint="Use one of: " + ", ".join(URL_KINDS) + ".",
        )
    checked = check_url(url)
    with case.change("add-url") as change:
        for existing in change.existing_urls:
            if existing.get("url_normalised") == checked.normalised:
                return AddUrlResult(None, existing["id"], change.recovered)
        now = change.now()
        record: dict[str, Any] = {
            "id": change.next_url_id(),
            "url": checked.original,
            "url_normalised": checked.normalised,
            "host": checked.host,
            "platform": checked.platform,
            "kind": kind,
            "note": note,
            "sensitive": sensitive,
            "recorded_at": iso_utc(now),
            "recorded_at_local": case.local_time(now),
            "recorded_by": change.actor,
        }
        record.update(extra_fields or {})
        change.add_url(record)
        change.log(
            "url-added",
            {"url_id": record["id"], "url": checked.original, "platform": checked.platform, "kind": kind},
        )
        return AddUrlResult(record, None, change.recovered)
