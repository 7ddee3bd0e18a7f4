"""Where the wizard got to, so `evidencekit start` can stop at any point and continue later.

Progress is kept in the user's evidencekit folder (beside the signing key; EVIDENCEKIT_HOME moves
it), never in the case: the case holds evidence and its custody log, and which questions someone
skipped is not evidence. One small JSON file per case, `wizard/<case id>.json`, records each step's
status ("done" or "skipped"); `wizard/last.json` names the case worked on last, so `start` can offer
to continue it. Files are written atomically and are private to the user. A lost or unreadable
progress file only means the wizard asks again; nothing in the case depends on it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.case.atomic import atomic_write_bytes, make_private_dir
from evidencekit.case.jsonlines import parse_json
from evidencekit.clock import iso_utc, system_clock

PROGRESS_FORMAT = "evidencekit-wizard-progress/1"
DONE, SKIPPED = "done", "skipped"
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass
class Progress:
    """The statuses of one case's wizard steps."""

    case_id: str
    case_path: str
    steps: dict[str, str] = field(default_factory=dict)

    def status(self, step: str) -> str | None:
        return self.steps.get(step)


class ProgressStore:
    """Reads and writes progress files in `folder` (default: <evidencekit folder>/wizard)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            from evidencekit.case.keys import data_dir

            folder = data_dir() / "wizard"
        self.folder = folder

    def _path(self, case_id: str) -> Path | None:
        return self.folder / f"{case_id}.json" if _SAFE_ID.match(case_id) else None

    def load(self, case_id: str, case_path: Path) -> Progress:
        data = self._read(self._path(case_id))
        steps = data.get("steps")
        listed: dict[Any, Any] = steps if isinstance(steps, dict) else {}
        clean = {str(k): str(v) for k, v in listed.items() if v in (DONE, SKIPPED)}
        return Progress(case_id, str(case_path), clean)

    def save(self, progress: Progress) -> None:
        path = self._path(progress.case_id)
        if path is None:
            return
        record = {
            "format": PROGRESS_FORMAT,
            "case_id": progress.case_id,
            "case_path": progress.case_path,
            "steps": progress.steps,
            "updated_at": iso_utc(system_clock()),
        }
        self._write(path, record)
        self._write(self.folder / "last.json", {"case_id": progress.case_id, "case_path": progress.case_path})

    def last_case(self) -> tuple[str, Path] | None:
        """(case id, folder) of the case the wizard worked on last, if its folder still exists."""
        data = self._read(self.folder / "last.json")
        case_id, path = data.get("case_id"), data.get("case_path")
        if isinstance(case_id, str) and isinstance(path, str) and Path(path).is_dir():
            return case_id, Path(path)
        return None

    def _read(self, path: Path | None) -> dict[str, Any]:
        if path is None:
            return {}
        try:
            data = parse_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        try:
            make_private_dir(path.parent)
            atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError:
            pass  # progress is a convenience: never let it stop the person's work
