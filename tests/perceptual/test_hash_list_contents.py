"""A helpline worker sends the hash lists to StopNCII, NCMEC or a platform. What leaves is exactly
what docs/reference/hash-lists.md says, field by field: no byte of the photo or the video, no file
name, and for the video its MD5 only, with the reason said in the record, the list and the report.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import random
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from evidencekit.case.case import Case
from evidencekit.intake.files import capture

from .conftest import reference

DOCS = Path(__file__).resolve().parents[2] / "docs/reference/hash-lists.md"


def documented_fields(section: str) -> set[str]:
    """The names in the first column of the table under `## section` on the docs page."""
    text = DOCS.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", body, flags=re.MULTILINE))


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def tiny_mp4(seed: int = 7, size: int = 4096) -> bytes:
    """A small MP4 written box by box (ftyp, moov with its movie header, mdat), as no ffmpeg is
    installed here; libmagic calls it video/mp4, as it does a phone's. Its media data is random,
    so any piece of it found in a list is unmistakable."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = box(
        b"mvhd",
        struct.pack(">IIIII", 0, 0, 0, 1000, 1000)
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\0" * 10
        + matrix
        + b"\0" * 24
        + struct.pack(">I", 2),
    )
    rng = random.Random(seed)
    return ftyp + box(b"moov", mvhd) + box(b"mdat", bytes(rng.randrange(256) for _ in range(size)))


def no_piece_of(original: bytes, written: bytes) -> bool:
    """True when no 12-byte run of the file is in the list, raw, in hex or in base64."""
    text = written.decode("utf-8", errors="replace")
    for start in range(0, len(original) - 12, 6):
        piece = original[start : start + 12]
        if piece in written or piece.hex() in text.lower() or base64.b64encode(piece)[:12].decode() in text:
            return False
    return True


@pytest.fixture
def sensitive_case(case: Case, originals: Path) -> tuple[Case, bytes, bytes]:
    photo = reference("scene.png", originals, "beach-with-jo-2025.png")
    clip = originals / "jo-bedroom-clip.mp4"
    clip.write_bytes(tiny_mp4())
    capture(case, [photo], sensitive=True)
    capture(case, [clip], sensitive=True)
    return case, photo.read_bytes(), clip.read_bytes()


def written(cli, case: Case, service: str, out: Path) -> bytes:
    result = cli("hashes", "--for", service, "--out", out, "--case", case.root)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_each_list_holds_only_the_documented_fields_and_no_byte_of_the_files(sensitive_case, cli, tmp_path):
    case, photo, clip = sensitive_case

    stopncii = written(cli, case, "stopncii", tmp_path / "stopncii.json")
    ncmec = written(cli, case, "ncmec", tmp_path / "ncmec.xml")
    table = written(cli, case, "csv", tmp_path / "hashes.csv")

    listed = json.loads(stopncii)
    keys = set(listed) | {key for record in listed["hashRecords"] for key in record}
    assert keys == documented_fields("stopncii")

    root = ET.fromstring(ncmec)  # noqa: S314 (our own output)
    tags = {element.tag.split("}", 1)[1] for element in root.iter()}
    assert tags <= documented_fields("ncmec") and "name" not in tags
    assert {name for element in root.iter() for name in element.attrib} <= {"count"}

    header = next(csv.reader(io.StringIO(table.decode("utf-8"))))
    assert set(header) == documented_fields("csv") - {"name"}  # `name` only with --with-names

    for output in (stopncii, ncmec, table):
        assert no_piece_of(photo, output) and no_piece_of(clip, output)
        for private in (b"beach", b"jo-bedroom", b"originals", str(tmp_path).encode()):
            assert private not in output


def test_a_video_is_listed_by_its_md5_only_and_every_place_says_why(sensitive_case, cli, tmp_path):
    case, _photo, clip = sensitive_case
    [_, video] = Case(case.root).items()
    md5 = hashlib.md5(clip, usedforsecurity=False).hexdigest()

    # The item record: its MD5, SHA-1 and SHA-256, no perceptual hash, and why.
    assert video["kind"] == "video" and video["mime"] == "video/mp4"
    assert (video["md5"], video["sha1"]) == (md5, hashlib.sha1(clip, usedforsecurity=False).hexdigest())
    assert video["sha256"] == hashlib.sha256(clip).hexdigest()
    assert video["perceptual"]["pdq"] is None
    assert video["perceptual"]["problem"].startswith("MD5 only")
    assert "vPDQ and TMK" in video["perceptual"]["problem"]

    # The lists: VideoMD5 for StopNCII; md5 and sha1, no pdq, for NCMEC; the reason in the CSV.
    records = json.loads(written(cli, case, "stopncii", tmp_path / "s.json"))["hashRecords"]
    assert {"signalType": "VideoMD5", "hashValue": md5} in records
    root = ET.fromstring(written(cli, case, "ncmec", tmp_path / "n.xml"))  # noqa: S314
    ns = "{https://hashsharing.ncmec.org/hashsharing/v2}"
    [entry] = root.findall(f"{ns}videos/{ns}video")
    assert [child.tag.split("}")[1] for child in entry.find(f"{ns}fingerprints")] == ["md5", "sha1"]
    rows = list(csv.DictReader(io.StringIO(written(cli, case, "csv", tmp_path / "h.csv").decode())))
    [row] = [r for r in rows if r["kind"] == "video"]
    assert row["md5"] == md5 and row["pdq"] == "" and row["no_pdq_because"].startswith("MD5 only")

    # The report's withheld items.
    result = cli("report", "--format", "html", "--out", tmp_path / "report", "--case", case.root)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    start = html.index('id="withheld"')
    withheld = html[start : html.index("</section>", start)]
    assert md5 in withheld and "Video: MD5 only" in withheld

    # And the command's summary.
    assert "MD5 only" in cli("hashes", "--case", case.root).stdout


def test_the_byte_check_finds_a_file_copied_in_any_of_the_three_forms():
    clip = tiny_mp4()
    assert no_piece_of(clip, b'{"hashValue": "0123"}')
    assert not no_piece_of(clip, b"x" + clip[1000:1040])
    assert not no_piece_of(clip, clip[200:260].hex().encode())
    assert not no_piece_of(clip, base64.b64encode(clip))
