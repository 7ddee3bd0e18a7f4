"""The report reads cleanly: nothing runs out of its cell or off the page, and previews can be read.

An officer reads the report in a browser or on paper. A case with everything that is long or odd
(payments demanded and paid, withheld items with long names, file names and web addresses with no
place to break, fifty offender accounts, Arabic and Hebrew) is rendered and measured:

- the HTML in a real Chromium (Playwright): every table cell's content fits its width, every piece
  of text stays inside its cell and the page, and each preview is at least 480 px wide;
- each PDF page, from both printers (Chromium when installed, WeasyPrint otherwise): every word,
  as poppler's pdftotext places it, stays inside the page's margins, overlaps no other word, and
  crosses no table rule (found in the page drawn by pdftoppm).
"""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidencekit.report.build import build_report
from evidencekit.report.render import pdf_engine_available, render_pdf
from tests.conftest import require_tool, running_as_root
from tests.report.conftest import pdf_text, squeeze
from tests.report.layout_case import LONG_URL, WALLET, LayoutCase, build_layout_case

REPORT_HTML = "data/derived/report/report.html"
REPORT_PDF = "data/derived/report/report.pdf"
MIN_PREVIEW_PX = 480
PAGE_MARGIN_PT = 12 / 25.4 * 72  # the template's left and right page margin, 12 mm
DPI = 144

# Every text node's boxes against its cell (or, outside a table, the report's main column), and every
# cell's content width against its own; the 1 px allows for rounding.
MEASURE = """() => {
  const main = document.querySelector("main").getBoundingClientRect();
  const page = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
      " in " + (el.closest("section") || {id: "header"}).id;
  for (const cell of document.querySelectorAll("td, th")) {
    if (cell.scrollWidth > cell.clientWidth + 1)
      problems.push(`${name(cell)}: content ${cell.scrollWidth} px wide in a ${cell.clientWidth} px cell: ` +
                    cell.textContent.trim().slice(0, 60));
  }
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const holder = node.parentElement.closest("td, th");
    const box = holder ? holder.getBoundingClientRect() : main;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      if (r.right > box.right + 1 || r.left < box.left - 1 || r.right > page)
        problems.push(`text "${node.textContent.trim().slice(0, 60)}" in ${name(node.parentElement)} ` +
                      `runs from ${Math.round(r.left)} to ${Math.round(r.right)} px, ` +
                      `outside ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
  }
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > main.right + 1 || r.right > page))
      problems.push(`${name(el)} reaches ${Math.round(r.right)} px, ` +
                    `past the page (${Math.round(main.right)} px)`);
  }
  const previews = [...document.querySelectorAll("#screenshots img")].map(
      (img) => ({alt: img.alt, width: img.getBoundingClientRect().width}));
  const withheldImages = document.querySelectorAll("#withheld img").length;
  return {problems, previews, withheldImages, scrollWidth: document.documentElement.scrollWidth, page};
}"""


@pytest.fixture
def layout_case(tmp_path: Path) -> LayoutCase:
    return build_layout_case(tmp_path)


def open_in_chromium(html_file: Path, width: int) -> dict[str, object]:
    """The report opened in the installed Chromium, as an officer's browser, and measured."""
    from playwright.sync_api import sync_playwright

    executable = require_tool("chromium")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, headless=True, chromium_sandbox=not running_as_root()
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html_file.as_uri(), wait_until="load")
            measured: dict[str, object] = page.evaluate(MEASURE)
            return measured
        finally:
            browser.close()


@pytest.mark.parametrize("width", [1280, 800])
def test_in_a_browser_every_value_fits_its_cell_and_previews_can_be_read(layout_case, width):
    build_report(layout_case.case, formats=["html"])

    measured = open_in_chromium(layout_case.case.root / REPORT_HTML, width)

    assert measured["problems"] == []
    assert measured["scrollWidth"] <= measured["page"], "the page scrolls sideways"
    previews = measured["previews"]
    assert isinstance(previews, list) and len(previews) == 3
    assert all(p["width"] >= MIN_PREVIEW_PX for p in previews), previews
    assert measured["withheldImages"] == 0


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """Each page's size and every word with its box (in points), as poppler's pdftotext sees them."""
    require_tool("pdftotext")
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=300
    ).stdout.decode("utf-8")
    sizes: list[tuple[float, float]] = []
    words: list[Word] = []
    for line in out.splitlines():
        page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if page:
            sizes.append((float(page[1]), float(page[2])))
            continue
        word = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if word:
            x0, y0, x1, y1 = (float(word[i]) for i in range(1, 5))
            words.append(Word(len(sizes), word[5], x0, y0, x1, y1))
    return sizes, words


def page_images(pdf: Path, folder: Path) -> list[object]:
    """Each page drawn in grey by poppler's pdftoppm."""
    from PIL import Image

    require_tool("pdftoppm")
    folder.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(folder / "p")], check=True, timeout=600
    )
    return [Image.open(p) for p in sorted(folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))]


