"""Reading exports without extracting them: zip slip, zip bombs, odd names, damaged members."""

from __future__ import annotations

import struct
import zipfile

import pytest

from evidencekit.exports.source import SourceRefused, ZipSource, normalise, open_source, unsafe_member_name
from tests.exports import samples


@pytest.mark.parametrize(
    "name",
    ["../../etc/evil.txt", "/etc/passwd", "C:/Windows/evil.txt", "a\\..\\b.txt", "~/.bashrc", "ok/../../x"],
)
def test_names_that_would_escape_a_folder_are_recognised(name):
    assert unsafe_member_name(name) is not None


def test_ordinary_names_are_safe():
    assert unsafe_member_name("WhatsApp Chat with Riley/IMG-20240314-WA0007.jpg") is None
    assert normalise("./media/../media/5f1c.jpeg") == "media/5f1c.jpeg"
    assert normalise("../outside.jpg") == ""


def test_a_zip_slip_member_is_set_aside_recorded_and_never_written(tmp_path):
    path = tmp_path / "WhatsApp Chat with Riley.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)
        zf.writestr("../../evil.sh", "echo pwned\n")
    before = sorted(p.name for p in tmp_path.parent.iterdir())

    with ZipSource(path, path.name) as source:
        assert source.names() == ["WhatsApp Chat with Riley.txt"]
        assert any("climbs out" in p for p in source.problems)
        members = source.hash_members()

    evil = next(m for m in members if m["name"] == "../../evil.sh")
    assert evil["unsafe_name"] and len(evil["sha256"]) == 64  # hashed, as evidence, but never extracted
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before


def _zip_of_zeros(path, size):
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("zeros.txt", "w") as out,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            out.write(block)


def test_a_zip_bomb_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "WhatsApp Chat with Riley.zip"
    _zip_of_zeros(path, 160 << 20)  # 160 MB of zeros compress about a thousand times

    with pytest.raises(SourceRefused, match="zip bomb"):
        ZipSource(path, path.name)


def test_a_zip_that_lies_about_its_sizes_is_refused(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", samples.IOS_DMY)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xF0000000)  # claims 3.75 GB uncompressed
    path.write_bytes(bytes(data))

    with pytest.raises(SourceRefused, match="zip bomb"):
        ZipSource(path, path.name)


def test_a_damaged_member_is_reported_not_fatal(tmp_path):
    path = tmp_path / "WhatsApp Chat - Riley.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("_chat.txt", samples.IOS_DMY)
        zf.writestr("00000007-PHOTO-2024-03-14-21-09-02.jpg", samples.JPEG)
    data = bytearray(path.read_bytes())
    at = data.index(b"JFIF")
    data[at : at + 4] = b"XXXX"  # the stored CRC no longer matches
    path.write_bytes(bytes(data))

    with ZipSource(path, path.name) as source:
        members = source.hash_members()

    photo = next(m for m in members if m["name"].endswith(".jpg"))
    assert photo["sha256"] is None and "damaged" in photo["read_error"]


def test_names_without_the_utf8_flag_are_read_as_utf8_and_their_bytes_kept(tmp_path):
    """Phones often write UTF-8 names without setting the zip's UTF-8 flag."""
    raw = "Rémy.jpg".encode()
    placeholder = b"R" + b"x" * (len(raw) - 7) + b"my.jpg"
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(placeholder.decode("ascii"), b"data")
    path.write_bytes(path.read_bytes().replace(placeholder, raw))  # same length: the zip stays valid

    with ZipSource(path, path.name) as source:
        members = source.hash_members()

    assert members[0]["name"] == "Rémy.jpg" and members[0]["name_bytes_hex"] == raw.hex()


def test_not_a_zip_at_all(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK\x03\x04 but nothing else")
    with pytest.raises(SourceRefused, match="not a readable zip"):
        open_source(path, path.name)


def test_find_matches_the_longest_tail_and_nothing_outside(tmp_path):
    samples.instagram_thread(tmp_path / "ig")
    with open_source(tmp_path / "ig", "ig") as source:
        uri = "your_instagram_activity/messages/inbox/remy_1234567890/photos/9.jpg"
        assert source.find(uri) == uri
        assert source.find("other_root/" + uri) == uri
        assert source.find("../../../etc/passwd") is None
        assert source.find("photos/none.jpg") is None
