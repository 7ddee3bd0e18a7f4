"""The police report: one template rendered to HTML (Jinja2) and PDF (WeasyPrint).

`build_report(case, …)` gathers the case's records (model.py, timeline.py), makes previews of
non-sensitive screenshots in memory (thumbnails.py), renders (render.py) and stores the result in the
case or beside it (build.py). `checks.check_report_files` is the verify check for the stored report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidencekit._lazy import lazy_names

if TYPE_CHECKING:
    from evidencekit.report.build import FORMATS, ReportFile, ReportResult, build_report, parse_formats

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        name: ("evidencekit.report.build", name)
        for name in ("FORMATS", "ReportFile", "ReportResult", "build_report", "parse_formats")
    },
)

__all__ = ["FORMATS", "ReportFile", "ReportResult", "build_report", "parse_formats"]