def crossing_rule(image: object, word: Word) -> bool:
    """Whether a vertical line runs through the word: a column inside the word's box that is dark
    from above the word to below it. Letters stay inside the box; a table rule does not stop there."""
    scale = DPI / 72
    top, bottom = int((word.y0 - 1.5) * scale), int((word.y1 + 1.5) * scale) + 1
    left, right = int(word.x0 * scale) + 2, int(word.x1 * scale) - 2
    if right <= left or top < 0:
        return False
    strip = image.crop((left, top, right, bottom)).load()  # type: ignore[attr-defined]
    return any(all(strip[x, y] < 215 for y in range(bottom - top)) for x in range(right - left))


def layout_problems(pdf: Path, folder: Path) -> list[str]:
    sizes, words = pdf_words(pdf)
    images = page_images(pdf, folder)
    assert len(images) == len(sizes) and words
    problems = []
    for word in words:
        width, _height = sizes[word.page - 1]
        where = f"page {word.page}: “{word.text[:40]}”"
        if word.x1 > width - PAGE_MARGIN_PT + 1 or word.x0 < PAGE_MARGIN_PT - 1:
            span = f"{word.x0:.0f}–{word.x1:.0f} of {width:.0f} pt"
            problems.append(f"{where} runs into the page margin ({span})")
        elif crossing_rule(images[word.page - 1], word):
            problems.append(f"{where} crosses a table rule")
    by_line: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault((word.page, round(word.y1)), []).append(word)
    for line in by_line.values():
        line.sort(key=lambda w: w.x0)
        for first, second in itertools.pairwise(line):
            if first.x1 > second.x0 + 0.5:
                problems.append(f"page {first.page}: “{first.text[:30]}” runs into “{second.text[:30]}”")
    return problems


def test_the_pdf_printed_by_chromium_keeps_every_word_in_its_cell(layout_case, tmp_path):
    assert pdf_engine_available("chromium"), "Chromium and Playwright are installed here (.ci/run)"
    build_report(layout_case.case)
    pdf = layout_case.case.root / REPORT_PDF
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Skia/PDF" in info, "with a browser installed, the report is printed by it"

    assert layout_problems(pdf, tmp_path / "pages") == []


def test_the_pdf_printed_by_weasyprint_keeps_every_word_in_its_cell(layout_case, tmp_path):
    build_report(layout_case.case, formats=["html"])
    html = (layout_case.case.root / REPORT_HTML).read_text(encoding="utf-8")
    pdf = tmp_path / "weasyprint.pdf"
    pdf.write_bytes(render_pdf(html, engines=("weasyprint",)))
    assert "WeasyPrint" in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout

    assert layout_problems(pdf, tmp_path / "pages") == []


def test_both_printers_name_and_hash_the_same_things_and_never_the_withheld_picture(layout_case, tmp_path):
    build_report(layout_case.case, formats=["html"])
    html = (layout_case.case.root / REPORT_HTML).read_text(encoding="utf-8")
    must_show = [
        *layout_case.exhibit_hashes,
        *layout_case.withheld_hashes,
        WALLET,
        LONG_URL,
        "demanded, not paid",
    ]
    for engine in ("chromium", "weasyprint"):
        pdf = tmp_path / f"{engine}.pdf"
        pdf.write_bytes(render_pdf(html, engines=(engine,)))
        text = squeeze(pdf_text(pdf))
        missing = [value for value in must_show if squeeze(value) not in text]
        assert missing == [], f"{engine}: {missing}"
        assert text.count("WITHHELD") >= len(layout_case.withheld_hashes)
        content = pdf.read_bytes()
        for picture in layout_case.sensitive_bytes:
            assert picture[64:128] not in content


OLD_PAYMENT_COLUMNS = "".join(f'<col style="width:{w}%">' for w in (7, 14, 9, 10, 41, 19))


def test_the_checks_catch_the_old_layout(layout_case, tmp_path):
    """The old Payments columns, where "demanded, not paid" ran into the amount, and cells that
    could not break a long value: both checks see it (a check that cannot fail would prove nothing)."""
    build_report(layout_case.case, formats=["html"])
    html = (layout_case.case.root / REPORT_HTML).read_text(encoding="utf-8")
    payments = html.index('<section id="payments">')
    old = re.sub(r"<colgroup>.*?</colgroup>", OLD_PAYMENT_COLUMNS, html[payments:], count=1)
    old = html[:payments] + old.replace("demanded,<br>not paid", "demanded, not paid")
    old = old.replace("overflow-wrap: anywhere", "overflow-wrap: normal").replace("word-break: break-all", "")
    assert old != html

    pdf = tmp_path / "old.pdf"
    pdf.write_bytes(render_pdf(old, engines=("weasyprint",)))
    problems = layout_problems(pdf, tmp_path / "pages")
    assert any("“demanded,” runs into “0.0125”" in p for p in problems), problems
    page = tmp_path / "old.html"
    page.write_text(old, encoding="utf-8")
    problems = open_in_chromium(page, 1280)["problems"]
    assert any("demanded, not paid" in p for p in problems), problems  # type: ignore[attr-defined]
