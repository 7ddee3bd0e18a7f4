"""Reading what people type into the wizard: web addresses without a scheme, paths dragged in."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)


def web_address(typed: str) -> str:
    """`instagram.com/alex` → `https://instagram.com/alex`: what people copy without the scheme."""
    clean = typed.strip()
    if clean and not _SCHEME.match(clean) and _BARE_ADDRESS.match(clean):
        return "https://" + clean
    return clean


def split_paths(answer: str) -> list[Path]:
    """Paths typed or dragged into a terminal: quoted, backslash-escaped, several on one line."""
    answer = answer.strip()
    if not answer:
        return []
    if Path(answer).expanduser().exists():  # one path with spaces, typed without quotes
        return [Path(answer).expanduser()]
    if sys.platform == "win32":  # pragma: no cover - Windows quoting
        parts = [p.strip('"') for p in shlex.split(answer, posix=False)]
    else:
        try:
            parts = shlex.split(answer)
        except ValueError:  # an unbalanced quote: take the line as one path
            parts = [answer.strip("'\"")]
    return [Path(p).expanduser() for p in parts if p]
