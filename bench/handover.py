"""Benchmark: the encrypted hand-over against the stock `age` CLI on the same case, side by side.

    python bench/handover.py [--size-mb 1024] [--files 4] [--keep]

Makes a sealed case of `--size-mb` of random evidence (in bench/out/, removed afterwards unless
--keep), then times, each as a separate process with its peak memory (max RSS):

  encrypt   evidencekit seal --recipient R --out DIR   vs  tar -cf - CASE | age -r R -o FILE
  open      evidencekit open FILE --identity KEY       vs  age -d -i KEY FILE | tar -xf -
  verify    evidencekit verify FILE --identity KEY     vs  age -d -i KEY FILE | tar -tf - >/dev/null

evidencekit does more in each row (it re-hashes every file against the sealed manifest while
encrypting, checks the .sha256 and the whole bag after decrypting), so the ratios are an upper bound
on its overhead. Targets: within 1.5x of age, peak RSS under 150 MB. Figures from a shared, loaded
machine vary from run to run; run it twice.

    python bench/handover.py --writers [--size-mb 512]

compares the two age writers on the same input instead, in this process: our own `AgeWriter`
(handover/age_stream.py) and pyrage's `encrypt_io`, each encrypting the same random file to the
same X25519 recipient (fastest of --repeat runs, alternating), then checks that the stock `age`
CLI decrypts both outputs back to the input, and prints the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
EVIDENCEKIT = str(BIN / "evidencekit")


def run(command: list[str] | str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command (a shell pipeline when given a string)."""
    args = ["bash", "-c", command] if isinstance(command, str) else command
    start = time.perf_counter()
    process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {command}")
    return elapsed, usage.ru_maxrss / 1024


def make_case(root: Path, size_mb: int, files: int, env: dict[str, str]) -> Path:
    originals = root / "originals"
    originals.mkdir(parents=True)
    per_file = size_mb * (1 << 20) // files
    for number in range(files):
        with open(originals / f"export-{number}.bin", "wb") as handle:
            left = per_file
            while left:
                block = os.urandom(min(left, 8 << 20))
                handle.write(block)
                left -= len(block)
    case = root / "case"
    for args in (
        ["new", str(case), "--title", "Benchmark", "--collector", "bench"],
        ["capture", "-C", str(case), *[str(p) for p in sorted(originals.iterdir())]],
        ["seal", "-C", str(case)],
    ):
        subprocess.run([EVIDENCEKIT, *args], check=True, env=env, stdout=subprocess.DEVNULL)
    shutil.rmtree(originals)
    return case


