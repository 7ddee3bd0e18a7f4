"""Our streaming age reader against the stock `age` CLI and pyrage: same plaintext, same refusals."""

from __future__ import annotations

import io
import os
import subprocess

import pytest

from evidencekit.case import bech32
from evidencekit.handover.age_stream import (
    CHUNK,
    AgeDamagedError,
    AgeError,
    AgeFormatError,
    AgeNoMatchError,
    open_age,
    x25519_secret,
)
from tests.conftest import require_tool
from tests.handover.conftest import run_on_terminal


def secret_of(age_key) -> str:
    return next(
        line for line in age_key.identity_file.read_text().splitlines() if line.startswith("AGE-SECRET")
    )


def age_encrypt(tmp_path, data: bytes, *args: str) -> bytes:
    require_tool("age")
    plain = tmp_path / "plain.bin"
    plain.write_bytes(data)
    out = tmp_path / "out.age"
    out.unlink(missing_ok=True)
    subprocess.run(["age", *args, "-o", str(out), str(plain)], check=True, capture_output=True, timeout=60)
    return out.read_bytes()


def decrypt(blob: bytes, identities=(), passphrase=None) -> bytes:
    _header, reader = open_age(io.BytesIO(blob), identities, passphrase)
    return reader.read()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_reads_what_the_age_cli_wrote_to_a_key(tmp_path, age_key, size):
    data = os.urandom(size)
    blob = age_encrypt(tmp_path, data, "-r", age_key.recipient)
    assert decrypt(blob, [secret_of(age_key)]) == data


def test_reads_armored_files(tmp_path, age_key):
    data = os.urandom(2 * CHUNK + 5)
    blob = age_encrypt(tmp_path, data, "-a", "-r", age_key.recipient)
    assert blob.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert decrypt(blob, [secret_of(age_key)]) == data


def test_reads_what_the_age_cli_wrote_to_a_passphrase(tmp_path):
    require_tool("age")
    plain = tmp_path / "plain.bin"
    data = os.urandom(CHUNK + 100)
    plain.write_bytes(data)
    made = run_on_terminal(["age", "-p", "-o", str(tmp_path / "p.age"), str(plain)], ["some pass phrase"] * 2)
    assert made.returncode == 0, made.stdout
    blob = (tmp_path / "p.age").read_bytes()
    assert decrypt(blob, passphrase="some pass phrase") == data
    with pytest.raises(AgeNoMatchError, match="passphrase"):
        decrypt(blob, passphrase="some pass phrasE")


def test_a_key_that_is_not_a_recipient_is_refused(tmp_path, age_key):
    from pyrage import x25519

    blob = age_encrypt(tmp_path, b"secret", "-r", age_key.recipient)
    with pytest.raises(AgeNoMatchError):
        decrypt(blob, [str(x25519.Identity.generate())])


def test_what_pyrage_encrypts_reads_back_with_several_recipients(age_key):
    import pyrage
    from pyrage import x25519

    other = x25519.Identity.generate()
    data = os.urandom(5 * CHUNK)
    blob = pyrage.encrypt(data, [other.to_public(), x25519.Recipient.from_str(age_key.recipient)])
    assert decrypt(blob, [secret_of(age_key)]) == data
    assert decrypt(blob, [str(other)]) == data


def test_every_flipped_byte_is_refused_like_pyrage_refuses_it(tmp_path, age_key):
    """Flip one bit at every position of a small file: ours and rage must both refuse, every time."""
    import pyrage
    from pyrage import x25519

    blob = age_encrypt(tmp_path, os.urandom(300), "-r", age_key.recipient)
    identity = x25519.Identity.from_str(secret_of(age_key))
    for position in range(len(blob)):
        changed = bytearray(blob)
        changed[position] ^= 0x01
        with pytest.raises(AgeError):
            decrypt(bytes(changed), [secret_of(age_key)])
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(bytes(changed), [identity])


def test_truncation_and_extension_are_refused(tmp_path, age_key):
    blob = age_encrypt(tmp_path, os.urandom(3 * CHUNK), "-r", age_key.recipient)
    secret = secret_of(age_key)
    header_end = blob.index(b"\n---") + 1
    header_end = blob.index(b"\n", header_end) + 1
    payload_start = header_end + 16
    for cut in (
        payload_start + CHUNK + 16,
        payload_start + 2 * (CHUNK + 16),
        len(blob) - 1,
        payload_start,
        40,
    ):
        with pytest.raises(AgeError):
            decrypt(blob[:cut], [secret])
    with pytest.raises(AgeDamagedError):
        decrypt(blob + b"\x00", [secret])


def test_a_file_that_is_not_age_is_a_format_error():
    with pytest.raises(AgeFormatError):
        decrypt(b"PK\x03\x04 this is a zip file", ["AGE-SECRET-KEY-1QQQ"])


def test_bech32_secret_keys_are_checked(age_key):
    secret = secret_of(age_key)
    assert len(x25519_secret(secret)) == 32
    assert bech32.decode(secret)[0] == "age-secret-key-"
    broken = secret[:-1] + ("Q" if secret[-1] != "Q" else "P")
    with pytest.raises(ValueError):
        x25519_secret(broken)


@pytest.mark.parametrize("size", [0, CHUNK, 2 * CHUNK, 2 * CHUNK + 3])
def test_what_our_writer_encrypts_the_age_cli_decrypts_with_either_key(tmp_path, age_key, size):
    """Our writer (used for the hand-over) against the stock CLI, at chunk boundaries, two recipients."""
    from pyrage import x25519

    from evidencekit.handover.age_stream import AgeWriter

    require_tool("age")
    other = x25519.Identity.generate()
    (tmp_path / "other.txt").write_text(str(other) + "\n")
    data = os.urandom(size)
    out = io.BytesIO()
    writer = AgeWriter([age_key.recipient, str(other.to_public())], out.write)
    for start in range(0, size, 10_000):
        writer.write(data[start : start + 10_000])
    writer.close()
    (tmp_path / "ours.age").write_bytes(out.getvalue())
    for key in (age_key.identity_file, tmp_path / "other.txt"):
        plain = subprocess.run(
            ["age", "-d", "-i", str(key), str(tmp_path / "ours.age")],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        assert plain == data


@pytest.mark.parametrize(
    ("kind", "bits"),
    [
        ("ed25519", None),
        ("rsa", 2048),
        ("rsa", 3072),  # its wrapped key fills whole 64-column lines: an empty last line must follow
    ],
)
def test_what_our_writer_encrypts_to_an_ssh_key_the_age_cli_decrypts_with_it(tmp_path, age_key, kind, bits):
    """SSH public keys as recipients, beside an age key, as age's agessh wraps them: stock age opens
    the archive with the SSH private key alone."""
    from evidencekit.handover.age_stream import AgeWriter

    require_tool("age")
    require_tool("ssh-keygen")
    key = tmp_path / "id"
    size = ["-b", str(bits)] if bits else []
    subprocess.run(["ssh-keygen", "-q", "-t", kind, *size, "-N", "", "-f", str(key)], check=True, timeout=60)
    data = os.urandom(CHUNK + 7)
    out = io.BytesIO()
    writer = AgeWriter([age_key.recipient, (tmp_path / "id.pub").read_text()], out.write)
    writer.write(data)
    writer.close()
    (tmp_path / "ours.age").write_bytes(out.getvalue())
    for identity in (key, age_key.identity_file):
        plain = subprocess.run(
            ["age", "-d", "-i", str(identity), str(tmp_path / "ours.age")],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        assert plain == data
