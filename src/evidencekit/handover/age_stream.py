"""Reading an age file as a stream: X25519 and passphrase (scrypt) recipients.

Why not pyrage here? pyrage (our encryptor) can decrypt a *passphrase* file only as one bytes object,
so a 2 GB archive made with `age -p` would need several GB of memory; and its streaming decryptor
pushes data into a writer from inside Rust while holding the GIL, which needs a thread and a pipe to
feed a tar reader. The age format (C2SP age.md, "age-encryption.org/v1") is small and fully specified,
so this module decrypts it directly with `cryptography`'s primitives (X25519, scrypt, HKDF,
ChaCha20-Poly1305, HMAC), as a file-like object that `tarfile` can read from: memory stays flat, and
nothing is decrypted before the header's MAC has been checked.

What it enforces, as the spec requires:
- the header's HMAC (a flipped bit anywhere in the header is refused);
- a scrypt stanza is the only stanza, with a work factor no higher than age's own limit (22);
- the payload STREAM: 64 KiB chunks, each authenticated; the last chunk flagged as last; nothing after
  it; an empty last chunk only for an empty file. A truncated, extended or altered file raises
  `AgeDamagedError` at the chunk where it happens (callers must read to the end before trusting what
  they read: `AgeReader.read()` returning b"" means the whole file was authentic).

ASCII armor ("-----BEGIN AGE ENCRYPTED FILE-----") is accepted, strictly, as age itself reads it.
Tests check it against the stock `age` CLI and pyrage, including a flipped byte at every position.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import BinaryIO

from evidencekit.case import bech32

INTRO = b"age-encryption.org/v1\n"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
CHUNK = 64 * 1024
TAG = 16
MAX_SCRYPT_WORK_FACTOR = 22  # age's own limit; 2**22 needs 4 GiB of memory
_MAX_HEADER = 1 << 20
_ARG = re.compile(rb"^[\x21-\x7e]+$")


class AgeError(Exception):
    """Base class; the message never contains key material or a passphrase."""


class AgeFormatError(AgeError):
    """The file is not an age file (or its header cannot be read)."""


class AgeNoMatchError(AgeError):
    """None of the given keys (or the passphrase) opens this file."""


class AgeDamagedError(AgeError):
    """The file was changed, truncated or extended after it was encrypted."""


@dataclass(frozen=True)
class Stanza:
    type: str
    args: tuple[str, ...]
    body: bytes


@dataclass(frozen=True)
class Header:
    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes  # the header bytes up to and including "---"
    armored: bool

    @property
    def needs_passphrase(self) -> bool:
        return any(s.type == "scrypt" for s in self.stanzas)

    @property
    def recipient_types(self) -> list[str]:
        """The recipient types, without the random "grease" stanzas rage adds (age spec §grease)."""
        return sorted({s.type for s in self.stanzas if not s.type.endswith("-grease")})


# ---- small helpers ----------------------------------------------------------------------------


def _b64decode_strict(text: bytes, what: str) -> bytes:
    """Canonical base64 without padding, as the age spec requires."""
    if b"=" in text or not re.fullmatch(rb"[A-Za-z0-9+/]*", text):
        raise AgeFormatError(f"the {what} is not valid base64")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise AgeFormatError(f"the {what} is not valid base64") from exc
    if base64.b64encode(data).rstrip(b"=") != text:
        raise AgeFormatError(f"the {what} is not canonical base64")
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def _aead_open(key: bytes, nonce: bytes, data: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    try:
        return ChaCha20Poly1305(key).decrypt(nonce, data, None)
    except InvalidTag:
        return None


def x25519_secret(identity: str) -> bytes:
    """The 32-byte X25519 secret of an `AGE-SECRET-KEY-1…` string."""
    hrp, data = bech32.decode(identity.strip())
    if hrp != "age-secret-key-" or len(data) != 32:
        raise ValueError("not an age X25519 identity")
    return data


# ---- header -----------------------------------------------------------------------------------


class _ArmorReader(io.RawIOBase):
    """Strict ASCII armor: base64 lines of 64 columns between BEGIN and END markers."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_line(self) -> bytes:
        line = self._source.readline(80)
        if not line.endswith(b"\n"):
            raise AgeDamagedError("the armored file is cut short or has an over-long line")
        return line[:-1].rstrip(b"\r")

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer and not self._done:
            line = self._next_line()
            if line == ARMOR_END:
                self._done = True
                if self._source.read(4096).strip():  # only whitespace may follow
                    raise AgeDamagedError("there is data after the end of the armored file")
                break
            if len(line) > 64:
                raise AgeDamagedError("the armored file has an over-long line")
            try:
                self._buffer = base64.b64decode(line, validate=True)
            except binascii.Error as exc:
                raise AgeDamagedError("the armored file holds invalid base64") from exc
            if len(line) < 64:
                if self._next_line() != ARMOR_END:
                    raise AgeDamagedError("the armored file has a short line before its end")
                self._done = True
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


