"""evidencekit: preserve evidence of sextortion in a case folder anyone can verify.

The few names a Python user needs; everything else is internal. Imports are lazy so that
`import evidencekit` (and the command line's start-up) stays fast.

    from pathlib import Path
    import evidencekit
    case = evidencekit.create_case(Path("my-case"), title="Instagram blackmail")
    evidencekit.capture(case, [Path("screenshot.png")])
    evidencekit.add_url(case, "https://www.instagram.com/someone/", kind="profile")
    print(evidencekit.seal_case(case).fingerprint)
    report = evidencekit.verify_case(case.root)
    assert report.ok, report.errors
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidencekit._lazy import lazy_names
from evidencekit._version import __version__
from evidencekit.intake.enrichers import provide as _provide_capture_enrichers

if TYPE_CHECKING:
    # What a type checker (and a user's editor) sees: the real signatures. At run time each name is
    # imported on first use from the module _LAZY names, and tests/test_public_api.py checks the
    # two lists agree.
    from evidencekit.case.case import Case, create_case
    from evidencekit.case.case import find_case as open_case
    from evidencekit.case.findings import VerifyReport
    from evidencekit.case.seal import seal_case
    from evidencekit.errors import EvidenceKitError
    from evidencekit.intake.enrichers import CaptureEnricher
    from evidencekit.intake.files import capture
    from evidencekit.intake.urls import add_url
    from evidencekit.verify import verify_case

__all__ = [
    "Case",
    "EvidenceKitError",
    "VerifyReport",
    "__version__",
    "add_url",
    "capture",
    "create_case",
    "open_case",
    "seal_case",
    "verify_case",
]

_LAZY = {
    "Case": ("evidencekit.case.case", "Case"),
    "create_case": ("evidencekit.case.case", "create_case"),
    "open_case": ("evidencekit.case.case", "find_case"),
    "capture": ("evidencekit.intake.files", "capture"),
    "add_url": ("evidencekit.intake.urls", "add_url"),
    "seal_case": ("evidencekit.case.seal", "seal_case"),
    "verify_case": ("evidencekit.verify", "verify_case"),
    "VerifyReport": ("evidencekit.case.findings", "VerifyReport"),
    "EvidenceKitError": ("evidencekit.errors", "EvidenceKitError"),
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


def _capture_enrichers() -> tuple[CaptureEnricher, ...]:
    from evidencekit.enrichers import CAPTURE_ENRICHERS

    return CAPTURE_ENRICHERS


# Capture (intake) cannot import what looks at each new item (exports, …, all above it): the list
# is in evidencekit/enrichers.py and is handed down here, since this runs before any capture can.
_provide_capture_enrichers(_capture_enrichers)
