"""Archiving a recorded address: fetch, render, then store it all as one item, in one change.

The slow, networked part happens first, in a private temporary folder outside the case: the WARC
(`fetch`), then the browser's visit, whose every request the recorder appends to that WARC, and the
screenshot and PDF (`rendering`: `recorder`, `browser`, `banner`). Only then is the case locked, briefly,
and everything staged as ONE all-or-nothing change: a `url-capture` item whose folder
`data/web/U0001-<n>/` holds the files, and two custody entries (`item-captured`, `url-archived`).
A crash or Ctrl-C at any point leaves the case as it was; the temporary folder is always removed.

The storage convention is a contract (docs/reference/case-format.md, "Web captures"): the police
report reads it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import ssl
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.case import flags, layout
from evidencekit.case.case import Case
from evidencekit.case.hashing import copy_and_hash
from evidencekit.case.records import ItemRecord, UrlRecord
from evidencekit.clock import iso_utc, parse_iso
from evidencekit.errors import InvalidValueError
from evidencekit.intake.urls import check_url
from evidencekit.web import cookies as cookie_tools
from evidencekit.web.errors import SensitiveUrlError, UnderEighteenPageError, WebCaptureError
from evidencekit.web.fetch import FetchOptions, FetchResult, fetch_to_warc, request_target
from evidencekit.web.page import looks_like_login
from evidencekit.web.recorder import DEFAULT_CAPTURE_CAP
from evidencekit.web.rendering import PDF_NAME, SCREENSHOT_NAME, WARC_NAME, Rendered, render_recorded

CHAIN_NAME = "tls-chain.pem"
_MIME = {
    WARC_NAME: "application/warc",
    SCREENSHOT_NAME: "image/png",
    PDF_NAME: "application/pdf",
    CHAIN_NAME: "application/x-pem-file",
}
_ROLE = {WARC_NAME: "warc", SCREENSHOT_NAME: "screenshot", PDF_NAME: "pdf", CHAIN_NAME: "tls-chain"}

# Platforms that show most content only to logged-in users: a capture usually gets a login page.
LOGIN_WALLED = {
    "Instagram",
    "Facebook",
    "Facebook Messenger",
    "Threads",
    "Snapchat",
    "X (Twitter)",
    "Discord",
    "LinkedIn",
    "OnlyFans",
    "Fansly",
    "WhatsApp",
    "Google Drive",
    "Google Photos",
    "iCloud",
}

Progress = Callable[[str], None]
# Problems after which the capture is marked incomplete (what was recorded is kept).
_INCOMPLETE = {"browser-timeout", "browser-failed", "scroll-stopped", "too-many-redirects", "incomplete"}


@dataclass(frozen=True)
class ArchiveOptions:
    """How to archive: network limits, an optional cookies file, and whether to use the browser."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    cookies_file: Path | None = None
    use_browser: bool = True
    browser_timeout: float = 60.0
    not_intimate: bool = False  # the person confirmed the page shows no nudity (under-18 cases)
    max_capture_bytes: int = DEFAULT_CAPTURE_CAP  # everything the browser fetches, in all

    def accepting_invalid_certificates(self) -> ArchiveOptions:
        return replace(self, fetch=replace(self.fetch, verify_tls=False))


@dataclass
class ArchiveResult:
    """One capture that was stored."""

    url_id: str
    item: dict[str, Any]
    recovered: str | None = None
    wacz: str | None = None  # the bag path of the capture's WACZ, made right after it
    wacz_problem: str | None = None  # why it was not made (a sentence without its full stop)

    @property
    def capture(self) -> dict[str, Any]:
        capture: dict[str, Any] = self.item["web_capture"]
        return capture


@dataclass
class BatchResult:
    """What `archive_urls` did with each address."""

    captured: list[ArchiveResult] = field(default_factory=list)
    failed: list[tuple[str, WebCaptureError]] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def is_login_walled(platform_name: str | None) -> bool:
    return bool(platform_name) and (platform_name in LOGIN_WALLED or "(dating)" in str(platform_name))


