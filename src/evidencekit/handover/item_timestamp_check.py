"""Verify's check of each item's trusted time (`data/derived/<item>/trusted-time/`).

The payload check already finds a file changed after it was listed in the manifest. This check ties
what is left together, as if the folder came from anyone: record.txt is exactly the text the item's
record gives (so the TSA signed this item's hash, size and capture time); each token holds over
record.txt (rfc3161-client's verifier, through timestamp.check_token) with the chain kept beside it;
trusted-time.json has the shape evidencekit writes and says what the tokens say; and every file was
logged by an `item-timestamped` custody entry with its SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evidencekit.case import layout, safepath
from evidencekit.case.bag import parse_manifest
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.records import CUSTODY, ITEMS, read_records
from evidencekit.case.records.shape import (
    FLAG,
    INSIDE,
    SHA256,
    TEXT,
    WHOLE,
    Field,
    Shape,
    fields_problem,
    nullable,
    records_of,
    required,
)
from evidencekit.handover.item_timestamp import (
    ACTION,
    FOLDER,
    RECORD_TXT,
    TRUSTED_TIME_FORMAT,
    TRUSTED_TIME_JSON,
    delay_words,
    folder_of,
    offset_words,
    record_text,
    token_files,
)

MAX_FILE = 1 << 20
_NUMBER = Shape(
    "a number",
    lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    base=(int, float),
)
TOKEN_FIELDS: dict[str, Field] = {
    "number": required(WHOLE),
    "tsa_url": required(TEXT),
    "token": required(INSIDE),
    "chain": required(INSIDE),
    "token_sha256": required(SHA256),
    "chain_sha256": required(SHA256),
    "asked_at": required(TEXT),
    "received_at": required(TEXT),
    "gen_time": required(TEXT),
    "accuracy_seconds": nullable(_NUMBER),
    "tsa": nullable(TEXT),
    "root_sha256": nullable(TEXT),
    "checked": required(FLAG),
    "clock_offset_seconds": required(_NUMBER),
    "delay_seconds": nullable(_NUMBER),
}
FAILURE_FIELDS: dict[str, Field] = {
    "tsa_url": required(TEXT),
    "asked_at": required(TEXT),
    "problem": required(TEXT),
}
DOCUMENT_FIELDS: dict[str, Field] = {
    "format": required(TEXT),
    "tool": required(TEXT),
    "item": required(TEXT),
    "record": required(INSIDE),
    "record_sha256": required(SHA256),
    "captured_at": nullable(TEXT),
    "tokens": required(records_of(TOKEN_FIELDS)),
    "failures": required(records_of(FAILURE_FIELDS)),
}
_FOLDER = re.compile(rf"^{layout.DERIVED_DIR}/E\d{{4,9}}/{FOLDER}/")
_OURS = re.compile(
    rf"^{layout.DERIVED_DIR}/(E\d{{4,9}})/{FOLDER}/"
    rf"({re.escape(RECORD_TXT)}|{re.escape(TRUSTED_TIME_JSON)}|token-[1-9]\d{{0,3}}\.tsr|tsa-chain-[1-9]\d{{0,3}}\.pem)$"
)


def check_item_timestamps(root: Path, report: VerifyReport) -> None:
    """Add findings about every item's trusted-time folder to a `VerifyReport`."""
    try:
        manifest_text = safepath.read_text(root, layout.MANIFEST, missing_ok=True)
        items_text = safepath.read_text(root, layout.ITEMS_JSONL, missing_ok=True)
        case_json = parse_json(safepath.read_text(root, layout.CASE_JSON, missing_ok=True) or "{}")
        custody_text = safepath.read_text(root, layout.CUSTODY_JSONL, missing_ok=True)
    except (OSError, ValueError):
        return  # the core checks already report a file that cannot be read
    manifest = {line.path: line.digest for line in parse_manifest(manifest_text) if line.problem is None}
    ours: dict[str, list[str]] = {}
    for path in manifest:
        match = _OURS.match(path)
        if match:
            ours.setdefault(match.group(1), []).append(path)
        elif _FOLDER.match(path):
            report.add(
                ERROR,
                "item-time-unexpected",
                path,
                f"{path} is in a trusted-time folder, but it is not a file evidencekit writes there.",
            )
    if not ours:
        return
    case_id = case_json.get("id") if isinstance(case_json, dict) else None
    items = {str(item["id"]): item for _n, item in read_records(ITEMS, items_text).records}
    logged = _logged_files(custody_text)
    summaries = report.details.setdefault("item_timestamps", [])
    untrusted: list[str] = []
    for item_id, paths in sorted(ours.items()):
        for path in sorted(paths):
            if (path, manifest[path]) not in logged:
                report.add(
                    ERROR,
                    "item-time-not-logged",
                    path,
                    f"{path} is in the manifest, but no “{ACTION}” entry of the custody log records it "
                    "with this SHA-256: it was added or changed outside evidencekit.",
                )
        summary = _check_item(root, item_id, items.get(item_id), str(case_id), paths, report, untrusted)
        if summary is not None:
            summaries.append(summary)
    if untrusted:
        from evidencekit.handover.timestamp import system_roots

        roots = system_roots()
        strangers = sorted({r for r in untrusted if r not in roots})
        if strangers:
            report.add(
                WARNING,
                "item-time-root-untrusted",
                None,
                f"The root certificate of the TSA that stamped the items (SHA-256 {', '.join(strangers)}) "
                "is not among this computer's trusted certificates: compare it with the root "
                "certificate the TSA publishes.",
            )


