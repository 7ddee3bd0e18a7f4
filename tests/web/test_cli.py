"""The commands as a person uses them: add-url --archive and archive-urls."""

from __future__ import annotations

import json

from evidencekit.case.case import Case, create_case
from tests.conftest import assert_valid_bag

NO_BROWSER = {"EVIDENCEKIT_BROWSER": "/nonexistent/chromium"}


def new_case(tmp_path):
    return create_case(tmp_path / "case", title="Web test", zone_name="Europe/London").root


def test_add_url_with_archive_saves_the_page_then_verify_checks_it(cli, tmp_path, site, browser_ready):
    case = new_case(tmp_path)
    result = cli("add-url", site.url("/redirect"), "--kind", "profile", "--archive", "--case", case)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Recorded U0001" in out and "Archived U0001 as E0001" in out
    assert "Redirected to: " + site.url("/page") in out
    assert "Server said:  200 OK" in out and "IP address: 127.0.0.1" in out
    assert "capture.warc.gz, screenshot.png, page.pdf" in out
    assert (
        "For replay:   data/derived/E0001/capture.wacz (WACZ: opens offline in ReplayWeb.page or pywb)" in out
    )
    assert_valid_bag(case)
    verified = cli("verify", case)
    assert verified.exit_code == 0, verified.output
    assert "every record matches its own digest" in verified.stdout
    log = cli("log", "--case", case).stdout
    assert "url-archived" in log


def test_a_sensitive_address_is_recorded_and_plainly_not_opened(cli, tmp_path, site):
    case = new_case(tmp_path)
    result = cli("add-url", site.url("/page"), "--sensitive", "--archive", "--case", case)
    assert result.exit_code == 0, result.output
    assert "Recorded U0001" in result.stdout
    assert "never opens it" in result.stdout and "intimate images" in result.stdout
    assert site.requests == []
    assert Case(case).items() == []


def test_when_the_page_cannot_be_fetched_the_address_stays_recorded(cli, tmp_path):
    case = new_case(tmp_path)
    url = "http://no-such-site.invalid/account"
    result = cli("add-url", url, "--archive", "--case", case, env=NO_BROWSER)
    assert result.exit_code == 2
    assert "Recorded U0001" in result.stdout
    assert "U0001 is recorded, but it could not be archived" in result.stderr
    assert "could not be found" in result.stderr and "What to do:" in result.stderr
    assert [u["id"] for u in Case(case).urls()] == ["U0001"] and Case(case).items() == []


def test_archive_urls_reports_each_address_as_json(cli, tmp_path, site):
    case = new_case(tmp_path)
    for url in (site.url("/missing"), site.url("/slow")):
        assert cli("add-url", url, "--case", case).exit_code == 0
    result = cli("archive-urls", "--timeout", "1", "--json", "--case", case, env=NO_BROWSER)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "evidencekit-archive-urls/1"
    [archived] = data["archived"]
    assert archived["url_id"] == "U0001" and archived["item"]["web_capture"]["status"] == 404
    problems = [e["code"] for e in archived["item"]["web_capture"]["errors"]]
    assert problems == ["http-error", "browser-unavailable"]
    assert [(f["url_id"], f["code"]) for f in data["failed"]] == [("U0002", "timeout")]
    status = json.loads(cli("status", "--json", "--case", case).stdout)
    assert status["urls"][0]["captures"] == ["E0001"] and status["urls"][1]["captures"] == []
    assert status["web_captures"][0]["problems"] == problems


def test_archive_urls_in_words_when_nothing_can_be_fetched(cli, tmp_path, site):
    case = new_case(tmp_path)
    cli("add-url", site.url("/slow"), "--case", case)
    result = cli("archive-urls", "U0001", "--timeout", "1", "--case", case, env=NO_BROWSER)
    assert result.exit_code == 2
    assert "U0001 could not be archived" in result.stderr
    assert "did not answer within 1 second." in result.stderr
    assert "Nothing could be archived" in result.stderr


def test_a_bad_cookies_file_is_refused_before_anything_is_recorded(cli, tmp_path, site):
    case = new_case(tmp_path)
    result = cli(
        "add-url", site.url("/page"), "--archive", "--cookies", tmp_path / "nope.txt", "--case", case
    )
    assert result.exit_code == 2
    assert "There is no cookies file" in result.stderr
    assert Case(case).urls() == [] and site.requests == []


def test_recording_without_archive_suggests_archiving_and_fetches_nothing(cli, tmp_path, site):
    case = new_case(tmp_path)
    result = cli("add-url", site.url("/page"), "--case", case)
    assert result.exit_code == 0
    assert "evidencekit archive-urls U0001" in result.stdout
    assert site.requests == [], "nothing is fetched unless asked"


def test_add_url_archive_json_for_scripts(cli, tmp_path, site):
    case = new_case(tmp_path)
    result = cli("add-url", site.url("/page"), "--archive", "--json", "--case", case, env=NO_BROWSER)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"]["id"] == "U0001" and data["archive_error"] is None
    item = data["archived"]["item"]
    assert item["kind"] == "url-capture" and item["bag_path"] == "data/web/U0001-1"
    assert item["web_capture"]["title"] == "Payment demand – test page"
    assert (
        data["archived"]["wacz"] == "data/derived/E0001/capture.wacz"
        and data["archived"]["wacz_problem"] is None
    )
    refused = json.loads(
        cli("add-url", site.url("/missing"), "--sensitive", "--archive", "--json", "--case", case).stdout
    )
    assert refused["archive_refused"]["code"] == "sensitive" and refused["archived"] is None


def test_archive_urls_caps_what_the_browser_downloads_and_says_what_was_left_out(
    cli, tmp_path, site, browser_ready
):
    case = new_case(tmp_path)
    assert cli("add-url", site.url("/video"), "--case", case).exit_code == 0
    result = cli("archive-urls", "--max-capture", "1", "--case", case)
    assert result.exit_code == 0, result.output
    assert "downloads recorded in the WARC" in result.stdout and "incomplete" in result.stdout
    assert "not recorded, or not wholly (the size cap of the capture)" in " ".join(result.stderr.split())
    [item] = Case(case).items()
    traffic = item["web_capture"]["browser_traffic"]
    assert traffic["cap_bytes"] == 1_000_000
    assert [e["url"] for e in traffic["left_out"]][:1] == [site.url("/clip.webm")]
    assert cli("verify", case).exit_code == 0
