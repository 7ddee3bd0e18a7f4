"""Recording what the archiving browser fetched: a small proxy that writes every exchange into the
capture's WARC.

Chromium is started with this proxy (on 127.0.0.1, a free port, for one capture only). Every
request the page makes (the page, its scripts, style sheets, images, the video, API calls, each
redirect) goes through it; the proxy sends it on with the same connection code as evidencekit's own
fetch (connection.py, exchange.py), so the WARC gets, for each one, the bytes the server sent
(status line, headers and body as received, compression kept), the IP address they came from, the
TLS version and the certificate chain, the same time limits, and a size cap per response and per
capture. What the cap, a time limit or the end of the capture left out is listed.

Credentials never reach the WARC: the request records show `Cookie` and `Authorization` values
replaced by a note, and `Set-Cookie` values in responses are replaced too (the browser itself
received them unchanged, so a login keeps working while the page is captured).

Speaking HTTP/1.1 on both sides is deliberate: it is what a WARC records byte for byte. A site that
would use HTTP/2 with a browser answers the proxy in HTTP/1.1; the content is the same, and the
record is the exact bytes of that answer rather than headers rebuilt from HTTP/2 frames.
"""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import socketserver
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from evidencekit.clock import iso_utc
from evidencekit.web.connection import open_connection
from evidencekit.web.errors import WebCaptureError
from evidencekit.web.exchange import MB, Budget, Clock, FetchOptions, Hop, request_target, send_and_read
from evidencekit.web.relay import Reply, Tee, answer, is_local_address, request_heads
from evidencekit.web.sitecerts import SiteCertificates
from evidencekit.web.warcrecords import write_exchange, write_metadata

DEFAULT_CAPTURE_CAP = 250 * MB
MAX_REQUEST_BODY = 10 * MB
STOP_GRACE_SECONDS = 2.0  # for downloads still running when the browser is closed to finish
CUT_GRACE_SECONDS = 1.0  # then for those cut (at their next piece) to be written
MAX_LISTED = 500  # downloads listed as left out; more are only counted
CLIENT_IDLE_SECONDS = 30.0
# The browser's own background services (updates, safe browsing, hints): not the page, and nothing
# to tell Google about the capture, so they are refused and only counted.
BROWSER_SERVICES = (
    "update.googleapis.com",
    "clients1.google.com",
    "clients2.google.com",
    "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "edge.microsoft.com",
)
LOCAL_REFUSED = (
    "not fetched: an address on this computer or its local network, which a page on the internet "
    "has no business loading (the answer could show the victim's own devices)"
)


@dataclass
class Traffic:
    """What the browser fetched through the recorder, for the capture record."""

    cap_bytes: int
    requests: int = 0
    bytes_received: int = 0
    left_out: list[dict[str, str]] = field(default_factory=list)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_ids: dict[str, str] = field(default_factory=dict)
    credentials_removed: int = 0
    browser_services_refused: int = 0
    left_out_not_listed: int = 0
    incomplete: bool = False

    def facts(self) -> dict[str, Any]:
        return {
            "requests_recorded": self.requests,
            "bytes_received": self.bytes_received,
            "cap_bytes": self.cap_bytes,
            "left_out": list(self.left_out),
            "left_out_not_listed": self.left_out_not_listed,
            "hosts": [{"host": key, **value} for key, value in sorted(self.hosts.items())],
            "requests_with_credentials_removed": self.credentials_removed,
            "browser_service_requests_refused": self.browser_services_refused,
            "incomplete": self.incomplete,
        }