def _logged_files(custody_text: str) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for _n, entry in read_records(CUSTODY, custody_text).records:
        if entry["action"] != ACTION or not isinstance(entry.get("details"), dict):
            continue
        files = entry["details"].get("files")
        for one in files if isinstance(files, list) else []:
            if (
                isinstance(one, dict)
                and isinstance(one.get("path"), str)
                and isinstance(one.get("sha256"), str)
            ):
                out.add((one["path"], one["sha256"]))
    return out


def _read(root: Path, path: str) -> bytes | None:
    try:
        return safepath.read_bytes(root, path, limit=MAX_FILE)
    except (OSError, ValueError):
        return None  # missing or changed: the payload check says so


def _check_item(
    root: Path,
    item_id: str,
    item: Mapping[str, Any] | None,
    case_id: str,
    paths: list[str],
    report: VerifyReport,
    untrusted: list[str],
) -> dict[str, Any] | None:
    folder = folder_of(item_id)
    record_path = f"{folder}/{RECORD_TXT}"
    json_path = f"{folder}/{TRUSTED_TIME_JSON}"
    if item is None:
        report.add(
            ERROR,
            "item-time-orphan",
            folder,
            f"{folder} holds a trusted time for {item_id}, but the case has no such item.",
        )
        return None
    record = _read(root, record_path) if record_path in paths else None
    if record is None:
        report.add(
            ERROR,
            "item-time-record-missing",
            record_path,
            f"{item_id}'s trusted time has no readable {record_path}, the text its tokens time-stamp.",
        )
        return None
    if record != record_text(case_id, item):
        report.add(
            ERROR,
            "item-time-record-mismatch",
            record_path,
            f"{record_path} is not {item_id}'s record as items.jsonl gives it (its hash, size or capture "
            "time differ): its tokens time-stamp something else than this item.",
        )
        return None
    document = _document(root, json_path, item_id, record, paths, report)
    tokens = [(n, p) for i, n, p in token_files(paths) if i == item_id]
    entries = {int(t["number"]): t for t in document["tokens"]} if document else {}
    for number in sorted(set(entries) - {n for n, _p in tokens}):
        report.add(
            ERROR,
            "item-time-missing",
            json_path,
            f"{json_path} records token {number} for {item_id}, but the manifest does not list it: it "
            "was removed after it was received.",
        )
    good = []
    for number, path in tokens:
        fact = _check_token(root, item_id, number, path, record, entries.get(number), report)
        if fact is not None:
            good.append(fact)
            if fact.get("root_sha256"):
                untrusted.append(str(fact["root_sha256"]))
    if not good:
        return None
    first = good[0]
    entry = entries.get(int(first["number"]))
    offset = entry.get("clock_offset_seconds") if entry else None
    delay = entry.get("delay_seconds") if entry else None
    text = f"{item_id}: trusted time {first['gen_time']} from {_short(first['tsa'])}"
    text += f" ({delay_words(delay)}"
    if isinstance(offset, (int, float)):
        text += f"; this computer's clock was {offset_words(float(offset))}"
    text += ")"
    if len(good) > 1:
        text += f", and {len(good) - 1} more TSA(s)"
    report.add(INFO, "item-time-ok", folder, text + ".")
    return {
        "item": item_id,
        "time": first["gen_time"],
        "tsa": first["tsa"],
        "tokens": len(good),
        "clock_offset_seconds": offset,
        "delay_seconds": delay,
    }


