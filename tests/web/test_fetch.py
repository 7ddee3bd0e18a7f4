"""Fetching into a WARC: the exchange exactly as it happened, within limits, with clear errors."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidencekit.clock import fixed_clock
from evidencekit.web.errors import WebCaptureError
from evidencekit.web.fetch import FetchOptions, fetch_to_warc
from tests.web.conftest import BIG_BYTES, PAGE_HTML

CLOCK = fixed_clock(datetime(2026, 3, 14, 21, 7, 41, tzinfo=timezone.utc))
WARCIO = Path(sys.executable).parent / "warcio"


def fetch(url: str, tmp_path: Path, **options) -> tuple[object, Path]:
    warc = tmp_path / "capture.warc.gz"
    result = fetch_to_warc(url, warc, options=FetchOptions(**options), clock=CLOCK)
    return result, warc


def records(warc: Path) -> list[tuple[str, str | None, object]]:
    with open(warc, "rb") as stream:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers)
            for r in ArchiveIterator(stream)
        ]


def warcio_check(warc: Path) -> subprocess.CompletedProcess[str]:
    """The web archivists' own checker, run as a command, as an examiner would."""
    return subprocess.run([str(WARCIO), "check", "-v", str(warc)], capture_output=True, text=True, timeout=60)


def raw_text(warc: Path) -> bytes:
    return gzip.decompress(warc.read_bytes())


def test_a_redirect_is_recorded_step_by_step_in_a_valid_warc(site, tmp_path):
    result, warc = fetch(site.url("/redirect"), tmp_path)

    assert result.final_url == site.url("/page")
    assert result.status == 200 and result.title == "Payment demand – test page"
    assert result.ip == "127.0.0.1"
    assert result.redirects == [{"url": site.url("/redirect"), "status": 302, "location": "/page"}]
    kinds = [(kind, uri) for kind, uri, _ in records(warc)]
    assert kinds[0][0] == "warcinfo"
    assert kinds[1:7] == [
        ("response", site.url("/redirect")),
        ("request", site.url("/redirect")),
        ("metadata", site.url("/redirect")),
        ("response", site.url("/page")),
        ("request", site.url("/page")),
        ("metadata", site.url("/page")),
    ]
    response_headers = records(warc)[4][2]
    assert response_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response_headers.get_header("WARC-Date") == result.hops[1].fetched_at
    assert raw_text(warc).startswith(b"WARC/1.1\r\n")
    check = warcio_check(warc)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def test_bytes_are_stored_exactly_as_they_crossed_the_wire(site, tmp_path):
    _result, warc = fetch(site.url("/page"), tmp_path)
    raw = raw_text(warc)
    assert b"X-Odd-Spacing:    kept   exactly\r\n" in raw, "headers must not be re-serialised"
    assert PAGE_HTML in raw
    assert b"GET /page HTTP/1.1\r\nHost: 127.0.0.1:" in raw
    assert b"Authorization" not in raw


def test_a_404_is_evidence_of_what_the_server_answered(site, tmp_path):
    result, warc = fetch(site.url("/missing"), tmp_path)
    assert result.status == 404 and result.title == "Not here"
    assert [e["code"] for e in result.errors] == ["http-error"]
    assert "404 Not Found: the page may have been removed" in result.errors[0]["message"]
    assert b"This account was removed" in raw_text(warc)
    assert warcio_check(warc).returncode == 0


def test_a_server_that_does_not_answer_in_time_is_a_clear_error_and_leaves_nothing(site, tmp_path):
    with pytest.raises(WebCaptureError) as error:
        fetch(site.url("/slow"), tmp_path, timeout=0.5)
    assert error.value.code == "timeout"
    assert "did not answer within 0.5 seconds" in error.value.message
    assert error.value.hint
    assert not any(tmp_path.iterdir()), "no half-written WARC may be left"


def test_a_page_that_stops_arriving_is_kept_as_far_as_it_came_and_marked(site, tmp_path):
    result, warc = fetch(site.url("/slow-body"), tmp_path, timeout=0.5)
    assert result.truncated == "time"
    assert [e["code"] for e in result.errors] == ["timeout"]
    response = next(h for kind, _, h in records(warc) if kind == "response")
    assert response.get_header("WARC-Truncated") == "time"
    assert b"<title>trickle</title>" in raw_text(warc)
    assert warcio_check(warc).returncode == 0


