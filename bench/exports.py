"""Benchmark: reading chat exports into transcripts, against simple reference tools.

Generates synthetic exports (a WhatsApp .txt and a Messenger "Download your information" folder)
of 10,000 and 100,000 messages, then, each in a fresh process, makes the full transcript
(transcript.jsonl, .csv and .html) exactly as `capture` does, and prints messages per second and
peak memory (max RSS) beside reference runs on the same files:

- `wc -l` (reading the WhatsApp text once, in C),
- `python -c json.load` over the Messenger files (the standard library loading everything).

Memory should not grow with the export: compare the 10,000- and 100,000-message rows.
Run:  .venv/bin/python bench/exports.py [--messages 100000]
Linux/macOS only (it reads peak memory with `resource`). Figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import resource, sys, time
from pathlib import Path
from zoneinfo import ZoneInfo
t0 = time.perf_counter()
from evidencekit.exports import detect
from evidencekit.exports.base import ParseContext
from evidencekit.exports.pipeline import transcribe
from evidencekit.exports.source import open_source
path, work = Path(sys.argv[1]), Path(sys.argv[2])
source = open_source(path, path.name)
parser, detection = detect(source)
zone = ZoneInfo("Europe/London")
ctx = ParseContext(zone=zone, zone_name="Europe/London", display_zone=zone)
out = transcribe(parser, detection, source, ctx, work, item={"id": "E0001", "original_name": path.name},
                 derived_prefix="data/derived/E0001", made_at="now")
elapsed = time.perf_counter() - t0
n = out.summary["messages"] + out.summary["system_messages"]
print(f"{n} {elapsed:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""

JSON_LOAD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
n = 0
for f in sorted(Path(sys.argv[1]).rglob("message_*.json")):
    with open(f, "rb") as fh:
        n += len(json.load(fh)["messages"])
print(f"{n} {time.perf_counter() - t0:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""

IDLE = r"""
import resource
import evidencekit.exports.pipeline, evidencekit.exports.whatsapp, evidencekit.exports.meta, ijson
print(f"0 0 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""

WORDS = [
    "pay",
    "or",
    "I",
    "send",
    "the",
    "pictures",
    "to",
    "everyone",
    "you",
    "know",
    "today",
    "tomorrow",
    "please",
    "stop",
    "who",
    "is",
    "this",
]


def make_whatsapp(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("14/03/2024, 20:51 - Messages and calls are end-to-end encrypted. Tap to learn more.\n")
        for i in range(count - 1):
            day, minute = 1 + (i // 1440) % 28, i % 1440
            stamp = f"{day:02d}/03/2024, {minute // 60:02d}:{minute % 60:02d}"
            who = "Riley" if i % 3 else "Sam"
            words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(3 + i % 9))
            if i % 50 == 0:
                fh.write(f"{stamp} - {who}: \u200eIMG-20240314-WA{i:04d}.jpg (file attached)\n{words}\n")
            elif i % 17 == 0:
                fh.write(f"{stamp} - {who}: {words}\nand a second line 😢\n")
            else:
                fh.write(f"{stamp} - {who}: {words}\n")


def make_messenger(root: Path, count: int, per_file: int) -> None:
    thread = root / "your_facebook_activity" / "messages" / "inbox" / "remy_1234567890"
    thread.mkdir(parents=True)
    base = 1710450000000
    files = max(1, (count + per_file - 1) // per_file)
    for number in range(1, files + 1):
        start = (number - 1) * per_file
        msgs = []
        for i in range(start, min(count, start + per_file)):
            msg = {
                "sender_name": "R\u00c3\u00a9my" if i % 2 else "Sam Example",
                "timestamp_ms": base - i * 60000,
                "content": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(3 + i % 9)),
            }
            if i % 7 == 0:
                msg["reactions"] = [{"reaction": "\u00f0\u009f\u0098\u00a2", "actor": "Sam Example"}]
            if i % 40 == 0:
                msg["photos"] = [
                    {
                        "uri": f"your_facebook_activity/messages/inbox/remy_1234567890/photos/{i}.jpg",
                        "creation_timestamp": (base - i * 60000) // 1000,
                    }
                ]
            msgs.append(msg)
        data = {
            "participants": [{"name": "R\u00c3\u00a9my"}, {"name": "Sam Example"}],
            "messages": msgs,
            "title": "R\u00c3\u00a9my",
            "is_still_participant": True,
            "thread_path": "inbox/remy_1234567890",
        }
        (thread / f"message_{number}.json").write_text(json.dumps(data, indent=2), encoding="ascii")


def generate(kind: str, path: Path, count: int, per_file: int = 10_000) -> None:
    """Make a sample in a separate process, so this process stays small: on Linux a child's peak
    RSS starts from its parent's size at fork, which would hide the figures being measured."""
    subprocess.run(
        [sys.executable, __file__, "--make", kind, str(path), str(count), str(per_file)], check=True
    )


def run(code: str, *args: str) -> tuple[int, float, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    count, seconds, rss_kb = out.stdout.split()
    scale = 1024 if sys.platform == "darwin" else 1  # macOS reports bytes, Linux kilobytes
    return int(count), float(seconds), int(rss_kb) / scale / 1024


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - start


def size(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument(
        "--make", nargs=4, metavar=("KIND", "PATH", "COUNT", "PER_FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.make:
        kind, path, count, per_file = args.make
        if kind == "whatsapp":
            make_whatsapp(Path(path), int(count))
        else:
            make_messenger(Path(path), int(count), int(per_file))
        return
    big = args.messages
    small = max(1000, big // 10)
    tmp = Path(tempfile.mkdtemp(prefix="ek-bench-"))
    try:
        rows = []
        _, _, idle = run(IDLE)
        print(f"Python with evidencekit's export modules loaded: {idle:.0f} MB peak RSS (the floor)\n")
        for n in (small, big):
            wa = tmp / f"wa{n}" / "WhatsApp Chat with Riley.txt"
            wa.parent.mkdir()
            generate("whatsapp", wa, n)
            work = tmp / f"wa{n}-out"
            work.mkdir()
            count, seconds, rss = run(CHILD, str(wa), str(work))
            wc = timed(["wc", "-l", str(wa)])
            rows.append(("WhatsApp .txt", n, size(wa), count, seconds, rss, "wc -l", wc, None))
        for n, per_file, label in (
            (small, 10_000, "Messenger DYI"),
            (big, 10_000, "Messenger DYI"),
            (big, big, "Messenger, one file"),
        ):
            root = tmp / f"fb{n}-{per_file}"
            generate("messenger", root, n, per_file)
            work = tmp / f"fb{n}-{per_file}-out"
            work.mkdir()
            count, seconds, rss = run(CHILD, str(root), str(work))
            _, ref_seconds, ref_rss = run(JSON_LOAD, str(root))
            rows.append((label, n, size(root), count, seconds, rss, "json.load", ref_seconds, ref_rss))

        head = (
            f"{'export':<20} {'messages':>9} {'MB':>6} {'seconds':>8} {'msg/s':>9} {'peak RSS':>9}   "
            f"{'reference':<10} {'ref s':>6} {'x slower':>8} {'ref RSS':>8}"
        )
        print(head)
        print("-" * len(head))
        for label, n, mb, count, seconds, rss, ref, ref_s, ref_rss in rows:
            assert count == n, (label, count, n)
            ratio = seconds / ref_s if ref_s else float("nan")
            ref_mem = f"{ref_rss:.0f} MB" if ref_rss is not None else "-"
            print(
                f"{label:<20} {n:>9,} {mb:>6.1f} {seconds:>8.2f} {n / seconds:>9,.0f} {rss:>6.0f} MB   "
                f"{ref:<10} {ref_s:>6.2f} {ratio:>8.1f} {ref_mem:>8}"
            )
        print(
            "\nseconds: reading the export and writing transcript.jsonl, .csv and .html (as capture does);"
            "\nthe reference only reads. Peak RSS includes the Python interpreter (see the floor above)."
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
