"""The OCR engine: Tesseract through tesserocr (its C API, in this process).

tesserocr was chosen over pytesseract by measuring (docs/explanation/dependencies.md): pytesseract
starts a `tesseract` process for every call (about 0.17 s each here), and a chat screenshot is read
bubble by bubble, ten or twenty small pictures; tesserocr reads each in about 15 ms with one engine
kept open. The engine needs Tesseract's language files (`eng.traineddata`, Debian's
`tesseract-ocr-eng`); without them OCR is simply not available and says how to add it.

OMP_THREAD_LIMIT=1 is set before Tesseract is loaded: its OpenMP threads fight each other on
small pictures, and one thread halved the wall time in our measurements.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Where Tesseract's language files usually are (Debian/Ubuntu 5 and 4, Fedora, Homebrew, Windows).
TESSDATA_PLACES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "C:/Program Files/Tesseract-OCR/tessdata",
)
TESSDATA_ENV = "EVIDENCEKIT_TESSDATA"
# Tesseract language files by the case's country: read as well as English when installed.
COUNTRY_LANGUAGES = {
    "DE": "deu", "AT": "deu", "CH": "deu", "FR": "fra", "BE": "fra", "ES": "spa", "MX": "spa",
    "AR": "spa", "IT": "ita", "PT": "por", "BR": "por", "NL": "nld", "PL": "pol", "SE": "swe",
    "NO": "nor", "DK": "dan", "FI": "fin", "TR": "tur", "RU": "rus", "UA": "ukr", "IN": "hin",
    "PH": "fil", "ID": "ind", "NG": "eng", "GH": "eng", "ZA": "eng",
}  # fmt: skip
HOW_TO_ADD = (
    "install Tesseract's English language data (Debian/Ubuntu: sudo apt install tesseract-ocr "
    "tesseract-ocr-eng; macOS: brew install tesseract), then run: evidencekit ocr"
)
_LANGUAGE_NAME = re.compile(r"[a-z_]{3,12}")


@dataclass(frozen=True)
class Word:
    """One word Tesseract read, with its box in the whole picture's pixels."""

    text: str
    confidence: float  # 0–100, Tesseract's own estimate
    left: int
    top: int
    width: int
    height: int
    line: int  # the line's number within the region read


@dataclass(frozen=True)
class EngineInfo:
    """What read the text, for the derived file (so a later reader knows what to expect)."""

    name: str
    version: str
    binding: str
    languages: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "binding": self.binding,
            "languages": list(self.languages),
        }


def find_tessdata() -> Path | None:
    """The folder holding eng.traineddata, or None.

    EVIDENCEKIT_TESSDATA wins (and, when set, is the only place looked at: tests and packagers can
    point it anywhere); then TESSDATA_PREFIX; then the usual places, and beside `tesseract`."""
    explicit = os.environ.get(TESSDATA_ENV)
    if explicit is not None:
        return Path(explicit) if (Path(explicit) / "eng.traineddata").is_file() else None
    places = [os.environ.get("TESSDATA_PREFIX") or "", *TESSDATA_PLACES]
    program = shutil.which("tesseract")
    if program:
        base = Path(program).resolve().parent
        places += [str(base / "tessdata"), str(base.parent / "share" / "tessdata")]
    for place in places:
        if place and (Path(place) / "eng.traineddata").is_file():
            return Path(place)
        if place and (Path(place) / "tessdata" / "eng.traineddata").is_file():
            return Path(place) / "tessdata"
    return None


def unavailable_reason() -> str | None:
    """Why text cannot be read here (a sentence's middle), or None when it can."""
    try:
        import tesserocr  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return "the Python package “tesserocr” is not installed (reinstalling evidencekit adds it)"
    if find_tessdata() is None:
        return "Tesseract's language data was not found on this computer"
    return None


def languages_for(country: str | None, tessdata: Path) -> tuple[str, ...]:
    """English, plus the case's country's language when its file is installed. More languages
    cost time on every picture, so only that one."""
    out = ["eng"]
    extra = COUNTRY_LANGUAGES.get((country or "").upper())
    if extra and extra not in out and (tessdata / f"{extra}.traineddata").is_file():
        out.append(extra)
    return tuple(out)


class Engine:
    """One Tesseract engine, reused for every region of every picture (not thread-safe: one
    thread uses it at a time, under its lock)."""

    def __init__(self, languages: tuple[str, ...] = ("eng",)) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        import tesserocr

        tessdata = find_tessdata()
        if tessdata is None:
            raise RuntimeError("Tesseract's language data was not found")
        if not all(_LANGUAGE_NAME.fullmatch(name) for name in languages):
            raise ValueError("unexpected language name")
        self._lock = threading.Lock()
        self._api = tesserocr.PyTessBaseAPI(
            path=str(tessdata) + os.sep,
            lang="+".join(languages),
            psm=tesserocr.PSM.SINGLE_BLOCK,
            oem=tesserocr.OEM.LSTM_ONLY,
            # No word lists: usernames, wallet addresses and codes are not words, and Tesseract
            # "correcting" them towards words would make them wrong.
            variables={"load_system_dawg": "F", "load_freq_dawg": "F"},
        )
        version = tesserocr.tesseract_version().split()[1] if tesserocr.tesseract_version() else "?"
        self.info = EngineInfo(
            "tesseract", version, f"tesserocr {getattr(tesserocr, '__version__', '?')}", tuple(languages)
        )

    def close(self) -> None:
        self._api.End()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, picture: Any, offset: tuple[int, int] = (0, 0), scale: float = 1.0) -> list[Word]:
        """The words in `picture` (a Pillow image, dark text on light), read as one block of text.
        Boxes are given in the whole picture: divided by `scale`, then moved by `offset`."""
        with self._lock:
            self._api.SetImage(picture)
            self._api.Recognize()
            tsv = self._api.GetTSVText(0)
        return list(_words(tsv, offset, scale))


def _words(tsv: str, offset: tuple[int, int], scale: float) -> Iterator[Word]:
    """Words from Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width,
    height, confidence, text (level 5 is a word)."""
    dx, dy = offset
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = cells[11].strip()
        if not text:
            continue
        try:
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = float(cells[10])
            line = int(cells[2]) * 10_000 + int(cells[3]) * 100 + int(cells[4])
        except ValueError:
            continue
        yield Word(
            text,
            max(0.0, confidence),
            dx + round(left / scale),
            dy + round(top / scale),
            max(1, round(width / scale)),
            max(1, round(height / scale)),
            line,
        )


def platform_hint() -> str:
    """How to add Tesseract on this system, as the end of a sentence."""
    if sys.platform == "darwin":
        return "install it with Homebrew (brew install tesseract), then run: evidencekit ocr"
    if os.name == "nt":
        return "install Tesseract (the UB Mannheim installer), then run: evidencekit ocr"
    return HOW_TO_ADD
