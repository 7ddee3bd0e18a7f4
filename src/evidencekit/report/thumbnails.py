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
disk and the stored evidence is only read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IMAGE_KINDS = ("screenshot", "image")
THUMBNAIL_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
MAX_SIDE = 360
MAX_SOURCE_BYTES = 40_000_000
UNDER_18_FLAGS = ("under_18", "under-18", "under18", "minor", "anyone_under_18", "involves_minor")


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
    """True when the case says someone shown was (or may have been) under 18."""
    for key, value in flags.items():
        if key.lower() in UNDER_18_FLAGS and value not in (False, None, "no", "false", 0):
            return True
    return False


def candidates(
    root: Path,
    items: list[dict[str, Any]],
    urls: list[dict[str, Any]],
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

    def offer(item: dict[str, Any], name: str, bag_path: str, sha256: Any) -> None:
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


def _all_hashes(item: dict[str, Any]) -> list[str]:
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
    problems: list[str] = []
    results: list[Thumbnail | None] = [None] * len(chosen)

    def one(index: int) -> None:
        candidate = chosen[index]
        try:
            results[index] = _thumbnail(candidate)
        except _Refused as exc:
            problems.append(f"{candidate.item_id}: {exc}")

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ek-thumb") as pool:
        for done, _ in enumerate(pool.map(one, range(len(chosen))), start=1):
            if progress:
                progress(done, len(chosen))
    return [t for t in results if t is not None], problems


class _Refused(Exception):
    pass


def _thumbnail(candidate: Candidate) -> Thumbnail:
    from PIL import Image, ImageOps

    try:
        data = candidate.path.read_bytes() if candidate.path.stat().st_size <= MAX_SOURCE_BYTES else None
    except OSError as exc:
        raise _Refused(f"the stored file cannot be read ({exc.strerror})") from None
    if data is None:
        raise _Refused("the image is too large to preview")
    if candidate.sha256 and hashlib.sha256(data).hexdigest() != candidate.sha256:
        raise _Refused("the stored file no longer matches its recorded SHA-256 (run evidencekit verify)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, "white")
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                out = io.BytesIO()
                image.save(out, "JPEG", quality=72, optimize=True)
                width, height = image.size
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _Refused(f"the image cannot be previewed ({type(exc).__name__})") from None
    uri = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return Thumbnail(candidate.item_id, candidate.name, uri, width, height)


__all__ = ["Candidate", "Thumbnail", "candidates", "case_involves_minor", "make_thumbnails"]
