"""Rendering a page in a real browser: a full-page screenshot and a PDF print.

A WARC keeps the bytes; investigators and courts also want to *see* the page as a person saw it.
Chromium (or Google Chrome / Microsoft Edge, which are Chromium too) is driven headless through
Playwright for Python, using the browser already installed on the computer — Playwright's own
browser download is never used. Each capture runs in a fresh, temporary browser profile that is
deleted afterwards, with background services (updates, sync, safe-browsing look-ups) switched off so
the browser talks only to the site being captured.

The screenshot is returned untouched; `banner.add_banner` then adds the capture facts around it.
"""

from __future__ import annotations

import contextlib
import html
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Flags for a quiet, disposable browser. The sandbox is on except as root (see _launch).
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
]
VIEWPORT = (1280, 900)
MAX_SCREENSHOT_HEIGHT = 16000  # Chromium's own limit is 16384 px; taller pages are cut (and say so)
SETTLE_MS = 3000  # after "load", wait at most this long for the network to go quiet
MAX_SCROLL_STEPS = 40  # screens scrolled to load what appears on scroll
SCROLL_PAUSE_MS = 150
SCROLL_SECONDS = 20.0


@dataclass
class BrowserResult:
    """What the browser saw, and the files it made (either may be missing; `errors` says why)."""

    screenshot: Path | None
    pdf: Path | None
    final_url: str | None = None
    status: int | None = None
    title: str | None = None
    version: str | None = None
    user_agent: str | None = None
    page_size: tuple[int, int] | None = None
    rendered_at: str | None = None
    sandboxed: bool | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


class BrowserUnavailable(Exception):
    """No browser can be started here; the message says why, in plain words."""


