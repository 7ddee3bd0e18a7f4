"""Reading the chat's text as lines, in blocks, with limits.

The file is read a block at a time and each block is decoded and split in one go (C code), so a
100,000-line chat costs a few dozen Python steps, not one per line; memory stays at about a
block whatever the file's size. UTF-16 files (a byte-order mark) are read line by line.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, cast

from evidencekit.exports.base import ExportDamaged

# WhatsApp limits a message to 65,536 characters. A line or a message many times that long is not
# a chat message: the file is damaged or made to exhaust memory, so reading stops there.
MAX_LINE_BYTES = 1 << 20
MAX_MESSAGE_CHARS = 1_000_000
_BLOCK = 256 * 1024  # well under MAX_LINE_BYTES: a block alone never holds a line too long


class TooLong(ExportDamaged):
    """A line or a message far longer than WhatsApp allows; `head` is the start of the line."""

    def __init__(self, message: str, head: str | None = None) -> None:
        super().__init__(message)
        self.head = head


def decode_head(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _too_long_line(number: int, head: str) -> TooLong:
    return TooLong(
        f"line {number:,} is longer than {MAX_LINE_BYTES >> 20} MB, far longer than any WhatsApp "
        "message: the file is damaged or is not a chat export",
        head,
    )


def line_blocks(stream: IO[bytes], counter: dict[str, int]) -> Iterator[list[str]]:
    """The file's lines (without their line ending), a list at a time, in order.

    A line ends at LF; one CR before it (or at the end of the file) is dropped. Bytes that are not
    UTF-8 become U+FFFD and the lines holding them are counted (`counter["bad_lines"]`), so the
    transcript can say so instead of guessing an encoding. Raises TooLong at a line longer than
    MAX_LINE_BYTES (with its end of line), after every line before it, never holding much more
    than that."""
    buffered: IO[bytes] = stream
    if not isinstance(stream, io.BufferedIOBase):
        buffered = io.BufferedReader(cast("io.RawIOBase", stream))
    peek = getattr(buffered, "peek", None)
    start = peek(4)[:4] if peek is not None else b""
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        counter["utf16"] = 1
        yield from _utf16_lines(buffered)
        return
    number = 0  # lines handed out so far
    carry = b""  # the start of a line whose end is in a later block
    while chunk := buffered.read(_BLOCK):
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        carry = data[cut:]
        if cut:
            whole = data[: cut - 1]
            if len(whole) >= MAX_LINE_BYTES:  # an earlier block left a long start of a line
                pieces = whole.split(b"\n")
                for index, piece in enumerate(pieces):
                    if len(piece) + 1 > MAX_LINE_BYTES:  # with its LF
                        if index:
                            yield _decode(b"\n".join(pieces[:index]), counter)
                        head = piece[:200].decode("utf-8", errors="replace")
                        raise _too_long_line(number + index + 1, head)
            lines = _decode(whole, counter)
            number += len(lines)
            yield lines
        if len(carry) > MAX_LINE_BYTES:
            raise _too_long_line(number + 1, carry[:200].decode("utf-8", errors="replace"))
    if carry:  # the last line, without an LF
        yield _decode(carry, counter)


def _decode(data: bytes, counter: dict[str, int]) -> list[str]:
    """Lines (`data` without its last LF), decoded, one CR at the end of each dropped."""
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = []
        for raw in data.split(b"\n"):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                counter["bad_lines"] = counter.get("bad_lines", 0) + 1
                lines.append(raw.decode("utf-8", errors="replace"))
    if b"\r" in data:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def _utf16_lines(buffered: IO[bytes]) -> Iterator[list[str]]:
    text = io.TextIOWrapper(buffered, encoding="utf-16", errors="replace", newline=None)
    limit = MAX_LINE_BYTES // 2
    number = 0
    try:
        while line := text.readline(limit + 1):
            number += 1
            if len(line) > limit:
                raise _too_long_line(number, line[:200])
            yield [line.rstrip("\n")]
    finally:
        text.detach()  # the caller closes the stream itself
