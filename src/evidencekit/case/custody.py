"""The custody log: an append-only, hash-chained record of every action on the case.

Each line of `evidencekit/custody.jsonl` is one canonical-JSON object:

    seq     1, 2, 3… in order
    at      when it happened (UTC, ms)
    actor   who did it (the collector's name, or the computer account)
    action  case-created, item-captured, url-added, sealed, reopened, …
    details what exactly (ids, hashes, counts)
    tool    "evidencekit 0.1.0"
    prev    SHA-256 of the previous line's bytes (64 zeros for the first line)
    hash    SHA-256 of this object's canonical JSON without the `hash` key

Changing, removing or reordering any line breaks `prev` of the line after it; the head (the last
line's SHA-256) is written into bag-info.txt and, through the tag manifest, covered by the seal.
`prev` can be checked with nothing but `sed` and `sha256sum`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidencekit._version import __version__
from evidencekit.case.jsonlines import canonical_json, iter_lines, parse_json
from evidencekit.case.records.custody import CUSTODY
from evidencekit.clock import iso_utc

GENESIS = "0" * 64
TOOL = f"evidencekit {__version__}"


def line_digest(line: str) -> str:
    """SHA-256 of one log line's bytes (UTF-8, without its newline)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    """The `hash` field: SHA-256 of the canonical JSON of the entry without `hash`."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def make_entry(*, seq: int, at: datetime, actor: str, action: str, details: dict[str, Any], prev: str) -> str:
    """The next log line (without newline), chained to `prev`."""
    entry: dict[str, Any] = {
        "seq": seq,
        "at": iso_utc(at),
        "actor": actor,
        "action": action,
        "details": details,
        "tool": TOOL,
        "prev": prev,
    }
    entry["hash"] = entry_hash(entry)
    return canonical_json(entry)


@dataclass(frozen=True)
class ChainProblem:
    """Something wrong with the log, at a line number (1-based)."""

    line: int
    code: str
    message: str


@dataclass(frozen=True)
class ChainResult:
    """What checking the log found: its entries (those of the right shape), its head, and any
    problems."""

    entries: list[dict[str, Any]]
    head: str
    problems: list[ChainProblem]


def check_chain(text: str) -> ChainResult:
    """Recompute the chain. Never raises: every problem is returned with its line number,
    including each entry whose fields do not have the shape `records.custody.CUSTODY` describes."""
    problems: list[ChainProblem] = []
    entries: list[dict[str, Any]] = []
    expected_prev = GENESIS
    expected_seq = 1
    if text and not text.endswith("\n"):
        problems.append(ChainProblem(0, "custody-truncated", "the last line is incomplete"))
    for number, line in iter_lines(text):
        try:
            entry = parse_json(line)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except ValueError:
            problems.append(ChainProblem(number, "custody-unreadable", "line is not a JSON object"))
            expected_prev = line_digest(line)
            expected_seq += 1
            continue
        shape = CUSTODY.problem(entry)
        if shape is None:
            entries.append(entry)  # only entries of the right shape reach the checks that read them
        else:
            problems.append(
                ChainProblem(number, "custody-entry-invalid", f"is not an entry evidencekit wrote: {shape}")
            )
        if entry.get("prev") != expected_prev:
            problems.append(
                ChainProblem(
                    number,
                    "custody-chain-broken",
                    "does not follow the line before it: a line was changed, removed, inserted or moved",
                )
            )
        if entry.get("seq") != expected_seq:
            problems.append(
                ChainProblem(
                    number,
                    "custody-sequence",
                    f"has sequence number {entry.get('seq')!r}, expected {expected_seq}",
                )
            )
        try:
            intact = entry.get("hash") == entry_hash(entry)
        except (ValueError, TypeError):  # e.g. a number too large for JSON: not a line we wrote
            intact = False
        if not intact:
            problems.append(
                ChainProblem(number, "custody-entry-altered", "its content does not match its hash")
            )
        expected_prev = line_digest(line)
        expected_seq += 1
    return ChainResult(entries, expected_prev, problems)


def head_of(text: str) -> str:
    """The chain head: SHA-256 of the last line (GENESIS for an empty log)."""
    last = GENESIS
    for _, line in iter_lines(text):
        last = line_digest(line)
    return last
