"""Withdrawing a derived file: the one way a change may take a file out of a case.

Captured evidence is never removed. A derived file (something evidencekit computed from an item,
under `data/derived/<item id>/`) sometimes must be: a picture saved out of an SMS backup before
the case was marked as involving someone under 18 is a copy the case may no longer hold. The file
leaves inside the same all-or-nothing change that makes its replacement: its manifest line and
Payload-Oxum share go with the new manifest, and the file itself is renamed into the staging
folder, which is deleted once the change is complete. So a crash leaves either the old case or the
new one, never a manifest without its file or a file without its line. The custody log says what
was withdrawn (path, SHA-256, size) and why.

A commit record read back from the case may only withdraw a regular file under
`data/derived/E<digits>/` into the staging folder (`rename_allowed`): a hostile record cannot use
it to remove evidence, records or anything outside the case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.case import layout, safepath
from evidencekit.case.layout import TXN_DIR

if TYPE_CHECKING:
    from evidencekit.case.case import CaseChange

WITHDRAWN_ACTION = "derived-withdrawn"

_DERIVED_FILE = re.compile(r"\A" + re.escape(layout.DERIVED_DIR) + r"/(E[0-9]{4,6})/(?:[^/]+/)*[^/]+\Z")
_WITHDRAWN = re.compile(r"\A" + re.escape(TXN_DIR) + r"/w[0-9]{6}\Z")


@dataclass(frozen=True)
class Withdrawal:
    """One derived file taken out of the case, as the custody log records it."""

    path: str
    sha256: str
    size: int


def rename_allowed(source: str, final: str) -> bool:
    """Whether a commit record's (source, final) pair is a withdrawal: a derived file of an item
    moved to a staging name (which the end of the commit deletes)."""
    return bool(_DERIVED_FILE.match(source)) and bool(_WITHDRAWN.match(final))


def staging_name(number: int) -> str:
    """Where the `number`-th withdrawn file of a change waits until the change is complete."""
    return f"{TXN_DIR}/w{number:06d}"


def check(root: Path, manifest: dict[str, str], bag_path: str, item_id: str) -> Withdrawal:
    """The withdrawal of `bag_path`, after checking that it is a derived file of `item_id` that
    the manifest lists and that is a regular file in the case (never a link or a folder).

    A ValueError means evidencekit asked for something it must never do: it is a bug, not input."""
    match = _DERIVED_FILE.match(bag_path)
    if match is None or match.group(1) != item_id or safepath.path_problem(bag_path) is not None:
        raise ValueError(f"only a derived file of {item_id} can be withdrawn, not {bag_path}")
    digest = manifest.get(bag_path)
    if digest is None:
        raise ValueError(f"{bag_path} is not in the manifest, so there is nothing to withdraw")
    st = safepath.lstat_in_case(root, bag_path)
    if st is None or safepath.kind_of(st) != "file":
        raise ValueError(f"{bag_path} is not a regular file of the case")
    return Withdrawal(bag_path, digest, st.st_size)


def stage(change: CaseChange, item_id: str, paths: list[str], reason: str) -> list[Withdrawal]:
    """Withdraw `paths` (derived files of `item_id`) with `change`, and log what and why.

    Checked against the manifest as the change found it; a path the same change also writes is
    refused (a bug: the file would be both replaced and removed)."""
    if not paths:
        return []
    manifest = change.case.manifest()
    out = []
    for path in paths:
        if path in change.withdrawn:
            continue
        if any(final == path for _staged, final in change.journal.renames):
            raise ValueError(f"{path} is written by the same change, so it cannot be withdrawn")
        gone = check(change.case.root, manifest, path, item_id)
        change.withdrawn[path] = gone
        change.move_file(path, staging_name(len(change.withdrawn)))
        out.append(gone)
    if out:
        change.log(
            WITHDRAWN_ACTION,
            {
                "item": item_id,
                "reason": reason,
                "files": [{"path": w.path, "sha256": w.sha256, "size": w.size} for w in out],
            },
        )
    return out


def withdrawn_after(entries: list[dict[str, Any]], history_folder: str) -> set[str]:
    """The derived files a `derived-withdrawn` entry lists after the `reopened` entry that kept
    the earlier seal in `history_folder`: verify accepts those as gone from that seal's files
    (each entry was checked as a derived file of its item when it was made)."""
    out: set[str] = set()
    after = False
    for entry in entries:
        details = entry.get("details") if isinstance(entry, dict) else None
        if not isinstance(details, dict):
            continue
        if entry.get("action") == "reopened" and details.get("kept_in") == history_folder:
            after = True
        elif after and entry.get("action") == WITHDRAWN_ACTION:
            for file in details.get("files") or []:
                path = file.get("path") if isinstance(file, dict) else None
                if isinstance(path, str) and _DERIVED_FILE.match(path):
                    out.add(path)
    return out


def remove_from_manifest(
    entries: dict[str, str], withdrawn: dict[str, Withdrawal], octets: int, count: int
) -> tuple[int, int]:
    """Drop the withdrawn files from the manifest's entries; the Payload-Oxum that remains."""
    for path, gone in withdrawn.items():
        if entries.pop(path, None) is not None:
            octets -= gone.size
            count -= 1
    return octets, count


def prune_empty_folders(root: Path, path: str) -> None:
    """After a withdrawal, remove the folders it left empty, up to `data/derived/<item>/` itself
    (an empty folder is no evidence, and bag tools list folders by their files). A folder that is
    not empty, or not a plain folder, stays."""
    parts = path.split("/")
    # data / derived / E0001 / … / name: keep data/derived, prune E0001 and below when empty.
    for depth in range(len(parts) - 1, 2, -1):
        folder = "/".join(parts[:depth])
        try:
            st = safepath.lstat_in_case(root, folder)
        except OSError:
            return
        if st is None or safepath.kind_of(st) != "folder":
            return
        try:
            (root / folder).rmdir()  # rmdir never follows a link, and fails on a non-empty folder
        except OSError:
            return