class BrowserRecorder:
    """The recording proxy for one capture, appending to the WARC at `warc_path`.

    Use as a context manager; give `proxy_url` to the browser; `stop()` once the browser is closed;
    then `add_resource()` for the screenshot and PDF. Leaving the block writes a last `metadata`
    record (what was recorded, what was left out) and closes the file.
    """

    def __init__(
        self,
        warc_path: Path,
        info_id: str,
        options: FetchOptions,
        *,
        page_url: str,
        clock: Clock,
        max_capture_bytes: int = DEFAULT_CAPTURE_CAP,
        local_addresses: bool = False,
    ) -> None:
        """`local_addresses`: whether the page may load from this computer or its local network
        (only when the page itself is there); otherwise such requests are refused and listed."""
        self.local_addresses = local_addresses
        self.warc_path, self.info_id, self.options = warc_path, info_id, options
        self.page_url, self.clock = page_url, clock
        self.traffic = Traffic(cap_bytes=max_capture_bytes)
        self.budget = Budget(max_capture_bytes)
        self._lock = threading.Lock()
        self._pending: dict[int, str] = {}
        self._serial = 0
        self._closed = False
        self._stopped = False
        self._cutting = False
        self._scratch = warc_path.parent
        self.certificates: SiteCertificates | None = None
        self._out: IO[bytes] | None = None
        self._writer: Any = None
        self._server: _ProxyServer | None = None

    # ---- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> BrowserRecorder:
        from warcio.warcwriter import WARCWriter

        self._scratch = Path(tempfile.mkdtemp(prefix="ek-record-", dir=self.warc_path.parent))
        self.certificates = SiteCertificates(self._scratch)
        self._out = open(self.warc_path, "ab")
        self._writer = WARCWriter(self._out, gzip=True, warc_version="1.1")
        server = _ProxyServer(("127.0.0.1", 0), _Handler)
        server.recorder = self
        self._server = server
        threading.Thread(target=server.serve_forever, name="ek-recorder", daemon=True).start()
        return self

    @property
    def proxy_url(self) -> str:
        assert self._server is not None, "use BrowserRecorder as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        """Stop recording: no new requests; those still running get a moment to finish, then those
        still receiving are cut (what arrived is kept); any left are listed as unfinished."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._wait_for_pending(STOP_GRACE_SECONDS)
        self._cutting = True
        self._wait_for_pending(CUT_GRACE_SECONDS)
        with self._lock:
            self._closed = True
            for url in self._pending.values():
                self._leave_out(url, "unfinished", "still loading when the capture ended")
            self._pending.clear()

    def _wait_for_pending(self, seconds: float) -> None:
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            with self._lock:
                if not self._pending:
                    return
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
            if exc[0] is None:
                self._write_summary()
        finally:
            if self._out is not None:
                self._out.close()
            if self.certificates is not None:  # the scratch folder was made
                shutil.rmtree(self._scratch, ignore_errors=True)

    # ---- records written by the caller -------------------------------------------------------

    def main_response_id(self) -> str | None:
        return self.traffic.response_ids.get(request_target(self.page_url)[4])

    def add_resource(self, path: Path, uri: str, mime: str) -> str:
        """Append `path` as a `resource` record of this capture; returns its record id."""
        with self._lock:
            headers = {"WARC-Date": iso_utc(self.clock()), "WARC-Warcinfo-ID": self.info_id}
            main = self.main_response_id()
            if main:
                headers["WARC-Concurrent-To"] = main
            with open(path, "rb") as payload:
                record = self._writer.create_warc_record(
                    uri,
                    "resource",
                    payload=payload,
                    length=path.stat().st_size,
                    warc_content_type=mime,
                    warc_headers_dict=headers,
                )
                self._writer.write_record(record)
            return str(record.rec_headers.get_header("WARC-Record-ID"))

    def _write_summary(self) -> None:
        facts = {"evidencekit_browser_session": 1, "page": self.page_url, **self.traffic.facts()}
        with self._lock:
            write_metadata(
                self._writer,
                self.page_url,
                iso_utc(self.clock()),
                facts,
                self.info_id,
                self.main_response_id(),
            )

    # ---- one request from the browser --------------------------------------------------------

    def _leave_out(self, url: str, reason: str, message: str) -> None:
        """(lock held) List `url` as not recorded, or not wholly (the first MAX_LISTED; the rest
        are counted)."""
        if len(self.traffic.left_out) < MAX_LISTED:
            self.traffic.left_out.append({"url": url[:2000], "reason": reason, "message": message})
        else:
            self.traffic.left_out_not_listed += 1
        if reason in ("unfinished", "capture-cap", "too-large", "timeout", "failed"):
            self.traffic.incomplete = True

    def forward(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, reply: Reply
    ) -> None:
        """Fetch `url` for the browser, pass the answer on exactly as received, and record both."""
        if (urlsplit(url).hostname or "").lower() in BROWSER_SERVICES:
            with self._lock:
                self.traffic.browser_services_refused += 1
            answer(reply, 403, "the browser's own service is not contacted during a capture")
            return
        with self._lock:
            if self._closed or self._stopped:
                refusal: tuple[str, str] | None = ("unfinished", "asked for after the capture ended")
            elif self.budget.left() <= 0:
                refusal = ("capture-cap", f"not fetched: the capture reached its size cap "
                           f"({self.traffic.cap_bytes / MB:g} MB)")  # fmt: skip
            else:
                refusal = None
            if refusal is not None:
                self._leave_out(url, *refusal)
                answer(reply, 503, refusal[1])
                return
            self._serial += 1
            token = self._serial
            self._pending[token] = url
        tee = Tee(reply, lambda: self._cutting)
        try:
            hop, raw = self._exchange(method, url, headers, body, tee)
        except WebCaptureError as exc:
            with self._lock:
                self._pending.pop(token, None)
                if exc.code == "local-address":
                    self._leave_out(url, "local-address", exc.message)
                elif tee.cut and not self._closed:
                    self._leave_out(url, "unfinished", "still loading when the capture ended")
                elif not self._closed and self.budget.left() <= 0:
                    self._leave_out(url, "capture-cap", "not recorded: the capture reached its size cap")
                elif not self._closed:
                    self._leave_out(url, "failed", exc.message)
            if not tee.passed:
                answer(reply, 502, exc.message)
            return
        except BaseException:
            with self._lock:
                self._pending.pop(token, None)
            raise
        response_path: Path = raw["response_path"]
        if tee.cut:  # what had arrived is kept, marked as cut off
            hop.truncated, hop.incomplete, raw["cut_at_end"] = "time", False, True
        with self._lock:
            self._pending.pop(token, None)
            if self._closed:
                self._leave_out(url, "unfinished", "still loading when the capture ended")
                with contextlib.suppress(OSError):
                    response_path.unlink()
                return
            self._record(hop, raw)

    def _exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, tee: Tee
    ) -> tuple[Hop, dict[str, Any]]:
        scheme, host, port, target, ascii_url = request_target(url)
        sent, recorded, removed = request_heads(method, target, headers, body)
        options = self.options
        started = time.monotonic()
        deadline = started + options.total_timeout
        conn = open_connection(
            host,
            port,
            use_tls=scheme == "https",
            timeout=options.timeout,
            verify_tls=options.verify_tls,
            extra_ca_file=options.extra_ca_file,
        )
        if not self.local_addresses and is_local_address(conn.ip):
            conn.close()
            raise WebCaptureError("local-address", LOCAL_REFUSED)
        try:
            fetched_at = self.clock()
            spool = tempfile.NamedTemporaryFile(dir=self._scratch, delete=False)  # noqa: SIM115
            tee.file = spool
            try:
                hop = send_and_read(
                    conn,
                    sent + body,
                    tee,
                    host,
                    ascii_url,
                    options,
                    deadline,
                    fetched_at,
                    started,
                    method,
                    self.budget,
                )
            finally:
                spool.close()
        finally:
            conn.close()
        raw = {
            "request": recorded,
            "request_body": body,
            "response_path": Path(spool.name),
            "redact_set_cookie": True,
            "credentials_removed": removed,
        }
        return hop, raw

    def _record(self, hop: Hop, raw: dict[str, Any]) -> None:
        """(lock held) Write the exchange into the WARC and count it."""
        write_exchange(self._writer, hop, raw, self.info_id)
        traffic = self.traffic
        traffic.requests += 1
        traffic.bytes_received += hop.bytes_received
        traffic.credentials_removed += bool(raw["credentials_removed"])
        traffic.response_ids.setdefault(hop.url, hop.response_id)
        key = f"{request_target(hop.url)[1]}:{hop.port}"
        if key not in traffic.hosts:
            traffic.hosts[key] = {
                "ip": hop.ip,
                "tls_version": (hop.tls or {}).get("version"),
                "certificate_verified": (hop.tls or {}).get("verified"),
            }
        if raw.get("cut_at_end"):
            self._leave_out(
                hop.url,
                "unfinished",
                f"cut off when the capture ended, after {hop.bytes_received} bytes "
                "(the part received is kept)",
            )
        elif hop.truncated == "length":
            if self.budget.left() <= 0:
                self._leave_out(
                    hop.url,
                    "capture-cap",
                    f"cut off after {hop.bytes_received} bytes: the capture reached its size cap "
                    f"({traffic.cap_bytes / MB:g} MB)",
                )
            else:
                self._leave_out(
                    hop.url,
                    "too-large",
                    f"cut off after {hop.bytes_received} bytes: larger than the size limit for one "
                    f"download ({self.options.max_bytes / MB:g} MB)",
                )
        elif hop.truncated == "time":
            self._leave_out(hop.url, "timeout", "cut off: it did not finish arriving in time")
        elif hop.incomplete:
            self._leave_out(hop.url, "failed", "the server closed the connection part-way")


