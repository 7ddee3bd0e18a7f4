"""Benchmark: reading chat exports into transcripts, against simple reference tools.

Generates synthetic exports (a WhatsApp .txt, a Telegram Desktop result.json and a Messenger
"Download your information" folder) of 10,000 and 100,000 messages, then, each in a fresh process,
makes the full transcript (transcript.jsonl, .csv and .html) exactly as `capture` does, and prints
messages per second and peak memory (max RSS) beside reference runs on the same files:

- for WhatsApp and Telegram, open-source parsers from the package index, installed into a venv of
  the bench's own under the temporary folder (they are never imported into evidencekit's venv):
  WhatsApp: whatsapp-chat-analyzer, chat-miner, whatstk; Telegram: telegram-export-md, chat-miner,
  tg-parser (streaming and whole-file readers), and a plain `json.load` walk as the floor. Each one
  must hand back every message with its sender, time and text; the fastest is the one the ratio
  is taken against, and every one is listed.
- `wc -l` (reading the WhatsApp text once, in C),
- `python -c json.load` over the Messenger files (the standard library loading everything).

The reference venv takes about a minute to install; `--ref-venv DIR` keeps it in DIR (made if
missing) for later runs, `--no-reference` skips the installed parsers.

Memory should not grow with the export: compare the 10,000- and 100,000-message rows.
Run:  .venv/bin/python bench/exports.py [--messages 100000] [--ref-venv DIR | --no-reference]
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

# Our parser alone (detect and read every message, no transcript), for a like-for-like line beside
# the references, which only read.
PARSE_ONLY = r"""
import resource, sys, time
from pathlib import Path
from zoneinfo import ZoneInfo
t0 = time.perf_counter()
from evidencekit.exports import detect
from evidencekit.exports.base import ParseContext
from evidencekit.exports.source import open_source
path = Path(sys.argv[1])
source = open_source(path, path.name)
parser, detection = detect(source)
zone = ZoneInfo("Europe/London")
ctx = ParseContext(zone=zone, zone_name="Europe/London", display_zone=zone)
n = sum(1 for _ in parser.parse(source, detection, ctx))
print(f"{n} {time.perf_counter() - t0:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
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

# Reference parsers, run with the reference venv's Python. Each prints the messages it parsed, the
# seconds from before its imports (as CHILD counts its own) and its peak RSS. Some leave out what
# they do not model (service messages, the system line at the top); the count shows how many.
REF_HEAD = "import resource, sys, time\nt0 = time.perf_counter()\n"
REF_TAIL = (
    '\nprint(f"{n} {time.perf_counter() - t0:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")\n'
)
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "whatsapp": [
        (
            "whatsapp-chat-analyzer",
            "from whatsapp_analyzer import parse_file\n"
            "n = sum(1 for m in parse_file(sys.argv[1]) if m.timestamp and (m.sender or m.text) is not None)",
        ),
        (
            "chat-miner",
            "import logging; logging.disable(logging.CRITICAL)\n"
            "import os; os.environ['TQDM_DISABLE'] = '1'\n"
            "from chatminer.chatparsers import WhatsAppParser\n"
            "p = WhatsAppParser(sys.argv[1]); p.parse_file()\n"
            "n = sum(1 for m in p.parsed_messages._parsed_messages if m.timestamp and m.message is not None)",
        ),
        (
            "whatstk",
            "from whatstk import WhatsAppChat\n"
            "df = WhatsAppChat.from_source(filepath=sys.argv[1], hformat='%d/%m/%Y, %H:%M - %name:').df\n"
            "n = int(df['date'].notna().sum())",
        ),
    ],
    "telegram": [
        (
            "telegram-export-md",
            "from pathlib import Path\n"
            "from tg_export_md.converter import load_export, parse_chat\n"
            "chat = parse_chat(load_export(Path(sys.argv[1]))[1])\n"
            "n = sum(1 for m in chat.messages if m.date is not None)",
        ),
        (
            "chat-miner",
            "import logging; logging.disable(logging.CRITICAL)\n"
            "import os; os.environ['TQDM_DISABLE'] = '1'\n"
            "from chatminer.chatparsers import TelegramJsonParser\n"
            "p = TelegramJsonParser(sys.argv[1]); p.parse_file()\n"
            "n = len(p.parsed_messages._parsed_messages)",
        ),
        (
            "tg-parser, streaming",
            "from pathlib import Path\n"
            "from tg_parser.infrastructure.readers import get_reader\n"
            "chat = get_reader(Path(sys.argv[1]), streaming=True).read(Path(sys.argv[1]))\n"
            "n = len(chat.messages)",
        ),
        (
            "tg-parser",
            "from pathlib import Path\n"
            "from tg_parser.infrastructure.readers import get_reader\n"
            "chat = get_reader(Path(sys.argv[1]), streaming=False).read(Path(sys.argv[1]))\n"
            "n = len(chat.messages)",
        ),
        (
            "json.load walk",
            "import json\n"
            "with open(sys.argv[1], 'rb') as fh: data = json.load(fh)\n"
            "n = 0\n"
            "for m in data['messages']:\n"
            "    t = m.get('text')\n"
            "    if not isinstance(t, str):\n"
            "        t = ''.join(p if isinstance(p, str) else p.get('text', '') for p in t)\n"
            "    n += bool(m.get('date_unixtime')) and (m.get('from') or m.get('actor') or t) is not None",
        ),
    ],
}
FLOORS = {"json.load walk"}  # shown for scale; not a parser anyone would hand evidence to
REF_PACKAGES = ["whatsapp-chat-analyzer", "chat-miner", "whatstk", "telegram-export-md", "tg-parser[all]"]

