"""Image facts come from headers and metadata only: pixels are never decoded.

That matters three ways: an intimate image is never rendered, even in memory; a hostile image that
claims to be enormous cannot exhaust memory; and ten thousand screenshots are not decoded for the
sake of their dimensions.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from evidencekit.intake.imagefacts import image_facts


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixels: bytes, *, after_pixels: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + after_pixels
        + chunk(b"IEND", b"")
    )


def exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x0131] = "iOS 18.3"  # Software
    exif.get_ifd(0x8769)[0x9003] = "2026:03:14 21:07:41"  # DateTimeOriginal
    return exif.tobytes()[6:]  # PNG's eXIf holds the TIFF data without JPEG's "Exif\0\0"


def test_exif_stored_after_the_pixels_is_found_without_decoding_them(tmp_path):
    shot = tmp_path / "shot.png"
    rows = b"".join(b"\x00" + bytes(3 * 4) for _ in range(3))
    shot.write_bytes(png(4, 3, zlib.compress(rows), after_pixels=chunk(b"eXIf", exif_bytes())))

    facts = image_facts(shot)

    assert facts is not None
    assert (facts["width"], facts["height"]) == (4, 3)
    assert facts["exif_datetime_original"] == "2026:03:14 21:07:41"
    assert facts["software"] == "iOS 18.3"


def test_a_png_with_damaged_pixel_data_is_still_described(tmp_path):
    """Decoding would fail on these pixels, and the image would get no facts at all."""
    shot = tmp_path / "damaged.png"
    shot.write_bytes(png(390, 844, b"not zlib at all"))

    facts = image_facts(shot)

    assert facts is not None and (facts["width"], facts["height"]) == (390, 844)


# The peak is read from /proc (VmHWM): getrusage's ru_maxrss survives exec on Linux, so a child
# started by a large test process would report the parent's size.
MEASURE = """
import sys
from pathlib import Path
from evidencekit.intake.imagefacts import image_facts
facts = image_facts(Path(sys.argv[1]))
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(facts["width"], facts["height"], peak_kb // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_a_png_claiming_144_megapixels_is_described_without_allocating_them(tmp_path):
    """12,000 x 12,000 RGB pixels would take 432 MB once decoded; the file is half a megabyte."""
    side = 12_000
    packer = zlib.compressobj(9)
    row = bytes(1 + 3 * side)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png(side, side, pixels))
    assert bomb.stat().st_size < 1_000_000

    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(bomb)], capture_output=True, text=True, check=True
    )

    width, height, peak_mb = map(int, measured.stdout.split())
    assert (width, height) == (side, side)
    assert peak_mb < 150, f"{peak_mb} MB: the pixels were decoded"


def test_a_jpeg_and_a_plain_png_give_their_facts(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(photo)
    shot = tmp_path / "shot.png"
    Image.new("RGBA", (30, 20)).save(shot)

    assert image_facts(photo)["format"] == "JPEG"
    assert (image_facts(shot)["format"], image_facts(shot)["width"]) == ("PNG", 30)
    assert image_facts(Path(__file__)) is None  # not an image


def test_exif_that_imagemagick_stored_as_text_is_still_read(tmp_path):
    """ImageMagick keeps a PNG's EXIF in a "Raw profile type exif" text chunk, in hexadecimal."""
    from PIL import PngImagePlugin

    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif.get_ifd(0x8769)[0x9003] = "2025:12:24 18:30:00"  # DateTimeOriginal
    raw = exif.tobytes()
    text = PngImagePlugin.PngInfo()
    text.add_text("Raw profile type exif", f"\nexif\n{len(raw):8d}\n{raw.hex()}\n")
    photo = tmp_path / "IMG_0042.png"
    Image.new("RGB", (40, 30)).save(photo, pnginfo=text)

    facts = image_facts(photo)

    assert facts["camera_make"] == "Canon"
    assert facts["exif_datetime_original"] == "2025:12:24 18:30:00"
