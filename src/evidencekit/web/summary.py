"""The web-capture part of a case summary (`status --json`, reports): which addresses were archived.

Registered in `case.summary.EXTRA_SECTIONS`. Kept apart from `archive` so `status` stays light.
"""

from __future__ import annotations

from typing import Any

from evidencekit.case.case import Case


def add_web_captures(case: Case, summary: dict[str, Any]) -> None:
    """Add `captures` (item ids, oldest first) to each URL and a `web_captures` list."""
    captures: list[dict[str, Any]] = []
    by_url: dict[str, list[str]] = {}
    for item in case.items():
        if item.get("kind") != "url-capture":
            continue
        web = item.get("web_capture") or {}
        by_url.setdefault(str(item.get("url_id")), []).append(item["id"])
        captures.append(
            {
                "item": item["id"],
                "url_id": item.get("url_id"),
                "fetched_at": web.get("fetched_at"),
                "final_url": web.get("final_url"),
                "status": web.get("status"),
                "title": web.get("title"),
                "ip": web.get("ip"),
                "bag_path": item.get("bag_path"),
                "problems": [e.get("code") for e in web.get("errors") or []],
            }
        )
    for url in summary.get("urls", []):
        url["captures"] = by_url.get(url["id"], [])
    summary["web_captures"] = captures
