"""Fetching a web address into a WARC 1.1 file: the HTTP exchange exactly as it happened.

For each step (the address, then every redirect) the WARC holds a `request` record with the bytes
evidencekit sent, a `response` record with the bytes the server sent back (status line, headers and
body as received: nothing re-encoded), and a `metadata` record with the facts around them (IP
address, every address the name resolved to, TLS version and certificate chain, timings). A
`warcinfo` record opens the file and a last `metadata` record sums the capture up. Digests are SHA-1
(the WARC norm, what `warcio check` verifies); the file itself gets SHA-256 in the case manifest.

Network safety: only http and https; a time limit on connecting, on each read and on the whole
fetch; a size cap per response (what was received up to it is kept, marked `WARC-Truncated:
length`); no credentials (no user names, passwords or Authorization headers are ever sent; cookies
only from a cookies file the user gave, never stored); redirects followed by hand, at most 10,
and never to a non-web scheme. The HTTP client is Python's own http.client speaking HTTP/1.1 over a
socket we opened ourselves, so nothing else in the process is patched or recorded.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import io
import json
import shutil
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from evidencekit.clock import iso_utc
from evidencekit.web import cookies as cookie_tools
from evidencekit.web.connection import Connection, open_connection
from evidencekit.web.errors import WebCaptureError, seconds
from evidencekit.web.page import decoded_body, html_title

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


@dataclass
class FetchResult:
    """What a fetch found, for the capture record."""

    requested_url: str
    final_url: str
    status: int | None
    reason: str | None
    title: str | None
    ip: str | None
    fetched_at: str
    tls: dict[str, Any] | None
    chain_pem: str | None
    hops: list[Hop]
    errors: list[dict[str, str]] = field(default_factory=list)
    cookies_sent: list[str] = field(default_factory=list)
    content_type: str | None = None
    truncated: str | None = None

    @property
    def redirects(self) -> list[dict[str, Any]]:
        return [
            {"url": hop.url, "status": hop.status, "location": hop.header("Location")}
            for hop in self.hops[:-1]
        ]


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


def fetch_to_warc(
    url: str,
    warc_path: Path,
    *,
    options: FetchOptions,
    clock: Clock,
    cookie_jar: http.cookiejar.CookieJar | None = None,
    warcinfo: dict[str, str] | None = None,
) -> FetchResult:
    """Fetch `url` (following redirects) into a new gzipped WARC 1.1 file at `warc_path`.

    Raises WebCaptureError only when nothing at all could be fetched (the name does not resolve,
    no connection, no answer, an invalid certificate). Everything else (404, a cut-off body, a
    refused redirect) is recorded in the WARC and listed in `FetchResult.errors`.
    """
    from warcio.warcwriter import WARCWriter

    deadline = time.monotonic() + options.total_timeout
    user_cookies = cookie_jar is not None
    jar = cookie_jar if cookie_jar is not None else cookie_tools.new_jar()
    hops: list[Hop] = []
    errors: list[dict[str, str]] = []
    cookies_sent: set[str] = set()
    scratch = Path(tempfile.mkdtemp(prefix="ek-fetch-", dir=warc_path.parent))
    try:
        with open(warc_path, "xb") as out:
            writer = WARCWriter(out, gzip=True, warc_version="1.1")
            info = writer.create_warcinfo_record(warc_path.name, _warcinfo_fields(options, warcinfo))
            writer.write_record(info)
            info_id = info.rec_headers.get_header("WARC-Record-ID")
            current = url
            for step in range(options.max_redirects + 1):
                try:
                    hop, raw = _exchange(current, jar, user_cookies, options, deadline, clock, scratch)
                except WebCaptureError as exc:
                    if not hops:
                        raise
                    errors.append({"code": exc.code, "message": f"Following the redirect: {exc.message}"})
                    break
                if user_cookies:
                    cookies_sent.update(raw["cookie_names"])
                _write_exchange(writer, hop, raw, info_id)
                hops.append(hop)
                location = hop.header("Location") if hop.status in REDIRECTS else None
                if not location:
                    break
                target = urljoin(current, location.strip())
                scheme = urlsplit(target).scheme.lower()
                if scheme not in ("http", "https"):
                    errors.append(
                        {
                            "code": "redirect-refused",
                            "message": f"The page redirects to a “{scheme}:” address ({target[:100]}), "
                            "which is not a web page; evidencekit did not follow it. The redirect "
                            "itself is recorded.",
                        }
                    )
                    break
                if step == options.max_redirects:
                    errors.append(
                        {
                            "code": "too-many-redirects",
                            "message": f"The page redirected more than {options.max_redirects} times; "
                            "evidencekit stopped following. The redirects are recorded.",
                        }
                    )
                    break
                current = urlunsplit(urlsplit(target)._replace(fragment=""))
            result = _result(url, hops, errors, sorted(cookies_sent))
            _write_summary(writer, result, info_id)
    except BaseException:
        with contextlib.suppress(OSError):
            warc_path.unlink()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def _warcinfo_fields(options: FetchOptions, extra: dict[str, str] | None) -> dict[str, str]:
    from evidencekit._version import __version__

    fields = {
        "software": f"evidencekit {__version__} (Python http.client, warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "http-header-user-agent": options.user_agent,
        "robots": "ignore (one page, archived as evidence at the request of the person it concerns)",
    }
    fields.update(extra or {})
    return fields


# ---- one exchange --------------------------------------------------------------------------------


class _TooBig(Exception):
    """The response passed the size cap."""


class _Deadline(Exception):
    """The whole fetch took longer than allowed."""


class _RecordingReader(io.RawIOBase):
    """Reads the socket, copying every byte received into `sink`, within the size cap and deadline."""

    def __init__(
        self, sock: socket.socket, sink: BinaryIO, limit: int, deadline: float, timeout: float
    ) -> None:
        self.sock, self.sink, self.limit, self.deadline, self.timeout = sock, sink, limit, deadline, timeout
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining_time = self.deadline - time.monotonic()
        if remaining_time <= 0:
            raise _Deadline
        room = self.limit - self.total
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


def _exchange(
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
            hop = _send_and_read(conn, sent, spool, host, ascii_url, options, deadline, fetched_at, started)
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


def _send_and_read(
    conn: Connection,
    request: bytes,
    spool: BinaryIO,
    host: str,
    url: str,
    options: FetchOptions,
    deadline: float,
    fetched_at: datetime,
    started: float,
) -> Hop:
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
    reader = _RecordingReader(conn.sock, spool, options.max_bytes, deadline, timeout)
    response = http.client.HTTPResponse(_SocketLike(reader), method="GET")  # type: ignore[arg-type]
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


# ---- writing the records ---------------------------------------------------------------------------


def _exact_headers_class() -> type:
    from warcio.statusandheaders import StatusAndHeaders

    class ExactHeaders(StatusAndHeaders):  # type: ignore[misc]
        """HTTP headers written to the WARC exactly as they crossed the wire (warcio would otherwise
        re-serialise them from its parsed copy)."""

        def compute_headers_buffer(self, header_filter: Any = None) -> None:
            return None

    return ExactHeaders


def _parse_exact(raw_head: bytes) -> Any:
    from warcio.statusandheaders import StatusAndHeadersParser

    parsed = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1", "GET"], verify=False).parse(io.BytesIO(raw_head))
    exact = _exact_headers_class()(parsed.statusline, parsed.headers, protocol=parsed.protocol)
    exact.headers_buff = raw_head
    return exact


def _split_head(path: Path) -> tuple[bytes, int]:
    """The status line and headers as received, and where the body starts."""
    with open(path, "rb") as handle:
        start = handle.read(1 << 20)
    for marker in (b"\r\n\r\n", b"\n\n"):
        at = start.find(marker)
        if at >= 0:
            end = at + len(marker)
            return start[:end], end
    return start, len(start)


def _redact_set_cookie(head: bytes) -> bytes:
    lines = head.split(b"\n")
    for index, line in enumerate(lines):
        name, sep, _value = line.partition(b":")
        if sep and name.strip().lower() == b"set-cookie":
            ending = b"\r" if line.endswith(b"\r") else b""
            lines[index] = name + b": " + SET_COOKIE_REMOVED + ending
    return b"\n".join(lines)


def _write_exchange(writer: Any, hop: Hop, raw: dict[str, Any], info_id: str) -> None:
    response_path: Path = raw["response_path"]
    head, body_start = _split_head(response_path)
    if raw["redact_set_cookie"]:
        head = _redact_set_cookie(head)
    size = response_path.stat().st_size
    with open(response_path, "rb") as body:
        body.seek(body_start)
        headers = {
            "WARC-Date": hop.fetched_at,
            "WARC-IP-Address": hop.ip,
            "WARC-Warcinfo-ID": info_id,
        }
        if hop.truncated:
            headers["WARC-Truncated"] = hop.truncated
        response = writer.create_warc_record(
            hop.url,
            "response",
            payload=body,
            length=size - body_start,
            warc_headers_dict=headers,
            http_headers=_parse_exact(head),
        )
        request = writer.create_warc_record(
            hop.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            warc_headers_dict={"WARC-Date": hop.fetched_at, "WARC-Warcinfo-ID": info_id},
            http_headers=_parse_exact(raw["request"]),
        )
        writer.write_request_response_pair(request, response)
    hop.response_id = response.rec_headers.get_header("WARC-Record-ID")
    with contextlib.suppress(OSError):
        response_path.unlink()
    facts = {
        "url": hop.url,
        "ip": hop.ip,
        "port": hop.port,
        "resolved_addresses": hop.addresses,
        "status": hop.status,
        "bytes_received": hop.bytes_received,
        "truncated": hop.truncated,
        "incomplete": hop.incomplete,
        "duration_ms": hop.duration_ms,
        "tls": hop.tls,
        "tls_chain_pem": hop.chain_pem,
    }
    _write_metadata(writer, hop.url, hop.fetched_at, facts, info_id, concurrent_to=hop.response_id)


def _write_metadata(
    writer: Any, url: str, date: str, facts: dict[str, Any], info_id: str, concurrent_to: str | None
) -> None:
    data = json.dumps(facts, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"WARC-Date": date, "WARC-Warcinfo-ID": info_id}
    if concurrent_to:
        headers["WARC-Concurrent-To"] = concurrent_to
    record = writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(data),
        length=len(data),
        warc_content_type="application/json",
        warc_headers_dict=headers,
    )
    writer.write_record(record)


def _write_summary(writer: Any, result: FetchResult, info_id: str) -> None:
    summary = {
        "evidencekit_capture_summary": 1,
        "requested_url": result.requested_url,
        "final_url": result.final_url,
        "status": result.status,
        "title": result.title,
        "ip": result.ip,
        "redirects": result.redirects,
        "errors": result.errors,
        "cookies_from_user_file": result.cookies_sent,
    }
    _write_metadata(writer, result.final_url, result.fetched_at, summary, info_id, None)


def _result(url: str, hops: list[Hop], errors: list[dict[str, str]], cookies_sent: list[str]) -> FetchResult:
    final = hops[-1]
    content_type = final.header("Content-Type")
    body = decoded_body(final.body, final.header("Content-Encoding"))
    title = html_title(body, content_type)
    if final.status >= 400:
        errors.append(
            {
                "code": "http-error",
                "message": f"The server answered {final.status} {final.reason}"
                + (": the page may have been removed" if final.status in (404, 410) else "")
                + ". That answer is what was recorded.",
            }
        )
    if final.truncated == "length":
        errors.append(
            {
                "code": "too-large",
                "message": f"The page is larger than the size limit; only its first "
                f"{final.bytes_received / MB:.1f} MB were saved (marked as cut off in the WARC).",
            }
        )
    elif final.truncated == "time":
        errors.append(
            {
                "code": "timeout",
                "message": "The page did not finish arriving in time; the part received was saved "
                "(marked as cut off in the WARC).",
            }
        )
    if final.incomplete:
        errors.append(
            {
                "code": "incomplete",
                "message": "The server closed the connection before the whole page was sent; the part "
                "received was saved.",
            }
        )
    return FetchResult(
        requested_url=hops[0].url,
        final_url=final.url,
        status=final.status,
        reason=final.reason,
        title=title,
        ip=final.ip,
        fetched_at=hops[0].fetched_at,
        tls=final.tls,
        chain_pem=final.chain_pem,
        hops=hops,
        errors=errors,
        cookies_sent=cookies_sent,
        content_type=content_type,
        truncated=final.truncated,
    )
