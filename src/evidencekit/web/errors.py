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


class SensitiveUrlError(EvidenceKitError):
    """The address was marked sensitive: it is never fetched or screenshotted."""

    code = "sensitive"


class CookiesFileError(EvidenceKitError):
    """The cookies file given with --cookies cannot be used."""

    code = "cookies-file"


def seconds(value: float) -> str:
    """`1 second`, `2.5 seconds`: durations in messages."""
    return f"{value:g} second" + ("" if value == 1 else "s")
