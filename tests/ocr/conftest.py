"""Chat screenshots rendered once per test session by the installed Chromium (tests/ocr/chatshots.py),
and the photos of a screen made from two of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ocr import chatshots


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from evidencekit.ocr.engine import unavailable_reason
    from evidencekit.web.browser import unavailable_reason as no_browser

    for why in (unavailable_reason(), no_browser()):
        if why:
            pytest.fail(f"OCR tests need Tesseract and Chromium; .ci/run installs them ({why})")
    folder = tmp_path_factory.mktemp("chatshots")
    made = chatshots.render_all([*chatshots.all_shots(), *chatshots.extra_shots()], folder)
    for name in ("whatsapp-light", "imessage-dark", "messenger-light"):
        made[f"{name}-photo"] = chatshots.photo_of_screen(made[name], folder / f"{name}-photo.jpg")
    return made
