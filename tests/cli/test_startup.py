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


def test_only_the_command_typed_is_built_but_help_and_mistakes_see_them_all(cli, tmp_path):
    # Building every command's options is most of a start, so only the one typed is built; the
    # help, and the suggestion for a mistyped name, still know every command.
    from evidencekit.cli.app import _load_commands, _with_only_the_command_typed, app

    _load_commands()
    every = {info.name for info in app.registered_commands} | {info.name for info in app.registered_groups}
    assert {"status", "offender", "report-to"} <= every
    only = _with_only_the_command_typed(["--plain", "status", "-C", "x"])
    assert [info.name for info in only.registered_commands] == ["status"]
    assert not only.registered_groups
    assert _with_only_the_command_typed(["--help", "status"]) is app
    assert _with_only_the_command_typed(["statu"]) is app
    assert app.registered_commands and len(app.registered_commands) > 1  # the app itself is untouched

    listed = cli("--help").stdout
    assert "report-to" in listed and "status" in listed
    mistake = cli("statu")
    assert mistake.exit_code == 2 and "Did you mean: evidencekit status" in mistake.stderr
    group = cli("--plain", "offender", "--help")
    assert group.exit_code == 0 and "add" in group.stdout