def _document(
    root: Path, json_path: str, item_id: str, record: bytes, paths: list[str], report: VerifyReport
) -> dict[str, Any] | None:
    raw = _read(root, json_path) if json_path in paths else None
    if raw is None:
        report.add(
            ERROR,
            "item-time-json-missing",
            json_path,
            f"{item_id}'s trusted time has no readable {json_path}; the tokens are checked without it.",
        )
        return None
    try:
        document = parse_json(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        document = None
    problem = (
        "it is not a JSON object"
        if not isinstance(document, dict)
        else fields_problem(document, DOCUMENT_FIELDS)
    )
    if problem is None and isinstance(document, dict):
        if document["format"] != TRUSTED_TIME_FORMAT:
            problem = f"its format is “{document['format']}”, not {TRUSTED_TIME_FORMAT}"
        elif document["item"] != item_id:
            problem = f"it names item {document['item']}"
        elif document["record_sha256"] != hashlib.sha256(record).hexdigest():
            problem = "its record_sha256 is not record.txt's"
    if problem is not None:
        report.add(
            ERROR,
            "item-time-json-invalid",
            json_path,
            f"{json_path} is not a record evidencekit wrote ({problem}); the tokens are checked without it.",
        )
        return None
    assert isinstance(document, dict)
    return document


def _check_token(
    root: Path,
    item_id: str,
    number: int,
    path: str,
    record: bytes,
    entry: Mapping[str, Any] | None,
    report: VerifyReport,
) -> dict[str, Any] | None:
    from cryptography import x509
    from rfc3161_client import decode_timestamp_response

    from evidencekit.handover.timestamp import (
        DIFFERENT_DATA,
        build_chain,
        certificates_in,
        check_token,
        describe,
    )

    token = _read(root, path)
    if token is None:
        return None
    chain_file = f"{folder_of(item_id)}/tsa-chain-{number}.pem"
    chain_bytes = _read(root, chain_file)
    try:
        response = decode_timestamp_response(token)
        carried = certificates_in(response)
        stored = x509.load_pem_x509_certificates(chain_bytes) if chain_bytes else []
    except ValueError as exc:
        report.add(ERROR, "item-time-invalid", path, f"The timestamp token {path} cannot be read ({exc}).")
        return None
    chain = build_chain(carried + stored, [])
    if not chain:
        report.add(ERROR, "item-time-invalid", path, f"The timestamp token {path} names no TSA certificate.")
        return None
    problem = check_token(response, record, chain)
    if problem is not None and problem.severity == ERROR:
        code = "item-time-mismatch" if problem.text == DIFFERENT_DATA else "item-time-invalid"
        text = (
            "it time-stamps different data, not this item's record.txt"
            if code == "item-time-mismatch"
            else problem.text
        )
        report.add(ERROR, code, path, f"The timestamp token {path} does not hold: {text}.")
        return None
    facts = describe(response, chain)
    if entry is not None:
        edited = [
            key
            for key, actual in (
                ("token_sha256", hashlib.sha256(token).hexdigest()),
                ("chain_sha256", hashlib.sha256(chain_bytes or b"").hexdigest()),
                ("gen_time", facts["gen_time"]),
            )
            if entry.get(key) != actual
        ]
        if edited:
            report.add(
                ERROR,
                "item-time-changed",
                path,
                f"trusted-time.json says about token {number} of {item_id} what the token and its chain do "
                f"not ({', '.join(edited)}): one of them was changed after it was received.",
            )
            return None
    if problem is not None:
        report.add(
            WARNING,
            "item-time-root-unknown",
            path,
            f"The timestamp token {path} is for {item_id}'s record, but {problem.text}: get the TSA's root "
            "certificate and check it with `openssl ts -verify` as seal/VERIFY.txt explains.",
        )
        return None
    return {"number": number, **facts}


def _short(name: object) -> str:
    if not isinstance(name, str) or not name:
        return "an unnamed TSA"
    match = re.search(r"CN=([^,]+)", name)
    return f"“{match.group(1)}”" if match else name


__all__ = ["check_item_timestamps"]