def open_source(source: BinaryIO) -> tuple[BinaryIO, bool]:
    """Undo ASCII armor if present. Returns (binary stream positioned at the header, armored?)."""
    peek = getattr(source, "peek_exact", None)
    if peek is not None and peek(len(ARMOR_BEGIN)) != ARMOR_BEGIN:
        return source, False  # binary, and the source already buffers: no extra layer
    start = source.read(len(ARMOR_BEGIN))
    if start == ARMOR_BEGIN:
        if source.readline(8).strip():
            raise AgeFormatError("the armor's first line is not the BEGIN marker alone")
        return io.BufferedReader(_ArmorReader(source), buffer_size=CHUNK), True
    return io.BufferedReader(_Prefixed(start, source), buffer_size=CHUNK), False


class _Prefixed(io.RawIOBase):
    """A stream with a few already-read bytes put back in front."""

    def __init__(self, prefix: bytes, source: BinaryIO) -> None:
        self._prefix = prefix
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            count = min(len(target), len(self._prefix))
            target[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._source.read(len(target))
        target[: len(data)] = data
        return len(data)


def _read_full(stream: BinaryIO, size: int) -> bytes:
    """Exactly `size` bytes, or fewer only at the end of the stream."""
    data = stream.read(size)
    while 0 < len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            break
        data += more
    return data


def read_header(stream: BinaryIO, armored: bool = False) -> Header:
    """Parse the header (through the MAC line) from `stream`; leaves it at the payload nonce."""
    consumed = 0

    def line() -> bytes:
        nonlocal consumed
        raw = stream.readline(_MAX_HEADER)
        consumed += len(raw)
        if not raw.endswith(b"\n") or consumed > _MAX_HEADER:
            raise AgeFormatError("the header is incomplete")
        return raw

    first = line()
    if first != INTRO:
        raise AgeFormatError("it does not start with the age format's first line")
    mac_input = bytearray(first)
    stanzas = []
    raw = line()
    while raw.startswith(b"-> "):
        mac_input += raw
        args = raw[3:-1].split(b" ")
        if not args or not all(_ARG.match(a) for a in args):
            raise AgeFormatError("a recipient line in the header is malformed")
        body = bytearray()
        while True:
            body_line = line()
            mac_input += body_line
            text = body_line[:-1]
            if len(text) > 64:
                raise AgeFormatError("a recipient body line is too long")
            body += _b64decode_strict(text, "recipient body")
            if len(text) < 64:
                break
        stanzas.append(
            Stanza(args[0].decode("ascii"), tuple(a.decode("ascii") for a in args[1:]), bytes(body))
        )
        raw = line()
    if not raw.startswith(b"--- ") or not stanzas:
        raise AgeFormatError("the header does not end as the age format requires")
    mac_input += b"---"
    mac = _b64decode_strict(raw[4:-1], "header MAC")
    if len(mac) != 32:
        raise AgeFormatError("the header MAC has the wrong length")
    return Header(tuple(stanzas), mac, bytes(mac_input), armored)


# ---- unwrapping the file key --------------------------------------------------------------------


def _unwrap_x25519(stanza: Stanza, secret: bytes) -> bytes | None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if len(stanza.args) != 1:
        raise AgeFormatError("an X25519 recipient line is malformed")
    share = _b64decode_strict(stanza.args[0].encode("ascii"), "X25519 share")
    if len(share) != 32 or len(stanza.body) != 32:
        raise AgeFormatError("an X25519 recipient has the wrong length")
    private = X25519PrivateKey.from_private_bytes(secret)
    ours = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(share))
    except ValueError:  # an all-zero shared secret (a low-order point): never a real recipient
        return None
    key = _hkdf(shared, share + ours, b"age-encryption.org/v1/X25519")
    return _aead_open(key, bytes(12), stanza.body)


def _unwrap_scrypt(stanza: Stanza, passphrase: str) -> bytes | None:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if len(stanza.args) != 2 or not re.fullmatch(r"[1-9][0-9]?", stanza.args[1]):
        raise AgeFormatError("the passphrase recipient line is malformed")
    salt = _b64decode_strict(stanza.args[0].encode("ascii"), "scrypt salt")
    work = int(stanza.args[1])
    if len(salt) != 16 or len(stanza.body) != 32:
        raise AgeFormatError("the passphrase recipient has the wrong length")
    if work > MAX_SCRYPT_WORK_FACTOR:
        raise AgeFormatError(f"its passphrase work factor ({work}) is higher than age allows")
    kdf = Scrypt(salt=b"age-encryption.org/v1/scrypt" + salt, length=32, n=1 << work, r=8, p=1)
    key = kdf.derive(passphrase.encode("utf-8"))
    return _aead_open(key, bytes(12), stanza.body)


