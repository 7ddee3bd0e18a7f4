"""verify tells an examiner that a case is marked under-18, and which copied media lack a confirmation."""

from __future__ import annotations

from PIL import Image

from evidencekit.case.case import create_case
from evidencekit.case.flags import set_under_18
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case


def codes(root):
    return {(f.severity, f.code) for f in verify_case(root).findings}


def test_an_adult_case_has_no_under_18_findings(case):
    assert not any("under-18" in code for _severity, code in codes(case.root))


def test_the_mark_is_reported_and_media_copied_before_it_are_named(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "before.png")
    Image.new("RGB", (4, 4), "red").save(tmp_path / "after.png")
    (tmp_path / "chat.txt").write_text("pay\n", encoding="utf-8")
    case = create_case(tmp_path / "case")
    capture(case, [tmp_path / "before.png", tmp_path / "chat.txt"])
    set_under_18(case, "yes")
    capture(case, [tmp_path / "after.png"], not_intimate=True)
    report = verify_case(case.root)
    assert report.ok  # a finding to handle, not damage
    found = [(f.severity, f.code, f.path) for f in report.findings if "under-18" in f.code]
    assert found == [
        ("info", "under-18-case", "evidencekit/case.json"),
        ("warning", "under-18-media-unconfirmed", "data/items/E0001-before.png"),
    ]
