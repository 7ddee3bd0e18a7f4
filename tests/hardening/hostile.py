"""One change a stranger could make to a case folder, as data a test can draw, apply and print.

Each mutation is a small frozen dataclass: Hypothesis draws it (strategies below), the test applies
it to a fresh copy of a real case, and when a property fails its repr is the reproduction (which
file, what was done to it). `outside` is a sibling folder whose files the links point at; the test
checks afterwards that nothing in it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from hypothesis import strategies as st

TXN = ".evidencekit-txn"
LOCK = ".evidencekit.lock"
COMMIT = f"{TXN}/COMMIT"


# --- the world outside the case --------------------------------------------------------------


def make_outside(folder: Path) -> None:
    """What links in a hostile case point at: a file, a folder with a file, nothing else."""
    (folder / "folder").mkdir(parents=True)
    (folder / "file.txt").write_bytes(b"a file outside the case\n")
    (folder / "folder" / "inner.txt").write_bytes(b"a file in a folder outside the case\n")


Snapshot = dict[str, tuple[Any, ...]]


def snapshot(top: Path, *, skip: Path | None = None) -> Snapshot:
    """Everything under `top` (never following a link), except `skip`: kind, mode, bytes, times."""
    seen: Snapshot = {}
    for here, folders, files in os.walk(top, followlinks=False):
        base = Path(here)
        if skip is not None:
            folders[:] = [f for f in folders if base / f != skip]
        for name in [*folders, *files]:
            path = base / name
            if path == skip:
                continue
            st_ = path.lstat()
            key = path.relative_to(top).as_posix()
            if stat.S_ISLNK(st_.st_mode):
                seen[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(st_.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                seen[key] = ("file", st_.st_mode, st_.st_mtime_ns, digest)
            elif stat.S_ISDIR(st_.st_mode):
                seen[key] = ("folder", st_.st_mode, st_.st_mtime_ns)
            else:
                seen[key] = ("special", st_.st_mode)
    return seen


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    changed = [k for k in before if k in after and before[k] != after[k]]
    return (
        [f"removed: {k}" for k in before if k not in after]
        + [f"added: {k}" for k in after if k not in before]
        + [f"changed: {k} {before[k]} -> {after[k]}" for k in changed]
    )


# --- helpers that change one entry ------------------------------------------------------------


def _clear(path: Path) -> None:
    """Remove whatever is at `path` (a link itself, never its target)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _ensure_parent(root: Path, relative: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _place(path: Path, kind: str, outside: Path, content: bytes = b"") -> None:
    """Put an entry of `kind` at `path` (which is free)."""
    if kind == "file":
        path.write_bytes(content)
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to a file outside":
        path.symlink_to(outside / "file.txt")
    elif kind == "link to a folder outside":
        path.symlink_to(outside / "folder")
    elif kind == "dangling link":
        path.symlink_to(outside / "nothing-here")
    elif kind == "link to itself":
        path.symlink_to(path.name)
    elif kind == "link loop":
        partner = path.with_name(path.name + ".loop")
        _clear(partner)
        partner.symlink_to(path.name)
        path.symlink_to(partner.name)
    elif kind == "relative link out":
        path.symlink_to(os.path.relpath(outside / "file.txt", path.parent))
    else:  # pragma: no cover - the strategies only draw the kinds above
        raise ValueError(kind)


ENTRY_KINDS = [
    "file",
    "folder",
    "fifo",
    "link to a file outside",
    "link to a folder outside",
    "dangling link",
    "link to itself",
    "link loop",
    "relative link out",
]


# --- the mutations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bytes:
    """The bytes of one file changed: flipped, cut, extended, or replaced (the file made if absent)."""

    target: str
    how: str  # "flip" | "truncate" | "extend" | "replace"
    where: float
    noise: bytes

    def apply(self, root: Path, outside: Path) -> bool:
        path = _ensure_parent(root, self.target)
        before = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        at = int(self.where * len(before))
        if self.how == "flip":
            if not before:
                after = self.noise
            else:
                at = min(at, len(before) - 1)
                mask = self.noise[0] if self.noise and self.noise[0] else 0x01
                after = before[:at] + bytes([before[at] ^ mask]) + before[at + 1 :]
        elif self.how == "truncate":
            after = before[:at]
        elif self.how == "extend":
            after = before + self.noise
        else:
            after = self.noise
        if after == before and path.exists():
            return False
        _clear(path)
        path.write_bytes(after)
        return True


@dataclass(frozen=True)
class JsonEdit:
    """One value in a JSON or JSON-lines file replaced, removed or added (or a whole line replaced)."""

    target: str
    line: int
    key: int
    action: str  # "set" | "drop" | "add" | "line"
    value: Any

    def apply(self, root: Path, outside: Path) -> bool:
        path = root / self.target
        if not path.is_file() or path.is_symlink():
            return False
        before = path.read_bytes()
        lines = before.decode("utf-8").splitlines()
        if not lines:
            return False
        index = self.line % len(lines)
        if self.action == "line":
            lines[index] = json.dumps(self.value)
        else:
            try:
                record = json.loads(lines[index])
            except ValueError:
                return False
            if not isinstance(record, dict) or (not record and self.action != "add"):
                return False
            keys = sorted(record)
            if self.action == "add":
                record[f"x{self.key}"] = self.value
            else:
                key = keys[self.key % len(keys)]
                if self.action == "drop":
                    del record[key]
                else:
                    record[key] = self.value
            lines[index] = json.dumps(record, ensure_ascii=False)
        after = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
        if after == before:
            return False
        path.write_bytes(after)
        return True


@dataclass(frozen=True)
class Replace:
    """A file or folder replaced by something else: a folder, a FIFO, a link (out, dangling, a
    loop), a plain file, or nothing at all."""

    target: str
    kind: str  # one of ENTRY_KINDS, or "removed", or "link to a copy outside"

    def apply(self, root: Path, outside: Path) -> bool:
        path = _ensure_parent(root, self.target)
        existed = path.exists() or path.is_symlink()
        if self.kind == "removed":
            if not existed:
                return False
            _clear(path)
            return True
        if self.kind == "link to a copy outside":
            # The sneakiest link: what it points at is exactly what was there, so only a tool
            # that refuses to follow links notices anything.
            if not existed:
                return False
            copy = outside / "copies" / self.target
            copy.parent.mkdir(parents=True, exist_ok=True)
            _clear(copy)
            if path.is_dir() and not path.is_symlink():
                shutil.copytree(path, copy, symlinks=True)
            else:
                shutil.copy2(path, copy, follow_symlinks=False)
            _clear(path)
            path.symlink_to(copy)
            return True
        was_file = path.is_file() and not path.is_symlink()
        content = b"" if not was_file else path.read_bytes()[:64] + b"\nreplaced\n"
        if self.kind == "file" and was_file:
            return False  # see Bytes
        _clear(path)
        _place(path, self.kind, outside, content or b"replaced\n")
        return True


@dataclass(frozen=True)
class Added:
    """A new entry anywhere in the case, with an awkward name."""

    parent: str
    name: str  # CASE_TWIN: the first entry's name in other capitals
    kind: str
    content: bytes

    def apply(self, root: Path, outside: Path) -> bool:
        folder = root / self.parent if self.parent != "." else root
        if folder.is_symlink() or not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
        name = self.name
        if name == CASE_TWIN:
            present = sorted(os.listdir(folder))
            twins = [n.swapcase() for n in present if n.swapcase() != n and n.swapcase() not in present]
            if not twins:
                return False
            name = twins[0]
        path = folder / name
        if path.exists() or path.is_symlink():
            return False
        _place(path, self.kind, outside, self.content)
        return True


@dataclass(frozen=True)
class Staged:
    kind: str
    content: bytes


@dataclass(frozen=True)
class PlantedChange:
    """An interrupted change planted by hand: staged entries of any kind, and a COMMIT whose
    renames are drawn from our own names, the case's files and places outside it (or garbage)."""

    staged: tuple[Staged, ...]
    renames: tuple[tuple[str, str], ...]
    commit: str  # "renames" | "garbage" | "none"
    garbage: bytes

    def apply(self, root: Path, outside: Path) -> bool:
        txn = root / TXN
        if txn.is_symlink() or not txn.is_dir():
            _clear(txn)
            txn.mkdir()
        for number, entry in enumerate(self.staged, start=1):
            path = txn / f"{number:06d}"
            _clear(path)
            _place(path, entry.kind, outside, entry.content)
        if self.commit == "renames":
            text = json.dumps({"renames": [list(pair) for pair in self.renames]})
            (txn / "COMMIT").write_text(text, encoding="utf-8")
        elif self.commit == "garbage":
            (txn / "COMMIT").write_bytes(self.garbage)
        return True


Mutation = Union[Bytes, JsonEdit, Replace, Added, PlantedChange]  # noqa: UP007 - runs on 3.10


# --- strategies -----------------------------------------------------------------------------

CASE_TWIN = "<the first name here in other capitals>"

AWKWARD_NAMES = [
    "..x",
    "x..",
    "...",
    "..\\..\\outside",
    "a\\b",
    "C:evil.txt",
    "new\nline",
    "carriage\rreturn",
    "tab\tname",
    " leading space",
    "trailing space ",
    "-dash",
    ".hidden",
    "%2e%2e",
    "bell\x07",
    "\u202etxt.exe",
    "x" * 255,
    "é" * 127,
    "\udcff\udcfe",  # bytes that are not UTF-8
    "CON",
    "COMMIT",
    "000001",
    "bagit.txt",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "seal.json",
    "1",
    "2",
    CASE_TWIN,
]

names = st.one_of(
    st.sampled_from(AWKWARD_NAMES),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"),
        min_size=1,
        max_size=30,
    ).filter(lambda n: n not in (".", "..") and len(os.fsencode(n)) <= 255),
)

