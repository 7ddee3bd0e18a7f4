"""Shared fixtures: an isolated home for the signing key, a case factory, and the CLI runner.

Every test gets its own EVIDENCEKIT_HOME, so no test ever touches the real user's signing key, and
its own current folder, so a test cannot pick up a case by walking up from the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from evidencekit.case.case import Case, create_case

# Reproducible property tests in the suite; random, deeper search with --hypothesis-profile=explore
# (see tests/fuzzing.py). The example database is off so a run never depends on an earlier one.
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile("suite")

BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("ekhome")
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.setenv("EVIDENCEKIT_HOME", str(home))
    monkeypatch.setenv("EVIDENCEKIT_LOCK_WAIT", "0.5")
    monkeypatch.delenv("EVIDENCEKIT_CASE", raising=False)
    monkeypatch.delenv("EVIDENCEKIT_ACTOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(work)
    return home


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """A new, empty case in tmp_path/case."""
    return create_case(
        tmp_path / "case", title="Test case", collector="Sam Helper", zone_name="Europe/London"
    )


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """A folder of small original files, outside the case."""
    folder = tmp_path / "originals"
    folder.mkdir()
    (folder / "chat.txt").write_text("14/03/2026, 21:05 - Alex: pay or else\n", encoding="utf-8")
    (folder / "notes.txt").write_text("what happened\n", encoding="utf-8")
    return folder


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> CliResult:
    """Run the real `evidencekit` console script in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [str(BIN / "evidencekit"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        input=input,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


def bagit_validate(bag: Path) -> subprocess.CompletedProcess[str]:
    """The Library of Congress validator, run as an officer would."""
    return subprocess.run(
        [str(BIN / "bagit.py"), "--validate", str(bag)], capture_output=True, text=True, timeout=300
    )


def sha256sum_check(bag: Path, manifest: str = "manifest-sha256.txt") -> subprocess.CompletedProcess[str]:
    """`sha256sum -c` run inside the bag, as VERIFY.txt tells a reader to do."""
    return subprocess.run(
        ["sha256sum", "--strict", "-c", manifest], cwd=bag, capture_output=True, text=True, timeout=300
    )


def assert_valid_bag(bag: Path) -> None:
    """The case validates with bagit-python and with coreutils, for real."""
    result = bagit_validate(bag)
    assert result.returncode == 0, result.stderr[-2000:]
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        if not (bag / manifest).read_text(encoding="utf-8").strip():
            continue  # an empty case: sha256sum -c has nothing to check (and says so)
        check = sha256sum_check(bag, manifest)
        assert check.returncode == 0, check.stdout + check.stderr


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; .ci/run installs it")
    return path
