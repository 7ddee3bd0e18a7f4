"""Sealing a case (and reopening it).

Sealing logs a `sealed` entry, regenerates the manifests and bag-info.txt, and signs the resulting
tag manifest, which covers everything else: bag-info.txt, the payload manifest (every evidence
file's SHA-256) and every record including the custody log. The signature is written twice, as a
raw Ed25519 signature for `openssl pkeyutl -rawin` and as an SSHSIG for `ssh-keygen -Y verify`, next
to the public key and a plain-text VERIFY.txt. All of it is committed in one step with the change.

The **seal fingerprint** is the SHA-256 of tagmanifest-sha256.txt: 64 hex digits the victim can
write down or e-mail to themselves, and that an officer can recompute with `sha256sum`.

Reopening moves the seal into `seal/history/N/` together with the tag manifest, payload manifest and
bag-info.txt it signed, so an earlier seal can still be checked later; both events stay in the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.case import Case, CaseChange
from evidencekit.case.custody import TOOL
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.keys import load_or_create_key
from evidencekit.case.seal_record import (
    SEAL_FILES,
    TIMESTAMP_FILE,
    allowed_signers_bytes,
    seal_info,
    seal_json_bytes,
    signer_pub_bytes,
)
from evidencekit.clock import iso_utc
from evidencekit.errors import EvidenceKitError

# Given the new tag manifest, returns extra seal/ files (e.g. RFC 3161 tokens) to commit with the seal.
SealExtras = Callable[[bytes], dict[str, bytes]]


@dataclass(frozen=True)
class SealResult:
    """What `seal` did."""

    case_id: str
    fingerprint: str
    key_fingerprint: str | None
    sealed_at: str | None
    already_sealed: bool
    recovered: str | None = None


def group_fingerprint(fingerprint: str) -> str:
    """`3f2a9c1b 77e0d4aa …`: 64 hex digits in eight groups, easier to copy by hand."""
    return " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


def seal_case(case: Case, extras: SealExtras | None = None) -> SealResult:
    """Seal the case; if it is already sealed, say so and change nothing.

    `extras` (e.g. a `handover.timestamp.Timestamper`) is called with the signed tag manifest and
    returns more seal/ files, committed together with the seal.
    """
    with case.change("seal", allow_sealed=True) as change:
        if case.is_sealed():
            info = read_seal_json(case)
            return SealResult(
                case.info.id,
                case.fingerprint() or "",
                info.get("signer_key_fingerprint"),
                info.get("sealed_at"),
                already_sealed=True,
                recovered=change.recovered,
            )
        key = load_or_create_key()
        from evidencekit.case.sshsig import key_fingerprint

        key_fp = key_fingerprint(key.public_key())
        sealed_at = change.now()
        items = change.existing_items
        change.log(
            "sealed",
            {
                "signer_key_fingerprint": key_fp,
                "items": len(items),
                "items_by_reference": sum(1 for i in items if i.get("by_reference")),
                "urls": len(change.existing_urls),
            },
            at=sealed_at,  # the same moment as seal.json's, which verify checks against this entry
        )
        change.seal_with = lambda tagmanifest: _seal_files(case, change, key, tagmanifest, sealed_at, extras)
    fingerprint = case.fingerprint() or ""
    return SealResult(case.info.id, fingerprint, key_fp, iso_utc(sealed_at), False, change.recovered)


def _seal_files(
    case: Case,
    change: CaseChange,
    key: Any,
    tagmanifest: bytes,
    sealed_at: datetime,
    extras: SealExtras | None = None,
) -> dict[str, bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from evidencekit.case import sshsig
    from evidencekit.case.verify_text import verify_txt

    public = key.public_key()
    fingerprint = hashlib.sha256(tagmanifest).hexdigest()
    key_fp = sshsig.key_fingerprint(public)
    pub_line = sshsig.openssh_public_line(public)
    info = seal_info(
        case_id=case.info.id,
        sealed_at=iso_utc(sealed_at),
        sealed_at_local=case.local_time(sealed_at),
        sealed_by=change.actor,
        fingerprint=fingerprint,
        signed_file=layout.TAGMANIFEST,
        key_fingerprint=key_fp,
        tool=TOOL,
    )
    added = extras(tagmanifest) if extras is not None else {}
    return {
        **added,
        layout.SIGNATURE: key.sign(tagmanifest),
        layout.SSH_SIGNATURE: sshsig.sign(key, tagmanifest).encode("ascii"),
        layout.SIGNER_PUB: signer_pub_bytes(pub_line),
        layout.SIGNER_PEM: public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        layout.ALLOWED_SIGNERS: allowed_signers_bytes(pub_line),
        layout.SEAL_JSON: seal_json_bytes(info),
        layout.VERIFY_TXT: verify_txt(case, info, added).encode("utf-8"),
    }


MAX_SEAL_JSON_BYTES = 1 << 20  # a real seal.json is well under a kilobyte


def read_seal_json(case: Case, folder: str = layout.SEAL_DIR) -> dict[str, Any]:
    """The seal's facts, or {} when there are none that can be used. Read through safepath like
    every file of a case: a link put in its place is not followed, and what is not a JSON object
    counts as no facts (verify says what is wrong with the seal)."""
    try:
        data = parse_json(safepath.read_text(case.root, f"{folder}/seal.json", limit=MAX_SEAL_JSON_BYTES))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ReopenResult:
    case_id: str
    superseded_fingerprint: str
    history_folder: str
    recovered: str | None = None


def reopen_case(case: Case, reason: str | None = None) -> ReopenResult:
    """Make a sealed case writable again. The old seal is kept in seal/history/N/ and logged."""
    with case.change("reopen", allow_sealed=True) as change:
        if not case.is_sealed():
            raise EvidenceKitError(
                "This case is not sealed, so there is nothing to reopen.",
                hint="You can add to it straight away, e.g.: evidencekit capture FILE",
            )
        history = case.root / layout.SEAL_HISTORY_DIR
        number = 1 + max((int(p.name) for p in history.glob("*") if p.name.isdigit()), default=0)
        folder = f"{layout.SEAL_HISTORY_DIR}/{number}"
        timestamps = sorted(
            f"{layout.SEAL_DIR}/{p.name}"
            for p in (case.root / layout.SEAL_DIR).iterdir()
            if p.is_file() and TIMESTAMP_FILE.match(p.name)
        )
        for relative in [*SEAL_FILES, *timestamps]:
            if (case.root / relative).exists():
                change.move_file(relative, f"{folder}/{relative.rsplit('/', 1)[-1]}")
        for relative in (layout.TAGMANIFEST, layout.MANIFEST, layout.BAG_INFO_TXT):
            change.put_file(f"{folder}/{relative}", (case.root / relative).read_bytes())
        fingerprint = case.fingerprint() or ""
        change.log(
            "reopened",
            {"reason": reason, "superseded_fingerprint": fingerprint, "kept_in": folder},
        )
    return ReopenResult(case.info.id, fingerprint, folder, change.recovered)
