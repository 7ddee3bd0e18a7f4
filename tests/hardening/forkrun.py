"""Run the real `evidencekit` command many times, fast: a process that has imported it forks once
per command.

A property test that runs nine commands on each of a few hundred hostile cases cannot pay Python's
start-up (a quarter of a second) for every command. This server imports the CLI once; for each
request it forks a child that is, from then on, the command a user runs: its own process and
process group, stdin from /dev/null, stdout and stderr to files, the request's environment and
folder, `evidencekit.cli.main(argv)` with the documented exit code, atexit handlers run. The parent
only waits, and kills the child's whole process group when it runs out of time, so a hang is
reported as a hang ("timeout"), and a child killed by a signal as minus that signal.

`ForkRunner` (the test side) speaks to the server with one JSON line per request and per answer;
`EVIDENCEKIT_HOSTILE_RUNNER=exec` makes it start the console script instead, for a run that
trusts nothing of this shortcut.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = "timeout"


@dataclass(frozen=True)
class Ran:
    """One command as it ended: exit code (negative: killed by that signal; "timeout": hung)."""

    argv: tuple[str, ...]
    exit_code: int | str
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _read(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def _child(request: dict[str, Any], out: IO[bytes], err: IO[bytes], env: dict[str, str]) -> None:
    """In the forked child: become the command, then leave with its exit code. Never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        encoding, errors = "utf-8", "surrogateescape"  # what Python chooses under C.UTF-8
        sys.stdin = open(0, encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding=encoding, errors="backslashreplace", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        from evidencekit.cli import main

        main(list(request["argv"]))
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - a real process would print this and exit 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream has nothing left to say
                stream.flush()
        os._exit(code & 0xFF if code >= 0 else 1)


def _wait(pid: int, timeout: float) -> int | str:
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return TIMEOUT
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _preload() -> None:
    """Import every evidencekit module once, before any fork, so no command pays for an import."""
    import importlib
    import pkgutil

    import evidencekit

    for info in pkgutil.walk_packages(evidencekit.__path__, "evidencekit."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001, S112 - then the command imports it, as it would anyway
            continue


def serve() -> None:
    """The server loop: one request line in, one answer line out, until stdin closes."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)
    os.dup2(quiet, 1)
    from evidencekit.cli.app import _load_commands

    _load_commands()
    _preload()
    env = dict(os.environ)
    for line in requests:
        request = json.loads(line)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.monotonic()
            pid = os.fork()
            if pid == 0:
                requests.close()
                answers.close()
                _child(request, out, err, env)
            code = _wait(pid, float(request["timeout"]))
            answer = {
                "exit_code": code,
                "stdout": _read(out),
                "stderr": _read(err),
                "seconds": time.monotonic() - started,
            }
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class ForkRunner:
    """Runs `evidencekit ARGS` in a folder, as a user would, through the server (or for real)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.exec = os.environ.get("EVIDENCEKIT_HOSTILE_RUNNER") == "exec"
        self._server: subprocess.Popen[str] | None = None

    def __enter__(self) -> ForkRunner:
        if not self.exec:
            self._server = subprocess.Popen(
                [sys.executable, "-m", "tests.hardening.forkrun"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                cwd=REPO,
                env={**os.environ, **self.env},
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            self._server.wait(timeout=30)
            assert self._server.stdout is not None
            self._server.stdout.close()
            self._server = None

    def run(self, *args: str | os.PathLike[str], cwd: Path, timeout: float = 30) -> Ran:
        argv = tuple(str(os.fspath(arg)) for arg in args)
        if self.exec:
            return self._exec(argv, cwd, timeout)
        server = self._server
        assert server is not None and server.stdin is not None and server.stdout is not None
        request = {"argv": argv, "cwd": os.fspath(cwd), "env": self.env, "timeout": timeout}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        line = server.stdout.readline()
        if not line:
            raise RuntimeError("the command server stopped")
        answer = json.loads(line)
        return Ran(argv, answer["exit_code"], answer["stdout"], answer["stderr"], answer["seconds"])

    def _exec(self, argv: tuple[str, ...], cwd: Path, timeout: float) -> Ran:
        started = time.monotonic()
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "evidencekit"), *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
            code: int | str = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            code = TIMEOUT
        return Ran(
            argv,
            code,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
            time.monotonic() - started,
        )


if __name__ == "__main__":
    serve()
