"""Benchmark: archiving one local web page (WARC + screenshot + PDF) takes a few seconds.

Serves a page with an image on 127.0.0.1, then, side by side:
  - evidencekit's whole archive of it (fetch into a WARC, Chromium full-page screenshot and PDF,
    banner, stored in a case in one change), several times;
  - the fetch into a WARC alone;
  - a plain `chromium --headless --screenshot` of the same page (the reference: one window-sized
    screenshot, nothing stored, no PDF, no WARC).
Prints the median times and the ratio to the plain Chromium screenshot.

Run:  .venv/bin/python bench/web_archive.py [--runs 5]
The machine may be shared and loaded: compare the ratio, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import http.server
import io
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image

from evidencekit.case.case import create_case
from evidencekit.clock import system_clock
from evidencekit.intake.urls import add_url
from evidencekit.web.archive import archive_url
from evidencekit.web.browser import CHROMIUM_ARGS, find_browser
from evidencekit.web.fetch import FetchOptions, fetch_to_warc

_image = io.BytesIO()
Image.new("RGB", (400, 300), (30, 160, 60)).save(_image, format="PNG")
IMAGE = _image.getvalue()
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Benchmark page</title></head>"
    "<body style='font: 18px sans-serif'><h1>A profile page</h1><img src='/image.png'>"
    + "<p>Some text of the profile, repeated to make a page of ordinary length.</p>" * 60
    + "</body></html>"
).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass

    def do_GET(self) -> None:
        body, kind = (IMAGE, "image/png") if self.path == "/image.png" else (PAGE, "text/html; charset=utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    browser = find_browser()
    if browser is None:
        sys.exit("No Chromium found (Debian: apt-get install chromium).")
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/profile"

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        case = create_case(work / "case")
        add_url(case, url)

        def plain_chromium() -> None:
            profile = tempfile.mkdtemp(dir=work)
            subprocess.run(
                [browser, "--headless", "--no-sandbox", *CHROMIUM_ARGS, f"--user-data-dir={profile}",
                 "--window-size=1280,900", f"--screenshot={work / 'plain.png'}", url],
                capture_output=True, check=True, timeout=120,
            )  # fmt: skip

        def fetch_only() -> None:
            target = work / f"w-{time.perf_counter_ns()}.warc.gz"
            fetch_to_warc(url, target, options=FetchOptions(), clock=system_clock)

        plain_chromium()  # warm the disk cache for both
        archive_url(case, "U0001")
        reference = statistics.median(timed(plain_chromium) for _ in range(runs))
        fetch = statistics.median(timed(fetch_only) for _ in range(runs))
        whole = statistics.median(timed(lambda: archive_url(case, "U0001")) for _ in range(runs))

    print(f"one local page, median of {runs} runs")
    print(f"  chromium --headless --screenshot (reference): {reference:6.2f} s")
    print(f"  evidencekit fetch into WARC only:             {fetch:6.3f} s  ({fetch / reference:.3f}x)")
    print(f"  evidencekit archive (WARC + PNG + PDF, saved): {whole:6.2f} s  ({whole / reference:.2f}x)")
    target = 5.0
    print(f"  target: a few seconds (< {target:g} s): {'met' if whole < target else 'NOT met'}")
    server.shutdown()


if __name__ == "__main__":
    main()
