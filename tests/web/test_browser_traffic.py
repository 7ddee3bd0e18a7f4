"""The WARC holds what the archiving browser itself fetched: every script, API answer, image (also
those loaded on scroll), the video, each redirect; the screenshot and PDF as records of the same
capture; never a cookie or token; what a cap, a time limit or a broken site left out is listed."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from evidencekit.web.archive import ArchiveOptions, archive_url
from evidencekit.web.fetch import FetchOptions
from tests.web.conftest import (
    APP_JS,
    PICTURES,
    POSTS_JSON,
    SECRET_COOKIE,
    SECRET_TOKEN,
    VIDEO_BYTES,
)
from tests.web.test_archive import case_bytes
from tests.web.test_fetch import WARCIO, warcio_check


def warc_of(case: Any, item: dict[str, Any]) -> Path:
    return case.root / item["bag_path"] / "capture.warc.gz"


def read_records(warc: Path) -> list[dict[str, Any]]:
    """Every record: its type, address, WARC headers and content (HTTP body decoded as sent)."""
    out = []
    with open(warc, "rb") as stream:
        for record in ArchiveIterator(stream):
            headers = dict(record.rec_headers.headers)
            http = dict(record.http_headers.headers) if record.http_headers else {}
            out.append(
                {
                    "type": record.rec_type,
                    "uri": headers.get("WARC-Target-URI"),
                    "headers": headers,
                    "http": http,
                    "content": record.content_stream().read(),
                }
            )
    return out


def browser_responses(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The responses the browser received, by address (the request that went with each carries
    Chromium's own user agent)."""
    by_id = {r["headers"].get("WARC-Record-ID"): r for r in records}
    out = {}
    for record in records:
        if record["type"] != "request" or "HeadlessChrome" not in record["http"].get("User-Agent", ""):
            continue
        response = by_id[record["headers"]["WARC-Concurrent-To"]]
        out.setdefault(response["uri"], response)
    return out


def session_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    [summary] = [
        json.loads(r["content"])
        for r in records
        if r["type"] == "metadata" and b"evidencekit_browser_session" in r["content"]
    ]
    return summary


def test_a_page_built_by_script_is_recorded_with_everything_the_browser_fetched(case, site, browser_ready):
    add_url(case, site.url("/app"))
    item = archive_url(case, "U0001").item
    web = item["web_capture"]
    assert web["errors"] == [], web["errors"]
    assert web["browser"]["title"] == "Built by script" and web["incomplete"] is False

    records = read_records(warc_of(case, item))
    fetched = browser_responses(records)
    assert fetched[site.url("/app.js")]["content"] == APP_JS
    assert fetched[site.url("/api/posts.json")]["content"] == POSTS_JSON
    assert fetched[site.url("/img/post.png")]["content"] == PICTURES["/img/post.png"]
    for response in fetched.values():
        assert response["headers"]["WARC-IP-Address"] == "127.0.0.1"
        assert response["headers"]["WARC-Payload-Digest"].startswith("sha1:")
        assert response["headers"]["WARC-Date"].startswith("20")

    # The screenshot and the PDF are records of the same capture, pointing at the page's response.
    page_id = fetched[site.url("/app")]["headers"]["WARC-Record-ID"]
    resources = {r["uri"].split(":")[2]: r for r in records if r["type"] == "resource"}
    assert set(resources) == {"screenshot", "pdf"}
    folder = case.root / item["bag_path"]
    assert resources["screenshot"]["content"] == (folder / "screenshot.png").read_bytes()
    assert resources["pdf"]["content"] == (folder / "page.pdf").read_bytes()
    info_id = records[0]["headers"]["WARC-Record-ID"]
    for resource in resources.values():
        assert resource["headers"]["WARC-Concurrent-To"] == page_id
        assert resource["headers"]["WARC-Warcinfo-ID"] == info_id

    traffic = web["browser_traffic"]
    assert traffic["requests_recorded"] >= 4 and traffic["left_out"] == []
    assert traffic["hosts"][0]["ip"] == "127.0.0.1"
    assert session_summary(records)["requests_recorded"] == traffic["requests_recorded"]

    # The web archivists' own tools read it; verify accepts it.
    assert warcio_check(warc_of(case, item)).returncode == 0
    index = subprocess.run(
        [str(WARCIO), "index", str(warc_of(case, item))], capture_output=True, text=True, timeout=60
    )
    assert index.returncode == 0 and site.url("/api/posts.json") in index.stdout
    report = verify_case(case.root)
    assert report.ok, report.errors
    assert "warc-ok" in [f.code for f in report.findings]


def test_images_loaded_only_on_scroll_are_in_the_warc(case, site, browser_ready):
    add_url(case, site.url("/lazy"))
    item = archive_url(case, "U0001").item
    fetched = browser_responses(read_records(warc_of(case, item)))
    for name in ("/lazy/1.png", "/lazy/2.png"):
        assert fetched[site.url(name)]["content"] == PICTURES[name], name


