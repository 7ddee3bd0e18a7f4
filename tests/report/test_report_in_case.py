"""Where the report goes, and the case stays valid: in an open case it is a logged derived file; a
sealed case gets the report and is sealed again, or stays untouched with --out."""

from __future__ import annotations

import hashlib
import json

import pytest

from evidencekit.case.seal import reopen_case, seal_case
from evidencekit.errors import InvalidValueError
from evidencekit.report.build import build_report, parse_formats
from evidencekit.story import add_note
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag
from tests.report.conftest import pdf_text, squeeze

REPORT_HTML = "data/derived/report/report.html"
REPORT_PDF = "data/derived/report/report.pdf"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_in_an_open_case_the_report_is_a_logged_derived_file(story_case):
    case = story_case.case
    result = build_report(case)

    manifest = case.manifest()
    assert manifest[REPORT_HTML] == sha256(case.root / REPORT_HTML)
    assert manifest[REPORT_PDF] == sha256(case.root / REPORT_PDF)
    entry = case.custody_entries()[-1]
    assert entry["action"] == "report-generated" and entry["details"]["location"] == "case"
    assert {(f["path"], f["sha256"]) for f in entry["details"]["files"]} == {
        (REPORT_HTML, manifest[REPORT_HTML]),
        (REPORT_PDF, manifest[REPORT_PDF]),
    }
    assert result.inside_case and not result.sealed
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_making_the_report_again_replaces_it_and_the_case_still_verifies(story_case):
    case = story_case.case
    build_report(case)
    first = sha256(case.root / REPORT_HTML)
    add_note(case, "Later he wrote again.", at="2026-03-16 09:00")
    build_report(case, formats=["html"])
    assert sha256(case.root / REPORT_HTML) != first
    assert "Later he wrote again." in (case.root / REPORT_HTML).read_text(encoding="utf-8")
    assert [e["action"] for e in case.custody_entries()].count("report-generated") == 2
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_ctrl_c_while_reporting_on_a_sealed_case_leaves_it_sealed(story_case):
    case = story_case.case
    seal_case(case)

    def interrupted(step: str) -> None:
        if "HTML" in step:
            raise KeyboardInterrupt  # the person pressed Ctrl-C while the report was being made

    with pytest.raises(KeyboardInterrupt):
        build_report(case, progress=interrupted)

    assert case.is_sealed(), "a case the person had sealed is never left open"
    assert [e["action"] for e in case.custody_entries()][-2:] == ["reopened", "sealed"]
    assert not any(path.startswith("data/derived/report/") for path in case.manifest())
    assert verify_case(case.root).ok


def test_out_writes_beside_a_sealed_case_and_names_its_fingerprint(story_case, tmp_path):
    case = story_case.case
    seal_case(case)
    fingerprint = case.fingerprint()
    before = (case.root / "manifest-sha256.txt").read_bytes()

    result = build_report(case, out=tmp_path / "for-police")

    assert not result.inside_case and result.fingerprint == fingerprint
    assert sorted(p.name for p in (tmp_path / "for-police").iterdir()) == ["report.html", "report.pdf"]
    assert case.fingerprint() == fingerprint and (case.root / "manifest-sha256.txt").read_bytes() == before
    report = verify_case(case.root)
    assert report.ok and report.sealed
    text = squeeze(pdf_text(tmp_path / "for-police/report.pdf"))
    assert fingerprint in text  # shown in groups of eight; read back without spaces it is whole


def test_out_on_an_open_case_logs_where_the_report_went(story_case, tmp_path):
    case = story_case.case
    build_report(case, out=tmp_path / "copy", formats=["html"])
    entry = case.custody_entries()[-1]
    assert entry["action"] == "report-generated" and entry["details"]["location"] == "outside"
    assert entry["details"]["files"][0]["sha256"] == sha256(tmp_path / "copy/report.html")
    assert not any(path.startswith("data/derived/report/") for path in case.manifest())
    assert verify_case(case.root).ok


