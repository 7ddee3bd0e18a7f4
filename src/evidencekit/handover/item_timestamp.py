"""A trusted time (RFC 3161) for each item: its record stamped by one or more TSAs, kept beside it.

The seal's token (timestamp.py) proves when the whole case existed; an item captured weeks before
the seal has no trusted time of its own. This gives it one, at capture (`capture --timestamp`) or
later, for every item that has none yet (`evidencekit timestamp`). What is kept, under
`data/derived/<item>/trusted-time/`, listed in the manifest and logged like every derived file:

    record.txt          the item's record in canonical `key: value` lines (case, item, hashes, size,
                        when it was captured); its SHA-256 is what the TSA signed
    token-N.tsr         the reply of the Nth TSA exactly as received (TimeStampResp, DER)
    tsa-chain-N.pem     that TSA's certificate, then its issuers up to the root when known
    trusted-time.json   for each token: the TSA's URL, its time, this computer's clock against it,
                        the delay since capture; and each TSA that failed, with why

`openssl ts -verify -in token-1.tsr -data record.txt -CAfile tsa-chain-1.pem` checks a token with
no evidencekit (seal/VERIFY.txt lists the commands). The network is used only here, only when asked,
and before the case is locked: a TSA that is slow, refuses or answers for other data costs the case
nothing; the item is kept without a token and can be stamped later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypedDict

from evidencekit._version import __version__
from evidencekit.case import layout
from evidencekit.case.atomic import write_bytes_durably
from evidencekit.clock import iso_utc, parse_iso
from evidencekit.handover.timestamp import DIFFERENT_DATA, TimestampFailed, request_token

if TYPE_CHECKING:
    from evidencekit.case.case import Case, CaseChange

FOLDER = "trusted-time"
RECORD_TXT = "record.txt"
TRUSTED_TIME_JSON = "trusted-time.json"
TRUSTED_TIME_FORMAT = "evidencekit-trusted-time/1"
RECORD_FORMAT = "evidencekit-item-record/1"
ACTION = "item-timestamped"

Progress = Callable[[int, int, str], None]  # (done, total, label)
Clock = Callable[[], datetime]


def folder_of(item_id: str) -> str:
    return f"{layout.DERIVED_DIR}/{item_id}/{FOLDER}"


def item_reference(reference: str) -> str:
    """E0001 from "E0001", "e1" or "1"."""
    key = reference.strip().upper()
    digits = key[1:] if key.startswith("E") else key
    return f"E{int(digits):04d}" if digits.isdigit() and len(digits) < 10 else key


def token_path(item_id: str, number: int) -> str:
    return f"{folder_of(item_id)}/token-{number}.tsr"


def chain_path(item_id: str, number: int) -> str:
    return f"{folder_of(item_id)}/tsa-chain-{number}.pem"


# ---- the record a TSA signs ------------------------------------------------------------------


def _one_line(value: object) -> str:
    """A value on one line: control characters and backslashes written as escapes, so a record
    read from a case cannot add a line of its own."""
    text = str(value)
    return "".join(
        "\\\\" if ch == "\\" else (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in text
    )


def record_text(case_id: str, item: Mapping[str, Any]) -> bytes:
    """The canonical text of what is time-stamped for `item`: the facts that say which bytes it is
    and when it was captured, one `key: value` line each, in this order, UTF-8, LF."""
    pairs: list[tuple[str, object]] = [
        ("format", RECORD_FORMAT),
        ("case", case_id),
        ("item", item.get("id")),
        ("kind", item.get("kind")),
    ]
    if item.get("files") is not None:
        pairs += [("tree-sha256", item.get("tree_sha256")), ("file-count", item.get("file_count"))]
    else:
        pairs.append(("sha256", item.get("sha256")))
        if item.get("md5"):
            pairs.append(("md5", item.get("md5")))
    pairs += [
        ("size", item.get("size")),
        ("captured-at", item.get("captured_at")),
        ("stored-at", "by reference (not copied)" if item.get("by_reference") else item.get("bag_path")),
    ]
    return "".join(f"{key}: {_one_line('' if value is None else value)}\n" for key, value in pairs).encode()


# ---- trusted-time.json -------------------------------------------------------------------------


class TokenEntry(TypedDict):
    number: int
    tsa_url: str
    token: str
    chain: str
    token_sha256: str
    chain_sha256: str
    asked_at: str
    received_at: str
    gen_time: str
    accuracy_seconds: float | None
    serial_number: str
    policy: str
    tsa: str | None
    root: str | None
    root_sha256: str | None
    checked: bool
    clock_offset_seconds: float  # this computer's clock minus the TSA's (+: ahead)
    delay_seconds: float | None  # from capture to the TSA's time


class FailureEntry(TypedDict):
    tsa_url: str
    asked_at: str
    problem: str


class TrustedTime(TypedDict):
    format: str
    tool: str
    item: str
    record: str
    record_sha256: str
    captured_at: str | None
    tokens: list[TokenEntry]
    failures: list[FailureEntry]


def document_bytes(document: TrustedTime) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# ---- asking the TSAs (no lock held) ---------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One token received for one item."""

    url: str
    reply: bytes
    chain: bytes
    asked_at: datetime
    received_at: datetime
    facts: dict[str, Any]


