"""Turning the report data into HTML (Jinja2) and PDF, from one template.

The HTML is self-contained: styles inline, previews as `data:` images, no scripts, and a
Content-Security-Policy that forbids a browser from loading anything else.

The PDF is the same HTML printed. When a Chromium-family browser is installed (the one the web
capture already uses, found by `web.browser.find_browser`), it prints the report through Playwright:
on a case of 1,000 exhibits and 50,000 messages that takes a fifth to a quarter of WeasyPrint's time
(see docs/performance.md). The browser runs offline with JavaScript off and every request refused,
so it reads nothing but the HTML it is given. Without a browser (or when it cannot start), WeasyPrint
prints it, with a URL fetcher that refuses everything but `data:` URIs, so rendering never touches
the network or the file system either way.
"""

from __future__ import annotations

import html as markup
import importlib
import logging
import os
from typing import Any, Literal

from evidencekit.errors import EvidenceKitError

TEMPLATE = "report.html.j2"
Engine = Literal["chromium", "weasyprint"]
ENGINES: tuple[Engine, ...] = ("chromium", "weasyprint")
# A big case's report prints in well under a minute; this is only there so a browser that hangs
# does not hang the command (WeasyPrint is tried next).
CHROMIUM_TIMEOUT_MS = 600_000
# Chromium draws the page-number footer of the CSS (@page margin boxes) from version 131 on; an older
# one is given the same footer as a template.
MARGIN_BOXES_SINCE = 131


class PdfUnavailableError(EvidenceKitError):
    """Neither a Chromium-family browser nor WeasyPrint can print a PDF here."""


class _EngineFailed(Exception):
    """This engine could not print here; the next one is tried."""


def render_html(data: dict[str, Any]) -> str:
    from evidencekit.templates import environment

    return environment("evidencekit.report").get_template(TEMPLATE).render(**data)


def render_pdf(html: str, *, engines: tuple[Engine, ...] = ENGINES) -> bytes:
    """The PDF of `html`, printed by the first of `engines` that works here.

    Raises PdfUnavailableError when none does.
    """
    reasons: list[str] = []
    for engine in engines:
        try:
            return _chromium_pdf(html) if engine == "chromium" else _weasyprint_pdf(html)
        except _EngineFailed as exc:
            reasons.append(str(exc))
    raise PdfUnavailableError(
        "The PDF could not be made: " + "; ".join(reasons or ["no PDF printer was chosen"]) + ".",
        hint="The HTML report can be opened in any browser and printed to PDF from there. To make "
        "PDFs here, install Chromium (Debian/Ubuntu: apt install chromium) or Google Chrome, or the "
        "Pango library WeasyPrint uses (Debian/Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0; "
        "macOS: brew install pango), see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html",
    )


def pdf_engine_available(engine: Engine) -> bool:
    """Whether `engine` is installed here (not whether it will manage to start)."""
    if engine == "chromium":
        from evidencekit.web.browser import find_browser

        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return False
        return find_browser() is not None
    try:
        _weasyprint()
    except (ImportError, OSError):
        return False
    return True


def _chromium_pdf(html: str) -> bytes:
    from evidencekit.web.browser import CHROMIUM_ARGS, find_browser

    executable = find_browser()
    if executable is None:
        raise _EngineFailed("no Chromium, Chrome or Edge browser was found")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise _EngineFailed("the Python package “playwright” is not installed") from None
    try:
        with sync_playwright() as driver:
            browser = _launch(driver, executable, CHROMIUM_ARGS, PlaywrightError)
            try:
                return _print(browser, html)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise _EngineFailed(f"the browser could not print the report ({_first_line(exc)})") from None


def _launch(driver: Any, executable: str, args: list[str], error: type[Exception]) -> Any:
    """The browser, with its sandbox where it can have one (Chromium refuses it as root, and some
    containers cannot provide it). The page it prints is ours: escaped values, no script, no request
    answered, so printing without the sandbox does not open the computer to the case's contents."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    last: Exception | None = None
    for sandbox in [False] if as_root else [True, False]:
        try:
            return driver.chromium.launch(
                executable_path=executable,
                args=args,
                headless=True,
                chromium_sandbox=sandbox,
                timeout=60_000,
            )
        except error as exc:
            last = exc
    raise _EngineFailed(f"the browser at {executable} could not be started ({_first_line(last)})")


def _print(browser: Any, html: str) -> bytes:
    context = browser.new_context(
        java_script_enabled=False,
        offline=True,
        service_workers="block",
        accept_downloads=False,
    )
    try:
        context.route("**/*", lambda route: route.abort())  # the report loads nothing
        page = context.new_page()
        page.set_default_timeout(CHROMIUM_TIMEOUT_MS)
        page.set_content(html, wait_until="load")
        options: dict[str, Any] = {"prefer_css_page_size": True, "print_background": True, "outline": False}
        if _major(browser.version) < MARGIN_BOXES_SINCE:
            options.update(_footer_template(page))
        pdf: bytes = page.pdf(**options)
        return pdf
    finally:
        context.close()


def _footer_template(page: Any) -> dict[str, Any]:
    label = page.evaluate("document.title") or "evidence report"
    style = "font: 7pt sans-serif; color: #444; width: 100%; margin: 0 12mm; display: flex;"
    return {
        "display_header_footer": True,
        "header_template": "<span></span>",
        "footer_template": f'<div style="{style}"><span style="flex: 1">{markup.escape(label)}</span>'
        'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
    }


def _major(version: str) -> int:
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 0


class _Collect(logging.Handler):
    """Keeps WeasyPrint's messages (unsupported CSS…) out of the user's terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _weasyprint_pdf(html: str) -> bytes:
    try:
        weasyprint = _weasyprint()
    except (ImportError, OSError) as exc:
        raise _EngineFailed(
            "the PDF library (WeasyPrint, or the Pango text library it uses) is not available "
            f"on this computer ({type(exc).__name__})"
        ) from None
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    previous = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher())
        pdf: bytes = document.write_pdf()
        return pdf
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


def _weasyprint() -> Any:
    """The weasyprint module (it has no type hints; loading it also loads Pango, or fails).

    Loading it sets Pillow's process-wide `LOAD_TRUNCATED_IMAGES`, after which every picture this
    process decodes (perceptual hashes, previews, OCR) would be taken whole when it is cut short:
    the setting is put back. The report's own pictures are previews evidencekit made, never cut."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        return importlib.import_module("weasyprint")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _data_only_fetcher() -> Any:
    """A fetcher that serves `data:` URIs and refuses anything else (no network, no files)."""
    try:
        return importlib.import_module("weasyprint.urls").URLFetcher(allowed_protocols={"data"})
    except (ImportError, AttributeError, TypeError):  # older WeasyPrint: a plain function
        default_url_fetcher = _weasyprint().default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError("evidencekit reports never load external resources")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch


def _first_line(exc: BaseException | None) -> str:
    text = str(getattr(exc, "message", None) or exc or "").strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
