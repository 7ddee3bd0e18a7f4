"""Type by content versus type by name."""

from __future__ import annotations

import pytest

from evidencekit.intake.filetype import detect, types_disagree


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.mark.parametrize(
    ("head", "name", "mime", "mismatch"),
    [
        (PNG, "a.png", "image/png", False),
        (b"%PDF-1.7\n", "a.png", "application/pdf", True),
        (b"%PDF-1.7\n", "a.pdf", "application/pdf", False),
        (b"hello world\n", "notes.csv", "text/plain", False),
        (b'{"a": 1}', "x.json", "application/json", False),
        (b"", "empty.txt", "application/x-empty", False),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "pic.jpeg", "image/jpeg", False),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "doc.docx", "image/jpeg", True),
    ],
)
def test_content_decides_and_a_lying_extension_is_flagged(head, name, mime, mismatch):
    found = detect(head, name)
    assert found.mime == mime
    assert found.mismatch is mismatch


def test_zip_based_formats_do_not_count_as_a_mismatch():
    assert not types_disagree(
        "application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert types_disagree("application/zip", "image/png")
