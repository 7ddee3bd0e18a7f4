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
still completes. Tokens are checked with rfc3161-client's verifier (status, signature, chain as of
the stamped time, the timeStamping key usage, the nonce and policy asked for, and that the stamped
hash is the tag manifest's); verify's check of stored tokens is in timestamp_check.py. The raw reply
is kept whatever evidencekit thinks of it, so `openssl ts -verify` can always be used as well.
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
from evidencekit.case.findings import ERROR, WARNING
from evidencekit.case.jsonlines import parse_json
from evidencekit.clock import iso_utc

TIMESTAMPS_JSON = layout.TIMESTAMPS_JSON
TIMESTAMPS_FORMAT = "evidencekit-timestamps/1"
MAX_REPLY = 1 << 20
CLOCK_OFF_WARNING_SECONDS = 600
TOKEN_FILE = re.compile(r"^tagmanifest-sha256\.txt(?:\.(\d+))?\.tsr$")


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
            files[TIMESTAMPS_JSON] = document_bytes(document)
        return files


def request_token(
    url: str, message: bytes, extra_certificates: list[bytes], timeout: float
) -> tuple[bytes, bytes, dict[str, Any]]:
    """(raw reply, PEM chain, facts) from one TSA, or TimestampFailed with a plain reason."""
    import urllib.error
    import urllib.request

    from rfc3161_client import HashAlgorithm, PKIStatus, TimestampRequestBuilder, decode_timestamp_response

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
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        # A refusal holds no token to check. "Granted with modifications" is refused too, as the
        # verifier refuses it: the TSA stamped something other than what was asked.
        texts = "; ".join(response.status_string) or f"status {response.status}"
        raise TimestampFailed(f"it did not grant the timestamp as asked ({texts})")
    certificates = certificates_in(response)
    chain = build_chain(certificates, extra_certificates)
    if not chain:
        raise TimestampFailed("its reply does not include the TSA's certificate (evidencekit asked for it)")
    problem = check_token(response, message, chain, request)
    if problem and problem.severity == ERROR:
        raise TimestampFailed(problem.text)
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = b"".join(cert.public_bytes(Encoding.PEM) for cert in chain)
    info = describe(response, chain)
    info["checked"] = problem is None
    return reply, pem, info


def certificates_in(response: Any) -> list[Any]:
    from cryptography import x509

    return [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]


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


DIFFERENT_DATA = "it time-stamps different data, not this tag manifest"
# The verifier's reasons (rfc3161-client's VerificationError texts) in a person's words.
_PLAIN = {
    "Mismatch between messages": DIFFERENT_DATA,
    "Nonce mismatch": "it does not answer evidencekit's request (the nonce differs): an old or "
    "another computer's reply",
    "Policy ID mismatch": "it was made under another policy than the one asked for",
    "PKIStatus is not GRANTED": "the TSA did not grant it as asked",
}


def check_token(
    response: Any, message: bytes, chain: list[Any], request: Any | None = None
) -> TokenProblem | None:
    """Check one token over `message`; None when it is valid.

    rfc3161-client's verifier checks all it can: the status, the signature and chain as of the
    stamped time, the TSA certificate's timeStamping usage, the stamped digest (with the token's
    own hash algorithm) and, given the `request` it answers, its nonce and policy. It needs a root
    certificate; without one, it checks nothing, so the stamped digest (and the nonce) are compared
    here: a token for other data, or an old reply, is still refused.
    """
    from rfc3161_client import VerificationError, VerifierBuilder

    anchor = chain[-1]
    if anchor.issuer != anchor.subject:
        if response.tst_info.message_imprint.message != _digest_for(response, message):
            return TokenProblem(ERROR, DIFFERENT_DATA)
        if request is not None and response.tst_info.nonce != request.nonce:
            return TokenProblem(ERROR, _PLAIN["Nonce mismatch"])
        return TokenProblem(
            WARNING, "the TSA's root certificate is unknown, so its signature cannot be checked"
        )
    builder = VerifierBuilder.from_request(request) if request is not None else VerifierBuilder()
    builder = builder.tsa_certificate(chain[0]).add_root_certificate(anchor)
    for cert in chain[1:-1]:
        builder = builder.add_intermediate_certificate(cert)
    try:
        builder.build().verify_message(response, message)
    except VerificationError as exc:
        plain = _PLAIN.get(str(exc))
        return TokenProblem(ERROR, plain or f"it is not valid ({exc})")
    except ValueError as exc:
        return TokenProblem(ERROR, f"it cannot be checked ({exc})")
    return None


def _digest_for(response: Any, message: bytes) -> bytes:
    """The digest of `message` by the token's own hash algorithm (for a token with no root known,
    which the verifier cannot check at all)."""
    oid = response.tst_info.message_imprint.hash_algorithm.dotted_string
    name = {
        "2.16.840.1.101.3.4.2.1": "sha256",
        "2.16.840.1.101.3.4.2.2": "sha384",
        "2.16.840.1.101.3.4.2.3": "sha512",
    }
    return hashlib.new(name.get(oid, "sha256"), message).digest()


def document_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_records(bag: BagView, path: str) -> dict[int, dict[str, Any]]:
    try:
        data = parse_json(bag.read_bytes(path).decode("utf-8"))
        return {int(r["number"]): r for r in data.get("timestamps", []) if isinstance(r, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def existing_records(bag_root: Path) -> list[dict[str, Any]]:
    """The timestamps.json records already in a sealed case's seal/ folder."""
    return list(read_records(as_bag_view(bag_root), TIMESTAMPS_JSON).values())


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
