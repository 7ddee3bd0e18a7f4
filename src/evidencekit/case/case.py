"""The case folder as an object: create it, find it, read it, and change it safely.

`Case` reads. `Case.change()` is the only way to write: it takes the lock, finishes or discards
whatever an interrupted command left, refuses to build on records that were edited outside
evidencekit, and returns a `CaseChange` that stages new payload files, records and custody entries.
When the `with` block ends without an error, the manifests, bag-info.txt and tag manifest are
regenerated and everything is committed at once (see `change` and `journal`).

What a case.json must hold is in `info`; `CaseInfo`, `CaseChange`, `CaseDamagedError` and
`default_actor` are importable from here too, where most code finds them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, cast

from evidencekit._version import __version__
from evidencekit.case import layout, safepath
from evidencekit.case import records as record_kinds
from evidencekit.case.atomic import atomic_write_bytes, fsync_dir, make_private_dir, storage_errors
from evidencekit.case.bag import format_bag_info, format_manifest, parse_bag_info, parse_manifest
from evidencekit.case.change import CaseChange
from evidencekit.case.custody import GENESIS, line_digest, make_entry
from evidencekit.case.info import MAX_CASE_JSON_BYTES, CaseDamagedError, CaseInfo, default_actor, new_case_id
from evidencekit.case.journal import recover, signals_deferred
from evidencekit.case.jsonlines import canonical_json, iter_lines, parse_json
from evidencekit.case.lock import CaseLock
from evidencekit.clock import Clock, iso_local, iso_utc, load_zone, local_zone_name, system_clock
from evidencekit.errors import (
    CaseExistsError,
    CaseSealedError,
    EvidenceKitError,
    InvalidValueError,
    NotACaseError,
)

__all__ = [
    "MAX_CASE_JSON_BYTES",
    "SOFTWARE_AGENT",
    "Case",
    "CaseChange",
    "CaseDamagedError",
    "CaseInfo",
    "create_case",
    "default_actor",
    "find_case",
    "new_case_id",
]

SOFTWARE_AGENT = f"evidencekit {__version__} <https://github.com/evidencekit/evidencekit>"


class Case:
    """A case folder on disk (read-only view; use `change()` to write)."""

    def __init__(self, root: Path, clock: Clock = system_clock) -> None:
        self.root = root
        self.clock = clock
        self.info = self._read_info()
        # Parsed records files, keyed by what the file is on disk: several parts of one command
        # (status sections, checks) read items.jsonl, which can be megabytes for a large case.
        self._records_cache: dict[str, tuple[tuple[int, int, int], list[dict[str, Any]]]] = {}

    # ---- finding and creating -------------------------------------------------------------

    @staticmethod
    def looks_like_case(path: Path) -> bool:
        """Both marker files are there, as plain files reached without a link."""
        return safepath.is_file_in_case(path, layout.CASE_JSON) and safepath.is_file_in_case(
            path, layout.BAGIT_TXT
        )

    def _read_info(self) -> CaseInfo:
        if not self.root.is_dir():
            raise NotACaseError(
                f"There is no case folder at {self.root}.",
                hint="Check the path, or create a case with: evidencekit new FOLDER",
            )
        if not self.looks_like_case(self.root):
            raise NotACaseError(
                f"{self.root} is not an evidencekit case folder.",
                hint="Create one with: evidencekit new FOLDER (or point --case at an existing case).",
            )
        try:
            text = safepath.read_text(self.root, layout.CASE_JSON, limit=MAX_CASE_JSON_BYTES)
            return CaseInfo.from_json(parse_json(text))
        except (OSError, ValueError) as exc:
            why = exc.message if isinstance(exc, EvidenceKitError) else str(exc)
            raise NotACaseError(
                f"The case description in {self.root / layout.CASE_JSON} cannot be used ({why}).",
                hint="The case may have been changed outside evidencekit. Run: evidencekit verify "
                + str(self.root),
            ) from exc

    @property
    def zone(self) -> tzinfo | None:
        try:
            return load_zone(self.info.zone)
        except InvalidValueError:
            return None

    def local_time(self, moment: datetime) -> str:
        return iso_local(moment, self.zone)

    # ---- reading ----------------------------------------------------------------------------

    def read_text(self, relative: str) -> str:
        """A text file of the case ('' when it does not exist), read through `safepath`: a link,
        a folder or a FIFO in its place is refused, never followed or waited on."""
        try:
            return safepath.read_text(self.root, relative, missing_ok=True)
        except UnicodeDecodeError as exc:
            raise CaseDamagedError(
                f"The case file {relative} is not readable text.",
                hint="Run: evidencekit verify, to see what changed.",
            ) from exc

    def records(self, relative: str) -> list[dict[str, Any]]:
        """All records of a JSON Lines file in `evidencekit/` (empty list if it does not exist).

        Each line of a file whose kind `records` knows (items, web addresses, custody entries,
        the story records) is checked for shape: anything else is a `CaseDamagedError` naming the
        line, so no reader meets a record evidencekit did not write. Parsed once per version of the
        file (its inode, size and modification time: every write replaces the file, so a change
        always shows). Treat the records as read-only."""
        st = safepath.lstat_in_case(self.root, relative)
        if st is None:
            return []
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self._records_cache.get(relative)
        if cached is not None and cached[0] == key:
            return list(cached[1])
        records = _checked_records(relative, self.read_text(relative))
        self._records_cache[relative] = (key, records)
        return list(records)

    # Typed views of the records `records` has checked: each line has the shape its TypedDict
    # says, so readers index the required fields and `.get` the optional ones.

    def items(self) -> list[record_kinds.ItemRecord]:
        return cast("list[record_kinds.ItemRecord]", self.records(layout.ITEMS_JSONL))

    def urls(self) -> list[record_kinds.UrlRecord]:
        return cast("list[record_kinds.UrlRecord]", self.records(layout.URLS_JSONL))

    def custody_entries(self) -> list[record_kinds.CustodyEntry]:
        return cast("list[record_kinds.CustodyEntry]", self.records(layout.CUSTODY_JSONL))

    def manifest(self) -> dict[str, str]:
        """{bag path: sha256} from manifest-sha256.txt."""
        text = self.read_text(layout.MANIFEST)
        return {line.path: line.digest for line in parse_manifest(text) if line.problem is None}

    def bag_info(self) -> list[tuple[str, str]]:
        return parse_bag_info(self.read_text(layout.BAG_INFO_TXT))

    def is_sealed(self) -> bool:
        return safepath.exists_in_case(self.root, layout.SIGNATURE)

    def fingerprint(self) -> str | None:
        """The seal fingerprint: SHA-256 of tagmanifest-sha256.txt (what the victim writes down)."""
        try:
            return hashlib.sha256(safepath.read_bytes(self.root, layout.TAGMANIFEST)).hexdigest()
        except FileNotFoundError:
            return None

    # ---- writing ------------------------------------------------------------------------------

    def recover_if_needed(self) -> str | None:
        """Finish or discard an interrupted command's leftovers, if any; say what was done.

        Read-only commands call this so that "the next command" always tidies up; it quietly does
        nothing when another command holds the lock or the case is on a read-only disk.
        """
        from evidencekit.case.journal import pending_state

        if pending_state(self.root) is None:
            return None
        try:
            with CaseLock(self.root, "recover", wait=0):
                return recover(self.root)
        except (EvidenceKitError, OSError):
            return None

    @contextlib.contextmanager
    def change(
        self, command: str, *, allow_sealed: bool = False, lock_wait: float | None = None
    ) -> Iterator[CaseChange]:
        """Lock the case and stage a change; commit it if the block finishes without error."""
        with CaseLock(self.root, command, wait=lock_wait):
            with storage_errors("tidying up after an interrupted command"):
                recovered = recover(self.root)
            self.info = self._read_info()
            if self.is_sealed() and not allow_sealed:
                raise CaseSealedError(
                    "This case is sealed, so nothing more can be added to it.",
                    hint="If you need to add more, run: evidencekit reopen "
                    "(it is logged, and the next seal replaces this one).",
                )
            self._refuse_if_records_changed()
            change: CaseChange | None = None
            try:
                # Made inside the try: Ctrl-C just after the staging folder was made (while the
                # change is being set up) must remove it too.
                change = CaseChange(self, command, recovered)
                with storage_errors(f"saving the {command}"):
                    yield change
                    change.commit()
            except BaseException:
                if change is not None:
                    change.abort()
                else:
                    with contextlib.suppress(OSError, EvidenceKitError):
                        recover(self.root)  # nothing was staged yet: only the empty folder goes
                raise

    def _refuse_if_records_changed(self) -> None:
        """Never build on top of tag files that no longer match the tag manifest."""
        listed = parse_manifest(self.read_text(layout.TAGMANIFEST))
        for line in listed:
            try:  # the listed path comes from the case: read only inside it, never via a link
                actual = hashlib.sha256(safepath.read_bytes(self.root, line.path)).hexdigest()
            except OSError:
                actual = None
            if actual != line.digest:
                raise CaseDamagedError(
                    f"The case file {line.path} was changed or removed outside evidencekit, "
                    "so evidencekit will not add to this case (that could hide the change).",
                    hint="Run: evidencekit verify, to see exactly what changed.",
                )


def _checked_records(relative: str, text: str) -> list[dict[str, Any]]:
    """The records of one file, each checked for its kind's shape; the first bad line refuses."""
    kind = record_kinds.KINDS.get(relative)
    records: list[dict[str, Any]] = []
    for number, line in iter_lines(text):
        try:
            record = parse_json(line)
        except json.JSONDecodeError as exc:
            raise CaseDamagedError(
                f"The records file {relative} in this case cannot be read "
                f"(line {number} is not valid JSON ({exc.msg})).",
                hint="Run: evidencekit verify, to see what changed.",
            ) from exc
        if kind is not None:
            checked = record_kinds.check(kind, record, number)
        elif isinstance(record, dict):
            checked = record
        else:
            checked = f"line {number} of {relative}: it is not a JSON object"
        if isinstance(checked, str):
            raise CaseDamagedError(
                record_kinds.sentence(checked), hint="Run: evidencekit verify, to see what changed."
            )
        records.append(checked)
    return records