def test_the_whole_fetch_has_a_time_limit_too(site, tmp_path):
    result, _warc = fetch(site.url("/slow-body"), tmp_path, timeout=10, total_timeout=1)
    assert result.truncated == "time"


def test_an_oversized_response_is_cut_at_the_cap_and_marked(site, tmp_path):
    cap = 1_000_000
    result, warc = fetch(site.url("/big"), tmp_path, max_bytes=cap)
    assert result.truncated == "length"
    assert result.hops[0].bytes_received == cap < BIG_BYTES
    assert [e["code"] for e in result.errors] == ["too-large"]
    assert "larger than the size limit" in result.errors[0]["message"]
    response = next(h for kind, _, h in records(warc) if kind == "response")
    assert response.get_header("WARC-Truncated") == "length"
    assert warcio_check(warc).returncode == 0


def test_a_redirect_to_a_file_address_is_refused_but_recorded(site, tmp_path):
    result, warc = fetch(site.url("/to-file"), tmp_path)
    assert [e["code"] for e in result.errors] == ["redirect-refused"]
    assert "“file:” address" in result.errors[0]["message"]
    assert result.status == 302 and result.final_url == site.url("/to-file")
    assert [k for k, _, _ in records(warc)].count("request") == 1
    assert site.requests == ["/to-file"]


def test_endless_redirects_stop(site, tmp_path):
    result, _warc = fetch(site.url("/loop"), tmp_path, max_redirects=3)
    assert [e["code"] for e in result.errors] == ["too-many-redirects"]
    assert len(result.hops) == 4
    assert site.requests.count("/loop") == 4


def test_a_name_that_does_not_exist_is_a_clear_dns_error(tmp_path):
    with pytest.raises(WebCaptureError) as error:
        fetch("http://no-such-site.invalid/page", tmp_path, timeout=10)
    assert error.value.code == "dns-failed"
    assert "“no-such-site.invalid” could not be found" in error.value.message
    assert "typos" in error.value.hint


def test_a_refused_connection_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it once closed
    with pytest.raises(WebCaptureError) as error:
        fetch(f"http://127.0.0.1:{port}/", tmp_path, timeout=2)
    assert error.value.code == "connect-failed"
    assert "could not connect to 127.0.0.1" in error.value.message


def test_a_self_signed_certificate_is_refused_by_default(site, tmp_path):
    with pytest.raises(WebCaptureError) as error:
        fetch(site.url("/page", secure=True), tmp_path)
    assert error.value.code == "tls-invalid"
    assert "security certificate of 127.0.0.1 is not valid" in error.value.message
    assert "self-signed" in error.value.message
    assert "--accept-invalid-certificate" in error.value.hint


def test_a_trusted_certificate_chain_is_recorded(site, tmp_path):
    result, warc = fetch(site.url("/page", secure=True), tmp_path, extra_ca_file=site.cert)
    tls = result.tls
    assert tls["verified"] is True and tls["verify_error"] is None
    assert tls["version"].startswith("TLS")
    [leaf] = tls["chain"]
    assert leaf["subject"] == "CN=evidencekit test site"
    assert "127.0.0.1" in leaf["subject_alt_names"]
    assert result.chain_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert b"tls_chain_pem" in raw_text(warc)
    assert warcio_check(warc).returncode == 0


def test_an_invalid_certificate_can_be_accepted_on_request_and_says_so(site, tmp_path):
    result, _warc = fetch(site.url("/page", secure=True), tmp_path, verify_tls=False)
    assert result.status == 200
    assert result.tls["verified"] is False
    assert "self-signed" in result.tls["verify_error"]
    assert result.tls["chain"][0]["subject"] == "CN=evidencekit test site"


@pytest.mark.parametrize(("path", "title"), [("/gzip", "Compressed page"), ("/chunked", "Chunked page")])
def test_compressed_and_chunked_pages_are_stored_raw_and_still_read(site, tmp_path, path, title):
    result, warc = fetch(site.url(path), tmp_path)
    assert result.title == title
    check = warcio_check(warc)
    assert check.returncode == 0, check.stdout


def test_only_web_addresses_are_fetched_on_redirect_even_when_relative(site, tmp_path):
    result, _warc = fetch(site.url("/walled"), tmp_path)
    assert result.final_url == site.url("/accounts/login/?next=/walled")
