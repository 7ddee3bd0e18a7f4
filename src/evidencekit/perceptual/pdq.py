"""PDQ, the perceptual hash hash-matching services (StopNCII, NCMEC, platforms' own lists) match.

Written from the algorithm's description (Meta's "The TMK+PDQF and PDQ hashing algorithms", 2017):
RGB to luminance; a tent filter made of two box-filter passes along each axis (Jarosz's "Fast Image
Convolutions") with a window of about 1/128 of the side; the blurred picture sampled at 64 × 64
points; the 2-D DCT's coefficients 1..16 × 1..16; each of the 256 bits set when its coefficient is
above the median. The quality (0..100) counts the significant steps between neighbouring points of
the 64 × 64 picture: a flat or nearly empty picture scores low, and services ignore hashes under 50.

Every step is done in 32-bit floating point and in the same order as Meta's reference C++, so that
the bits agree exactly with what a platform computes from the same pixels: a running sum is added
to and taken from element by element, never re-associated. numpy does the work across one axis at a
time (each step of a running sum is one vector operation over all rows, or all columns), which keeps
the order and takes a quarter of a second for a 12-megapixel photo; the same in pure Python would
take minutes (bench/pdq.py).

The whole picture is hashed as it is (no shrinking to 512 × 512 first, as some of Meta's tools do
for speed); the reference hashes in tests/perceptual/data/ were computed by Meta's own C++ from the
same pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

HASH_BITS = 256
# Meta's threshold for "the same picture": at most 31 of 256 bits differ.
MATCH_DISTANCE = 31
# Below this quality, services treat a hash as unreliable (too flat or featureless to match on).
GOOD_QUALITY = 50
_MIN_SIDE = 5  # smaller pictures have no PDQ (the reference gives all zeros and quality 0)
_R, _G, _B = 0.299, 0.587, 0.114


@dataclass(frozen=True)
class Pdq:
    """A PDQ hash as 64 hex digits (the way every service writes it), and its quality (0..100)."""

    hash: str
    quality: int

    @property
    def reliable(self) -> bool:
        return self.quality >= GOOD_QUALITY


def hamming(first: str, second: str) -> int:
    """How many of the 256 bits differ between two PDQ hashes (0 = the same; ≤ 31 = a match)."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def pdq_of_image(image: Image.Image) -> Pdq:
    """The PDQ of a decoded picture, as it is (the caller applies any EXIF rotation first)."""
    import numpy as np

    rgb = image if image.mode == "RGB" else image.convert("RGB")
    pixels = np.asarray(rgb, dtype=np.uint8)
    return pdq_of_rgb(pixels)


def pdq_of_rgb(pixels: np.ndarray[Any, Any]) -> Pdq:
    """The PDQ of an array of height × width × 3 bytes (R, G, B)."""
    import numpy as np

    rows, cols = pixels.shape[0], pixels.shape[1]
    if rows < _MIN_SIDE or cols < _MIN_SIDE:
        return Pdq("0" * 64, 0)
    f32 = np.float32
    luma = np.empty((rows, cols), dtype=f32)
    for start in range(0, rows, 256):  # a band at a time: no full-size float copies of R, G and B
        band = pixels[start : start + 256]
        out = luma[start : start + 256]
        np.multiply(band[..., 0], f32(_R), out=out, dtype=f32)
        out += f32(_G) * band[..., 1].astype(f32)
        out += f32(_B) * band[..., 2].astype(f32)
    return pdq_of_luma(luma)


def pdq_of_luma(luma: np.ndarray[Any, Any]) -> Pdq:
    """The PDQ of a rows × cols float32 luminance array (consumed: it is overwritten)."""
    rows, cols = luma.shape
    if rows < _MIN_SIDE or cols < _MIN_SIDE:
        return Pdq("0" * 64, 0)
    samples = _downsample(luma)
    quality = _quality(samples)
    coefficients = _dct16(samples)
    return Pdq(_bits(coefficients), quality)


def _window(size: int) -> int:
    """The box window along an axis of `size` pixels: half of 1/64 of it, rounded up."""
    return (size + 2 * 64 - 1) // (2 * 64)


def _sample_points(size: int) -> list[int]:
    """The 64 pixels an axis is sampled at: the centres of 64 equal parts."""
    return [int(((index + 0.5) * size) / 64) for index in range(64)]


