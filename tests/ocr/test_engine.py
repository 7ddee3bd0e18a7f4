"""Where Tesseract's language data is found, and which languages a case is read in."""

from __future__ import annotations

from pathlib import Path

from evidencekit.ocr import engine


def test_the_data_folder_named_in_the_environment_is_the_only_one_looked_at(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(engine.TESSDATA_ENV, str(tmp_path))
    assert engine.find_tessdata() is None
    assert "language data was not found" in (engine.unavailable_reason() or "")

    (tmp_path / "eng.traineddata").write_bytes(b"")
    assert engine.find_tessdata() == tmp_path
    assert engine.unavailable_reason() is None


def test_a_case_is_read_in_english_and_its_countrys_language_when_that_is_installed(tmp_path: Path):
    (tmp_path / "eng.traineddata").write_bytes(b"")
    assert engine.languages_for("DE", tmp_path) == ("eng",)  # German not installed: English only

    (tmp_path / "deu.traineddata").write_bytes(b"")
    assert engine.languages_for("DE", tmp_path) == ("eng", "deu")
    assert engine.languages_for("de", tmp_path) == ("eng", "deu")
    assert engine.languages_for("GB", tmp_path) == ("eng",)
    assert engine.languages_for(None, tmp_path) == ("eng",)


def test_the_engine_names_what_read_the_text():
    with engine.Engine() as opened:
        info = opened.info.as_dict()
    assert info["name"] == "tesseract" and info["version"][0].isdigit()
    assert info["binding"].startswith("tesserocr ") and info["languages"] == ["eng"]
