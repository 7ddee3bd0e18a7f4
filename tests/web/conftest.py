"""A real web server on 127.0.0.1 (HTTP, and HTTPS with a self-signed certificate made by openssl),
and a real headless Chromium. No mocks: evidencekit talks to them over real sockets.

The site plays the offender's pages: a page with an image, a redirect, a removed (404) page, a slow
server, a huge response, a redirect to a file: address, a login wall, and a page that shows which
cookies it received. For the browser's own traffic: a page built by JavaScript from an API call,
images loaded only when scrolled to, an endless feed, a video, a members' page behind a login
cookie (whose script calls an API with an Authorization header made from another cookie), a page
that never finishes loading, and a page with an image from a server whose certificate is not valid.
"""

from __future__ import annotations

import gzip
import http.server
import io
import socketserver
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import require_tool

PAGE_TEXT = "Send 500 euros by Friday or the photos go public"
PAGE_BACKGROUND = (255, 233, 233)
BLOCK_COLOUR = (20, 90, 200)
IMAGE_COLOUR = (30, 160, 60)
SLOW_SECONDS = 3.0
BIG_BYTES = 3_000_000
SECRET_COOKIE = "s3cr3t-session-token-value"
SECRET_TOKEN = "b34r3r-t0k3n-of-the-victim"
HANG_SECONDS = 12.0
VIDEO_BYTES = bytes((i * 7919 + (i >> 9)) % 251 for i in range(1_200_000))  # not a playable video
APP_JS = b"""
fetch('/api/posts.json').then(r => r.json()).then(posts => {
  for (const post of posts) {
    const p = document.createElement('p'); p.textContent = post.text; document.body.appendChild(p);
    const img = document.createElement('img'); img.src = post.image; document.body.appendChild(img);
  }
  document.title = 'Built by script';
});
"""
POSTS_JSON = b'[{"text": "Posted by script: pay up", "image": "/img/post.png"}]'
APP_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Loading</title>
<script src="/app.js" defer></script></head><body><h1>Feed</h1></body></html>"""
LAZY_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Lazy</title></head><body>
<h1>Scroll down</h1><div style="height: 2600px"></div>
<img class="lazy" data-src="/lazy/1.png" width="320" height="200">
<div style="height: 1800px"></div>
<img class="lazy" data-src="/lazy/2.png" width="320" height="200">
<script>
const seen = new IntersectionObserver(entries => entries.forEach(entry => {
  if (entry.isIntersecting) { entry.target.src = entry.target.dataset.src; seen.unobserve(entry.target); }
}));
document.querySelectorAll('img.lazy').forEach(img => seen.observe(img));
</script></body></html>"""
ENDLESS_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Endless</title></head><body>
<div id="feed"><div style="height: 1500px">post 0</div></div>
<script>
let n = 0;
addEventListener('scroll', () => {
  if (innerHeight + scrollY < document.body.scrollHeight - 400) return;
  n += 1; fetch('/more.json?n=' + n);
  const post = document.createElement('div'); post.style.height = '1500px'; post.textContent = 'post ' + n;
  document.getElementById('feed').appendChild(post);
});
</script></body></html>"""
VIDEO_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Video</title></head><body>
<h1>The video</h1><video src="/clip.webm" autoplay muted preload="auto" width="320"></video>
</body></html>"""
MEMBERS_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Members</title></head><body>
<h1>Private post</h1><img src="/members/photo.png" width="320" height="200">
<script>const token = document.cookie.match(/token=([^;]+)/)[1];
fetch('/api/private', {headers: {Authorization: 'Bearer ' + token}});</script>
</body></html>"""
NEVER_HTML = b"""<!doctype html><html><head><title>Never done</title></head><body><h1>Half loaded</h1>
<img src="/hang.png" width="10" height="10"></body></html>"""

PAGE_HTML = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Payment demand – test page</title>
<style>body {{ background: rgb{PAGE_BACKGROUND}; margin: 0; font: 24px sans-serif; }}
.block {{ background: rgb{BLOCK_COLOUR}; height: 300px; margin: 20px; }}</style></head>
<body><h1>{PAGE_TEXT}</h1>
<img src="/image.png" width="320" height="200" alt="an image">
<div class="block"></div>
{"<p>More text to make the page taller than the window.</p>" * 40}
</body></html>""".encode()


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Site:
    """The running test site: its base URLs and what it received."""

    http: str
    https: str
    cert: Path
    requests: list[str] = field(default_factory=list)
    cookies_seen: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)

    def url(self, path: str, secure: bool = False) -> str:
        return (self.https if secure else self.http) + path