@dataclass
class ItemStamp:
    """What the TSAs said for one item."""

    item_id: str
    name: str
    record: bytes
    captured_at: str | None
    received: list[Received] = field(default_factory=list)
    failures: list[FailureEntry] = field(default_factory=list)
    document: TrustedTime | None = None  # once saved

    @property
    def stamped(self) -> bool:
        return bool(self.received)


@dataclass
class StampResult:
    """What `stamp_items` did: the items stamped, those that already had a token, those left
    without one (each with its TSAs' sentences)."""

    stamped: list[ItemStamp] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[ItemStamp] = field(default_factory=list)
    recovered: str | None = None


@dataclass
class TsaClient:
    """The TSAs to ask, and how (the seal's `--tsa` and `--tsa-ca`)."""

    urls: list[str]
    extra_certificates: list[bytes] = field(default_factory=list)
    timeout: float = 30.0
    clock: Clock = lambda: datetime.now(timezone.utc)
    # A TSA that could not be reached is not asked again for the next items (same sentence).
    _unreachable: dict[str, str] = field(default_factory=dict)

    def ask(self, stamp: ItemStamp) -> None:
        for url in self.urls:
            asked_at = self.clock()
            if url in self._unreachable:
                stamp.failures.append(
                    {"tsa_url": url, "asked_at": iso_utc(asked_at), "problem": self._unreachable[url]}
                )
                continue
            try:
                reply, chain, facts = request_token(url, stamp.record, self.extra_certificates, self.timeout)
            except TimestampFailed as exc:
                problem = str(exc)
                if problem == DIFFERENT_DATA:
                    problem = "it answered for different data, not this item's record"
                if problem.startswith("it could not be reached"):
                    self._unreachable[url] = problem
                stamp.failures.append({"tsa_url": url, "asked_at": iso_utc(asked_at), "problem": problem})
                continue
            except Exception as exc:  # noqa: BLE001 - a TSA must never stop the others
                problem = f"its reply could not be used ({type(exc).__name__})"
                stamp.failures.append({"tsa_url": url, "asked_at": iso_utc(asked_at), "problem": problem})
                continue
            stamp.received.append(Received(url, reply, chain, asked_at, self.clock(), facts))


def _has_token(manifest: Mapping[str, str], item_id: str) -> bool:
    return f"{folder_of(item_id)}/{TRUSTED_TIME_JSON}" in manifest


def _label(item: Mapping[str, Any]) -> str:
    return str(item.get("original_name") or item.get("id"))