def unwrap_file_key(header: Header, identities: Iterable[str] = (), passphrase: str | None = None) -> bytes:
    """The file key, from the first stanza one of `identities` (or `passphrase`) opens, MAC-checked."""
    scrypt = [s for s in header.stanzas if s.type == "scrypt"]
    if scrypt and len(header.stanzas) != 1:
        raise AgeFormatError("a passphrase recipient must be the only recipient")
    file_key = None
    if scrypt:
        if passphrase is None:
            raise AgeNoMatchError("this file is encrypted with a passphrase")
        file_key = _unwrap_scrypt(scrypt[0], passphrase)
        if file_key is None:
            raise AgeNoMatchError("the passphrase does not open this file")
    else:
        secrets = [x25519_secret(identity) for identity in identities]
        for stanza in header.stanzas:
            if stanza.type != "X25519":
                continue
            for secret in secrets:
                file_key = _unwrap_x25519(stanza, secret)
                if file_key is not None:
                    break
            if file_key is not None:
                break
    if file_key is None:
        raise AgeNoMatchError("none of the keys given opens this file")
    if len(file_key) != 16:
        raise AgeFormatError("the file key has the wrong length")
    expected = hmac.new(_hkdf(file_key, b"", b"header"), header.mac_input, sha256).digest()
    if not hmac.compare_digest(expected, header.mac):
        raise AgeDamagedError(
            "its header was changed after it was encrypted (the header's MAC does not match)"
        )
    return file_key


# ---- the payload ------------------------------------------------------------------------------------


