"""Decoding a stored picture for OCR, by the rules the report's previews use.

A picture is untrusted input: its header is read first by `report.thumbnails.open_picture` (only
PNG, JPEG, WebP, GIF and BMP, recognised by their signature; the declared size refused before a
pixel is decoded), so a decompression bomb, a damaged file or a HEIC costs a sentence, not memory.
OCR has a lower pixel limit than a preview, because the whole picture is decoded at full size
(a preview is decoded reduced): 40 megapixels is a scrolled capture of 1080 × 37,000 pixels, and
at most 160 MB while it is read. An animated GIF is not read: its frames are not one text.
"""

from __future__ import annotations

from typing import Any

MAX_PIXELS = 40_000_000


class PictureRefused(Exception):
    """Why a picture was not read: a sentence (without its full stop)."""


def decode(data: bytes) -> Any:  # a PIL.Image.Image in RGB
    """The picture in `data`, decoded, turned upright by its EXIF orientation, in RGB."""
    from PIL import Image, ImageOps

    from evidencekit.report import thumbnails

    try:
        image = thumbnails.open_picture(data)
    except thumbnails.PictureRefused as exc:
        raise PictureRefused(_for_ocr(str(exc))) from None
    try:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise PictureRefused(
                f"the picture says it is {width}×{height} pixels, more than evidencekit reads text from "
                f"({MAX_PIXELS // 1_000_000} megapixels)"
            )
        if getattr(image, "is_animated", False):
            raise PictureRefused("it is an animated picture (its frames are not one text)")
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                rgba = upright.convert("RGBA")
                background = Image.new("RGB", rgba.size, "white")
                background.paste(rgba, mask=rgba.getchannel("A"))
                return background
            return upright.convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PictureRefused("the picture is larger than it said") from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, MemoryError):
            raise PictureRefused("the picture is damaged or cut short") from None
    finally:
        image.close()


def _for_ocr(sentence: str) -> str:
    return sentence.replace(", so no preview was made", "").replace("to preview safely", "to read safely")