NASTY_JSON: list[Any] = [
    None,
    True,
    -1,
    0,
    10**400,
    1e308,
    float("nan"),
    "",
    "x" * 10_000,
    "../../outside/file.txt",
    "/etc/passwd",
    "data/items/../../../outside/file.txt",
    "data/items",
    "seal",
    ".evidencekit.lock",
    "E0001",
    "N0001",
    "2026-13-45T99:99:99Z",
    "0" * 64,
    [],
    {},
    [[".evidencekit-txn/000001", "data/items/x"]],
]

json_values = st.one_of(
    st.sampled_from(NASTY_JSON),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    ),
)

noise = st.one_of(
    st.binary(min_size=1, max_size=200),
    json_values.map(lambda v: (json.dumps(v) + "\n").encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"\n",
            b"\x00" * 64,
            b"\xff\xfe\x00",
            b"{" * 5000,
            b"[" * 100_000 + b"]" * 100_000 + b"\n",
            b"0" * 64 + b"  ../outside/file.txt\n",
            b"0" * 64 + b"  /etc/passwd\n",
            b"0" * 64 + b"  data/items/E0001-x\n" * 3,
            b"Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n",
            b'{"seq": 1e999}\n',
            b"x" * 300_000,
        ]
    ),
)

SOURCES_OF_RENAMES = [
    f"{TXN}/000001",
    f"{TXN}/000002",
    f"{TXN}/000003",
    f"{TXN}/999999",
    COMMIT,
    "seal/seal.json",
    "seal/signer.pub",
    "evidencekit/custody.jsonl",
    "../outside/file.txt",
    "/etc/hostname",
    "",
]
PLACES_FOR_RENAMES = [
    "data/items/E0003-new.txt",
    "data/derived/E0001/transcript.html",
    "evidencekit/custody.jsonl",
    "evidencekit/items.jsonl",
    "evidencekit/case.json",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "bagit.txt",
    "seal/seal.json",
    "seal/history/1/seal.json",
    "seal/history/2/seal.json",
    "seal/history/1",
    "data/items",
    "data",
    LOCK,
    f"{TXN}/000002",
    "../outside/new.txt",
    "../outside/file.txt",
    "/tmp/evidencekit-hostile-escape",
    "data/../../outside/x",
    "data/items/\\..\\x",
    "data/items/E0001-WhatsApp Chat with Alex.txt/inner",
]


