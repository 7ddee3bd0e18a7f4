"""Crash stress: kill evidencekit with SIGKILL at random moments and check the case every time.

    python bench/stress_kill.py [--trials 200] [--seed 1]

Each trial starts one command on a shared case (capture of many small files, capture of a large
file, add-url, seal, reopen, and the hand-over and report commands when they exist), kills it with
SIGKILL after a random delay, and then checks, as a user would:

1. `evidencekit verify` passes, or reports only `interrupted-change` (a kill during the final
   renames), never anything else;
2. the next command (`evidencekit status`) finishes or discards the interrupted change, and then
   `verify` passes;
3. no item record points at a missing file (part of verify) and no staging folder is left;
4. no process of the killed command lives on (the folder capture's worker processes must end with
   it: a worker that outlived the kill would go on writing into the staging folder).

Prints a summary; exit 1 if any trial broke the case. POSIX only (SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
EK = str(BIN / "evidencekit")
FOLDER_FILES = 450


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EK, *args], capture_output=True, text=True, env=env, timeout=600)


def has_command(name: str, env: dict[str, str]) -> bool:
    return run(name, "--help", env=env).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=5.0, help="longest wait before the kill (s)")
    parser.add_argument(
        "--only", nargs="*", default=None, help="only these scenarios (with seal/reopen to keep going)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = Path(tempfile.mkdtemp(prefix="ek-stress-"))
    env = dict(os.environ, EVIDENCEKIT_HOME=str(work / "home"), NO_COLOR="1", EVIDENCEKIT_LOCK_WAIT="30")
    case = work / "case"
    sources = work / "sources"
    sources.mkdir()
    # More files than parallel.PROCESS_MIN_FILES, so that the capture runs on worker processes.
    for n in range(FOLDER_FILES):
        (sources / f"shot-{n:03d}.png").write_bytes(os.urandom(10_000 + n))
    big = work / "recording.mp4"
    big.write_bytes(os.urandom(200 * 1024 * 1024))
    run("new", str(case), env=env).check_returncode()

    scenarios = {
        "capture-folder": lambda n: ["capture", str(_fresh_folder(sources, work, n)), "--case", str(case)],
        "capture-big": lambda n: ["capture", str(_fresh_big(big, work, n)), "--case", str(case)],
        "add-url": lambda n: ["add-url", f"https://example.org/page/{n}", "--case", str(case)],
        "seal": lambda n: ["seal", "--case", str(case)],
        "reopen": lambda n: ["reopen", "--case", str(case)],
    }
    if has_command("report", env):
        scenarios["report"] = lambda n: ["report", "--case", str(case)]
    if "--encrypt" in run("seal", "--help", env=env).stdout:
        identity = work / "officer.txt"
        scenarios["seal-encrypt"] = lambda n: [
            "seal",
            "--encrypt",
            "--out",
            str(work / f"out-{n}"),
            "--case",
            str(case),
            "--recipient",
            _recipient(identity),
        ]

    if args.only:
        scenarios = {name: make for name, make in scenarios.items() if name in {*args.only, "seal", "reopen"}}
    # Only commands that make sense in the case's current state (a sealed case refuses capture).
    when_sealed = {"reopen", "seal-encrypt"}
    durations: dict[str, float] = {}
    counts = {"trials": 0, "killed-mid-commit": 0, "finished-before-kill": 0, "failures": 0}
    by_scenario: dict[str, int] = {}
    started = time.monotonic()
    try:
        trial = 0
        while counts["trials"] < args.trials:
            trial += 1
            sealed = json.loads(run("status", "--json", "--case", str(case), env=env).stdout)["sealed"]
            choices = sorted(n for n in scenarios if (n in when_sealed) == sealed or n == "seal-encrypt")
            name = rng.choice(choices)
            by_scenario[name] = by_scenario.get(name, 0) + 1
            argv = scenarios[name](trial)
            if name not in durations:  # first run of each command: time it, do not kill it
                began = time.monotonic()
                run(*argv, env=env)
                durations[name] = time.monotonic() - began
                continue
            proc = subprocess.Popen(
                [EK, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.0, min(args.max_delay, durations[name] * 1.1)))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            else:
                counts["finished-before-kill"] += 1
            proc.wait()
            counts["trials"] += 1
            survivors = _survivors(str(case))
            if survivors:
                counts["failures"] += 1
                print(f"trial {trial} ({name}): processes outlived the kill: {survivors}")

            first = json.loads(run("verify", str(case), "--json", env=env).stdout)
            codes = {f["code"] for f in first["findings"] if f["severity"] == "error"}
            if codes == {"interrupted-change"}:
                counts["killed-mid-commit"] += 1
            elif codes:
                counts["failures"] += 1
                print(f"trial {trial} ({name}): verify found {sorted(codes)}")
            run("status", "--case", str(case), env=env)
            second = json.loads(run("verify", str(case), "--json", env=env).stdout)
            if not second["ok"] or (case / ".evidencekit-txn").exists():
                counts["failures"] += 1
                print(f"trial {trial} ({name}): after recovery: {second['findings']}")
            if counts["failures"]:
                break
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(
        f"{counts['trials']} trials in {elapsed:.0f} s ({by_scenario}); "
        f"killed during the final renames: {counts['killed-mid-commit']}; "
        f"finished before the kill: {counts['finished-before-kill']}; failures: {counts['failures']}"
    )
    return 1 if counts["failures"] else 0


def _fresh_folder(sources: Path, work: Path, n: int) -> Path:
    """A folder with unique content each time (identical content would just be a duplicate)."""
    folder = work / f"folder-{n}"
    folder.mkdir()
    for source in sorted(sources.iterdir()):
        (folder / source.name).write_bytes(source.read_bytes() + n.to_bytes(4, "big"))
    return folder


def _survivors(case: str, wait: float = 3.0) -> list[int]:
    """Processes still running a command on `case` after it was killed (Linux /proc), given
    `wait` seconds to end."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z" and case.encode() in cmdline and any(b"evidencekit" in part for part in cmdline):
                found.append(int(entry.name))
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def _fresh_big(big: Path, work: Path, n: int) -> Path:
    target = work / f"recording-{n}.mp4"
    with open(big, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 8 << 20)
        dst.write(n.to_bytes(4, "big"))
    return target


def _recipient(identity: Path) -> str:
    if not identity.exists():
        subprocess.run(["age-keygen", "-o", str(identity)], capture_output=True, check=True)
    for line in identity.read_text().splitlines():
        if line.startswith("# public key: "):
            return line.split(": ", 1)[1]
    raise SystemExit("age-keygen did not print a public key")


if __name__ == "__main__":
    sys.exit(main())
