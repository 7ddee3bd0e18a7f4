"""The HOW-TO-OPEN.txt that travels with the archive: what to hand over, how to send the
passphrase, how to check the transfer and open the case with stock tools (age, tar, sha256sum).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from evidencekit.case.case import Case


def key_fingerprint(recipient: str) -> str:
    """How to check, with standard tools, which key an archive was encrypted to.

    An age public key is short and is its own identity: `age-keygen -y KEYFILE` prints it from the
    secret key. An SSH key is known by its fingerprint, `SHA256:…` as `ssh-keygen -lf KEY.pub`
    prints it (the SHA-256 of the key's blob, base64 without padding)."""
    parts = recipient.split()
    if len(parts) < 2 or not parts[0].startswith("ssh-"):
        return recipient
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        return recipient
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def how_to_text(
    case: Case, finals: dict[str, Path], digest: str, recipients: list[str], passphrase: bool
) -> str:
    """The plain-text guide that travels with the archive (for the officer, and the victim)."""
    from evidencekit.case.seal import group_fingerprint

    archive = finals["archive"].name
    checksum = finals["checksum"].name
    key = finals["key"].name
    how = finals["how_to"].name
    fingerprint = case.fingerprint() or ""
    made = case.local_time(case.clock())
    files = [f"  {archive:<36} the case, encrypted (a BagIt bag in a tar archive, age format)"]
    files.append(f"  {checksum:<36} its SHA-256, to check the transfer")
    if passphrase:
        files.append(f"  {key:<36} the key that opens the archive, locked by the passphrase")
    files.append(f"  {how:<36} this guide")
    lines = [
        f"HOW TO OPEN THE EVIDENCE CASE {case.info.id}",
        "=" * (30 + len(case.info.id)),
        "",
        f"Case:              {case.info.id}",
        f"Title:             {case.info.title}",
        f"Seal fingerprint:  {group_fingerprint(fingerprint)}",
        f"Archive SHA-256:   {digest}",
        f"Made:              {made}",
        "",
        "THE FILES (hand over all of them together)",
        *files,
        "",
    ]
    if passphrase:
        lines += [
            "THE PASSPHRASE is in none of these files, on purpose. Give it separately: say it on the",
            "phone or in person, or send it another way than the files (a text message if the files",
            "went by e-mail or on a USB stick). Never put it in the same e-mail, folder or stick.",
            "Nobody can recover a lost passphrase: without it the archive cannot be opened.",
            "",
        ]
    if recipients:
        lines += ["The archive can also be opened with the secret key of any of these public keys:"]
        for r in recipients:
            lines += [f"  {r}"]
            if key_fingerprint(r) != r:
                lines += [f"    fingerprint {key_fingerprint(r)} (ssh-keygen -lf KEY.pub shows it)"]
        lines += [""]
    open_key = f"-i {key}" if passphrase else "-i YOUR-KEY-FILE"
    lines += [
        "1. CHECK THE TRANSFER (optional, before opening). In the folder holding the files:",
        f"     Linux:    sha256sum -c {checksum}",
        f"     macOS:    shasum -a 256 -c {checksum}",
        f"     Windows:  Get-FileHash {archive}        (PowerShell; compare with the SHA-256 above)",
        "",
        "2. OPEN IT with age, the standard encryption tool (https://age-encryption.org; Debian and",
        "   Ubuntu: apt install age; macOS: brew install age; Windows: winget install FiloSottile.age).",
    ]
    if passphrase:
        lines += ["   age asks for the passphrase once."]
    lines += [
        "     Linux and macOS:",
        f"       age -d {open_key} {archive} | tar -x",
        "     Windows (two steps; PowerShell pipes would damage the data):",
        f"       age -d {open_key} -o {case.info.id}.tar {archive}",
        f"       tar -xf {case.info.id}.tar",
        f"   This makes the case folder {case.info.id}/. With evidencekit instead:",
        f"       evidencekit open {archive} --to FOLDER",
        "",
        "3. CHECK THE CASE. Follow seal/VERIFY.txt inside the case folder (it uses sha256sum, openssl",
        "   and ssh-keygen), and compare the seal fingerprint with the one above and with the one the",
        "   person who made the case gave you. With evidencekit, without unpacking anything:",
        f"       evidencekit verify {archive}",
        "",
        "The case may hold screenshots of threats and personal details. Intimate images are NOT in it:",
        "they are recorded by their hashes only (see seal/VERIFY.txt).",
        "",
    ]
    return "\n".join(lines)


__all__ = ["how_to_text", "key_fingerprint"]
