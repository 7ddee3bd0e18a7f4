"""Chat exports: recognise them, read them, and write a transcript police can read.

Each format lives in its own module with a `PARSER` object (see `base.Parser`). `detect()` asks
every parser how sure it is and returns the best match. Nothing here writes into a case: the
capture enricher (`enrich`) and the `transcript` command do that, inside a case change.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from evidencekit._lazy import lazy_names

if TYPE_CHECKING:
    from evidencekit.exports.base import Detection, Parser
    from evidencekit.exports.source import Source

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "Detection": ("evidencekit.exports.base", "Detection"),
        "Parser": ("evidencekit.exports.base", "Parser"),
        "Source": ("evidencekit.exports.source", "Source"),
    },
)

# One module per format; each has PARSER. Order matters only for ties.
PARSER_MODULES = (
    "evidencekit.exports.whatsapp",
    "evidencekit.exports.meta",
    "evidencekit.exports.telegram",
    "evidencekit.exports.snapchat",
    "evidencekit.exports.discord",
    "evidencekit.exports.sms",
    "evidencekit.exports.imessage",
    "evidencekit.exports.signal",
    "evidencekit.exports.tiktok",
    "evidencekit.exports.meta_html",
    "evidencekit.exports.facebook_legacy",
)
THRESHOLD = 0.5


def parsers() -> list[Parser]:
    return [importlib.import_module(name).PARSER for name in PARSER_MODULES]


def parser_named(name: str) -> Parser:
    for parser in parsers():
        if parser.name == name:
            return parser
    raise KeyError(name)


def detect(source: Source) -> tuple[Parser, Detection] | None:
    """The parser most sure the export is its format (at least THRESHOLD sure), or None."""
    best: tuple[Parser, Detection] | None = None
    for parser in parsers():
        try:
            found = parser.detect(source)
        except Exception:  # noqa: BLE001 - bytes a parser cannot even peek at are not its format
            found = None
        if found is None or found.confidence < THRESHOLD:
            continue
        if best is None or found.confidence > best[1].confidence:
            best = (parser, found)
    return best


__all__ = ["THRESHOLD", "Detection", "Parser", "Source", "detect", "parser_named", "parsers"]
