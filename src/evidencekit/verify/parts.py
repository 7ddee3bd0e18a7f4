"""The checks the other parts of evidencekit contribute: story, report, web, exports, guide and
the trusted timestamps. This package sits above all of them, so it imports each one by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evidencekit.case.bagview import BagView, FolderView
from evidencekit.case.findings import ERROR, INFO, VerifyReport

# Findings after which the folder holds something a check reading it by path could follow or hang on.
_LINK_CODES = frozenset({"payload-symlink", "payload-special-file", "case-link", "case-special-file"})


def run_extra_checks(bag: BagView, report: VerifyReport) -> None:
    later = []
    not_run = []
    # The checks that read the folder by path (not through a BagView, so not through safepath) do
    # not run on a folder with links or special files in it: they could be led outside the case,
    # or hang on a FIFO. The verdict is an error already; the finding says what was not checked.
    unsafe = any(f.code in _LINK_CODES for f in report.findings)
    for check in EXTRA_CHECKS:
        part = getattr(check, "words", getattr(check, "__name__", "?"))
        if getattr(check, "bag_view", False):
            _run_extra(check, bag, report)
        elif not isinstance(bag, FolderView):
            later.append(part)
        elif unsafe:
            not_run.append(part)
        else:
            _run_extra(check, bag.root, report)
    if not_run:
        report.add(
            INFO,
            "checks-not-run",
            None,
            f"Not checked: {_and(not_run)}, because the case folder holds links or special "
            "files (see above), which those checks could follow or wait on forever.",
        )
    if later:
        report.add(
            INFO,
            "checks-after-open",
            None,
            f"Not checked inside the archive: {_and(later)}. They need the unpacked case folder: "
            "`evidencekit open` unpacks it and checks them.",
        )


def _and(words: list[str]) -> str:
    """“a, b and c”: what was not checked, in the order of EXTRA_CHECKS."""
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# Each is called as check(root, report). They are imported when called, not when verify is imported
# (verify imports little, see evidencekit/_lazy.py), but by a plain import statement: a check that
# cannot be imported or that fails is a `check-failed` error, never skipped in silence. A check that
# can also run on a bag read from an encrypted archive (no folder on disk) has `bag_view = True` and
# accepts a `BagView` too; the others run after `open`.

ExtraCheck = Callable[[Any, VerifyReport], None]


def _part(name: str, words: str, bag_view: bool = False) -> Callable[[ExtraCheck], ExtraCheck]:
    """`name` is the part of evidencekit the check comes from; `words` says in plain words what
    it checks, for the sentences that tell a person what was not checked."""

    def mark(check: ExtraCheck) -> ExtraCheck:
        check.part = name  # type: ignore[attr-defined]
        check.words = words  # type: ignore[attr-defined]
        check.bag_view = bag_view  # type: ignore[attr-defined]
        return check

    return mark


@_part("story", "the story records (accounts, payments, notes and actions)")
def _story_records(root: Any, report: VerifyReport) -> None:
    from evidencekit.story.checks import check_story_records

    check_story_records(root, report)


@_part("report", "the report files")
def _report_files(root: Any, report: VerifyReport) -> None:
    from evidencekit.report.checks import check_report_files

    check_report_files(root, report)


@_part("web", "the web captures")
def _web_captures(root: Any, report: VerifyReport) -> None:
    from evidencekit.web.warccheck import check_web_captures

    check_web_captures(root, report)


@_part("web.wacz", "the replayable web archives (WACZ)")
def _waczs(root: Any, report: VerifyReport) -> None:
    from evidencekit.web.waczcheck import check_waczs

    check_waczs(root, report)


@_part("exports", "the chat transcripts")
def _transcripts(root: Any, report: VerifyReport) -> None:
    from evidencekit.exports.checks import check_transcripts

    check_transcripts(root, report)


@_part("guide", "the under-18 safeguard")
def _under_18(root: Any, report: VerifyReport) -> None:
    from evidencekit.guide.checks import check_under_18

    check_under_18(root, report)


@_part("perceptual", "the hashes added for hash lists")
def _hash_records(root: Any, report: VerifyReport) -> None:
    from evidencekit.perceptual.checks import check_hash_records

    check_hash_records(root, report)


@_part("handover.timestamp", "the trusted timestamps", bag_view=True)
def check_seal_timestamps(root: Any, report: VerifyReport) -> None:
    """The RFC 3161 tokens on the seal (handover/timestamp_check.py); runs on an archive stream too."""
    from evidencekit.handover.timestamp_check import check_timestamps

    check_timestamps(root, report)


@_part("handover.item_timestamp", "the items' trusted times")
def _item_timestamps(root: Any, report: VerifyReport) -> None:
    from evidencekit.handover.item_timestamp_check import check_item_timestamps

    check_item_timestamps(root, report)


EXTRA_CHECKS: list[ExtraCheck] = [
    _story_records,
    _report_files,
    _web_captures,
    _waczs,
    _transcripts,
    _under_18,
    _hash_records,
    _item_timestamps,
    check_seal_timestamps,
]


def _run_extra(check: ExtraCheck, root: Any, report: VerifyReport) -> None:
    """Run one check; if it cannot run, that is itself a finding (Ctrl-C still stops verify)."""
    try:
        check(root, report)
    except Exception as exc:  # noqa: BLE001 - any failure of a check must show in the verdict
        part = getattr(check, "words", getattr(check, "__name__", "a check"))
        report.add(
            ERROR,
            "check-failed",
            None,
            f"The check of {part} could not run ({type(exc).__name__}: {exc}), so that part of the case "
            "was not checked.",
        )


__all__ = ["EXTRA_CHECKS", "ExtraCheck", "check_seal_timestamps", "run_extra_checks"]
