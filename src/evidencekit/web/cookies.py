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
    if not text.startswith(("# Netscape HTTP Cookie File", "# HTTP Cookie File")):
        text = _MAGIC + text
    jar = _MemoryJar()
    try:
        jar.load_text(text)
    except (http.cookiejar.LoadError, ValueError, IndexError) as exc:
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


def cookie_header(jar: http.cookiejar.CookieJar, url: str) -> str | None:
    """The Cookie header a browser would send to `url` from this jar."""
    request = urllib.request.Request(url)  # noqa: S310 - only builds headers; nothing is opened
    jar.add_cookie_header(request)
    return request.get_header("Cookie")


def remember(jar: http.cookiejar.CookieJar, url: str, response: Any) -> None:
    """Keep cookies a response sets (in memory), as a browser would across redirects."""
    jar.extract_cookies(response, urllib.request.Request(url))  # noqa: S310 - nothing is opened


def names_for(jar: http.cookiejar.CookieJar, url: str) -> list[str]:
    """Names (never values) of the cookies that would be sent to `url`."""
    header = cookie_header(jar, url) or ""
    return sorted({part.split("=", 1)[0].strip() for part in header.split(";") if part.strip()})


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
