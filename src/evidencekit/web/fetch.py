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
import http.cookiejar
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from evidencekit.web import cookies as cookie_tools
from evidencekit.web.errors import WebCaptureError
from evidencekit.web.exchange import MB, REDIRECTS, Clock, FetchOptions, Hop, exchange, request_target
from evidencekit.web.page import decoded_body, html_title
from evidencekit.web.warcrecords import warcinfo_fields, write_exchange, write_metadata

# FetchOptions, MB and request_target are defined with the exchange; callers find them here too.
__all__ = ["MB", "FetchOptions", "FetchResult", "fetch_to_warc", "request_target"]


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
    warcinfo_id: str = ""  # the WARC's warcinfo record: later records of the capture point at it

    @property
    def redirects(self) -> list[dict[str, Any]]:
        return [
            {"url": hop.url, "status": hop.status, "location": hop.header("Location")}
            for hop in self.hops[:-1]
        ]


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
            info = writer.create_warcinfo_record(warc_path.name, warcinfo_fields(options, warcinfo))
            writer.write_record(info)
            info_id = info.rec_headers.get_header("WARC-Record-ID")
            current = url
            for step in range(options.max_redirects + 1):
                try:
                    hop, raw = exchange(current, jar, user_cookies, options, deadline, clock, scratch)
                except WebCaptureError as exc:
                    if not hops:
                        raise
                    errors.append({"code": exc.code, "message": f"Following the redirect: {exc.message}"})
                    break
                if user_cookies:
                    cookies_sent.update(raw["cookie_names"])
                write_exchange(writer, hop, raw, info_id)
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
            result.warcinfo_id = info_id
            _write_summary(writer, result, info_id)
    except BaseException:
        with contextlib.suppress(OSError):
            warc_path.unlink()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


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
    write_metadata(writer, result.final_url, result.fetched_at, summary, info_id, None)


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
