"""The item record a capture writes, its custody entry, and what the person is told about it.

Shared by the capture of files and folders (`files`) and of the screen (`screen`), so that every
item says the same things in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evidencekit.case.case import CaseChange
from evidencekit.case.hashing import Digest
from evidencekit.case.names import display_name, name_bytes, name_is_plain_utf8
from evidencekit.clock import iso_utc
from evidencekit.errors import InvalidValueError
from evidencekit.intake.imagefacts import looks_like_screenshot
from evidencekit.intake.plan import Member

KINDS = (
    "screenshot",
    "image",
    "video",
    "audio",
    "chat-export",
    "document",
    "folder",
    "url-capture",
    "other",
)


_DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/rtf",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/vnd.ms-",
    "message/rfc822",
    "application/json",
    "application/xml",
    "text/",
)


def classify(mime: str | None, name: str, facts: dict[str, Any] | None) -> str:
    if not mime:
        return "other"
    if mime.startswith("image/"):
        return "screenshot" if looks_like_screenshot(name, mime, facts) else "image"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith(_DOCUMENT_TYPES):
        return "document"
    return "other"


def _original_names(path: Path) -> dict[str, Any]:
    """The name as a person reads it, plus its exact bytes when they are not plain UTF-8."""
    absolute = str(path.absolute())
    out: dict[str, Any] = {
        "original_name": display_name(path.name),
        "source_path": display_name(absolute),
    }
    if not name_is_plain_utf8(absolute):
        out["source_path_bytes_hex"] = name_bytes(absolute).hex()
    return out


def base_record(change: CaseChange, item_id: str, source: Path, common: dict[str, Any]) -> dict[str, Any]:
    now = change.now()
    record: dict[str, Any] = {"id": item_id}
    record.update(_original_names(source))
    record.update(
        {
            "captured_at": iso_utc(now),
            "captured_at_local": change.case.local_time(now),
            "captured_by": change.actor,
            "note": common["note"],
            "tags": common["tags"],
            "sensitive": common["sensitive"],
            "by_reference": common["sensitive"],
        }
    )
    record.update(common["extra"])
    return record


def withheld_entry(member: Member, digest: Digest, facts: dict[str, Any], reason: str) -> dict[str, Any]:
    """A file of a captured folder that was not copied, because its bytes are sensitive: its
    hashes say what it was, and `reason` why it is not in the case."""
    return {
        "path": member.relative,
        "original_path": display_name(member.original_relative),
        "size": digest.size,
        "sha256": digest.sha256,
        "md5": digest.md5,
        "mime": facts["mime"],
        "source_mtime": facts["source_mtime"],
        "by_reference": True,
        "reason": reason,
    }


def custody_details(record: dict[str, Any]) -> dict[str, Any]:
    details = {
        "item": record["id"],
        "kind": record["kind"],
        "original_name": record["original_name"],
        "size": record["size"],
        "by_reference": record["by_reference"],
    }
    if record.get("sha256"):
        details["sha256"] = record["sha256"]
    if record.get("tree_sha256"):
        details["tree_sha256"] = record["tree_sha256"]
        details["file_count"] = record["file_count"]
    if record.get("not_intimate_confirmed"):
        details["not_intimate_confirmed"] = True
    return details


def warnings_for(record: dict[str, Any]) -> list[str]:
    warnings = []
    name = record["original_name"]
    if record.get("mime_mismatch"):
        warnings.append(
            f"{record['id']} “{name}” is named like {record['mime_by_extension']} but its content is "
            f"{record['mime']}. It was stored exactly as it is, and the difference is recorded."
        )
    if record.get("size") == 0 and record.get("kind") != "folder":
        warnings.append(f"{record['id']} “{name}” is empty (0 bytes). It was recorded as it is.")
    if record.get("stored_name_changed"):
        stored = record["bag_path"].rsplit("/", 1)[-1]
        warnings.append(
            f"{record['id']} “{name}” is stored as “{stored}” so every tool can read the name; "
            "the original name is kept in the record."
        )
    mismatched = [entry for entry in record.get("files") or [] if entry.get("mime_mismatch")]
    if len(mismatched) == 1:
        entry = mismatched[0]
        warnings.append(
            f"{record['id']}: “{entry['original_path']}” has content of type {entry['mime']} "
            "that does not match its name. It was stored exactly as it is."
        )
    elif mismatched:  # one sentence for a whole folder, not a screenful
        shown = ", ".join(f"“{e['original_path']}” ({e['mime']})" for e in mismatched[:3])
        warnings.append(
            f"{record['id']}: {len(mismatched)} files have content that does not match their names, "
            f"for example {shown}. They were stored exactly as they are; each is marked in the record."
        )
    if record.get("by_reference_reason"):
        warnings.append(f"{record['id']} “{name}” was not copied: {record['by_reference_reason']}.")
    held = record.get("withheld_files") or []
    if held:
        shown = "; ".join(f"“{e['original_path']}”: {e['reason']}" for e in held[:3])
        more = f" (and {len(held) - 3} more)" if len(held) > 3 else ""
        warnings.append(f"{record['id']}: {len(held)} file(s) in it were not copied: {shown}{more}.")
    if record.get("mime") is None and record.get("kind") != "folder":
        warnings.append(
            "File types could not be checked because libmagic is not installed "
            "(on Debian/Ubuntu: apt-get install libmagic1)."
        )
    return warnings


def clean_tags(tags: Sequence[str]) -> list[str]:
    clean = []
    for tag in tags:
        text = " ".join(tag.split())
        if not text:
            raise InvalidValueError("A tag cannot be empty.", hint="Use --tag WORD, e.g. --tag threats")
        if text not in clean:
            clean.append(text)
    return clean
