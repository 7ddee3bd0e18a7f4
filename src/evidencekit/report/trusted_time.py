"""Each item's trusted time (handover/item_timestamp.py) for the exhibit list: when a time-stamping
authority signed the item's record, how long after capture, and how far the collecting computer's
clock was off from the TSA's.

Read from `data/derived/ITEM/trusted-time/trusted-time.json` through safepath, only when the
manifest lists it with the SHA-256 of what is read and it has the shape evidencekit writes (the
verify check's fields): a hand-edited file is not shown as a trusted time. The report says what the
record says; `verify` is what checks the tokens themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from evidencekit.case import safepath
from evidencekit.case.case import Case
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.records.shape import fields_problem
from evidencekit.handover.item_timestamp import (
    TRUSTED_TIME_FORMAT,
    TRUSTED_TIME_JSON,
    delay_words,
    folder_of,
    offset_words,
)
from evidencekit.handover.item_timestamp_check import DOCUMENT_FIELDS, MAX_FILE

Times = Callable[[Any], dict[str, str]]


def trusted_lines(case: Case, item_id: str, manifest: dict[str, str], times: Times) -> list[str]:
    """“trusted time 2026-03-14 21:09 (2026-03-14 21:09:12 UTC) from CN=…, 3.0 days after capture;
    this computer's clock was 2 seconds ahead”, one line per TSA; none when there is no usable record."""
    path = f"{folder_of(item_id)}/{TRUSTED_TIME_JSON}"
    if path not in manifest:
        return []
    try:
        raw = safepath.read_bytes(case.root, path, limit=MAX_FILE)
        document = parse_json(raw.decode("utf-8"))
    except (OSError, ValueError):
        return []
    if hashlib.sha256(raw).hexdigest() != manifest[path] or not isinstance(document, dict):
        return []
    if fields_problem(document, DOCUMENT_FIELDS) is not None or document["format"] != TRUSTED_TIME_FORMAT:
        return []
    if document["item"] != item_id:
        return []
    lines = []
    for token in document["tokens"]:
        when = times(token["gen_time"])
        tsa = token.get("tsa") or token["tsa_url"]
        offset = offset_words(float(token["clock_offset_seconds"]))
        delay = token.get("delay_seconds")
        lines.append(
            f"trusted time {when['local']} ({when['utc']}) from {tsa}, "
            f"{delay_words(float(delay) if delay is not None else None)}; "
            f"this computer's clock was {offset}"
        )
    return lines


def add_trusted_times(
    rows: Iterable[dict[str, Any]], case: Case, manifest: dict[str, str], times: Times
) -> None:
    """Give each exhibit row its `trusted` lines, and add them to the lines the exhibit list shows."""
    for row in rows:
        row["trusted"] = trusted_lines(case, str(row.get("id")), manifest, times)
        if "lines" in row:
            row["lines"].extend(row["trusted"])


__all__ = ["add_trusted_times", "trusted_lines"]