IDLE = r"""
import resource
import evidencekit.exports.pipeline, evidencekit.exports.whatsapp, evidencekit.exports.meta
import evidencekit.exports.telegram, ijson
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


def make_telegram(path: Path, count: int) -> None:
    """A one-chat result.json as Telegram Desktop writes it (one-space indent, `text` a string or a
    list of strings and entities, `text_entities` beside it), with replies, edits, forwards,
    photos, files left out of the export, and service messages."""
    base = 1710450000
    people = (("Riley", "user1111"), ("Sam", "user2222"))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{\n "name": "Riley",\n "type": "personal_chat",\n "id": 1111,\n "messages": [\n')
        for i in range(count):
            unix = base + i * 60
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix))
            words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(3 + i % 9))
            msg: dict[str, object] = {
                "id": i + 1,
                "type": "message",
                "date": stamp,
                "date_unixtime": str(unix),
            }
            if i % 97 == 0:
                who, uid = people[0]
                msg.update(type="service", actor=who, actor_id=uid, action="pin_message", message_id=i)
                msg["text"], msg["text_entities"] = "", []
            else:
                who, uid = people[i % 3 == 0]
                msg.update({"from": who, "from_id": uid})
                if i % 5 == 0:
                    parts: list[object] = [
                        words + " ",
                        {"type": "bold", "text": "now"},
                        " see ",
                        {"type": "link", "text": f"https://pay.example/{i}"},
                    ]
                    msg["text"] = parts
                    msg["text_entities"] = [
                        p if isinstance(p, dict) else {"type": "plain", "text": p} for p in parts
                    ]
                else:
                    msg["text"] = words
                    msg["text_entities"] = [{"type": "plain", "text": words}]
                if i % 7 == 0 and i:
                    msg["reply_to_message_id"] = i
                if i % 11 == 0:
                    msg["edited"] = stamp
                    msg["edited_unixtime"] = str(unix + 30)
                if i % 40 == 0:
                    msg["photo"] = f"photos/photo_{i}@14-03-2024_20-51-00.jpg"
                    msg["width"], msg["height"] = 1280, 960
                elif i % 45 == 0:
                    msg["file"] = "(File exceeds maximum size. Change data exporting settings to download.)"
                    msg["file_name"] = f"video_{i}.mp4"
                    msg["media_type"] = "video_file"
                    msg["mime_type"] = "video/mp4"
                    msg["duration_seconds"] = 12
                if i % 63 == 0:
                    msg["forwarded_from"] = "Someone Else"
            body = json.dumps(msg, ensure_ascii=False, indent=1)
            fh.write("  " + body.replace("\n", "\n  ") + (",\n" if i < count - 1 else "\n"))
        fh.write(" ]\n}\n")


def generate(kind: str, path: Path, count: int, per_file: int = 10_000) -> None:
    """Make a sample in a separate process, so this process stays small: on Linux a child's peak
    RSS starts from its parent's size at fork, which would hide the figures being measured."""
    subprocess.run(
        [sys.executable, __file__, "--make", kind, str(path), str(count), str(per_file)], check=True
    )


