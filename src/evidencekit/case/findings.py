"""What verify finds, as data: the `Finding` record, the report that collects them, and severities.

It lives in the case layer because every layer's checks write into it (the web captures, the chat
transcripts, the timestamps …) and the verify package above them all assembles the report. The
finding codes are a contract, listed in docs/reference/verify-codes.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REPORT_FORMAT = "evidencekit-verify/1"
ERROR, WARNING, INFO = "error", "warning", "info"
# A finding's message is one sentence for people: a path from a hostile manifest (megabytes long, or
# full of line breaks) is shown shortened in it, so no renderer has to lay out megabytes of text.
# The finding's `path` keeps it whole, for --json.
MAX_SHOWN_PATH = 200
MAX_MESSAGE = 2000

BytesProgress = Callable[[int, int], None]  # (done bytes, total bytes)
Problem = tuple[str, str, str, str]  # severity, code, path, message: a finding before it is added


@dataclass(frozen=True)
class Finding:
    """One thing verify noticed. `code` is stable (documented); `message` is for people."""

    severity: str
    code: str
    path: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "path": self.path, "message": self.message}


@dataclass
class VerifyReport:
    """Everything verify found, plus what it looked at."""

    case_id: str | None = None
    title: str | None = None
    fingerprint: str | None = None
    sealed: bool = False
    sealed_at: str | None = None
    findings: list[Finding] = field(default_factory=list)
    checked_files: int = 0
    checked_bytes: int = 0
    source: str = ""
    # Structured facts that checks add for scripts (e.g. "timestamps", "archive"); in --json.
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def add(self, severity: str, code: str, path: str | None, message: str) -> None:
        self.findings.append(finding(severity, code, path, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "case_id": self.case_id,
            "fingerprint": self.fingerprint,
            "sealed": self.sealed,
            "sealed_at": self.sealed_at,
            "checked": {"files": self.checked_files, "bytes": self.checked_bytes},
            "findings": [f.to_json() for f in self.findings],
            **self.details,
        }


def finding(severity: str, code: str, path: str | None, message: str) -> Finding:
    """A `Finding` whose message stays short and on one line, whatever the path in it."""
    if path and (len(path) > MAX_SHOWN_PATH or not path.isprintable()):
        message = message.replace(path, shown_path(path))
    if len(message) > MAX_MESSAGE or not message.isprintable():
        message = "".join(ch if ch.isprintable() else "?" for ch in message[:MAX_MESSAGE])
        if len(message) == MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
    return Finding(severity, code, path, message)


def shown_path(path: str) -> str:
    """A path as a message shows it: control characters as `?`, the middle of a long one cut."""
    if len(path) > MAX_SHOWN_PATH:
        half = MAX_SHOWN_PATH // 2
        path = f"{path[:half]}…{path[-half:]}"
    return "".join(ch if ch.isprintable() else "?" for ch in path)


__all__ = [
    "ERROR",
    "INFO",
    "REPORT_FORMAT",
    "WARNING",
    "BytesProgress",
    "Finding",
    "Problem",
    "VerifyReport",
    "finding",
    "shown_path",
]
