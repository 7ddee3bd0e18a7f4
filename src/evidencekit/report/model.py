"""Everything the report shows, gathered from the case's records into plain data for the template.

Only records and stored (non-sensitive) files are read. Items recorded by reference are described
from their records alone: their originals are never opened, and the report lists them as withheld
with their hashes. Nothing here fetches anything from the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from evidencekit._version import __version__
from evidencekit.case.case import Case
from evidencekit.case.records import CustodyEntry, ItemRecord, UrlRecord
from evidencekit.clock import iso_utc
from evidencekit.report import thumbnails as thumbs
from evidencekit.report.offender_sheet import offender_sheet
from evidencekit.report.reports_tracker import tracker_block
from evidencekit.report.timeline import build_timeline, local_and_utc, when
from evidencekit.report.trusted_time import add_trusted_times
from evidencekit.sizes import human_size
from evidencekit.story import sources
from evidencekit.story.actions import ACTION_LABELS, REF_LABELS
from evidencekit.story.ocr_texts import unread_note, unread_pictures
from evidencekit.story.offenders import identifiers_of, is_weak
from evidencekit.story.payments import CALL_BANK, DONT_PAY, METHOD_LABELS
from evidencekit.story.preservation import Preservation, preservation_sheets
from evidencekit.story.records import ACTIONS, NOTES, OFFENDERS, PAYMENTS

LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "PR"}
DEFAULT_MAX_MESSAGES = 500
DEFAULT_MAX_THUMBNAILS = 48
MAX_MEMBERS_LISTED = 20  # files of a captured folder listed one by one in the exhibit list


@dataclass(frozen=True)
class ReportOptions:
    """What to put in the report. `max_messages=None` shows every chat message."""

    images: bool = True
    max_messages: int | None = DEFAULT_MAX_MESSAGES
    max_thumbnails: int = DEFAULT_MAX_THUMBNAILS
    in_case: bool = True
    actor: str | None = None


Progress = Callable[[str], None]


def _size(size: Any) -> str:
    """A record's size as the report shows it; a dash when the record has none (or not a number)."""
    return human_size(size) if isinstance(size, int) and not isinstance(size, bool) else "—"


