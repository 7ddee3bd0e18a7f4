"""The seal's own small files, written by `seal` and re-derived by `verify`.

The signature covers the tag manifest; the files beside it in seal/ (seal.json, signer.pub,
allowed_signers, VERIFY.txt) cannot be covered by it, since they name the signature's result.
Instead each is fully determined by what *is* signed (the custody log's "sealed" entry, case.json,
items.jsonl) and by the public key, so `verify` rebuilds them here and compares byte for byte: a
changed instruction, time or key line in seal/ is found like a changed evidence file.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evidencekit.case import layout

SEAL_FORMAT = "evidencekit-seal/1"
# The files a seal writes in seal/ (moved to seal/history/N/ when the case is reopened)…
SEAL_FILES = (
    layout.SIGNATURE,
    layout.SSH_SIGNATURE,
    layout.SIGNER_PUB,
    layout.SIGNER_PEM,
    layout.ALLOWED_SIGNERS,
    layout.VERIFY_TXT,
    layout.SEAL_JSON,
)
SEAL_FILE_NAMES = frozenset(path.rsplit("/", 1)[1] for path in SEAL_FILES)
# …and RFC 3161 timestamps on the seal (handover/timestamp.py), which may be added to a sealed case.
TIMESTAMP_FILE = re.compile(
    r"^(tagmanifest-sha256\.txt(\.\d+)?\.tsr|tsa-chain(\.\d+)?\.pem|timestamps\.json)$"
)


def seal_info(
    *,
    case_id: str,
    sealed_at: str,
    sealed_at_local: str,
    sealed_by: str,
    fingerprint: str,
    signed_file: str,
    key_fingerprint: str,
    tool: str,
) -> dict[str, Any]:
    """The content of seal/seal.json, keys in the order they are written."""
    return {
        "format": SEAL_FORMAT,
        "case_id": case_id,
        "sealed_at": sealed_at,
        "sealed_at_local": sealed_at_local,
        "sealed_by": sealed_by,
        "fingerprint": fingerprint,
        "signed_file": signed_file,
        "signer_key_fingerprint": key_fingerprint,
        "signature_algorithm": "Ed25519",
        "tool": tool,
    }


def seal_json_bytes(info: dict[str, Any]) -> bytes:
    return (json.dumps(info, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def signer_pub_bytes(public_line: str) -> bytes:
    """seal/signer.pub: the key as one OpenSSH line (for `ssh-keygen -l -f`)."""
    return (public_line + "\n").encode("ascii")


def allowed_signers_bytes(public_line: str) -> bytes:
    """seal/allowed_signers: the line `ssh-keygen -Y verify -I evidencekit-seal -n evidencekit` needs."""
    from evidencekit.case.sshsig import NAMESPACE, PRINCIPAL  # sshsig loads cryptography: not at start-up

    return f'{PRINCIPAL} namespaces="{NAMESPACE}" {public_line}\n'.encode("ascii")