def mutations(files: list[str], folders: list[str]) -> st.SearchStrategy[Mutation]:
    """Every kind of mutation, over the files and folders of a real case (plus our working names)."""
    working = [LOCK, COMMIT, f"{TXN}/000001"]
    json_files = [f for f in files if f.endswith((".json", ".jsonl"))]
    entries = files + folders + [LOCK, TXN]
    staged = st.builds(
        Staged, kind=st.sampled_from(ENTRY_KINDS), content=st.one_of(noise, st.sampled_from([b""]))
    )
    rename = st.tuples(
        st.sampled_from(SOURCES_OF_RENAMES), st.sampled_from(PLACES_FOR_RENAMES + files + folders)
    )
    return st.one_of(
        st.builds(
            Bytes,
            target=st.sampled_from(files + working),
            how=st.sampled_from(["flip", "truncate", "extend", "replace"]),
            where=st.floats(min_value=0, max_value=1),
            noise=noise,
        ),
        st.builds(
            JsonEdit,
            target=st.sampled_from(json_files),
            line=st.integers(min_value=0, max_value=50),
            key=st.integers(min_value=0, max_value=50),
            action=st.sampled_from(["set", "drop", "add", "line"]),
            value=json_values,
        ),
        st.builds(
            Replace,
            target=st.sampled_from(entries),
            kind=st.sampled_from([*ENTRY_KINDS, "removed", "link to a copy outside"]),
        ),
        st.builds(
            Added,
            parent=st.sampled_from([".", *folders, TXN]),
            name=names,
            kind=st.sampled_from(ENTRY_KINDS),
            content=noise,
        ),
        st.builds(
            PlantedChange,
            staged=st.lists(staged, max_size=3).map(tuple),
            renames=st.lists(rename, max_size=4).map(tuple),
            commit=st.sampled_from(["renames", "renames", "garbage", "none"]),
            garbage=noise,
        ),
    )


