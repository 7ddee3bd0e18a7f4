"""From a recognised export to transcript files in a working folder, never raising for bad data.

The parser yields messages; `TranscriptWriter` writes them; when the parser stops early because
the export is damaged, what was read is kept and the header says the transcript is incomplete and
why. Only problems writing our own files (a full disk) are raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.exports.base import (
    Detection,
    NeedsDateOrder,
    ParseContext,
    Parser,
    read_errors,
    read_problem,
)
from evidencekit.exports.checks import DateGuard
from evidencekit.exports.renderings import render_files
from evidencekit.exports.source import Source
from evidencekit.exports.transcript import (
    CSV,
    HTML,
    TRANSCRIPT_FORMAT,
    MediaPolicy,
    TranscriptWriter,
    WrittenFile,
)

COMPLETE = "complete"
PARTIAL = "partial"
UNREADABLE = "unreadable"
NEEDS_DATE_ORDER = "needs-date-order"


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
    media_policy: MediaPolicy | None = None,
) -> Outcome:
    """Parse `source` and write transcript.jsonl, .csv and .html (and inline media) in `workdir`.

    Every message passes the date guard on its way (checks.DateGuard): doubtful dates are flagged
    per message and summed up in the header, whatever the format.
    """
    reading_order = detection.info.get("reading_order", parser.reading_order)
    writer = TranscriptWriter(workdir, source, derived_prefix, reading_order)
    writer.newest_first = bool(detection.info.get("newest_first"))
    writer.media_policy = media_policy
    guard = DateGuard.for_export(parser.name, detection, reading_order, context.not_after)
    problem = None
    bug = False
    errors = read_errors()
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
                problem = _problem_sentence(exc, guard.fed)
                break
            except OSError:
                raise  # the disk, not the export: the capture's own error handling explains it
            except Exception as exc:  # noqa: BLE001 - see _bug_sentence
                problem = _bug_sentence(exc, guard.fed)
                bug = True
                break
            for ready in guard.feed(message):
                writer.add(ready)
        for ready in guard.finish():
            writer.add(ready)
    except BaseException:
        writer.abandon()
        raise
    count = writer.stats.messages + writer.stats.system
    lost = list(context.facts.get("lost") or [])
    if problem is not None and count == 0:
        writer.abandon()
        return Outcome(UNREADABLE, problem, bug=bug)
    if lost and count == 0:
        writer.abandon()
        return Outcome(UNREADABLE, _lost_sentence(lost))
    if problem is None and lost:
        problem = _lost_sentence(lost)
    for warning in guard.warnings():
        context.warn(warning)
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
        "lost": lost,
        "warnings": list(context.warnings),
        "summary": summary,
    }
    jsonl = writer.finish(header)
    files = list(writer.files)
    files.extend(render_files(jsonl.path, {"csv": workdir / CSV, "html": workdir / HTML}))
    return Outcome(status, problem, files, header, summary, bug=bug)


def _lost_sentence(lost: list[dict[str, Any]]) -> str:
    """One sentence for the parts of an export that could not be read (each is in `lost`)."""
    first = lost[0]
    more = f" and {len(lost) - 1:,} other file(s) of the export" if len(lost) > 1 else ""
    return (
        f"“{first.get('file')}”{more} could not be read completely ({first.get('problem')}); "
        "every other part was read, and the transcript header lists what was lost"
    )


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
    return f"{read_problem(exc)} (reading stopped {after})"
