"""What `verify` says about a case marked "someone shown was under 18" (a verify EXTRA_CHECK).

An examiner should see at once that the case carries the under-18 mark, and which copied images or
videos (if any) lack the collector's confirmation that they show no nudity: for example items
captured before the mark was set, or by a tool that did not ask. These are findings to handle under
the examiner's own policy, not damage: the case still verifies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.findings import INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import parse_json, shared_lines

_MEDIA_PREFIXES = ("image/", "video/")


def _is_media(record: dict[str, Any]) -> bool:
    if record.get("kind") in ("image", "video", "screenshot"):
        return True
    if str(record.get("mime") or "").startswith(_MEDIA_PREFIXES):
        return True
    return any(str(f.get("mime") or "").startswith(_MEDIA_PREFIXES) for f in record.get("files") or [])


def check_under_18(root: Path, report: VerifyReport) -> None:
    try:
        case_json = parse_json((root / layout.CASE_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # unreadable records are reported by verify's own checks
    from evidencekit.case.flags import read_under_18

    flags = case_json.get("flags") if isinstance(case_json, dict) else None
    if not isinstance(flags, dict) or read_under_18(flags.get("under_18")) is not True:
        return
    try:
        items = shared_lines((root / layout.ITEMS_JSONL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        items = ()  # nothing captured yet
    except (OSError, ValueError):
        items = ()  # reported by verify's own checks
    report.add(
        INFO,
        "under-18-case",
        layout.CASE_JSON,
        "The case is marked: someone shown was under 18 at the time. Images and videos are to be "
        "kept by reference only, or copied only with the collector's confirmation that they show "
        "no nudity.",
    )
    for item in items:
        if item.get("by_reference") or not item.get("bag_path") or item.get("not_intimate_confirmed"):
            continue
        if _is_media(item):
            report.add(
                WARNING,
                "under-18-media-unconfirmed",
                item.get("bag_path"),
                f"Item {item.get('id')} is an image or video (or holds some) that was copied into this "
                "under-18 case without a confirmation that it shows no nudity (it may have been "
                "captured before the case was marked). Handle it under your policy for such material.",
            )