def compare_writers(work: Path, size_mb: int, repeat: int) -> None:
    """Time AgeWriter against pyrage.encrypt_io on the same input; stock age must open both."""
    import hashlib

    import pyrage  # type: ignore[import-untyped]
    from pyrage import x25519

    from evidencekit.handover.age_stream import AgeWriter

    source = work / "input.bin"
    digest = hashlib.sha256()
    with open(source, "wb") as handle:
        for _ in range(size_mb):
            block = os.urandom(1 << 20)
            digest.update(block)
            handle.write(block)
    key = work / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = next(line.split(": ")[1] for line in key.read_text().splitlines() if "public key" in line)

    def ours(out: Path) -> None:
        with open(source, "rb") as reader, open(out, "wb") as writer:
            encrypted = AgeWriter([recipient], writer.write)
            while block := reader.read(1 << 20):
                encrypted.write(block)
            encrypted.close()

    def theirs(out: Path) -> None:
        with open(source, "rb") as reader, open(out, "wb") as writer:
            pyrage.encrypt_io(reader, writer, [x25519.Recipient.from_str(recipient)])

    times: dict[str, list[float]] = {"AgeWriter (ours)": [], "pyrage.encrypt_io": []}
    for _ in range(repeat):
        for name, write in (("AgeWriter (ours)", ours), ("pyrage.encrypt_io", theirs)):
            out = work / f"{name.split()[0]}.age"
            start = time.perf_counter()
            write(out)
            times[name].append(time.perf_counter() - start)
            opened = subprocess.run(
                ["bash", "-c", f"age -d -i '{key}' '{out}' | sha256sum"],
                check=True,
                capture_output=True,
                text=True,
            )
            if opened.stdout.split()[0] != digest.hexdigest():
                raise SystemExit(f"age did not decrypt {name}'s output back to the input")
            out.unlink()
    best = {name: min(runs) for name, runs in times.items()}
    print(
        f"\nEncrypting {size_mb} MB to one X25519 recipient, fastest of {repeat} "
        "(age -d opened every output):"
    )
    for name, seconds in best.items():
        print(f"  {name:<20} {seconds:6.2f} s  {size_mb / seconds:7.0f} MB/s")
    ratio = best["pyrage.encrypt_io"] / best["AgeWriter (ours)"]
    print(
        f"  pyrage takes {ratio:.2f}x the time of AgeWriter. Machine: {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; the fastest counts")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--writers", action="store_true", help="compare the two age writers only")
    options = parser.parse_args()
    for tool in ("age", "age-keygen", "tar"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt install age)")

    work = HERE / "out" / "handover"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if options.writers:
        try:
            compare_writers(work, options.size_mb, options.repeat)
        finally:
            if not options.keep:
                shutil.rmtree(work, ignore_errors=True)
        return
    env = {"EVIDENCEKIT_HOME": str(work / "home"), "NO_COLOR": "1"}
    try:
        print(f"Making a sealed case of {options.size_mb} MB in {options.files} files…", flush=True)
        case = make_case(work, options.size_mb, options.files, env)
        key = work / "key.txt"
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
        recipient = next(line.split(": ")[1] for line in key.read_text().splitlines() if "public key" in line)
        ours_dir, ref_dir = work / "ours", work / "ref"
        ours_dir.mkdir()
        ref_dir.mkdir()

        def best(ours_cmd, ref_cmd, before=None) -> tuple[tuple[float, float], tuple[float, float]]:
            """Alternate the two commands `--repeat` times; keep the fastest run of each."""
            ours_runs, ref_runs = [], []
            for _ in range(options.repeat):
                for command, runs, is_ours in ((ours_cmd, ours_runs, True), (ref_cmd, ref_runs, False)):
                    if before:
                        before()
                    runs.append(run(command, env if is_ours else None))
            return min(ours_runs), min(ref_runs)

        rows = []
        ref_archive = ref_dir / "case.tar.age"
        ours, ref = best(
            [EVIDENCEKIT, "seal", "-C", str(case), "-r", recipient, "--out", str(ours_dir)],
            f"tar -cf - -C '{case.parent}' '{case.name}' | age -r {recipient} -o '{ref_archive}'",
        )
        archive = next(ours_dir.glob("*.tar.age"))
        case_id = archive.name.removesuffix(".tar.age")
        rows.append(("encrypt", ours, ref))

        opened, ref_opened = work / "opened", work / "ref-opened"

        def fresh() -> None:
            shutil.rmtree(opened, ignore_errors=True)
            shutil.rmtree(ref_opened, ignore_errors=True)
            ref_opened.mkdir()

        ours, ref = best(
            [EVIDENCEKIT, "open", str(archive), "--identity", str(key), "--to", str(opened)],
            f"age -d -i '{key}' '{ref_archive}' | tar -xf - -C '{ref_opened}'",
            before=fresh,
        )
        rows.append(("open (decrypt, unpack; ours also verifies)", ours, ref))
        fresh()

        ours, ref = best(
            [EVIDENCEKIT, "verify", str(archive), "--identity", str(key)],
            f"age -d -i '{key}' '{ref_archive}' | tar -tf - > /dev/null",
        )
        rows.append(("verify in a stream (nothing on disk)", ours, ref))
        checks = (
            f"sha256sum '{ref_archive}' >/dev/null && age -d -i '{key}' '{ref_archive}' "
            f"| tar -xf - -C '{ref_opened}' && cd '{ref_opened}/{case.name}' "
            "&& sha256sum -c manifest-sha256.txt >/dev/null"
        )
        ours, ref = best(
            [EVIDENCEKIT, "open", str(archive), "--identity", str(key), "--to", str(opened)],
            checks,
            before=fresh,
        )
        rows.append(("open vs age + sha256sum -c (same checks)", ours, ref))

        passphrase = work / "passphrase.txt"
        passphrase.write_text("benchmark passphrase with several words\n", encoding="utf-8")
        pw_dir = work / "pw"
        ours_pw = run(
            [
                EVIDENCEKIT,
                "seal",
                "-C",
                str(case),
                "--passphrase-file",
                str(passphrase),
                "--out",
                str(pw_dir),
            ],
            env,
        )
        ours_pw_verify = run(
            [EVIDENCEKIT, "verify", str(pw_dir / f"{case_id}.tar.age"), "--passphrase-file", str(passphrase)],
            env,
        )

        size = archive.stat().st_size / 1e6
        ref_size = ref_archive.stat().st_size / 1e6
        print(f"\nCase {case_id}: archive {size:.0f} MB (ours) / {ref_size:.0f} MB (age)\n")
        print(
            f"{'step':<44} {'evidencekit':>12} {'age CLI':>10} {'ratio':>7}   {'RSS ours':>9} {'RSS age':>8}"
        )
        for name, (t_ours, m_ours), (t_ref, m_ref) in rows:
            print(
                f"{name:<44} {t_ours:>10.2f} s {t_ref:>8.2f} s {t_ours / t_ref:>6.2f}x   "
                f"{m_ours:>6.0f} MB {m_ref:>5.0f} MB"
            )
        print(
            f"\nPassphrase hand-over (key file locked with scrypt by pyrage): encrypt {ours_pw[0]:.2f} s, "
            f"{ours_pw[1]:.0f} MB; verify {ours_pw_verify[0]:.2f} s, {ours_pw_verify[1]:.0f} MB "
            "(scrypt alone needs 128 × 8 × 2^N bytes for work factor N, as in age)."
        )
        load = os.getloadavg()[0]
        print(f"Targets: peak RSS < 150 MB, ratio < 1.5x. Machine: {os.cpu_count()} cores, load {load:.1f}.")
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
