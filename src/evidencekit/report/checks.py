"""Verify's check of the case report (registered in `verify.parts.EXTRA_CHECKS`).

Files under `data/derived/report/` belong to no item, so the core rule "every payload file belongs
to an item" makes an exception for that folder; this check takes its place. Each report file in the
manifest must be the version that the latest `report-generated` custody entry for it recorded (same
SHA-256), and each file that entry recorded must still be in the manifest. So the report cannot be
swapped or added without the custody log showing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.bag import parse_manifest
from evidencekit.case.jsonlines import loads_lines

ERROR = "error"
REPORT_ACTION = "report-generated"


def check_report_files(root: Path, report: Any) -> None:
    try:
        manifest_text = (root / layout.MANIFEST).read_text(encoding="utf-8")
        custody = loads_lines((root / layout.CUSTODY_JSONL).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return  # the core checks report unreadable manifests and logs
    prefix = layout.REPORT_DIR + "/"
    in_manifest = {
        line.path: line.digest
        for line in parse_manifest(manifest_text)
        if line.problem is None and line.path.startswith(prefix)
    }
    latest: dict[str, str] = {}
    for entry in custody:
        details = entry.get("details") or {}
        if entry.get("action") != REPORT_ACTION or details.get("location") != "case":
            continue
        for file in details.get("files") or []:
            if isinstance(file, dict) and str(file.get("path", "")).startswith(prefix):
                latest[str(file["path"])] = str(file.get("sha256"))
    for path, digest in sorted(in_manifest.items()):
        logged = latest.get(path)
        if logged is None:
            report.add(
                ERROR,
                "report-not-logged",
                path,
                f"{path} is in the manifest, but the custody log records no report with that file.",
            )
        elif logged != digest:
            report.add(
                ERROR,
                "report-not-logged",
                path,
                f"{path} in the manifest is not the version the custody log recorded for the latest report.",
            )
    for path in sorted(set(latest) - set(in_manifest)):
        report.add(
            ERROR,
            "report-logged-file-missing",
            path,
            f"The custody log records the report file {path}, but the manifest does not list it.",
        )
