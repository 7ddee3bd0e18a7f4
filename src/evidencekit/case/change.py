"""One staged change to a case, and how it is committed: everything at once, or nothing.

`Case.change()` makes a `CaseChange` after taking the lock; the command stages payload files,
records and custody entries on it. `commit()` then regenerates the manifests, bag-info.txt and the
tag manifest and hands every file to the journal, which renames them into place in an order a
crash cannot break (payload first, the tag manifest last, then seal files; see `journal`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.case import layout, safepath, withdraw
from evidencekit.case.bag import format_bag_info, format_manifest, parse_manifest
from evidencekit.case.custody import head_of, line_digest, make_entry
from evidencekit.case.info import CaseDamagedError, default_actor
from evidencekit.case.journal import Journal
from evidencekit.case.jsonlines import dumps_lines

if TYPE_CHECKING:
    from evidencekit.case.case import Case
    from evidencekit.case.records import ItemRecord, UrlRecord


@dataclass
class CaseChange:
    """One staged change to a case. Obtained from `Case.change()`; never built directly."""

    case: Case
    command: str
    recovered: str | None
    journal: Journal = field(init=False)
    actor: str = field(init=False)
    _items: list[dict[str, Any]] = field(default_factory=list)
    _urls: list[dict[str, Any]] = field(default_factory=list)
    _appends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _custody: list[tuple[str, dict[str, Any], datetime]] = field(default_factory=list)
    _payload: dict[str, tuple[str, int]] = field(default_factory=dict)
    _replaced: set[str] = field(default_factory=set)
    _files: dict[str, bytes] = field(default_factory=dict)
    _moves: list[tuple[str, str]] = field(default_factory=list)
    withdrawn: dict[str, withdraw.Withdrawal] = field(default_factory=dict)  # see case/withdraw.py
    _existing_items: list[ItemRecord] | None = None
    _existing_urls: list[UrlRecord] | None = None
    committed_tagmanifest: bytes | None = None
    # Called with the new tag manifest just before commit; returns seal files to write with it.
    seal_with: Callable[[bytes], dict[str, bytes]] | None = None

    def __post_init__(self) -> None:
        self.journal = Journal.begin(self.case.root)
        self.actor = default_actor(self.case.info.collector)

    # ---- what is already there ----

    @property
    def existing_items(self) -> list[ItemRecord]:
        if self._existing_items is None:
            self._existing_items = self.case.items()
        return self._existing_items

    @property
    def existing_urls(self) -> list[UrlRecord]:
        if self._existing_urls is None:
            self._existing_urls = self.case.urls()
        return self._existing_urls

    def now(self) -> datetime:
        return self.case.clock()

    def next_item_id(self) -> str:
        return f"E{len(self.existing_items) + len(self._items) + 1:04d}"

    def next_url_id(self) -> str:
        return f"U{len(self.existing_urls) + len(self._urls) + 1:04d}"

    # ---- staging ----

    def reserve_payload(self, bag_path: str) -> Path:
        """Where to write a new payload file (or folder tree) that will appear at `bag_path`."""
        return self.journal.reserve(bag_path)

    def discard_payload(self, bag_path: str) -> None:
        """Drop a staged payload (e.g. it turned out to be a duplicate)."""
        self.journal.forget(bag_path)

    def add_payload(self, bag_path: str, sha256: str, size: int) -> None:
        """Declare a staged payload file so it is listed in the manifest."""
        self._payload[bag_path] = (sha256, size)

    def replace_payload(self, bag_path: str, sha256: str, size: int) -> Path:
        """Stage a new version of a derived file that is already in the case (e.g. a regenerated
        report). Returns where to write it. Items themselves are never replaced."""
        if not bag_path.startswith(layout.DERIVED_DIR + "/"):
            raise ValueError("only derived files can be replaced, never captured evidence")
        target = self.journal.reserve(bag_path)
        self._payload[bag_path] = (sha256, size)
        self._replaced.add(bag_path)
        return target

    def add_item(self, record: dict[str, Any]) -> None:
        self._items.append(record)

    def add_url(self, record: dict[str, Any]) -> None:
        self._urls.append(record)

    def append_record(self, relative: str, record: dict[str, Any]) -> None:
        """Append a record to any JSON Lines file under `evidencekit/` (e.g. offenders.jsonl)."""
        if not relative.startswith(layout.RECORDS_DIR + "/"):
            raise ValueError(f"records live under {layout.RECORDS_DIR}/, not {relative}")
        self._appends.setdefault(relative, []).append(record)

    def put_file(self, relative: str, data: bytes) -> None:
        """Stage a whole file (a tag file or a seal file) to be written at commit."""
        self._files[relative] = data

    def move_file(self, source: str, final: str) -> None:
        self._moves.append((source, final))

    def withdraw_derived(self, item_id: str, paths: list[str], reason: str) -> list[withdraw.Withdrawal]:
        """Take derived files of `item_id` out of the case with this change, logged with why."""
        return withdraw.stage(self, item_id, paths, reason)

    def log(self, action: str, details: dict[str, Any], at: datetime | None = None) -> None:
        """Add an entry to the custody log (written at commit, in order); `at` when the entry must
        carry the same moment as a file written with it (the seal's seal.json)."""
        self._custody.append((action, details, at or self.now()))

    # ---- commit ----

    def is_empty(self) -> bool:
        return not (
            self._items
            or self._urls
            or self._appends
            or self._custody
            or self._payload
            or self._files
            or self._moves
            or self.journal.renames
        )

    def commit(self) -> None:
        if self.is_empty():
            self.journal.abort()
            return
        case = self.case
        root = case.root
        files = dict(self._files)

        appends = dict(self._appends)
        if self._items:
            appends.setdefault(layout.ITEMS_JSONL, []).extend(self._items)
        if self._urls:
            appends.setdefault(layout.URLS_JSONL, []).extend(self._urls)
        for relative, records in appends.items():
            files[relative] = (case.read_text(relative) + dumps_lines(records)).encode("utf-8")

        custody = case.read_text(layout.CUSTODY_JSONL)
        if self._custody:
            prev = head_of(custody)
            seq = len(custody.splitlines())
            lines = []
            for action, details, at in self._custody:
                seq += 1
                line = make_entry(seq=seq, at=at, actor=self.actor, action=action, details=details, prev=prev)
                lines.append(line + "\n")
                prev = line_digest(line)
            custody += "".join(lines)
            files[layout.CUSTODY_JSONL] = custody.encode("utf-8")

        oxum = None
        if self._payload or self.withdrawn:
            entries = {line.path: line.digest for line in parse_manifest(case.read_text(layout.MANIFEST))}
            entries_before = set(entries)
            clash = (set(entries) & set(self._payload)) - self._replaced
            if clash:  # item ids are new each time, so this is a bug, never a user error
                raise RuntimeError(f"payload paths already in the manifest: {sorted(clash)[:3]}")
            entries.update({path: digest for path, (digest, _size) in self._payload.items()})
            octets, count = _current_oxum(case.bag_info())
            octets, count = withdraw.remove_from_manifest(entries, self.withdrawn, octets, count)
            files[layout.MANIFEST] = format_manifest(entries).encode("utf-8")
            for bag_path, (_digest, size) in self._payload.items():
                if bag_path in self._replaced and bag_path in entries_before:
                    octets += size - _size_on_disk(root, bag_path)
                else:
                    octets += size
                    count += 1
            oxum = f"{octets}.{count}"
        files[layout.BAG_INFO_TXT] = self._bag_info(oxum, head_of(custody)).encode("utf-8")
        files[layout.TAGMANIFEST] = _tag_manifest(root, files).encode("utf-8")
        if self.seal_with is not None:
            files.update(self.seal_with(files[layout.TAGMANIFEST]))

        # Payload first, then records, manifests, bag-info; the tag manifest last; then seal files.
        for relative in _commit_order(files):
            self.journal.put(relative, files[relative])
        for source, final in self._moves:
            self.journal.move(source, final)
        self.journal.renames.sort(key=lambda pair: _rank(pair[1]))
        self.journal.commit()
        self.committed_tagmanifest = files[layout.TAGMANIFEST]

    def abort(self) -> None:
        self.journal.abort()

    def _bag_info(self, oxum: str | None, head: str) -> str:
        fields = self.case.bag_info()
        updates = {"EK-Custody-Head": head}
        if oxum is not None:
            updates["Payload-Oxum"] = oxum
        out: list[tuple[str, str]] = []
        for label, value in fields:
            if label in updates:
                out.append((label, updates.pop(label)))
            else:
                out.append((label, value))
        out.extend(updates.items())
        return format_bag_info(out)


def _size_on_disk(root: Path, relative: str) -> int:
    try:
        st = safepath.lstat_in_case(root, relative)
    except OSError:
        return 0
    return st.st_size if st is not None and safepath.kind_of(st) == "file" else 0


def _current_oxum(bag_info: list[tuple[str, str]]) -> tuple[int, int]:
    """(octets, files) from bag-info.txt's Payload-Oxum. Added to, never recounted from disk, so a
    payload file changed outside evidencekit still shows up as a mismatch in verify."""
    for label, value in bag_info:
        if label == "Payload-Oxum":
            octets, _, count = value.partition(".")
            if octets.isdigit() and count.isdigit():
                return int(octets), int(count)
    raise CaseDamagedError(
        "bag-info.txt in this case has no readable Payload-Oxum.",
        hint="Run: evidencekit verify, to see what changed.",
    )


def _rank(final: str) -> int:
    if final.startswith(layout.DATA_DIR + "/"):
        return 0
    if final.startswith(layout.RECORDS_DIR + "/"):
        return 1
    if final == layout.MANIFEST:
        return 2
    if final == layout.BAG_INFO_TXT:
        return 3
    if final == layout.TAGMANIFEST:
        return 5
    if final.startswith(layout.SEAL_DIR + "/"):
        return 6
    return 4


def _commit_order(files: dict[str, bytes]) -> list[str]:
    return sorted(files, key=lambda rel: (_rank(rel), rel))


def _tag_manifest(root: Path, staged: dict[str, bytes]) -> str:
    """Tag manifest over bagit.txt, bag-info.txt, the payload manifest and every evidencekit/ file."""
    tag_files: dict[str, str] = {}
    names = {layout.BAGIT_TXT, layout.BAG_INFO_TXT, layout.MANIFEST}
    for entry in safepath.walk(root, layout.RECORDS_DIR):
        if entry.kind in ("link", "special"):  # signing over it would vouch for what it points at
            raise safepath.UnsafeCasePathError(
                f"{entry.path} in this case is not a plain file or folder, so evidencekit will not "
                "add to the case."
            )
        if entry.kind == "file" and not entry.path.rsplit("/", 1)[-1].startswith(".ek-tmp-"):
            names.add(entry.path)
    names.update(rel for rel in staged if rel.startswith(layout.RECORDS_DIR + "/"))
    for rel in names:
        data = staged.get(rel)
        if data is None:
            data = safepath.read_bytes(root, rel)
        tag_files[rel] = hashlib.sha256(data).hexdigest()
    return format_manifest(tag_files)
