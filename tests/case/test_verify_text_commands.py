"""Every command seal/VERIFY.txt tells an officer to run succeeds on the case it was written for.

The commands are taken from the text itself (an indented line that starts with a tool's name, or
the one after "shown with:"), and run for real in the case folder: sha256sum, shasum, ssh-keygen,
openssl, bagit.py (from this environment, as `pip install bagit` would give) and python3.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekit.case import layout
from evidencekit.case.seal import reopen_case, seal_case
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case

# The tools VERIFY.txt has the reader install (bagit, warcio) live in ~/verify-tools/bin; here they
# are in this environment, on the PATH.
TOOLS_FOLDER = "~/verify-tools/bin/"
TOOLS = ("sha256sum", "shasum", "ssh-keygen", "openssl", "bagit.py", "python3", "warcio", TOOLS_FOLDER)
# Not run: installing a package (the environment has it), and PowerShell (Windows only).
NOT_RUN = ("python3 -m pip install", "python3 -m venv", "Get-FileHash")


def commands_in(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        if line.startswith("  ") and line.lstrip().startswith(TOOLS):
            found.append(line.strip())
        elif "shown with:" in line:
            found.append(line.split("shown with:", 1)[1].strip())
    return [c.replace(TOOLS_FOLDER, "") for c in found if not c.startswith(NOT_RUN)]


def run_every_command(root: Path) -> list[str]:
    text = (root / layout.VERIFY_TXT).read_text(encoding="utf-8")
    commands = commands_in(text)
    assert commands
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        tool = command.split()[0]
        if shutil.which(tool, path=env["PATH"]) is None:
            if tool in ("shasum",):  # macOS's; not on every Linux
                continue
            pytest.fail(f"{tool} is not installed, but VERIFY.txt tells the reader to run it")
        done = subprocess.run(
            ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "BROKEN" not in done.stdout
    return commands


def test_an_empty_sealed_case(case):
    seal_case(case)
    assert verify_case(case.root).ok
    commands = run_every_command(case.root)
    assert "sha256sum -c manifest-sha256.txt" not in commands
    assert "sha256sum -c tagmanifest-sha256.txt" in commands


def test_a_case_with_items(case, evidence):
    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    commands = run_every_command(case.root)
    assert "sha256sum -c manifest-sha256.txt" in commands
    assert any(c.startswith("ssh-keygen -Y verify") for c in commands)
    assert any(c.startswith("openssl pkeyutl") for c in commands)
    assert any(c.startswith("bagit.py --validate") for c in commands)


def test_a_resealed_case(case, evidence):
    capture(case, [evidence / "chat.txt"])
    seal_case(case)
    reopen_case(case)
    capture(case, [evidence / "notes.txt"])
    seal_case(case)
    reopen_case(case)
    seal_case(case)
    assert verify_case(case.root).ok
    commands = run_every_command(case.root)
    for n in (1, 2):
        assert any(f"seal/history/{n}/allowed_signers" in c for c in commands)


@pytest.fixture
def tsa(tmp_path_factory):
    from tests.conftest import require_tool
    from tests.handover.tsa import start_tsa

    require_tool("openssl")
    state, server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield state
    server.shutdown()
    server.server_close()


def test_a_case_with_a_trusted_timestamp(case, evidence, tsa):
    from evidencekit.handover.timestamp import Timestamper

    capture(case, [evidence / "chat.txt"])
    seal_case(case, Timestamper([tsa.url], [Path(tsa.ca_cert).read_bytes()]))
    assert (case.root / "seal/tagmanifest-sha256.txt.tsr").is_file()
    # The officer gets the TSA's root certificate from the TSA, as VERIFY.txt says.
    shutil.copy(tsa.ca_cert, case.root / "TSA-ROOT.pem")
    commands = run_every_command(case.root)
    assert any(re.match(r"openssl ts -verify .*-CAfile seal/tsa-chain\.pem$", c) for c in commands)
    assert any("TSA-ROOT.pem" in c for c in commands)
