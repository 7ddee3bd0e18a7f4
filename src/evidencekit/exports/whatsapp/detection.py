"""Is this a WhatsApp chat export? Decided from the first lines and the file's name."""

from __future__ import annotations

import re

from evidencekit.exports.base import Detection
from evidencekit.exports.source import Source
from evidencekit.exports.whatsapp.lines import decode_head
from evidencekit.exports.whatsapp.patterns import HEADER, chat_name

NAME = "whatsapp"
_LOG_LEVEL = re.compile(r"^(?:\[?[A-Z]{3,8}\]?)(?::| |$)")
_MARKDOWN_MEDIA = re.compile(r"\]\(\./(?:media|attachments)/")


def _header_share(text: str) -> tuple[int, int, bool]:
    """(header lines, non-empty lines, first line is a header) among the first 50 non-empty lines."""
    lines = [line for line in text.splitlines()[:400] if line.strip()][:50]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    hits = sum(1 for line in lines if HEADER.match(line))
    return hits, len(lines), bool(lines) and bool(HEADER.match(lines[0]))


def _looks_like_chat(source: Source, name: str, named: bool) -> float:
    """How sure the first lines make us. A file not named like a WhatsApp export needs more:
    most lines must look like messages, and not like a program's log (`… - INFO: started`)."""
    try:
        text = decode_head(source.head(name))
    except OSError:
        return 0.0
    hits, total, first = _header_share(text)
    if not hits or not first:
        return 0.0
    share = hits / total
    if named:
        return 0.85 if share >= 0.3 else 0.55 if share >= 0.1 else 0.0
    rests = [m.group("rest") for m in map(HEADER.match, text.splitlines()[:200]) if m]
    log_like = sum(1 for rest in rests if _LOG_LEVEL.match(rest))
    if share < 0.5 or log_like * 2 >= len(rests):
        return 0.0
    return 0.75


def _made_by_another_tool(name: str, text: str) -> bool:
    """Signal Desktop's exporter (signal-export) writes `[2024-03-14, 21:07] Name: text` lines in
    `chat.md`, which look like an iPhone's WhatsApp export. WhatsApp writes only `.txt`, its iPhone
    lines always carry seconds, and it never links media as Markdown: any of those says the chat
    came from somewhere else, and a transcript must not name the wrong app."""
    if name.lower().endswith((".md", ".markdown", ".html", ".json")):
        return True
    if _MARKDOWN_MEDIA.search(text):
        return True
    headers = [m for m in map(HEADER.match, text.splitlines()[:200]) if m]
    bracketed = [m for m in headers if m.group("br")]
    return bool(bracketed) and len(bracketed) == len(headers) and not any(m.group("s") for m in bracketed)


def detect(source: Source) -> Detection | None:
    names = source.names()
    txts = [n for n in names if n.lower().endswith(".txt")]
    preferred = [n for n in txts if n.rsplit("/", 1)[-1] == "_chat.txt"] + [
        n for n in txts if n.rsplit("/", 1)[-1].lower().startswith("whatsapp")
    ]
    candidates = preferred + [n for n in txts if n not in preferred and "/" not in n]
    if source.kind == "file":
        candidates = names
    for name in candidates[:20]:
        base = name.rsplit("/", 1)[-1]
        named = base == "_chat.txt" or base.lower().startswith("whatsapp") or bool(chat_name(source.label))
        score = _looks_like_chat(source, name, named)
        if not score:
            continue
        text = decode_head(source.head(name))
        if _made_by_another_tool(base, text):
            continue
        if named:
            score = min(1.0, score + 0.1)
        variant = "ios" if base == "_chat.txt" else None
        first = next((HEADER.match(line) for line in text.splitlines() if HEADER.match(line)), None)
        if first is not None:
            variant = "ios" if first.group("br") else "android"
        label = f"WhatsApp chat export ({'iPhone' if variant == 'ios' else 'Android'})"
        return Detection(NAME, score, label, variant, [name], {})
    return None