def entries_of(root: Path) -> tuple[list[str], list[str]]:
    """The files and the folders of a case, as case paths, sorted."""
    files: list[str] = []
    folders: list[str] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        (folders if path.is_dir() else files).append(relative)
    return files, folders


def covered_mutations(files: list[str], folders: list[str]) -> st.SearchStrategy[Mutation]:
    """Changes to what a seal covers (payload, tag files, records, the seal itself, earlier seals),
    or to where it lives: each must make verify report a problem."""
    json_files = [f for f in files if f.endswith((".json", ".jsonl"))]
    payload_folders = [f for f in folders if f == "data" or f.startswith("data/")]
    return st.one_of(
        st.builds(
            Bytes,
            target=st.sampled_from(files),
            how=st.sampled_from(["flip", "truncate", "extend", "replace"]),
            where=st.floats(min_value=0, max_value=1),
            noise=noise,
        ),
        st.builds(
            JsonEdit,
            target=st.sampled_from(json_files),
            line=st.integers(min_value=0, max_value=50),
            key=st.integers(min_value=0, max_value=50),
            action=st.sampled_from(["set", "drop", "add", "line"]),
            value=json_values,
        ),
        st.builds(
            Replace,
            target=st.sampled_from(files + folders),
            kind=st.sampled_from([*ENTRY_KINDS, "removed", "link to a copy outside"]),
        ),
        st.builds(
            Added,
            parent=st.sampled_from([*payload_folders, "evidencekit"]),
            name=names,
            kind=st.sampled_from([k for k in ENTRY_KINDS if k != "folder"]),
            content=noise,
        ),
    )