def _downsample(luma: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Two passes of box filters along rows then columns, sampled at 64 × 64 points."""
    import numpy as np

    rows, cols = luma.shape
    along_rows, along_cols = _window(cols), _window(rows)
    keep_rows, keep_cols = _sample_points(rows), _sample_points(cols)
    # Filtering along a row steps over columns; with the picture transposed each step is one
    # contiguous vector holding that column of every row.
    work = np.ascontiguousarray(luma.T)
    del luma
    work = _box(work, along_rows)
    work = np.ascontiguousarray(work.T)
    work = _box(work, along_cols)
    work = np.ascontiguousarray(work.T)
    work = _box(work, along_rows)
    # The last pass only matters at the 64 sampled columns, each filtered down all its rows.
    work = np.ascontiguousarray(work.T[:, keep_cols])
    work = _box(work, along_cols)
    return work[keep_rows, :]


def _box(data: np.ndarray[Any, Any], window: int) -> np.ndarray[Any, Any]:
    """A box filter down axis 0 of `data`, for every column at once, exactly as the reference's
    box1DFloat runs along one vector: the window grows at the start and shrinks at the end, and the
    running sum is added to and taken from in float32, one element at a time."""
    import numpy as np

    f32 = np.float32
    length = data.shape[0]
    out = np.empty_like(data)
    half = (window + 2) // 2
    total = np.zeros(data.shape[1], dtype=f32)
    count = 0
    read = 0
    for _ in range(half - 1):
        total += data[read]
        count += 1
        read += 1
    write = 0
    for _ in range(window - half + 1):
        total += data[read]
        count += 1
        np.divide(total, f32(count), out=out[write])
        read += 1
        write += 1
    left = 0
    divisor = f32(count)
    for _ in range(length - window):
        total += data[read]
        total -= data[left]
        np.divide(total, divisor, out=out[write])
        read += 1
        left += 1
        write += 1
    for _ in range(half - 1):
        total -= data[left]
        count -= 1
        np.divide(total, f32(count), out=out[write])
        left += 1
        write += 1
    return out


def _quality(samples: np.ndarray[Any, Any]) -> int:
    """The gradient sum of the 64 × 64 samples, each step scaled to 0..100 and truncated."""
    import numpy as np

    f32 = np.float32
    down = (((samples[:-1, :] - samples[1:, :]) * f32(100)) / f32(255)).astype(np.int32)
    across = (((samples[:, :-1] - samples[:, 1:]) * f32(100)) / f32(255)).astype(np.int32)
    total = int(np.abs(down).sum()) + int(np.abs(across).sum())
    return min(total // 90, 100)


_DCT: Any = None


def _dct_matrix() -> np.ndarray[Any, Any]:
    """Rows 1..16 of the 64-point DCT-II, scaled by √(2/64), as float32."""
    global _DCT  # computed once: 1,024 cosines
    if _DCT is None:
        import numpy as np

        scale = float(np.float32(math.sqrt(2.0 / 64.0)))
        _DCT = np.array(
            [
                [scale * math.cos((math.pi / 2.0 / 64.0) * (i + 1) * (2 * j + 1)) for j in range(64)]
                for i in range(16)
            ],
            dtype=np.float32,
        )
    return _DCT  # type: ignore[no-any-return]


def _dct16(samples: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """D · A · Dᵀ, each sum accumulated in float32 over k = 0..63 in order."""
    import numpy as np

    dct = _dct_matrix()
    left = np.zeros((16, 64), dtype=np.float32)
    for k in range(64):
        left += dct[:, k : k + 1] * samples[k : k + 1, :]
    out = np.zeros((16, 16), dtype=np.float32)
    for k in range(64):
        out += left[:, k : k + 1] * dct[:, k][None, :]
    return out


def _bits(coefficients: np.ndarray[Any, Any]) -> str:
    """Bit i·16+j is set when coefficient (i, j) is above the median (the 128th smallest of the
    256, as the reference's Torben median gives); written as the reference writes it, the 256-bit
    number in 64 hex digits, bit 255 first."""
    flat = [float(value) for value in coefficients.reshape(-1)]
    median = sorted(flat)[(HASH_BITS + 1) // 2 - 1]
    number = 0
    for index, value in enumerate(flat):
        if value > median:
            number |= 1 << index
    return f"{number:064x}"


__all__ = ["GOOD_QUALITY", "MATCH_DISTANCE", "Pdq", "hamming", "pdq_of_image", "pdq_of_luma", "pdq_of_rgb"]
