"""Our block-by-block tar reader and writer agree with GNU tar and Python's tarfile."""

from __future__ import annotations

import io
import subprocess
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.handover.tarstream import TarFormatError, TarWriter, iter_members
from tests.fuzzing import examples

NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1,
    max_size=60,
)


def read_all(data: bytes) -> list[tuple[str, bytes]]:
    out = []
    for member in iter_members(io.BytesIO(data)):
        content = b""
        while block := member.read(7):
            content += block
        out.append((member.info.name, content))
    return out


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(NAMES, st.binary(max_size=2000)), min_size=1, max_size=6, unique_by=lambda t: t[0]))
def test_what_we_write_tarfile_reads_and_what_tarfile_writes_we_read(files):
    ours = io.BytesIO()
    writer = TarWriter(ours)
    for name, content in files:
        info = tarfile.TarInfo("top/" + name * 3)  # long names need pax headers
        info.size = len(content)
        writer.add(info, io.BytesIO(content).read)
    writer.close()
    with tarfile.open(fileobj=io.BytesIO(ours.getvalue())) as tar:
        assert [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()] == [
            ("top/" + n * 3, c) for n, c in files
        ]
    theirs = io.BytesIO()
    with tarfile.open(fileobj=theirs, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files:
            info = tarfile.TarInfo("top/" + name * 3)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    assert read_all(theirs.getvalue()) == [("top/" + n * 3, c) for n, c in files]


@pytest.mark.parametrize("tar_format", ["gnu", "posix", "ustar"])
def test_gnu_tar_archives_with_long_and_unicode_names(tmp_path, tar_format):
    folder = tmp_path / "case" / ("d" * 80) / "data"
    folder.mkdir(parents=True)
    long_name = "Screenshot – “Alex” " + "x" * 70 + ".png"
    (folder / (long_name if tar_format != "ustar" else "short.png")).write_bytes(b"\x89PNG" * 300)
    out = subprocess.run(
        ["tar", f"--format={tar_format}", "-cf", "-", "-C", str(tmp_path), "case"],
        capture_output=True,
        check=False,
    )
    if tar_format == "ustar" and out.returncode != 0:
        pytest.skip("ustar cannot hold these names")
    ours = read_all(out.stdout)
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        expected = [(m.name, tar.extractfile(m).read() if m.isreg() else b"") for m in tar.getmembers()]
    assert ours == expected


def test_a_cut_short_or_garbled_stream_is_an_error():
    data = io.BytesIO()
    writer = TarWriter(data)
    info = tarfile.TarInfo("a.txt")
    info.size = 5000
    writer.add(info, io.BytesIO(b"y" * 5000).read)
    writer.close()
    whole = data.getvalue()
    for cut in (100, 600, 3000):
        with pytest.raises(TarFormatError):
            read_all(whole[:cut])
    garbled = bytearray(whole)
    garbled[148] ^= 0x01  # the header checksum
    with pytest.raises(TarFormatError):
        read_all(bytes(garbled))
