"""How a number of bytes is written for a person: one way everywhere, so that the size `capture`
prints, the report lists and an error message names are the same figure for the same file."""

from __future__ import annotations

# Powers of 1000, as file managers on macOS and Linux and disk makers count; "KB" as people write it.
_UNITS = ("KB", "MB", "GB", "TB")


def human_size(size: int | None) -> str:
    """`532 bytes`, `1.5 MB`, `2.0 GB`; `-` when the size is not known."""
    if size is None:
        return "-"
    if abs(size) < 1000:
        return f"{size} bytes"
    value = size / 1000
    for unit in _UNITS[:-1]:
        # 999,960 bytes is "1.0 MB", not "1000.0 KB": the rounding decides when the unit changes.
        if round(abs(value), 1) < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} {_UNITS[-1]}"
