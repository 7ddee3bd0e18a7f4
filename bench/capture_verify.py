"""Capture and verify speed, side by side with reference tools on the same files.

    python bench/capture_verify.py [--big-gb 2] [--small-count 10000] [--small-kb 200] [--repeat 3]

Prints, for each scenario, the median wall time of evidencekit and of the reference tool, timed in
alternation on the same (page-cached) files, each run starting from a quiet disk (`sync`); the
median of the pairs' ratios and their range; and evidencekit's peak memory:

- capture of one big file        vs  openssl dgst -sha256           (target ≤ 1.3×)
- verify of that case            vs  openssl dgst -sha256           (target ≤ 1.15×)
- capture of many small files    vs  cp -r + openssl dgst -sha256   (target ≤ 2×)
- verify of that case            vs  bagit.py --validate            (target: ≥ 2× faster)
- `evidencekit --help` / `status` start-up                           (target < 0.3 s)

Results are also written as JSON to bench/out/capture_verify.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
EK = str(BIN / "evidencekit")
OUT = Path(__file__).resolve().parent / "out"


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) of one run, measured by GNU time."""
    full = ["/usr/bin/time", "-f", "%e %M", *cmd]
    proc = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    wall, rss_kb = proc.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss_kb) // 1024


def median_run(make_cmd, repeat: int, before=None, **kw) -> tuple[float, int]:
    """Median wall time and peak memory of `repeat` runs.

    Before each run (untimed) the disk is made quiet with `sync`: otherwise the data a previous
    run left unwritten (cp does not flush; evidencekit does) is written back during the next one
    and slows whichever tool comes next."""
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        cmd = make_cmd()
        os.sync()
        wall, rss = timed(cmd, **kw)
        times.append(wall)
        peaks.append(rss)
    return statistics.median(times), max(peaks)


class Pairs:
    """evidencekit and a reference tool timed in alternation: reference, ours, reference, ours...

    This virtual disk's speed drifts by up to a factor of two within minutes (`cp -r` of the same
    files took 1 s in one run and 5 s a few minutes later), so timing all of one tool and then all
    of the other measures the drift as much as the tools. Alternating puts each pair under the
    same conditions; the ratio reported is the median of the pairs' ratios, with their range."""

    def __init__(self) -> None:
        self.ours: list[float] = []
        self.refs: list[float] = []
        self.peak = 0

    def run(self, make_ours, make_ref, repeat: int, ours_env: dict[str, str]) -> Pairs:
        for _ in range(repeat):
            ref_cmd = make_ref()
            os.sync()
            self.refs.append(timed(ref_cmd)[0])
            ours_cmd = make_ours()
            os.sync()
            wall, rss = timed(ours_cmd, env=ours_env)
            self.ours.append(wall)
            self.peak = max(self.peak, rss)
        return self

    @property
    def ratios(self) -> list[float]:
        return [ours / ref for ours, ref in zip(self.ours, self.refs, strict=True) if ref]


def row(
    name: str,
    ours: tuple[float, int],
    ref: tuple[float, int],
    ref_name: str,
    target: str,
    ratios: list[float] | None = None,
) -> dict:
    """Print and return one result; with `ratios` (from Pairs) the ratio is their median."""
    ratio = statistics.median(ratios) if ratios else (ours[0] / ref[0] if ref[0] else float("inf"))
    spread = f"  (pairs {min(ratios):.2f}–{max(ratios):.2f})" if ratios else ""
    print(
        f"{name:<34} evidencekit {ours[0]:7.2f} s ({ours[1]:4d} MB)  {ref_name:<26} {ref[0]:7.2f} s"
        f"  ratio {ratio:5.2f}×  target {target}{spread}"
    )
    return {
        "scenario": name,
        "evidencekit_s": ours[0],
        "evidencekit_peak_mb": ours[1],
        "reference": ref_name,
        "reference_s": ref[0],
        "ratio": ratio,
        "pair_ratios": ratios,
        "target": target,
    }


def paired_row(name: str, pairs: Pairs, ref_name: str, target: str) -> dict:
    return row(
        name,
        (statistics.median(pairs.ours), pairs.peak),
        (statistics.median(pairs.refs), 0),
        ref_name,
        target,
        ratios=pairs.ratios,
    )


