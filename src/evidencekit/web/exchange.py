"""One HTTP/1.1 exchange over a socket evidencekit opened itself: the request sent, and every byte
of the answer copied to a file as it arrives, within the time limits and the size cap.

Python's own http.client reads the status line and headers, but from our reader, which records
the bytes before http.client sees them: what the WARC stores is what the server sent, not a
re-serialised copy. No credentials are ever sent; cookies only from the user's cookies file, and
the request as recorded names how many were sent, never their values.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import io
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

from evidencekit.clock import iso_utc
from evidencekit.web import cookies as cookie_tools
from evidencekit.web.connection import Connection, open_connection
from evidencekit.web.errors import WebCaptureError, seconds

MB = 1000 * 1000
DEFAULT_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 120.0
DEFAULT_MAX_BYTES = 50 * MB
MAX_REDIRECTS = 10
REDIRECTS = (301, 302, 303, 307, 308)
# A common desktop browser's identity: sites answer evidencekit as they answer a person.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
COOKIE_REMOVED = "[removed by evidencekit: {n} cookie(s) from the user's cookies file, never stored]"
SET_COOKIE_REMOVED = b"[value removed by evidencekit: a session cookie]"

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FetchOptions:
    """Limits and choices for one fetch."""

    timeout: float = DEFAULT_TIMEOUT  # connecting, and each wait for data
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT  # the whole fetch, redirects included
    max_bytes: int = DEFAULT_MAX_BYTES  # per response, headers included
    max_redirects: int = MAX_REDIRECTS
    verify_tls: bool = True  # False only when the user explicitly accepts an invalid certificate
    extra_ca_file: Path | None = None  # an extra trusted root (tests; organisations' own CAs)
    user_agent: str = USER_AGENT


@dataclass
class Hop:
    """One request and its response."""

    url: str
    fetched_at: str
    ip: str
    port: int
    addresses: list[str]
    status: int
    reason: str
    headers: list[tuple[str, str]]
    bytes_received: int
    truncated: str | None  # None, "length" or "time" (as in WARC-Truncated)
    incomplete: bool
    tls: dict[str, Any] | None
    chain_pem: str | None
    duration_ms: int
    body: bytes = b""  # the first bytes of the body (for the title), not stored separately
    response_id: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def request_target(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path-and-query as sent, the URL in plain ASCII) for an http(s) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" not in host:
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    port = parts.port or (443 if scheme == "https" else 80)
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY) if parts.query else ""
    target = path + (f"?{query}" if query else "")
    netloc = f"[{host}]" if ":" in host else host
    if (scheme, port) not in (("http", 80), ("https", 443)):
        netloc += f":{port}"
    ascii_url = urlunsplit((scheme, netloc, path, query, ""))
    return scheme, host, port, target, ascii_url


class _TooBig(Exception):
    """The response passed the size cap."""


class _Deadline(Exception):
    """The whole fetch took longer than allowed."""


class Sink(Protocol):
    """Where the bytes received are copied as they arrive (a file; or the recording proxy's file
    and the browser at once)."""

    def write(self, data: bytes | memoryview, /) -> object: ...


class Budget:
    """The bytes a whole capture may still receive, shared by its downloads (any thread)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self._lock = threading.Lock()

    def left(self) -> int:
        with self._lock:
            return max(0, self.total - self.used)

    def spend(self, count: int) -> None:
        with self._lock:
            self.used += count


class _RecordingReader(io.RawIOBase):
    """Reads the socket, copying every byte received into `sink`, within the size cap, the capture's
    budget (when there is one) and the deadline."""

    def __init__(
        self,
        sock: socket.socket,
        sink: Sink,
        limit: int,
        deadline: float,
        timeout: float,
        budget: Budget | None = None,
    ) -> None:
        self.sock, self.sink, self.limit, self.deadline, self.timeout = sock, sink, limit, deadline, timeout
        self.budget = budget
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining_time = self.deadline - time.monotonic()
        if remaining_time <= 0:
            raise _Deadline
        room = self.limit - self.total
        if self.budget is not None:
            room = min(room, self.budget.left())
        if room <= 0:
            raise _TooBig
        self.sock.settimeout(min(self.timeout, remaining_time))
        view = memoryview(buffer)[: min(len(buffer), room)]
        try:
            count = self.sock.recv_into(view)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                raise _Deadline from None
            raise
        if count:
            self.sink.write(view[:count])
            self.total += count
            if self.budget is not None:
                self.budget.spend(count)
        return count


