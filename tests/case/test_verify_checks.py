"""The checks other parts of evidencekit contribute to verify always run, or say they could not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evidencekit.case.seal import seal_case
from evidencekit.intake.files import capture
from evidencekit.verify import parts, verify_case

CHECK_MODULES = [
    "evidencekit.story.checks",
    "evidencekit.report.checks",
    "evidencekit.web.warccheck",
    "evidencekit.web.waczcheck",
    "evidencekit.exports.checks",
    "evidencekit.guide.checks",
    "evidencekit.perceptual.checks",
    "evidencekit.handover.item_timestamp_check",
    "evidencekit.handover.timestamp_check",
]


@pytest.fixture
def sealed(case, evidence):
    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    return case.root


def test_every_check_runs_on_a_good_case(sealed):
    report = verify_case(sealed)
    assert report.ok, report.errors
    assert len(parts.EXTRA_CHECKS) == len(CHECK_MODULES)
    assert all(callable(check) for check in parts.EXTRA_CHECKS)


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_a_check_module_that_cannot_be_imported_is_an_error(sealed, module, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # `import` of it now raises ImportError
    report = verify_case(sealed)
    assert not report.ok
    assert [f.code for f in report.errors] == ["check-failed"]


def test_with_every_check_module_missing_verify_does_not_say_all_is_well(sealed, monkeypatch):
    for module in CHECK_MODULES:
        monkeypatch.setitem(sys.modules, module, None)
    report = verify_case(sealed)
    assert [f.code for f in report.errors] == ["check-failed"] * len(CHECK_MODULES)


def test_a_check_that_raises_is_a_finding_not_a_crash(sealed, monkeypatch):
    def broken(root, report):
        raise KeyError("surprise")

    monkeypatch.setattr(parts, "EXTRA_CHECKS", [*parts.EXTRA_CHECKS, broken])
    report = verify_case(sealed)
    failed = [f for f in report.errors if f.code == "check-failed"]
    assert len(failed) == 1 and "KeyError" in failed[0].message


def test_ctrl_c_in_a_check_still_stops_verify(sealed, monkeypatch):
    def interrupted(root, report):
        raise KeyboardInterrupt

    monkeypatch.setattr(parts, "EXTRA_CHECKS", [interrupted])
    with pytest.raises(KeyboardInterrupt):
        verify_case(sealed)


def test_importing_verify_imports_no_check_module():
    code = f"import sys, evidencekit.verify; print([m for m in {CHECK_MODULES!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
