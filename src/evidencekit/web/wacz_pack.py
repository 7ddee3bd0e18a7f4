"""A WACZ for each web capture, stored as a derived file: `data/derived/<item>/capture.wacz`.

Made right after `add-url --archive` / `archive-urls` store a capture (its own change, so a
capture is never lost to a problem with its WACZ), and by `evidencekit wacz` for captures made
before. The WARC is read from the case through safepath and must still match its SHA-256 in the
manifest; the WACZ holds that WARC byte for byte, so replaying the WACZ replays the evidence.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidencekit._version import __version__
from evidencekit.case import layout, safepath
from evidencekit.case.case import Case
from evidencekit.errors import EvidenceKitError, InvalidValueError
from evidencekit.web import wacz

WACZ_NAME = "capture.wacz"
WACZ_MADE = "wacz-made"
MIME = "application/wacz"
INCOMPLETE = (
    " The capture is incomplete: it stopped before the page was wholly recorded, and what was left "
    "out is listed in the item's web_capture (errors, browser_traffic.left_out)."
)


def wacz_path(item_id: str) -> str:
    """Where the WACZ of the web capture `item_id` lives in the case."""
    return f"{layout.DERIVED_DIR}/{item_id}/{WACZ_NAME}"


@dataclass(frozen=True)
class Packed:
    """One WACZ made."""

    item_id: str
    url_id: str
    path: str  # bag path
    sha256: str
    size: int
    pages: tuple[str, ...]  # the addresses offered to open first
    indexed: int  # responses a replay tool can find
    left_out: int  # responses to POST requests and records of non-web addresses


@dataclass(frozen=True)
class NotPacked:
    item_id: str
    problem: str  # a sentence, without its full stop


@dataclass(frozen=True)
class Existing:
    """A capture whose WACZ was made before."""

    item_id: str
    url_id: str
    path: str
    address: str  # where the capture ended up (the page's address)


@dataclass
class PackResult:
    """What `make_waczs` did with each web capture."""

    made: list[Packed] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    existing: list[Existing] = field(default_factory=list)
    failed: list[NotPacked] = field(default_factory=list)
    recovered: str | None = None


def warc_of(item: Mapping[str, Any]) -> str | None:
    """The bag path of a web capture's WARC, from its item record (None if it has none)."""
    bag_path = item.get("bag_path")
    if item.get("kind") != "url-capture" or not isinstance(bag_path, str):
        return None
    for member in item.get("files") or []:
        name = member.get("path") if isinstance(member, dict) else None
        if isinstance(name, str) and member.get("role") == "warc" and name.endswith((".warc", ".warc.gz")):
            return f"{bag_path}/{name}"
    return None


def make_waczs(case: Case, item_ids: Sequence[str] = (), *, again: bool = False) -> PackResult:
    """Make the WACZ of every web capture that has none (or of the captures named; `again`
    makes it anew), in one logged change."""
    items = case.items()
    captures = [item for item in items if warc_of(item)]
    if item_ids:
        wanted = {i.strip().upper() for i in item_ids}
        known = {str(item["id"]) for item in captures}
        unknown = sorted(wanted - known)
        if unknown:
            raise InvalidValueError(
                f"{', '.join(unknown)} is not a web capture of this case.",
                hint="evidencekit status lists the items; web captures are made by add-url --archive "
                "and archive-urls.",
            )
        captures = [item for item in captures if str(item["id"]) in wanted]
    result = PackResult()
    manifest = case.manifest()
    todo = []
    for item in captures:
        if wacz_path(str(item["id"])) in manifest and not (again and item_ids):
            result.already.append(str(item["id"]))
            result.existing.append(_existing(item))
        else:
            todo.append(item)
    if not todo:
        return result
    with case.change("wacz") as change:
        result.recovered = change.recovered
        for item in todo:
            outcome = _pack_one(case, change, item, manifest)
            if isinstance(outcome, NotPacked):
                result.failed.append(outcome)
                continue
            result.made.append(outcome)
            change.log(
                WACZ_MADE,
                {
                    "item": outcome.item_id,
                    "url_id": outcome.url_id,
                    "files": [{"path": outcome.path, "sha256": outcome.sha256}],
                    "warc": warc_of(item),
                    "pages": list(outcome.pages),
                    "indexed": outcome.indexed,
                    "left_out": outcome.left_out,
                    "format": f"WACZ {wacz.WACZ_VERSION}",
                },
            )
    return result


