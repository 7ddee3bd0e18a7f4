"""Fixtures for the hand-over: a sealed case, an age key made by age-keygen, a local TSA, and a way
to type a passphrase into the stock `age` CLI (which reads it from the terminal) with `expect`."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidencekit.case.seal import seal_case
from evidencekit.intake.files import capture
from tests.conftest import require_tool
from tests.handover.tsa import LocalTsa, start_tsa

PASSPHRASE = "violet tractor unfolds 9 maps"


@dataclass
class AgeKey:
    identity_file: Path
    recipient: str


@pytest.fixture
def age_key(tmp_path: Path) -> AgeKey:
    """An officer's key pair, made with the stock age-keygen."""
    require_tool("age-keygen")
    path = tmp_path / "officer-key.txt"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True, timeout=30)
    recipient = next(
        line.split(": ", 1)[1].strip() for line in path.read_text().splitlines() if "public key:" in line
    )
    return AgeKey(path, recipient)


@pytest.fixture
def sealed(case, evidence):
    """A sealed case holding two small files."""
    capture(case, [evidence / "chat.txt", evidence / "notes.txt"], note="threats")
    seal_case(case)
    return case


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> LocalTsa:
    """A real RFC 3161 TSA (openssl ts -reply) on 127.0.0.1, for the whole test session."""
    require_tool("openssl")
    state, server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield state
    server.shutdown()
    server.server_close()


_EXPECT = r"""
set timeout 120
log_user 1
spawn {*}$argv
foreach answer [split $env(EK_ANSWERS) "\n"] {
    expect {
        -re {(?i)(passphrase|again)[^\n]*: ?$} { send -- "$answer\r" }
        eof { break }
    }
}
expect eof
catch wait result
exit [lindex $result 3]
"""


def run_on_terminal(
    args: list[str], answers: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command on a pseudo-terminal (expect) and type `answers` at its passphrase prompts."""
    require_tool("expect")
    script = Path(tempfile.mkdtemp()) / "type-passphrase.exp"
    script.write_text(_EXPECT, encoding="utf-8")
    full_env = {**os.environ, **(env or {}), "EK_ANSWERS": "\n".join(answers)}
    return subprocess.run(
        ["expect", str(script), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
