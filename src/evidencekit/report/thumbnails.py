"""Small pictures of non-sensitive screenshots, made in memory for the report only.

Which images may become a thumbnail is decided here, and only here, by rules that fail closed:

- only items stored in the case (never an item recorded by reference, never one marked sensitive);
- only screenshots and images (and the screenshot of a web capture whose address is not sensitive);
- never a file inside a captured folder or chat export (an attachment may be the intimate image);
- never anything whose SHA-256 or MD5 equals that of a sensitive item;
- never in a case flagged as involving someone under 18;
- only files the payload manifest lists, with the hash the item's record gives (so a record that
  was edited to point elsewhere, even outside the case, is never followed);
- and the bytes read must still match that SHA-256, or no picture is made.

The thumbnail is a new, small JPEG kept in memory and embedded in the report; nothing is written to
disk and the stored evidence is only read, through safepath (no link followed, plain files only).

A picture is untrusted input too. A few kilobytes of PNG can declare 60,000 × 60,000 pixels, which
would take gigabytes to decode; so the size a picture declares is read from its header first, and
anything over `MAX_PIXELS` is refused before a single pixel is decoded. The header is read by the
format's own Pillow reader, called directly rather than through `Image.open`, which would only warn
(through `warnings`, process-wide) or raise without saying the size. Nothing here touches the
`warnings` filters: they are process-wide and not thread-safe, and thumbnails are made on threads.
Only the formats a screenshot comes in are read, each recognised by its signature, so a file whose
record or name says PNG but which is something else (a PostScript file, say, which Pillow would
hand to Ghostscript) is never decoded.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencekit.case.flags import UNDER_18_NAMES, flags_say_under_18
from evidencekit.case.records import ItemRecord, UrlRecord

IMAGE_KINDS = ("screenshot", "image")
THUMBNAIL_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
# A preview must be readable: the report shows it at least 480 px wide on screen and up to the full
# text width on paper, so a phone screenshot (1080 × 2400) keeps two thirds of its pixels. A taller
# picture (a scrolled capture) is bounded by its height.
MAX_WIDTH = 720
MAX_HEIGHT = 1600
MAX_SOURCE_BYTES = 40_000_000
# Width × height a picture may declare. 100 megapixels is more than any screenshot or phone photo
# but a 200 MP camera's; decoding one takes at most a few hundred megabytes. Never above Pillow's
# own limit either, so Pillow has no reason to warn while a picture is decoded.
MAX_PIXELS = 100_000_000
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")  # the THUMBNAIL_TYPES, as Pillow names them
_READERS = ("PngImagePlugin", "JpegImagePlugin", "WebPImagePlugin", "GifImagePlugin", "BmpImagePlugin")
UNDER_18_FLAGS = UNDER_18_NAMES  # case/flags.py


@dataclass(frozen=True)
class Thumbnail:
    item_id: str
    name: str
    data_uri: str
    width: int
    height: int


@dataclass(frozen=True)
class Candidate:
    item_id: str
    name: str
    path: Path
    sha256: str | None


def case_involves_minor(flags: dict[str, Any]) -> bool:
    """True when the case says someone shown was (or may have been) under 18.

    The value is read by the one rule for the flag (case/flags.py: anything but an answer we
    write counts as yes); other spellings of its name, which evidencekit never writes, are
    honoured too, because for previews a wrong "yes" costs nothing (case/flags.py's
    `flags_say_under_18`, which the OCR text shown uses too)."""
    return flags_say_under_18(flags)


def candidates(
    root: Path,
    items: Sequence[ItemRecord],
    urls: Sequence[UrlRecord],
    flags: dict[str, Any],
    manifest: dict[str, str],
) -> list[Candidate]:
    """The images that may be shown, in item order (see the module docstring for the rules)."""
    if case_involves_minor(flags):
        return []
    sensitive_hashes = {
        value
        for item in items
        if item.get("sensitive") or item.get("by_reference")
        for value in _all_hashes(item)
    }
    sensitive_urls = {str(u.get("id")) for u in urls if u.get("sensitive")}
    out = []

    def offer(item: ItemRecord, name: str, bag_path: str, sha256: Any) -> None:
        if not sha256 or sha256 in sensitive_hashes or manifest.get(bag_path) != sha256:
            return
        out.append(Candidate(str(item["id"]), name, root / bag_path, str(sha256)))

    for item in items:
        if item.get("sensitive") or item.get("by_reference") or not item.get("bag_path"):
            continue
        if item.get("kind") == "url-capture":
            if str(item.get("url_id")) in sensitive_urls:
                continue
            for member in item.get("files") or []:
                if member.get("role") == "screenshot" or member.get("path") == "screenshot.png":
                    if member.get("md5") in sensitive_hashes:
                        continue
                    name = f"{item.get('url_id') or ''} page screenshot".strip()
                    offer(item, name, f"{item['bag_path']}/{member.get('path')}", member.get("sha256"))
            continue
        if item.get("kind") not in IMAGE_KINDS or item.get("files") is not None:
            continue
        if (item.get("mime") or "") not in THUMBNAIL_TYPES:
            continue
        if set(_all_hashes(item)) & sensitive_hashes:
            continue
        offer(item, str(item.get("original_name") or item["id"]), str(item["bag_path"]), item.get("sha256"))
    return out


def _all_hashes(item: ItemRecord) -> list[str]:
    values = [item.get("sha256"), item.get("md5")]
    for member in item.get("files") or []:
        values += [member.get("sha256"), member.get("md5")]
    return [v for v in values if v]


def make_thumbnails(
    root: Path,
    chosen: list[Candidate],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Thumbnail], list[str]]:
    """Thumbnails for `chosen` (in order), and a sentence for each image that could not be made."""
    results: list[Thumbnail | str | None] = [None] * len(chosen)

    def one(index: int) -> None:
        candidate = chosen[index]
        try:
            results[index] = _thumbnail(root, candidate)
        except _Refused as exc:
            results[index] = f"{candidate.item_id}: {exc}"

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ek-thumb") as pool:
        for done, _ in enumerate(pool.map(one, range(len(chosen))), start=1):
            if progress:
                progress(done, len(chosen))
    pictures = [r for r in results if isinstance(r, Thumbnail)]
    return pictures, [r for r in results if isinstance(r, str)]


class _Refused(Exception):
    pass


def pixel_limit() -> int:
    """The most pixels a picture may declare and still be previewed (see MAX_PIXELS)."""
    from PIL import Image

    pillow = Image.MAX_IMAGE_PIXELS
    return min(MAX_PIXELS, pillow) if pillow else MAX_PIXELS


def _thumbnail(root: Path, candidate: Candidate) -> Thumbnail:
    data = _read(root, candidate)
    if candidate.sha256 and hashlib.sha256(data).hexdigest() != candidate.sha256:
        raise _Refused("the stored file no longer matches its recorded SHA-256 (run evidencekit verify)")
    from PIL import Image, ImageOps

    image = _header(data)
    try:
        image.draft("RGB", (MAX_WIDTH, MAX_HEIGHT))
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((MAX_WIDTH, MAX_HEIGHT))
        if picture.mode not in ("RGB", "L"):
            background = Image.new("RGB", picture.size, "white")
            rgba = picture.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            picture = background
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=75, optimize=True)
        width, height = picture.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(None) from None  # a frame larger than the picture said (GIF)
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, MemoryError):
        raise _Refused("the picture is damaged or cut short, so no preview was made") from None
    finally:
        image.close()
    uri = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return Thumbnail(candidate.item_id, candidate.name, uri, width, height)


def _read(root: Path, candidate: Candidate) -> bytes:
    """The stored bytes, through safepath: never through a link, only a plain file."""
    from evidencekit.case import safepath

    try:
        relative = candidate.path.relative_to(root).as_posix()
        st = safepath.lstat_in_case(root, relative)
        if st is not None and safepath.kind_of(st) == "file" and st.st_size > MAX_SOURCE_BYTES:
            raise _Refused("the image is too large to preview")
        return safepath.read_bytes(root, relative, limit=MAX_SOURCE_BYTES)
    except ValueError:
        raise _Refused("the stored file is not inside the case") from None
    except safepath.UnsafeCasePathError:
        raise _Refused("the stored file is a link or not a plain file (run evidencekit verify)") from None
    except OSError as exc:
        raise _Refused(f"the stored file cannot be read ({exc.strerror or exc})") from None


def _header(data: bytes) -> Any:  # a PIL.ImageFile.ImageFile, header read, no pixel decoded
    """Open `data` as one of FORMATS, reading only its header, and refuse a declared size over the
    limit. Each format's reader is picked by its signature, as `Image.open` does, and called
    directly: `Image.open` would check the size itself, but only to warn or to raise without it."""
    import importlib

    from PIL import Image

    for plugin in _READERS:  # importing a reader registers it in Image.OPEN
        try:
            importlib.import_module(f"PIL.{plugin}")
        except ImportError:  # a Pillow built without WebP: such screenshots get no preview
            continue
    prefix = data[:16]
    for name in FORMATS:
        entry = Image.OPEN.get(name)
        if entry is None:
            continue
        factory, accept = entry
        if accept is not None and not accept(prefix):
            continue
        try:
            image = factory(io.BytesIO(data), "")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(None) from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, MemoryError):
            raise _Refused(
                "the picture's header is damaged, or it only begins like a picture, so no preview was made"
            ) from None
        width, height = image.size
        if width * height > pixel_limit() or width <= 0 or height <= 0:
            image.close()
            raise _too_large((width, height))
        return image
    raise _Refused(
        "its bytes are not a PNG, JPEG, WebP, GIF or BMP picture (whatever its name or record says), "
        "so no preview was made"
    )


PictureRefused = _Refused  # why a stored picture was not decoded (a sentence), for other readers


def open_picture(data: bytes) -> Any:
    """`data` opened with only its header read, by the same rules as a preview (the formats a
    screenshot comes in, the declared size checked before any pixel is decoded): for the other
    readers of stored pictures (OCR). Raises PictureRefused with a sentence."""
    return _header(data)


def _too_large(size: tuple[int, int] | None) -> _Refused:
    if size is None:
        return _Refused(
            f"the picture says it is larger than {pixel_limit() // 1_000_000} megapixels, "
            "too large to preview safely"
        )
    width, height = size
    return _Refused(f"the picture says it is {width}×{height} pixels, too large to preview safely")


__all__ = [
    "Candidate",
    "PictureRefused",
    "Thumbnail",
    "candidates",
    "case_involves_minor",
    "make_thumbnails",
    "open_picture",
]