def _existing(item: Mapping[str, Any]) -> Existing:
    capture = item["web_capture"] if isinstance(item.get("web_capture"), dict) else {}
    address = capture.get("final_url") or item.get("source_url") or ""
    return Existing(str(item["id"]), str(item.get("url_id") or ""), wacz_path(str(item["id"])), str(address))


def after_capture(case: Case, item: dict[str, Any]) -> PackResult:
    """The WACZ of a capture just stored. Never raises for a problem with the WACZ: the capture
    is already saved, and `evidencekit wacz` can make the WACZ later."""
    try:
        return make_waczs(case, [str(item["id"])])
    except (EvidenceKitError, OSError, ValueError) as exc:
        return PackResult(failed=[NotPacked(str(item.get("id")), _sentence(exc))])


def _pack_one(
    case: Case, change: Any, item: Mapping[str, Any], manifest: dict[str, str]
) -> Packed | NotPacked:
    item_id = str(item["id"])
    warc_path = warc_of(item)
    assert warc_path is not None
    recorded = manifest.get(warc_path)
    if recorded is None:
        return NotPacked(item_id, f"its WARC {warc_path} is not in the manifest (run evidencekit verify)")
    capture = item["web_capture"] if isinstance(item.get("web_capture"), dict) else {}
    scratch = change.journal.stage / f"wacz-{item_id}"
    try:
        fd = safepath.open_regular(case.root, warc_path)
    except OSError as exc:
        return NotPacked(item_id, f"its WARC {warc_path} could not be read ({_sentence(exc)})")
    changed = NotPacked(
        item_id,
        f"its WARC {warc_path} no longer matches its SHA-256 in the manifest (run evidencekit verify)",
    )
    try:
        with os.fdopen(fd, "rb") as stream:
            if _sha256(stream) != recorded:  # first, so a changed WARC is never read as one
                return changed
            stream.seek(0)
            written = wacz.write_wacz(
                scratch,
                stream,
                warc_path.rsplit("/", 1)[-1],
                title=f"{item.get('url_id') or item_id}: {capture.get('title') or item.get('source_url')}",
                description=f"Web capture {item_id} of {item.get('source_url')} for case {case.info.id}, "
                f"captured {item.get('captured_at')} (WARC {warc_path}, SHA-256 {recorded})."
                + (INCOMPLETE if capture.get("incomplete") else ""),
                created=change.now(),
                software=f"evidencekit {__version__}",
                page_urls=_page_candidates(item, capture),
            )
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        if exc.errno is None:  # not the system's: gzip's, reading a damaged WARC
            return NotPacked(
                item_id, f"its WARC {warc_path} could not be read as a WARC ({type(exc).__name__})"
            )
        return NotPacked(item_id, f"the WACZ could not be written ({exc.strerror or _sentence(exc)})")  # disk
    except Exception as exc:  # noqa: BLE001 - a damaged WARC can make warcio fail in any way
        scratch.unlink(missing_ok=True)
        return NotPacked(item_id, f"its WARC {warc_path} could not be read as a WARC ({type(exc).__name__})")
    if written.warc_sha256 != recorded:  # it changed while it was packed
        scratch.unlink(missing_ok=True)
        return changed
    target = wacz_path(item_id)
    if target in manifest:
        staged = change.replace_payload(target, written.sha256, written.size)
    else:
        staged = change.reserve_payload(target)
        change.add_payload(target, written.sha256, written.size)
    os.replace(scratch, staged)
    return Packed(
        item_id=item_id,
        url_id=str(item.get("url_id") or ""),
        path=target,
        sha256=written.sha256,
        size=written.size,
        pages=tuple(page.url for page in written.pages),
        indexed=len(written.index.lines),
        left_out=written.index.not_get + written.index.not_web,
    )


def _page_candidates(item: Mapping[str, Any], capture: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The addresses that may be the page, best first: where the browser ended up, where our own
    fetch ended up, what was asked for."""
    title = capture.get("title") if isinstance(capture.get("title"), str) else None
    browser = capture["browser"] if isinstance(capture.get("browser"), dict) else {}
    urls = [browser.get("final_url"), capture.get("final_url"), capture.get("fetched_url")]
    urls += [capture.get("requested_url"), item.get("source_url")]
    return [(url.split("#", 1)[0], title) for url in urls if isinstance(url, str) and url]


def _sha256(stream: Any) -> str:
    hasher = hashlib.sha256()
    while block := stream.read(1 << 20):
        hasher.update(block)
    return hasher.hexdigest()


def _sentence(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__).rstrip(".")[:200]
