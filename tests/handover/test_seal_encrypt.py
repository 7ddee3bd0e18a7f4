"""`seal --encrypt`: an archive the stock `age` CLI opens, with a key file or a passphrase."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

from evidencekit.case import layout
from tests.conftest import assert_valid_bag, require_tool
from tests.handover.conftest import PASSPHRASE, run_on_terminal


def handover_files(folder: Path, case_id: str) -> dict[str, Path]:
    return {
        "archive": folder / f"{case_id}.tar.age",
        "checksum": folder / f"{case_id}.tar.age.sha256",
        "key": folder / f"{case_id}.key.age",
        "how_to": folder / f"{case_id}.HOW-TO-OPEN.txt",
    }


def untar(tar_path: Path, where: Path) -> Path:
    where.mkdir()
    subprocess.run(["tar", "-xf", str(tar_path), "-C", str(where)], check=True, timeout=60)
    return where


def test_an_officer_opens_it_with_age_and_their_key_file(cli, sealed, age_key, tmp_path):
    require_tool("age")
    out = tmp_path / "handover"
    result = cli("seal", "--case", sealed.root, "--recipient", age_key.recipient, "--out", out)
    assert result.exit_code == 0, result.output
    files = handover_files(out, sealed.info.id)
    assert files["archive"].exists() and files["checksum"].exists() and files["how_to"].exists()
    assert not files["key"].exists()  # no passphrase: no key file
    assert "Hand over all 3 files together" in result.stdout

    check = subprocess.run(
        ["sha256sum", "-c", files["checksum"].name], cwd=out, capture_output=True, text=True
    )
    assert check.returncode == 0 and ": OK" in check.stdout

    plain = tmp_path / "case.tar"
    subprocess.run(
        ["age", "-d", "-i", str(age_key.identity_file), "-o", str(plain), str(files["archive"])],
        check=True,
        timeout=60,
    )
    unpacked = untar(plain, tmp_path / "unpacked") / sealed.info.id
    assert_valid_bag(unpacked)
    assert cli("verify", unpacked).exit_code == 0
    assert (unpacked / "data/items").is_dir()
    assert sorted(p.name for p in (unpacked / "data/items").iterdir()) == sorted(
        p.name for p in (sealed.root / "data/items").iterdir()
    )


def test_with_a_passphrase_age_opens_it_with_the_key_file_and_one_prompt(
    cli, sealed, passphrase_file, tmp_path
):
    require_tool("age")
    result = cli("seal", "--case", sealed.root, "--encrypt", "--passphrase-file", passphrase_file)
    assert result.exit_code == 0, result.output
    files = handover_files(sealed.root.parent, sealed.info.id)  # default: beside the case folder
    assert all(path.exists() for path in files.values())
    assert PASSPHRASE not in result.output
    assert "Give the passphrase separately" in result.stdout
    for path in files.values():
        assert PASSPHRASE.encode() not in path.read_bytes()

    plain = tmp_path / "case.tar"
    typed = run_on_terminal(
        ["age", "-d", "-i", str(files["key"]), "-o", str(plain), str(files["archive"])], [PASSPHRASE]
    )
    assert typed.returncode == 0, typed.stdout
    unpacked = untar(plain, tmp_path / "unpacked") / sealed.info.id
    assert_valid_bag(unpacked)

    wrong = run_on_terminal(
        ["age", "-d", "-i", str(files["key"]), "-o", str(tmp_path / "x.tar"), str(files["archive"])],
        ["not it at all"],
    )
    assert wrong.returncode != 0


def test_the_guide_says_what_to_hand_over_and_how_to_open_it(cli, sealed, passphrase_file, age_key):
    result = cli("seal", "--case", sealed.root, "-r", age_key.recipient, "--passphrase-file", passphrase_file)
    assert result.exit_code == 0, result.output
    files = handover_files(sealed.root.parent, sealed.info.id)
    guide = files["how_to"].read_text(encoding="utf-8")
    for path in files.values():
        assert path.name in guide
    assert f"age -d -i {files['key'].name} {files['archive'].name} | tar -x" in guide
    assert f"sha256sum -c {files['checksum'].name}" in guide
    assert age_key.recipient in guide
    assert sealed.fingerprint()[:8] in guide
    assert "passphrase" in guide.lower() and PASSPHRASE not in guide


def test_the_archive_holds_exactly_the_sealed_bag_and_nothing_else(cli, sealed, age_key, tmp_path):
    (sealed.root / "my notes.txt").write_text("not part of the case", encoding="utf-8")
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "Left out" in result.stdout and "my notes.txt" in result.stdout
    plain = tmp_path / "case.tar"
    archive = tmp_path / "o" / f"{sealed.info.id}.tar.age"
    subprocess.run(
        ["age", "-d", "-i", str(age_key.identity_file), "-o", str(plain), str(archive)], check=True
    )
    with tarfile.open(plain) as tar:
        names = tar.getnames()
        modes = {m.mode for m in tar.getmembers()}
    top = sealed.info.id
    assert all(name == top or name.startswith(top + "/") for name in names)
    assert f"{top}/my notes.txt" not in names
    assert f"{top}/{layout.SIGNATURE}" in names and f"{top}/{layout.TAGMANIFEST}" in names
    assert modes <= {0o600, 0o700}  # private when unpacked by tar, too


def test_an_open_case_is_sealed_first(cli, case, evidence, age_key, tmp_path):
    assert cli("capture", "-C", case.root, evidence / "chat.txt").exit_code == 0
    result = cli("seal", "-C", case.root, "-r", age_key.recipient, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "Sealed case" in result.stdout
    assert (tmp_path / "o" / f"{case.info.id}.tar.age").exists()


def test_a_weak_passphrase_is_refused_with_a_reason_and_nothing_is_written(cli, sealed, tmp_path):
    weak = tmp_path / "weak.txt"
    for text, reason in [
        ("kittens", "too short"),
        ("Password12345", "common"),
        ("zzzzzzzzzzzzzzzz", "too few"),
    ]:
        weak.write_text(text, encoding="utf-8")
        result = cli("seal", "-C", sealed.root, "--passphrase-file", weak, "--out", tmp_path / "o")
        assert result.exit_code == 2, result.output
        assert reason in result.stderr and text not in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_without_a_terminal_or_a_passphrase_file_it_says_what_to_do(cli, sealed, tmp_path):
    result = cli("seal", "-C", sealed.root, "--encrypt", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "--passphrase-file" in result.stderr
    assert "Traceback" not in result.output


def test_the_passphrase_is_asked_twice_on_a_terminal_and_never_shown(sealed, tmp_path):
    from tests.conftest import BIN

    typed = run_on_terminal(
        [str(BIN / "evidencekit"), "seal", "-C", str(sealed.root), "--encrypt", "--out", str(tmp_path / "o")],
        ["kittens", PASSPHRASE, PASSPHRASE],
    )
    assert typed.returncode == 0, typed.stdout
    assert "too weak" in typed.stdout and "Type it again" in typed.stdout
    assert PASSPHRASE not in typed.stdout and "kittens" not in typed.stdout
    assert (tmp_path / "o" / f"{sealed.info.id}.key.age").exists()


def test_a_case_changed_after_sealing_is_not_encrypted(cli, sealed, age_key, tmp_path):
    stored = next((sealed.root / "data/items").iterdir())
    stored.write_text("edited afterwards", encoding="utf-8")
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "does not match its seal" in result.stderr
    assert list((tmp_path / "o").iterdir()) == []  # no archive, no temporary file


def test_recipients_files_in_ages_format_and_ssh_keys(cli, sealed, age_key, tmp_path):
    require_tool("ssh-keygen")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    listing = tmp_path / "police.txt"
    listing.write_text(
        f"# the unit's keys\n\n{age_key.recipient}\n{(tmp_path / 'id.pub').read_text().strip()}\n",
        encoding="utf-8",
    )
    result = cli("seal", "-C", sealed.root, "--recipients-file", listing, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    archive = tmp_path / "o" / f"{sealed.info.id}.tar.age"
    for key in (tmp_path / "id", age_key.identity_file):
        out = tmp_path / f"{key.name}.tar"
        subprocess.run(["age", "-d", "-i", str(key), "-o", str(out), str(archive)], check=True, timeout=60)
        assert tarfile.is_tarfile(out)


def test_a_key_that_is_not_a_key_is_refused_before_anything_happens(cli, sealed, tmp_path):
    result = cli("seal", "-C", sealed.root, "-r", "age1notakey", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "not a public key" in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_archive_cannot_go_inside_the_case(cli, sealed, age_key):
    result = cli("seal", "-C", sealed.root, "-r", age_key.recipient, "--out", sealed.root / "data")
    assert result.exit_code == 2
    assert "inside the case folder" in result.stderr


def ordinary_key_beginning_with_pq() -> tuple[str, str]:
    """(identity, recipient) of an ordinary age key whose own characters begin with "pq"."""
    from pyrage import x25519

    for _ in range(200_000):  # one key in 1,024 does
        identity = x25519.Identity.generate()
        recipient = str(identity.to_public())
        if recipient.startswith("age1pq"):
            return str(identity), recipient
    raise AssertionError("no such key found")


def test_an_ordinary_key_that_happens_to_read_age1pq_is_used(cli, sealed, tmp_path):
    """Post-quantum keys read `age1pq1…`; an ordinary key reading `age1pq…` was refused as one."""
    require_tool("age")
    identity, recipient = ordinary_key_beginning_with_pq()
    key = tmp_path / "officer-key.txt"
    key.write_text(identity + "\n")

    result = cli("seal", "-C", sealed.root, "-r", recipient, "--out", tmp_path / "o")

    assert result.exit_code == 0, result.output
    archive = tmp_path / "o" / f"{sealed.info.id}.tar.age"
    out = tmp_path / "opened.tar"
    subprocess.run(["age", "-d", "-i", str(key), "-o", str(out), str(archive)], check=True, timeout=60)
    assert tarfile.is_tarfile(out)


def test_post_quantum_and_hardware_age_keys_are_refused_with_a_reason(cli, sealed, tmp_path):
    for kind in ("age1pq1", "age1tag1"):
        result = cli(
            "seal",
            "-C",
            sealed.root,
            "-r",
            kind + "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
            "--out",
            tmp_path / "o",
        )
        assert result.exit_code == 2
        assert "post-quantum or hardware" in result.stderr
        assert not (tmp_path / "o").exists()