def reference_python(venv: Path) -> Path:
    """The reference venv's Python, made and filled from the configured package index if missing."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"Installing the reference parsers into {venv} (about a minute) ...", flush=True)
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *REF_PACKAGES],
            check=True,
        )
    return python


def run_reference(python: Path, code: str, path: Path) -> tuple[int, float, float] | str:
    """One reference parser in a fresh process; a failure is shown, not raised."""
    try:
        return run(REF_HEAD + code + REF_TAIL, str(path), python=python)
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or "").strip().splitlines()
        return lines[-1] if lines else f"exit {exc.returncode}"


def run(code: str, *args: str, python: Path | None = None) -> tuple[int, float, float]:
    exe = str(python) if python else sys.executable
    out = subprocess.run([exe, "-c", code, *args], capture_output=True, text=True, check=True)
    count, seconds, rss_kb = out.stdout.split()
    scale = 1024 if sys.platform == "darwin" else 1  # macOS reports bytes, Linux kilobytes
    return int(count), float(seconds), int(rss_kb) / scale / 1024


def fastest(
    kind: str,
    n: int,
    python: Path,
    path: Path,
    refs: list[tuple[str, int, str, tuple[int, float, float] | str]],
) -> tuple[str, float, float] | None:
    """Run every reference for this format on the file; the fastest that parsed at least nine in
    ten of the messages (they may leave out service lines), the floor aside, is the one to compare
    with."""
    best = None
    for name, code in REFERENCES[kind]:
        result = run_reference(python, code, path)
        refs.append((kind, n, name, result))
        if isinstance(result, str) or result[0] < n * 0.9 or name in FLOORS:
            continue
        if best is None or result[1] < best[1]:
            best = (name, result[1], result[2])
    return best


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
    parser.add_argument("--ref-venv", type=Path, help="keep the reference parsers' venv here")
    parser.add_argument("--no-reference", action="store_true", help="skip the installed parsers")
    parser.add_argument(
        "--make", nargs=4, metavar=("KIND", "PATH", "COUNT", "PER_FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.make:
        kind, path, count, per_file = args.make
        if kind == "whatsapp":
            make_whatsapp(Path(path), int(count))
        elif kind == "telegram":
            make_telegram(Path(path), int(count))
        else:
            make_messenger(Path(path), int(count), int(per_file))
        return
    big = args.messages
    small = max(1000, big // 10)
    tmp = Path(tempfile.mkdtemp(prefix="ek-bench-"))
    try:
        rows = []
        refs: list[tuple[str, int, str, tuple[int, float, float] | str]] = []
        python = None
        if not args.no_reference:
            try:
                python = reference_python(args.ref_venv or tmp / "refvenv")
            except subprocess.CalledProcessError:
                print("The reference parsers could not be installed; comparing with wc -l only.\n")
        _, _, idle = run(IDLE)
        print(f"Python with evidencekit's export modules loaded: {idle:.0f} MB peak RSS (the floor)\n")
        for n in (small, big):
            wa = tmp / f"wa{n}" / "WhatsApp Chat with Riley.txt"
            wa.parent.mkdir()
            generate("whatsapp", wa, n)
            work = tmp / f"wa{n}-out"
            work.mkdir()
            count, seconds, rss = run(CHILD, str(wa), str(work))
            refs.append(("whatsapp", n, "evidencekit, reading only", run(PARSE_ONLY, str(wa))))
            ref, ref_s, ref_rss = "wc -l", timed(["wc", "-l", str(wa)]), None
            if python:
                ref, ref_s, ref_rss = fastest("whatsapp", n, python, wa, refs) or (ref, ref_s, ref_rss)
            rows.append(("WhatsApp .txt", n, size(wa), count, seconds, rss, ref, ref_s, ref_rss))
        for n in (small, big):
            tg = tmp / f"tg{n}" / "result.json"
            tg.parent.mkdir()
            generate("telegram", tg, n)
            work = tmp / f"tg{n}-out"
            work.mkdir()
            count, seconds, rss = run(CHILD, str(tg), str(work))
            refs.append(("telegram", n, "evidencekit, reading only", run(PARSE_ONLY, str(tg))))
            ref, ref_s, ref_rss = "-", 0.0, None
            if python:
                ref, ref_s, ref_rss = fastest("telegram", n, python, tg, refs) or (ref, ref_s, ref_rss)
            rows.append(("Telegram result.json", n, size(tg), count, seconds, rss, ref, ref_s, ref_rss))
        for n, per_file, label in (
            (small, 10_000, "Messenger DYI"),
            (big, 10_000, "Messenger DYI"),
            (big, big, "Messenger, one file"),
        ):
            root = tmp / f"fb{n}-{per_file}-{len(rows)}"
            generate("messenger", root, n, per_file)
            work = tmp / f"fb{n}-{per_file}-{len(rows)}-out"
            work.mkdir()
            count, seconds, rss = run(CHILD, str(root), str(work))
            _, ref_seconds, ref_rss = run(JSON_LOAD, str(root))
            rows.append((label, n, size(root), count, seconds, rss, "json.load", ref_seconds, ref_rss))

        head = (
            f"{'export':<20} {'messages':>9} {'MB':>6} {'seconds':>8} {'msg/s':>9} {'peak RSS':>9}   "
            f"{'reference':<22} {'ref s':>6} {'x slower':>8} {'ref RSS':>8}"
        )
        print(head)
        print("-" * len(head))
        for label, n, mb, count, seconds, rss, ref, ref_s, ref_rss in rows:
            assert count == n, (label, count, n)
            ratio = seconds / ref_s if ref_s else float("nan")
            ref_mem = f"{ref_rss:.0f} MB" if ref_rss is not None else "-"
            print(
                f"{label:<20} {n:>9,} {mb:>6.1f} {seconds:>8.2f} {n / seconds:>9,.0f} {rss:>6.0f} MB   "
                f"{ref:<22} {ref_s:>6.2f} {ratio:>8.2f} {ref_mem:>8}"
            )
        if refs:
            print(
                "\nEvery reference parser (its own count: some leave out service messages), and ours "
                "reading only (no transcript):"
            )
            for kind, n, name, result in refs:
                if isinstance(result, str):
                    print(f"  {kind:<9} {n:>9,}  {name:<24} failed: {result[:90]}")
                else:
                    got, secs, mem = result
                    print(f"  {kind:<9} {n:>9,}  {name:<24} {secs:>6.2f} s {mem:>6.0f} MB  {got:>9,} parsed")
            print("\nReading alone (ours, no transcript) against the fastest reference parser, same files:")
            for kind, n in dict.fromkeys((kind, n) for kind, n, _, _ in refs):
                ours = [r for k, m, name, r in refs if (k, m) == (kind, n) and name.startswith("evidencekit")]
                theirs = [
                    (r[1], name)
                    for k, m, name, r in refs
                    if (k, m) == (kind, n)
                    and not name.startswith(("evidencekit", "json.load"))  # the floor is no parser
                    and not isinstance(r, str)
                ]
                if ours and not isinstance(ours[0], str) and theirs:
                    best_s, best = min(theirs)
                    print(
                        f"  {kind:<9} {n:>9,}  ours {ours[0][1]:>6.2f} s, {best} {best_s:>6.2f} s: "
                        f"{ours[0][1] / best_s:.2f}x its time"
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
