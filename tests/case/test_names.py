"""Safe names: whatever a file is called, its name in the bag is one every tool agrees on."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from evidencekit.case.bag import is_safe_bag_path
from evidencekit.case.names import MAX_NAME_BYTES, safe_component, unique_component

FORBIDDEN = set('%\\/<>:"|?*\r\n\x00')


@given(st.text(min_size=0, max_size=400))
def test_any_name_becomes_safe(name):
    safe = safe_component(name)
    assert safe
    assert not (set(safe) & FORBIDDEN)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in safe)
    assert not safe.startswith(("-", ".", " "))
    assert not safe.endswith((".", " "))
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert unicodedata.is_normalized("NFC", safe)
    assert is_safe_bag_path(f"data/items/E0001-{safe}")


def test_long_names_keep_their_extension():
    safe = safe_component("a" * 300 + ".jpeg")
    assert safe.endswith(".jpeg") and len(safe.encode()) <= MAX_NAME_BYTES


def test_collisions_are_case_insensitive():
    taken: set[str] = set()
    assert [unique_component(n, taken) for n in ("x.txt", "X.txt", "x.txt")] == [
        "x.txt",
        "X~2.txt",
        "x~3.txt",
    ]