class AgeReader(io.RawIOBase):
    """Plaintext of an age file, read as a stream. Wrap in io.BufferedReader for small reads."""

    def __init__(self, stream: BinaryIO, file_key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self._stream = stream
        nonce = _read_full(stream, 16)
        if len(nonce) != 16:
            raise AgeDamagedError("it ends right after its header")
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._counter = 0
        self._plain = memoryview(b"")
        self._next = _read_full(stream, CHUNK + TAG)
        self._finished = False

    def readable(self) -> bool:
        return True

    def _decrypt_next(self) -> None:
        from cryptography.exceptions import InvalidTag

        chunk = self._next
        if len(chunk) < TAG or (self._counter > 0 and len(chunk) == TAG):
            raise AgeDamagedError("it is cut short: its last part is missing")
        self._next = _read_full(self._stream, CHUNK + TAG) if len(chunk) == CHUNK + TAG else b""
        last = not self._next
        nonce = self._counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        try:
            self._plain = memoryview(self._aead.decrypt(nonce, chunk, None))
        except InvalidTag:
            where = "its last part" if last else f"the part that starts at byte {self._counter * CHUNK}"
            raise AgeDamagedError(
                f"{where} does not authenticate: it was changed, or the file was cut short there"
            ) from None
        self._counter += 1
        self._finished = last

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._plain:
            if self._finished:
                return 0
            self._decrypt_next()
        count = min(len(target), len(self._plain))
        target[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count


def open_age(
    source: BinaryIO, identities: Iterable[str] = (), passphrase: str | None = None
) -> tuple[Header, io.BufferedReader]:
    """Open an age file for reading: (its header, a buffered plaintext reader)."""
    stream, armored = open_source(source)
    header = read_header(stream, armored)
    file_key = unwrap_file_key(header, identities, passphrase)
    return header, io.BufferedReader(AgeReader(stream, file_key), buffer_size=CHUNK)


def peek_header(source: BinaryIO) -> Header:
    """The header alone (to learn whether a passphrase or a key is needed)."""
    stream, armored = open_source(source)
    return read_header(stream, armored)


# ---- writing (X25519 and SSH recipients) ----------------------------------------------------


def x25519_recipient(recipient: str) -> bytes:
    """The 32-byte X25519 public key of an `age1…` recipient string."""
    hrp, data = bech32.decode(recipient.strip())
    if hrp != "age" or len(data) != 32:
        raise ValueError("not an age X25519 recipient")
    return data


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _stanza(kind: bytes, args: list[bytes], body: bytes) -> bytes:
    """One recipient stanza: `-> kind args…`, then the body in base64 lines of 64 columns, the
    last one shorter (empty when the body fills its lines exactly), as age writes and requires."""
    text = _b64(body)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")
    return b" ".join([b"->", kind, *args]) + b"\n" + b"".join(line + b"\n" for line in lines)


def _x25519_stanza(file_key: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    key = _hkdf(shared, share + recipient, b"age-encryption.org/v1/X25519")
    return _stanza(b"X25519", [_b64(share)], ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None))


# SSH public keys as recipients, as age's own agessh package wraps a file key for them (the stock
# `age -d -i ~/.ssh/id_ed25519` opens the result). The tag is the first 4 bytes of the SHA-256 of
# the key's SSH wire encoding: it tells age which of its keys to try.
_SSH_ED25519 = b"age-encryption.org/v1/ssh-ed25519"
_SSH_RSA = b"age-encryption.org/v1/ssh-rsa"
_P25519 = 2**255 - 19


def _ssh_stanza(file_key: bytes, line: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_ssh_public_key

    kind, blob_text = line.split()[:2]
    blob = base64.b64decode(blob_text, validate=True)
    public = load_ssh_public_key(f"{kind} {blob_text}".encode("ascii"))
    tag = _b64(sha256(blob).digest()[:4])
    if isinstance(public, RSAPublicKey):
        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=_SSH_RSA)
        return _stanza(b"ssh-rsa", [tag], public.encrypt(file_key, oaep))
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError("not an ssh-ed25519 or ssh-rsa key")
    return _ssh_ed25519_stanza(file_key, public.public_bytes(Encoding.Raw, PublicFormat.Raw), blob, tag)


def _ssh_ed25519_stanza(file_key: bytes, ed25519: bytes, blob: bytes, tag: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    # The Ed25519 point as the X25519 (Montgomery) u-coordinate: u = (1 + y) / (1 - y) mod p.
    y = int.from_bytes(ed25519, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, _P25519 - 2, _P25519) % _P25519
    theirs = u.to_bytes(32, "little")
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(theirs))
    tweak = _hkdf(b"", blob, _SSH_ED25519)
    shared = X25519PrivateKey.from_private_bytes(tweak).exchange(X25519PublicKey.from_public_bytes(shared))
    key = _hkdf(shared, share + theirs, _SSH_ED25519)
    return _stanza(
        b"ssh-ed25519", [tag, _b64(share)], ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None)
    )


def _recipient_stanza(file_key: bytes, recipient: str) -> bytes:
    text = recipient.strip()
    if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
        return _ssh_stanza(file_key, text)
    return _x25519_stanza(file_key, x25519_recipient(text))


class AgeWriter:
    """Encrypts a stream to age recipients (`age1…`, `ssh-ed25519 …`, `ssh-rsa …`), 64 KiB at a time.

    The mirror of `AgeReader`, and the hand-over's only writer: it runs at the speed of OpenSSL's
    ChaCha20-Poly1305 with no thread, pipe or per-8-KiB Python callback in between, which pyrage's
    `encrypt_io` needs (bench/handover.py --writers measures both; see
    docs/explanation/dependencies.md). The output is plain age v1: the stock `age` CLI decrypts it
    (tests check this). `write_out(bytes)` receives the encrypted file, header first.
    """

    def __init__(self, recipients: Iterable[str], write_out: Callable[[bytes], object]) -> None:
        import os

        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        keys = list(recipients)
        if not keys:
            raise ValueError("at least one recipient is needed")
        self._out = write_out
        file_key = os.urandom(16)
        header = INTRO + b"".join(_recipient_stanza(file_key, key) for key in keys) + b"---"
        mac = hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()
        nonce = os.urandom(16)
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._out(header + b" " + _b64(mac) + b"\n" + nonce)
        self._counter = 0
        self._pending = bytearray()
        self._closed = False

    def _seal(self, chunk: bytes | bytearray | memoryview, last: bool) -> None:
        nonce = self._counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        self._out(self._aead.encrypt(nonce, bytes(chunk), None))
        self._counter += 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._closed:
            raise ValueError("write to a closed AgeWriter")
        view = memoryview(data)
        while view:
            if len(self._pending) == CHUNK:  # more data follows, so this chunk is not the last
                self._seal(self._pending, last=False)
                self._pending = bytearray()
            take = min(CHUNK - len(self._pending), len(view))
            self._pending += view[:take]
            view = view[take:]
        return len(data)

    def close(self) -> None:
        """Encrypt the last chunk (possibly empty, for an empty stream); nothing may follow."""
        if not self._closed:
            self._seal(self._pending, last=True)
            self._pending = bytearray()
            self._closed = True
