"""The renderings an officer opens: a self-contained HTML page and a CSV that cannot run formulas."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from evidencekit.exports.renderings import render_text
from evidencekit.exports.transcript import read_transcript
from tests.exports import samples

HOSTILE = (
    '14/03/2024, 21:07 - Riley: <script>alert(1)</script><img src="https://evil.example/x.png">\n'
    '14/03/2024, 21:08 - Riley: =HYPERLINK("https://evil.example","click")\n'
    "14/03/2024, 21:09 - Riley: IMG-20240314-WA0007.jpg (file attached)\n"
    "14/03/2024, 21:10 - Sam: مرحبا — right-to-left text\n"
)


def elements(page: str) -> tuple[set[str], set[str]]:
    """Every tag and attribute name in the page, as a browser's parser sees them."""
    tags: set[str] = set()
    attributes: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)
            attributes.update(name for name, _ in attrs)

    Collect().feed(page)
    return tags, attributes


def test_the_html_page_loads_and_runs_nothing_and_embeds_no_attachment(read, tmp_path):
    path = samples.write(tmp_path / "in" / "WhatsApp Chat with Riley.txt", HOSTILE)
    zipped = tmp_path / "in" / "WhatsApp Chat with Riley.zip"
    import zipfile

    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(path, path.name)
        zf.writestr("IMG-20240314-WA0007.jpg", samples.JPEG)

    r = read(zipped)
    page = (r.folder / "transcript.html").read_text(encoding="utf-8")

    tags, attributes = elements(page)
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "audio", "video", "source", "a"}
    assert not attributes & {"src", "href", "action", "srcset", "style"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in page  # even a mistake could not load anything
    assert "IMG-20240314-WA0007.jpg" in page and "never shown or embedded" in page
    assert 'dir="auto"' in page
    assert "E0001" in page and "parser whatsapp" in page


def test_the_csv_names_item_and_parser_and_defuses_formulas(read, tmp_path):
    r = read(samples.write(tmp_path / "WhatsApp Chat with Riley.txt", HOSTILE))

    rows = list(csv.DictReader(io.StringIO((r.folder / "transcript.csv").read_text(encoding="utf-8"))))

    assert len(rows) == 4
    assert rows[1]["text"] == '\'=HYPERLINK("https://evil.example","click")'
    assert r.messages[1]["text"].startswith("=HYPERLINK"), "the JSONL keeps the exact text"
    assert {row["item"] for row in rows} == {"E0001"} and rows[0]["parser"].startswith("whatsapp ")
    assert rows[2]["attachments"] == "IMG-20240314-WA0007.jpg"


def test_the_text_rendering_says_what_was_assumed(read, tmp_path):
    r = read(samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY))
    out = io.StringIO()
    with open(r.folder / "transcript.jsonl", "rb") as stream:
        header, messages = read_transcript(stream)
        render_text(header, messages, out)

    text = out.getvalue()
    assert "read as Europe/London time (an assumption" in text
    assert "[2] 2024-03-14T21:07:00+00:00  Riley: you there?" in text
    assert "        what do you want" in text
    assert "[attachment: IMG-20240314-WA0007.jpg — not in the export]" in text


def test_shared_links_are_shown_in_the_readable_transcript(read, tmp_path):
    samples.instagram_thread(tmp_path / "ig")
    r = read(tmp_path / "ig")
    out = io.StringIO()
    with open(r.folder / "transcript.jsonl", "rb") as stream:
        header, messages = read_transcript(stream)
        render_text(header, messages, out)

    assert "[shared link: https://www.instagram.com/reel/abc/]" in out.getvalue()
    assert "[shared link: https://www.instagram.com/reel/abc/]" in (r.folder / "transcript.html").read_text()
