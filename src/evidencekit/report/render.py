"""Turning the report data into HTML (Jinja2) and PDF (WeasyPrint), from one template.

The HTML is self-contained: styles inline, previews as `data:` images, no scripts, and a
Content-Security-Policy that forbids a browser from loading anything else. The PDF is made from the
same HTML by WeasyPrint, with a URL fetcher that refuses everything but `data:` URIs, so rendering
never touches the network or the file system.
"""

from __future__ import annotations

import logging
from typing import Any

from evidencekit.errors import EvidenceKitError

TEMPLATE = "report.html.j2"


class PdfUnavailableError(EvidenceKitError):
    """WeasyPrint (or the system libraries it needs) is not available."""


def render_html(data: dict[str, Any]) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("evidencekit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(**data)


class _Collect(logging.Handler):
    """Keeps WeasyPrint's messages (unsupported CSS…) out of the user's terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(html: str) -> bytes:
    """The PDF of `html`. Raises PdfUnavailableError when WeasyPrint cannot run here."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailableError(
            "The PDF could not be made: the PDF library (WeasyPrint, or the Pango text library it "
            f"uses) is not available on this computer ({type(exc).__name__}).",
            hint="The HTML report can be opened in any browser and printed to PDF from there. To make "
            "PDFs here, install Pango (Debian/Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0; "
            "macOS: brew install pango), see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html",
        ) from None
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    previous = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher())
        return document.write_pdf()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


def _data_only_fetcher() -> Any:
    """A fetcher that serves `data:` URIs and refuses anything else (no network, no files)."""
    try:
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols={"data"})
    except (ImportError, TypeError):  # older WeasyPrint: a plain function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError("evidencekit reports never load external resources")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