# ---- creating and finding cases ------------------------------------------------------------


def create_case(
    path: Path,
    *,
    title: str | None = None,
    collector: str | None = None,
    zone_name: str | None = None,
    country: str | None = None,
    flags: dict[str, Any] | None = None,
    clock: Clock = system_clock,
) -> Case:
    """Create an empty case at `path` (which must not exist, or be an empty folder)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CaseExistsError(
            f"{path} is a file, not a folder.",
            hint="Choose a new folder name for the case, for example: evidencekit new my-case",
        )
    if path.is_dir() and any(path.iterdir()):
        if Case.looks_like_case(path):
            raise CaseExistsError(
                f"There is already a case in {path}.",
                hint="Use it with: evidencekit --case " + str(path) + " status",
            )
        raise CaseExistsError(
            f"The folder {path} is not empty.",
            hint="Choose a new folder name; evidencekit creates the folder for you.",
        )
    if zone_name is not None:
        load_zone(zone_name)  # refuse a bad name before creating anything
    else:
        zone_name = local_zone_name()
    zone = load_zone(zone_name) if zone_name else None
    if country is not None:
        country = country.strip().upper()
        if not (len(country) == 2 and country.isalpha()):
            raise InvalidValueError(
                f"“{country}” is not a two-letter country code.",
                hint="Use codes like GB, US, AU, CA, IE, DE.",
            )

    now = clock()
    case_id = new_case_id(now)
    collector = " ".join(collector.split()) if collector else None
    title = " ".join((title or "").split()) or f"Evidence case {case_id}"
    case_json = {
        "format": layout.CASE_FORMAT,
        "id": case_id,
        "title": title,
        "created": {
            "utc": iso_utc(now),
            "local": iso_local(now, zone),
            "zone": zone_name,
        },
        "collector": collector,
        "country": country,
        "flags": flags or {},
        "tool": f"evidencekit {__version__}",
    }
    bag_info = [
        ("Bag-Software-Agent", SOFTWARE_AGENT),
        ("Bagging-Date", now.strftime("%Y-%m-%d")),
        ("External-Identifier", case_id),
        ("External-Description", title),
        ("Payload-Oxum", "0.0"),
        ("EK-Case-Format", layout.CASE_FORMAT),
    ]

    actor = default_actor(collector)
    first_entry = make_entry(
        seq=1,
        at=now,
        actor=actor,
        action="case-created",
        details={
            "case_id": case_id,
            "title": title,
            "collector": collector,
            "zone": zone_name,
            "country": country,
            "flags": flags or {},
        },
        prev=GENESIS,
    )
    bag_info.append(("EK-Custody-Head", line_digest(first_entry)))
    files = {
        layout.BAGIT_TXT: layout.BAGIT_DECLARATION.encode("utf-8"),
        layout.BAG_INFO_TXT: format_bag_info(bag_info).encode("utf-8"),
        layout.MANIFEST: b"",
        layout.CASE_JSON: (canonical_json(case_json) + "\n").encode("utf-8"),
        layout.CUSTODY_JSONL: (first_entry + "\n").encode("utf-8"),
    }
    files[layout.TAGMANIFEST] = format_manifest(
        {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    ).encode("utf-8")

    # Build the new case in a hidden sibling folder, then rename it into place: a crash leaves
    # either no case or a complete one.
    parent = path.absolute().parent
    with storage_errors("creating the case"):
        make_private_dir(parent)
        building = parent / f".ek-new-{secrets.token_hex(4)}"
        # Ctrl-C, SIGTERM or a closed terminal wait until the case is whole or the hidden folder
        # is gone: SIGTERM would otherwise leave the folder behind, and a Ctrl-C at the last
        # rename would report that nothing was made when the case was.
        with signals_deferred():
            make_private_dir(building)
            try:
                safepath.make_dirs(building, layout.ITEMS_DIR)
                safepath.make_dirs(building, layout.RECORDS_DIR)
                for relative, data in files.items():
                    atomic_write_bytes(building / relative, data)
                if path.is_dir():
                    path.rmdir()  # it was empty
                os.replace(building, path)
                fsync_dir(parent)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
    return Case(path, clock=clock)


def find_case(explicit: Path | None = None, start: Path | None = None, clock: Clock = system_clock) -> Case:
    """The case to work on: `explicit` (from --case or EVIDENCEKIT_CASE), else the nearest
    folder at or above `start` (like git), else a clear error."""
    if explicit is not None:
        return Case(Path(explicit), clock=clock)
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if Case.looks_like_case(folder):
            return Case(folder, clock=clock)
    raise NotACaseError(
        "No case folder was given, and this folder is not inside a case.",
        hint="Add --case FOLDER, or cd into the case folder, or create one with: evidencekit new FOLDER",
    )
