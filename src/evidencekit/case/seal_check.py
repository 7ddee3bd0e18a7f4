"""Checking a seal: its signature over the tag manifest, and its own files rebuilt from what is signed.

The signature checks are here, in the case layer, because sealing with --encrypt checks the seal
before it encrypts (handover/archive.py), as well as verify.

The signature covers the tag manifest, and through it every record; it cannot cover the files that
sit beside it in seal/. Each of those is fully determined by signed facts (the custody log's last
"sealed" entry, case.json, items.jsonl, the tag manifest) and by the key, so they are rebuilt here
and compared byte for byte (see seal_record.py). Without this, someone could change the sealing
time in seal.json or the expected fingerprint in the officer's instructions and `verify` would
still say "nothing has changed".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from evidencekit.case import layout
from evidencekit.case.bagview import BagView
from evidencekit.case.findings import ERROR, INFO, WARNING, Problem
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.seal_record import (
    SEAL_FILE_NAMES,
    TIMESTAMP_FILE,
    allowed_signers_bytes,
    seal_info,
    seal_json_bytes,
    signer_pub_bytes,
)
from evidencekit.clock import parse_iso

# Files a desktop writes into any folder it shows (macOS Finder, Windows Explorer): not additions.
DESKTOP_LEFTOVERS = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def last_sealed_entry(custody: list[dict[str, Any]]) -> dict[str, Any] | None:
    sealed = None
    for entry in custody:
        if entry.get("action") == "sealed":
            sealed = entry
        elif entry.get("action") == "reopened":
            sealed = None
    return sealed


def check_seal_files(
    bag: BagView,
    sealed: dict[str, Any] | None,
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
    tagmanifest: bytes,
    tool: str,
    *,
    folder: str = layout.SEAL_DIR,
    manifest: bytes | None = None,
) -> tuple[list[Problem], dict[str, Any] | None]:
    """Findings about seal.json, VERIFY.txt and unexpected files in seal/; and seal.json's content.

    `sealed` is the custody log's "sealed" entry of this seal, `case_json` and `items` the records
    as verify read them (None where they could not be read: their own findings say why). For an
    earlier seal, `folder` is its seal/history/N, `items` the items it covered and `manifest` the
    payload manifest it signed (read from the case when None)."""
    problems: list[Problem] = []
    if folder == layout.SEAL_DIR:
        problems += _unexpected_files(bag)
    seal_json = f"{folder}/seal.json"
    try:
        written = bag.read_bytes(seal_json)
    except OSError:
        problems.append(
            (
                ERROR,  # every seal writes it: gone (or not a file) means changed after sealing
                "seal-info-missing",
                seal_json,
                f"{seal_json}, which the seal wrote, is missing or is not a file: it was removed "
                "after sealing (the signature itself was checked).",
            )
        )
        return problems, None
    try:
        info = parse_json(written.decode("utf-8"))
        if not isinstance(info, dict):
            raise ValueError("not a JSON object")
    except ValueError:  # UnicodeDecodeError is a ValueError
        problems.append(
            (
                ERROR,
                "seal-info-changed",
                seal_json,
                f"{seal_json} is damaged: it can no longer be read.",
            )
        )
        return problems, None
    fingerprint = hashlib.sha256(tagmanifest).hexdigest()
    if info.get("fingerprint") != fingerprint:
        problems.append(
            (
                ERROR,
                "seal-fingerprint-mismatch",
                seal_json,
                "seal.json records a different fingerprint from the tag manifest's.",
            )
        )
        return problems, info
    if sealed is None or case_json is None:
        return problems, info  # the custody or case.json findings already say why
    expected = _expected_info(sealed, case_json, info, fingerprint)
    if seal_json_bytes(expected) != written:
        changed = [key for key in expected if expected[key] != info.get(key)] + [
            key for key in info if key not in expected
        ]
        what = ", ".join(changed) if changed else "its layout"
        problems.append(
            (
                ERROR,
                "seal-info-changed",
                seal_json,
                f"{seal_json} is not what the seal wrote ({what} changed; "
                "the signed custody log and case.json say otherwise).",
            )
        )
        return problems, info
    problems += _check_instructions(bag, expected, case_json, items, sealed, tool, folder, manifest)
    return problems, info


def _expected_info(
    sealed: dict[str, Any], case_json: dict[str, Any], info: dict[str, Any], fingerprint: str
) -> dict[str, Any]:
    """seal.json as the seal wrote it, from signed facts. The local time is the one written, if it
    names the same moment (the zone it is shown in depended on the sealing computer)."""
    raw_details = sealed.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    sealed_at = str(sealed.get("at"))
    written_at = info.get("sealed_at")
    if isinstance(written_at, str) and _just_before(written_at, sealed_at):
        # Seals made before 2026-11-28 took seal.json's time a moment before the custody entry's.
        sealed_at = written_at
    local = info.get("sealed_at_local")
    if not (isinstance(local, str) and _same_moment(local, sealed_at)):
        local = f"(the moment of {sealed_at})"
    return seal_info(
        case_id=str(case_json.get("id")),
        sealed_at=sealed_at,
        sealed_at_local=local,
        sealed_by=str(sealed.get("actor")),
        fingerprint=fingerprint,
        signed_file=layout.TAGMANIFEST,
        key_fingerprint=str(details.get("signer_key_fingerprint")),
        tool=str(sealed.get("tool")),
    )


def _check_instructions(
    bag: BagView,
    info: dict[str, Any],
    case_json: dict[str, Any],
    items: Sequence[dict[str, Any]] | None,
    sealed: dict[str, Any],
    tool: str,
    folder: str,
    manifest: bytes | None,
) -> list[Problem]:
    from evidencekit.case.verify_text import earlier_seal_folders, render_verify_txt

    verify_txt = f"{folder}/VERIFY.txt"
    try:
        written = bag.read_bytes(verify_txt)
    except OSError:
        return [
            (
                ERROR,  # as for seal.json: every seal writes it
                "seal-instructions-missing",
                verify_txt,
                f"{verify_txt} (how to check the case with standard tools), which the seal wrote, is "
                "missing or is not a file: it was removed after sealing (the checks above do not "
                "depend on it).",
            )
        ]
    if sealed.get("tool") != tool:
        return [
            (
                INFO,
                "seal-instructions-not-compared",
                verify_txt,
                f"{verify_txt} was written by {sealed.get('tool')}; this version ({tool}) does not "
                "compare it with its own text.",
            )
        ]
    if items is None:
        return []  # items.jsonl cannot be read: its own finding says why
    try:
        timestamps: bytes | None = bag.read_bytes(f"{folder}/timestamps.json")
    except OSError:
        timestamps = None
    if manifest is None:
        try:
            manifest = bag.read_bytes(layout.MANIFEST)
        except OSError:
            return []  # its own finding says why
    history = bag.folders_in(layout.SEAL_HISTORY_DIR)
    number = folder.rsplit("/", 1)[-1]
    expected = render_verify_txt(
        case_id=str(case_json.get("id")),
        title=str(case_json.get("title") or ""),  # as CaseInfo reads it when the seal writes the text
        # The earlier seals there were when this one was made.
        earlier_seals=earlier_seal_folders(history, int(number) if number.isdigit() else None),
        has_web_captures=any(item.get("kind") == "url-capture" for item in items),
        has_payload=bool(manifest.strip()),
        seal_info=info,
        timestamps_json=timestamps,
        manifest=manifest,
    )
    if expected.encode("utf-8") == written:
        return []
    return [
        (
            ERROR,
            "seal-instructions-changed",
            verify_txt,
            f"{verify_txt} is not the text the seal wrote: the instructions for checking the case "
            "were changed after sealing (do not follow them; the checks above do not depend on them).",
        )
    ]


def _unexpected_files(bag: BagView) -> list[Problem]:
    history = layout.SEAL_HISTORY_DIR + "/"
    out: list[Problem] = []
    for path in bag.files_under(layout.SEAL_DIR):
        if path.startswith(history):
            continue
        name = path[len(layout.SEAL_DIR) + 1 :]
        if name == "timestamps.json" and not _is_timestamp_record(bag, path):
            out.append(
                (
                    WARNING,
                    "seal-extra-file",
                    path,
                    f"{path} is not the record of trusted timestamps a seal writes (it cannot be read as "
                    "one); it is not covered by the signature, and the tokens are checked without it.",
                )
            )
            continue
        if name in SEAL_FILE_NAMES or TIMESTAMP_FILE.match(name) or name in DESKTOP_LEFTOVERS:
            continue
        out.append(
            (
                WARNING,
                "seal-extra-file",
                path,
                f"{path} was not written by the seal; it is not covered by the signature.",
            )
        )
    return out


def _is_timestamp_record(bag: BagView, path: str) -> bool:
    try:
        data = parse_json(bag.read_bytes(path).decode("utf-8"))
    except (OSError, ValueError):
        return False
    records = data.get("timestamps") if isinstance(data, dict) else None
    return isinstance(records, list) and all(isinstance(record, dict) for record in records)


def _just_before(earlier: str, later: str, most: timedelta = timedelta(seconds=1)) -> bool:
    try:
        gap = parse_iso(later) - parse_iso(earlier)
    except (ValueError, TypeError, OverflowError):
        return False
    return timedelta(0) <= gap <= most


def _same_moment(local: str, utc: Any) -> bool:
    try:
        return parse_iso(local) == parse_iso(str(utc))
    except (ValueError, TypeError, OverflowError):
        return False


# ---- the signature ------------------------------------------------------------------------------


def check_signature_folder(folder: Path, message: bytes) -> list[tuple[str, str, str]]:
    """Check the raw Ed25519 signature and the SSHSIG in `folder` over `message`."""
    return check_signature(lambda name: (folder / name).read_bytes(), message)


def check_signature(read: Callable[[str], bytes], message: bytes) -> list[tuple[str, str, str]]:
    """The signature checks, reading the seal files by name through `read`."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

    from evidencekit.case import sshsig

    out: list[tuple[str, str, str]] = []
    try:
        public = load_pem_public_key(read("signer.pem"))
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("not Ed25519")
    except (OSError, ValueError, UnsupportedAlgorithm) as exc:
        return [(ERROR, "seal-key-invalid", f"The seal's public key (signer.pem) cannot be read ({exc}).")]
    key_fp = sshsig.key_fingerprint(public)
    try:
        public.verify(read("tagmanifest-sha256.txt.sig"), message)
        out.append((INFO, "seal-signature-ok", f"The seal's Ed25519 signature is valid (key {key_fp})."))
    except (OSError, InvalidSignature):
        out.append(
            (
                ERROR,
                "seal-signature-invalid",
                "The seal's signature does not match the tag manifest: "
                "the case was changed after it was sealed.",
            )
        )
    try:
        armored = read("tagmanifest-sha256.txt.sshsig").decode("ascii")
        if not sshsig.verify(armored, message, public):
            out.append(
                (ERROR, "seal-sshsig-invalid", "The seal's SSH signature does not match the tag manifest.")
            )
        elif sshsig.rearmored(armored) != armored:
            out.append(
                (
                    ERROR,
                    "seal-key-file-changed",
                    "seal/tagmanifest-sha256.txt.sshsig holds a valid signature but is not the text "
                    "the seal wrote: it was changed after sealing.",
                )
            )
    except (OSError, UnicodeDecodeError):
        out.append((ERROR, "seal-sshsig-invalid", "The seal's SSH signature file is missing or unreadable."))
    public_line = sshsig.openssh_public_line(public)
    written_by_seal = {
        "signer.pem": public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        "signer.pub": signer_pub_bytes(public_line),
        "allowed_signers": allowed_signers_bytes(public_line),
    }
    for name, expected in written_by_seal.items():
        try:
            written = read(name)
        except OSError:
            written = b""
        if written == expected:
            continue
        if name == "signer.pem" or _holds_key(written, public):  # the key was read from signer.pem
            out.append(
                (
                    ERROR,
                    "seal-key-file-changed",
                    f"seal/{name} holds the right key but is not what the seal wrote: it was changed "
                    "after sealing (the checks in seal/VERIFY.txt that use it may fail).",
                )
            )
        else:
            out.append((ERROR, "seal-key-mismatch", f"seal/{name} does not hold the same key as signer.pem."))
    return out


def _holds_key(written: bytes, public: Any) -> bool:
    """Whether an OpenSSH key line (signer.pub, allowed_signers) holds `public`."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    from evidencekit.case import sshsig

    try:
        fields = written.decode("ascii").split()
        start = fields.index("ssh-ed25519")
        other = load_ssh_public_key(f"{fields[start]} {fields[start + 1]}".encode("ascii"))
    except (ValueError, IndexError, UnicodeDecodeError):
        return False
    return isinstance(other, Ed25519PublicKey) and sshsig.public_blob(other) == sshsig.public_blob(public)