def group8(text: str | None) -> str:
    """A fingerprint in groups of eight, as `seal` prints it."""
    if not text:
        return ""
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def collect(
    case: Case, options: ReportOptions, now: datetime, progress: Progress | None = None
) -> dict[str, Any]:
    """The template's data (a plain dict; see report.html.j2 for how each part is shown)."""
    say = progress or (lambda _text: None)
    zone = case.zone
    say("Reading the case records")
    items = case.items()
    urls = case.urls()
    custody = case.custody_entries()
    offenders = case.records(OFFENDERS.path)
    payments = case.records(PAYMENTS.path)
    notes = case.records(NOTES.path)
    actions = case.records(ACTIONS.path)
    manifest = case.manifest()
    by_id = {str(item.get("id")): item for item in items}

    def times(text: Any) -> dict[str, str]:
        local, utc = local_and_utc(when(text), zone)
        return {"local": local, "utc": utc}

    timeline = build_timeline(
        case,
        items=items,
        urls=urls,
        notes=notes,
        payments=payments,
        actions=actions,
        custody=custody,
        zone=zone,
        max_messages=options.max_messages,
        progress=say,
    )
    say("Preparing the tables")
    exhibits, withheld = _exhibits(items, times)
    add_trusted_times(exhibits + withheld, case, manifest, times)  # report/trusted_time.py
    _add_perceptual(withheld, items, case)
    data: dict[str, Any] = {
        "case": _case_block(case, items, urls, zone),
        "generated": {**times(iso_utc(now)), "tool": f"evidencekit {__version__}", "by": options.actor},
        "page_size": "Letter" if (case.info.country or "").upper() in LETTER_COUNTRIES else "A4",
        "seal": _seal_block(case, custody, options, times),
        "references": _references(actions, payments, times),
        "offenders": [_offender_row(r, times) for r in offenders],
        "offender_sheet": offender_sheet(case, zone),
        "payments": [_payment_row(r, times) for r in payments],
        "payment_advice": ([DONT_PAY] + ([CALL_BANK] if any(p.get("paid") for p in payments) else []))
        if payments
        else [],
        "actions": [_action_row(r, times) for r in actions],
        "tracker": tracker_block(case, actions, times),  # reports and their answers (reports_tracker.py)
        "notes_count": len(notes),
        "timeline": [_event_row(e, zone) for e in timeline.events],
        "timeline_abridged": timeline.abridged,
        "messages_total": timeline.messages_total,
        "messages_shown": timeline.messages_shown,
        "max_messages": options.max_messages,
        "transcripts": [_transcript_row(t, manifest, zone, by_id) for t in timeline.transcripts],
        "ocr_left_out": unread_note(timeline.pictures_left_out),  # story/ocr_texts.py's one rule
        "untranscribed": _untranscribed(items, {t.item_id for t in timeline.transcripts}),
        "exhibits": exhibits,
        "withheld": withheld,
        "urls": _url_rows(urls, items, times),
        "custody": {
            "entries": len(custody),
            "head": dict(case.bag_info()).get("EK-Custody-Head"),
            "first": times(custody[0].get("at")) if custody else None,
            "last": times(custody[-1].get("at")) if custody else None,
        },
        "thumbnails": [],
        "ocr_texts": {},
        "thumbnail_problems": [],
        "thumbnails_omitted": 0,
        "images_state": "off",
        "preservation": _preservation(case),
    }
    if options.images:
        say("Making previews of screenshots")
        chosen = thumbs.candidates(case.root, items, urls, case.info.flags, manifest)
        if thumbs.case_involves_minor(case.info.flags):
            data["images_state"] = "minor"
        else:
            pictures, problems = thumbs.make_thumbnails(case.root, chosen[: options.max_thumbnails])
            data["thumbnails"] = pictures
            data["ocr_texts"] = _ocr_texts(case, items, [p.item_id for p in pictures], manifest)
            data["thumbnail_problems"] = problems
            data["thumbnails_omitted"] = max(0, len(chosen) - options.max_thumbnails)
            data["images_state"] = "on"
    return data


def _preservation(case: Case) -> Preservation:
    """The preservation-request sheets (story/preservation.py), the report's last section."""
    return preservation_sheets(case)