def login_advice(platform_name: str | None) -> str | None:
    """What to say before archiving a page of a platform that hides content behind a login."""
    if not is_login_walled(platform_name):
        return None
    return (
        f"{platform_name} usually shows a login page to anyone not logged in, so this capture may show "
        f"only that login page. Stronger evidence from {platform_name}: its own data export "
        "(“Download your information”), and screenshots taken while you are logged in "
        "(save them with: evidencekit capture FILE)."
    )


def sensitive_message(url_id: str) -> SensitiveUrlError:
    return SensitiveUrlError(
        f"{url_id} is marked sensitive (it may show intimate images), so evidencekit never opens it, "
        "downloads it or takes a screenshot of it: a copy of such images must not be made. "
        "Its address is recorded, and that is what the police need.",
        hint="Give the address to the police and in the platform's report form. To get images taken "
        "down: StopNCII.org (adults), or Take It Down / Report Remove (anyone under 18).",
    )


def find_url(case: Case, url_id: str) -> UrlRecord:
    wanted = url_id.strip().upper()
    for record in case.urls():
        if record.get("id") == wanted:
            return record
    raise InvalidValueError(
        f"There is no web address {url_id} in this case.",
        hint="See the recorded addresses and their ids with: evidencekit status",
    )


def captures_of(items: Sequence[ItemRecord], url_id: str) -> list[ItemRecord]:
    return [item for item in items if item.get("kind") == "url-capture" and item.get("url_id") == url_id]


# ---- one address ---------------------------------------------------------------------------------


def archive_url(
    case: Case,
    url_id: str,
    *,
    options: ArchiveOptions | None = None,
    progress: Progress | None = None,
) -> ArchiveResult:
    """Fetch and render the recorded address `url_id`, and store the capture as a new item."""
    options = options or ArchiveOptions()
    url_record = find_url(case, url_id)
    url_id = url_record["id"]
    if url_record.get("sensitive"):
        raise sensitive_message(url_id)
    confirmed = options.not_intimate or bool(url_record.get("not_intimate_confirmed"))
    if flags.under_18(case) and not confirmed:
        raise UnderEighteenPageError(url_id)
    checked = check_url(url_record["url"])
    jar = cookie_tools.load_cookies(options.cookies_file) if options.cookies_file else None
    browser_cookies = cookie_tools.for_browser(jar) if jar is not None else None
    fetch_url = checked.normalised.split("#", 1)[0]
    step = progress or (lambda _step: None)

    with tempfile.TemporaryDirectory(prefix="evidencekit-web-") as scratch:
        work = Path(scratch)
        step("fetching")
        fetched = fetch_to_warc(
            fetch_url,
            work / WARC_NAME,
            options=options.fetch,
            clock=case.clock,
            cookie_jar=jar,
            warcinfo={
                "isPartOf": case.info.id,
                "description": f"Capture of {url_id} ({request_target(fetch_url)[4]}) made with "
                f"evidencekit for case {case.info.id}"
                + (
                    ": first evidencekit's own request for the address, then every request the "
                    "browser made (through evidencekit's recording proxy), then the screenshot and PDF"
                    if options.use_browser
                    else ""
                ),
            },
        )
        if fetched.chain_pem:
            (work / CHAIN_NAME).write_text(fetched.chain_pem, encoding="ascii")
        rendered = None
        errors = list(fetched.errors)
        if options.use_browser:
            step("rendering")
            rendered = render_recorded(
                case, url_record, checked.normalised, fetched, options, browser_cookies, work
            )
            errors.extend(rendered.errors)
        capture = _capture_facts(case, url_record, fetched, rendered, options, jar is not None)
        capture["errors"] = errors + _login_errors(checked.platform, fetched, rendered)
        capture["login_wall"] = any(e["code"] == "login-wall" for e in capture["errors"])
        traffic = rendered.traffic if rendered else None
        capture["browser_traffic"] = traffic.facts() if traffic is not None else None
        capture["incomplete"] = bool(
            fetched.truncated
            or (traffic is not None and traffic.incomplete)
            or any(e["code"] in _INCOMPLETE for e in capture["errors"])
        )
        step("saving")
        stored = _store(case, url_record, work, capture, not_intimate_confirmed=confirmed)
    from evidencekit.web.wacz_pack import after_capture

    packed = after_capture(case, stored.item)  # in a change of its own: the capture is kept either way
    stored.wacz = packed.made[0].path if packed.made else None
    stored.wacz_problem = packed.failed[0].problem if packed.failed else None
    return stored


