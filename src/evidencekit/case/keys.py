"""The signing key: one Ed25519 key per user, made on first use, kept in the user's data folder.

The private key never goes into a case; the case carries only the public key (as PEM for openssl,
as an OpenSSH line for ssh-keygen). The key is private to the user (0600). EVIDENCEKIT_HOME moves
the data folder (for tests, or for a helpline worker keeping one key per device on a USB stick).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from evidencekit.case.atomic import make_private_dir, temp_path_beside, write_bytes_durably
from evidencekit.errors import SigningKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "seal-key.pem"


def data_dir() -> Path:
    """Where evidencekit keeps per-user things (the signing key)."""
    override = os.environ.get("EVIDENCEKIT_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("evidencekit", appauthor=False))


def key_path() -> Path:
    return data_dir() / KEY_FILE


def load_or_create_key() -> Ed25519PrivateKey:  # the import is kept lazy for start-up time
    """The user's signing key, created (atomically, once) if there is none yet."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )

    path = key_path()
    if not path.exists():
        try:
            make_private_dir(path.parent)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            temp = temp_path_beside(path)
            write_bytes_durably(temp, pem)
            try:
                os.link(temp, path)  # fails if another process made the key meanwhile: use theirs
            except FileExistsError:
                pass
            except OSError:  # file systems without hard links
                if not path.exists():
                    os.replace(temp, path)
            finally:
                with contextlib.suppress(OSError):
                    temp.unlink()
        except OSError as exc:
            raise SigningKeyError(
                f"evidencekit could not create its signing key in {path.parent} ({exc.strerror}).",
                hint="Check that your home folder is writable, or set EVIDENCEKIT_HOME to a writable folder.",
            ) from exc
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"evidencekit's signing key at {path} cannot be read.",
            hint="If you moved or edited it, put the original back. To start a new key, move that "
            "file away (cases sealed with the old key still verify).",
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(
            f"The signing key at {path} is not an Ed25519 key.", hint="Move that file away."
        )
    return loaded
