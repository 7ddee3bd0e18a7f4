"""The capture enricher for chat exports, and the same work for `evidencekit transcript --rebuild`.

Listed in `evidencekit/enrichers.py` (CAPTURE_ENRICHERS), it runs for every newly captured item
inside the capture's all-or-nothing change. When the item is a chat export it records `kind: chat-export`,
an `export` summary and (for a zip) every member's SHA-256 in the item record, and stages
`transcript.jsonl`, `.csv` and `.html` under `data/derived/<item id>/`. A damaged export is kept as
it is, with a warning; nothing about a bad export stops the capture.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.case import layout
from evidencekit.case.case import CaseChange
from evidencekit.case.flags import under_18
from evidencekit.clock import iso_utc, load_zone, parse_iso
from evidencekit.errors import InvalidValueError

if TYPE_CHECKING:
    from evidencekit.exports.base import Detection, ParseContext, Parser
    from evidencekit.exports.pipeline import Outcome
    from evidencekit.exports.source import Source
    from evidencekit.exports.transcript import MediaPolicy

DATE_ORDERS = ("dmy", "mdy", "ymd")
_SKIP_MIME = ("image/", "video/", "audio/")
_EXPORT_NAME = re.compile(
    r"whatsapp|_chat\.txt$|message_\d+\.json$|result\.json$|chat_history|^sms-.*\.xml$|^calls-.*\.xml$"
    r"|messages\.(json|csv|html)$|message_\d+\.html$"
    r"|^(facebook|instagram|messenger|telegram|snapchat|discord|mydata|package|chatexport|dataexport)",
    re.IGNORECASE,
)


def check_options(options: dict[str, Any]) -> None:
    """Refuse an unknown --date-order or time zone before anything is read."""
    order = options.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise InvalidValueError(
            f"“{order}” is not a date order evidencekit knows.",
            hint="Use dmy (14/03/2024 is 14 March), mdy (03/14/2024) or ymd (2024/03/14).",
        )
    load_zone(options.get("export_timezone"))


def enrich_capture(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """CAPTURE_ENRICHERS entry: recognise a chat export and make its transcript."""
    if readable is None:
        return []
    mime = record.get("mime") or ""
    if mime.startswith(_SKIP_MIME) and record.get("kind") != "chat-export":
        return []
    check_options(options)
    return transcribe_item(change, record, readable, options)


def transcribe_item(
    change: CaseChange,
    record: dict[str, Any],
    readable: Path,
    options: dict[str, Any],
    *,
    rebuild: bool = False,
) -> list[str]:
    """Recognise `record`'s export, set its `export` (and `archive`) facts, stage its transcript.

    Returns warnings (sentences). On a rebuild the record is a copy: items are never edited, so
    the caller logs the new summary in the custody log instead.
    """
    from evidencekit.exports import detect
    from evidencekit.exports.source import SourceRefused, ZipSource, open_source

    item_id = record["id"]
    name = record.get("original_name") or item_id
    by_reference = bool(record.get("by_reference"))
    warnings: list[str] = []
    try:
        source = open_source(
            readable,
            name,
            record.get("files"),
            None if by_reference else record.get("bag_path"),
            record.get("sha256"),
        )
    except SourceRefused as exc:
        if _named_like_export(name) or record.get("kind") == "chat-export" or "zip bomb" in str(exc):
            record["export"] = _not_read("refused", f"evidencekit did not open it: {exc}")
            return [f"{item_id} “{name}” was kept exactly as it is, but evidencekit did not open it: {exc}."]
        return []
    except OSError as exc:
        record["export"] = _not_read("unreadable", f"it could not be read ({exc.strerror or exc})")
        return [f"{item_id} “{name}” was kept, but evidencekit could not read it to look for a chat export."]
    with contextlib.closing(source):
        found = detect(source)
        if found is None:
            html = any(re.search(r"(?:^|/)(?:message_\d+|messages\d*)\.html$", n) for n in source.names())
            if html or _named_like_export(name) or record.get("kind") == "chat-export":
                record["export"] = _not_read(
                    "not-recognised",
                    "it is not a chat export evidencekit recognises, so no transcript was made",
                )
                if html:
                    warnings.append(
                        f"{item_id} “{name}” looks like the HTML version of a chat export. It was kept as it "
                        "is, but evidencekit reads the JSON version: export again choosing JSON (or "
                        "“Machine-readable JSON”) and capture that too."
                    )
                else:
                    warnings.append(
                        f"{item_id} “{name}” was kept as it is, but evidencekit did not recognise it as a "
                        "chat export it can read, so no transcript was made. (Supported: WhatsApp; Instagram "
                        "and Facebook Messenger, JSON or HTML, and Facebook's HTML download from before "
                        "2018; Telegram JSON; Snapchat; Discord; SMS Backup & Restore; iPhone and Mac "
                        "Messages; Signal via signal-export; TikTok, JSON or TXT.)"
                    )
            return warnings
        parser, detection = found
        record["kind"] = "chat-export"
        if isinstance(source, ZipSource):
            if rebuild and record.get("archive"):
                source.use_known_hashes(record["archive"].get("members") or [])
            else:
                members = source.hash_members()
                record["archive"] = {"type": "zip", "member_count": len(members), "members": members}
        if source.problems:
            shown = "; ".join(source.problems[:3]) + ("…" if len(source.problems) > 3 else "")
            warnings.append(f"{item_id} “{name}”: some files inside it were set aside: {shown}.")
        export: dict[str, Any] = {
            "format": parser.name,
            "label": detection.label,
            "variant": detection.variant,
            "parser_version": parser.version,
            "files": detection.files,
        }
        record["export"] = export
        if by_reference:
            export.update(
                status="not-transcribed",
                problem="it was recorded by reference (sensitive), so no copy of its content is kept",
            )
            return warnings
        context = _context(change, record, options)
        outcome = _run(change, parser, detection, source, context, record, rebuild=rebuild)
    if not rebuild:  # a re-made transcript copies no picture in such a case (see _media_policy)
        _refuse_embedded_media_in_under_18_case(change, record, outcome.summary)
    export.update(
        status=outcome.status,
        problem=outcome.problem,
        time_zone=context.zone_name,
        date_order=context.facts.get("date_order"),
        date_order_reason=context.facts.get("date_order_reason"),
        one_sided=context.facts.get("one_sided"),
        warnings=list(context.warnings),
        transcript=None,
    )
    export.update(outcome.summary)
    unreferenced = context.facts.get("unreferenced_media")
    if unreferenced is not None:
        export["unreferenced_media"] = unreferenced[:200]
        export["unreferenced_media_count"] = len(unreferenced)
    prefix = f"{layout.DERIVED_DIR}/{item_id}"
    if outcome.files:
        export["transcript"] = f"{prefix}/transcript.jsonl"
        export["derived_files"] = {f"{prefix}/{f.relative}": f.sha256 for f in outcome.files}
    warnings.extend(_outcome_warnings(item_id, name, outcome, context.warnings))
    return warnings


def _refuse_embedded_media_in_under_18_case(
    change: CaseChange, record: dict[str, Any], summary: dict[str, Any]
) -> None:
    """Pictures inside an export file (MMS in an SMS backup) are images like any other: in an
    under-18 case they need the person's confirmation, or the whole capture is called off (nothing
    is kept, as for a folder of pictures)."""
    embedded = (summary.get("attachments") or {}).get("embedded_media", 0)
    if not embedded or not under_18(change.case) or record.get("not_intimate_confirmed"):
        return
    from evidencekit.intake.safeguard import MediaFinding, UnderEighteenMediaError

    name = record.get("original_name") or record["id"]
    raise UnderEighteenMediaError([MediaFinding(f"{name} → {embedded} picture(s) inside it", "image")])


def _not_read(status: str, problem: str) -> dict[str, Any]:
    return {"format": None, "status": status, "problem": problem, "transcript": None}


def _named_like_export(name: str) -> bool:
    return bool(_EXPORT_NAME.search(name.rsplit("/", 1)[-1]))


def _context(change: CaseChange, record: dict[str, Any], options: dict[str, Any]) -> ParseContext:
    from evidencekit.exports.base import ParseContext

    zone_name = options.get("export_timezone") or change.case.info.zone
    zone: tzinfo | None = load_zone(zone_name) if zone_name else None
    return ParseContext(
        zone=zone,
        zone_name=zone_name,
        display_zone=zone or change.case.zone,
        date_order=options.get("date_order"),
        not_after=_captured_at(record, change.now()),
        source_name=record.get("original_name") or "",
    )


def _captured_at(record: dict[str, Any], now: datetime) -> datetime:
    """When the export was captured: no message in it can be later. A transcript made again
    later (--rebuild) still measures against the capture, not against today; the record is read
    from the case, so anything but a real moment before now is ignored."""
    written = record.get("captured_at")
    if isinstance(written, str):
        try:
            moment = parse_iso(written)
        except ValueError:
            return now
        if moment.tzinfo is not None and moment <= now:
            return moment
    return now


def _media_policy(change: CaseChange) -> MediaPolicy:
    """Whether a file embedded in the export (an MMS picture) may be saved as a derived file:
    never in a case marked under 18 (a copy may itself be unlawful), and never when the case
    already records the same bytes as sensitive. It is hashed either way."""
    from evidencekit.intake.safeguard import SensitiveHashes

    if under_18(change.case):
        reason = (
            "this case is marked: someone shown may be under 18, so pictures are never copied (only hashed)"
        )
        return lambda sha256, size: reason
    known = SensitiveHashes.of_items(change.existing_items)
    return lambda sha256, size: known.reason(sha256)


def _run(
    change: CaseChange,
    parser: Parser,
    detection: Detection,
    source: Source,
    context: ParseContext,
    record: dict[str, Any],
    *,
    rebuild: bool,
) -> Outcome:
    from evidencekit.exports.pipeline import transcribe

    item_id = record["id"]
    workdir = change.journal.stage / f"transcript-{item_id}"
    workdir.mkdir(mode=0o700)
    try:
        outcome = transcribe(
            parser,
            detection,
            source,
            context,
            workdir,
            item=record,
            derived_prefix=f"{layout.DERIVED_DIR}/{item_id}",
            made_at=iso_utc(change.now()),
            media_policy=_media_policy(change),
        )
        existing = change.case.manifest()
        for written in outcome.files:
            bag_path = f"{layout.DERIVED_DIR}/{item_id}/{written.relative}"
            if bag_path in existing:
                target = change.replace_payload(bag_path, written.sha256, written.size)
            else:
                target = change.reserve_payload(bag_path)
                change.add_payload(bag_path, written.sha256, written.size)
            written.path.replace(target)
        if rebuild:
            _withdraw_stale_attachments(change, item_id, outcome, existing)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


def _withdraw_stale_attachments(
    change: CaseChange, item_id: str, outcome: Outcome, manifest: dict[str, str]
) -> None:
    """Pictures an earlier transcript saved out of the export (MMS pictures) that this one does
    not save again leave the case in the same change: above all when the case has since been
    marked as involving someone under 18, where keeping such a copy may be unlawful. The export
    itself, which holds the same bytes, is evidence and stays; the new transcript keeps each
    picture's SHA-256, and the custody log says what was withdrawn and why."""
    from evidencekit.exports.transcript import ATTACHMENTS_DIR

    folder = f"{layout.DERIVED_DIR}/{item_id}/{ATTACHMENTS_DIR}/"
    kept = {f"{layout.DERIVED_DIR}/{item_id}/{written.relative}" for written in outcome.files}
    stale = sorted(path for path in manifest if path.startswith(folder) and path not in kept)
    if not stale:
        return
    if under_18(change.case):
        reason = (
            "the case is now marked: someone shown may be under 18, so pictures saved out of the export "
            "before that are no longer kept as copies (the export itself and each picture's SHA-256 stay)"
        )
    else:
        reason = (
            "the re-made transcript does not save these pictures as separate files (each one's SHA-256 "
            "stays in the transcript, and the export itself is unchanged)"
        )
    change.withdraw_derived(item_id, stale, reason)


def _outcome_warnings(item_id: str, name: str, outcome: Outcome, parser_warnings: list[str]) -> list[str]:
    from evidencekit.exports.pipeline import NEEDS_DATE_ORDER, PARTIAL, UNREADABLE

    out = []
    if outcome.status == NEEDS_DATE_ORDER:
        out.append(
            f"{item_id}: {outcome.problem} It was saved, but no transcript was made yet, so that no "
            f"date is shown wrongly. Run: evidencekit transcript {item_id} --date-order dmy (if the "
            f"phone shows 14/03 for 14 March) or --date-order mdy (if it shows 03/14)."
        )
    elif outcome.status == UNREADABLE:
        out.append(
            f"{item_id} “{name}” was kept exactly as it is, but no messages could be read from it: "
            f"{outcome.problem}." + ("" if outcome.bug else " Try exporting the chat again.")
        )
    elif outcome.status == PARTIAL:
        out.append(
            f"{item_id} “{name}” was kept exactly as it is, but its transcript is incomplete: "
            f"{outcome.problem}. Every message that could be read is in the transcript."
        )
    out.extend(f"{item_id}: {w}" for w in parser_warnings)
    return out
