"""An examiner replays a capture's WACZ offline: a real pywb on 127.0.0.1, a real Chromium.

The story: the victim archived the offender's page (`add-url --archive`); weeks later the page is
gone. The examiner loads the case's WACZ into pywb exactly as docs/how-to/archive-web-pages.md
says (`wb-manager init`, `wb-manager add --unpack-wacz`, `wayback`), opens the page in Chromium
with every request to anything but the replay server refused, and compares what renders with the
screenshot evidencekit took of the live page: a page with an image, one built by JavaScript from an
API call, images loaded only when scrolled to, a members' page captured logged in (no login in
the WACZ), and a page playing a video.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest
from PIL import Image

from evidencekit.intake.urls import add_url
from evidencekit.web import browser, wacz_pack
from evidencekit.web.archive import ArchiveOptions, archive_url
from tests.web.conftest import IMAGE_COLOUR, MEMBER_COLOUR, PAGE_TEXT, SECRET_COOKIE, SECRET_TOKEN

BIN = Path(sys.executable).parent
SCROLL_ONE_WINDOW = (
    "() => { scrollBy(0, innerHeight); return innerHeight + scrollY >= document.body.scrollHeight }"
)
# The replayed page and the live one are drawn by the same Chromium, fonts and window size; what
# may differ is anti-aliasing where pywb's script shifts a text run by a sub-pixel. Measured here:
# identical pixels on all five pages. The bound leaves room for that, and fails for anything a
# person would notice (a missing image is 64,000 pixels of the wrong colour, 5 % of the window; a
# missing line of text about 0.5 %).
MAX_CHANGED_SHARE = 0.002
MAX_MEAN_DIFFERENCE = 1.0  # of 255, over every channel of every pixel


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def pywb_serving(wacz: Path, folder: Path):
    """pywb set up as the how-to page says, serving on 127.0.0.1; yields its base address."""
    folder.mkdir()
    for command in (
        ["wb-manager", "init", "case"],
        ["wb-manager", "add", "--unpack-wacz", "case", str(wacz)],
    ):
        subprocess.run(
            [str(BIN / command[0]), *command[1:]], cwd=folder, check=True, capture_output=True, timeout=120
        )
    # Frameless: the page fills the window as it did live, instead of sitting below pywb's banner.
    (folder / "config.yaml").write_text("framed_replay: false\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("pywb (wayback) did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def replay_screenshot(
    base: str, url: str, timestamp: str, out: Path
) -> tuple[Path, dict[str, object], list[str]]:
    """Open `url` in pywb's frameless replay; every request elsewhere is refused and listed."""
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    answers: list[tuple[str, int]] = []  # every answer the page got, all from pywb

    def only_replay(route, request) -> None:
        if request.url.startswith(base + "/"):
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=browser.find_browser(), args=browser.CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": browser.VIEWPORT[0], "height": browser.VIEWPORT[1]})
            page.route("**/*", only_replay)
            page.on("response", lambda response: answers.append((response.url, response.status)))
            page.goto(f"{base}/case/{timestamp}mp_/{url}", wait_until="networkidle", timeout=60_000)
            for _ in range(40):  # scrolled through as evidencekit did live, so lazy images load
                if page.evaluate(SCROLL_ONE_WINDOW):
                    break
                page.wait_for_timeout(150)
            page.wait_for_timeout(500)  # the page's scroll handlers run, then what they asked for loads
            page.wait_for_load_state("networkidle")
            page.evaluate("() => scrollTo(0, 0)")
            facts = page.evaluate(
                "() => ({text: document.body.innerText, images: Array.from(document.images, "
                "i => [i.complete, i.naturalWidth, i.naturalHeight])})"
            )
            page.screenshot(path=str(out), full_page=True)
            facts["answers"] = answers
        finally:
            chromium.close()
    return out, facts, refused


def live_page_pixels(item: dict, capture_folder: Path) -> Image.Image:
    """The page's own pixels in evidencekit's screenshot of the live page (inside its banner)."""
    box = item["web_capture"]["screenshot"]["page_box"]
    with Image.open(capture_folder / "screenshot.png") as shot:
        left, top = box[0], box[1]
        return shot.convert("RGB").crop((left, top, left + box[2], top + box[3]))