def _ocr_texts(
    case: Case, items: Sequence[ItemRecord], item_ids: list[str], manifest: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The text read in each previewed screenshot, shown beside it (ocr/service.py), but none of
    a picture `unread_pictures` leaves out."""
    from evidencekit.ocr.stored import texts_for_report

    unread = unread_pictures(case, items)
    return texts_for_report(case, [i for i in item_ids if i not in unread], manifest)


def _case_block(
    case: Case, items: Sequence[ItemRecord], urls: Sequence[UrlRecord], zone: tzinfo | None
) -> dict[str, Any]:
    info = case.info
    created_local, created_utc = local_and_utc(when(info.created_utc), zone)
    return {
        "id": info.id,
        "title": info.title,
        "collector": info.collector,
        "country": info.country,
        "zone": info.zone or "the computer's local offset (no zone name was recorded)",
        "zone_named": bool(info.zone),
        "created_local": created_local,
        "created_utc": created_utc,
        "item_count": len(items),
        "withheld_count": sum(1 for i in items if i.get("sensitive") or i.get("by_reference")),
        "url_count": len(urls),
    }


def _seal_block(
    case: Case,
    custody: Sequence[CustodyEntry],
    options: ReportOptions,
    times: Callable[[Any], dict[str, str]],
) -> dict[str, Any]:
    from evidencekit.case.seal import read_seal_json

    sealed = case.is_sealed()
    info = read_seal_json(case) if sealed else {}
    fingerprint = case.fingerprint() if sealed else None
    earlier = []
    for entry in custody:
        if entry.get("action") == "reopened":
            details = entry.get("details") or {}
            if details.get("superseded_fingerprint"):
                earlier.append(
                    {
                        "fingerprint": group8(details["superseded_fingerprint"]),
                        "raw": details["superseded_fingerprint"],
                        "reopened": times(entry.get("at")),
                        "kept_in": details.get("kept_in"),
                    }
                )
    return {
        "sealed": sealed,
        "fingerprint": group8(fingerprint),
        "fingerprint_raw": fingerprint,
        "sealed_at": times(info.get("sealed_at")) if info.get("sealed_at") else None,
        "sealed_by": info.get("sealed_by"),
        "key_fingerprint": info.get("signer_key_fingerprint"),
        "earlier": earlier,
        "in_case": options.in_case,
    }


def _references(
    actions: list[dict[str, Any]], payments: list[dict[str, Any]], times: Callable[[Any], dict[str, str]]
) -> list[dict[str, Any]]:
    out = []
    for action in actions:
        if action.get("ref"):
            out.append(
                {
                    "what": REF_LABELS.get(str(action.get("action")), "reference"),
                    "ref": action["ref"],
                    "to": action.get("to"),
                    "when": times(action.get("at") or action.get("recorded_at")),
                    "recorded": not action.get("at"),
                    "source": action.get("id"),
                }
            )
    for payment in payments:
        if payment.get("reference"):
            out.append(
                {
                    "what": f"{METHOD_LABELS.get(str(payment.get('method')), 'payment')} reference",
                    "ref": payment["reference"],
                    "to": payment.get("payee"),
                    "when": times(payment.get("at") or payment.get("recorded_at")),
                    "recorded": not payment.get("at"),
                    "source": payment.get("id"),
                }
            )
    return out


def _offender_row(record: dict[str, Any], times: Callable[[Any], dict[str, str]]) -> dict[str, Any]:
    return {
        "id": record.get("id"),
        "platform": record.get("platform"),
        "identifiers": identifiers_of(record),
        "weak": is_weak(record),
        "note": record.get("note"),
        "seen_in": record.get("seen_in") or [],
        "recorded": times(record.get("recorded_at")),
    }


def _payment_row(record: dict[str, Any], times: Callable[[Any], dict[str, str]]) -> dict[str, Any]:
    details = []
    for key, label in (
        ("payee", "payee"),
        ("account", "account"),
        ("wallet", "wallet"),
        ("tx", "transaction"),
        ("reference", "reference"),
        ("brand", "brand"),
    ):
        if record.get(key):
            value = str(record[key])
            if key == "wallet" and record.get("wallet_network"):
                label = f"wallet ({record['wallet_network']})"
            details.append((label, value))
    return {
        "id": record.get("id"),
        "method": METHOD_LABELS.get(str(record.get("method")), record.get("method")),
        "paid": bool(record.get("paid")),
        "amount": f"{record['amount']} {record.get('currency') or ''}".strip()
        if record.get("amount")
        else "—",
        "details": details,
        "at": times(record.get("at")) if record.get("at") else None,
        "at_zone_assumed": record.get("at_zone_assumed"),
        "recorded": times(record.get("recorded_at")),
        "note": record.get("note"),
    }


def _action_row(record: dict[str, Any], times: Callable[[Any], dict[str, str]]) -> dict[str, Any]:
    return {
        "id": record.get("id"),
        "label": ACTION_LABELS.get(str(record.get("action")), str(record.get("action"))),
        "action": record.get("action"),
        "to": record.get("to"),
        "ref": record.get("ref"),
        "at": times(record.get("at")) if record.get("at") else None,
        "recorded": times(record.get("recorded_at")),
        "note": record.get("note"),
    }


def _event_row(event: Any, zone: tzinfo | None) -> dict[str, Any]:
    local, utc = local_and_utc(event.moment, zone)
    return {
        "local": local,
        "utc": utc,
        "kind": event.kind,
        "source": event.source,
        "title": event.title,
        "text": event.text,
        "basis": event.basis,
        "flags": event.flags,
        "zone_assumed": event.zone_assumed,
    }


def _export_of(item: ItemRecord | None) -> dict[str, Any]:
    export = item.get("export") if item is not None else None
    return export if isinstance(export, dict) else {}


def _transcript_row(
    facts: Any, manifest: dict[str, str], zone: tzinfo | None, by_id: Mapping[str, ItemRecord]
) -> dict[str, Any]:
    first = local_and_utc(facts.first, zone)
    last = local_and_utc(facts.last, zone)
    export = _export_of(by_id.get(facts.item_id))
    return {
        "label": export.get("label"),
        "status": export.get("status"),
        "problem": export.get("problem"),
        "one_sided": export.get("one_sided"),
        "item_id": facts.item_id,
        "name": facts.item_name,
        "path": facts.bag_path,
        "sha256": manifest.get(facts.bag_path),
        "messages": facts.messages,
        "shown": facts.shown,
        "first": first,
        "last": last,
        "senders": list(facts.senders.items())[:6],
        "unreadable_lines": facts.unreadable_lines,
        "zone_assumed": facts.zone_assumed,
        "time_zone": facts.time_zone,
    }


def _untranscribed(items: Sequence[ItemRecord], transcribed: set[str]) -> list[dict[str, Any]]:
    """Chat exports evidencekit recognised (or tried to) but has no transcript for, and why."""
    out = []
    for item in items:
        export = _export_of(item)
        if export and str(item.get("id")) not in transcribed:
            out.append(
                {
                    "item_id": item.get("id"),
                    "name": item.get("original_name"),
                    "label": export.get("label") or "chat export",
                    "status": export.get("status") or "no transcript",
                    "problem": export.get("problem"),
                }
            )
    return out


def _exhibits(
    items: Sequence[ItemRecord], times: Callable[[Any], dict[str, str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    exhibits, withheld = [], []
    for item in items:
        folder = item.get("files") is not None
        row: dict[str, Any] = {
            "id": item.get("id"),
            "name": item.get("original_name"),
            "kind": item.get("kind"),
            "mime": item.get("mime"),
            "mime_mismatch": bool(item.get("mime_mismatch")),
            "size": _size(item.get("size")),
            "file_count": item.get("file_count"),
            "hash_label": "tree SHA-256" if folder else "SHA-256",
            "sha256": item.get("tree_sha256") if folder else item.get("sha256"),
            "md5": item.get("md5"),
            "captured": times(item.get("captured_at")),
            "captured_by": item.get("captured_by"),
            "source": _source_of(item),
            "stored_at": item.get("bag_path"),
            "note": item.get("note"),
            "members": [
                {"path": m.get("path"), "sha256": m.get("sha256")}
                for m in (item.get("files") or [])
                if isinstance(m, dict)
            ]
            if folder and len(item.get("files") or []) <= MAX_MEMBERS_LISTED
            else [],
        }
        row["lines"] = _exhibit_lines(row)
        if item.get("sensitive") or item.get("by_reference"):
            withheld.append(row)
        else:
            exhibits.append(row)
    return exhibits, withheld


def _add_perceptual(withheld: list[dict[str, Any]], items: Sequence[ItemRecord], case: Case) -> None:
    """Each withheld item's PDQ and quality (or why it has none): a hash is not the image, and it
    is what StopNCII and platforms match, so an officer can see what a hash list holds. From the
    item records and from hashes.jsonl (hashes added later), never from the originals."""
    from evidencekit.case.records.hashes import HASHES_JSONL
    from evidencekit.perceptual.facts import NO_VIDEO_HASH
    from evidencekit.perceptual.hashlist import rows_of_items

    by_item: dict[str, list[dict[str, Any]]] = {}
    for file in rows_of_items(items, case.records(HASHES_JSONL)):
        by_item.setdefault(file.item, []).append(
            {
                "label": "" if file.number is None else f"#{file.number}",
                "media": file.media,
                "pdq": file.pdq,
                "quality": file.pdq_quality,
                "problem": NO_VIDEO_HASH
                if file.media == "video"
                else file.problem
                if file.hashed
                else "not hashed yet (run: evidencekit hashes)",
            }
        )
    for row in withheld:
        found = by_item.get(str(row["id"])) or []
        row["perceptual"] = found[:MAX_MEMBERS_LISTED]
        row["perceptual_more"] = max(0, len(found) - MAX_MEMBERS_LISTED)


def _exhibit_lines(row: dict[str, Any]) -> list[str]:
    """The exhibit as short lines of plain text (the first line, id and name, is in the template).

    Plain lines in one monospaced block are what keeps a 1,000-exhibit PDF fast to lay out; the
    first element is the note (or nothing) so that it follows the name on the first line."""
    facts = [str(row["kind"]), row["size"]]
    if row["file_count"] is not None:
        facts.append(f"{row['file_count']} files")
    if row["mime"]:
        facts.append(str(row["mime"]))
    if row["md5"]:
        facts.append(f"MD5 {row['md5']}")
    lines = [f"  ({row['note']})" if row["note"] else ""]
    lines.append(f"{row['hash_label']} {row['sha256'] or '(none recorded)'}")
    lines.append(" · ".join(facts))
    if row["mime_mismatch"]:
        lines.append("the content does not match the type its name claims")
    by = f" by {row['captured_by']}" if row["captured_by"] else ""
    lines.append(f"captured {row['captured']['local']} ({row['captured']['utc']}){by}")
    lines.append(f"from {row['source']}")
    for member in row["members"]:
        lines.append(f"  {member['sha256']}  {member['path']}")
    if row["file_count"] and not row["members"]:
        lines.append("  (the SHA-256 of each of its files is in manifest-sha256.txt)")
    return lines


def _source_of(item: ItemRecord) -> str:
    capture = item.get("web_capture")
    if item.get("kind") == "url-capture" and isinstance(capture, dict):
        return str(capture.get("requested_url") or capture.get("final_url") or "")
    return str(item.get("source_path") or "")


def _url_rows(
    urls: Sequence[UrlRecord], items: Sequence[ItemRecord], times: Callable[[Any], dict[str, str]]
) -> list[dict[str, Any]]:
    captures = sources.web_captures(items)
    rows = []
    for url in urls:
        url_id = str(url.get("id"))
        capture_item = captures.get(url_id)
        status = "not fetched: the address was recorded only"
        state = "recorded"
        if url.get("sensitive"):
            status = "sensitive: recorded only; never fetched, opened or screenshotted"
            state = "sensitive"
        elif capture_item is not None:
            found = capture_item.get("web_capture")
            capture: dict[str, Any] = found if isinstance(found, dict) else {}
            parts = []
            if capture.get("status"):
                parts.append(f"HTTP {capture['status']}")
            if capture.get("final_url") and capture.get("final_url") != url.get("url"):
                parts.append(f"ended at {capture['final_url']}")
            if capture.get("title"):
                parts.append(f"title “{capture['title']}”")
            if capture.get("ip"):
                parts.append(f"server {capture['ip']}")
            fetched = times(capture.get("fetched_at") or capture_item.get("captured_at"))
            status = f"captured {fetched['local']} as {capture_item.get('id')}" + (
                ": " + ", ".join(parts) if parts else ""
            )
            state = "captured"
            errors = capture.get("errors")
            if errors:
                listed = errors if isinstance(errors, list) else [errors]
                status += "; problems: " + "; ".join(
                    str(e.get("message") or e.get("code")) if isinstance(e, dict) else str(e) for e in listed
                )
                state = "problem"
        rows.append(
            {
                "id": url_id,
                "url": url.get("url"),
                "platform": url.get("platform"),
                "kind": url.get("kind"),
                "recorded": times(url.get("recorded_at")),
                "note": url.get("note"),
                "status": status,
                "state": state,
            }
        )
    return rows


__all__ = ["ReportOptions", "collect", "group8"]
