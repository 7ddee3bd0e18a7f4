"""Archiving a recorded address into the case: one item, one change, the agreed storage convention."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from evidencekit.errors import InvalidValueError
from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from evidencekit.web.archive import ArchiveOptions, archive_url, archive_urls, login_advice
from evidencekit.web.cookies import load_cookies
from evidencekit.web.errors import CookiesFileError, SensitiveUrlError, WebCaptureError
from evidencekit.web.fetch import FetchOptions
from tests.conftest import assert_valid_bag
from tests.web.conftest import SECRET_COOKIE
from tests.web.test_fetch import warcio_check

NO_BROWSER = ArchiveOptions(use_browser=False)


def case_bytes(root: Path) -> bytes:
    """Every byte of every file in the case (to prove something is NOT in it)."""
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_capture_is_one_url_capture_item_in_the_agreed_layout(case, site):
    add_url(case, site.url("/redirect"), kind="profile")
    urls_before = (case.root / "evidencekit/urls.jsonl").read_bytes()

    result = archive_url(case, "U0001", options=NO_BROWSER)

    item = result.item
    assert item["id"] == "E0001" and item["kind"] == "url-capture" and item["url_id"] == "U0001"
    assert item["bag_path"] == "data/web/U0001-1"
    assert [f["path"] for f in item["files"]] == ["capture.warc.gz"]
    stored = case.root / "data/web/U0001-1/capture.warc.gz"
    assert item["files"][0]["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert item["files"][0]["mime"] == "application/warc"
    web = item["web_capture"]
    for key in (
        "requested_url",
        "final_url",
        "status",
        "title",
        "ip",
        "fetched_at",
        "tls",
        "tools",
        "errors",
    ):
        assert key in web, key
    assert web["requested_url"] == site.url("/redirect")
    assert web["final_url"] == site.url("/page") and web["status"] == 200
    assert web["ip"] == "127.0.0.1" and web["tls"] is None
    assert web["tools"]["warcio"] and web["tools"]["evidencekit"]
    assert any(e["code"] == "browser-unavailable" for e in web["errors"]) is False  # browser not asked for
    assert case.items() == [item]
    assert (case.root / "evidencekit/urls.jsonl").read_bytes() == urls_before, "urls.jsonl is append-only"
    actions = [(e["action"], e["details"].get("item")) for e in case.custody_entries()[-3:]]
    assert actions == [("item-captured", "E0001"), ("url-archived", "E0001"), ("wacz-made", "E0001")]
    logged = case.custody_entries()[-2]["details"]
    assert logged["files"] == {"capture.warc.gz": item["files"][0]["sha256"]}
    assert_valid_bag(case.root)
    report = verify_case(case.root)
    assert report.ok, report.errors
    assert "warc-ok" in [f.code for f in report.findings]
    assert warcio_check(stored).returncode == 0


def test_archiving_again_makes_a_second_capture_beside_the_first(case, site):
    add_url(case, site.url("/page"))
    archive_url(case, "U0001", options=NO_BROWSER)
    second = archive_url(case, "u0001", options=NO_BROWSER)
    assert second.item["bag_path"] == "data/web/U0001-2" and second.item["capture_number"] == 2
    assert verify_case(case.root).ok


def test_a_404_is_archived_as_evidence_with_a_plain_explanation(case, site):
    add_url(case, site.url("/missing"))
    web = archive_url(case, "U0001", options=NO_BROWSER).capture
    assert web["status"] == 404
    assert [e["code"] for e in web["errors"]] == ["http-error"]


def test_a_sensitive_address_is_never_fetched(case, site):
    add_url(case, site.url("/page"), sensitive=True)
    before = snapshot(case.root)
    with pytest.raises(SensitiveUrlError) as error:
        archive_url(case, "U0001")
    assert "never opens it" in error.value.message and "intimate images" in error.value.message
    assert "StopNCII" in error.value.hint
    batch = archive_urls(case)
    assert batch.sensitive == ["U0001"] and not batch.captured
    assert site.requests == [], "nothing may be requested from a sensitive address"
    assert snapshot(case.root) == before


def test_a_failed_fetch_changes_nothing(case, site):
    add_url(case, site.url("/slow"))
    before = snapshot(case.root)
    options = ArchiveOptions(fetch=FetchOptions(timeout=0.5), use_browser=False)
    with pytest.raises(WebCaptureError, match="did not answer"):
        archive_url(case, "U0001", options=options)
    assert snapshot(case.root) == before


def test_a_batch_keeps_going_past_a_failure(case, site):
    add_url(case, "http://no-such-site.invalid/")
    add_url(case, site.url("/page"))
    batch = archive_urls(case, options=NO_BROWSER)
    assert [r.url_id for r in batch.captured] == ["U0002"]
    assert [(u, e.code) for u, e in batch.failed] == [("U0001", "dns-failed")]
    again = archive_urls(case, options=NO_BROWSER)
    assert again.already == ["U0002"], "archived addresses are not fetched again unless asked"


def test_an_unknown_address_id_is_a_clear_error(case):
    with pytest.raises(InvalidValueError, match="no web address U0009"):
        archive_url(case, "U0009")


def test_a_login_wall_is_named_plainly(case, site):
    add_url(case, site.url("/walled"))
    web = archive_url(case, "U0001", options=NO_BROWSER).capture
    assert web["login_wall"] is True
    [problem] = [e for e in web["errors"] if e["code"] == "login-wall"]
    assert "login page instead of the content" in problem["message"]
    assert "data export" in problem["message"]


def test_login_walled_platforms_get_advice_before_fetching():
    advice = login_advice("Instagram")
    assert "login page" in advice and "Download your information" in advice
    assert "evidencekit capture" in advice
    assert login_advice("Tinder (dating)")
    assert login_advice(None) is None and login_advice("PayPal") is None


def write_cookies(path: Path, port_host: str = "127.0.0.1") -> Path:
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        f"{port_host}\tFALSE\t/\tFALSE\t0\tsessionid\t{SECRET_COOKIE}\n"
        f"#HttpOnly_{port_host}\tFALSE\t/\tFALSE\t0\tcsrftoken\tabc123secret\n",
        encoding="utf-8",
    )
    return path


def test_cookies_are_used_for_the_fetch_and_never_stored(case, site, tmp_path):
    cookies = write_cookies(tmp_path / "cookies.txt")
    add_url(case, site.url("/echo-cookies"))
    web = archive_url(case, "U0001", options=ArchiveOptions(cookies_file=cookies, use_browser=False)).capture
    assert site.cookies_seen and SECRET_COOKIE in site.cookies_seen[0], "the site must receive them"
    assert web["cookies"] == {
        "from_user_file": True,
        "names": ["csrftoken", "sessionid"],
        "values_stored": False,
    }
    everything = case_bytes(case.root)
    assert SECRET_COOKIE.encode() not in everything and b"abc123secret" not in everything
    import gzip

    warc = gzip.decompress((case.root / "data/web/U0001-1/capture.warc.gz").read_bytes())
    assert b"Cookie: [removed by evidencekit: 2 cookie(s)" in warc
    assert b"Set-Cookie: [value removed by evidencekit" in warc
    assert verify_case(case.root).ok


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no cookies file"),
        ('[{"name": "a"}]', "JSON cookies export"),
        ("# Netscape HTTP Cookie File\n", "holds no cookies"),
    ],
)
def test_an_unusable_cookies_file_is_explained(tmp_path, content, expected):
    path = tmp_path / "cookies.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CookiesFileError, match=expected):
        load_cookies(path)


def test_a_cookies_file_without_its_header_line_is_still_read(tmp_path):
    path = tmp_path / "cookies.txt"
    path.write_text(f".example.org\tTRUE\t/\tTRUE\t0\tsid\t{SECRET_COOKIE}\n", encoding="utf-8")
    assert [c.name for c in load_cookies(path)] == ["sid"]


# ---- with the real browser ------------------------------------------------------------------------


def test_a_page_is_archived_with_a_real_screenshot_and_pdf(case, site, browser_ready):
    from PIL import Image

    from tests.web.conftest import BLOCK_COLOUR, IMAGE_COLOUR, PAGE_BACKGROUND, PAGE_TEXT

    add_url(case, site.url("/redirect"))
    item = archive_url(case, "U0001").item
    folder = case.root / item["bag_path"]
    assert sorted(f["path"] for f in item["files"]) == ["capture.warc.gz", "page.pdf", "screenshot.png"]
    web = item["web_capture"]
    assert web["errors"] == [], web["errors"]
    assert web["title"] == "Payment demand – test page"
    assert web["browser"]["final_url"] == site.url("/page") and web["browser"]["status"] == 200
    assert web["tools"]["browser"].startswith("Chromium")
    assert "/image.png" in site.requests, "the browser loaded the page's image"

    # The screenshot is a real PNG of the page, and the banner is outside the page's pixels.
    shot = Image.open(folder / "screenshot.png").convert("RGB")
    x, top, width, height = web["screenshot"]["page_box"]
    assert (x, width) == (0, 1280) and height >= 900 and top > 40
    assert shot.size == tuple(web["screenshot"]["size"]) and shot.height > top + height
    page = shot.crop((0, top, width, top + height))
    colours = {colour for _count, colour in page.getcolors(maxcolors=1 << 20)}
    assert PAGE_BACKGROUND in colours and BLOCK_COLOUR in colours and IMAGE_COLOUR in colours
    assert page.getpixel((width - 5, 5)) == PAGE_BACKGROUND, "the page starts right below the banner"
    banner = shot.crop((0, 0, width, top))
    banner_colours = {colour for _count, colour in banner.getcolors(maxcolors=1 << 20)}
    assert PAGE_BACKGROUND not in banner_colours, "the banner is not part of the page"
    assert any(sum(c) < 100 for c in banner_colours), "the banner has dark text on it"
    assert "127.0.0.1" in Image.open(folder / "screenshot.png").text["Source"]

    # The PDF exists and holds the page's text, with the address and capture time in its header.
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "page.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert PAGE_TEXT in " ".join(text.split())
    assert site.url("/redirect").split("//")[1] in text and "Captured 20" in text

    assert warcio_check(folder / "capture.warc.gz").returncode == 0
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_https_with_an_accepted_invalid_certificate_records_the_chain(case, site, browser_ready):
    add_url(case, site.url("/page", secure=True))
    options = ArchiveOptions().accepting_invalid_certificates()
    item = archive_url(case, "U0001", options=options).item
    web = item["web_capture"]
    assert web["tls"]["verified"] is False and "self-signed" in web["tls"]["verify_error"]
    assert web["browser"]["status"] == 200, "the browser was told to accept it as well"
    assert "tls-chain.pem" in [f["path"] for f in item["files"]]
    shown = subprocess.run(
        ["openssl", "x509", "-noout", "-subject", "-in", str(case.root / item["bag_path"] / "tls-chain.pem")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "evidencekit test site" in shown
    assert verify_case(case.root).ok


def test_cookies_reach_the_browser_too(case, site, tmp_path, browser_ready):
    cookies = write_cookies(tmp_path / "cookies.txt")
    add_url(case, site.url("/echo-cookies"))
    item = archive_url(case, "U0001", options=ArchiveOptions(cookies_file=cookies)).item
    text = subprocess.run(
        ["pdftotext", str(case.root / item["bag_path"] / "page.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "cookies seen: csrftoken sessionid" in text
    assert SECRET_COOKIE.encode() not in case_bytes(case.root)


def test_without_a_browser_the_warc_is_still_saved_and_the_reason_given(case, site, monkeypatch):
    monkeypatch.setenv("EVIDENCEKIT_BROWSER", os.devnull + "-no-such-browser")
    add_url(case, site.url("/page"))
    item = archive_url(case, "U0001").item
    assert [f["path"] for f in item["files"]] == ["capture.warc.gz"]
    [problem] = item["web_capture"]["errors"]
    assert problem["code"] == "browser-unavailable"
    assert "No screenshot or PDF was made" in problem["message"]
    assert "apt-get install chromium" in problem["message"]


def test_verify_txt_tells_an_officer_how_to_check_the_warc_with_warcio(case, site):
    from evidencekit.case.seal import seal_case
    from tests.web.test_fetch import WARCIO

    add_url(case, site.url("/redirect"), kind="profile")
    archive_url(case, "U0001", options=NO_BROWSER)
    seal_case(case)
    text = (case.root / "seal/VERIFY.txt").read_text(encoding="utf-8")
    # The officer installs warcio in ~/verify-tools, as VERIFY.txt says; here it is this environment's.
    tool = "~/verify-tools/bin/warcio"
    line = next(x.strip() for x in text.splitlines() if x.strip().startswith(f"{tool} check"))
    command = line.replace(tool, str(WARCIO), 1)
    out = subprocess.run(["bash", "-c", command], cwd=case.root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "digest pass" in out.stdout + out.stderr


def test_in_an_under_18_case_a_page_is_only_opened_after_confirming_it_shows_no_nudity(tmp_path, site, cli):
    from evidencekit.case.case import Case, create_case
    from evidencekit.errors import EvidenceKitError

    case = create_case(tmp_path / "case", flags={"under_18": True})
    add_url(case, site.url("/redirect"), kind="profile")
    before = snapshot(case.root)

    with pytest.raises(EvidenceKitError, match="under 18") as refused:
        archive_url(case, "U0001", options=NO_BROWSER)
    assert "--not-intimate" in refused.value.hint
    assert site.requests == [], "nothing may be fetched before the confirmation"
    assert snapshot(case.root) == before

    result = cli("archive-urls", "U0001", "--case", case.root)
    assert result.exit_code == 2 and "under 18" in result.stderr and site.requests == []

    confirmed = archive_url(Case(case.root), "U0001", options=replace(NO_BROWSER, not_intimate=True))
    assert confirmed.item["not_intimate_confirmed"] is True
    logged = [e for e in Case(case.root).custody_entries() if e["action"] == "item-captured"]
    assert logged[-1]["details"]["not_intimate_confirmed"] is True
    assert verify_case(case.root).ok
