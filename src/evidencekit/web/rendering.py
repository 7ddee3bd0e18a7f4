"""Opening the page in the browser while the recorder writes its traffic into the capture's WARC,
then the screenshot with its banner, and the screenshot and PDF as `resource` records.

`render_recorded` is called by `archive.archive_url` with the WARC that `fetch_to_warc` has just
written; it appends to it. What it returns (`Rendered`) goes into the capture record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.case.case import Case
from evidencekit.case.records import UrlRecord
from evidencekit.clock import iso_utc, parse_iso
from evidencekit.web.browser import BrowserResult
from evidencekit.web.fetch import FetchResult, request_target
from evidencekit.web.recorder import BrowserRecorder, Traffic
from evidencekit.web.relay import is_local_address

WARC_NAME = "capture.warc.gz"
SCREENSHOT_NAME = "screenshot.png"
PDF_NAME = "page.pdf"
RESOURCE_MIME = {SCREENSHOT_NAME: "image/png", PDF_NAME: "application/pdf"}


@dataclass
class Rendered:
    """What the browser's visit gave: its problems, what it saw, the banner's facts, its traffic."""

    errors: list[dict[str, str]] = field(default_factory=list)
    result: BrowserResult | None = None
    banner: dict[str, Any] | None = None  # add_banner's page_box and size
    traffic: Traffic | None = None


def render_recorded(
    case: Case,
    url_record: UrlRecord,
    url: str,
    fetched: FetchResult,
    options: Any,
    cookies: list[dict[str, Any]] | None,
    work: Path,
) -> Rendered:
    from evidencekit.web import browser

    out = Rendered()
    moment = case.clock()
    header = (
        f"Captured {iso_utc(moment)} by evidencekit {__version__} for case {case.info.id} "
        f"({url_record['id']}) · {request_target(url)[4]}"
    )
    recorder = BrowserRecorder(
        work / WARC_NAME,
        fetched.warcinfo_id,
        options.fetch,
        page_url=url.split("#", 1)[0],
        clock=case.clock,
        max_capture_bytes=options.max_capture_bytes,
        local_addresses=is_local_address(fetched.ip) if fetched.ip else False,
    )
    unavailable: str | None = None
    with recorder:
        try:
            result = browser.render(
                url,
                work,
                timeout=options.browser_timeout,
                ignore_https_errors=not options.fetch.verify_tls,
                cookies=cookies,
                header_text=header,
                now=case.clock,
                proxy=recorder.proxy_url,
            )
        except browser.BrowserUnavailable as exc:
            unavailable = str(exc)
        recorder.stop()
        if unavailable is None:
            _banner_and_resources(case, url_record, url, result, work, recorder, out)
        out.traffic = recorder.traffic
    out.errors.extend(_left_out_errors(recorder.traffic))
    if unavailable is not None:
        out.errors.append(
            {
                "code": "browser-unavailable",
                "message": f"No screenshot or PDF was made: {unavailable}. The WARC (the page's HTTP "
                "exchange) was saved. Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) "
                "or Google Chrome, then archive the address again.",
            }
        )
    return out


_LEFT_OUT_WORDS = {
    "capture-cap": "the size cap of the capture",
    "too-large": "the size limit of one download",
    "timeout": "a time limit",
    "unfinished": "still loading when the capture ended",
    "failed": "the site did not answer",
    "websocket": "live connections are not recorded",
    "local-address": "addresses on this computer or its local network are not loaded",
}


def _left_out_errors(traffic: Traffic) -> list[dict[str, str]]:
    if not traffic.left_out:
        return []
    reasons = sorted({_LEFT_OUT_WORDS.get(e["reason"], e["reason"]) for e in traffic.left_out})
    count = len(traffic.left_out) + traffic.left_out_not_listed
    listed = (
        "each is listed in the capture record and in its WARC"
        if not traffic.left_out_not_listed
        else f"the first {len(traffic.left_out)} are listed in the capture record and in its WARC"
    )
    return [
        {
            "code": "left-out",
            "message": f"{count} download(s) of the page were not recorded, or not wholly "
            f"({'; '.join(reasons)}); {listed}.",
        }
    ]


def _banner_and_resources(
    case: Case,
    url_record: UrlRecord,
    url: str,
    result: BrowserResult,
    work: Path,
    recorder: BrowserRecorder,
    out: Rendered,
) -> None:
    """The screenshot with its banner, then the screenshot and PDF as `resource` records of the
    capture's WARC (beside the browser's traffic, pointing at the page's response)."""
    from evidencekit.web.banner import add_banner

    moment = case.clock()
    out.result = result
    out.errors.extend(result.errors)
    if (
        result.final_url
        and request_target(result.final_url.split("#")[0])[4] in recorder.traffic.response_ids
    ):
        recorder.page_url = result.final_url.split("#")[0]
    if result.screenshot is not None:
        rendered_at = result.rendered_at or iso_utc(moment)
        shown_url = request_target(url)[4]
        lines = [
            f"evidencekit {__version__} web capture · case {case.info.id} · address {url_record['id']}",
            f"Captured: {rendered_at} (UTC) · local time {case.local_time(parse_iso(rendered_at))}"
            + (f" ({case.info.zone})" if case.info.zone else ""),
            f"Address: {shown_url}",
        ]
        if result.final_url and result.final_url.split("#")[0] != shown_url.split("#")[0]:
            lines.append(f"Shown after redirects: {request_target(result.final_url)[4]}")
        lines.append(
            f"Below: the page as {result.version or 'the browser'} showed it, unaltered "
            "(this banner is added outside it)."
        )
        footer = f"End of page · captured {rendered_at} · {shown_url}"
        out.banner = add_banner(
            result.screenshot,
            work / SCREENSHOT_NAME,
            lines,
            footer,
            {
                "Title": result.title or "",
                "Source": shown_url,
                "Creation Time": rendered_at,
                "Software": f"evidencekit {__version__}; {result.version}",
            },
        )
        result.screenshot.unlink()
    shown = request_target(url)[4]
    for name, kind in ((SCREENSHOT_NAME, "screenshot"), (PDF_NAME, "pdf")):
        if (work / name).is_file():
            recorder.add_resource(work / name, f"urn:evidencekit:{kind}:{shown}", RESOURCE_MIME[name])
