"""What looks at each newly captured item, and may add to it: the enrichers.

An enricher is called, inside the capture's all-or-nothing change, for every new item, as
`run(change, record, readable_path, options)`, and returns warnings (sentences). It may add facts
to the record or derived files (e.g. a chat transcript under data/derived/<id>/). `readable_path`
is the stored copy, or the original for an item recorded by reference; `options` is the
`enricher_options` given to capture() (e.g. how to read dates in a chat export).

The enrichers themselves live in the layers above intake (exports, …), so this module does not
import them: the list is `CAPTURE_ENRICHERS` in `evidencekit/enrichers.py`, and the package's
`__init__` hands it here (`provide`) before any capture can run. To add an enricher, add a line
to that list; nothing here changes.

The chat-export enricher also holds the under-18 guard for pictures inside exports, which must
never be skipped silently: an enricher that cannot run (part of evidencekit missing, an ImportError,
or no list provided at all) is a warning, and in an under-18 case the capture then keeps the item by
reference (`keep_by_reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidencekit.case.case import CaseChange

Enricher = Callable[["CaseChange", dict[str, Any], "Path | None", dict[str, Any]], list[str]]


@dataclass(frozen=True)
class CaptureEnricher:
    """One enricher: what it looks at each item as ("a chat export"), and the function."""

    what: str
    run: Enricher


_provider: Callable[[], Sequence[CaptureEnricher]] | None = None


def provide(provider: Callable[[], Sequence[CaptureEnricher]]) -> None:
    """Where capture finds the enrichers (called once, by `evidencekit/__init__.py`); the
    provider is called at each capture, so importing the enrichers waits until one runs."""
    global _provider
    _provider = provider


def enrich(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> list[str]:
    """The enrichers' warnings (intake.screen's use: a screen capture in an under-18 case needs
    the no-nudity confirmation before it starts, so nothing is left to fail closed on)."""
    return run_enrichers(change, record, readable, options)[0]


def run_enrichers(
    change: CaseChange, record: dict[str, Any], readable: Path | None, options: dict[str, Any]
) -> tuple[list[str], bool]:
    """Run every enricher: (warnings, whether all of them could run).

    None provided counts as none that could run. One that cannot run because part of evidencekit is
    missing (an ImportError) does not stop the capture, but says so; in an under-18 case the caller
    then keeps the item by reference, since the guard for pictures inside exports could not look."""
    try:
        if _provider is None:
            raise ImportError("evidencekit.enrichers", name="evidencekit.enrichers")
        enrichers = _provider()
    except ImportError as exc:
        return [_could_not_look(record, "a chat export or anything else evidencekit recognises", exc)], False
    warnings: list[str] = []
    all_ran = True
    for enricher in enrichers:
        try:
            warnings.extend(enricher.run(change, record, readable, options) or [])
        except ImportError as exc:
            all_ran = False
            warnings.append(_could_not_look(record, enricher.what, exc))
    return warnings, all_ran


def _could_not_look(record: dict[str, Any], what: str, exc: ImportError) -> str:
    missing = exc.name or str(exc)
    return (
        f"{record['id']} “{record.get('original_name')}” was kept, but evidencekit could not "
        f"look at it as {what}, because part of evidencekit is missing ({missing}). "
        "Reinstalling evidencekit fixes this."
    )
