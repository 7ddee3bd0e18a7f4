"""How much the under-18 safeguard adds to a capture: its scan, next to libmagic's own `file` tool.

In a case marked under-18, `capture` first looks at every file (and every archive member) for
images and video. This script makes a folder of small files (text, PNG, JPEG-like, and a zip export
holding photos), times `media_in_paths` over it, and times `file --mime-type` over the same files,
side by side, printing the ratio. Figures depend on the machine and its load; run it, don't trust
old numbers.

    python bench/bench_safeguard.py [--files 5000]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def make_folder(root: Path, count: int) -> Path:
    from PIL import Image

    folder = root / "export"
    folder.mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, format="PNG")
    png = buffer.getvalue()
    for number in range(count):
        kind = number % 4
        if kind == 0:
            (folder / f"message-{number}.txt").write_text(f"message {number}\n" * 20, encoding="utf-8")
        elif kind == 1:
            (folder / f"IMG_{number:05d}.png").write_bytes(png)
        elif kind == 2:
            (folder / f"photo-{number}").write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
        else:
            (folder / f"data-{number}.json").write_text('{"a": 1}\n', encoding="utf-8")
    with zipfile.ZipFile(folder / "WhatsApp Chat.zip", "w") as archive:
        archive.writestr("WhatsApp Chat.txt", "14/03/2026, 21:05 - Alex: pay\n" * 100)
        for number in range(200):
            archive.writestr(f"IMG-20260314-WA{number:04d}.jpg", b"\xff\xd8\xff\xe0" + bytes(500))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    from evidencekit.intake.safeguard import media_in_paths

    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        folder = make_folder(root, args.files)
        case_root = root / "case"
        case_root.mkdir()
        files = sorted(str(p) for p in folder.iterdir())

        started = time.perf_counter()
        found = media_in_paths([folder], case_root)
        ours = time.perf_counter() - started

        started = time.perf_counter()
        subprocess.run(["file", "--mime-type", "-b", *files], capture_output=True, check=True)
        reference = time.perf_counter() - started

    print(f"files: {len(files)} (+200 members in a zip); images/videos found: {len(found)}")
    print(f"safeguard scan:        {ours:8.3f} s")
    print(f"file --mime-type (ref): {reference:8.3f} s  (does not look inside the zip)")
    print(f"ratio safeguard/file:  {ours / reference:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
