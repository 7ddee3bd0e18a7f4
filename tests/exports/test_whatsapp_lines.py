"""Reading a WhatsApp chat's text as lines: every byte kept, line ends as WhatsApp's phones write them,
and limits that stop a damaged or hostile file early."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.exports.whatsapp.lines import MAX_LINE_BYTES, TooLong, line_blocks


def read_lines(data: bytes) -> tuple[list[str], dict[str, int]]:
    counter: dict[str, int] = {}
    lines = [line for block in line_blocks(io.BytesIO(data), counter) for line in block]
    return lines, counter


def one_line_at_a_time(data: bytes) -> tuple[list[str], int]:
    """What the lines must be, read the slow obvious way: split at LF, drop one CR before it."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    lines, bad = [], 0
    for raw in pieces:
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad += 1
            lines.append(raw.decode("utf-8", errors="replace"))
    return lines, bad


def test_windows_line_ends_are_dropped_and_every_other_character_kept():
    data = b"14/03/2024, 21:07 - Riley: one\r\nand a CR\r inside\r\n\r\nlast\r\r\nend\r"
    lines, _ = read_lines(data)
    assert lines == ["14/03/2024, 21:07 - Riley: one", "and a CR\r inside", "", "last\r", "end"]


def test_a_chat_longer_than_a_block_is_read_whole_even_where_a_character_spans_two_blocks():
    line = "14/03/2024, 21:07 - Rémy: pay now 😢 or else\n".encode()
    data = line * 30_000 + "no newline at the end 🙂".encode()  # about 1.4 MB: several blocks
    lines, counter = read_lines(data)
    assert (lines, counter.get("bad_lines", 0)) == one_line_at_a_time(data)


@given(st.lists(st.sampled_from([b"a", b"\xc3\xa9", b"\xf0\x9f\x98\xa2", b"\r", b"\n", b"\xff", b" "])))
def test_any_mix_of_text_line_ends_and_bad_bytes_reads_like_one_line_at_a_time(parts):
    data = b"".join(parts)
    lines, counter = read_lines(data)
    assert (lines, counter.get("bad_lines", 0)) == one_line_at_a_time(data)


def test_a_line_just_within_the_limit_is_read_and_one_byte_more_stops_reading_after_the_lines_before():
    fits = b"x" * (MAX_LINE_BYTES - 1) + b"\n"  # with its LF, exactly the limit
    assert read_lines(b"first\n" + fits + b"after\n")[0] == ["first", "x" * (MAX_LINE_BYTES - 1), "after"]

    seen: list[str] = []
    with pytest.raises(TooLong, match="line 3 is longer than 1 MB") as caught:
        for block in line_blocks(io.BytesIO(b"first\nsecond\n" + b"y" * MAX_LINE_BYTES + b"\nafter\n"), {}):
            seen.extend(block)
    assert seen == ["first", "second"]
    assert caught.value.head == "y" * 200
