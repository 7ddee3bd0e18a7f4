"""Trusted timestamps (RFC 3161) on the seal: asking a time-stamping authority, and checking tokens.

`seal --tsa URL` sends the SHA-256 of `tagmanifest-sha256.txt` (which covers every record and every
evidence file) to each TSA and stores what comes back in `seal/`, which is outside the tag manifest,
so adding a token never changes the seal fingerprint:

    seal/tagmanifest-sha256.txt.tsr     the TSA's reply exactly as received (RFC 3161 TimeStampResp, DER)
    seal/tsa-chain.pem                  the TSA's certificate, then its issuers up to the root when known
    seal/tagmanifest-sha256.txt.2.tsr   a second TSA's reply (and tsa-chain.2.pem), and so on
    seal/timestamps.json                for each token: the TSA's URL, when it was asked (this computer's
                                        clock), and what evidencekit read from the reply

The network is used only here, only when asked, and a TSA that fails is reported while the seal
still completes. Tokens are checked with rfc3161-client (signature, chain as of the stamped time, the
timeStamping key usage, nonce, and that the stamped hash is the tag manifest's). The raw reply is
kept whatever evidencekit thinks of it, so `openssl ts -verify` can always be used as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evidencekit._version import __version__
from evidencekit.case import layout
from evidencekit.case.bagview import BagView, as_bag_view
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import parse_json
from evidencekit.clock import iso_utc, parse_iso

TIMESTAMPS_JSON = layout.TIMESTAMPS_JSON
TIMESTAMPS_FORMAT = "evidencekit-timestamps/1"
MAX_REPLY = 1 << 20
CLOCK_OFF_WARNING_SECONDS = 600
_TOKEN = re.compile(r"^tagmanifest-sha256\.txt(?:\.(\d+))?\.tsr$")


def token_name(number: int) -> str:
    return f"{layout.TAGMANIFEST}.tsr" if number == 1 else f"{layout.TAGMANIFEST}.{number}.tsr"


def chain_name(number: int) -> str:
    return "tsa-chain.pem" if number == 1 else f"tsa-chain.{number}.pem"


class TimestampFailed(Exception):
    """One TSA could not give a usable token (the message says why, in plain words)."""


@dataclass
class TsaOutcome:
    url: str
    ok: bool
    message: str
    number: int | None = None
    gen_time: str | None = None
    tsa: str | None = None


@dataclass
class Timestamper:
    """Asks each TSA in turn; called with the tag manifest, returns the seal files to add."""

    urls: list[str]
    extra_certificates: list[bytes] = field(default_factory=list)  # PEM, from --tsa-ca
    timeout: float = 30.0
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    outcomes: list[TsaOutcome] = field(default_factory=list)

    def __call__(self, tagmanifest: bytes, existing: list[dict[str, Any]] | None = None) -> dict[str, bytes]:
        records = list(existing or [])
        number = max((int(r.get("number", 0)) for r in records), default=0)
        files: dict[str, bytes] = {}
        for url in self.urls:
            asked_at = self.clock()
            try:
                reply, chain, info = request_token(url, tagmanifest, self.extra_certificates, self.timeout)
            except TimestampFailed as exc:
                self.outcomes.append(TsaOutcome(url, False, str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - a TSA must never stop the seal
                self.outcomes.append(
                    TsaOutcome(url, False, f"its reply could not be used ({type(exc).__name__})")
                )
                continue
            number += 1
            files[f"{layout.SEAL_DIR}/{token_name(number)}"] = reply
            files[f"{layout.SEAL_DIR}/{chain_name(number)}"] = chain
            record = {
                "number": number,
                "token": f"{layout.SEAL_DIR}/{token_name(number)}",
                "chain": f"{layout.SEAL_DIR}/{chain_name(number)}",
                # Most of a token is not covered by the TSA's signature (the certificates it
                # carries), and the chain file by nothing: their hashes, so any change is found.
                "token_sha256": hashlib.sha256(reply).hexdigest(),
                "chain_sha256": hashlib.sha256(chain).hexdigest(),
                "tsa_url": url,
                "asked_at": iso_utc(asked_at),
                **info,
            }
            records.append(record)
            message = (
                "time-stamped"
                if info["checked"]
                else "time-stamped, but its signature could not be checked here: the TSA's root certificate "
                "is unknown to this computer (give it with --tsa-ca)"
            )
            self.outcomes.append(TsaOutcome(url, True, message, number, info["gen_time"], info["tsa"]))
        if files:
            document = {
                "format": TIMESTAMPS_FORMAT,
                "tool": f"evidencekit {__version__}",
                "timestamps": records,
            }
            files[TIMESTAMPS_JSON] = _document_bytes(document)
        return files


def request_token(
    url: str, message: bytes, extra_certificates: list[bytes], timeout: float
) -> tuple[bytes, bytes, dict[str, Any]]:
    """(raw reply, PEM chain, facts) from one TSA, or TimestampFailed with a plain reason."""
    import urllib.error
    import urllib.request

    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

    if not re.match(r"^https?://", url, flags=re.IGNORECASE):
        raise TimestampFailed("the address does not start with http:// or https://")
    request = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256).build()
    http = urllib.request.Request(  # noqa: S310 - only http(s), checked above
        url,
        data=request.as_bytes(),
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
            "User-Agent": f"evidencekit/{__version__}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as answer:  # noqa: S310
            reply = answer.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampFailed(f"the TSA answered with HTTP error {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampFailed(f"it could not be reached ({reason})") from None
    if len(reply) > MAX_REPLY:
        raise TimestampFailed("its reply is far too large to be a timestamp")
    try:
        response = decode_timestamp_response(reply)
    except ValueError as exc:
        raise TimestampFailed(f"its reply is not a timestamp evidencekit can read ({exc})") from None
    if response.status not in (0, 1):
        texts = "; ".join(response.status_string) or f"status {response.status}"
        raise TimestampFailed(f"it refused to time-stamp ({texts})")
    if response.tst_info.nonce != request.nonce:
        raise TimestampFailed("its reply does not answer our request (the nonce differs)")
    if response.tst_info.message_imprint.message != hashlib.sha256(message).digest():
        raise TimestampFailed("its reply is for different data")
    certificates = _certificates_in(response)
    chain = build_chain(certificates, extra_certificates)
    if not chain:
        raise TimestampFailed("its reply does not include the TSA's certificate (evidencekit asked for it)")
    problem = check_token(response, message, chain)
    if problem and problem.severity == ERROR:
        raise TimestampFailed(problem.text)
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = b"".join(cert.public_bytes(Encoding.PEM) for cert in chain)
    info = describe(response, chain)
    info["checked"] = problem is None
    return reply, pem, info


def _certificates_in(response: Any) -> list[Any]:
    from cryptography import x509

    return [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]


def _signer(response: Any, certificates: list[Any]) -> Any | None:
    infos = list(response.signed_data.signer_infos)
    if len(infos) != 1:
        return None
    info = infos[0]
    for cert in certificates:
        if cert.issuer == info.issuer and cert.serial_number == info.serial_number:
            return cert
    return None


def build_chain(certificates: list[Any], extra_pem: list[bytes]) -> list[Any]:
    """The TSA's certificate first, then each issuer found (in the reply, --tsa-ca, or this computer's
    trusted roots), up to a self-signed root if one is found."""
    from cryptography import x509

    pool = list(certificates)
    for pem in extra_pem:
        pool.extend(x509.load_pem_x509_certificates(pem))
    pool.extend(system_roots().values())
    leaf = next(
        (c for c in certificates if _is_tsa_certificate(c)), certificates[0] if certificates else None
    )
    if leaf is None:
        return []
    chain = [leaf]
    while chain[-1].issuer != chain[-1].subject and len(chain) < 8:
        issuer = next((c for c in pool if c.subject == chain[-1].issuer and _issued_by(chain[-1], c)), None)
        if issuer is None:
            break
        chain.append(issuer)
    return chain


def _is_tsa_certificate(cert: Any) -> bool:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def _issued_by(cert: Any, issuer: Any) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - cryptography raises several kinds
        return False
    return True


_SYSTEM_ROOTS: dict[str, Any] | None = None


def system_roots() -> dict[str, Any]:
    """{SHA-256 fingerprint: certificate} of the roots this computer trusts (empty if none found)."""
    global _SYSTEM_ROOTS
    if _SYSTEM_ROOTS is not None:
        return _SYSTEM_ROOTS
    import ssl
    import warnings

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    found: list[Any] = []
    paths = ssl.get_default_verify_paths()
    for candidate in (os.environ.get("SSL_CERT_FILE"), paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            try:
                with warnings.catch_warnings():  # some distributed roots break RFC 5280 in small ways
                    warnings.simplefilter("ignore")
                    found = x509.load_pem_x509_certificates(Path(candidate).read_bytes())
            except (OSError, ValueError):
                continue
            break
    if not found:  # Windows and macOS: the system store, through the ssl module
        try:
            context = ssl.create_default_context()
            found = [x509.load_der_x509_certificate(d) for d in context.get_ca_certs(binary_form=True)]
        except (ssl.SSLError, ValueError):
            found = []
    _SYSTEM_ROOTS = {cert.fingerprint(hashes.SHA256()).hex(): cert for cert in found}
    return _SYSTEM_ROOTS


def describe(response: Any, chain: list[Any]) -> dict[str, Any]:
    """What a token says, for timestamps.json and the verify report."""
    from cryptography.hazmat.primitives import hashes

    info = response.tst_info
    root = chain[-1] if chain and chain[-1].issuer == chain[-1].subject else None
    accuracy = None
    try:
        acc = info.accuracy
        accuracy = (acc.seconds or 0) + (acc.millis or 0) / 1000 + (acc.micros or 0) / 1_000_000
    except (AttributeError, ValueError):
        accuracy = None
    return {
        "gen_time": iso_utc(
            info.gen_time if info.gen_time.tzinfo else info.gen_time.replace(tzinfo=timezone.utc)
        ),
        "accuracy_seconds": accuracy,
        "serial_number": str(info.serial_number),
        "policy": info.policy.dotted_string,
        "hash_algorithm": "sha256",
        "tsa": chain[0].subject.rfc4514_string() if chain else None,
        "root": root.subject.rfc4514_string() if root is not None else None,
        "root_sha256": root.fingerprint(hashes.SHA256()).hex() if root is not None else None,
    }


@dataclass(frozen=True)
class TokenProblem:
    severity: str
    text: str


def check_token(response: Any, message: bytes, chain: list[Any]) -> TokenProblem | None:
    """Check one token over `message` with rfc3161-client; None when it is valid."""
    from rfc3161_client import VerificationError, VerifierBuilder

    if response.tst_info.message_imprint.message != _digest_for(response, message):
        return TokenProblem(ERROR, "it time-stamps different data, not this tag manifest")
    anchor = chain[-1]
    if anchor.issuer != anchor.subject:
        return TokenProblem(
            WARNING, "the TSA's root certificate is unknown, so its signature cannot be checked"
        )
    builder = VerifierBuilder().tsa_certificate(chain[0]).add_root_certificate(anchor)
    for cert in chain[1:-1]:
        builder = builder.add_intermediate_certificate(cert)
    try:
        builder.build().verify_message(response, message)
    except VerificationError as exc:
        return TokenProblem(ERROR, f"it is not valid ({exc})")
    except ValueError as exc:
        return TokenProblem(ERROR, f"it cannot be checked ({exc})")
    return None


def _digest_for(response: Any, message: bytes) -> bytes:
    oid = response.tst_info.message_imprint.hash_algorithm.dotted_string
    name = {
        "2.16.840.1.101.3.4.2.1": "sha256",
        "2.16.840.1.101.3.4.2.2": "sha384",
        "2.16.840.1.101.3.4.2.3": "sha512",
    }
    return hashlib.new(name.get(oid, "sha256"), message).digest()


# ---- verify ------------------------------------------------------------------------------------------


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
        if path.count("/") == folder.count("/") + 1 and (m := _TOKEN.match(path.rsplit("/", 1)[1]))
    )
    records = _records(bag, f"{folder}/timestamps.json")
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
        carried = _certificates_in(response)
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
        code = "timestamp-mismatch" if "different data" in problem.text else "timestamp-invalid"
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
        rewritten = _document_bytes(document)
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


def _document_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _records(bag: BagView, path: str) -> dict[int, dict[str, Any]]:
    try:
        data = parse_json(bag.read_bytes(path).decode("utf-8"))
        return {int(r["number"]): r for r in data.get("timestamps", []) if isinstance(r, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


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


def existing_records(bag_root: Path) -> list[dict[str, Any]]:
    """The timestamps.json records already in a sealed case's seal/ folder."""
    return list(_records(as_bag_view(bag_root), TIMESTAMPS_JSON).values())


