"""A browser's cookies, borrowed for one capture and never kept.

Pages behind a login (a private profile, a group) can only be archived as the logged-in person sees
them. A cookies file exported from the user's own browser ("Netscape" cookies.txt format, as the
common export extensions write it) lets the fetch and the screenshot see that view. Cookies are
session credentials: they are read into memory only, their values are never written into the case
(the WARC's request records show `Cookie: [removed by evidencekit …]` instead, and cookies the
server sets back are removed the same way), and only their names and count are recorded.
"""

from __future__ import annotations

import http.cookiejar
import io
import urllib.request
from pathlib import Path
from typing import Any

from evidencekit.web.errors import CookiesFileError

_MAGIC = "# Netscape HTTP Cookie File\n"
HTTPONLY_PREFIX = "#HttpOnly_"
MAX_COOKIES_FILE = 10 << 20


class _MemoryJar(http.cookiejar.MozillaCookieJar):
    """A MozillaCookieJar that reads from a string and can never save to disk."""

    def load_text(self, text: str) -> None:
        self._really_load(io.StringIO(text), "cookies file", True, False)  # type: ignore[attr-defined]

    def save(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - guard
        raise RuntimeError("cookies are never saved")


def new_jar() -> http.cookiejar.CookieJar:
    """An empty in-memory jar (cookies a site sets during redirects, kept for that fetch only)."""
    return http.cookiejar.CookieJar()


def load_cookies(path: Path) -> http.cookiejar.CookieJar:
    """Read a Netscape-format cookies file into memory, or explain why it cannot be used."""
    try:
        if path.stat().st_size > MAX_COOKIES_FILE:
            raise CookiesFileError(
                f"{path} is too large to be a cookies file.",
                hint="Export the cookies for the one site you need (cookies.txt format).",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CookiesFileError(
            f"There is no cookies file at {path}.", hint="Check the path of the exported cookies.txt file."
        ) from None
    except OSError as exc:
        raise CookiesFileError(
            f"The cookies file {path} cannot be read ({exc.strerror}).", hint="Check the file."
        ) from None
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if text.lstrip().startswith(("[", "{")):
        raise CookiesFileError(
            f"{path} is a JSON cookies export; evidencekit reads the “Netscape” cookies.txt format.",
            hint="Export again choosing the cookies.txt (Netscape) format.",
        )
    jar = _MemoryJar()
    try:
        jar.load_text(_MAGIC + _normalised_lines(text))
    except (http.cookiejar.LoadError, ValueError, IndexError, AssertionError) as exc:
        raise CookiesFileError(
            f"{path} is not a cookies file evidencekit can read ({exc}).",
            hint="Export the cookies in the cookies.txt (Netscape) format.",
        ) from None
    if not list(jar):
        raise CookiesFileError(
            f"{path} holds no cookies (or only expired ones).",
            hint="Log in to the site in your browser, then export its cookies again.",
        )
    return jar


def _normalised_lines(text: str) -> str:
    """The cookie lines in the form http.cookiejar expects.

    Browser exports write expiry 0 for session cookies (which the standard library would drop as
    expired) and do not always keep the "include subdomains" flag consistent with the domain's
    leading dot (which it rejects); both are smoothed here. A line that is not 7 tab-separated
    fields is reported by number.
    """
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        http_only = line.startswith(HTTPONLY_PREFIX)
        if not stripped or (stripped.startswith(("#", "$")) and not http_only):
            continue
        body = line[len(HTTPONLY_PREFIX) :] if http_only else line
        fields = body.rstrip("\r").split("\t")
        if len(fields) != 7:
            raise ValueError(f"line {number} is not a cookie line (7 fields separated by tabs)")
        fields[1] = "TRUE" if fields[0].startswith(".") else "FALSE"
        if fields[4].strip() in ("0", "-1"):
            fields[4] = ""  # a session cookie
        out.append((HTTPONLY_PREFIX if http_only else "") + "\t".join(fields))
    return "\n".join(out) + "\n"


def cookie_header(jar: http.cookiejar.CookieJar, url: str) -> str | None:
    """The Cookie header a browser would send to `url` from this jar."""
    request = urllib.request.Request(url)  # noqa: S310 - only builds headers; nothing is opened
    jar.add_cookie_header(request)
    return request.get_header("Cookie")


def remember(jar: http.cookiejar.CookieJar, url: str, response: Any) -> None:
    """Keep cookies a response sets (in memory), as a browser would across redirects."""
    jar.extract_cookies(response, urllib.request.Request(url))  # noqa: S310 - nothing is opened


def for_browser(jar: http.cookiejar.CookieJar) -> list[dict[str, Any]]:
    """The jar's cookies in the form Playwright's `BrowserContext.add_cookies()` takes."""
    out = []
    for cookie in jar:
        entry: dict[str, Any] = {
            "name": cookie.name,
            "value": cookie.value or "",
            "domain": cookie.domain,
            "path": cookie.path or "/",
            "secure": bool(cookie.secure),
            "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
        }
        if cookie.expires:
            entry["expires"] = float(cookie.expires)
        out.append(entry)
    return out
