"""VERIFY.txt: how anyone can check a sealed case with standard tools, no evidencekit needed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from evidencekit.case import layout
from evidencekit.case.bag import parse_manifest
from evidencekit.case.sshsig import NAMESPACE, PRINCIPAL

_TEMPLATE = """\
HOW TO CHECK THIS EVIDENCE CASE (no special software needed)
=============================================================

Case:              {case_id}
Title:             {title}
Sealed at:         {sealed_at} (UTC)  =  {sealed_at_local}
Sealed by:         {sealed_by}
Seal fingerprint:  {fingerprint}
Signing key:       {key_fp} (Ed25519)
Made by:           {tool}

WHAT THIS FOLDER IS
This folder is a BagIt 1.0 bag (RFC 8493), the Library of Congress packaging format.
- data/ holds the evidence files, byte for byte as they were captured.
- manifest-sha256.txt lists the SHA-256 of every file under data/.
- evidencekit/ holds the records: case.json (the case), items.jsonl (one line per exhibit:
  original name, where it came from, when it was captured, type, hashes), urls.jsonl (web
  addresses) and custody.jsonl (a hash-chained log of every action taken on the case); and,
  when recorded, offenders.jsonl (the offender's accounts), payments.jsonl, notes.jsonl (the
  victim's account) and actions.jsonl (reported, blocked, police…, with reference numbers).
- data/derived/report/ holds the report (report.pdf, report.html), if one was made in the case:
  an index of the case for the reader, listed in the manifest like every other file.
- tagmanifest-sha256.txt lists the SHA-256 of bagit.txt, bag-info.txt, manifest-sha256.txt and
  every file in evidencekit/. It is what the seal signs, so the signature covers everything.
- seal/ holds the signature (twice, for two tools), the public key and this file.

Open a terminal in this folder (the one that holds bagit.txt) and run the steps below.

1. THE FINGERPRINT. Compare it with the fingerprint the person who sealed the case gave you
   (written down, read out or e-mailed). It is the SHA-256 of the tag manifest:
   On Linux:
     sha256sum tagmanifest-sha256.txt
   On macOS:
     shasum -a 256 tagmanifest-sha256.txt
   On Windows (PowerShell; it prints the same digits in capitals):
     Get-FileHash tagmanifest-sha256.txt
   Expected:
     {fingerprint}

2. THE SIGNATURE. Either command shows the tag manifest was signed by the key in seal/.
   OpenSSH (Linux, macOS, Windows 10 and later):
     ssh-keygen -Y verify -f seal/allowed_signers -I {principal} -n {namespace} -s seal/tagmanifest-sha256.txt.sshsig < tagmanifest-sha256.txt
     Expected:  Good "{namespace}" signature for {principal} with ED25519 key {key_fp}
   OpenSSL 3:
     openssl pkeyutl -verify -pubin -inkey seal/signer.pem -rawin -in tagmanifest-sha256.txt -sigfile seal/tagmanifest-sha256.txt.sig
     Expected:  Signature Verified Successfully
   The key's fingerprint can be shown with:  ssh-keygen -l -f seal/signer.pub

3. THE RECORDS AND THE EVIDENCE FILES. Every line must say OK:
     sha256sum -c tagmanifest-sha256.txt
{payload_step}   Or check the whole bag with the Library of Congress tool (any OS with Python 3). Debian and
   Ubuntu refuse a plain "pip install", so install it once in a folder of its own, outside this one:
     python3 -m venv ~/verify-tools && ~/verify-tools/bin/pip install bagit
     ~/verify-tools/bin/bagit.py --validate .
   (Windows: py -m venv %USERPROFILE%\\verify-tools, then %USERPROFILE%\\verify-tools\\Scripts\\pip install
   bagit, and: py %USERPROFILE%\\verify-tools\\Scripts\\bagit.py --validate .)
   A file that was changed, added or removed after capture makes these fail.

4. THE CUSTODY LOG (optional). Each line's "prev" is the SHA-256 of the line before it, so a
   changed, removed or reordered line breaks the chain. To check it:
     python3 -c "import hashlib,json; L=open('evidencekit/custody.jsonl','rb').read().split(b'\\n')[:-1]; print('chain OK' if all(json.loads(L[i+1])['prev']==hashlib.sha256(L[i]).hexdigest() for i in range(len(L)-1)) else 'chain BROKEN')"
   The SHA-256 of the last line is also written in bag-info.txt as EK-Custody-Head.

WHAT A MATCH PROVES, AND WHAT IT DOES NOT
A match proves that every file is exactly, bit for bit, what was captured and sealed: nothing was
changed, added or removed since. It proves when the case was sealed only as far as the sealing
computer's clock can be trusted (a trusted timestamp, if present in seal/, is independent of it).
It does not prove that the content itself is genuine or who made it: screenshots and exports show
what was on the victim's device at the time of capture.

ITEMS RECORDED BY REFERENCE
Intimate images and videos are deliberately NOT in this folder ("by_reference": true in
evidencekit/items.jsonl): copying them can harm the person shown, and for anyone under 18 a copy
is itself unlawful. Their SHA-256 and MD5 are recorded so that the originals, wherever they are
(the victim's device, a platform), can be matched without anyone making a copy.
{web_note}{history_note}"""


def verify_txt(case: Any, seal_info: dict[str, Any], seal_files: dict[str, bytes] | None = None) -> str:
    """The text of seal/VERIFY.txt for this case and seal (`seal_files`: other seal/ files, e.g. tokens)."""
    history = case.root / layout.SEAL_HISTORY_DIR
    earlier = [p.name for p in history.iterdir() if p.is_dir()] if history.is_dir() else []
    return render_verify_txt(
        case_id=case.info.id,
        title=case.info.title,
        earlier_seals=earlier_seal_folders(earlier),
        has_web_captures=any(item.get("kind") == "url-capture" for item in case.items()),
        has_payload=bool((case.root / layout.MANIFEST).read_bytes().strip()),
        seal_info=seal_info,
        timestamps_json=(seal_files or {}).get(layout.TIMESTAMPS_JSON),
        manifest=(case.root / layout.MANIFEST).read_bytes(),
    )


def earlier_seal_folders(names: list[str], before: int | None = None) -> list[str]:
    """The folders of seal/history/ that hold earlier seals (`1`, `2`…), in order; with `before`,
    only those older than the seal kept in that folder number."""
    numbers = sorted(int(name) for name in names if name.isdigit() and name == str(int(name)))
    return [str(n) for n in numbers if before is None or n < before]


def render_verify_txt(
    *,
    case_id: str,
    title: str | None,
    earlier_seals: list[str],
    has_web_captures: bool,
    has_payload: bool,
    seal_info: dict[str, Any],
    timestamps_json: bytes | None,
    manifest: bytes | None = None,
) -> str:
    """VERIFY.txt from plain facts, so `verify` can rebuild it from the signed records and compare.

    Every command in it must succeed on the case it is written for (tests/case/test_verify_text_commands.py
    runs them): so `sha256sum -c manifest-sha256.txt`, which fails on an empty manifest, is only
    given when there are evidence files, and each earlier seal is named by its real folder."""
    history_note = ""
    if earlier_seals:
        checks = "".join(
            f"  ssh-keygen -Y verify -f seal/history/{n}/allowed_signers -I {PRINCIPAL} -n {NAMESPACE} "
            f"-s seal/history/{n}/tagmanifest-sha256.txt.sshsig < seal/history/{n}/tagmanifest-sha256.txt\n"
            for n in earlier_seals
        )
        history_note = (
            "\nEARLIER SEALS\n"
            "This case was sealed before, reopened to add more, and sealed again. Each earlier seal is\n"
            "kept in seal/history/N/ with the tag manifest it signed, so it can still be checked:\n"
            f"{checks}"
            "Every evidence file listed in an earlier manifest-sha256.txt is still listed, with the\n"
            "same SHA-256, in the current one (evidencekit verify checks this).\n"
        )
    payload_step = (
        "     sha256sum -c manifest-sha256.txt\n"
        if has_payload
        else "   The case holds no evidence files yet: manifest-sha256.txt is empty, as it should be.\n"
    )
    web_note = ""
    if has_web_captures:
        web_note = (
            "\nWEB PAGES SAVED AS WARC FILES\n"
            "Web captures are in data/web/ as WARC files (ISO 28500), the format web archives use.\n"
            "Each record in them carries its own digest; to check every record:\n"
            "  python3 -m venv ~/verify-tools && ~/verify-tools/bin/pip install warcio\n"
            "  ~/verify-tools/bin/warcio check -v data/web/*/capture.warc.gz\n"
            "Each capture folder also holds screenshot.png and page.pdf of the page as the browser\n"
            "showed it; the banner around the screenshot is added outside the page's own pixels.\n"
        )
    return (
        _TEMPLATE.format(
            case_id=case_id,
            title=title,
            sealed_at=seal_info["sealed_at"],
            sealed_at_local=seal_info["sealed_at_local"],
            sealed_by=seal_info["sealed_by"],
            fingerprint=seal_info["fingerprint"],
            key_fp=seal_info["signer_key_fingerprint"],
            tool=seal_info["tool"],
            principal=PRINCIPAL,
            namespace=NAMESPACE,
            history_note=history_note,
            web_note=web_note,
            payload_step=payload_step,
        )
        + _timestamp_section(timestamps_json)
        + _item_timestamp_section(manifest)
    )


# data/derived/E0001/trusted-time/token-1.tsr: an item's own RFC 3161 token (handover/item_timestamp.py).
_ITEM_TOKEN = re.compile(rf"^{layout.DERIVED_DIR}/(E\d{{4,9}})/trusted-time/token-([1-9]\d{{0,3}})\.tsr$")


def item_tokens(paths: Iterable[str]) -> list[tuple[str, int, str]]:
    """(item id, token number, token path) of every item's own token among `paths`, sorted."""
    found = []
    for path in paths:
        match = _ITEM_TOKEN.match(path)
        if match:
            found.append((match.group(1), int(match.group(2)), path))
    return sorted(found)


def _item_timestamp_section(manifest: bytes | None) -> str:
    """The `openssl ts -verify` command for each item's own token (those the manifest lists)."""
    if manifest is None:
        return ""
    try:
        paths = [line.path for line in parse_manifest(manifest.decode("utf-8")) if line.problem is None]
    except UnicodeDecodeError:
        return ""
    tokens = item_tokens(paths)
    if not tokens:
        return ""
    lines = [
        "",
        "TRUSTED TIMES OF THE ITEMS",
        "Some items were time-stamped on their own, when they were captured or later (RFC 3161). For",
        "each, a TSA signed the SHA-256 of data/derived/ITEM/trusted-time/record.txt, which gives the",
        "item's SHA-256, size and capture time (compare them with evidencekit/items.jsonl and",
        "manifest-sha256.txt): the item existed, exactly as captured, at the token's time at the latest.",
        "trusted-time.json beside it says when this computer asked and how far its clock was off.",
        "Check each token with OpenSSL (each prints:  Verification: OK):",
    ]
    for _item, number, token in tokens:
        folder = token.rsplit("/", 1)[0]
        lines.append(
            f"  openssl ts -verify -in {token} -data {folder}/record.txt -CAfile {folder}/tsa-chain-{number}.pem"
        )
    _item, number, token = tokens[0]
    folder = token.rsplit("/", 1)[0]
    lines += [
        "That trusts the TSA root certificate at the end of each tsa-chain-N.pem. For an independent",
        "check, use the root certificate the TSA publishes instead, for example:",
        f"  openssl ts -verify -in {token} -data {folder}/record.txt -CAfile TSA-ROOT.pem "
        f"-untrusted {folder}/tsa-chain-{number}.pem",
        f"To read what a token says:  openssl ts -reply -in {token} -text",
    ]
    return "\n".join(lines) + "\n"


def _timestamp_section(timestamps_json: bytes | None) -> str:
    """Step 5, when the seal carries RFC 3161 timestamp tokens: the `openssl ts -verify` commands."""
    import json

    if timestamps_json is None:
        return ""
    try:
        records = json.loads(timestamps_json.decode("utf-8"))["timestamps"]
    except (KeyError, ValueError, TypeError):
        return ""
    if not isinstance(records, list):  # only a damaged file: the seal writes a list
        return ""
    lines = [
        "",
        "TRUSTED TIMESTAMP" + ("S" if len(records) > 1 else ""),
        "An independent time-stamping authority (TSA) signed the SHA-256 of tagmanifest-sha256.txt at",
        "the time shown (RFC 3161), so the case existed, exactly as sealed, at that time at the latest.",
        "This does not depend on the sealing computer's clock. Check each token with OpenSSL:",
    ]
    for record in records:
        if not isinstance(record, dict):
            continue
        token, chain = record.get("token"), record.get("chain")
        lines += ["", f"  {record.get('tsa')}, at {record.get('gen_time')} (UTC):"]
        if record.get("root_sha256"):
            lines += [
                f"    openssl ts -verify -in {token} -data tagmanifest-sha256.txt -CAfile {chain}",
                "    Expected:  Verification: OK",
                "  That trusts the TSA root certificate stored in the case. For an independent check, use the",
                "  root certificate the TSA publishes (compare its SHA-256 fingerprint with",
                f"  {record.get('root_sha256')}) instead:",
                f"    openssl ts -verify -in {token} -data tagmanifest-sha256.txt -CAfile TSA-ROOT.pem -untrusted {chain}",
            ]
        else:
            lines += [
                "  The TSA's root certificate is not in the case; get it from the TSA, then:",
                f"    openssl ts -verify -in {token} -data tagmanifest-sha256.txt -CAfile TSA-ROOT.pem -untrusted {chain}",
                "    Expected:  Verification: OK",
            ]
        lines += [f"  To read what the token says:  openssl ts -reply -in {token} -text"]
    return "\n".join(lines) + "\n"
