"""What passes between the browser and a site through the recording proxy: the request as sent on
(the browser's headers without the hop-by-hop ones) and as recorded (without credentials), the
answer copied to the WARC's spool and to the browser at once, and the proxy's own short answers.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
from collections.abc import Callable
from typing import IO, Any, Protocol

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
COOKIE_REMOVED = "[removed by evidencekit: {n} cookie(s), never stored]"
AUTHORIZATION_REMOVED = "[removed by evidencekit: credentials, never stored]"


class Reply(Protocol):
    """Where the browser's answer is written (the connection's buffered writer)."""

    def write(self, data: bytes | memoryview, /) -> Any: ...

    def flush(self) -> Any: ...


def is_local_address(ip: str) -> bool:
    """Loopback, private, link-local or otherwise not an internet address."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    return not address.is_global


def request_heads(
    method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[bytes, bytes, bool]:
    """(the request head sent, the head as recorded, whether credentials were removed from it).

    The browser's own headers are kept in its order, without the hop-by-hop ones (they were for
    the proxy); `Connection: close` is added, one exchange per connection.
    """
    sent = [f"{method} {target} HTTP/1.1"]
    recorded = list(sent)
    removed = False
    has_length = False
    for name, value in headers:
        lowered = name.lower()
        if lowered in _HOP_BY_HOP:
            continue
        has_length = has_length or lowered == "content-length"
        sent.append(f"{name}: {value}")
        if lowered == "cookie":
            count = len([part for part in value.split(";") if part.strip()])
            recorded.append(f"{name}: {COOKIE_REMOVED.format(n=count)}")
            removed = True
        elif lowered == "authorization":
            recorded.append(f"{name}: {AUTHORIZATION_REMOVED}")
            removed = True
        else:
            recorded.append(f"{name}: {value}")
    if body and not has_length:
        for lines in (sent, recorded):
            lines.append(f"Content-Length: {len(body)}")
    for lines in (sent, recorded):
        lines.append("Connection: close")

    def encoded(lines: list[str]) -> bytes:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")

    return encoded(sent), encoded(recorded), removed


class CaptureEnded(OSError):
    """Raised into a download still running when the capture ends (read as a broken connection)."""


class Tee:
    """Each piece of the answer, as it arrives: into the spool file (for the WARC) and on to the
    browser, so a slow page renders as it comes. A browser that stops reading (a video's first
    bytes were enough for it) does not stop the recording; the end of the capture does, keeping
    what had arrived (a long video still downloading)."""

    def __init__(self, reply: Reply, ended: Callable[[], bool]) -> None:
        self.reply: Reply | None = reply
        self.ended = ended
        self.file: IO[bytes] | None = None
        self.passed = 0
        self.cut = False

    def write(self, data: bytes | memoryview, /) -> int:
        assert self.file is not None
        self.file.write(data)
        if self.ended():
            self.cut = True
            raise CaptureEnded("the capture ended")
        if self.reply is not None:
            try:
                self.reply.write(data)
                self.reply.flush()
                self.passed += len(data)
            except OSError:
                self.reply = None
        return len(data)


def answer(reply: Reply, status: int, message: str) -> None:
    """The proxy's own short answer to the browser (never recorded as the site's)."""
    body = f"evidencekit: {message}\n".encode()
    head = (
        f"HTTP/1.1 {status} {http.server.BaseHTTPRequestHandler.responses.get(status, ('',))[0]}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    with contextlib.suppress(OSError):
        reply.write(head + body)
        reply.flush()
