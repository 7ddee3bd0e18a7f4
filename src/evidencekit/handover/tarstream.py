"""Reading and writing POSIX tar (pax) as a stream, block by block, without tarfile's stream buffer.

`tarfile`'s stream mode ("w|", "r|") is correct but copies its whole buffer on every small write
(quadratic with a large buffer) and several times on every read; on a 1 GB case that cost more than
the encryption itself. The format is simple (POSIX.1-2001, 512-byte blocks), so we write the headers
with `TarInfo.tobuf()` and read them with `TarInfo.frombuf()` (both documented parts of `tarfile`),
and move the file contents ourselves in 1 MiB blocks.

Reading understands pax extended headers (`x`, `g`: path, linkpath, size) and GNU long names (`L`,
`K`), which covers tar archives made by GNU tar, bsdtar, Python and evidencekit. Anything it cannot
read raises `TarFormatError`.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

BLOCK = 512
RECORD = 20 * BLOCK
_ZERO = bytes(BLOCK)
COPY = 1 << 20


class TarFormatError(Exception):
    """The stream is not a tar archive this reader understands (or it ends in the middle)."""


def _padding(size: int) -> int:
    return -size % BLOCK


class TarWriter:
    """Writes a tar stream to `out` (anything with write()); call `close()` to end the archive."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offset = 0

    def _write(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.offset += len(data)

    def add(self, info: tarfile.TarInfo, read: Callable[[int], bytes] | None = None) -> None:
        """Write `info`'s header and, for a file, exactly `info.size` bytes from `read(n)`."""
        self._write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
        if not info.isreg():
            return
        left = info.size
        while left:
            block = read(min(COPY, left)) if read else b""
            if not block:
                raise OSError("unexpected end of data")
            if len(block) > left:
                raise OSError("more data than announced")
            self._write(block)
            left -= len(block)
        self._write(bytes(_padding(info.size)))

    def close(self) -> None:
        self._write(_ZERO * 2)
        self._write(bytes(-self.offset % RECORD))


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    while len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            raise TarFormatError("the archive ends in the middle of an entry")
        data += more
    return data


def _pax_records(data: bytes) -> dict[str, str]:
    """Parse pax extended header records: "<length> <key>=<value>\\n"."""
    records: dict[str, str] = {}
    position = 0
    while position < len(data):
        if data[position] == 0:
            break
        space = data.find(b" ", position)
        if space < 0:
            raise TarFormatError("a pax header is malformed")
        try:
            length = int(data[position:space])
        except ValueError:
            raise TarFormatError("a pax header is malformed") from None
        record = data[space + 1 : position + length]
        if length <= 0 or position + length > len(data) or not record.endswith(b"\n") or b"=" not in record:
            raise TarFormatError("a pax header is malformed")
        key, _, value = record[:-1].partition(b"=")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        position += length
    return records


def has_data(info: tarfile.TarInfo) -> bool:
    """Whether data blocks follow the header (as tarfile decides: files, and unknown types)."""
    return info.isreg() or info.type not in tarfile.SUPPORTED_TYPES


def is_plain_file(info: tarfile.TarInfo) -> bool:
    """A regular file we can use (not sparse, not contiguous-special, not an unknown type)."""
    return info.type in (tarfile.REGTYPE, tarfile.AREGTYPE)


class Member:
    """One entry of the archive; `read(n)` gives its content (regular files only)."""

    def __init__(self, info: tarfile.TarInfo, stream: BinaryIO) -> None:
        self.info = info
        self._stream = stream
        self._left = info.size if has_data(info) else 0

    def read(self, size: int = COPY) -> bytes:
        if not self._left:
            return b""
        data = self._stream.read(min(size, self._left))
        if not data:
            raise TarFormatError("the archive ends in the middle of a file")
        self._left -= len(data)
        return data

    def skip(self) -> None:
        while self.read():
            pass


def iter_members(stream: BinaryIO, max_header: int = 1 << 20) -> Iterator[Member]:
    """Every entry of the tar stream, in order; the caller reads (or skips) each before the next."""
    global_pax: dict[str, str] = {}
    pax: dict[str, str] = {}
    long_name: str | None = None
    long_link: str | None = None
    seen_any = False
    while True:
        block = stream.read(BLOCK)
        if len(block) < BLOCK:
            if block or not seen_any:
                raise TarFormatError("the archive ends in the middle of a header" if block else "it is empty")
            raise TarFormatError("the archive has no end marker (it was cut short)")
        if block == _ZERO:
            return  # end of archive; whatever follows (padding) is the caller's to drain
        seen_any = True
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        except tarfile.HeaderError as exc:
            raise TarFormatError(f"a header is damaged ({exc})") from None
        if info.type in (
            tarfile.XHDTYPE,
            tarfile.XGLTYPE,
            tarfile.GNUTYPE_LONGNAME,
            tarfile.GNUTYPE_LONGLINK,
        ):
            if info.size > max_header:
                raise TarFormatError("an extended header is too large")
            data = _read_exact(stream, info.size + _padding(info.size))[: info.size]
            if info.type == tarfile.XHDTYPE:
                pax.update(_pax_records(data))
            elif info.type == tarfile.XGLTYPE:
                global_pax.update(_pax_records(data))
            elif info.type == tarfile.GNUTYPE_LONGNAME:
                long_name = data.rstrip(b"\0").decode("utf-8", "surrogateescape")
            else:
                long_link = data.rstrip(b"\0").decode("utf-8", "surrogateescape")
            continue
        fields = {**global_pax, **pax}
        if "path" in fields:
            info.name = fields["path"]
        elif long_name is not None:
            info.name = long_name
        if "linkpath" in fields:
            info.linkname = fields["linkpath"]
        elif long_link is not None:
            info.linkname = long_link
        if "size" in fields:
            try:
                info.size = int(fields["size"])
            except ValueError:
                raise TarFormatError("a pax size is not a number") from None
        pax, long_name, long_link = {}, None, None
        member = Member(info, stream)
        yield member
        member.skip()
        if has_data(info) and info.size:
            _read_exact(stream, _padding(info.size))