MEMBER_COLOUR = (200, 40, 160)
POST_COLOUR = (240, 200, 20)
LAZY_COLOURS = {"1": (10, 200, 200), "2": (120, 60, 10)}
GALLERY_SIZE = 30
PICTURES = {
    **{f"/gallery/{n}.png": _png((n * 8, 255 - n * 8, 90)) for n in range(GALLERY_SIZE)},
    "/members/photo.png": _png(MEMBER_COLOUR),
    "/img/post.png": _png(POST_COLOUR),
    **{f"/lazy/{n}.png": _png(colour) for n, colour in LAZY_COLOURS.items()},
}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site
    image = _png(IMAGE_COLOUR)
    pictures = PICTURES

    def log_message(self, *_args) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **extra
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # one branch per test page
        site = self.site
        site.requests.append(self.path)
        path = self.path.split("?")[0]
        if path == "/page":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE_HTML)))
            self._headers_buffer.append(b"X-Odd-Spacing:    kept   exactly\r\n")  # type: ignore[attr-defined]
            self.end_headers()
            self.wfile.write(PAGE_HTML)
        elif path == "/image.png":
            self._send(200, self.image, "image/png")
        elif path in self.pictures and not path.startswith("/members/"):
            self._send(200, self.pictures[path], "image/png")
        elif path == "/gallery":
            images = "".join(f'<img src="/gallery/{n}.png" width="64">' for n in range(GALLERY_SIZE))
            self._send(200, f"<html><head><title>Gallery</title></head><body>{images}</body></html>".encode())
        elif path == "/app":
            self._send(200, APP_HTML)
        elif path == "/app.js":
            self._send(200, APP_JS, "text/javascript")
        elif path == "/api/posts.json":
            self._send(200, POSTS_JSON, "application/json")
        elif path == "/lazy":
            self._send(200, LAZY_HTML)
        elif path == "/endless":
            self._send(200, ENDLESS_HTML)
        elif path == "/more.json":
            self._send(200, b'{"more": true}', "application/json")
        elif path == "/video":
            self._send(200, VIDEO_HTML)
        elif path == "/slow-video":
            self._send(200, VIDEO_HTML.replace(b"/clip.webm", b"/slow-clip.webm"))
        elif path == "/slow-clip.webm":  # 40 KB every half second: still arriving when the capture ends
            self.send_response(200)
            self.send_header("Content-Type", "video/webm")
            self.send_header("Content-Length", str(len(VIDEO_BYTES)))
            self.end_headers()
            for start in range(0, len(VIDEO_BYTES), 40_000):
                self.wfile.write(VIDEO_BYTES[start : start + 40_000])
                self.wfile.flush()
                time.sleep(0.5)
        elif path == "/clip.webm":
            self._send(200, VIDEO_BYTES, "video/webm")
        elif path in ("/members", "/members/photo.png", "/api/private"):
            if f"session={SECRET_COOKIE}" not in (self.headers.get("Cookie") or ""):
                self._redirect("/accounts/login/?next=/members")
            elif path == "/members":
                self._send(200, MEMBERS_HTML, Set_Cookie=f"session={SECRET_COOKIE}; Path=/; HttpOnly")
            elif path == "/api/private":
                site.authorizations.append(self.headers.get("Authorization") or "")
                self._send(200, b'{"private": true}', "application/json")
            else:
                self._send(200, self.pictures[path], "image/png")
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><head><title>Trickling page</title></head><body><h1>Seen first</h1>")
            self.wfile.flush()
            time.sleep(HANG_SECONDS)
        elif path == "/never":
            self._send(200, NEVER_HTML)
        elif path == "/hang.png":
            time.sleep(HANG_SECONDS)
            self._send(200, self.image, "image/png")
        elif path == "/bad-cert-image":
            picture = f'<img src="{site.https}/image.png">'
            self._send(200, f"<html><head><title>Mixed</title></head><body>{picture}</body></html>".encode())
        elif path == "/redirect":
            self._redirect("/page")
        elif path == "/missing":
            self._send(
                404, b"<html><head><title>Not here</title></head><body>This account was removed</body></html>"
            )
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, b"<title>finally</title>")
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<title>trickle</title>")
            self.wfile.flush()
            time.sleep(SLOW_SECONDS)
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG_BYTES))
            self.end_headers()
            block = b"x" * 65536
            sent = 0
            while sent < BIG_BYTES:
                chunk = block[: BIG_BYTES - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/walled":
            self._redirect("/accounts/login/?next=/walled")
        elif path == "/accounts/login/":
            self._send(200, b"<html><head><title>Log in</title></head><body>Log in to see this</body></html>")
        elif path == "/echo-cookies":
            received = self.headers.get("Cookie") or ""
            site.cookies_seen.append(received)
            names = sorted(part.split("=")[0].strip() for part in received.split(";") if part.strip())
            seen = " ".join(names) or "none"
            body = f"<html><head><title>Private</title></head><body>cookies seen: {seen}</body></html>"
            self._send(200, body.encode(), Set_Cookie=f"refreshed={SECRET_COOKIE}-new; Path=/")
        elif path == "/gzip":
            body = gzip.compress(b"<html><head><title>Compressed page</title></head><body>zip</body></html>")
            self._send(200, body, Content_Encoding="gzip")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"<html><head><title>Chunked page</title></head>", b"<body>in pieces</body></html>"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(404, b"unknown test page")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.site.requests.append(f"POST {self.path}")
        self._send(200, f"received {len(body)} bytes".encode(), "text/plain")

    def do_HEAD(self) -> None:
        self.site.requests.append(f"HEAD {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.image)))
        self.end_headers()


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    tls: ssl.SSLContext | None = None

    def finish_request(self, request, client_address) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        wrapped = self.tls.wrap_socket(request, server_side=True)  # handshake in this connection's thread
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()

    def handle_error(self, request, client_address) -> None:
        pass  # the client hung up on purpose (timeouts, size caps, refused certificates)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    openssl = require_tool("openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=evidencekit test site",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The test site, over HTTP and HTTPS, for the whole test session."""
    folder = tmp_path_factory.mktemp("site")
    cert, key = _self_signed(folder)
    plain = _Server(("127.0.0.1", 0), _Handler)
    secure = _Server(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.tls = context
    the_site = Site(
        http=f"http://127.0.0.1:{plain.server_address[1]}",
        https=f"https://127.0.0.1:{secure.server_address[1]}",
        cert=cert,
    )
    _Handler.site = the_site
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (plain, secure)]
    for thread in threads:
        thread.start()
    yield the_site
    for server in (plain, secure):
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _fresh_site_log(request: pytest.FixtureRequest) -> None:
    if "site" in request.fixturenames:
        site = request.getfixturevalue("site")
        site.requests.clear()
        site.cookies_seen.clear()
        site.authorizations.clear()


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Chromium must be installed (.ci/run installs it); skip only if it truly cannot start here."""
    from evidencekit.web import browser

    reason = browser.unavailable_reason()
    if reason:
        pytest.fail(f"cannot test screenshots: {reason}; .ci/run installs Debian chromium")
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as driver:
            driver.chromium.launch(executable_path=browser.find_browser(), args=browser.CHROMIUM_ARGS).close()
    except Error as exc:
        pytest.skip(f"Chromium is installed but cannot start on this machine: {str(exc).splitlines()[0]}")
