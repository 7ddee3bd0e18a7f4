"""Reading an export the way capture does, without a case: detect, parse, write, read back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from evidencekit.clock import load_zone
from evidencekit.exports import detect
from evidencekit.exports.base import ParseContext
from evidencekit.exports.pipeline import Outcome, transcribe
from evidencekit.exports.source import open_source


@dataclass
class Read:
    outcome: Outcome
    header: dict[str, Any]
    messages: list[dict[str, Any]]
    folder: Path
    parser: str
    detection: Any

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages]

    def by_seq(self, seq: int) -> dict[str, Any]:
        return next(m for m in self.messages if m["seq"] == seq)


def read_export(
    path: Path,
    workdir: Path,
    *,
    zone: str | None = "Europe/London",
    date_order: str | None = None,
    not_after: datetime | None = None,
) -> Read:
    source = open_source(path, path.name)
    found = detect(source)
    assert found is not None, f"{path.name} was not recognised"
    parser, detection = found
    context = ParseContext(
        zone=load_zone(zone) if zone else None,
        zone_name=zone,
        display_zone=load_zone(zone) if zone else None,
        date_order=date_order,
        not_after=not_after or datetime(2026, 11, 28, tzinfo=timezone.utc),
        source_name=path.name,
    )
    workdir.mkdir(parents=True, exist_ok=True)
    outcome = transcribe(
        parser,
        detection,
        source,
        context,
        workdir,
        item={"id": "E0001", "original_name": path.name, "sha256": "0" * 64},
        derived_prefix="data/derived/E0001",
        made_at="2026-11-28T13:00:00.000Z",
    )
    source.close()
    header: dict[str, Any] = {}
    messages: list[dict[str, Any]] = []
    jsonl = workdir / "transcript.jsonl"
    if jsonl.exists():
        lines = jsonl.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0])
        messages = [json.loads(line) for line in lines[1:]]
    return Read(outcome, header, messages, workdir, parser.name, detection)


@pytest.fixture
def read(tmp_path: Path):
    counter = {"n": 0}

    def run(path: Path, **kwargs: Any) -> Read:
        counter["n"] += 1
        return read_export(path, tmp_path / f"out{counter['n']}", **kwargs)

    return run
