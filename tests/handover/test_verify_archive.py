"""`verify ARCHIVE`: the bag inside an encrypted hand-over is checked as it streams, nothing on disk."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.handover.conftest import PASSPHRASE, run_on_terminal


@pytest.fixture
def handover(cli, sealed, age_key, passphrase_file, tmp_path):
    """A passphrase hand-over (that the officer's key opens too), in its own folder."""
    out = tmp_path / "handover"
    result = cli(
        "seal", "-C", sealed.root, "-r", age_key.recipient, "--passphrase-file", passphrase_file, "--out", out
    )
    assert result.exit_code == 0, result.output
    return out / f"{sealed.info.id}.tar.age"


@pytest.fixture
def key_handover(cli, sealed, age_key, tmp_path):
    """A hand-over to the officer's key only (no scrypt, so quick to open again and again)."""
    out = tmp_path / "handover"
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", out)
    assert result.exit_code == 0, result.output
    return out / f"{sealed.info.id}.tar.age"


def listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_verify_checks_the_archive_without_writing_it_anywhere(
    cli, handover, passphrase_file, sealed, tmp_path
):
    before = listing(tmp_path)
    result = cli("verify", handover, "--passphrase-file", passphrase_file)
    assert result.exit_code == 0, result.output
    assert "Verified: nothing has changed" in result.stdout
    assert "matches" in result.stdout and ".sha256" in result.stdout
    files = len((sealed.root / "manifest-sha256.txt").read_text().splitlines())
    assert f"{files} evidence files" in result.stdout
    assert listing(tmp_path) == before  # no plaintext (or anything else) written


def test_the_officers_key_file_opens_a_passphrase_hand_over_too(cli, handover, age_key, sealed):
    result = cli("verify", handover, "--identity", age_key.identity_file, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["sealed"]
    assert report["archive"]["checksum"] == "ok"
    assert report["archive"]["opened_with"] == f"key file {age_key.identity_file.name}"
    assert report["checked"]["files"] == len((sealed.root / "manifest-sha256.txt").read_text().splitlines())


def test_a_wrong_passphrase_is_exit_2_with_one_clear_sentence(cli, handover, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all", encoding="utf-8")
    result = cli("verify", handover, "--passphrase-file", wrong)
    assert result.exit_code == 2
    assert "That passphrase does not open the key file" in result.stderr
    assert "not the passphrase at all" not in result.output and "Traceback" not in result.output


def test_a_wrong_key_is_exit_2(cli, key_handover, tmp_path):
    require_tool("age-keygen")
    other = tmp_path / "other.txt"
    subprocess.run(["age-keygen", "-o", str(other)], check=True, capture_output=True)
    result = cli("verify", key_handover, "--identity", other)
    assert result.exit_code == 2
    assert "does not open" in result.stderr


def flip(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", [0.02, 0.1, 0.3, 0.5, 0.7, 0.95, 1.0])
def test_a_flipped_byte_anywhere_is_found(cli, key_handover, age_key, where, tmp_path):
    size = key_handover.stat().st_size
    flip(key_handover, min(size - 1, int(size * where)))
    before = listing(tmp_path)
    result = cli("verify", key_handover, "--identity", age_key.identity_file)
    assert result.exit_code == 1, result.output
    assert "changed or damaged" in result.output or "damaged" in result.output
    assert "does not match" in result.output  # the .sha256 says so too
    assert "Traceback" not in result.output
    assert listing(tmp_path) == before


def test_a_flipped_byte_without_a_checksum_file_is_still_exit_1_or_2(cli, key_handover, age_key):
    Path(str(key_handover) + ".sha256").unlink()
    size = key_handover.stat().st_size
    for position in (5, size // 2, size - 3):
        copy = key_handover.with_name(f"copy-{position}.tar.age")
        copy.write_bytes(key_handover.read_bytes())
        flip(copy, position)
        result = cli("verify", copy, "--identity", age_key.identity_file)
        assert result.exit_code in (1, 2), result.output
        assert ("damaged" in result.output) or ("not" in result.stderr)
        assert "Traceback" not in result.output


def test_a_truncated_archive_is_exit_1(cli, key_handover, age_key):
    data = key_handover.read_bytes()
    key_handover.write_bytes(data[: len(data) - 100])
    result = cli("verify", key_handover, "--identity", age_key.identity_file)
    assert result.exit_code == 1
    assert "damaged" in result.output


def make_tar(folder: Path, arcname: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(folder, arcname=arcname)
    return buffer.getvalue()


def test_an_archive_made_with_age_r_of_a_tar_of_the_case_verifies(cli, sealed, age_key, tmp_path):
    require_tool("age")
    tar_file = tmp_path / "case.tar"
    subprocess.run(["tar", "-cf", str(tar_file), "-C", str(sealed.root.parent), sealed.root.name], check=True)
    archive = tmp_path / "by-hand.tar.age"
    subprocess.run(["age", "-r", age_key.recipient, "-o", str(archive), str(tar_file)], check=True)
    result = cli("verify", archive, "--identity", age_key.identity_file)
    assert result.exit_code == 0, result.output
    assert "Verified" in result.stdout
    assert "There is no by-hand.tar.age.sha256" in result.stdout  # a warning, not a failure


def test_an_archive_made_with_age_p_of_the_case_contents_verifies(cli, sealed, tmp_path, passphrase_file):
    require_tool("age")
    tar_file = tmp_path / "case.tar"
    subprocess.run(["tar", "-cf", str(tar_file), "-C", str(sealed.root), "."], check=True)
    archive = tmp_path / "by-hand.age"
    typed = run_on_terminal(["age", "-p", "-o", str(archive), str(tar_file)], [PASSPHRASE, PASSPHRASE])
    assert typed.returncode == 0, typed.stdout
    result = cli("verify", archive, "--passphrase-file", passphrase_file, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["archive"]["opened_with"] == "passphrase"
    assert report["case_id"] == sealed.info.id


def test_a_case_changed_before_it_was_archived_is_found(cli, sealed, age_key, tmp_path):
    """Someone edits an evidence file, then encrypts the folder by hand: the seal still catches it."""
    stored = next((sealed.root / "data/items").iterdir())
    stored.write_text("edited", encoding="utf-8")
    archive = tmp_path / "edited.tar.age"
    tar_file = tmp_path / "edited.tar"
    tar_file.write_bytes(make_tar(sealed.root, "case"))
    subprocess.run(["age", "-r", age_key.recipient, "-o", str(archive), str(tar_file)], check=True)
    result = cli("verify", archive, "--identity", age_key.identity_file, "--json")
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "payload-changed" in codes


def test_unsafe_names_inside_the_archive_are_findings_never_opened(cli, sealed, age_key, tmp_path):
    import pyrage
    from pyrage import x25519

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(sealed.root, arcname="case")
        evil = tarfile.TarInfo("case/../../evil.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    archive = tmp_path / "evil.tar.age"
    archive.write_bytes(pyrage.encrypt(buffer.getvalue(), [x25519.Recipient.from_str(age_key.recipient)]))
    result = cli("verify", archive, "--identity", age_key.identity_file, "--json")
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "archive-path-unsafe" in codes
    assert not (tmp_path.parent / "evil.txt").exists()


def test_something_that_is_not_an_archive_is_exit_2(cli, tmp_path):
    other = tmp_path / "holiday.jpg"
    other.write_bytes(os.urandom(500))
    result = cli("verify", other, "--passphrase-file", tmp_path / "none.txt")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_key_archive_without_a_key_says_which_key_is_needed(cli, sealed, age_key, tmp_path):
    out = tmp_path / "o"
    assert cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", out).exit_code == 0
    result = cli("verify", out / f"{sealed.info.id}.tar.age")
    assert result.exit_code == 2
    assert "--identity" in result.stderr


def test_on_a_terminal_the_passphrase_is_asked_once_and_not_shown(handover):
    from tests.conftest import BIN

    typed = run_on_terminal([str(BIN / "evidencekit"), "verify", str(handover)], [PASSPHRASE])
    assert typed.returncode == 0, typed.stdout
    assert "Passphrase for the key file" in typed.stdout
    assert PASSPHRASE not in typed.stdout
    assert "Verified" in typed.stdout


@pytest.mark.parametrize("keep", [0, 10, 30])
def test_an_archive_cut_to_a_few_bytes_is_damaged_exit_1(cli, key_handover, age_key, keep):
    # docs/reference/exit-codes.md: a damaged archive is exit 1 (problems found), with a finding.
    key_handover.write_bytes(key_handover.read_bytes()[:keep])
    Path(str(key_handover) + ".sha256").unlink()  # without the checksum, too
    result = cli("verify", key_handover, "--identity", age_key.identity_file, "--json")
    assert result.exit_code == 1, result.output
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["archive-damaged"]


def test_a_wrong_key_for_a_whole_archive_stays_exit_2(cli, key_handover, tmp_path):
    from pyrage import x25519

    other = tmp_path / "other.key"
    other.write_text(str(x25519.Identity.generate()) + "\n")
    result = cli("verify", key_handover, "--identity", other)
    assert result.exit_code == 2, result.output


def encrypted_tar_of(sealed_root: Path, extra: list[tuple[str, bytes]], recipient: str, path: Path) -> Path:
    import pyrage
    from pyrage import x25519

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(sealed_root, arcname="case")
        for name, data in extra:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(pyrage.encrypt(buffer.getvalue(), [x25519.Recipient.from_str(recipient)]))
    return path


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("case/BAGIT.TXT", "archive-duplicate-entry"),
        ("case/Data/items/x.txt", "archive-duplicate-entry"),
        ("C:evil.txt", "archive-path-unsafe"),
        ("case/C:evil.txt", "archive-path-unsafe"),
        ("case/data/items/a:stream", "archive-path-unsafe"),
        ("case/data/items/aux.c", "archive-path-unsafe"),  # a device on Windows
        ("case/data/items/x\x1b[2Jy", "archive-path-unsafe"),  # a terminal escape
        ("case/data/items/" + "a" * 256, "archive-path-unsafe"),
    ],
)
def test_verify_and_open_agree_on_member_names(cli, sealed, age_key, tmp_path, name, code):
    archive = encrypted_tar_of(sealed.root, [(name, b"evil")], age_key.recipient, tmp_path / "names.tar.age")
    result = cli("verify", archive, "--identity", age_key.identity_file, "--json")
    assert result.exit_code == 1, result.output
    assert code in {f["code"] for f in json.loads(result.stdout)["findings"]}
    to = tmp_path / "cases"
    opened = cli("open", archive, "--to", to, "--identity", age_key.identity_file)
    assert opened.exit_code == 1, opened.output
    assert list(to.iterdir()) == [] if to.exists() else True


def test_the_member_name_rule_is_the_case_path_rule():
    from evidencekit.case.safepath import path_problem
    from evidencekit.handover.stream_verify import safe_member_name

    for name in ["C:evil.txt", "a/b:c", "a\\b", "~/x", "../x", "a/../b", "/etc/passwd", "a\x00b"]:
        assert safe_member_name(name) is None, name
    for name in ["./case/bagit.txt", "case/data/items/", "bagit.txt"]:
        normalised = safe_member_name(name)
        assert normalised and path_problem(normalised) is None
