"""CAPTURE_ENRICHERS: what looks at every newly captured item (files, folders, the screen).

This is the one list. Capture (`intake`) sits below the parts that know what an item may be (a
chat export, …), so it cannot import them; this module, above them all, names them, and the
package's `__init__` hands the list to `intake.enrichers` before any capture can run.

To add an enricher:

1. Write it where its work belongs (e.g. `evidencekit/ocr/enrich.py`), as
   `run(change, record, readable_path, options) -> list[str]` (see `intake.enrichers` for what
   each argument is). It may add fields to `record` (declare them in `case/records/item.py`) and
   stage derived files through `change`; it returns warnings as sentences, and never prints.
2. Add a line below: `CaptureEnricher("<what it looks at the item as>", _your_function)`, with a
   small function that imports your module when it runs (so `evidencekit --help` stays fast, and
   a part that cannot be imported is a warning, not a failed capture).

They run in this order, each inside the same all-or-nothing change. An enricher that raises
ImportError is reported ("could not look at it as …"), and in an under-18 case the item is then
kept by reference, never copied: the chat-export enricher holds the guard for pictures inside
exports, which must never be skipped silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.intake.enrichers import CaptureEnricher

if TYPE_CHECKING:
    from evidencekit.case.case import CaseChange


def _chat_export(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    from evidencekit.exports.enrich import enrich_capture

    return enrich_capture(change, record, readable, options)


def _perceptual(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    from evidencekit.perceptual.enrich import enrich_capture

    return enrich_capture(change, record, readable, options)


def _ocr(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    from evidencekit.ocr.service import enrich_capture

    return enrich_capture(change, record, readable, options)


CAPTURE_ENRICHERS: tuple[CaptureEnricher, ...] = (
    CaptureEnricher("a chat export", _chat_export),
    CaptureEnricher("a picture or video to hash for hash lists (PDQ, SHA-1)", _perceptual),
    CaptureEnricher("a screenshot or picture to read the text in", _ocr),
)
