"""`evidencekit --help` and `status` start fast: heavy modules are imported only when used."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from evidencekit.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = ["PIL", "magic", "cryptography", "evidencekit.intake.files", "concurrent.futures"]
print(json.dumps({name: name in sys.modules for name in heavy}), file=sys.stderr)
"""


def loaded_modules(*args: str) -> dict[str, bool]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    return json.loads(result.stderr.strip().splitlines()[-1])


def test_help_imports_no_heavy_module():
    assert not any(loaded_modules("--help").values())


def test_status_does_not_load_image_or_crypto_libraries(tmp_path):
    from evidencekit.case.case import create_case

    create_case(tmp_path / "c")
    loaded = loaded_modules("status", "--case", str(tmp_path / "c"))
    assert not loaded["PIL"] and not loaded["magic"] and not loaded["cryptography"]
