"""Building the report and putting it where it belongs.

Three cases; a seal is never changed without saying so:

- **Open case** (the default): the report goes into the case as derived files,
  `data/derived/report/report.html` and `report.pdf`, replacing an earlier report. The change is
  all-or-nothing like any other: the manifest gets the new hashes and a `report-generated` custody
  entry lists each file's path, SHA-256 and size.
- **Sealed case with `--out DIR`**: the report is written to DIR, outside the case, and the case is
  not touched (it cannot be, without breaking its seal). The report shows the seal fingerprint, so
  it describes exactly the sealed case handed over with it.
- **Sealed case without `--out`** (as the issue asks: "re-sealed if it was"): the case is reopened
  (logged), the report added, and the case sealed again; the earlier seal stays checkable in
  `seal/history/` and the new fingerprint is returned (the CLI prints it in bold, to write down).
  If building the report fails after the reopen, the case is sealed again anyway, so it is never
  left open by surprise.

With `--out DIR` on an open case the report is written to DIR and the custody log records that a
report was made there (with its hashes); nothing is added to the payload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.atomic import atomic_write_bytes, make_private_dir, storage_errors, write_bytes_durably
from evidencekit.case.case import Case, CaseChange, default_actor
from evidencekit.errors import EvidenceKitError, ExitCode, InterruptedAfterSaving, InvalidValueError
from evidencekit.report.model import DEFAULT_MAX_MESSAGES, ReportOptions, collect
from evidencekit.report.render import PdfUnavailableError, render_html, render_pdf

FORMATS = ("html", "pdf")
REPORT_ACTION = "report-generated"


@dataclass(frozen=True)
class ReportFile:
    """One file written: its format, where it is, and its SHA-256."""

    format: str
    path: Path
    bag_path: str | None
    sha256: str
    size: int


@dataclass
class ReportResult:
    """What `build_report` did, for the CLI to tell the person."""

    files: list[ReportFile] = field(default_factory=list)
    inside_case: bool = True
    sealed: bool = False
    fingerprint: str | None = None
    resealed_from: str | None = None
    pdf_problem: str | None = None
    messages_total: int = 0
    messages_shown: int = 0
    exhibits: int = 0
    withheld: int = 0
    thumbnails: int = 0
    earlier_files_kept: list[str] = field(default_factory=list)
    recovered: str | None = None


Progress = Callable[[str], None]


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """`html,pdf` → ('html', 'pdf'), refusing anything else."""
    parts = text.split(",") if isinstance(text, str) else [p for chunk in text for p in chunk.split(",")]
    chosen = []
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        if part not in FORMATS:
            raise InvalidValueError(f"“{part}” is not a report format.", hint="Use html, pdf, or html,pdf.")
        if part not in chosen:
            chosen.append(part)
    if not chosen:
        raise InvalidValueError("No report format was given.", hint="Use html, pdf, or html,pdf.")
    return tuple(chosen)


def build_report(
    case: Case,
    *,
    formats: Sequence[str] = FORMATS,
    out: Path | None = None,
    images: bool = True,
    max_messages: int | None = DEFAULT_MAX_MESSAGES,
    progress: Progress | None = None,
) -> ReportResult:
    """Build the report (see the module docstring for where it goes)."""
    formats = parse_formats(list(formats))
    if max_messages is not None and max_messages < 0:
        raise InvalidValueError(
            "--max-messages cannot be negative.", hint="Use 0 or more, or --all-messages."
        )
    say = progress or (lambda _text: None)
    result = ReportResult()
    if out is not None:
        out = _check_out(case, out)
    reseal = case.is_sealed() and out is None  # the report joins the case: add it, seal again

    if out is not None and case.is_sealed():
        result.recovered = case.recover_if_needed()
        options = ReportOptions(
            images=images, max_messages=max_messages, in_case=False, actor=default_actor(case.info.collector)
        )
        data, rendered = _make(case, options, formats, say, case.clock())
        _write_outside(out, rendered, result)
        _fill(result, data, rendered, case)
        result.inside_case = False
        return result

    if reseal and case.is_sealed():
        from evidencekit.case.seal import reopen_case

        say("Reopening the case to add the report")
        try:
            reopened = reopen_case(case, reason="to add the report (evidencekit report)")
        except InterruptedAfterSaving:
            raise _stopped_after_reopening(case) from None
        result.resealed_from = reopened.superseded_fingerprint

    try:
        _build_in_change(case, result, formats, out, images, max_messages, say)
    except BaseException:
        if result.resealed_from is not None and not case.is_sealed():
            from evidencekit.case.seal import seal_case

            seal_case(case)  # never leave a case open that the person had sealed
        raise

    if result.resealed_from is not None:
        from evidencekit.case.seal import seal_case

        say("Sealing the case again")
        try:
            sealed = seal_case(case)
        except InterruptedAfterSaving:
            raise  # the new seal was saved: the case is sealed, with the report
        except (EvidenceKitError, KeyboardInterrupt) as exc:
            raise _not_sealed_again(exc) from None
        result.sealed = True
        result.fingerprint = sealed.fingerprint
    return result


def _stopped_after_reopening(case: Case) -> EvidenceKitError:
    """Ctrl-C while the reopen was being saved: the reopen finished, the report was not begun.
    The person had a sealed case, so it is sealed again before saying so."""
    from evidencekit.case.seal import seal_case

    try:
        seal_case(case)
    except (EvidenceKitError, KeyboardInterrupt) as exc:
        return _not_sealed_again(exc, report_added=False)
    error = EvidenceKitError(
        "Stopped before the report was made. The case was sealed again, holding what it held "
        "before (its seal history shows the reopening).",
        hint="Run: evidencekit report, to make the report.",
    )
    error.exit_code = ExitCode.INTERRUPTED
    return error


def _not_sealed_again(exc: BaseException, *, report_added: bool = True) -> EvidenceKitError:
    """The report is in the case but the new seal is not: its error would say nothing changed."""
    stopped = isinstance(exc, KeyboardInterrupt)
    error = EvidenceKitError(
        (
            "The report was added to the case, but "
            if report_added
            else "Stopped before the report was made, and "
        )
        + ("sealing it again was stopped." if stopped else "the case could not be sealed again."),
        hint=("" if stopped or not isinstance(exc, EvidenceKitError) or not exc.hint else exc.hint + " ")
        + "The case is open now; to seal it again, run: evidencekit seal",
    )
    error.exit_code = ExitCode.INTERRUPTED if stopped else getattr(exc, "exit_code", ExitCode.BAD_INPUT)
    return error


def _build_in_change(
    case: Case,
    result: ReportResult,
    formats: tuple[str, ...],
    out: Path | None,
    images: bool,
    max_messages: int | None,
    say: Callable[[str], None],
) -> None:
    with case.change("report") as change:
        result.recovered = change.recovered
        options = ReportOptions(
            images=images, max_messages=max_messages, in_case=out is None, actor=change.actor
        )
        data, rendered = _make(case, options, formats, say, change.now())
        if out is None:
            _stage_inside(case, change, rendered, result)
        else:
            _write_outside(out, rendered, result)
            result.inside_case = False
        _fill(result, data, rendered, case)
        change.log(
            REPORT_ACTION,
            {
                "location": "case" if out is None else "outside",
                "folder": layout.REPORT_DIR if out is None else str(out),
                "files": [
                    {
                        "path": f.bag_path or f.path.name,
                        "sha256": f.sha256,
                        "size": f.size,
                        "format": f.format,
                    }
                    for f in result.files
                ],
                "messages_total": result.messages_total,
                "messages_shown": result.messages_shown,
                "previews": result.thumbnails,
                "pdf_problem": result.pdf_problem,
            },
        )


def _check_out(case: Case, out: Path) -> Path:
    folder = Path(out).expanduser().absolute()
    root = case.root.resolve()
    resolved = folder.resolve()
    if resolved == root or root in resolved.parents:
        raise InvalidValueError(
            f"{folder} is inside the case folder.",
            hint="Give a folder outside the case with --out, or leave --out away to store the report "
            "in the case (data/derived/report/).",
        )
    if folder.exists() and not folder.is_dir():
        raise InvalidValueError(f"{folder} is a file, not a folder.", hint="Give a folder for --out.")
    return folder


def _make(
    case: Case, options: ReportOptions, formats: Sequence[str], say: Progress, now: Any
) -> tuple[dict[str, Any], dict[str, bytes | PdfUnavailableError]]:
    data = collect(case, options, now, say)
    say("Writing the HTML report")
    html = render_html(data)
    rendered: dict[str, bytes | PdfUnavailableError] = {}
    if "html" in formats:
        rendered["html"] = html.encode("utf-8")
    if "pdf" in formats:
        say("Making the PDF (this can take a while for a large case)")
        try:
            rendered["pdf"] = render_pdf(html)
        except PdfUnavailableError as exc:
            if formats == ("pdf",):
                raise
            rendered["pdf"] = exc
    return data, rendered


def _stage_inside(
    case: Case, change: CaseChange, rendered: dict[str, bytes | PdfUnavailableError], result: ReportResult
) -> None:
    manifest = case.manifest()
    for fmt, content in rendered.items():
        if isinstance(content, PdfUnavailableError):
            result.pdf_problem = content.message
            continue
        bag_path = f"{layout.REPORT_DIR}/report.{fmt}"
        digest = hashlib.sha256(content).hexdigest()
        if bag_path in manifest:
            target = change.replace_payload(bag_path, digest, len(content))
        else:
            target = change.reserve_payload(bag_path)
            change.add_payload(bag_path, digest, len(content))
        write_bytes_durably(target, content)
        result.files.append(ReportFile(fmt, case.root / bag_path, bag_path, digest, len(content)))
    written = {f.bag_path for f in result.files}
    result.earlier_files_kept = sorted(
        path for path in manifest if path.startswith(layout.REPORT_DIR + "/") and path not in written
    )


def _write_outside(out: Path, rendered: dict[str, bytes | PdfUnavailableError], result: ReportResult) -> None:
    with storage_errors("writing the report"):
        make_private_dir(out)
        for fmt, content in rendered.items():
            if isinstance(content, PdfUnavailableError):
                result.pdf_problem = content.message
                continue
            target = out / f"report.{fmt}"
            atomic_write_bytes(target, content)
            result.files.append(
                ReportFile(fmt, target, None, hashlib.sha256(content).hexdigest(), len(content))
            )


def _fill(result: ReportResult, data: dict[str, Any], rendered: dict[str, Any], case: Case) -> None:
    result.messages_total = data["messages_total"]
    result.messages_shown = data["messages_shown"]
    result.exhibits = len(data["exhibits"])
    result.withheld = len(data["withheld"])
    result.thumbnails = len(data["thumbnails"])
    result.sealed = case.is_sealed()
    result.fingerprint = data["seal"]["fingerprint_raw"]
