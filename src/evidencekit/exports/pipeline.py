"""From a recognised export to transcript files in a working folder, never raising for bad data.

The parser yields messages; `TranscriptWriter` writes them; when the parser stops early because
the export is damaged, what was read is kept and the header says the transcript is incomplete and
why. Only problems writing our own files (a full disk) are raised.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.exports.base import Detection, ExportDamaged, NeedsDateOrder, ParseContext, Parser
from evidencekit.exports.source import Source
from evidencekit.exports.transcript import (
    CSV,
    HTML,
    TRANSCRIPT_FORMAT,
    TranscriptWriter,
    WrittenFile,
    render_files,
)

COMPLETE = "complete"
PARTIAL = "partial"
UNREADABLE = "unreadable"
NEEDS_DATE_ORDER = "needs-date-order"

# Errors raised while *reading* an export (JSON, XML, zip, text); anything else is a bug or a
# problem with our own disk and is not hidden.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    ExportDamaged,
    ValueError,  # json, ijson, bad numbers and dates
    UnicodeError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    csv.Error,  # e.g. a field longer than any message (the csv module's limit is 128 KB)
    KeyError,
    TypeError,
    AttributeError,
)


def _read_errors() -> tuple[type[BaseException], ...]:
    extra: list[type[BaseException]] = []
    try:
        import ijson

        extra.append(ijson.JSONError)
    except ImportError:  # pragma: no cover - ijson is a dependency
        pass
    from xml.parsers.expat import ExpatError

    extra.append(ExpatError)
    return _READ_ERRORS + tuple(extra)


@dataclass
class Outcome:
    status: str
    problem: str | None
    files: list[WrittenFile] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    bug: bool = False  # the problem is a bug in evidencekit, not damage in the export


def transcribe(
    parser: Parser,
    detection: Detection,
    source: Source,
    context: ParseContext,
    workdir: Path,
    *,
    item: dict[str, Any],
    derived_prefix: str,
    made_at: str,
) -> Outcome:
    """Parse `source` and write transcript.jsonl, .csv and .html (and inline media) in `workdir`."""
    reading_order = detection.info.get("reading_order", parser.reading_order)
    writer = TranscriptWriter(workdir, source, derived_prefix, reading_order)
    writer.newest_first = bool(detection.info.get("newest_first"))
    problem = None
    bug = False
    errors = _read_errors()
    messages = parser.parse(source, detection, context)
    try:
        while True:
            try:
                message = next(messages)
            except StopIteration:
                break
            except NeedsDateOrder as exc:
                writer.abandon()
                return Outcome(NEEDS_DATE_ORDER, str(exc), examples=exc.examples)
            except errors as exc:
                problem = _problem_sentence(exc, writer.stats.messages + writer.stats.system)
                break
            except OSError:
                raise  # the disk, not the export: the capture's own error handling explains it
            except Exception as exc:  # noqa: BLE001 - see _bug_sentence
                problem = _bug_sentence(exc, writer.stats.messages + writer.stats.system)
                bug = True
                break
            writer.add(message)
    except BaseException:
        writer.abandon()
        raise
    count = writer.stats.messages + writer.stats.system
    if problem is not None and count == 0:
        writer.abandon()
        return Outcome(UNREADABLE, problem, bug=bug)
    status = COMPLETE if problem is None else PARTIAL
    summary = writer.stats.summary()
    header = {
        "format": TRANSCRIPT_FORMAT,
        "item": item.get("id"),
        "item_name": item.get("original_name"),
        "item_sha256": item.get("sha256"),
        "item_tree_sha256": item.get("tree_sha256"),
        "export": detection.label,
        "export_variant": detection.variant,
        "export_files": detection.files,
        "parser": parser.name,
        "parser_version": parser.version,
        "tool": f"evidencekit {__version__}",
        "made_at": made_at,
        "reading_order": reading_order,
        "time_zone": context.zone_name,
        "time_zone_assumed": summary["times_zone_assumed"] > 0,
        "date_order": context.facts.get("date_order"),
        "date_order_reason": context.facts.get("date_order_reason"),
        "time_precision": context.facts.get("time_precision"),
        "one_sided": context.facts.get("one_sided"),
        "complete": status == COMPLETE,
        "problem": problem,
        "warnings": list(context.warnings),
        "summary": summary,
    }
    jsonl = writer.finish(header)
    files = list(writer.files)
    files.extend(render_files(jsonl.path, {"csv": workdir / CSV, "html": workdir / HTML}))
    return Outcome(status, problem, files, header, summary, bug=bug)


def _bug_sentence(exc: BaseException, count: int) -> str:
    """A parser failed in a way nobody foresaw. The export itself is already kept byte for byte,
    and preserving it matters more than its transcript, so the capture goes on (partial or no
    transcript) and the sentence says plainly that this is evidencekit's fault, to be reported."""
    after = f"after {count:,} message(s)" if count else "before any message"
    text = str(exc).strip()[:200]
    return (
        f"a bug in evidencekit stopped the transcript ({type(exc).__name__}{': ' + text if text else ''}; "
        f"reading stopped {after}). The export itself is kept unchanged; please report this to the "
        "evidencekit developers (never include images or messages)"
    )


def _problem_sentence(exc: BaseException, count: int) -> str:
    after = f"after {count:,} message(s)" if count else "before any message"
    if isinstance(exc, ExportDamaged):
        return f"{exc} (reading stopped {after})"
    name = type(exc).__name__
    text = str(exc).strip() or name
    if "Incomplete" in name or "premature EOF" in text or "no element found" in text:
        return f"the file ends too early: it looks cut off (reading stopped {after})"
    if isinstance(exc, csv.Error):
        return f"a CSV file of the export is damaged ({text}; reading stopped {after})"
    if isinstance(exc, UnicodeError):
        return f"the text is not in the expected encoding ({text}; reading stopped {after})"
    return (
        f"the export is damaged or not in the expected layout ({name}: {text[:200]}; reading stopped {after})"
    )