def _login_errors(
    platform_name: str | None, fetched: FetchResult, rendered: Rendered | None
) -> list[dict[str, str]]:
    walled = is_login_walled(platform_name)
    browser_result = rendered.result if rendered else None
    seen = [(fetched.final_url, fetched.status, fetched.title)]
    if browser_result is not None and browser_result.final_url:
        seen.append((browser_result.final_url, browser_result.status, browser_result.title))
    if any(looks_like_login(url, status, title, walled_platform=walled) for url, status, title in seen):
        where = platform_name or "The site"
        return [
            {
                "code": "login-wall",
                "message": f"{where} answered with a login page instead of the content: the capture "
                "shows what someone who is not logged in sees. Use the platform's own data export, "
                "or screenshots taken while logged in.",
            }
        ]
    return []


def _tools(rendered: Rendered | None) -> dict[str, str | None]:
    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    result = rendered.result if rendered else None
    return {
        "evidencekit": __version__,
        "python": platform.python_version(),
        "http_client": "Python http.client (HTTP/1.1)",
        "openssl": ssl.OPENSSL_VERSION,
        "warcio": version("warcio"),
        "pillow": version("pillow") if result is not None and result.screenshot else None,
        "browser": result.version if result is not None else None,
        "playwright": version("playwright") if result is not None else None,
    }


def _capture_facts(
    case: Case,
    url_record: UrlRecord,
    fetched: FetchResult,
    rendered: Rendered | None,
    options: ArchiveOptions,
    cookies_used: bool,
) -> dict[str, Any]:
    result = rendered.result if rendered else None
    final_hop = fetched.hops[-1]
    browser_facts = None
    if result is not None:
        browser_facts = {
            "rendered_at": result.rendered_at,
            "final_url": result.final_url,
            "status": result.status,
            "title": result.title,
            "viewport": [1280, 900],
            "page_size": list(result.page_size) if result.page_size else None,
            "user_agent": result.user_agent,
            "sandboxed": result.sandboxed,
        }
    screenshot = None
    if rendered and rendered.banner:
        screenshot = {
            "page_box": rendered.banner["page_box"],
            "size": rendered.banner["size"],
            "banner": "added above and below the page; the page's pixels are unchanged inside page_box",
        }
    title = (result.title if result is not None and result.title else None) or fetched.title
    return {
        "requested_url": url_record["url"],
        "fetched_url": fetched.requested_url,
        "final_url": fetched.final_url,
        "status": fetched.status,
        "reason": fetched.reason,
        "title": title,
        "ip": fetched.ip,
        "port": final_hop.port,
        "resolved_addresses": final_hop.addresses,
        "fetched_at": fetched.fetched_at,
        "fetched_at_local": case.local_time(parse_iso(fetched.fetched_at)),
        "redirects": fetched.redirects,
        "content_type": fetched.content_type,
        "response_headers": [
            [k, "[value not copied here]" if k.lower() == "set-cookie" else v] for k, v in final_hop.headers
        ],
        "bytes_received": final_hop.bytes_received,
        "truncated": fetched.truncated,
        "tls": fetched.tls,
        "cookies": (
            {"from_user_file": True, "names": fetched.cookies_sent, "values_stored": False}
            if cookies_used
            else None
        ),
        "limits": {
            "timeout_seconds": options.fetch.timeout,
            "total_timeout_seconds": options.fetch.total_timeout,
            "max_bytes": options.fetch.max_bytes,
            "max_redirects": options.fetch.max_redirects,
            "certificate_checked": options.fetch.verify_tls,
        },
        "browser": browser_facts,
        "screenshot": screenshot,
        "tools": _tools(rendered),
    }


# ---- storing ---------------------------------------------------------------------------------------


