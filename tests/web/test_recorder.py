"""The recording proxy on its own, driven by a plain HTTP client as a browser would drive it: what it
passes on, what it records, and what it never records."""

from __future__ import annotations

import gzip
import http.client
import json
import ssl
from datetime import datetime, timezone
from pathlib import Path

from evidencekit.clock import fixed_clock
from evidencekit.web.fetch import FetchOptions
from evidencekit.web.recorder import BrowserRecorder
from tests.web.conftest import PAGE_HTML
from tests.web.test_browser_traffic import read_records
from tests.web.test_fetch import warcio_check

CLOCK = fixed_clock(datetime(2026, 3, 14, 21, 7, 41, tzinfo=timezone.utc))
INFO = "<urn:uuid:00000000-0000-4000-8000-000000000000>"


def recorder(tmp_path: Path, site, **options) -> BrowserRecorder:
    """A recorder for a page on the test site, which is on this computer (so local addresses are
    allowed unless the test says otherwise)."""
    fetch = FetchOptions(extra_ca_file=site.cert, **options.pop("fetch", {}))
    options.setdefault("local_addresses", True)
    return BrowserRecorder(
        tmp_path / "capture.warc.gz", INFO, fetch, page_url=site.url("/page"), clock=CLOCK, **options
    )


def through(proxy_url: str, method: str, url: str, body: bytes | None = None, **headers: str):
    """One request sent to the proxy the way Chromium sends plain-http ones (absolute form)."""
    host, port = proxy_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, url, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        try:
            data = response.read()
        except http.client.IncompleteRead as cut:  # the proxy passes a cut-off answer on as it is
            data = cut.partial
        return response.status, dict(response.getheaders()), data
    finally:
        conn.close()


def test_a_post_with_credentials_is_passed_on_whole_and_recorded_without_them(site, tmp_path):
    with recorder(tmp_path, site) as proxy:
        status, _headers, body = through(
            proxy.proxy_url,
            "POST",
            site.url("/submit"),
            body=b'{"comment": "you will pay"}',
            Authorization="Bearer victim-token-123",
            Cookie="sid=victim-cookie-456; theme=dark",
            Content_Type="application/json",
        )
        proxy.stop()
    assert (status, body) == (200, b"received 27 bytes"), "the site got the whole body"
    assert "POST /submit" in site.requests

    warc = tmp_path / "capture.warc.gz"
    plain = gzip.decompress(warc.read_bytes())
    assert b"victim-token-123" not in plain and b"victim-cookie-456" not in plain
    [request] = [r for r in read_records(warc) if r["type"] == "request"]
    assert request["content"] == b'{"comment": "you will pay"}', "the request body is recorded"
    assert request["http"]["Authorization"] == "[removed by evidencekit: credentials, never stored]"
    assert request["http"]["Cookie"] == "[removed by evidencekit: 2 cookie(s), never stored]"
    assert warcio_check(warc).returncode == 0
    assert proxy.traffic.requests == 1 and proxy.traffic.credentials_removed == 1


def test_the_browser_gets_the_servers_bytes_exactly_and_the_warc_holds_the_same(site, tmp_path):
    with recorder(tmp_path, site) as proxy:
        status, headers, body = through(proxy.proxy_url, "GET", site.url("/page"))
        head_status, _h, head_body = through(proxy.proxy_url, "HEAD", site.url("/image.png"))
        proxy.stop()
    assert status == 200 and body == PAGE_HTML
    assert headers["X-Odd-Spacing"] == "kept   exactly"
    assert (head_status, head_body) == (200, b"") and "HEAD /image.png" in site.requests
    records = read_records(tmp_path / "capture.warc.gz")
    [page] = [r for r in records if r["type"] == "response" and r["uri"] == site.url("/page")]
    assert page["content"] == PAGE_HTML and page["headers"]["WARC-IP-Address"] == "127.0.0.1"
    raw = gzip.decompress((tmp_path / "capture.warc.gz").read_bytes())
    assert b"X-Odd-Spacing:    kept   exactly\r\n" in raw, "headers are stored as the server sent them"