def add_timestamps(case: Any, timestamper: Timestamper) -> list[TsaOutcome]:
    """Time-stamp a case that is already sealed (its fingerprint does not change).

    Only seal/ files are added (the tokens, timestamps.json and a VERIFY.txt that explains them),
    which are outside the tag manifest; nothing is logged, because a custody entry would change the
    signed records. The token itself records when and by whom the time was given.
    """
    from evidencekit.case.seal import read_seal_json
    from evidencekit.case.verify_text import verify_txt
    from evidencekit.errors import EvidenceKitError

    with case.change("timestamp", allow_sealed=True) as change:
        if not case.is_sealed():
            raise EvidenceKitError(
                "The case is not sealed, so there is nothing to time-stamp yet.",
                hint="Run: evidencekit seal --tsa URL",
            )
        tagmanifest = (case.root / layout.TAGMANIFEST).read_bytes()
        files = timestamper(tagmanifest, existing_records(case.root))
        if files:
            for relative, data in files.items():
                change.put_file(relative, data)
            earlier = {
                f"{layout.SEAL_DIR}/{p.name}": p.read_bytes()
                for p in (case.root / layout.SEAL_DIR).iterdir()
                if p.is_file() and p.name != "timestamps.json"
            }
            text = verify_txt(case, read_seal_json(case), {**earlier, **files})
            change.put_file(layout.VERIFY_TXT, text.encode("utf-8"))
    return timestamper.outcomes