class _ProxyServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    recorder: BrowserRecorder

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the browser hung up (a cancelled request, the capture ending): nothing to report


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection from the browser: plain HTTP requests, or a CONNECT tunnel for HTTPS."""

    protocol_version = "HTTP/1.1"
    timeout = CLIENT_IDLE_SECONDS
    server: _ProxyServer
    tunnel: tuple[str, int] | None = None
    tunnel_scheme = "https"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_CONNECT(self) -> None:
        host, port = _authority(self.path)
        if host is None:
            self.send_error(400)
            return
        self.send_response_only(200, "Connection established")
        self.end_headers()
        try:
            first = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            first = b""
        if first != b"\x16":  # not a TLS handshake: a plain tunnel (ws://), or the browser left
            self.tunnel, self.tunnel_scheme = (host, port), "http"
            self.close_connection = not first
            return
        try:
            certificates = self.server.recorder.certificates
            assert certificates is not None, "the recorder is running"
            context = certificates.context(host)
            tls = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError, ValueError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunnel, self.tunnel_scheme = (host, port), "https"
        self.close_connection = False

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        if self.tunnel is not None and self.tunnel_scheme == "https":
            with contextlib.suppress(OSError):
                self.connection.close()

    def _forward(self) -> None:
        self.close_connection = True
        recorder = self.server.recorder
        if self.tunnel is not None:
            host, port = self.tunnel
            netloc = f"[{host}]" if ":" in host else host
            scheme = self.tunnel_scheme
            default = 443 if scheme == "https" else 80
            url = f"{scheme}://{netloc}{'' if port == default else f':{port}'}{self.path}"
        else:
            url = self.path
            if urlsplit(url).scheme.lower() != "http":
                self.send_error(400)
                return
        if (self.headers.get("Upgrade") or "").lower() == "websocket":
            with recorder._lock:
                recorder._leave_out(url, "websocket", "a live (WebSocket) connection: not recorded")
            answer(self.wfile, 501, "live connections are not recorded")
            return
        body = self._body()
        if body is None:
            with recorder._lock:
                recorder._leave_out(url, "too-large", "an upload larger than 10 MB: not sent")
            answer(self.wfile, 413, "upload too large")
            return
        recorder.forward(self.command, url, list(self.headers.items()), body, self.wfile)

    def _body(self) -> bytes | None:
        length = (self.headers.get("Content-Length") or "").strip()
        if length.isdigit():
            if int(length) > MAX_REQUEST_BODY:
                return None
            return self.rfile.read(int(length))
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = bytearray()
            while True:
                size = int(self.rfile.readline(100).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline(100)
                    return bytes(parts)
                if len(parts) + size > MAX_REQUEST_BODY:
                    return None
                parts += self.rfile.read(size)
                self.rfile.readline(100)
        return b""

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _forward


def _authority(value: str) -> tuple[str | None, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        return None, 0
    host = host.strip("[]")
    return (host or None), int(port)
