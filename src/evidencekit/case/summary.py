"""What a case holds, as one plain dictionary (for `status`, `status --json` and reports)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from evidencekit.case.case import Case
from evidencekit.case.journal import pending_state

STATUS_FORMAT = "evidencekit-status/1"

# Other parts of evidencekit add sections to the summary (e.g. transcripts, offenders):
# "module:function", each called as function(case, summary) and free to add keys. Missing modules
# are skipped.
EXTRA_SECTIONS: list[str] = [
    "evidencekit.story.checks:summary_section",
    "evidencekit.web.summary:add_web_captures",
    "evidencekit.exports.service:add_status_section",
]


def case_summary(case: Case) -> dict[str, Any]:
    """Id, title, items, URLs, seal state and fingerprint, from the case's own records."""
    from evidencekit.case.seal import read_seal_json

    items = case.items()
    urls = case.urls()
    custody = case.custody_entries()
    sealed = case.is_sealed()
    seal = read_seal_json(case) if sealed else {}
    kinds = Counter(item.get("kind", "other") for item in items)
    summary: dict[str, Any] = {
        "format": STATUS_FORMAT,
        "case_id": case.info.id,
        "title": case.info.title,
        "path": str(case.root.resolve()),
        "created": case.info.created_utc,
        "created_local": case.info.created_local,
        "zone": case.info.zone,
        "collector": case.info.collector,
        "country": case.info.country,
        "flags": case.info.flags,
        "sealed": sealed,
        "sealed_at": seal.get("sealed_at"),
        "fingerprint": case.fingerprint() if sealed else None,
        "signer_key_fingerprint": seal.get("signer_key_fingerprint"),
        "seal_count": sum(1 for e in custody if e.get("action") == "sealed"),
        "interrupted_change": pending_state(case.root),
        "item_count": len(items),
        "items_by_kind": dict(sorted(kinds.items())),
        "items_by_reference": sum(1 for item in items if item.get("by_reference")),
        "total_size": sum(int(item.get("size") or 0) for item in items if not item.get("by_reference")),
        "items": [
            {
                "id": item["id"],
                "kind": item.get("kind"),
                "name": item.get("original_name"),
                "size": item.get("size"),
                "sha256": item.get("sha256"),
                "tree_sha256": item.get("tree_sha256"),
                "file_count": item.get("file_count"),
                "by_reference": bool(item.get("by_reference")),
                "captured_at": item.get("captured_at"),
                "bag_path": item.get("bag_path"),
                "mime": item.get("mime"),
                "mime_mismatch": bool(item.get("mime_mismatch")),
                "note": item.get("note"),
                "tags": item.get("tags") or [],
            }
            for item in items
        ],
        "url_count": len(urls),
        "urls": [
            {
                "id": url["id"],
                "url": url.get("url"),
                "platform": url.get("platform"),
                "kind": url.get("kind"),
                "recorded_at": url.get("recorded_at"),
                "note": url.get("note"),
                "sensitive": bool(url.get("sensitive")),
            }
            for url in urls
        ],
        "custody_entries": len(custody),
        "last_action": custody[-1].get("action") if custody else None,
        "last_action_at": custody[-1].get("at") if custody else None,
    }
    for spec in EXTRA_SECTIONS:
        _run_extra(spec, case, summary)
    return summary


def _run_extra(spec: str, case: Case, summary: dict[str, Any]) -> None:
    import importlib

    module_name, _, function = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return
    getattr(module, function)(case, summary)
