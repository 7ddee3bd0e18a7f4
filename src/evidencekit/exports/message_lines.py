"""The words a rendering shows for what a message carries besides its text: a system row's event,
its shared links, its attachments (named with their SHA-256 and where they are, never shown).
Shared by the plain-text and HTML renderings so that they say the same thing.
"""

from __future__ import annotations

from typing import Any


def describe_system(m: dict[str, Any]) -> str:
    details = m.get("details") or {}
    if m.get("text"):
        return str(m["text"])
    for key in ("action", "call", "event"):
        if details.get(key):
            return f"({details[key]})"
    return ""


def detail_lines(m: dict[str, Any]) -> list[str]:
    """Shared links and web addresses a message carries outside its text."""
    details = m.get("details") or {}
    lines = []
    share = details.get("share")
    if isinstance(share, dict) and share.get("link"):
        lines.append(f"[shared link: {share['link']}]")
    for link in details.get("links") or ():
        lines.append(f"[link: {link}]")
    return lines


def attachment_line(a: dict[str, Any]) -> str:
    where = a.get("path") or (f"inside the export: {a['member']}" if a.get("member") else None)
    if a.get("missing"):
        state = "not in the export" + (f" (web address: {a['url']})" if a.get("url") else "")
    else:
        state = f"sha256 {a.get('sha256') or 'not computed'}" + (f"; {where}" if where else "")
    return f"[attachment: {a.get('name')} — {state}]"