PAGES = {
    "a page with an image": ("/page", PAGE_TEXT, [IMAGE_COLOUR]),
    "a page built by JavaScript from an API call": ("/app", "Posted by script: pay up", [(240, 200, 20)]),
    "images loaded only when scrolled to": ("/lazy", "Scroll down", [(10, 200, 200), (120, 60, 10)]),
    "a members' page seen logged in": ("/members", "Private post", [MEMBER_COLOUR]),
    "a page playing a video": ("/video", "The video", []),
}


@pytest.mark.parametrize("story", list(PAGES))
def test_an_examiner_replays_the_wacz_offline_and_sees_the_page_as_captured(
    story, case, site, browser_ready, tmp_path
):
    path, text, colours = PAGES[story]
    cookies = tmp_path / "cookies.txt"  # the victim's login, used for the capture only
    cookies.write_text(
        f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t{SECRET_COOKIE}\n"
        f"127.0.0.1\tFALSE\t/\tFALSE\t0\ttoken\t{SECRET_TOKEN}\n",
        encoding="utf-8",
    )
    add_url(case, site.url(path), kind="content")
    options = ArchiveOptions(browser_timeout=60, cookies_file=cookies if path == "/members" else None)
    result = archive_url(case, "U0001", options=options)
    wacz_pack.make_waczs(case)  # a WACZ is made at capture; this makes one for a capture made before
    wacz_file = case.root / wacz_pack.wacz_path(result.item["id"])
    archived_at = _page_timestamp(wacz_file)
    for secret in (SECRET_COOKIE, SECRET_TOKEN):
        assert secret.encode() not in _every_byte_inside(wacz_file), "a login reached the WACZ"
    requests_before = len(site.requests)

    with pywb_serving(wacz_file, tmp_path / "examiner") as base:
        shot, facts, refused = replay_screenshot(base, site.url(path), archived_at, tmp_path / "replayed.png")

    assert len(site.requests) == requests_before, "the replay reached the live site"
    assert refused == []  # pywb rewrote every address to itself
    assert text in str(facts["text"])
    images = facts["images"]
    assert isinstance(images, list) and len(images) == len(colours)
    assert all(complete and width > 0 for complete, width, _height in images)  # out of the archive
    if path == "/video":
        served = [status for url, status in facts["answers"] if url.endswith("/clip.webm")]
        assert served and all(status in (200, 206) for status in served), "the video is not in the archive"
    live = live_page_pixels(result.item, case.root / result.item["bag_path"])
    with Image.open(shot) as replayed:
        replayed = replayed.convert("RGB")
        assert abs(live.height - replayed.height) <= 2
        width, height = min(live.width, replayed.width), min(live.height, replayed.height)
        a = numpy.asarray(live.crop((0, 0, width, height)), dtype=numpy.int16)
        b = numpy.asarray(replayed.crop((0, 0, width, height)), dtype=numpy.int16)
        drawn = numpy.asarray(replayed)
    for colour in colours:
        assert numpy.all(drawn == colour, axis=2).sum() >= 300 * 190, f"the image in {colour} is not drawn"
    difference = numpy.abs(a - b)
    changed = float(numpy.any(difference > 0, axis=2).mean())
    mean = float(difference.mean())
    print(f"{story}: {changed:.5%} of pixels differ from the live page, mean difference {mean:.4f}/255")
    assert changed <= MAX_CHANGED_SHARE, changed
    assert mean <= MAX_MEAN_DIFFERENCE, mean


def _every_byte_inside(wacz_file: Path) -> bytes:
    """Every member of the WACZ, the WARC decompressed: to prove something is not in it."""
    import gzip
    import zipfile

    with zipfile.ZipFile(wacz_file) as archive:
        return b"".join(
            gzip.decompress(archive.read(name)) if name.endswith(".gz") else archive.read(name)
            for name in archive.namelist()
        )


def _page_timestamp(wacz_file: Path) -> str:
    """The page's capture time from the WACZ's pages.jsonl, as replay addresses write it."""
    import json
    import zipfile

    with zipfile.ZipFile(wacz_file) as archive:
        lines = archive.read("pages/pages.jsonl").decode().splitlines()
    return "".join(ch for ch in json.loads(lines[1])["ts"] if ch.isdigit())