def _store(
    case: Case,
    url_record: UrlRecord,
    work: Path,
    capture: dict[str, Any],
    *,
    not_intimate_confirmed: bool = False,
) -> ArchiveResult:
    names = [name for name in (WARC_NAME, SCREENSHOT_NAME, PDF_NAME, CHAIN_NAME) if (work / name).is_file()]
    capture["files"] = {_ROLE[name]: name for name in names}
    url_id = url_record["id"]
    with case.change("archive-url") as change:
        number = len(captures_of(change.existing_items, url_id)) + 1
        item_id = change.next_item_id()
        bag_path = f"{layout.WEB_DIR}/{url_id}-{number}"
        staged = change.reserve_payload(bag_path)
        staged.mkdir(mode=0o700)
        files = []
        for name in names:
            digest = copy_and_hash(work / name, staged / name)
            change.add_payload(f"{bag_path}/{name}", digest.sha256, digest.size)
            files.append(
                {
                    "path": name,
                    "role": _ROLE[name],
                    "size": digest.size,
                    "sha256": digest.sha256,
                    "mime": _MIME[name],
                }
            )
        tree = hashlib.sha256("".join(f"{f['sha256']}  {f['path']}\n" for f in files).encode("utf-8"))
        now = change.now()
        record: dict[str, Any] = {
            "id": item_id,
            "kind": "url-capture",
            "url_id": url_id,
            "capture_number": number,
            "original_name": url_record["url"],
            "source_path": None,
            "source_url": url_record["url"],
            "captured_at": iso_utc(now),
            "captured_at_local": case.local_time(now),
            "captured_by": change.actor,
            "note": None,
            "tags": [],
            "sensitive": False,
            "by_reference": False,
            "size": sum(f["size"] for f in files),
            "sha256": None,
            "md5": None,
            "tree_sha256": tree.hexdigest(),
            "file_count": len(files),
            "files": files,
            "mime": "inode/directory",
            "bag_path": bag_path,
            "stored_name_changed": False,
            "web_capture": capture,
        }
        details: dict[str, Any] = {
            "item": item_id,
            "kind": "url-capture",
            "original_name": url_record["url"],
            "size": record["size"],
            "by_reference": False,
            "tree_sha256": record["tree_sha256"],
            "file_count": len(files),
            "url_id": url_id,
        }
        if not_intimate_confirmed:
            record["not_intimate_confirmed"] = details["not_intimate_confirmed"] = True
        change.add_item(record)
        change.log("item-captured", details)
        change.log(
            "url-archived",
            {
                "url_id": url_id,
                "item": item_id,
                "requested_url": capture["requested_url"],
                "final_url": capture["final_url"],
                "status": capture["status"],
                "ip": capture["ip"],
                "fetched_at": capture["fetched_at"],
                "files": {f["path"]: f["sha256"] for f in files},
                "problems": [e["code"] for e in capture["errors"]],
            },
        )
        return ArchiveResult(url_id=url_id, item=record, recovered=change.recovered)


# ---- several addresses -----------------------------------------------------------------------------


def archive_urls(
    case: Case,
    url_ids: Sequence[str] = (),
    *,
    again: bool = False,
    options: ArchiveOptions | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> BatchResult:
    """Archive the named addresses (or every address not archived yet). One change per address, so
    a failure or Ctrl-C part-way keeps every capture already made."""
    batch = BatchResult()
    records = case.urls()
    items = case.items()
    if url_ids:
        wanted = [find_url(case, url_id) for url_id in dict.fromkeys(u.strip().upper() for u in url_ids)]
    else:
        wanted = records
    if not wanted:
        raise InvalidValueError(
            "This case has no web addresses to archive yet.",
            hint="Record one first: evidencekit add-url https://… --archive",
        )
    for record in wanted:
        url_id = record["id"]
        if record.get("sensitive"):
            batch.sensitive.append(url_id)
            continue
        if not url_ids and not again and captures_of(items, url_id):
            batch.already.append(url_id)
            continue
        try:
            result = archive_url(case, url_id, options=options, progress=_for_one(progress, url_id))
        except WebCaptureError as exc:
            batch.failed.append((url_id, exc))
            continue
        batch.captured.append(result)
    return batch


def _for_one(progress: Callable[[str, str], None] | None, url_id: str) -> Progress | None:
    """The batch's progress callback, told which address each step is for."""
    if progress is None:
        return None
    report = progress

    def step(what: str) -> None:
        report(url_id, what)

    return step
