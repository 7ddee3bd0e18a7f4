"""Ctrl-C (or any failure) half-way through leaves nothing behind: no archive, no plaintext."""

from __future__ import annotations

import subprocess

import pytest

from evidencekit.handover.archive import write_handover
from evidencekit.handover.keys import parse_recipient
from evidencekit.verify.archive import open_archive


class Stop(KeyboardInterrupt):
    pass


def stop_half_way(done: int, total: int) -> None:
    if done > 0:
        raise Stop


def stop_at_evidence(name: str) -> None:
    if "data/" in name:
        raise Stop


@pytest.fixture
def ssh_recipient(tmp_path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    return parse_recipient((tmp_path / "id.pub").read_text().strip())


@pytest.mark.parametrize("kind", ["age", "ssh"])
def test_ctrl_c_while_encrypting_removes_every_temporary_file(sealed, age_key, ssh_recipient, tmp_path, kind):
    recipient = parse_recipient(age_key.recipient) if kind == "age" else ssh_recipient
    out = tmp_path / "out"
    with pytest.raises(Stop):
        write_handover(sealed, out, recipients=[recipient], passphrase=None, progress=stop_half_way)
    assert list(out.iterdir()) == []


def test_ctrl_c_while_opening_removes_the_half_unpacked_folder(sealed, age_key, tmp_path):
    result = write_handover(
        sealed, tmp_path / "out", recipients=[parse_recipient(age_key.recipient)], passphrase=None
    )
    to = tmp_path / "cases"
    with pytest.raises(Stop):
        open_archive(
            result.archive,
            to,
            identity_file=age_key.identity_file,
            ask_passphrase=lambda what: "",
            on_file=stop_at_evidence,
        )
    assert list(to.iterdir()) == []


def test_a_second_hand_over_replaces_the_first_and_drops_a_stale_key_file(
    cli, sealed, age_key, passphrase_file
):
    assert cli("seal", "-C", sealed.root, "--passphrase-file", passphrase_file).exit_code == 0
    key_file = sealed.root.parent / f"{sealed.info.id}.key.age"
    assert key_file.exists()
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient)
    assert result.exit_code == 0, result.output
    assert "Replaced the earlier hand-over" in result.stdout
    assert not key_file.exists()  # it would not open the new archive
    archive = sealed.root.parent / f"{sealed.info.id}.tar.age"
    assert cli("verify", archive, "-i", age_key.identity_file).exit_code == 0