def compile_bytecode() -> None:
    """Byte-compile evidencekit as `pip install` does for a user, so that no timed run pays for
    compiling sources (an editable install run with PYTHONDONTWRITEBYTECODE=1 never caches them)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("evidencekit")
    for folder in spec.submodule_search_locations or []:
        compileall.compile_dir(folder, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big-gb", type=float, default=2.0)
    parser.add_argument("--small-count", type=int, default=10_000)
    parser.add_argument("--small-kb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where to put test files (same disk as cases)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ek-bench-", dir=args.workdir))
    env = dict(os.environ, EVIDENCEKIT_HOME=str(work / "home"), NO_COLOR="1")
    results = []
    compile_bytecode()
    try:
        print(f"work folder: {work}  ({os.cpu_count()} cores)")
        big = work / "recording.bin"
        with open(big, "wb") as handle:
            for _ in range(int(args.big_gb * 1024)):
                handle.write(os.urandom(1 << 20))
        subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache

        counter = {"n": 0}

        def fresh_case() -> Path:
            counter["n"] += 1
            case = work / f"case-{counter['n']}"
            subprocess.run([EK, "new", str(case)], env=env, capture_output=True, check=True)
            return case

        cases: list[Path] = []

        def capture_big() -> list[str]:
            shutil.rmtree(cases.pop(), ignore_errors=True) if cases else None
            case = fresh_case()
            cases.append(case)
            return [EK, "capture", str(big), "--case", str(case)]

        openssl_big = lambda: ["openssl", "dgst", "-sha256", str(big)]  # noqa: E731

        def durable_copy() -> list[str]:
            copy = work / "plain-copy.bin"
            copy.unlink(missing_ok=True)
            return ["sh", "-c", f"cp '{big}' '{copy}' && sync '{copy}'"]

        label = f"capture {args.big_gb:g} GB file"
        pairs = Pairs().run(capture_big, openssl_big, args.repeat, env)
        results.append(paired_row(label, pairs, "openssl dgst -sha256", "≤ 1.3×"))
        # For context: what writing the copy to disk costs alone (capture must flush before it
        # commits: a copy that is not on disk yet is not evidence).
        pairs = Pairs().run(capture_big, durable_copy, args.repeat, env)
        results.append(paired_row(label, pairs, "cp + sync (durable copy)", "context"))
        (work / "plain-copy.bin").unlink(missing_ok=True)
        big_case = cases[-1]
        pairs = Pairs().run(lambda: [EK, "verify", str(big_case)], openssl_big, args.repeat, env)
        results.append(
            paired_row(f"verify {args.big_gb:g} GB case", pairs, "openssl dgst -sha256", "≤ 1.15×")
        )
        shutil.rmtree(big_case)
        big.unlink()

        small = work / "screenshots"
        small.mkdir()
        payload = os.urandom(args.small_kb * 1024)
        for n in range(args.small_count):
            (small / f"shot-{n:05d}.png").write_bytes(
                payload[n % 97 :] + n.to_bytes(4, "big") + payload[: n % 97]
            )

        def cp_then_openssl(durable: bool = False) -> list[str]:
            target = work / "cp-copy"
            shutil.rmtree(target, ignore_errors=True)
            flush = f"sync -f {target} && " if durable else ""
            return [
                "bash",
                "-c",
                f"cp -r {small} {target} && {flush}"
                f"find {target} -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null",
            ]

        cases.clear()

        def capture_small() -> list[str]:
            shutil.rmtree(cases.pop(), ignore_errors=True) if cases else None
            case = fresh_case()
            cases.append(case)
            return [EK, "capture", str(small), "--case", str(case)]

        label = f"capture {args.small_count} × {args.small_kb} KB"
        pairs = Pairs().run(capture_small, cp_then_openssl, args.repeat, env)
        results.append(paired_row(label, pairs, "cp -r + openssl dgst", "≤ 2×"))
        # Context, as above: the same with the copies flushed to disk, as capture does.
        pairs = Pairs().run(capture_small, lambda: cp_then_openssl(durable=True), args.repeat, env)
        results.append(paired_row(label, pairs, "cp -r + sync + openssl", "context"))
        shutil.rmtree(work / "cp-copy", ignore_errors=True)
        small_case = cases[-1]
        pairs = Pairs().run(
            lambda: [EK, "verify", str(small_case)],
            lambda: [str(BIN / "bagit.py"), "--validate", "--quiet", str(small_case)],
            args.repeat,
            env,
        )
        results.append(
            paired_row(f"verify {args.small_count}-file case", pairs, "bagit.py --validate", "≤ 0.5×")
        )

        for label, cmd in (("--help", [EK, "--help"]), ("status", [EK, "status", "--case", str(small_case)])):
            wall, rss = median_run(lambda cmd=cmd: cmd, max(5, args.repeat), env=env)
            print(f"start-up: evidencekit {label:<8} {wall:5.2f} s ({rss} MB)   target < 0.3 s")
            results.append({"scenario": f"start-up {label}", "evidencekit_s": wall, "target": "< 0.3 s"})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "capture_verify.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