def find_browser() -> str | None:
    """The path of an installed Chromium-family browser, or None.

    EVIDENCEKIT_BROWSER wins; then the usual names on PATH; then the usual install places on macOS
    and Windows.
    """
    explicit = os.environ.get("EVIDENCEKIT_BROWSER")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
        "microsoft-edge",
        "msedge",
    ):
        found = shutil.which(name)
        if found:
            return found
    places: list[Path] = []
    if sys.platform == "darwin":
        places = [
            Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
            Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
            Path("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
        ]
    elif os.name == "nt":
        for base in (
            os.environ.get("PROGRAMFILES"),
            os.environ.get("PROGRAMFILES(X86)"),
            os.environ.get("LOCALAPPDATA"),
        ):
            if base:
                places += [
                    Path(base) / "Google/Chrome/Application/chrome.exe",
                    Path(base) / "Chromium/Application/chrome.exe",
                    Path(base) / "Microsoft/Edge/Application/msedge.exe",
                ]
    for place in places:
        if place.exists():
            return str(place)
    return None


def unavailable_reason() -> str | None:
    """Why no screenshot can be made here, or None when a browser and Playwright are present."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package “playwright” is not installed (pip install playwright)"
    if find_browser() is None:
        return "no Chromium, Chrome or Edge browser was found on this computer"
    return None


def render(
    url: str,
    out_dir: Path,
    *,
    timeout: float,
    ignore_https_errors: bool,
    cookies: list[dict[str, Any]] | None,
    header_text: str,
    now: Any,
    proxy: str | None = None,
) -> BrowserResult:
    """Open `url` in headless Chromium; save `screenshot-page.png` (full page) and `page.pdf`.

    `header_text` is printed in the PDF's top margin (outside the page's own content) and `now()`
    gives the render time. With `proxy` (the recorder's address), every request the browser makes
    goes through it, 127.0.0.1 included; the proxy checks the sites' certificates itself, so the
    browser accepts the proxy's own. Raises BrowserUnavailable when no browser can be started; problems with
    the page itself are returned in `errors`.
    """
    reason = unavailable_reason()
    if reason:
        raise BrowserUnavailable(reason)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = find_browser()
    result = BrowserResult(screenshot=None, pdf=None)
    timeout_ms = timeout * 1000
    try:
        driver = sync_playwright().start()
    except Exception as exc:  # noqa: BLE001 - Playwright's driver failing to start means "no browser"
        raise BrowserUnavailable(f"Playwright's driver could not be started ({_first_line(exc)})") from None
    try:
        browser = _launch(driver, executable, timeout_ms, result, PlaywrightError, proxy)
        try:
            accept_any = ignore_https_errors or proxy is not None
            visit = _Visit(url, out_dir, timeout_ms, accept_any, cookies, header_text, now)
            _visit(browser, executable, visit, result)
        except PlaywrightError as exc:
            result.errors.append(
                {
                    "code": "browser-failed",
                    "message": f"The browser stopped with an error ({_first_line(exc)}).",
                }
            )
        finally:
            browser.close()
    finally:
        driver.stop()
    return result


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _launch(
    driver: Any,
    executable: str | None,
    timeout_ms: float,
    result: BrowserResult,
    error: type[BaseException],
    proxy: str | None = None,
) -> Any:
    """Start the browser with its sandbox (the pages may be hostile); Chromium refuses the sandbox
    as root, and some containers cannot provide it: then without, and the capture says so."""
    attempts = [False] if _running_as_root() else [True, False]
    # Playwright adds "<-loopback>" so that even 127.0.0.1 goes through the proxy.
    extra: dict[str, Any] = {"proxy": {"server": proxy}} if proxy else {}
    last: BaseException | None = None
    for sandbox in attempts:
        try:
            browser = driver.chromium.launch(
                executable_path=executable,
                args=CHROMIUM_ARGS,
                timeout=timeout_ms,
                headless=True,
                chromium_sandbox=sandbox,
                **extra,
            )
        except error as exc:
            last = exc
            continue
        result.sandboxed = sandbox
        return browser
    raise BrowserUnavailable(
        f"the browser at {executable} could not be started ({_first_line(last) if last else 'no attempt'})"
    )


@dataclass(frozen=True)
class _Visit:
    """What to open and how (the arguments of `render`)."""

    url: str
    out_dir: Path
    timeout_ms: float
    ignore_https_errors: bool
    cookies: list[dict[str, Any]] | None
    header_text: str
    now: Any


def _visit(browser: Any, executable: str | None, visit: _Visit, result: BrowserResult) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from evidencekit.clock import iso_utc

    result.version = f"{_browser_name(executable)} {browser.version}"
    context = browser.new_context(
        viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]},
        device_scale_factor=1,
        ignore_https_errors=visit.ignore_https_errors,
        accept_downloads=False,
        service_workers="block",
        locale="en-GB",
    )
    if visit.cookies:
        context.add_cookies(visit.cookies)
    page = context.new_page()
    loading = _InFlight(page)
    page.set_default_timeout(visit.timeout_ms)
    result.rendered_at = iso_utc(visit.now())
    loaded = _open(page, visit.url, visit.timeout_ms, result, PlaywrightError, PlaywrightTimeout)
    if not loaded:
        return
    result.final_url = page.url
    result.user_agent = page.evaluate("navigator.userAgent")
    try:
        result.title = " ".join((page.title() or "").split()) or None
    except PlaywrightError:
        result.title = None
    _scroll_through(page, result, PlaywrightError, loading)
    _screenshot(page, visit.out_dir / "screenshot-page.png", result, PlaywrightError)
    _pdf(page, visit.out_dir / "page.pdf", visit.header_text, result, PlaywrightError)


def _open(
    page: Any,
    url: str,
    timeout_ms: float,
    result: BrowserResult,
    error: type[BaseException],
    timeout: type[BaseException],
) -> bool:
    try:
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
        result.status = response.status if response is not None else None
    except timeout:
        result.errors.append(
            {
                "code": "browser-timeout",
                "message": "The page did not finish loading in the browser in time; the screenshot "
                "shows what had loaded by then.",
            }
        )
        return True
    except error as exc:
        text = _first_line(exc)
        if "Download is starting" in text:
            code, message = (
                "browser-download",
                "The address leads to a file download rather than a page, so there is no screenshot; "
                "the file as the server sent it is in the WARC.",
            )
        else:
            code, message = "browser-failed", f"The browser could not open the page ({text})."
        result.errors.append({"code": code, "message": message})
        return False
    # Pages that keep polling never go quiet; what has loaded by then is captured.
    with contextlib.suppress(timeout):
        page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
    return True


class _InFlight:
    """The page's requests not yet answered (the load events fire only once, so waiting for
    "networkidle" again after scrolling would return at once)."""

    def __init__(self, page: Any) -> None:
        self.requests: set[Any] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        self.requests.add(request)

    def _ended(self, request: Any) -> None:
        self.requests.discard(request)

    def wait_quiet(self, page: Any, quiet_ms: int = 300, longest_ms: int = SETTLE_MS) -> None:
        """Until no request has been open for `quiet_ms`, or `longest_ms` have passed."""
        deadline = time.monotonic() + longest_ms / 1000
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if self.requests:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
            page.wait_for_timeout(100)


def _scroll_through(page: Any, result: BrowserResult, error: type[BaseException], loading: _InFlight) -> None:
    """Scroll down a screen at a time, as a person would, so that images and posts loaded on scroll
    are fetched (and recorded); then back to the top. An endless feed is followed only as far as the
    screenshot can show, and the capture says so."""
    script = "[window.scrollY + window.innerHeight, document.documentElement.scrollHeight]"
    started = time.monotonic()
    try:
        first_height = None
        for _step in range(MAX_SCROLL_STEPS):
            bottom, height = page.evaluate(script)
            first_height = first_height or height
            if bottom >= height:
                break
            if bottom >= MAX_SCREENSHOT_HEIGHT or time.monotonic() - started > SCROLL_SECONDS:
                if height <= first_height:
                    break  # a long page, not an endless one: the screenshot says it is cut
                result.errors.append(
                    {
                        "code": "scroll-stopped",
                        "message": f"The page kept growing as it was scrolled (an endless feed); "
                        f"evidencekit stopped after {int(bottom)} pixels and kept what had loaded.",
                    }
                )
                break
            page.evaluate("window.scrollBy(0, window.innerHeight)")
            page.wait_for_timeout(SCROLL_PAUSE_MS)
        page.evaluate("window.scrollTo(0, 0)")
        loading.wait_quiet(page)
    except error as exc:
        result.errors.append(
            {"code": "scroll-failed", "message": f"Scrolling the page failed ({_first_line(exc)})."}
        )


def _screenshot(page: Any, path: Path, result: BrowserResult, error: type[BaseException]) -> None:
    try:
        width, height = page.evaluate(
            "[Math.max(document.documentElement.scrollWidth, window.innerWidth),"
            " Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0, window.innerHeight)]"
        )
        width, height = int(width), int(height)
        result.page_size = (width, height)
        options: dict[str, Any] = {"path": str(path), "full_page": True, "animations": "disabled"}
        if height > MAX_SCREENSHOT_HEIGHT:
            options["clip"] = {"x": 0, "y": 0, "width": width, "height": MAX_SCREENSHOT_HEIGHT}
            result.errors.append(
                {
                    "code": "screenshot-cut",
                    "message": f"The page is {height} pixels tall; the screenshot shows the first "
                    f"{MAX_SCREENSHOT_HEIGHT} (the PDF and the WARC have all of it).",
                }
            )
        page.screenshot(**options)
        result.screenshot = path
    except error as exc:
        result.errors.append(
            {"code": "screenshot-failed", "message": f"The screenshot failed ({_first_line(exc)})."}
        )


def _pdf(page: Any, path: Path, header_text: str, result: BrowserResult, error: type[BaseException]) -> None:
    style = (
        "font-family: sans-serif; font-size: 8px; width: 100%; margin: 0 10mm; color: #000; "
        "overflow-wrap: anywhere;"
    )
    header = f'<div style="{style}">{html.escape(header_text)}</div>'
    footer = (
        f'<div style="{style} text-align: right;">evidencekit capture · page '
        '<span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )
    try:
        page.pdf(
            path=str(path),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=header,
            footer_template=footer,
            margin={"top": "22mm", "bottom": "15mm", "left": "10mm", "right": "10mm"},
        )
        result.pdf = path
    except error as exc:
        result.errors.append({"code": "pdf-failed", "message": f"The PDF print failed ({_first_line(exc)})."})


def _browser_name(executable: str | None) -> str:
    name = Path(executable or "").name.lower()
    if "edge" in name:
        return "Microsoft Edge"
    if "chrome" in name and "chromium" not in name:
        return "Google Chrome"
    return "Chromium"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
