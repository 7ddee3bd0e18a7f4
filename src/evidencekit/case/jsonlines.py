"""The one way we turn records into bytes, so hashes over them are reproducible.

Canonical JSON: keys sorted, no spaces, UTF-8 (not `\\u` escapes), one object per line, `\\n` endings.
An examiner can re-create any line's hash with a few lines of Python (see docs/how-to/verify-by-hand.md).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from typing import Any


def canonical_json(obj: Any) -> str:
    """One record as canonical JSON text (no trailing newline)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps_lines(records: Iterable[Any]) -> str:
    """Records as JSON Lines text."""
    return "".join(canonical_json(r) + "\n" for r in records)


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every non-empty line; the line keeps its exact characters."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line:
            yield number, line


def parse_json(text: str | bytes) -> Any:
    """`json.loads` for text that may have been tampered with: nesting too deep for Python's
    parser (it raises RecursionError, which callers would not expect) becomes a JSONDecodeError,
    like any other JSON that cannot be read."""
    try:
        return json.loads(text)
    except RecursionError:
        shown = text if isinstance(text, str) else text.decode("utf-8", "replace")
        raise json.JSONDecodeError("nested too deeply to be a real record", shown, 0) from None


def loads_lines(text: str) -> list[dict[str, Any]]:
    """Parse JSON Lines written by us; raises ValueError naming the bad line."""
    records = []
    for number, line in iter_lines(text):
        try:
            record = parse_json(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise ValueError(f"line {number} is not a JSON object")
        records.append(record)
    return records


def shared_lines(text: str) -> tuple[dict[str, Any], ...]:
    """`loads_lines` for checks that only read, parsed once for all of them.

    Several of verify's checks read items.jsonl; in a case of 10,000 files it is a few megabytes
    of JSON, and parsing it once instead of four times saves a few hundredths of a second of a
    one-second check. The last results are remembered by the text itself, so changed text is always
    parsed afresh. The records are shared between the callers: never modify them."""
    return _shared_lines(text)


@functools.lru_cache(maxsize=2)
def _shared_lines(text: str) -> tuple[dict[str, Any], ...]:
    return tuple(loads_lines(text))
