"""Streaming JSON helpers shared by the parsers (ijson underneath, in its C backend).

`repaired_stream` fixes one fault some exporters write (Telegram Desktop's `\\xNN` escapes, which
JSON does not allow) on the fly, counting the repairs; valid JSON passes through unchanged.
`objects_at` yields objects found at a path while remembering scalars of their parents (a chat's
name before its messages), so one message at a time is in memory.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from evidencekit.exports.base import ExportDamaged

_BAD_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")

# Real exports nest a few levels (a chat, its messages, a message's text entities). A file nested
# thousands of levels deep is hostile or broken, and ijson's C parser keeps every level's path in
# memory (quadratic: 20,000 levels take about 1 GB), so reading stops long before that.
MAX_DEPTH = 256
_ESCAPE = re.compile(rb"\\.", re.S)
_NOT_MARKS = bytes(b for b in range(256) if b not in b'"[]{}')
_SQUARE = bytes.maketrans(b"{}", b"[]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class NestedTooDeeply(ExportDamaged, ValueError):
    """The JSON is nested far deeper than any real export (also a ValueError, like any JSON that
    cannot be read, for the callers that treat a small side file as optional)."""


class RepairingReader(io.RawIOBase):
    """A binary stream that rewrites `\\xNN` (invalid in JSON) as `\\u00NN`, and re-encodes UTF-16
    or UTF-32 (with a byte-order mark) as UTF-8."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._pending = b""
        self._out = b""
        self._at = 0
        self._eof = False
        self.repairs = 0
        self._depth = 0
        self._in_string = False
        self._decoder: codecs.IncrementalDecoder | None = None
        self.transcoded: str | None = None  # the encoding re-encoded as UTF-8, if any
        start = raw.read(4)
        for bom, name in (
            (codecs.BOM_UTF32_LE, "utf-32"),
            (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if start.startswith(bom):
                self._decoder = codecs.getincrementaldecoder(name)(errors="strict")
                self.transcoded = name
                break
        else:
            self.transcoded = None
            if start.startswith(codecs.BOM_UTF8):
                start = start[3:]
        self._pending = self._convert(start)

    def readable(self) -> bool:
        return True

    def _convert(self, data: bytes, final: bool = False) -> bytes:
        if self._decoder is None:
            return data
        return self._decoder.decode(data, final).encode("utf-8")

    def _fill(self) -> None:
        while not self._out and not self._eof:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                self._eof = True
                data = self._pending + self._convert(b"", final=True)
                self._pending = b""
                self._out = self._fix(data)
                return
            data = self._pending + self._convert(chunk)
            cut = len(data)
            last = data.rfind(b"\\", max(0, len(data) - 4))
            if last != -1:
                cut = last
                while cut > 0 and data[cut - 1 : cut] == b"\\":
                    cut -= 1
            self._pending = data[cut:]
            self._out = self._fix(data[:cut])

    def _fix(self, data: bytes) -> bytes:
        if b"\\x" in data:
            data, count = _BAD_ESCAPE.subn(rb"\1\\u00\2", data)
            self.repairs += count
        self._check_depth(data)
        return data

    def _check_depth(self, data: bytes) -> None:
        """Follow the nesting of the JSON passing through (outside strings) before the parser
        sees it; raise NestedTooDeeply past MAX_DEPTH.

        All in C-speed byte operations: escapes are dropped (blocks never end inside one, see
        _fill), then everything but quotes and brackets. Two quotes side by side then have
        nothing between them, so dropping them changes neither which brackets are outside
        strings nor whether the block ends inside one; that leaves a few quotes (strings with a
        bracket in them), which alternate between opening and closing a string, so splitting on
        them leaves the text outside strings at every other piece."""
        if b"\\" in data:
            data = _ESCAPE.sub(b"", data)
        marks = data.translate(None, _NOT_MARKS).replace(b'""', b"")
        pieces = marks.split(b'"')
        brackets = b"".join(pieces[1::2] if self._in_string else pieces[0::2])
        if len(pieces) % 2 == 0:  # an odd number of quotes: a string opens or closes for good
            self._in_string = not self._in_string
        opening = brackets.count(b"[") + brackets.count(b"{")
        if self._depth + opening <= MAX_DEPTH:
            self._depth += 2 * opening - len(brackets)
            return
        # Many brackets: a long chat. Removing every innermost pair, round after round, leaves
        # closings then openings; no point of the block was deeper than the openings left plus
        # one level per round, so a block of shallow messages is passed in a few C-speed rounds.
        nested = brackets.translate(_SQUARE)
        rounds = 0
        while b"[]" in nested and rounds <= MAX_DEPTH:
            nested = nested.replace(b"[]", b"")
            rounds += 1
        if b"[]" not in nested:
            closing = len(nested) - len(nested.lstrip(b"]"))
            change = len(nested) - 2 * closing
            if self._depth + max(0, change) + rounds <= MAX_DEPTH:
                self._depth += change
                return
        for byte in brackets:
            self._depth += _STEP[byte]
            if self._depth > MAX_DEPTH:
                raise NestedTooDeeply(
                    f"the file is nested more than {MAX_DEPTH} levels deep, far deeper than any "
                    "real export: it is damaged or was made to break readers"
                )

    def readinto(self, buffer: Any) -> int:
        if self._at >= len(self._out):
            self._out, self._at = b"", 0
            self._fill()
        size = min(len(buffer), len(self._out) - self._at)
        buffer[:size] = memoryview(self._out)[self._at : self._at + size]
        self._at += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        """What is left of the current block, up to `size` (the parsers read in big pieces:
        one copy, not the two a RawIOBase makes through readinto)."""
        if size is None or size < 0:
            return self.readall()
        if self._at >= len(self._out):
            self._out, self._at = b"", 0
            self._fill()
        data = self._out[self._at : self._at + size]
        self._at += len(data)
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


def repaired_stream(raw: IO[bytes]) -> RepairingReader:
    return RepairingReader(raw)


def objects_at(
    stream: IO[bytes], containers: tuple[str, ...], item: str, keep: tuple[str, ...]
) -> Iterator[tuple[str, int, dict[str, Any], int, Any]]:
    """Yield (container prefix, container number, container scalars, index, object) for every object at
    `<container>.<item>.item`, with the container's scalar keys in `keep` (name, type, id…) that
    came before it. `containers` are ijson prefixes ("" for the top level, "chats.list.item")."""
    import ijson  # type: ignore[import-untyped]
    from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

    item_prefixes = {(f"{c}.{item}.item" if c else f"{item}.item"): c for c in containers}
    container_set = set(containers)
    counters: dict[str, int] = dict.fromkeys(containers, -1)
    facts: dict[str, dict[str, Any]] = {c: {} for c in containers}
    builder: ObjectBuilder | None = None
    depth = 0
    current = ""
    index = -1
    for prefix, event, value in ijson.parse(stream, use_float=True):
        if builder is not None:
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    yield current, counters[current], facts[current], index, builder.value
                    builder = None
            continue
        if event in ("start_map", "start_array") and prefix in item_prefixes:
            current = item_prefixes[prefix]
            index += 1
            builder = ObjectBuilder()
            builder.event(event, value)
            depth = 1
            continue
        if prefix in container_set and event == "start_map":
            counters[prefix] += 1
            facts[prefix] = {}
            index = -1
            continue
        if event in ("string", "number", "boolean", "null"):
            parent, _, key = prefix.rpartition(".")
            if key in keep and parent in container_set:
                facts[parent][key] = value
        if event == "start_array" and prefix in (f"{c}.{item}" if c else item for c in containers):
            index = -1
