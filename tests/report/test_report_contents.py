"""What an officer reads: the report opened in a real browser and the PDF read back as text.

Every exhibit's SHA-256, every offender identifier and every action must be there; the intimate
image must not be, in any form: not its bytes, not its base64, not a picture of it.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess

from PIL import Image, ImageStat

from evidencekit.report.build import build_report
from tests.conftest import require_tool
from tests.report.conftest import CAPTURE_COLOUR, SHOT_COLOUR, build_story_case, chromium, pdf_text, squeeze


def assert_no_trace_of(data: bytes, secret: bytes, where: str) -> None:
    """No 32-byte piece of `secret`, raw, in base64 (any alignment) or in hex, appears in `data`."""
    pieces = [secret[i : i + 32] for i in range(0, len(secret) - 32, 16)]
    assert pieces
    for piece in pieces:
        assert piece not in data, f"bytes of the sensitive image found in {where}"
        assert piece.hex().encode() not in data, f"hex of the sensitive image found in {where}"
    for shift in range(3):
        encoded = base64.b64encode(secret[shift:])
        for i in range(8, len(encoded) - 48, 40):
            assert encoded[i : i + 40] not in data, f"base64 of the sensitive image found in {where}"


def looks_like_noise(image: Image.Image) -> bool:
    """The sensitive test image is random pixels; every allowed preview is one flat colour."""
    return max(ImageStat.Stat(image.convert("RGB")).stddev) > 20


def embedded_images(html: str) -> list[Image.Image]:
    images = []
    for data in re.findall(r'src="data:image/[a-z]+;base64,([A-Za-z0-9+/=]+)"', html):
        images.append(Image.open(io.BytesIO(base64.b64decode(data))))
    return images


def test_the_report_shows_everything_an_officer_needs_and_never_the_image(tmp_path):
    story = build_story_case(tmp_path)
    result = build_report(story.case)
    html_file = story.case.root / "data/derived/report/report.html"
    pdf_file = story.case.root / "data/derived/report/report.pdf"
    assert {f.bag_path for f in result.files} == {
        "data/derived/report/report.html",
        "data/derived/report/report.pdf",
    }

    # 1. The HTML, opened in a real browser: the page renders, and the DOM holds every value.
    shot = tmp_path / "page.png"
    rendered = chromium(["--window-size=1100,1600", f"--screenshot={shot}", html_file.as_uri()], tmp_path)
    assert shot.exists(), rendered.stderr[-2000:]
    with Image.open(shot) as page:
        colours = page.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50, "the rendered page is blank"
        dark = sum(count for count, rgb in colours if sum(rgb) < 150)
        assert dark > 2000, "no text was drawn"
    dom = chromium(["--dump-dom", html_file.as_uri()], tmp_path).stdout
    assert "Evidence report" in dom
    for value in [*story.exhibit_hashes, *story.offender_identifiers, *story.action_texts, *story.must_show]:
        assert value in dom, f"{value} is missing from the page"

    # 2. The PDF, read back with poppler's pdftotext.
    text = squeeze(pdf_text(pdf_file))
    for value in [*story.exhibit_hashes, *story.offender_identifiers, *story.action_texts, *story.must_show]:
        assert squeeze(value) in text, f"{value} is missing from the PDF"

    # 3. The sensitive image: listed by hash, its bytes nowhere in either file.
    withheld = next(i for i in story.case.items() if i.get("by_reference"))
    assert withheld["sha256"] in dom and withheld["md5"] in dom and withheld["sha256"] in text
    for path in (html_file, pdf_file):
        assert_no_trace_of(path.read_bytes(), story.sensitive_bytes, path.name)

    # 4. The pictures that are shown: exactly the two non-sensitive screenshots, never the noise.
    html = html_file.read_text(encoding="utf-8")
    previews = embedded_images(html)
    assert len(previews) == 2
    assert not any(looks_like_noise(p) for p in previews)
    seen = sorted(tuple(int(c) for c in ImageStat.Stat(p.convert("RGB")).mean) for p in previews)
    for expected in (SHOT_COLOUR, CAPTURE_COLOUR):
        assert any(all(abs(a - b) < 8 for a, b in zip(got, expected, strict=True)) for got in seen)
    require_tool("pdfimages")
    out = tmp_path / "pdf-images"
    out.mkdir()
    subprocess.run(["pdfimages", "-png", str(pdf_file), str(out / "img")], check=True, timeout=120)
    extracted = [Image.open(p) for p in sorted(out.glob("*.png"))]
    assert len(extracted) == 2
    assert not any(looks_like_noise(p) for p in extracted)

    # 5. Safe to open: no scripts, no links, nothing loaded from elsewhere.
    assert "<script" not in html and "<a " not in html and "href=" not in html
    assert "default-src 'none'" in html
    assert not re.search(r'src="(?!data:)', html)


def test_no_previews_with_no_images_or_when_someone_shown_was_under_18(tmp_path):
    story = build_story_case(tmp_path / "a")
    build_report(story.case, images=False, formats=["html"])
    html = (story.case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "<img" not in html and "Previews were turned off" in html

    minor = build_story_case(tmp_path / "b", under_18=True)
    build_report(minor.case, formats=["html"])
    html = (minor.case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "<img" not in html and "under 18" in html


def test_values_typed_by_a_person_cannot_inject_markup(tmp_path, case):
    from evidencekit.story import add_note, add_offender

    add_offender(case, platform="Instagram", display_name='<img src="https://evil.example/x.png">')
    add_note(case, "<script>alert(1)</script> & more")
    build_report(case, formats=["html"])
    html = (case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert '<img src="https://evil' not in html