def test_the_video_the_page_plays_is_kept_whole(case, site, browser_ready):
    add_url(case, site.url("/video"))
    item = archive_url(case, "U0001").item
    fetched = browser_responses(read_records(warc_of(case, item)))
    video = fetched[site.url("/clip.webm")]
    assert video["content"] == VIDEO_BYTES
    assert video["http"]["Content-Type"] == "video/webm"
    assert "WARC-Truncated" not in video["headers"]


def test_the_size_cap_cuts_the_capture_and_lists_what_was_left_out(case, site, browser_ready):
    add_url(case, site.url("/video"))
    item = archive_url(case, "U0001", options=ArchiveOptions(max_capture_bytes=300_000)).item
    web = item["web_capture"]
    left = [e for e in web["browser_traffic"]["left_out"] if e["url"] == site.url("/clip.webm")]
    assert left and {e["reason"] for e in left} == {"capture-cap"}
    assert left[0]["message"].startswith("cut off after") and "(0.3 MB)" in left[0]["message"]
    assert web["incomplete"] is True
    [problem] = [e for e in web["errors"] if e["code"] == "left-out"]
    assert "size cap of the capture" in problem["message"]

    records = read_records(warc_of(case, item))
    video = browser_responses(records)[site.url("/clip.webm")]
    assert video["headers"]["WARC-Truncated"] == "length"
    assert 0 < len(video["content"]) < 300_000 and VIDEO_BYTES.startswith(video["content"])
    summary = session_summary(records)
    assert summary["left_out"] == web["browser_traffic"]["left_out"] and summary["incomplete"] is True
    assert summary["cap_bytes"] == 300_000
    assert verify_case(case.root).ok


def test_a_members_page_is_captured_logged_in_without_the_cookie_or_token_in_the_case(
    case, site, tmp_path, browser_ready
):
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t{SECRET_COOKIE}\n"
        f"127.0.0.1\tFALSE\t/\tFALSE\t0\ttoken\t{SECRET_TOKEN}\n",
        encoding="utf-8",
    )
    add_url(case, site.url("/members"))
    item = archive_url(case, "U0001", options=ArchiveOptions(cookies_file=cookies)).item
    assert item["web_capture"]["browser"]["title"] == "Members", "the browser was logged in"
    assert site.authorizations == [f"Bearer {SECRET_TOKEN}"], "the page's own API call was made"

    warc = warc_of(case, item)
    records = read_records(warc)
    fetched = browser_responses(records)
    assert fetched[site.url("/members/photo.png")]["content"] == PICTURES["/members/photo.png"]
    assert fetched[site.url("/api/private")]["content"] == b'{"private": true}'
    plain = gzip.decompress(warc.read_bytes())
    for secret in (SECRET_COOKIE.encode(), SECRET_TOKEN.encode()):
        assert secret not in plain, "a session credential reached the WARC"
        assert secret not in case_bytes(case.root)
    requests = [r for r in records if r["type"] == "request" and r["uri"] == site.url("/api/private")]
    assert requests[0]["http"]["Authorization"].startswith("[removed by evidencekit")
    assert requests[0]["http"]["Cookie"].startswith("[removed by evidencekit: 2 cookie(s)")
    assert item["web_capture"]["browser_traffic"]["requests_with_credentials_removed"] >= 3


def test_a_page_that_never_finishes_loading_is_kept_as_far_as_it_loaded(case, site, browser_ready):
    add_url(case, site.url("/never"))
    options = ArchiveOptions(browser_timeout=4.0)
    item = archive_url(case, "U0001", options=options).item
    web = item["web_capture"]
    codes = [e["code"] for e in web["errors"]]
    assert "browser-timeout" in codes and "left-out" in codes and web["incomplete"] is True
    [hung] = web["browser_traffic"]["left_out"]
    assert hung["url"] == site.url("/hang.png") and hung["reason"] == "unfinished"
    assert "screenshot.png" in [f["path"] for f in item["files"]]
    assert site.url("/never") in browser_responses(read_records(warc_of(case, item)))
    assert verify_case(case.root).ok


def test_an_endless_feed_is_followed_as_far_as_the_screenshot_goes(case, site, browser_ready):
    add_url(case, site.url("/endless"))
    item = archive_url(case, "U0001").item
    web = item["web_capture"]
    [stopped] = [e for e in web["errors"] if e["code"] == "scroll-stopped"]
    assert "endless feed" in stopped["message"] and web["incomplete"] is True
    fetched = browser_responses(read_records(warc_of(case, item)))
    assert sum(1 for url in fetched if "/more.json" in url) >= 5


def test_a_redirect_loop_is_recorded_and_marked_incomplete(case, site, browser_ready):
    add_url(case, site.url("/loop"))
    item = archive_url(case, "U0001").item
    web = item["web_capture"]
    codes = {e["code"] for e in web["errors"]}
    assert {"too-many-redirects", "browser-failed"} <= codes and web["incomplete"] is True
    records = read_records(warc_of(case, item))
    assert sum(1 for r in records if r["type"] == "response" and r["uri"] == site.url("/loop")) > 11
    assert verify_case(case.root).ok


