"""Reading a little of an archived page: its title, and whether it is a login page.

Only used for the record (the WARC keeps the bytes exactly as received). Compressed bodies are
decompressed up to a small limit, so a "zip bomb" cannot fill memory.
"""

from __future__ import annotations

import re
import zlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

MAX_DECODED = 2 << 20
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
_LOGIN_PATH = re.compile(
    r"(^|/)(login|log-in|signin|sign-in|sign_in|accounts/login|auth|checkpoint|login\.php)(/|$|\?|\.)",
    re.IGNORECASE,
)
_LOGIN_TITLE = re.compile(r"\b(log ?in|sign ?in|sign up)\b", re.IGNORECASE)


def decoded_body(body: bytes, content_encoding: str | None) -> bytes:
    """The body without gzip/deflate transfer compression (at most MAX_DECODED bytes)."""
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 32 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
        try:
            return zlib.decompressobj(wbits).decompress(body, MAX_DECODED)
        except zlib.error:
            if encoding == "deflate":  # some servers send raw deflate
                try:
                    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, MAX_DECODED)
                except zlib.error:
                    return b""
            return b""
    if encoding in ("", "identity"):
        return body[:MAX_DECODED]
    return b""  # br, zstd…: the browser's title is used instead


class _TitleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.parts: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.done:
            self.inside = True
        elif tag in ("body", "svg"):
            self.done = self.done or bool(self.parts)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.inside:
            self.inside = False
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.inside and not self.done:
            self.parts.append(data)


def html_title(body: bytes, content_type: str | None) -> str | None:
    """The text of the page's first <title>, whitespace tidied, or None."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and mime not in ("text/html", "application/xhtml+xml"):
        return None
    charset = _charset(content_type, body)
    try:
        text = body.decode(charset, errors="replace")
    except (LookupError, UnicodeError, ValueError):
        # The server names the charset, so it may be anything: unknown ("x"), not a text encoding
        # ("zlib"), or one that refuses to decode at all ("undefined", "idna" with "replace").
        text = body.decode("utf-8", errors="replace")
    parser = _TitleParser()
    try:
        parser.feed(text[:MAX_DECODED])
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is forgiving
        pass
    title = " ".join("".join(parser.parts).split())
    return title[:500] or None


def _charset(content_type: str | None, body: bytes) -> str:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    found = _CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else "utf-8"


def looks_like_login(url: str, status: int | None, title: str | None, *, walled_platform: bool) -> bool:
    """A heuristic: the site answered with a login page (or refused) instead of the content.

    The title is only considered for platforms known to hide content behind a login, so an
    ordinary page titled "How to sign in" is not mistaken for a login wall.
    """
    if status in (401, 407):
        return True
    path = urlsplit(url).path
    if _LOGIN_PATH.search(path):
        return True
    return bool(walled_platform and title and _LOGIN_TITLE.search(title) and len(title) < 80)
