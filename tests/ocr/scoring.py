"""Scoring what OCR read from a rendered chat screenshot against what was drawn in it
(bench/ocr.py prints these figures; the tests hold them to a floor)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from tests.ocr.chatshots import Shot

_WORD = re.compile(r"[A-Za-z0-9_.]+")


def words(text: str) -> list[str]:
    """Latin-script words, lower case, without trailing dots."""
    return [w.strip(".").lower() for w in _WORD.findall(text) if w.strip(".")]


def score(shot: Shot, chat: Any) -> dict[str, int]:
    messages = [m for m in (chat.messages if chat else []) if not m.system]
    read = Counter(w for m in messages for w in words(m.text))
    truth = Counter(w for line in shot.lines for w in words(line.text))
    words_right = sum(min(count, read[w]) for w, count in truth.items())
    sides_right = 0
    for line in shot.lines:
        drawn = set(words(line.text))
        if not drawn:
            continue
        best, overlap = None, 0.0
        for m in messages:
            found = set(words(m.text))
            share = len(drawn & found) / len(drawn | found) if found else 0.0
            if share > overlap:
                best, overlap = m, share
        if best is not None and overlap >= 0.5 and best.side == line.side:
            sides_right += 1
    return {
        "words": sum(truth.values()),
        "words_right": words_right,
        "sides": sum(1 for line in shot.lines if words(line.text)),
        "sides_right": sides_right,
        "headers": 1,
        "headers_right": int(bool(chat) and chat.title == shot.title),
    }