def stamp_items(
    case: Case,
    client: TsaClient,
    item_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> StampResult:
    """Time-stamp every item with no trusted time yet (or the items named), as one logged change.

    The TSAs are asked first, with no lock held; then the case is locked and every token received
    is staged with its record, its chain and trusted-time.json in one all-or-nothing change. An
    item stamped meanwhile by another command keeps what it has."""
    from evidencekit.errors import CaseSealedError, InputFileError

    if case.is_sealed():
        raise CaseSealedError(
            "This case is sealed, so no trusted time can be added to its items.",
            hint="Run: evidencekit reopen, then evidencekit timestamp, then seal again "
            "(or: evidencekit seal --tsa URL stamps the sealed case as a whole).",
        )
    result = StampResult()
    items = case.items()
    manifest = case.manifest()
    by_id = {str(item.get("id")): item for item in items}
    if item_ids is not None:
        unknown = [i for i in item_ids if i not in by_id]
        if unknown:
            raise InputFileError(
                f"This case has no item {unknown[0]}.",
                hint="evidencekit status lists the items (E0001, E0002…).",
            )
        chosen = [by_id[i] for i in item_ids]
    else:
        chosen = list(items)
    wanted: list[Mapping[str, Any]] = []
    for item in chosen:
        if _has_token(manifest, str(item["id"])):
            result.already.append(str(item["id"]))
        else:
            wanted.append(item)
    stamps = []
    for number, one in enumerate(wanted):
        if progress is not None:
            progress(number, len(wanted), str(one["id"]))
        stamp = ItemStamp(
            str(one["id"]),
            _label(one),
            record_text(case.info.id, one),
            _text_or_none(one.get("captured_at")),
        )
        client.ask(stamp)
        stamps.append(stamp)
    if progress is not None and wanted:
        progress(len(wanted), len(wanted), "")
    result.failed = [s for s in stamps if not s.stamped]
    received = [s for s in stamps if s.stamped]
    if not received:
        return result
    with case.change("timestamp") as change:
        result.recovered = change.recovered
        now_items = {str(i.get("id")): i for i in change.existing_items}
        now_manifest = case.manifest()
        for stamp in received:
            current = now_items.get(stamp.item_id)
            if _has_token(now_manifest, stamp.item_id):
                result.already.append(stamp.item_id)
                continue
            if current is None or record_text(case.info.id, current) != stamp.record:
                stamp.failures.append(
                    {
                        "tsa_url": stamp.received[0].url,
                        "asked_at": iso_utc(stamp.received[0].asked_at),
                        "problem": "the item's record changed while the TSA was asked",
                    }
                )
                stamp.received.clear()
                result.failed.append(stamp)
                continue
            stage_stamp(change, stamp)
            result.stamped.append(stamp)
    return result


def stage_stamp(change: CaseChange, stamp: ItemStamp) -> None:
    """Stage one item's trusted-time files in `change` (new payload, in the manifest) and log them."""
    files: dict[str, bytes] = {f"{folder_of(stamp.item_id)}/{RECORD_TXT}": stamp.record}
    tokens: list[TokenEntry] = []
    captured = _parsed(stamp.captured_at)
    for number, got in enumerate(stamp.received, start=1):
        files[token_path(stamp.item_id, number)] = got.reply
        files[chain_path(stamp.item_id, number)] = got.chain
        gen_time = parse_iso(str(got.facts["gen_time"]))
        midpoint = got.asked_at + (got.received_at - got.asked_at) / 2
        tokens.append(
            {
                "number": number,
                "tsa_url": got.url,
                "token": token_path(stamp.item_id, number),
                "chain": chain_path(stamp.item_id, number),
                "token_sha256": hashlib.sha256(got.reply).hexdigest(),
                "chain_sha256": hashlib.sha256(got.chain).hexdigest(),
                "asked_at": iso_utc(got.asked_at),
                "received_at": iso_utc(got.received_at),
                "gen_time": str(got.facts["gen_time"]),
                "accuracy_seconds": got.facts.get("accuracy_seconds"),
                "serial_number": str(got.facts.get("serial_number")),
                "policy": str(got.facts.get("policy")),
                "tsa": got.facts.get("tsa"),
                "root": got.facts.get("root"),
                "root_sha256": got.facts.get("root_sha256"),
                "checked": bool(got.facts.get("checked")),
                "clock_offset_seconds": round((midpoint - gen_time).total_seconds(), 3),
                "delay_seconds": round((gen_time - captured).total_seconds(), 3) if captured else None,
            }
        )
    document: TrustedTime = {
        "format": TRUSTED_TIME_FORMAT,
        "tool": f"evidencekit {__version__}",
        "item": stamp.item_id,
        "record": f"{folder_of(stamp.item_id)}/{RECORD_TXT}",
        "record_sha256": hashlib.sha256(stamp.record).hexdigest(),
        "captured_at": stamp.captured_at,
        "tokens": tokens,
        "failures": list(stamp.failures),
    }
    files[f"{folder_of(stamp.item_id)}/{TRUSTED_TIME_JSON}"] = document_bytes(document)
    logged = []
    for bag_path, data in files.items():
        target = change.reserve_payload(bag_path)
        write_bytes_durably(target, data)
        digest = hashlib.sha256(data).hexdigest()
        change.add_payload(bag_path, digest, len(data))
        logged.append({"path": bag_path, "sha256": digest})
    change.log(
        ACTION,
        {
            "item": stamp.item_id,
            "tokens": [{"tsa_url": t["tsa_url"], "gen_time": t["gen_time"], "tsa": t["tsa"]} for t in tokens],
            "failures": [{"tsa_url": f["tsa_url"], "problem": f["problem"]} for f in stamp.failures],
            "files": logged,
        },
    )
    stamp.document = document


def _parsed(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def delay_words(seconds: float | None) -> str:
    """“3 days after capture”: how long after capture the trusted time was given."""
    if seconds is None:
        return "capture time unknown"
    if abs(seconds) < 60:  # the TSA's time has its accuracy, and the capture took a moment too
        return "at capture"
    if seconds < 0:
        return f"{duration_words(seconds)} before the recorded capture time (this computer's clock was ahead)"
    return f"{duration_words(seconds)} after capture"


def duration_words(seconds: float) -> str:
    amount = abs(seconds)
    if amount < 120:
        return f"{amount:.0f} seconds"
    if amount < 7200:
        return f"{amount / 60:.0f} minutes"
    if amount < 172800:
        return f"{amount / 3600:.1f} hours"
    return f"{amount / 86400:.1f} days"


def offset_words(offset: float) -> str:
    """“2 seconds ahead”: this computer's clock against the TSA's."""
    if abs(offset) < 1:
        return "right to within a second"
    return f"{duration_words(offset)} {'ahead' if offset > 0 else 'behind'}"


def token_files(paths: Iterable[str]) -> list[tuple[str, int, str]]:
    """(item id, token number, token path) of every item token among `paths` (a manifest's), sorted."""
    from evidencekit.case.verify_text import item_tokens

    return item_tokens(paths)


__all__ = [
    "ACTION",
    "ItemStamp",
    "StampResult",
    "TrustedTime",
    "TsaClient",
    "record_text",
    "stamp_items",
    "token_files",
]