def test_a_picture_from_a_server_with_an_invalid_certificate_is_refused_and_listed(case, site, browser_ready):
    add_url(case, site.url("/bad-cert-image"))
    item = archive_url(case, "U0001").item
    web = item["web_capture"]
    [refused] = web["browser_traffic"]["left_out"]
    assert refused["url"] == site.url("/image.png", secure=True) and refused["reason"] == "failed"
    assert "not valid" in refused["message"] and web["incomplete"] is True


def test_an_accepted_invalid_certificate_is_recorded_for_each_browser_download(case, site, browser_ready):
    add_url(case, site.url("/page", secure=True))
    options = ArchiveOptions().accepting_invalid_certificates()
    item = archive_url(case, "U0001", options=options).item
    records = read_records(warc_of(case, item))
    fetched = browser_responses(records)
    image = fetched[site.url("/image.png", secure=True)]
    [facts] = [
        json.loads(r["content"])
        for r in records
        if r["type"] == "metadata"
        and r["headers"].get("WARC-Concurrent-To") == image["headers"]["WARC-Record-ID"]
    ]
    assert facts["tls"]["verified"] is False and "BEGIN CERTIFICATE" in facts["tls_chain_pem"]
    [host] = item["web_capture"]["browser_traffic"]["hosts"]
    assert host["certificate_verified"] is False and host["tls_version"].startswith("TLS")


def test_a_video_larger_than_one_download_may_be_is_cut_there_and_listed(case, site, browser_ready):
    add_url(case, site.url("/video"))
    options = ArchiveOptions(fetch=FetchOptions(max_bytes=500_000))
    item = archive_url(case, "U0001", options=options).item
    web = item["web_capture"]
    [cut] = [e for e in web["browser_traffic"]["left_out"] if e["url"] == site.url("/clip.webm")][:1]
    assert cut["reason"] == "too-large" and "(0.5 MB)" in cut["message"] and web["incomplete"] is True
    video = browser_responses(read_records(warc_of(case, item)))[site.url("/clip.webm")]
    assert video["headers"]["WARC-Truncated"] == "length" and VIDEO_BYTES.startswith(video["content"])
    assert verify_case(case.root).ok


def test_thirty_pictures_fetched_at_once_are_each_recorded_whole(case, site, browser_ready):
    from tests.web.conftest import GALLERY_SIZE

    add_url(case, site.url("/gallery"))
    item = archive_url(case, "U0001").item
    warc = warc_of(case, item)
    fetched = browser_responses(read_records(warc))
    for n in range(GALLERY_SIZE):
        name = f"/gallery/{n}.png"
        assert fetched[site.url(name)]["content"] == PICTURES[name], name
    assert warcio_check(warc).returncode == 0, "records written from many threads stay whole"


def test_the_browsers_redirect_is_recorded_as_it_was_answered(case, site, browser_ready):
    add_url(case, site.url("/redirect"))
    item = archive_url(case, "U0001").item
    fetched = browser_responses(read_records(warc_of(case, item)))
    redirect = fetched[site.url("/redirect")]
    assert redirect["http"]["Location"] == "/page" and redirect["headers"]["WARC-IP-Address"] == "127.0.0.1"
    assert b"Send 500 euros" in fetched[site.url("/page")]["content"]


def test_a_page_that_arrives_slowly_is_shown_as_far_as_it_came(case, site, browser_ready):
    add_url(case, site.url("/trickle"))
    options = ArchiveOptions(fetch=FetchOptions(timeout=6.0), browser_timeout=3.0)
    item = archive_url(case, "U0001", options=options).item
    web = item["web_capture"]
    assert web["browser"]["title"] == "Trickling page", "the browser got the first bytes as they came"
    assert "browser-timeout" in {e["code"] for e in web["errors"]} and web["incomplete"] is True
    [slow] = [e for e in web["browser_traffic"]["left_out"] if e["url"] == site.url("/trickle")]
    assert slow["reason"] in ("timeout", "unfinished")
    assert "screenshot.png" in [f["path"] for f in item["files"]]


def test_a_video_still_arriving_when_the_capture_ends_is_kept_as_far_as_it_came(case, site, browser_ready):
    add_url(case, site.url("/slow-video"))
    # Chromium holds the page's load event until the video has arrived: the time limit ends it.
    item = archive_url(case, "U0001", options=ArchiveOptions(browser_timeout=4.0)).item
    web = item["web_capture"]
    [cut] = [e for e in web["browser_traffic"]["left_out"] if e["url"] == site.url("/slow-clip.webm")]
    assert cut["reason"] == "unfinished" and "the part received is kept" in cut["message"]
    video = browser_responses(read_records(warc_of(case, item)))[site.url("/slow-clip.webm")]
    assert video["headers"]["WARC-Truncated"] == "time"
    assert 0 < len(video["content"]) < len(VIDEO_BYTES) and VIDEO_BYTES.startswith(video["content"])
    assert web["incomplete"] is True and verify_case(case.root).ok
