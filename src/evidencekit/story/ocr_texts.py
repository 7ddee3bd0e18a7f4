"""The text read in screenshots (by `evidencekit ocr` or at capture), line by line with its box,
for `suggest` and the offender sheet.

A chat screenshot's messages are in its transcript (read like any chat export, by `sources`); this
reads the other pictures: a profile page, a payment request, a gift card. Each item's
`data/derived/<id>/ocr.json` is used only when the manifest lists it with the hash its bytes have,
it is read through safepath (no link or FIFO followed), and it must say it is an OCR file of that
item. Items recorded as sensitive, and in a case marked under 18 every picture not confirmed to
show no nudity, are skipped without opening anything (OCR makes no file for them; one found beside
such an item, made before the case was marked, is not read either).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.case import Case
from evidencekit.case.flags import flags_say_under_18
from evidencekit.case.records import ItemRecord

# The same as evidencekit.ocr.outputs (a layer above this one; tests/story check they agree).
OCR_FORMAT = "evidencekit-ocr/1"
OCR_JSON = "ocr.json"
# The kinds OCR reads (evidencekit.ocr.service.IMAGE_KINDS): one read by `evidencekit ocr` after
# capture has no `ocr` in its record, only its files.
PICTURE_KINDS = ("screenshot", "image")
MAX_DOCUMENT_BYTES = 20_000_000


@dataclass(frozen=True)
class OcrLine:
    """One line read in a picture: its text, where it is (left, top, width, height in the picture's
    pixels) and how sure the reading was (0-100)."""

    item_id: str
    text: str
    box: tuple[int, int, int, int] | None
    confidence: float | None


def ocr_lines(case: Case, items: Sequence[ItemRecord], manifest: dict[str, str]) -> Iterator[OcrLine]:
    """Every line read in the case's non-chat screenshots, in item order."""
    unread = unread_pictures(case, items)
    for item in items:
        if item.get("sensitive") or item.get("by_reference") or str(item.get("id")) in unread:
            continue
        item_id = str(item.get("id"))
        document = _document(case, item_id, manifest)
        if document is None or isinstance(document.get("chat"), dict):
            continue  # a chat screenshot: its messages are read from its transcript
        for region in _list(document.get("regions")):
            if not isinstance(region, dict):
                continue
            for line in _list(region.get("lines")):
                if not isinstance(line, dict) or not isinstance(line.get("text"), str):
                    continue
                box, confidence = _box(line.get("box")), _number(line.get("confidence"))
                yield OcrLine(item_id, line["text"], box, confidence)


def unread_pictures(case: Case, items: Sequence[ItemRecord]) -> set[str]:
    """Pictures whose OCR text (lines or chat transcript) must not be used: in a case marked under
    18, the screenshots and images (and any item OCR looked at) not confirmed to show no nudity, as
    OCR would not read them now. Every output that shows OCR text leaves these out, with
    `unread_note`; a chat export's transcript is not a picture's and is always used."""
    if not flags_say_under_18(case.info.flags):  # as OCR and the previews read the flag
        return set()
    return {
        str(item.get("id"))
        for item in items
        if (item.get("ocr") is not None or item.get("kind") in PICTURE_KINDS)
        and item.get("not_intimate_confirmed") is not True
    }


def unread_note(count: int) -> str | None:
    """The plain sentence an output shows where it left out `count` pictures' text by
    `unread_pictures`; None when it left out none."""
    if count <= 0:
        return None
    if count == 1:
        return (
            "1 picture's text is not shown: the case is marked under 18 and it is not confirmed to "
            "show no nudity."
        )
    return (
        f"{count} pictures' text is not shown: the case is marked under 18 and they are not "
        "confirmed to show no nudity."
    )


def _document(case: Case, item_id: str, manifest: dict[str, str]) -> dict[str, Any] | None:
    bag_path = f"{layout.DERIVED_DIR}/{item_id}/{OCR_JSON}"
    if bag_path not in manifest:
        return None
    try:
        data = safepath.read_bytes(case.root, bag_path, limit=MAX_DOCUMENT_BYTES)
    except OSError:  # missing, or a link or FIFO in its place (UnsafeCasePathError)
        return None
    if hashlib.sha256(data).hexdigest() != manifest[bag_path]:
        return None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != OCR_FORMAT:
        return None
    return document if document.get("item") == item_id else None


def union(
    a: tuple[int, int, int, int] | None, b: tuple[int, int, int, int] | None
) -> tuple[int, int, int, int] | None:
    """The box around two boxes (an address wrapped over two lines)."""
    if a is None or b is None:
        return a or b
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right, bottom = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (left, top, right - left, bottom - top)


def box_of(value: Any) -> tuple[int, int, int, int] | None:
    """A box written as [left, top, width, height] or {"left": …, "top": …, "width": …, "height": …}."""
    if isinstance(value, dict):
        value = [value.get(k) for k in ("left", "top", "width", "height")]
    return _box(value)


def _box(value: Any) -> tuple[int, int, int, int] | None:
    if (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1_000_000 for v in value)
    ):
        return (value[0], value[1], value[2], value[3])
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
