"""Packing a web capture as WACZ, and checking one, against py-wacz on the same WARC.

The WARC is made here: one 200 MB video (random bytes, as media do not compress) and 2,000
pictures of 20 KB, about what a long feed with a clip gives. evidencekit's `write_wacz` against
`wacz create` (py-wacz, which also indexes the WARC), and verify's WACZ check (every member
hashed, CRCs, datapackage) against `wacz validate -f` (which unpacks the zip to check it).
Each pair is timed in alternation, `--repeat` times; the medians are printed.

    .venv/bin/python bench/wacz.py --repeat 3
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from evidencekit.web import wacz
from evidencekit.web.waczcheck import check_wacz

BIN = Path(sys.executable).parent


def make_warc(path: Path) -> None:
    media = os.urandom(1 << 20) * 200
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)

        def response(url: str, body: bytes, kind: str) -> None:
            headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            )

        response("https://example.com/feed", b"<html><body>feed</body></html>", "text/html")
        response("https://video.example.com/clip.mp4", media, "video/mp4")
        for n in range(2000):
            response(f"https://cdn.example.com/img/{n}.png?w=320", os.urandom(20_000), "image/png")


def ours_pack(warc: Path, out: Path) -> float:
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    with open(warc, "rb") as stream:
        wacz.write_wacz(
            out,
            stream,
            warc.name,
            title="bench",
            description="bench",
            created=datetime.now(timezone.utc),
            software="evidencekit bench",
            page_urls=[("https://example.com/feed", "feed")],
        )
    return time.perf_counter() - start


def theirs_pack(warc: Path, out: Path) -> float:
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "wacz"), "create", "-o", str(out), "--url", "https://example.com/feed", str(warc)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def ours_check(path: Path) -> float:
    start = time.perf_counter()
    with open(path, "rb") as stream:
        found = check_wacz(stream, path.name)
    assert not found.problems, found.problems
    return time.perf_counter() - start


def theirs_check(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "wacz"), "validate", "-f", str(path)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ek-bench-wacz-") as scratch:
        folder = Path(scratch)
        warc = folder / "capture.warc.gz"
        make_warc(warc)
        ours, theirs = folder / "ours.wacz", folder / "theirs.wacz"
        times: dict[str, list[float]] = {k: [] for k in ("pack", "create", "check", "validate")}
        for _ in range(args.repeat):
            times["create"].append(theirs_pack(warc, theirs))
            times["pack"].append(ours_pack(warc, ours))
            times["validate"].append(theirs_check(ours))
            times["check"].append(ours_check(ours))
        median = {k: statistics.median(v) for k, v in times.items()}
        print(f"WARC: {warc.stat().st_size / 1e6:.0f} MB, 2,002 responses; {args.repeat} runs each, medians")
        print(
            f"pack:  evidencekit {median['pack']:.2f} s   wacz create {median['create']:.2f} s   "
            f"{median['pack'] / median['create']:.2f}x"
        )
        print(
            f"check: evidencekit {median['check']:.2f} s   wacz validate {median['validate']:.2f} s   "
            f"{median['check'] / median['validate']:.2f}x"
        )


if __name__ == "__main__":
    main()