class _SocketLike:
    """What http.client.HTTPResponse needs from a socket: a buffered file over our reader."""

    def __init__(self, reader: _RecordingReader) -> None:
        self._reader = reader

    def makefile(self, *_args: Any, **_kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(self._reader, 64 * 1024)


def _request_bytes(
    method: str, target: str, host_header: str, options: FetchOptions, cookie: str | None
) -> bytes:
    lines = [
        f"{method} {target} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: {options.user_agent}",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Accept-Language: en",
        "Accept-Encoding: gzip, deflate",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")


def exchange(
    url: str,
    jar: http.cookiejar.CookieJar,
    user_cookies: bool,
    options: FetchOptions,
    deadline: float,
    clock: Clock,
    scratch: Path,
) -> tuple[Hop, dict[str, Any]]:
    scheme, host, port, target, ascii_url = request_target(url)
    host_header = urlsplit(ascii_url).netloc
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise WebCaptureError(
            "timeout",
            f"The fetch took longer than {seconds(options.total_timeout)} in all.",
            hint="The site is very slow. Try again later.",
        )
    started = time.monotonic()
    conn = open_connection(
        host,
        port,
        use_tls=scheme == "https",
        timeout=min(options.timeout, remaining),
        verify_tls=options.verify_tls,
        extra_ca_file=options.extra_ca_file,
    )
    try:
        cookie = cookie_tools.cookie_header(jar, ascii_url)
        sent = _request_bytes("GET", target, host_header, options, cookie)
        recorded = sent
        if cookie and user_cookies:
            count = len([c for c in cookie.split(";") if c.strip()])
            recorded = _request_bytes("GET", target, host_header, options, COOKIE_REMOVED.format(n=count))
        fetched_at = clock()
        spool = tempfile.NamedTemporaryFile(dir=scratch, delete=False)  # noqa: SIM115 - closed below
        try:
            hop = send_and_read(conn, sent, spool, host, ascii_url, options, deadline, fetched_at, started)
        finally:
            spool.close()
        with contextlib.suppress(ValueError, TypeError):
            cookie_tools.remember(jar, ascii_url, _HeadersOnly(hop.headers))
        raw = {
            "request": recorded,
            "response_path": Path(spool.name),
            "redact_set_cookie": user_cookies,
            "cookie_names": sorted(
                {c.split("=", 1)[0].strip() for c in (cookie or "").split(";") if c.strip()}
            ),
        }
        return hop, raw
    finally:
        conn.close()


def send_and_read(
    conn: Connection,
    request: bytes,
    spool: Sink,
    host: str,
    url: str,
    options: FetchOptions,
    deadline: float,
    fetched_at: datetime,
    started: float,
    method: str = "GET",
    budget: Budget | None = None,
) -> Hop:
    """Send `request` (bytes as they go on the wire) over `conn` and copy the answer into `spool`
    as it arrives, within the size cap and the deadline. Used for our own fetch and by the
    recording proxy for each request the browser makes."""
    timeout = options.timeout
    try:
        conn.sock.settimeout(timeout)
        conn.sock.sendall(request)
    except TimeoutError:
        raise WebCaptureError(
            "timeout",
            f"{host} did not accept the request within {seconds(timeout)}.",
            hint="Try again later.",
        ) from None
    except OSError as exc:
        raise WebCaptureError(
            "connect-failed",
            f"The connection to {host} broke while sending the request ({exc.strerror or exc}).",
            hint="Try again later.",
        ) from None
    reader = _RecordingReader(conn.sock, spool, options.max_bytes, deadline, timeout, budget)
    response = http.client.HTTPResponse(_SocketLike(reader), method=method)  # type: ignore[arg-type]
    try:
        response.begin()
    except (TimeoutError, _Deadline):
        raise WebCaptureError(
            "timeout",
            f"{host} did not answer within {seconds(timeout)}.",
            hint="The site may be down or very slow. Try again later; the address you recorded is kept.",
        ) from None
    except _TooBig:
        raise WebCaptureError(
            "too-large",
            f"{host} sent more than {options.max_bytes / MB:g} MB of headers without a page.",
            hint="This does not look like a normal web page.",
        ) from None
    except (http.client.HTTPException, ConnectionError, ssl.SSLError, OSError) as exc:
        if reader.total == 0:
            message = f"{host} closed the connection without answering."
        else:
            message = f"{host} did not answer in HTTP, the language of web pages ({type(exc).__name__})."
        raise WebCaptureError("no-answer", message, hint="Check the address; try again later.") from None

    body = bytearray()
    truncated = None
    incomplete = False
    try:
        while True:
            chunk = response.read(64 * 1024)
            if not chunk:
                break
            if len(body) < 4 * MB:
                body += chunk[: 4 * MB - len(body)]
    except _TooBig:
        truncated = "length"
    except (TimeoutError, _Deadline):
        truncated = "time"
    except (http.client.HTTPException, ConnectionError, ssl.SSLError, OSError):
        incomplete = True
    return Hop(
        url=url,
        fetched_at=iso_utc(fetched_at),
        ip=conn.ip,
        port=conn.port,
        addresses=conn.addresses,
        status=response.status,
        reason=response.reason,
        headers=[(k, v) for k, v in response.getheaders()],
        bytes_received=reader.total,
        truncated=truncated,
        incomplete=incomplete,
        tls=conn.tls,
        chain_pem=conn.chain_pem,
        duration_ms=int((time.monotonic() - started) * 1000),
        body=bytes(body),
    )


class _HeadersOnly:
    """Enough of a response for http.cookiejar to read Set-Cookie from."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        import email.message

        self._message = email.message.Message()
        for key, value in headers:
            self._message[key] = value

    def info(self) -> Any:
        return self._message
