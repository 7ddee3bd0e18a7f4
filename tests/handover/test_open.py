"""`open ARCHIVE --to DIR`: decrypt, unpack safely (no path escapes), verify; nothing left on failure."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import assert_valid_bag


@pytest.fixture
def key_handover(cli, sealed, age_key, tmp_path):
    out = tmp_path / "handover"
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", out)
    assert result.exit_code == 0, result.output
    return out / f"{sealed.info.id}.tar.age"


def encrypt_tar(members: list[tuple[tarfile.TarInfo, bytes | None]], recipient: str, path: Path) -> Path:
    import pyrage
    from pyrage import x25519

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    path.write_bytes(pyrage.encrypt(buffer.getvalue(), [x25519.Recipient.from_str(recipient)]))
    return path


def case_members(root: Path, top: str) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    members = []
    for path in sorted(root.rglob("*")):
        info = tarfile.TarInfo(f"{top}/{path.relative_to(root).as_posix()}")
        if path.is_dir():
            info.type = tarfile.DIRTYPE
            members.append((info, None))
        else:
            data = path.read_bytes()
            info.size = len(data)
            members.append((info, data))
    return members


def test_open_unpacks_a_case_that_verifies_with_standard_tools(cli, key_handover, age_key, sealed, tmp_path):
    to = tmp_path / "cases"
    result = cli("open", key_handover, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 0, result.output
    folder = to / sealed.info.id
    assert_valid_bag(folder)
    assert "Verified: nothing has changed" in result.stdout
    assert cli("verify", folder).exit_code == 0
    assert sorted(p.name for p in to.iterdir()) == [sealed.info.id]  # no temporary folder left
    assert (folder / "data").stat().st_mode & 0o077 == 0  # private to the user


def test_open_with_the_passphrase_and_the_key_file_beside_it(cli, sealed, passphrase_file, tmp_path):
    out = tmp_path / "o"
    assert cli("seal", "-C", sealed.root, "--passphrase-file", passphrase_file, "--out", out).exit_code == 0
    result = cli("open", out / f"{sealed.info.id}.tar.age", "--passphrase-file", passphrase_file, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and Path(report["case_folder"]) == out / sealed.info.id
    assert report["archive"]["checksum"] == "ok"


def test_a_wrong_key_leaves_nothing_behind(cli, key_handover, tmp_path):
    subprocess.run(["age-keygen", "-o", str(tmp_path / "other.txt")], check=True, capture_output=True)
    to = tmp_path / "cases"
    result = cli("open", key_handover, "--to", to, "--identity", tmp_path / "other.txt")
    assert result.exit_code == 2
    assert "does not open" in result.stderr
    assert list(to.iterdir()) == []


@pytest.mark.parametrize("where", [0.3, 0.99])
def test_a_damaged_archive_leaves_nothing_behind(cli, key_handover, age_key, tmp_path, where):
    data = bytearray(key_handover.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    key_handover.write_bytes(bytes(data))
    to = tmp_path / "cases"
    result = cli("open", key_handover, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 1, result.output
    assert "damaged" in result.stderr and "Nothing from it was kept" in result.stderr
    assert list(to.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["case/../../escaped.txt", "/tmp/absolute-escape.txt", "case/data/../../../escaped.txt"],
)
def test_a_name_that_would_escape_is_refused_and_nothing_is_written(cli, sealed, age_key, tmp_path, name):
    evil = tarfile.TarInfo(name)
    evil.size = 4
    archive = encrypt_tar(
        [*case_members(sealed.root, "case"), (evil, b"evil")], age_key.recipient, tmp_path / "evil.tar.age"
    )
    to = tmp_path / "deep" / "cases"
    to.parent.mkdir()  # --to may name a new folder, in a folder that exists
    result = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 1, result.output
    assert "outside the folder" in result.stderr
    assert list(to.iterdir()) == []
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "deep" / "escaped.txt").exists()
    assert not Path("/tmp/absolute-escape.txt").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE])
def test_links_and_devices_are_refused(cli, sealed, age_key, tmp_path, kind):
    link = tarfile.TarInfo("case/data/items/link")
    link.type = kind
    link.linkname = "/etc/passwd"
    archive = encrypt_tar(
        [*case_members(sealed.root, "case"), (link, None)], age_key.recipient, tmp_path / "link.tar.age"
    )
    to = tmp_path / "cases"
    result = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 1, result.output
    assert "a case never holds one" in result.stderr
    assert list(to.iterdir()) == []


def test_a_name_given_twice_is_refused(cli, sealed, age_key, tmp_path):
    members = case_members(sealed.root, "case")
    again = tarfile.TarInfo("case/bagit.txt")
    again.size = 3
    archive = encrypt_tar([*members, (again, b"bad")], age_key.recipient, tmp_path / "twice.tar.age")
    to = tmp_path / "cases"
    result = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 1
    assert "more than once" in result.stderr
    assert list(to.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(cli, key_handover, age_key, sealed, tmp_path):
    to = tmp_path / "cases"
    (to / sealed.info.id).mkdir(parents=True)
    (to / sealed.info.id / "mine.txt").write_text("keep me", encoding="utf-8")
    result = cli("open", key_handover, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 2
    assert "already a folder" in result.stderr
    assert sorted(p.name for p in to.iterdir()) == [sealed.info.id]
    assert (to / sealed.info.id / "mine.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("how", [["-C", "{case}", "."], ["-C", "{parent}", "{name}"]])
@pytest.mark.parametrize("armor", [[], ["-a"]])
def test_archives_made_by_hand_with_tar_and_age_open(cli, sealed, age_key, tmp_path, how, armor):
    args = [a.format(case=sealed.root, parent=sealed.root.parent, name=sealed.root.name) for a in how]
    tar_file = tmp_path / "by-hand.tar"
    subprocess.run(["tar", "-cf", str(tar_file), *args], check=True)
    archive = tmp_path / "by-hand.tar.age"
    subprocess.run(["age", *armor, "-r", age_key.recipient, "-o", str(archive), str(tar_file)], check=True)
    to = tmp_path / "cases"
    result = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 0, result.output
    [folder] = list(to.iterdir())
    assert folder.name == ("by-hand" if how[-1] == "." else sealed.root.name)
    assert_valid_bag(folder)


def test_an_archive_of_two_folders_is_not_one_case(cli, sealed, age_key, tmp_path):
    members = case_members(sealed.root, "case") + case_members(sealed.root, "other")
    archive = encrypt_tar(members, age_key.recipient, tmp_path / "two.tar.age")
    to = tmp_path / "cases"
    result = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert result.exit_code == 1
    assert "one case folder" in result.stderr
    assert list(to.iterdir()) == []
