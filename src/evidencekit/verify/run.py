"""Running verify: every check, in order, over a case folder or a bag read from an archive.

`verify_case()` never raises for a problem it finds in the case: each problem becomes a `Finding`
(severity, code, path, message) in the report, and the CLI renders it as a table or JSON. It raises
only when it cannot run at all (the path is not a case). It writes nothing, so it is safe on a
write-protected copy.
"""

from __future__ import annotations

from pathlib import Path

from evidencekit.case import layout
from evidencekit.case.bagview import BagView, FolderView
from evidencekit.case.findings import ERROR, WARNING, BytesProgress, VerifyReport
from evidencekit.case.jsonlines import parse_json
from evidencekit.errors import NotACaseError
from evidencekit.verify import bagit, parts, records, seal


def verify_case(
    root: Path,
    *,
    progress: BytesProgress | None = None,
    workers: int | None = None,
    check_originals: bool = False,
) -> VerifyReport:
    """Verify the case folder at `root`."""
    root = Path(root)
    if not root.is_dir():
        raise NotACaseError(
            f"There is no case folder at {root}.",
            hint="Give the folder that contains bagit.txt (or an encrypted .age hand-over file).",
        )
    has_bagit = (root / layout.BAGIT_TXT).exists()
    if not has_bagit and not (root / layout.RECORDS_DIR).is_dir() and not (root / layout.MANIFEST).exists():
        raise NotACaseError(
            f"{root} is not an evidencekit case (it has no bagit.txt).",
            hint="Give the folder that contains bagit.txt.",
        )
    return verify_bag(FolderView(root), progress=progress, workers=workers, check_originals=check_originals)


def verify_bag(
    bag: BagView,
    *,
    progress: BytesProgress | None = None,
    workers: int | None = None,
    check_originals: bool = False,
    report: VerifyReport | None = None,
) -> VerifyReport:
    """Run every check on `bag` (a folder, or a bag read from an archive stream)."""
    report = report if report is not None else VerifyReport(source=bag.label)
    if check_pending(bag, report) == "committed":
        # The folder is half-way through saving a change (some files renamed into place, others
        # not yet): anything else found now describes that half-saved state, not the case. The
        # verdict is still "problems found" until the next command finishes the saving.
        identify(bag, report)
        return report
    bagit.check_declaration(bag, report)
    bag_info = bagit.check_bag_info(bag, report)
    case_json = bagit.check_case_json(bag, report, bag_info)
    bagit.check_tag_manifest(bag, report)
    manifest, hashing = bagit.check_payload(bag, report, bag_info, progress, workers)
    try:
        custody = records.check_custody(bag, report, bag_info)
        items = records.check_records(bag, report, manifest, custody, check_originals)
        seal.check_seal(bag, report, custody, case_json, items)
        seal.check_history(bag, report, manifest, custody, case_json, items)
        seal.check_signing_keys(report, custody)
        bagit.check_extras(bag, report)
        bagit.check_links(bag, report)
        parts.run_extra_checks(bag, report)
        if hashing is not None:
            hashing.finish()
    except BaseException:
        if hashing is not None:
            hashing.cancel()  # Ctrl-C or a failure: the workers must not go on hashing every file
        raise
    report.case_id = (case_json or {}).get("id") or dict(bag_info).get("External-Identifier")
    report.title = (case_json or {}).get("title")
    report.fingerprint = bag.sha256(layout.TAGMANIFEST)
    return report


def identify(bag: BagView, report: VerifyReport) -> None:
    """Case id and title for the report's heading, from whatever case.json says (best effort)."""
    try:
        case_json = parse_json(bag.read_bytes(layout.CASE_JSON).decode("utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(case_json, dict):
        report.case_id = case_json.get("id") if isinstance(case_json.get("id"), str) else None
        report.title = case_json.get("title") if isinstance(case_json.get("title"), str) else None


def check_pending(bag: BagView, report: VerifyReport) -> str | None:
    state = bag.pending_state()
    if state == "committed":
        report.add(
            ERROR,
            "interrupted-change",
            layout.TXN_DIR,
            "An evidencekit command was interrupted while saving. Run any evidencekit command on "
            "the case (for example `evidencekit status`) to finish saving, then verify again.",
        )
    elif state == "uncommitted":
        report.add(
            WARNING,
            "unfinished-change",
            layout.TXN_DIR,
            "An evidencekit command was interrupted before saving; its leftover files are not part "
            "of the case and will be removed by the next evidencekit command.",
        )
    return state


__all__ = ["verify_bag", "verify_case"]
