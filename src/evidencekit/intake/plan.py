"""What a capture will read, checked before anything is copied.

Every path given is looked at first (missing, unreadable, special files, links inside a captured
folder), so a capture either takes everything it was given or nothing. A folder's links are never
followed: each is a problem that stops the capture (or, with --skip-problems, an entry left out with
why). The plans made here are also what the under-18 safeguard looks through (`safeguard`), before
anything is copied.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evidencekit.case.names import display_name, safe_component, unique_component
from evidencekit.errors import InputFileError


@dataclass(frozen=True)
class Skipped:
    """An entry of a captured folder that was left out, and why."""

    path: str
    reason: str


@dataclass
class Member:
    """One regular file to read: its source path and its path inside the item."""

    source: Path
    relative: str  # sanitised, '/'-separated, inside the item folder ('' for a single file)
    original_relative: str
    size: int
    symlink_target: str | None = None

    @property
    def named(self) -> bool:
        """The person named this file itself (not one found inside a folder they named)."""
        return self.relative == ""


@dataclass
class Plan:
    """One path given on the command line, checked and listed before any copying."""

    source: Path
    is_dir: bool
    members: list[Member]
    skipped: list[Skipped]


# ---- checking the input ----------------------------------------------------------------------


def describe(path: Path) -> str:
    return display_name(str(path))


def _check_readable(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except PermissionError:
        return "you do not have permission to read it"
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    return None


def _plan_file(path: Path, st: os.stat_result) -> Plan:
    problem = _check_readable(path)
    if problem:
        raise InputFileError(
            f"evidencekit cannot read {describe(path)}: {problem}.",
            hint="Check the file's permissions (or copy it somewhere you can read it) and try again.",
        )
    return Plan(path, False, [Member(path, "", path.name, st.st_size)], [])


def _plan_folder(root: Path, skip_problems: bool) -> Plan:
    """List every file under `root`. Links inside it are never followed: each is a problem."""
    lexical_root = Path(os.path.abspath(root))
    members: list[Member] = []
    problems: list[Skipped] = []

    def walk(folder: Path, relative: str, safe_relative: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Skipped(relative or ".", f"the folder cannot be read ({exc.strerror})"))
            return
        taken: set[str] = set()
        for entry in entries:
            original_rel = f"{relative}/{entry.name}" if relative else entry.name
            safe = unique_component(safe_component(entry.name), taken)
            safe_rel = f"{safe_relative}/{safe}" if safe_relative else safe
            path = Path(entry.path)
            symlink_target = None
            try:
                if entry.is_symlink():
                    problems.append(Skipped(original_rel, _link_reason(path, lexical_root)))
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                problems.append(Skipped(original_rel, f"it cannot be read ({exc.strerror})"))
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path, original_rel, safe_rel)
            elif stat.S_ISREG(st.st_mode):
                problem = _check_readable(path)
                if problem:
                    problems.append(Skipped(original_rel, problem))
                    continue
                members.append(Member(path, safe_rel, original_rel, st.st_size, symlink_target))
            else:
                problems.append(Skipped(original_rel, "it is not a regular file (a device, pipe or socket)"))

    walk(root, "", "")
    if problems and not skip_problems:
        listed = "; ".join(f"{p.path}: {p.reason}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputFileError(
            f"Some things in the folder {describe(root)} cannot be captured: {listed}{more}.",
            hint="Nothing was captured. Fix or remove those entries, or add --skip-problems to "
            "capture the rest (what was left out is recorded).",
        )
    return Plan(root, True, members, problems)


_LINK_STEPS = 40  # as the operating systems allow


def _link_reason(link: Path, root: Path) -> str:
    """Why a link inside a captured folder was left out, in words.

    Links are never followed (one can point anywhere, or round in a loop): their text is only read
    (os.readlink, link by link, never opening what they point to) to say where they lead."""
    seen: set[str] = set()
    current = os.path.abspath(link)
    for _ in range(_LINK_STEPS):
        if current in seen:
            break
        seen.add(current)
        try:
            target = os.readlink(current)
        except OSError:  # not a link: the end of the chain
            return _link_end(Path(current), root)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
        if not is_inside(Path(current), root):
            return "it is a shortcut (symlink) to something outside the folder"
    return "it is a shortcut (symlink) that goes round in a loop (it leads back to itself)"


def _link_end(end: Path, root: Path) -> str:
    try:
        st = os.lstat(end)
    except OSError:
        return "it is a shortcut (symlink) to something that is not there"
    if stat.S_ISDIR(st.st_mode):
        return "it is a shortcut (symlink) to a folder"
    shown = display_name(end.relative_to(root).as_posix())
    return (
        f"it is a shortcut (symlink) to “{shown}”; shortcuts are not followed, "
        "so that file is captured only under its own name"
    )


def is_inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def plan_capture(paths: Sequence[Path], case_root: Path, skip_problems: bool) -> list[Plan]:
    """Check every path before copying anything; raise a clear error for the first bad one."""
    if not paths:
        raise InputFileError(
            "No files or folders were given to capture.",
            hint="Name them after the command, for example: evidencekit capture screenshot.png",
        )
    real_case = case_root.resolve()
    plans = []
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise InputFileError(
                f"There is no file or folder at {describe(path)}.",
                hint="Check the spelling of the path. "
                "Tip: drag the file into the terminal window to paste its path.",
            ) from None
        except PermissionError:
            raise InputFileError(
                f"evidencekit is not allowed to look at {describe(path)}.",
                hint="Check the permissions of the folder it is in.",
            ) from None
        except OSError as exc:
            raise InputFileError(
                f"{describe(path)} cannot be opened ({exc.strerror}).", hint="Check the path."
            ) from None
        real = path.resolve()
        if is_inside(real, real_case) or is_inside(real_case, real):
            raise InputFileError(
                f"{describe(path)} is part of the case folder itself (or contains it).",
                hint="Capture files from outside the case folder.",
            )
        if stat.S_ISDIR(st.st_mode):
            plan = _plan_folder(path, skip_problems)
            if not plan.members and not skip_problems:
                raise _nothing_to_keep(plan, several=len(paths) > 1)
            plans.append(plan)
        elif stat.S_ISREG(st.st_mode):
            plans.append(_plan_file(path, st))
        else:
            raise InputFileError(
                f"{describe(path)} is not a regular file or folder (it is a device, pipe or socket).",
                hint="Capture the files themselves.",
            )
    return plans


def _what_is_empty(plan: Plan) -> str:
    """What a folder with no file to keep holds, as a verb phrase: "is an empty folder"…"""
    if plan.skipped:
        return "holds nothing that could be captured"
    try:
        with os.scandir(plan.source) as entries:
            has_folders = any(True for _ in entries)
    except OSError:
        has_folders = False
    return "holds only empty folders" if has_folders else "is an empty folder"


def empty_reason(plan: Plan) -> str:
    return f"it {_what_is_empty(plan)}, so there is nothing in it to keep"


def _nothing_to_keep(plan: Plan, several: bool) -> InputFileError:
    """An empty folder is evidence of nothing, and a bag lists files only (so no BagIt tool, and
    no tar of the hand-over, keeps one): it would be an exhibit that vanishes when handed over."""
    hint = "Nothing was captured. Check that this is the folder you meant: the files may be in another one."
    if several:
        hint += " Leave it out, or add --skip-problems to capture the rest without it."
    return InputFileError(
        f"{describe(plan.source)} {_what_is_empty(plan)}: there is nothing in it to keep.", hint=hint
    )


# ---- what was marked sensitive in this capture -------------------------------------------------


def marked_paths(paths: Sequence[Path]) -> frozenset[str]:
    return frozenset(os.path.abspath(p) for p in paths)


def is_marked(path: Path, marked: frozenset[str]) -> bool:
    """Whether `path` is one of the paths marked sensitive, or inside one of them."""
    if not marked:
        return False
    current = os.path.abspath(path)
    while True:
        if current in marked:
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def unmarked(plans: list[Plan], marked: frozenset[str]) -> list[Plan]:
    """The plans without what was marked sensitive (for the under-18 question: those files are
    recorded by reference, so they need no answer)."""
    if not marked:
        return plans
    return [
        dataclasses.replace(plan, members=[m for m in plan.members if not is_marked(m.source, marked)])
        for plan in plans
        if not is_marked(plan.source, marked)
    ]
