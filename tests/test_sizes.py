"""Sizes as a person reads them: the same figure wherever evidencekit names one."""

from __future__ import annotations

import pytest

from evidencekit.sizes import human_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (None, "-"),
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1000, "1.0 KB"),
        (1_500_000, "1.5 MB"),
        (999_949, "999.9 KB"),
        (999_960, "1.0 MB"),  # rounds up into the next unit, never "1000.0 KB"
        (3_750_000_000, "3.8 GB"),
        (2 * 10**15, "2000.0 TB"),
    ],
)
def test_a_size_in_powers_of_1000(size: int | None, shown: str) -> None:
    assert human_size(size) == shown