def test_https_goes_through_a_tunnel_and_the_sites_certificate_is_checked_by_the_proxy(site, tmp_path):
    with recorder(tmp_path, site) as proxy:
        host, port = proxy.proxy_url.removeprefix("http://").split(":")
        target = site.https.removeprefix("https://")
        # The client accepts the proxy's own certificate, as the browser is told to.
        unverified = ssl._create_unverified_context()  # noqa: S323
        conn = http.client.HTTPSConnection(host, int(port), timeout=30, context=unverified)
        conn.set_tunnel(target)
        conn.request("GET", "/image.png")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == site_image()
        conn.close()
        proxy.stop()
    records = read_records(tmp_path / "capture.warc.gz")
    [described] = [
        json.loads(r["content"])
        for r in records
        if r["type"] == "metadata" and b"tls_chain_pem" in r["content"]
    ]
    assert described["tls"]["verified"] is True, "verified against the test site's own root"
    assert "BEGIN CERTIFICATE" in described["tls_chain_pem"]
    assert proxy.traffic.hosts[target]["certificate_verified"] is True


def test_a_plain_tunnel_is_recorded_and_a_live_connection_is_listed_not_recorded(site, tmp_path):
    with recorder(tmp_path, site) as proxy:
        host, port = proxy.proxy_url.removeprefix("http://").split(":")
        target = site.http.removeprefix("http://")
        answers = []
        for headers in ({}, {"Upgrade": "websocket", "Connection": "Upgrade"}):
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.set_tunnel(target)
            conn.request("GET", "/page", headers=headers)
            response = conn.getresponse()
            answers.append((response.status, response.read()))
            conn.close()
        proxy.stop()
    assert answers[0] == (200, PAGE_HTML) and answers[1][0] == 501
    assert site.requests == ["/page"], "the live connection was not opened"
    assert [(e["url"], e["reason"]) for e in proxy.traffic.left_out] == [(site.url("/page"), "websocket")]
    [page] = [r for r in read_records(tmp_path / "capture.warc.gz") if r["type"] == "response"]
    assert page["uri"] == site.url("/page") and page["content"] == PAGE_HTML


def test_after_the_cap_nothing_more_is_fetched_and_each_refusal_is_listed(site, tmp_path):
    with recorder(tmp_path, site, max_capture_bytes=1_500) as proxy:
        first = through(proxy.proxy_url, "GET", site.url("/page"))
        second = through(proxy.proxy_url, "GET", site.url("/image.png"))
        proxy.stop()
    assert first[0] == 200 and len(first[2]) < len(PAGE_HTML), "cut at the cap"
    assert second[0] == 503 and b"size cap" in second[2]
    assert site.requests == ["/page"], "nothing was fetched past the cap"
    reasons = [(e["url"], e["reason"]) for e in proxy.traffic.left_out]
    assert reasons == [(site.url("/page"), "capture-cap"), (site.url("/image.png"), "capture-cap")]
    assert proxy.traffic.incomplete is True


def test_requests_after_the_capture_ended_are_refused_and_listed(site, tmp_path):
    with recorder(tmp_path, site) as proxy:
        url = proxy.proxy_url
        proxy.stop()
        proxy.forward("GET", site.url("/page"), [], b"", _Sink())
    assert site.requests == [] and proxy.traffic.left_out[0]["reason"] == "unfinished"
    del url


class _Sink:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> int:
        self.data += data
        return len(data)

    def flush(self) -> None:
        pass


def site_image() -> bytes:
    from tests.web.conftest import _Handler

    return _Handler.image


def test_a_page_on_the_internet_cannot_make_the_browser_load_this_computers_own_services(site, tmp_path):
    # A page served from the internet (local_addresses=False, as for any public page) asks for
    # something on 127.0.0.1: it is refused before any request is sent, and listed.
    with recorder(tmp_path, site, local_addresses=False) as proxy:
        status, _headers, body = through(proxy.proxy_url, "GET", site.url("/echo-cookies"))
        proxy.stop()
    assert status == 502 and b"local network" in body
    assert site.requests == [], "nothing was asked of the local service"
    [refused] = proxy.traffic.left_out
    assert refused["reason"] == "local-address" and proxy.traffic.incomplete is False
    assert [r for r in read_records(tmp_path / "capture.warc.gz") if r["type"] == "response"] == []
