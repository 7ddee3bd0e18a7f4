"""Verify's check of the trusted timestamps (RFC 3161) on the seal, and on every earlier seal.

Each token is checked over the tag manifest it stamps (timestamp.check_token, by rfc3161-client's
verifier); what the library cannot know is checked here: that the token and its chain file are the
ones received (their SHA-256 in timestamps.json), that timestamps.json says what the token says,
and how far this computer's clock was off when the case was sealed. It reads through a `BagView`,
so it runs inside an encrypted hand-over too.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.case import layout
from evidencekit.case.bagview import BagView, as_bag_view
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import parse_json
from evidencekit.clock import iso_utc, parse_iso
from evidencekit.handover.timestamp import (
    CLOCK_OFF_WARNING_SECONDS,
    DIFFERENT_DATA,
    TOKEN_FILE,
    build_chain,
    certificates_in,
    chain_name,
    check_token,
    describe,
    document_bytes,
    read_records,
    system_roots,
    token_name,
)


def check_timestamps(root: Path | BagView, report: VerifyReport) -> None:
    """The verify check: every token in seal/ (and in earlier seals) over its tag manifest."""
    bag = as_bag_view(root)
    _check_folder(bag, layout.SEAL_DIR, bag_tagmanifest=layout.TAGMANIFEST, report=report, current=True)
    for name in bag.folders_in(layout.SEAL_HISTORY_DIR):
        folder = f"{layout.SEAL_HISTORY_DIR}/{name}"
        _check_folder(
            bag, folder, bag_tagmanifest=f"{folder}/{layout.TAGMANIFEST}", report=report, current=False
        )


check_timestamps.bag_view = True  # type: ignore[attr-defined]


def _check_folder(
    bag: BagView, folder: str, *, bag_tagmanifest: str, report: VerifyReport, current: bool
) -> None:
    tokens = sorted(
        (int(m.group(1) or 1), path)
        for path in bag.files_under(folder)
        if path.count("/") == folder.count("/") + 1 and (m := TOKEN_FILE.match(path.rsplit("/", 1)[1]))
    )
    records = read_records(bag, f"{folder}/timestamps.json")
    _check_record_file(bag, f"{folder}/timestamps.json", report)
    present = {number for number, _path in tokens}
    for number in sorted(set(records) - present):
        path = f"{folder}/{token_name(number)}"
        report.add(
            ERROR,
            "timestamp-missing",
            path,
            f"{folder}/timestamps.json records trusted timestamp {number}, but its token {path} is not "
            "there (or is not a file): it was removed or replaced after it was received.",
        )
    if not tokens:
        return
    try:
        message = bag.read_bytes(bag_tagmanifest)
    except OSError:
        return  # the tag manifest's own finding says it is missing
    sealed_at = _sealed_at(bag) if current else None
    summaries = report.details.setdefault("timestamps", []) if current else []
    for number, path in tokens:
        summary = _check_one(bag, folder, number, path, message, records.get(number), sealed_at, report)
        if summary is not None:
            summaries.append(summary)


def _check_one(
    bag: BagView,
    folder: str,
    number: int,
    path: str,
    message: bytes,
    record: dict[str, Any] | None,
    sealed_at: datetime | None,
    report: VerifyReport,
) -> dict[str, Any] | None:
    from cryptography import x509
    from rfc3161_client import decode_timestamp_response

    try:
        token = bag.read_bytes(path)
        response = decode_timestamp_response(token)
    except (OSError, ValueError) as exc:
        if record is not None:
            # evidencekit records only tokens it could read: this one was changed since.
            report.add(
                ERROR,
                "timestamp-changed",
                path,
                f"The timestamp token {path} can no longer be read ({exc}), though it could be when it "
                "was received: it was changed or damaged after sealing.",
            )
            return None
        report.add(
            WARNING,
            "timestamp-unreadable",
            path,
            f"The timestamp token {path} cannot be read by evidencekit ({exc}); check it with "
            "`openssl ts -verify` as seal/VERIFY.txt explains.",
        )
        return None
    chain_path = f"{folder}/{chain_name(number)}"
    try:
        chain_bytes: bytes | None = bag.read_bytes(chain_path)
    except OSError:
        chain_bytes = None
    try:
        stored = x509.load_pem_x509_certificates(chain_bytes) if chain_bytes is not None else []
    except ValueError:
        stored = []
    try:
        carried = certificates_in(response)
    except ValueError as exc:  # the certificates a token carries are not covered by its signature
        report.add(
            ERROR,
            "timestamp-changed" if record is not None else "timestamp-invalid",
            path,
            f"A certificate inside the timestamp token {path} cannot be read ({exc}).",
        )
        return None
    chain = build_chain(carried + stored, [])
    if not chain:
        report.add(ERROR, "timestamp-invalid", path, f"The timestamp token {path} names no TSA certificate.")
        return None
    problem = check_token(response, message, chain)
    facts = describe(response, chain)
    if problem is not None and problem.severity == ERROR:
        code = "timestamp-mismatch" if problem.text == DIFFERENT_DATA else "timestamp-invalid"
        report.add(ERROR, code, path, f"The timestamp token {path} does not hold: {problem.text}.")
        return None
    if record is not None:
        # A token that still holds may still not be the one received (see _changed_since_received).
        changed = _changed_since_received(path, token, chain_path, chain_bytes, stored, record)
        if changed is not None:
            report.add(ERROR, "timestamp-changed", changed[0], changed[1])
            return None
        edited = [key for key in _SIGNED_FACTS if key in record and record[key] != facts[key]]
        if edited:
            report.add(
                ERROR,
                "timestamp-changed",
                f"{folder}/timestamps.json",
                f"{folder}/timestamps.json says something about token {number} that the token itself "
                f"does not ({', '.join(edited)}): the record was edited after sealing.",
            )
    if problem is not None:
        report.add(
            WARNING,
            "timestamp-root-unknown",
            path,
            f"The timestamp token {path} is for this tag manifest, but {problem.text}: get the TSA's root "
            "certificate and check it with `openssl ts -verify` as seal/VERIFY.txt explains.",
        )
        return None
    when = parse_iso(facts["gen_time"])
    earlier = "" if folder == layout.SEAL_DIR else f" (earlier seal in {folder})"
    tsa = _short(facts["tsa"])
    text = f"Trusted timestamp{earlier} from {tsa}: the case existed as sealed at {iso_utc(when)}"
    offset = _clock_offset(when, record, sealed_at)
    if offset is not None:
        text += f"; this computer's clock was {_offset_words(offset)}"
    report.add(INFO, "timestamp-ok", path, text + ".")
    trusted = facts["root_sha256"] in system_roots()
    if not trusted:
        report.add(
            WARNING,
            "timestamp-root-unknown",
            path,
            f"The TSA's root certificate ({_short(facts['root'])}, SHA-256 {facts['root_sha256']}) is not "
            "among this computer's trusted certificates: compare it with the root certificate "
            "the TSA publishes.",
        )
    if offset is not None and abs(offset) > CLOCK_OFF_WARNING_SECONDS and folder == layout.SEAL_DIR:
        report.add(
            WARNING,
            "timestamp-clock-off",
            path,
            f"This computer's clock was {_offset_words(offset)} when the case was sealed; times it "
            "recorded (captures, the custody log) may be off by about as much.",
        )
    return {
        "token": path,
        "tsa": facts["tsa"],
        "time": facts["gen_time"],
        "accuracy_seconds": facts["accuracy_seconds"],
        "clock_offset_seconds": round(offset, 3) if offset is not None else None,
        "root_sha256": facts["root_sha256"],
        "root_trusted_here": trusted,
    }


# What timestamps.json repeats from the token's signed content (the root found may differ by
# computer; tsa_url and asked_at are this computer's own notes, which nothing signed can confirm).
_SIGNED_FACTS = ("gen_time", "accuracy_seconds", "serial_number", "policy", "hash_algorithm")


def _changed_since_received(
    path: str,
    token: bytes,
    chain_path: str,
    chain: bytes | None,
    stored: list[Any],
    record: dict[str, Any],
) -> tuple[str, str] | None:
    """(file, why) when a token or its chain file is not what the seal wrote, by the hashes its
    record keeps (records before they were kept: the chain must still hold the recorded root)."""
    from cryptography.hazmat.primitives import hashes

    if _differs(record.get("token_sha256"), token):
        return path, (
            f"The timestamp token {path} is not the one received from the TSA (its SHA-256 is not "
            "the one timestamps.json recorded): it was changed after sealing."
        )
    why = None
    if chain is None:
        why = "is missing or cannot be read"
    elif _differs(record.get("chain_sha256"), chain):
        why = "is not the file the seal wrote (its SHA-256 is not the one timestamps.json recorded)"
    elif "chain_sha256" not in record and isinstance(record.get("root_sha256"), str):
        roots = {cert.fingerprint(hashes.SHA256()).hex() for cert in stored}
        if record["root_sha256"] not in roots:
            why = "no longer holds the root certificate recorded when the token was received"
    if why is None:
        return None
    return chain_path, (
        f"The TSA's certificate chain {chain_path} {why}: it was changed after sealing (the "
        "`openssl ts -verify` check in seal/VERIFY.txt uses it)."
    )


def _differs(recorded: Any, data: bytes) -> bool:
    return isinstance(recorded, str) and recorded != hashlib.sha256(data).hexdigest()


def _check_record_file(bag: BagView, path: str, report: VerifyReport) -> None:
    """timestamps.json is written in one layout by each version: another layout was made by hand."""
    try:
        written = bag.read_bytes(path)
        document = parse_json(written.decode("utf-8"))
    except (OSError, ValueError):
        return  # missing (no timestamps), or not a record at all: seal-extra-file says so
    if not isinstance(document, dict) or document.get("tool") != f"evidencekit {__version__}":
        return  # another version's layout is not ours to judge
    try:
        rewritten = document_bytes(document)
    except ValueError:  # a value json cannot write back (a number too long to print)
        rewritten = b""
    if rewritten != written:
        report.add(
            ERROR,
            "timestamp-changed",
            path,
            f"{path} is not the text evidencekit wrote (its layout or content was edited after "
            "sealing); the tokens themselves are checked without it.",
        )


def _sealed_at(bag: BagView) -> datetime | None:
    """When the computer's clock said the case was sealed: the last `sealed` custody entry (signed)."""
    try:
        lines = bag.read_bytes(layout.CUSTODY_JSONL).decode("utf-8").splitlines()
    except (OSError, ValueError):
        return None
    for line in reversed(lines):
        try:
            entry = parse_json(line)
            if entry.get("action") == "sealed":
                return parse_iso(entry["at"])
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return None


def _clock_offset(when: datetime, record: dict[str, Any] | None, sealed_at: datetime | None) -> float | None:
    """Seconds the local clock was ahead (+) of the TSA: from when the token was asked for, else the seal."""
    local = None
    if record and record.get("asked_at"):
        try:
            local = parse_iso(str(record["asked_at"]))
        except ValueError:
            local = None
    if local is None:
        local = sealed_at
    if local is None:
        return None
    return (local - when).total_seconds()


def _offset_words(offset: float) -> str:
    if abs(offset) < 1:
        return "right (within a second)"
    amount = abs(offset)
    if amount < 120:
        text = f"{amount:.0f} seconds"
    elif amount < 7200:
        text = f"{amount / 60:.0f} minutes"
    elif amount < 172800:
        text = f"{amount / 3600:.1f} hours"
    else:
        text = f"{amount / 86400:.1f} days"
    return f"{text} {'ahead' if offset > 0 else 'behind'}"


def _short(name: str | None) -> str:
    if not name:
        return "an unnamed TSA"
    match = re.search(r"CN=([^,]+)", name)
    return f"“{match.group(1)}”" if match else name


__all__ = ["check_timestamps"]
