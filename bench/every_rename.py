"""Interrupt every mutating command at every rename it makes, and check the case each time.

    python bench/every_rename.py [--quick] [--only NAME ...] [--jobs 2] [--keep]

Random kills (bench/stress_kill.py) mostly land while files are being copied; the moments that
decide whether a change is all-or-nothing are the renames of its commit, and there are only a few of
them. So this script hits each one. For every command that changes a case it first runs the command
once under `strace -e trace=rename,renameat,renameat2` to count its renames (N), then, for K = 1..N,
runs it again on a fresh copy of the same case with

    strace -f -qq -o /dev/null -e inject=rename,renameat,renameat2:signal=SIG:when=K

for SIG = SIGINT and SIGKILL (and SIGTERM at the first, middle and last rename). SIGKILL stops the
process before the K-th rename happens; SIGINT and SIGTERM arrive just after it. It also makes the
K-th write into the case fail with ENOSPC (a sample of K spread over the whole run) and every
fsync fail with EIO. After each run it checks what a person relies on:

1. the killed command printed no traceback, and a Ctrl-C said truthfully whether the change was
   saved; a full disk or failing disk was one calm sentence and exit 2;
2. no process of it lives on;
3. the next command (`status`) works (exit 0) and leaves no `.evidencekit-txn` or temporary file;
4. `evidencekit verify` exits 0 (every change here happens to an open case, or seals or reopens
   one, so nothing is a post-seal change that verify should report);
5. `bagit.py --validate` passes, and `sha256sum -c` of both manifests passes (cwd = the case);
6. the change either fully happened or not at all: the records (line counts of every records
   file, the custody log's actions, the payload files, the seal files) equal those of the case
   before the command or those after an uninterrupted run, nothing in between. A command made of
   several changes (`report` on a sealed case reopens it, adds the report, seals it again) may
   also stop between two of them: the case is then exactly as after its earlier steps run alone
   (counted as "between steps", not broken), and a message must not say nothing was changed;
7. nothing was written outside the case (the folder around it, the temporary folder, the key
   folder and the sources stay as they were; the hand-over folder of `seal --encrypt` holds
   either nothing or the finished files).

Prints a table (command, renames, trials, broken) and a total; exit 1 if any trial broke.
Linux only (strace). `--quick` runs capture of one file, a note and seal.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

BIN = Path(sys.executable).parent
EK = str(BIN / "evidencekit")
BAGIT = str(BIN / "bagit.py")
SAMPLES = Path(__file__).resolve().parent.parent / "src" / "evidencekit" / "samples"
RENAMES = "rename,renameat,renameat2"
TIMEOUT = 300
T = TypeVar("T")


@dataclass(frozen=True)
class Trial:
    """Where one run happens: `dir` holds only `case`, `tmp` (its TMPDIR) and `out`."""

    dir: Path
    marker: str

    @property
    def case(self) -> Path:
        return self.dir / "case"

    @property
    def out(self) -> Path:
        return self.dir / "out"

    @property
    def tmp(self) -> Path:
        return self.dir / "tmp"


@dataclass(frozen=True)
class Scenario:
    name: str
    base: str  # the case it starts from: "none", "open" or "sealed"
    argv: Callable[[Trial], list[str]]
    quick: bool = False
    hands_over: bool = False  # writes an encrypted copy into the trial's `out` folder
    # A command made of several changes, one after the other: the commands that make its earlier
    # ones alone. Stopped between two, the case is left as after those.
    steps: tuple[Callable[[Trial], list[str]], ...] = ()


@dataclass
class Result:
    scenario: str
    how: str  # e.g. "SIGKILL@3", "ENOSPC@write 12", "EIO@every fsync"
    problems: list[str] = field(default_factory=list)
    outcome: str = ""  # "before", "after" or "" (broken)
    exit_code: int | None = None
    said: str = ""  # the first line the interrupted command printed
    missed: str = ""  # why the trial did not test what it meant to (not counted)


@dataclass(frozen=True)
class Row:
    """One line of the table: a command and what its trials found."""

    name: str
    renames: int
    trials: int
    broken: int
    undone: int  # trials after which the change had not happened
    done: int  # trials after which it had, completely
    between: int  # trials after which the case was as after an earlier step of the command
    missed: int  # full-disk trials whose failed write was output, not a file (not counted)


@dataclass
class Reference:
    """What an uninterrupted run does: its renames, its writes into the case, its result."""

    renames: int
    writes: list[tuple[str, list[str]]]  # (what, strace options) to make one write fail
    before: dict[str, object] | None
    after: dict[str, object]
    between: list[str] = field(default_factory=list)  # records after each of its earlier steps


class Bench:
    def __init__(self, work: Path, jobs: int) -> None:
        self.work = work
        self.jobs = jobs
        self.home = work / "home"
        self.sources = work / "sources"
        self.bases = work / "bases"
        self.trials = work / "trials"
        self.recipient = ""
        self._numbers = itertools.count(1)

    # ---- set-up --------------------------------------------------------------------------

    def env(self, trial: Trial | None = None) -> dict[str, str]:
        env = dict(os.environ, EVIDENCEKIT_HOME=str(self.home), NO_COLOR="1", EVIDENCEKIT_LOCK_WAIT="30")
        env.pop("EVIDENCEKIT_CASE", None)
        if trial is not None:
            env["TMPDIR"] = str(trial.tmp)
            env["EK_EVERY_RENAME_TRIAL"] = trial.marker  # inherited by every process it starts
        return env

    def ek(
        self, *args: str, trial: Trial | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EK, *args],
            capture_output=True,
            text=True,
            env=self.env(trial),
            cwd=cwd or (trial.dir if trial else self.work),
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )

    def prepare(self) -> None:
        for folder in (self.home, self.sources, self.bases, self.trials):
            folder.mkdir(parents=True)
        rng = random.Random(4)
        folder = self.sources / "chat-photos"
        folder.mkdir()
        for n in range(20):
            (folder / f"IMG-{n:04d}.jpg").write_bytes(rng.randbytes(2_000 + 300 * n))
        identity = self.work / "officer.txt"
        subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
        self.recipient = re.findall(r"age1[0-9a-z]+", identity.read_text(encoding="utf-8"))[0]

        open_case = self.bases / "open" / "case"
        open_case.parent.mkdir()
        self.check_ok(self.ek(*new_args(open_case)))
        self.check_ok(self.ek("capture", str(SAMPLES / "README.txt"), "--case", str(open_case)))
        self.check_ok(self.ek("note", "He wrote first on Instagram.", "--case", str(open_case)))
        sealed = self.bases / "sealed" / "case"
        shutil.copytree(open_case.parent, sealed.parent, symlinks=True)
        self.check_ok(self.ek("seal", "--case", str(sealed)))  # also makes the signing key, once

    @staticmethod
    def check_ok(proc: subprocess.CompletedProcess[str]) -> None:
        if proc.returncode != 0:
            raise SystemExit(f"set-up failed: {proc.args}\n{proc.stdout}\n{proc.stderr}")

    def fresh(self, scenario: Scenario, label: str) -> Trial:
        number = next(self._numbers)  # trials are made on several threads at once
        folder = self.trials / f"{number:04d}-{re.sub(r'[^a-z0-9]+', '-', scenario.name)}-{label}"
        folder.mkdir()
        trial = Trial(folder, f"{os.getpid()}-{number}")
        trial.tmp.mkdir()
        trial.out.mkdir()
        if scenario.base != "none":
            shutil.copytree(self.bases / scenario.base / "case", trial.case, symlinks=True)
        return trial

    # ---- one run -------------------------------------------------------------------------

    def traced(self, trial: Trial, argv: list[str], strace: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["strace", *strace, EK, *argv],
            capture_output=True,
            text=True,
            env=self.env(trial),
            cwd=trial.dir,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )

    def reference(self, scenario: Scenario) -> Reference:
        """Run the command uninterrupted twice: once counting renames, once counting writes."""
        trial = self.fresh(scenario, "reference")
        before = records(trial.case) if scenario.base != "none" else None
        log = trial.dir.parent / f"{trial.dir.name}.renames"
        proc = self.traced(
            trial,
            scenario.argv(trial),
            ["-f", "-qq", "-e", "signal=none", "-e", f"trace={RENAMES}", "-o", str(log)],
        )
        if proc.returncode != 0:
            raise SystemExit(f"{scenario.name}: the uninterrupted run failed\n{proc.stdout}\n{proc.stderr}")
        renames = [line for line in log.read_text(encoding="utf-8").splitlines() if " rename" in line]
        pids = {line.split()[0] for line in renames}
        calls = {line.split()[1].split("(")[0] for line in renames}
        if len(pids) > 1 or len(calls) > 1:
            # strace counts each system call of each process on its own: K would then not mean
            # "the K-th rename". Not the case today; say so if it ever is.
            raise SystemExit(f"{scenario.name}: renames from {len(pids)} processes / calls {calls}")
        after = records(trial.case)
        checked = self.check_after(
            trial, scenario, Result(scenario.name, "reference"), "(none)", json.dumps(after)
        )
        if checked.problems:
            raise SystemExit(f"{scenario.name}: the uninterrupted run is not clean: {checked.problems}")

        counted = self.fresh(scenario, "writes")
        wlog = counted.dir.parent / f"{counted.dir.name}.writes"
        self.traced(
            counted,
            scenario.argv(counted),
            ["-f", "-qq", "-y", "-e", "signal=none", "-e", "trace=write", "-o", str(wlog)],
        )
        writes = write_targets(wlog.read_text(encoding="utf-8").splitlines(), counted.dir)
        between = []
        if scenario.steps:
            stepped = self.fresh(scenario, "steps")
            for step in scenario.steps:
                self.check_ok(self.ek(*step(stepped), trial=stepped))
                between.append(json.dumps(records(stepped.case)))
        return Reference(len(renames), writes, before, after, between)

    def interrupted(
        self, scenario: Scenario, ref: Reference, how: str, strace: list[str], fault: bool
    ) -> Result:
        trial = self.fresh(scenario, re.sub(r"[^A-Za-z0-9]+", "-", how))
        result = Result(scenario.name, how)
        log = trial.dir.parent / f"{trial.dir.name}.strace"
        # A fault is logged, to tell which file the failed call was writing.
        logging = (
            ["-y", "-e", "trace=write,fsync", "-e", "signal=none", "-o", str(log)]
            if fault
            else ["-o", os.devnull]
        )
        try:
            options = [option.replace("{trial}", str(trial.dir)) for option in strace]
            proc = self.traced(trial, scenario.argv(trial), ["-qq", *logging, *options])
        except subprocess.TimeoutExpired:
            result.problems.append(f"did not end within {TIMEOUT} s")
            self.stop_survivors(trial)
            return result
        said = proc.stdout + proc.stderr
        result.exit_code = proc.returncode
        result.said = next((line for line in said.splitlines() if line.strip()), "")
        if "Traceback" in said:
            result.problems.append("printed a traceback")
        if proc.returncode == 3:
            result.problems.append("exit 3 (a bug)")
        if fault:
            injected = [line for line in log.read_text(encoding="utf-8").splitlines() if "(INJECTED)" in line]
            into = {m.group(1) for line in injected for m in [re.search(r"\(\d+<([^>]*)>", line)] if m}
            outside = sorted(path for path in into if not path.startswith(f"{trial.dir}/"))
            if not injected:
                result.problems.append("the fault was never injected (the command made fewer calls)")
            elif outside and "ENOSPC" in how:
                # The K-th write of this run was output, not a file of the case: that run tests
                # the terminal, not the case (its order can differ from the counting run's).
                result.missed = f"the failed write went to {outside[0]}"
                result.problems.clear()
                self.stop_survivors(trial)
                return result
        if fault and proc.returncode not in (0, 2):
            result.problems.append(f"a disk error gave exit {proc.returncode}, not 2: {said.strip()[-300:]}")
        if fault and proc.returncode == 2 and "Problem:" not in said:
            result.problems.append(f"a disk error without a calm sentence: {said.strip()[-300:]}")
        survivors = self.survivors(trial)
        if survivors:
            result.problems.append(f"processes live on: {survivors}")
            self.stop_survivors(trial)

        # What the command itself left, before the next command tidies up.
        left = records(trial.case) if is_case(trial.case) else None
        self.check_after(trial, scenario, result, before_key(ref.before), json.dumps(ref.after), ref.between)
        if result.outcome and proc.returncode == 130:  # Ctrl-C: was the sentence true?
            saved = "saved completely" in said
            if saved and result.outcome == "before":
                result.problems.append("Ctrl-C said the change was saved, but it was not")
            if not saved and result.outcome in ("after", "between") and "Nothing was half-saved" in said:
                result.problems.append("Ctrl-C said the case is as it was, but the change was saved")
            if json.dumps(left) not in (json.dumps(ref.after), json.dumps(ref.before), *ref.between):
                result.problems.append("after Ctrl-C the case was incomplete until the next command")
        if scenario.hands_over and not result.problems:
            self.check_hand_over(trial, scenario, result)
        if (
            fault
            and proc.returncode == 2
            and "Nothing was changed" in said
            and result.outcome not in ("before", "")
        ):
            result.problems.append("a disk error said nothing was changed, but the case had changed")
        return result

    def check_after(
        self,
        trial: Trial,
        scenario: Scenario,
        result: Result,
        before: str,
        after: str,
        between: list[str] | None = None,
    ) -> Result:
        """The checks every interrupted (or uninterrupted) run must pass; fills `result`."""
        problems = result.problems
        if scenario.base == "none" and not is_case(trial.case):
            # `new` stopped before its last rename: no case, and nothing else of it either.
            extra = sorted(p.name for p in trial.dir.iterdir() if p.name not in ("tmp", "out", "case"))
            building = [name for name in extra if name.startswith(".ek-new-")]
            if building and result.how.startswith("SIGKILL"):
                extra = [name for name in extra if name not in building]  # see the docstring of new_args
            if extra:
                problems.append(f"left {extra} beside the case")
            if trial.case.exists() and any(trial.case.iterdir()):
                problems.append("left a half-made case folder")
            result.outcome = "before" if not problems else ""
            return result
        status = self.ek("status", "--case", str(trial.case), trial=trial)
        if status.returncode != 0:
            said = (status.stdout + status.stderr).strip()[-300:]
            problems.append(f"the next command failed ({status.returncode}): {said}")
        if (trial.case / ".evidencekit-txn").exists():
            problems.append("a .evidencekit-txn is left after the next command")
        leftovers = [str(p.relative_to(trial.case)) for p in trial.case.rglob(".ek-tmp-*")]
        if leftovers:
            problems.append(f"temporary files left in the case: {leftovers[:3]}")
        now = records(trial.case)
        key = json.dumps(now)
        if key == after:
            result.outcome = "after"
        elif key in (between or []):
            # A command made of several changes, stopped between two of them: each is whole.
            result.outcome = "between"
        elif key == before:
            result.outcome = "before"
        else:
            problems.append("the change half happened: " + describe_difference(now, [before, after]))
        verify = self.ek("verify", str(trial.case), trial=trial)
        if verify.returncode != 0:
            problems.append(
                f"verify exited {verify.returncode}: {(verify.stdout + verify.stderr).strip()[-400:]}"
            )
        bag = subprocess.run(
            [BAGIT, "--validate", str(trial.case)], capture_output=True, text=True, timeout=TIMEOUT
        )
        if bag.returncode != 0:
            problems.append(f"bagit.py --validate failed: {bag.stderr.strip()[-300:]}")
        for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
            path = trial.case / manifest
            if path.exists() and path.stat().st_size == 0:
                continue  # an empty case: nothing to check (sha256sum -c refuses an empty list)
            check = subprocess.run(
                ["sha256sum", "--quiet", "-c", manifest], cwd=trial.case, capture_output=True, text=True
            )
            if check.returncode != 0:
                problems.append(
                    f"sha256sum -c {manifest} failed: {(check.stdout + check.stderr).strip()[-300:]}"
                )
        extra = sorted(p.name for p in trial.dir.iterdir() if p.name not in ("tmp", "out", "case"))
        if extra:
            problems.append(f"wrote {extra} beside the case")
        if any(trial.tmp.iterdir()):
            problems.append(
                f"left files in the temporary folder: {sorted(p.name for p in trial.tmp.iterdir())[:3]}"
            )
        if result.how == "reference" and scenario.hands_over:
            self.check_hand_over(trial, scenario, result)
        if problems:
            result.outcome = ""
        return result

    def check_hand_over(self, trial: Trial, scenario: Scenario, result: Result) -> None:
        """The hand-over folder is outside the case, so `status` does not tidy it: the next
        `seal --encrypt` into it must, and must leave exactly the finished files."""
        if result.how != "reference":
            again = self.traced(trial, scenario.argv(trial), ["-qq", "-o", os.devnull])
            if again.returncode != 0:
                result.problems.append(
                    f"running it again failed: {(again.stdout + again.stderr).strip()[-300:]}"
                )
        names = sorted(p.name for p in trial.out.iterdir())
        finished = [n for n in names if n.endswith((".tar.age", ".tar.age.sha256", ".HOW-TO-OPEN.txt"))]
        if len(finished) != 3 or len(names) != 3:
            where = "after running it again" if result.how != "reference" else "after it"
            result.problems.append(f"the hand-over folder holds {names} {where}")

    def survivors(self, trial: Trial) -> list[int]:
        """Processes that still carry this trial's marker, after a short grace period."""
        for _ in range(20):
            found = processes_with(f"EK_EVERY_RENAME_TRIAL={trial.marker}")
            if not found:
                return []
            time.sleep(0.1)
        return found

    def stop_survivors(self, trial: Trial) -> None:
        for pid in processes_with(f"EK_EVERY_RENAME_TRIAL={trial.marker}"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def processes_with(entry: str) -> list[int]:
    wanted = entry.encode() + b"\0"
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ:
            found.append(int(proc.name))
    return found


def new_args(case: Path) -> list[str]:
    """`evidencekit new`, with every answer given.

    `new` builds the case in a hidden folder beside it (`.ek-new-…`) and renames it into place, so
    a stopped `new` leaves either no case or a whole one. Only a SIGKILL before that last rename
    leaves the hidden folder behind (nothing can run after SIGKILL); it holds no evidence, and
    the bench accepts it for SIGKILL only."""
    return [
        "new",
        str(case),
        "--title",
        "Instagram blackmail",
        "--collector",
        "Sam",
        "--timezone",
        "Europe/London",
        "--country",
        "GB",
        "--no-under-18",
    ]


def is_case(path: Path) -> bool:
    return (path / "bagit.txt").is_file()


def records(case: Path) -> dict[str, object]:
    """What a change consists of, independent of times and random names: how many records of each
    kind, the custody log's actions in order, the payload files, and the seal's files."""
    found: dict[str, object] = {}
    for path in sorted((case / "evidencekit").glob("*.jsonl")):
        lines = path.read_bytes().splitlines()
        found[path.name] = len(lines)
        if path.name == "custody.jsonl":
            found["actions"] = [json.loads(line)["action"] for line in lines]
    found["payload"] = sorted(str(p.relative_to(case)) for p in (case / "data").rglob("*") if p.is_file())
    seal = case / "seal"
    found["seal"] = (
        sorted(str(p.relative_to(case)) for p in seal.rglob("*") if p.is_file()) if seal.exists() else []
    )
    return found


def before_key(before: dict[str, object] | None) -> str:
    return json.dumps(before) if before is not None else "no case"


def describe_difference(now: dict[str, object], allowed: list[str]) -> str:
    shown = []
    for key_text in allowed:
        if key_text in ("no case", "(none)"):
            continue
        other = json.loads(key_text)
        diff = sorted(k for k in set(now) | set(other) if now.get(k) != other.get(k))
        shown.append(", ".join(diff) or "nothing")
    return "differs in " + " / ".join(shown)


def digest_tree(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def scenarios(bench: Bench) -> list[Scenario]:
    def on_case(*args: str) -> Callable[[Trial], list[str]]:
        return lambda t: [*args, "--case", str(t.case)]

    return [
        Scenario("new", "none", lambda t: new_args(t.case)),
        Scenario(
            "capture a file",
            "open",
            lambda t: [
                "capture",
                str(SAMPLES / "Screenshot 2026-03-14 at 21.07.41.png"),
                "--case",
                str(t.case),
            ],
            quick=True,
        ),
        Scenario(
            "capture a folder (20 files)",
            "open",
            lambda t: ["capture", str(bench.sources / "chat-photos"), "--case", str(t.case)],
        ),
        Scenario(
            "capture a chat export",
            "open",
            lambda t: [
                "capture",
                str(SAMPLES / "WhatsApp Chat with Alex (sample).txt"),
                "--export-timezone",
                "Europe/London",
                "--case",
                str(t.case),
            ],
        ),
        Scenario("note", "open", on_case("note", "He asked for 500 pounds by Friday."), quick=True),
        Scenario(
            "add-url", "open", on_case("add-url", "https://www.instagram.com/bad.actor/", "--kind", "profile")
        ),
        Scenario(
            "offender add",
            "open",
            on_case("offender", "add", "--platform", "Instagram", "--username", "bad.actor"),
        ),
        Scenario(
            "payment add",
            "open",
            on_case(
                "payment",
                "add",
                "--method",
                "crypto",
                "--wallet",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "--amount",
                "0.01",
                "--currency",
                "BTC",
            ),
        ),
        Scenario("action", "open", on_case("action", "reported", "--to", "Instagram", "--ref", "IG-12345")),
        Scenario("report-to", "open", on_case("report-to", "Instagram", "--item", "E0001", "--ref", "IG-7")),
        Scenario("under-18", "open", on_case("under-18", "not-sure")),
        Scenario("seal", "open", on_case("seal"), quick=True),
        Scenario(
            "seal --encrypt",
            "open",
            lambda t: [
                "seal",
                "--encrypt",
                "--recipient",
                bench.recipient,
                "--out",
                str(t.out),
                "--case",
                str(t.case),
            ],
        ),
        Scenario("reopen", "sealed", on_case("reopen", "--reason", "more messages arrived")),
        Scenario("report", "open", on_case("report")),
        Scenario(
            "report (sealed case)",
            "sealed",
            on_case("report"),
            steps=(on_case("reopen"), on_case("report")),
        ),
    ]


def plan(scenario: Scenario, ref: Reference, samples: int, quick: bool) -> list[tuple[str, list[str], bool]]:
    """(label, strace options, is a disk fault) for every trial of one command."""
    trials: list[tuple[str, list[str], bool]] = []
    for k in range(1, ref.renames + 1):
        for sig in ("SIGINT", "SIGKILL"):
            trials.append((f"{sig}@{k}", ["-f", "-e", f"inject={RENAMES}:signal={sig}:when={k}"], False))
    if not quick:
        for k in sorted({1, (ref.renames + 1) // 2, ref.renames}):
            trials.append((f"SIGTERM@{k}", ["-f", "-e", f"inject={RENAMES}:signal=SIGTERM:when={k}"], False))
    for what, options in spread(ref.writes, 1 if quick else samples):
        trials.append((f"ENOSPC@{what}", options, True))
    if not quick:
        trials.append(("EIO@every fsync", ["-f", "-e", "inject=fsync:error=EIO"], True))
    return trials


def write_targets(log: list[str], folder: Path) -> list[tuple[str, list[str]]]:
    """Every write into the trial folder, as strace options that make exactly it fail.

    A file whose name is known in advance (staged files are numbered) is named with `-P`: strace
    then counts only the writes to that file, in whatever thread they happen (a folder capture
    copies on worker threads). A temporary name is random, so its write is found by its place
    among the main thread's writes instead (no -f: a write in a helper program, like the ldconfig
    ctypes runs, must not be the one that fails)."""
    lines = [line for line in log if re.match(r"\d+ +write\(", line)]
    if not lines:
        return []
    main_pid = min(line.split()[0] for line in lines)
    seen: set[str] = set()
    targets: list[tuple[str, list[str]]] = []
    main_index = 0
    for line in lines:
        pid = line.split()[0]
        main_index += pid == main_pid
        found = re.search(r"write\(\d+<([^>]*)>", line)
        if not found or not found.group(1).startswith(f"{folder}/"):
            continue
        relative = found.group(1)[len(str(folder)) + 1 :]
        if ".ek-tmp-" in relative or ".ek-new-" in relative:
            if pid == main_pid:
                name = re.sub(r"\.ek-(tmp|new)-[0-9a-f]+-?", "", relative)
                targets.append(
                    (f"{name} (temporary)", ["-e", f"inject=write:error=ENOSPC:when={main_index}"])
                )
        elif relative not in seen:
            seen.add(relative)
            targets.append(
                (relative, ["-f", "-P", "{trial}/" + relative, "-e", "inject=write:error=ENOSPC:when=1"])
            )
    return targets


def spread(values: list[T], count: int) -> list[T]:
    """`count` of `values`, evenly spaced, the first and the last among them (one: the middle)."""
    if len(values) <= count:
        return values
    if count == 1:
        return [values[len(values) // 2]]  # not the first: that is the lock file's holder line
    step = (len(values) - 1) / max(count - 1, 1)
    return [values[i] for i in sorted({round(i * step) for i in range(count)})]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="capture of one file, note and seal only")
    parser.add_argument("--only", nargs="*", help="only the commands whose name starts with one of these")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--enospc", type=int, default=5, help="full-disk trials per command (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the trial folders (printed at the end)")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per trial")
    args = parser.parse_args()
    if shutil.which("strace") is None or shutil.which("age-keygen") is None:
        print("This benchmark needs strace and age-keygen (apt-get install strace age).")
        return 2

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ek-every-rename-"))
    bench = Bench(work, args.jobs)
    broken: list[Result] = []
    rows: list[Row] = []
    try:
        bench.prepare()
        watched = {"key folder": bench.home, "sources": bench.sources}
        untouched = {name: digest_tree(path) for name, path in watched.items()}
        chosen = [s for s in scenarios(bench) if not args.quick or s.quick]
        if args.only:
            chosen = [s for s in chosen if any(s.name.startswith(o) for o in args.only)]
        for scenario in chosen:
            began = time.monotonic()
            ref = bench.reference(scenario)
            trials = plan(scenario, ref, args.enospc, args.quick)
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                results = list(
                    pool.map(lambda t, s=scenario, r=ref: bench.interrupted(s, r, t[0], t[1], t[2]), trials)
                )
            missed = [r for r in results if r.missed]
            results = [r for r in results if not r.missed]
            bad = [r for r in results if r.problems]
            broken.extend(bad)
            done = sum(r.outcome == "after" for r in results)
            undone = sum(r.outcome == "before" for r in results)
            between = sum(r.outcome == "between" for r in results)
            rows.append(
                Row(scenario.name, ref.renames, len(results), len(bad), undone, done, between, len(missed))
            )
            print(
                f"{scenario.name}: {ref.renames} renames, {len(results)} trials, {len(bad)} broken "
                f"(not done: {undone}, done: {done}, between steps: {between}) "
                f"in {time.monotonic() - began:.0f} s",
                flush=True,
            )
            for r in results if args.verbose else []:
                print(f"  {r.how:<24} exit {r.exit_code!s:<4} {r.outcome or 'BROKEN':<6}  {r.said[:100]}")
            for r in missed:
                print(f"  not counted: {r.how}: {r.missed}")
            for r in bad:
                print(f"  BROKEN {r.how}: " + "; ".join(r.problems), flush=True)
        for name, path in watched.items():
            if digest_tree(path) != untouched[name]:
                broken.append(Result("(all)", "outside the case", [f"the {name} changed"]))
                print(f"BROKEN: the {name} changed")
    finally:
        if args.keep:
            print(f"trial folders kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    width = max([len("command"), *(len(r.name) for r in rows)])
    print()
    print(f"{'command':<{width}}  renames  trials  broken  not done  done  between steps  not counted")
    for row in rows:
        print(
            f"{row.name:<{width}}  {row.renames:>7}  {row.trials:>6}  {row.broken:>6}  {row.undone:>8}"
            f"  {row.done:>4}  {row.between:>13}  {row.missed:>11}"
        )
    print(
        f"total: {len(rows)} commands, {sum(row.renames for row in rows)} renames, "
        f"{sum(row.trials for row in rows)} trials, {len(broken)} broken, "
        f"{time.monotonic() - started:.0f} s ({args.jobs} jobs)"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