def test_a_report_on_a_sealed_case_is_added_and_the_case_sealed_again(story_case):
    case = story_case.case
    seal_case(case)
    first = case.fingerprint()

    result = build_report(case)

    assert result.resealed_from == first and result.fingerprint == case.fingerprint() != first
    actions = [e["action"] for e in case.custody_entries()][-3:]
    assert actions == ["reopened", "report-generated", "sealed"]
    report = verify_case(case.root)
    assert report.ok and report.sealed
    assert "earlier-seal-ok" in {f.code for f in report.findings}
    html = (case.root / REPORT_HTML).read_text(encoding="utf-8")
    assert first[:8] in html  # the superseded seal is listed

    # Later: reopen, add, make the report again. The first report was covered by the earlier seal;
    # replacing a derived file is logged, so verify says so instead of calling it tampering.
    reopen_case(case, reason="new messages")
    add_note(case, "He wrote from a new account.")
    build_report(case)
    seal_case(case)
    report = verify_case(case.root)
    assert report.ok, [f.message for f in report.errors]
    replaced = {(f.code, f.path) for f in report.findings}
    assert ("earlier-seal-derived-replaced", REPORT_HTML) in replaced


def test_a_swapped_or_unlogged_report_is_found(story_case):
    case = story_case.case
    build_report(case, formats=["html"])
    path = case.root / REPORT_HTML
    path.write_bytes(path.read_bytes().replace(b"Evidence report", b"Evidence rep0rt"))
    assert ("payload-changed", REPORT_HTML) in {(f.code, f.path) for f in verify_case(case.root).errors}


def test_report_checks_compare_manifest_and_log(story_case):
    """A forger who puts another report into the manifest (and fixes every hash) is still caught,
    because the custody log recorded the real report's hash."""
    from evidencekit.case.bag import format_manifest, parse_manifest
    from evidencekit.case.findings import VerifyReport
    from evidencekit.report.checks import check_report_files

    case = story_case.case
    build_report(case, formats=["html"])
    manifest_path = case.root / "manifest-sha256.txt"
    entries = {line.path: line.digest for line in parse_manifest(manifest_path.read_text(encoding="utf-8"))}
    entries[REPORT_HTML] = "0" * 64
    entries["data/derived/report/extra.pdf"] = "1" * 64
    manifest_path.write_text(format_manifest(entries), encoding="utf-8")
    report = VerifyReport()
    check_report_files(case.root, report)
    assert {(f.code, f.path) for f in report.findings} == {
        ("report-not-logged", REPORT_HTML),
        ("report-not-logged", "data/derived/report/extra.pdf"),
    }


def test_bad_report_options_are_refused(story_case, tmp_path):
    case = story_case.case
    with pytest.raises(InvalidValueError):
        parse_formats("html,docx")
    with pytest.raises(InvalidValueError):
        parse_formats(" , ")
    assert parse_formats("PDF, html,pdf") == ("pdf", "html")
    with pytest.raises(InvalidValueError) as error:
        build_report(case, out=case.root / "data")
    assert "inside the case" in error.value.message
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(InvalidValueError):
        build_report(case, out=tmp_path / "a-file")
    assert not any(e["action"] == "report-generated" for e in case.custody_entries())


def test_the_report_json_in_the_log_is_plain(story_case):
    case = story_case.case
    build_report(case, formats=["html"])
    line = (case.root / "evidencekit/custody.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    details = json.loads(line)["details"]
    assert details["messages_total"] == 6 and details["messages_shown"] == 6 and details["previews"] == 2


def test_without_a_browser_or_the_pdf_library_the_html_is_still_made_and_the_reason_given(
    story_case, monkeypatch, tmp_path
):
    """On a computer with no Chromium-family browser and without Pango (WeasyPrint cannot load),
    the person still gets the HTML."""
    import sys

    from evidencekit.report.render import PdfUnavailableError

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails, as without Pango
    monkeypatch.setenv("EVIDENCEKIT_BROWSER", str(tmp_path / "no-such-browser"))
    case = story_case.case

    result = build_report(case)

    assert [f.format for f in result.files] == ["html"]
    assert "PDF could not be made" in (result.pdf_problem or "")
    assert not (case.root / REPORT_PDF).exists() and (case.root / REPORT_HTML).exists()
    assert verify_case(case.root).ok
    with pytest.raises(PdfUnavailableError) as error:
        build_report(case, formats=["pdf"])
    assert "browser" in (error.value.hint or "")


def test_without_the_pdf_library_the_installed_browser_prints_the_pdf(story_case, monkeypatch):
    """WeasyPrint needs Pango; a computer that lacks it but has Chromium still gets its PDF."""
    import subprocess
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    case = story_case.case

    result = build_report(case)

    assert [f.format for f in result.files] == ["html", "pdf"] and result.pdf_problem is None
    info = subprocess.run(
        ["pdfinfo", str(case.root / REPORT_PDF)], capture_output=True, text=True, check=True
    )
    assert "Skia/PDF" in info.stdout
    assert verify_case(case.root).ok
