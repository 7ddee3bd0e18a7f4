"""A manifest with one enormous line (4 MB) is reported quickly: no step grows faster than the line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evidencekit.verify import verify_case

LINES = {
    # %0A decodes to a line break: a path of a million lines, the case that took minutes to show.
    "line breaks": "a" * 64 + "  data/" + "%0A" * (4_000_000 // 3),
    "one long name": "a" * 64 + "  data/" + "x" * 4_000_000,
    "many spaces": "a" * 64 + "  data/" + "x " * 2_000_000,
}


@pytest.mark.parametrize("what", sorted(LINES))
def test_a_4_mb_manifest_line_is_reported_promptly(case, what):
    manifest = case.root / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + LINES[what] + "\n")
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "evidencekit", "verify", str(case.root), *extra],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert "path-unsafe" in done.stdout  # too long a name, or control characters: never opened
    report = verify_case(case.root)
    assert all(len(f.message) <= 5000 and "\n" not in f.message for f in report.findings)
    assert any(f.path is not None and len(f.path) > 1_000_000 for f in report.findings)  # --json keeps it
