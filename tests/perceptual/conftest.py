"""Pictures and a video as a person's files: made in tmp_path, outside any case."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

# The start of an MP4 (an ftyp box): libmagic calls it video/mp4. No decoder is needed for a video,
# since evidencekit only hashes its bytes.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def reference(name: str, folder: Path, as_name: str | None = None) -> Path:
    """A picture of the reference set copied to `folder` (as `as_name`)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (as_name or name)
    shutil.copyfile(DATA / name, target)
    return target


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header says it is width × height: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    body = zlib.compress(b"\x00" * 1000)
    idat = struct.pack(">I", len(body)) + b"IDAT" + body + struct.pack(">I", zlib.crc32(b"IDAT" + body))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat


@pytest.fixture
def originals(tmp_path: Path) -> Path:
    folder = tmp_path / "originals"
    folder.mkdir()
    return folder


@pytest.fixture
def video(originals: Path) -> Path:
    path = originals / "clip.mp4"
    path.write_bytes(MP4_HEAD + bytes(range(256)) * 40)
    return path
