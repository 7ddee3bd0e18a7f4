"""The SURT key a web archive index sorts and looks addresses up by: `com,example)/path?a=1`.

pywb, py-wacz and ReplayWeb.page look an archived address up by this key, so our WACZ index must
spell it exactly as they do. Written here from the published rules rather than taken from the
`surt` package, which is AGPL-3.0 (evidencekit is MIT) and imports `tldextract` and `requests`,
which nothing here needs. The two steps are the common ones of web archives:

1. Google's canonical form (Safe Browsing): no tabs or line breaks, no fragment, percent escapes
   undone until none is left and then made once (characters up to space, from DEL on, `#` and
   `%`), the host without empty labels or surrounding dots (IDNA for other scripts), an IP address
   given as one number or with octal parts written as four decimal numbers, the path with `.` and
   `..` steps and doubled slashes resolved.
2. The Internet Archive's additions: lower case throughout, `www.` (`www2.`…) dropped from the
   host, the default port dropped, user and password dropped, session ids dropped from the query,
   query arguments in sorted order, an empty query and a trailing slash (except the root) dropped.

Then the host's labels are reversed and joined with commas, the scheme left out.
tests/web/test_wacz.py compares every key with pywb's own on a set of awkward addresses and on
every address of the test captures.
"""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE = b"!\"$&'()*+,-./:;<=>?@[\\]^_`{|}~"  # every printable ASCII character but `#` and `%`
_WWW = re.compile(r"^www\d*\.")
_QUERY_SESSIONS = [
    re.compile(r"^(.*)(?:jsessionid=[0-9a-z]{32})(?:&(.*))?$"),
    re.compile(r"^(.*)(?:phpsessid=[0-9a-z]{32})(?:&(.*))?$"),
    re.compile(r"^(.*)(?:sid=[0-9a-z]{32})(?:&(.*))?$"),
    re.compile(r"^(.*)(?:aspsessionid[a-z]{8}=[a-z]{24})(?:&(.*))?$"),
    re.compile(r"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$"),
]


def surt_key(url: str) -> str:
    """The SURT key of an http(s) address. ValueError for anything else."""
    text = re.sub(r"[\t\r\n]", "", url.strip())
    if not re.match(r"(?i)^https?://", text):
        raise ValueError(f"not a web address: {url!r}")
    parts = urlsplit(text.split("#", 1)[0])
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    if not host:
        raise ValueError(f"no host in {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in {url!r}") from exc
    path = _escape(_normal_path(_unescape(parts.path))).lower()
    query = _escape(_unescape(parts.query)).lower() if "?" in text.split("#", 1)[0] else None
    host = _WWW.sub("", host)
    if query is not None:
        query = _strip_query_session(query)
        query = "&".join(sorted(query.split("&"), key=lambda arg: arg.split("=", 1))) if query else None
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    key = ",".join(reversed(host.split(".")))
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        key += f":{port}"
    return f"{key}){path}" + (f"?{query}" if query else "")


def _host(raw: str) -> str:
    host = _unescape(raw)
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    while ".." in host:
        host = host.replace("..", ".")
    host = host.strip(".").lower()
    return _dotted_ip(host) or _escape(host)


def _dotted_ip(host: str) -> str | None:
    """An IPv4 address written as one number, or as two to four numbers (a leading 0 meaning
    octal), in the a.b.c.d form web archives key it by; None for a host name."""
    labels = host.split(".")
    if len(labels) == 1:
        if not re.fullmatch(r"[0-9]+", host):
            return None
        value = int(host) % 2**32  # as the archives' canonicalizer does
        return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))
    if len(labels) > 4 or not all(re.fullmatch(r"[0-9]+", label) for label in labels):
        return None
    try:
        numbers = [
            int(label, 8) if len(label) > 1 and label.startswith("0") else int(label) for label in labels
        ]
    except ValueError:  # an 8 or 9 in an octal number
        return None
    *first, last = numbers
    if any(n > 255 for n in first) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in first:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + last
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def _unescape(text: str) -> str:
    data = text.encode("utf-8")
    while True:
        undone = unquote_to_bytes(data)
        if undone == data:
            return data.decode("utf-8", errors="surrogateescape")
        data = undone


def _escape(text: str) -> str:
    return quote_from_bytes(text.encode("utf-8", errors="surrogateescape"), safe=_SAFE)


def _normal_path(path: str) -> str:
    """`.` and `..` steps resolved (a lone `..` above the root is kept), then doubled slashes made
    one: the keys pywb makes."""
    if not path:
        return "/"
    steps = path.split("/")[1:] if path.startswith("/") else path.split("/")
    out: list[str] = []
    for number, step in enumerate(steps, 1):
        if step == "..":
            if out:  # even a `..` kept before: two of them above the root cancel, as pywb has it
                out.pop()
            else:
                out.append("..")
        elif step != ".":
            out.append(step)
        if step in (".", "..") and number == len(steps):
            out.append("")
    return re.sub("/{2,}", "/", "/" + "/".join(out))


def _strip_query_session(query: str) -> str:
    for pattern in _QUERY_SESSIONS:
        match = pattern.match(query)
        if match:
            query = match.group(1) + (match.group(2) or "")
    return query
