"""The bag as the checks see it: a case folder on disk, or (in handover/) a bag read from a tar stream.

Every check reads through a `BagView`, so the same checks run on a folder and on an encrypted
archive, and nothing in them can follow a link: `FolderView` reads only through safepath.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from evidencekit.case import layout, rehash, safepath
from evidencekit.case.findings import ERROR, VerifyReport
from evidencekit.case.journal import pending_state


class BagView:
    """What the checks read: a case folder on disk (this class) or a bag read from a tar stream.

    Paths are bag paths ("data/items/E0001-x.png"). `read_bytes` raises FileNotFoundError or
    OSError like a file would, so every check reports a missing or unreadable file the same way.
    """

    label: str = ""

    def read_bytes(self, relative: str) -> bytes:
        raise NotImplementedError

    def exists(self, relative: str) -> bool:
        raise NotImplementedError

    def is_file(self, relative: str) -> bool:
        """A regular file (not a link, not a folder)."""
        raise NotImplementedError

    def sha256(self, relative: str) -> str | None:
        try:
            return hashlib.sha256(self.read_bytes(relative)).hexdigest()
        except OSError:
            return None

    def files_under(self, top: str) -> list[str]:
        """Every file or link below the folder `top`, sorted."""
        raise NotImplementedError

    def folders_in(self, top: str) -> list[str]:
        """Names of the folders directly inside `top`, sorted."""
        raise NotImplementedError

    def top_level(self) -> list[str]:
        raise NotImplementedError

    def links_and_specials(self) -> list[tuple[str, str]]:
        """(path, 'link' or 'special') for everything outside data/ that is not a file or folder."""
        return []

    def pending_state(self) -> str | None:
        return None

    def payload_files(self, report: VerifyReport) -> dict[str, int]:
        """{bag path: size} of every file under data/; links and special files become findings."""
        raise NotImplementedError

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        """(path, expected, actual sha256 or None, problem or None) for each (path, expected, size)."""
        raise NotImplementedError


class FolderView(BagView):
    """A case folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.label = str(root)

    # Everything goes through safepath, the one door into a case folder: no link is followed at any
    # step (a linked folder could make verify check files outside the case and call them the
    # case's), and only regular files are opened (a FIFO would hang verify, a device never end).
    # Links and special files themselves are findings (`links_and_specials`).

    def read_bytes(self, relative: str) -> bytes:
        """The file's bytes; anything but a regular file reached without a link is an OSError
        (safepath's UnsafeCasePathError), reported like an unreadable file."""
        return safepath.read_bytes(self.root, relative)

    def exists(self, relative: str) -> bool:
        try:
            return safepath.exists_in_case(self.root, relative)
        except safepath.UnsafeCasePathError:
            return True  # something is there, behind a link: reading it says why it cannot be used

    def is_file(self, relative: str) -> bool:
        return safepath.is_file_in_case(self.root, relative)

    def files_under(self, top: str) -> list[str]:
        return [entry.path for entry in safepath.walk(self.root, top) if entry.kind != "folder"]

    def folders_in(self, top: str) -> list[str]:
        start = len(top) + 1
        return [
            entry.path[start:]
            for entry in safepath.walk(self.root, top, max_depth=2)  # folders, and what is in them
            if entry.kind == "folder" and "/" not in entry.path[start:]
        ]

    def top_level(self) -> list[str]:
        return sorted(os.listdir(self.root))

    def links_and_specials(self) -> list[tuple[str, str]]:
        out = []
        for name in self.top_level():
            if name == layout.DATA_DIR:
                continue  # the payload listing reports these, as payload-symlink / -special-file
            st = os.lstat(self.root / name)
            kind = safepath.kind_of(st)
            if kind in ("link", "special"):
                out.append((name, kind))
            elif kind == "folder":
                out += [
                    (e.path, e.kind) for e in safepath.walk(self.root, name) if e.kind in ("link", "special")
                ]
        return out

    def pending_state(self) -> str | None:
        return pending_state(self.root)

    def payload_files(self, report: VerifyReport) -> dict[str, int]:
        return payload_on_disk(self.root, report)

    def hash_files(
        self, jobs: list[tuple[str, str, int]], workers: int | None
    ) -> Iterable[tuple[str, str, str | None, str | None]]:
        return rehash.hash_in_folder(self.root, jobs, workers)


def as_bag_view(root: Path | BagView) -> BagView:
    """For checks that accept either a folder path or a view."""
    return root if isinstance(root, BagView) else FolderView(Path(root))


def payload_on_disk(root: Path, report: VerifyReport) -> dict[str, int]:
    """{bag path: size} of every file under data/; symlinks and special files are findings."""
    found: dict[str, int] = {}
    data = root / layout.DATA_DIR
    st = safepath.lstat_in_case(root, layout.DATA_DIR)
    kind = safepath.kind_of(st) if st is not None else None
    if kind == "link":
        report.add(
            ERROR,
            "payload-symlink",
            layout.DATA_DIR,
            "data/ is a symbolic link; evidence files must be real files in the case folder.",
        )
        return found
    if kind != "folder":
        report.add(ERROR, "payload-folder-missing", layout.DATA_DIR, "The evidence folder data/ is missing.")
        return found
    # Plain strings, not Path objects: a case may hold tens of thousands of files.
    stack = [(str(data), layout.DATA_DIR)]
    while stack:
        folder, folder_relative = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            report.add(ERROR, "unreadable", folder, f"A folder cannot be read ({exc.strerror}).")
            continue
        for entry in entries:
            relative = f"{folder_relative}/{entry.name}"
            if entry.is_symlink():
                report.add(
                    ERROR,
                    "payload-symlink",
                    relative,
                    f"{relative} is a symbolic link; evidence files must be real files.",
                )
            elif entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, relative))
            elif entry.is_file(follow_symlinks=False):
                found[relative] = entry.stat(follow_symlinks=False).st_size
            else:
                report.add(ERROR, "payload-special-file", relative, f"{relative} is not a regular file.")
    return found


__all__ = ["BagView", "FolderView", "as_bag_view", "payload_on_disk"]
