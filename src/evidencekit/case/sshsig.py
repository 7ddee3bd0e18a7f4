"""OpenSSH signatures (SSHSIG) made with our Ed25519 key, so `ssh-keygen -Y verify` checks a seal.

`ssh-keygen` ships with Linux, macOS and Windows 10+, which makes it the most widely available way
for an officer to check a signature. The format is OpenSSH's PROTOCOL.sshsig: the message is hashed
with SHA-512, wrapped with a namespace ("evidencekit") and signed; the result is armored like PEM.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import textwrap

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

NAMESPACE = "evidencekit"
PRINCIPAL = "evidencekit-seal"
_MAGIC = b"SSHSIG"
_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise ValueError("truncated")
    (length,) = struct.unpack(">I", blob[offset : offset + 4])
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("truncated")
    return blob[offset + 4 : end], end


def public_blob(public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _string(b"ssh-ed25519") + _string(raw)


def _signed_data(message: bytes, namespace: str) -> bytes:
    return (
        _MAGIC
        + _string(namespace.encode())
        + _string(b"")
        + _string(b"sha512")
        + _string(hashlib.sha512(message).digest())
    )


def sign(private_key: Ed25519PrivateKey, message: bytes, namespace: str = NAMESPACE) -> str:
    """An armored SSHSIG over `message`."""
    signature = private_key.sign(_signed_data(message, namespace))
    blob = (
        _MAGIC
        + struct.pack(">I", 1)
        + _string(public_blob(private_key.public_key()))
        + _string(namespace.encode())
        + _string(b"")
        + _string(b"sha512")
        + _string(_string(b"ssh-ed25519") + _string(signature))
    )
    return _armor(blob)


def _armor(blob: bytes) -> str:
    body = "\n".join(textwrap.wrap(base64.b64encode(blob).decode("ascii"), 70))
    return f"{_BEGIN}\n{body}\n{_END}\n"


def _unarmor(armored: str) -> bytes | None:
    """The signature blob inside the armor, or None if it is not armored base64."""
    inner = armored.strip()
    if not (inner.startswith(_BEGIN) and inner.endswith(_END)):
        return None
    try:
        return base64.b64decode("".join(inner[len(_BEGIN) : -len(_END)].split()), validate=True)
    except ValueError:
        return None


def rearmored(armored: str) -> str | None:
    """The signature in `armored`, armored exactly as `sign` writes it (None if it cannot be read).

    A valid signature whose text differs from this was edited after it was written (lines
    re-wrapped, a newline lost): harmless to `ssh-keygen`, but a change all the same.
    """
    blob = _unarmor(armored)
    return None if blob is None else _armor(blob)


def verify(armored: str, message: bytes, public_key: Ed25519PublicKey, namespace: str = NAMESPACE) -> bool:
    """True when `armored` is a valid SSHSIG by `public_key` over `message` in `namespace`."""
    from cryptography.exceptions import InvalidSignature

    blob = _unarmor(armored)
    if blob is None:
        return False
    try:
        if not blob.startswith(_MAGIC) or blob[6:10] != struct.pack(">I", 1):
            return False
        offset = 10
        key_blob, offset = _read_string(blob, offset)
        ns, offset = _read_string(blob, offset)
        _reserved, offset = _read_string(blob, offset)
        hash_alg, offset = _read_string(blob, offset)
        sig_blob, offset = _read_string(blob, offset)
        if key_blob != public_blob(public_key) or ns != namespace.encode() or hash_alg != b"sha512":
            return False
        sig_type, inner_offset = _read_string(sig_blob, 0)
        signature, _ = _read_string(sig_blob, inner_offset)
        if sig_type != b"ssh-ed25519":
            return False
        public_key.verify(signature, _signed_data(message, namespace))
    except (ValueError, InvalidSignature):
        return False
    return True


def openssh_public_line(public_key: Ed25519PublicKey, comment: str = "evidencekit seal key") -> str:
    """`ssh-ed25519 AAAA… comment`, the line for signer.pub and allowed_signers."""
    line = public_key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode("ascii")
    return f"{line} {comment}"


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """`SHA256:…` exactly as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(public_blob(public_key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")
