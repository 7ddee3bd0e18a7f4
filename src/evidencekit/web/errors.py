"""Why a web capture could not be made, in words a frightened person can act on.

Each error has a stable `code` (also used in `--json` output) besides the sentence and the hint.
These are raised only when nothing could be captured at all; problems with a page that was still
captured (a 404, a cut-off download, a login page) are recorded in the capture instead.
"""

from __future__ import annotations

from evidencekit.errors import EvidenceKitError


class WebCaptureError(EvidenceKitError):
    """Nothing could be captured from this address."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.code = code


class UnderEighteenPageError(WebCaptureError):
    """An under-18 case: a page is only opened once someone confirms it shows no nudity."""

    def __init__(self, url_id: str) -> None:
        super().__init__(
            "under-18",
            f"This case is marked: someone shown may have been under 18. Archiving {url_id} would "
            "make new copies of whatever the page shows, so evidencekit needs you to confirm first "
            "that the page shows no nudity.",
            hint="Nothing was fetched; the address itself stays recorded. If the page shows no "
            "intimate image (for example a profile page), run the same command with --not-intimate. "
            "If it does, do not open it: report the address instead (see evidencekit guide).",
        )


class SensitiveUrlError(EvidenceKitError):
    """The address was marked sensitive: it is never fetched or screenshotted."""

    code = "sensitive"


class CookiesFileError(EvidenceKitError):
    """The cookies file given with --cookies cannot be used."""

    code = "cookies-file"


def seconds(value: float) -> str:
    """`1 second`, `2.5 seconds`: durations in messages."""
    return f"{value:g} second" + ("" if value == 1 else "s")
