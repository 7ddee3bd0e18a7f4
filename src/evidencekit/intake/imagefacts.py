"""Facts about an image read from its header, never by decoding or re-saving it.

Dimensions, the camera's own capture time (EXIF DateTimeOriginal with its offset, which lives in
the Exif sub-IFD, not in IFD0), the software that wrote it, and whether GPS data is present. The
image is never rendered: sensitive images are only ever read as bytes.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

_SCREENSHOT_NAME = re.compile(
    r"screen[ _-]?shot|screen[ _-]?capture|bildschirmfoto|capture d.[ée]cran|captura de pantalla|"
    r"schermafbeelding|sk[äa]rmbild|skjermbilde|zrzut ekranu|screenshot",
    re.IGNORECASE,
)

_heif_registered: bool | None = None


def _register_heif() -> None:
    """HEIC/HEIF (iPhone photos) through pillow-heif, when it is installed."""
    global _heif_registered
    if _heif_registered is None:
        try:
            # pillow-heif is optional and has no type information; where it is missing, mypy
            # finds no module at all.
            from pillow_heif import register_heif_opener  # type: ignore[import-not-found,unused-ignore]

            register_heif_opener()
            _heif_registered = True
        except ImportError:
            _heif_registered = False


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).strip("\x00 ").strip()
    return text or None


def _exif_datetime(value: str | None, offset: str | None) -> str | None:
    """EXIF `2024:03:14 21:07:41` (+ `+01:00`) as ISO 8601; None if it cannot be read."""
    if not value:
        return None
    match = re.match(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", value)
    if not match:
        return None
    iso = "{}-{}-{}T{}:{}:{}".format(*match.groups())
    if offset and re.match(r"^[+-]\d{2}:\d{2}$", offset):
        iso += offset
    return iso


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_MAX_CHUNKS = 100_000  # a hostile file may hold millions of empty chunks
_EXIF_MAX_BYTES = 1 << 20


def _exif_without_pixels(im: Any, path: Path) -> Any:
    """The image's EXIF, read without decoding its pixels.

    Pillow's PNG reader decodes the whole image to look for an eXIf chunk after the pixel data
    (`PngImageFile.getexif` calls `load()`). That would render sensitive images in memory, take
    hundreds of megabytes for a hostile "decompression bomb" (warnings about those are silenced
    here, because nothing is decoded), and cost more than the rest of a capture per screenshot. So
    for a PNG whose EXIF Pillow has not met before the pixels, the chunks are walked instead."""
    from PIL import Image

    if im.format != "PNG" or "exif" in im.info:
        return im.getexif()
    data = _png_exif_chunk(path)
    if data:
        im.info["exif"] = data
    # The base class's reading, which takes what the header gave (also ImageMagick's "Raw profile
    # type exif" text and XMP) without decoding anything.
    return Image.Image.getexif(im)


def _png_exif_chunk(path: Path) -> bytes | None:
    """The eXIf chunk's bytes, found by reading chunk headers only (the pixel data is skipped)."""
    with open(path, "rb") as handle:
        if handle.read(8) != _PNG_SIGNATURE:
            return None
        for _ in range(_PNG_MAX_CHUNKS):
            header = handle.read(8)
            if len(header) < 8:
                return None
            length, kind = int.from_bytes(header[:4], "big"), header[4:]
            if kind == b"eXIf":
                if length > _EXIF_MAX_BYTES:
                    return None
                data = handle.read(length)
                return data if len(data) == length else None
            if kind == b"IEND":
                return None
            handle.seek(length + 4, 1)  # the chunk's data and its CRC
    return None


def image_facts(path: Path) -> dict[str, Any] | None:
    """Facts for an image file, or None when Pillow cannot read its header."""
    from PIL import ExifTags, Image, UnidentifiedImageError

    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb warnings: we never decode pixels
            with Image.open(path) as im:
                facts: dict[str, Any] = {
                    "format": im.format,
                    "width": im.width,
                    "height": im.height,
                    "frames": getattr(im, "n_frames", 1),
                }
                exif = _exif_without_pixels(im, path)
                exif_ifd = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
                gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo) if exif else {}
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    except Exception:  # noqa: BLE001 - a hostile image must never stop a capture
        return None

    original = _text(exif_ifd.get(ExifTags.Base.DateTimeOriginal))
    offset = _text(exif_ifd.get(ExifTags.Base.OffsetTimeOriginal))
    user_comment = _text(exif_ifd.get(ExifTags.Base.UserComment))
    facts.update(
        {
            "exif_datetime_original": original,
            "exif_offset_time_original": offset,
            "exif_datetime_original_iso": _exif_datetime(original, offset),
            "exif_datetime": _text(exif.get(ExifTags.Base.DateTime)) if exif else None,
            "camera_make": _text(exif.get(ExifTags.Base.Make)) if exif else None,
            "camera_model": _text(exif.get(ExifTags.Base.Model)) if exif else None,
            "software": _text(exif.get(ExifTags.Base.Software)) if exif else None,
            "user_comment": user_comment,
            "gps_present": bool(gps_ifd),
        }
    )
    return facts


def looks_like_screenshot(name: str, mime: str | None, facts: dict[str, Any] | None) -> bool:
    """Screenshots are named so by phones and desktops; iOS writes 'Screenshot' in UserComment."""
    if _SCREENSHOT_NAME.search(name):
        return True
    if facts and (facts.get("user_comment") or "").lower() == "screenshot":
        return True
    return bool(mime == "image/png" and facts is not None and not facts.get("camera_make"))
