"""The hashes a hash-matching service takes, for one file read where it is.

A picture gets SHA-1 (NCMEC's lists carry it beside MD5) and its PDQ with the quality; a video gets
SHA-1 and MD5 only: vPDQ and TMK, the video hashes StopNCII and NCMEC also take, come only from
Meta's `vpdq` and `tmkpy`, which ship as source needing FFmpeg's development libraries and a C++
compiler, so they do not install on a victim's computer. StopNCII matches video by MD5.

The file is read once, in one pass that computes the cryptographic hashes and keeps the bytes of a
picture in memory; the SHA-256 must be the one recorded at capture, so every hash written beside it
is of exactly those bytes (a file changed since is said, not hashed). The picture is decoded from
memory only for the PDQ: never written, previewed, thumbnailed or kept.

A picture is untrusted input: the formats decoded are those whose reader is picked by signature
(PNG, JPEG, WebP, GIF, BMP), the size a picture declares is read from its header before any pixel is
decoded, and anything over MAX_PIXELS is refused, as is a file over MAX_PICTURE_BYTES: the same
guard, formats and limit as the report's previews (report/thumbnails.py, a layer above, which is
why it is not imported). Every way a picture can fail to decode becomes a sentence ("no perceptual
hash, and why"), never an exception.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.perceptual.pdq import Pdq

IMAGE_KINDS = ("image", "screenshot")
VIDEO_KINDS = ("video",)
# The report's preview limit (report/thumbnails.py MAX_PIXELS), and never above Pillow's own.
MAX_PIXELS = 100_000_000
_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
_READERS = ("PngImagePlugin", "JpegImagePlugin", "WebPImagePlugin", "GifImagePlugin", "BmpImagePlugin")
# Larger than any phone photo or screenshot (a 200-megapixel JPEG is about 60 MB).
MAX_PICTURE_BYTES = 150_000_000
# Above this a picture is first averaged down by a whole factor (Pillow's reduce), which changes its
# PDQ by a few bits at most and keeps memory under a gigabyte; phone photos (12 to 50 MP) are
# hashed at full size.
FULL_SIZE_PIXELS = 50_000_000
_CHUNK = 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)

NO_VIDEO_HASH = (
    "MD5 only (with SHA-1 and SHA-256): evidencekit makes no perceptual hash of a video, because vPDQ "
    "and TMK need Meta's libraries, which do not install here; StopNCII and NCMEC match a video by its MD5"
)


@dataclass(frozen=True)
class MediaFacts:
    """What was found for one file: its SHA-1 and MD5 (None when it could not be read as the bytes
    recorded), its PDQ, or why it has none."""

    sha1: str | None
    md5: str | None
    pdq: Pdq | None
    problem: str | None

    def perceptual(self, made_at: str) -> dict[str, Any]:
        """The `perceptual` field of an item record (or of one file of a folder)."""
        return {
            "pdq": self.pdq.hash if self.pdq else None,
            "pdq_quality": self.pdq.quality if self.pdq else None,
            "problem": self.problem,
            "made_at": made_at,
            "made_by": f"evidencekit {__version__}",
        }


def media_kind(kind: object, mime: object) -> str | None:
    """ "image" or "video" when a file of this kind and type is one a hash list carries."""
    text = mime if isinstance(mime, str) else ""
    if kind in IMAGE_KINDS or text.startswith("image/"):
        return "image"
    if kind in VIDEO_KINDS or text.startswith("video/"):
        return "video"
    return None


def hash_media(path: Path, what: str, sha256: str | None, *, fd: int | None = None) -> MediaFacts:
    """The facts for the file at `path` (or already open as `fd`, which is closed), a picture or a
    video (`what`), whose recorded SHA-256 is `sha256`. Never raises for a bad file."""
    try:
        opened = fd if fd is not None else _open_plain(path)
    except OSError as exc:
        return MediaFacts(None, None, None, f"it could not be opened ({_reason(exc)})")
    try:
        digests, data = _read(opened, keep=what == "image")
    except _TooLarge:
        return MediaFacts(None, None, None, "it is too large to decode as a picture safely")
    except OSError as exc:
        return MediaFacts(None, None, None, f"it could not be read ({_reason(exc)})")
    finally:
        os.close(opened)
    if sha256 is not None and digests["sha256"] != sha256:
        return MediaFacts(
            None,
            None,
            None,
            "it is no longer the file that was captured (its SHA-256 differs), so nothing was hashed",
        )
    sha1, md5 = digests["sha1"], digests["md5"]
    if what != "image" or data is None:
        return MediaFacts(sha1, md5, None, NO_VIDEO_HASH)
    pdq, problem = pdq_of_bytes(data)
    return MediaFacts(sha1, md5, pdq, problem)


def pdq_of_bytes(data: bytes) -> tuple[Pdq | None, str | None]:
    """(the PDQ, None) of an encoded picture, or (None, why not)."""
    try:
        import numpy  # noqa: F401  (imported here so a missing numpy is one sentence)
        from PIL import Image, ImageOps
    except ImportError as exc:
        return (
            None,
            f"part of evidencekit is missing ({exc.name or exc}); reinstalling evidencekit fixes this",
        )
    from evidencekit.perceptual.pdq import pdq_of_image

    try:
        image = _header(data)
    except _Refused as refused:
        return None, str(refused)
    try:
        image.load()
        picture: Any = ImageOps.exif_transpose(image)
        pixels = picture.width * picture.height
        if pixels > FULL_SIZE_PIXELS:
            picture = picture.reduce(math.ceil(math.sqrt(pixels / FULL_SIZE_PIXELS)))
        return pdq_of_image(picture), None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, "it holds a frame larger than the picture says it is, too large to decode safely"
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, MemoryError):
        return None, "the picture is damaged or cut short, so it could not be decoded"
    finally:
        image.close()


class _Refused(Exception):
    pass


class _TooLarge(Exception):
    pass


def _header(data: bytes) -> Any:  # a PIL.ImageFile.ImageFile, header read, no pixel decoded
    """The picture's reader for its signature, called directly with only the header read, or
    _Refused: `Image.open` would check the declared size itself, but only to warn (process-wide)
    or to raise without saying the size."""
    import importlib

    from PIL import Image

    for plugin in _READERS:
        try:
            importlib.import_module(f"PIL.{plugin}")
        except ImportError:  # a Pillow built without WebP: such pictures get no PDQ, and say so
            continue
    prefix = data[:16]
    for name in _FORMATS:
        entry = Image.OPEN.get(name)
        if entry is None:
            continue
        factory, accept = entry
        if accept is not None and not accept(prefix):
            continue
        try:
            image = factory(io.BytesIO(data), "")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _Refused(_too_large(None)) from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, MemoryError):
            raise _Refused("the picture's header is damaged, so it could not be decoded") from None
        width, height = image.size
        if width <= 0 or height <= 0 or width * height > pixel_limit():
            image.close()
            raise _Refused(_too_large((width, height)))
        return image
    raise _Refused(
        "it is not a PNG, JPEG, WebP, GIF or BMP picture (HEIC, TIFF and RAW photos are not decoded), "
        "so it has no PDQ; its MD5 and SHA-1 are still listed"
    )


def pixel_limit() -> int:
    """The most pixels a picture may declare and still be decoded for its hash."""
    from PIL import Image

    pillow = Image.MAX_IMAGE_PIXELS
    return min(MAX_PIXELS, pillow) if pillow else MAX_PIXELS


def _too_large(size: tuple[int, int] | None) -> str:
    if size is None:
        limit = pixel_limit() // 1_000_000
        return f"the picture says it is larger than {limit} megapixels, too large to decode safely"
    return f"the picture says it is {size[0]}×{size[1]} pixels, too large to decode safely"


def _open_plain(path: Path) -> int:
    """A plain file opened for reading, never through a final symbolic link, never a device or pipe."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "it is not a plain file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read(fd: int, *, keep: bool) -> tuple[dict[str, str], bytes | None]:
    """SHA-256, SHA-1 and MD5 in one pass, and the bytes when `keep` (a picture)."""
    if keep and os.fstat(fd).st_size > MAX_PICTURE_BYTES:
        raise _TooLarge
    hashes = {
        "sha256": hashlib.sha256(),
        "sha1": hashlib.sha1(usedforsecurity=False),
        "md5": hashlib.md5(usedforsecurity=False),
    }
    kept: list[bytes] | None = [] if keep else None
    total = 0
    while True:
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            break
        total += len(chunk)
        for digest in hashes.values():
            digest.update(chunk)
        if kept is not None:
            if total > MAX_PICTURE_BYTES:
                raise _TooLarge
            kept.append(chunk)
    return {name: digest.hexdigest() for name, digest in hashes.items()}, (
        b"".join(kept) if kept is not None else None
    )


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc).rstrip(".").lower() or "it could not be read"


__all__ = [
    "IMAGE_KINDS",
    "NO_VIDEO_HASH",
    "VIDEO_KINDS",
    "MediaFacts",
    "hash_media",
    "media_kind",
    "pdq_of_bytes",
]
