"""The officer reading the report sees, beside each screenshot's preview, the text read in it:
searchable in the HTML, selectable (as text, not pixels) in the PDF, and plainly marked as OCR."""

from __future__ import annotations

import subprocess
from pathlib import Path

from evidencekit.case.case import Case
from evidencekit.intake.files import capture
from tests.conftest import require_tool


def test_each_preview_has_its_text_beside_it_in_the_html_and_the_pdf(tmp_path: Path, case: Case, shots, cli):
    capture(case, [shots["whatsapp-light"]])
    out = tmp_path / "report"
    out.mkdir()

    made = cli("report", "--out", out, "--case", case.root)

    assert made.exit_code == 0, made.output
    page = (out / "report.html").read_text(encoding="utf-8")
    block = page[page.index('id="ocr-E0001"') :]
    block = block[: block.index("</div>")]
    assert "Text read in E0001 by OCR" in block and "OCR makes mistakes" in block
    assert "← Jake Miller [21:14]: Hey are you there" in block
    assert "→ (this phone) [21:16]: Please delete them" in block
    text = subprocess.run(
        [require_tool("pdftotext"), "-layout", str(out / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert "Text read in E0001 by OCR" in flat
    assert "Send 500 dollars by Friday or I post them" in flat
