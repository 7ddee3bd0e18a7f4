"""The public surface a Python user relies on: the whole loop through `import evidencekit`."""

from __future__ import annotations

import subprocess
import sys

import evidencekit


def test_the_whole_loop_through_the_public_names(tmp_path, evidence):
    case = evidencekit.create_case(tmp_path / "case", title="API")
    assert evidencekit.capture(case, [evidence / "chat.txt"]).added[0]["id"] == "E0001"
    assert evidencekit.add_url(case, "https://t.me/someone").record["platform"] == "Telegram"
    fingerprint = evidencekit.seal_case(case).fingerprint
    report = evidencekit.verify_case(case.root)
    assert report.ok and report.fingerprint == fingerprint
    assert evidencekit.open_case(case.root).info.id == case.info.id
    assert set(evidencekit.__all__) <= set(dir(evidencekit))


def test_importing_the_package_is_cheap():
    heavy = "('PIL', 'magic', 'cryptography', 'rich')"
    code = f"import sys, evidencekit; print(any(m.startswith({heavy}) for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )
