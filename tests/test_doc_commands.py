"""Every command shown in README.md and docs/ works when copied: this test runs them.

Each page's shell blocks (```sh, ```bash, ```shell, ```console and unlabelled blocks of `$ ` lines)
are run in the order the page shows them, as a person following the page would: one fresh home
folder per page, the current folder carried from one command to the next (`cd my-case` holds), and
`evidencekit` the one in this environment, first on PATH. Before a page starts, its setup prepares
what the page assumes the reader already has (the WhatsApp export in ~/Downloads, a sealed case for
the officer, a local web site and time-stamping service instead of the internet).

A command fails the test when it exits with another code than expected (0, or what an
`<!-- expect: N -->` comment before its block or EXPECT below says) or prints a traceback. Commands
that cannot run here are skipped only by a rule in SKIP, with its reason; a placeholder or an
internet address is replaced only by a rule in SUBSTITUTE; a command that asks something at a
terminal is run in a real pseudo-terminal and answered by ANSWERS. A ```powershell block is the
Windows way of the same steps and never runs here. A rule that matches nothing fails
too, so the rules cannot outlive the commands they were written for.

Not tested here: Chromium's screenshot and PDF (EVIDENCEKIT_BROWSER points nowhere, which saves
about five seconds a capture; tests/web runs the browser for real).
"""

from __future__ import annotations

import http.server
import os
import re
import select
import shutil
import ssl
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import require_tool
from tests.handover.tsa import LocalTsa, start_tsa
from tests.xvfb import xvfb  # noqa: F401  (the fixture, for `capture --screen`)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src/evidencekit/samples"
BIN = Path(sys.executable).parent
PASSPHRASE = "violet tractor unfolds 9 maps"
SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "zsh"}
WINDOWS_LANGUAGES = {"powershell", "ps1", "pwsh", "bat", "cmd"}
PAGE_TEXT = "Send 500 euros by Friday or the photos go public"

# ---------------------------------------------------------------------------------------------------
# The reviewed rules. Keys are (page, the start of the command as the page shows it).

SETUP_COMMANDS = "the set-up commands on a fresh machine: .ci/run runs them exactly as shown"
WINDOWS = "Windows only (PowerShell)"
WIZARD = "the interactive wizard: tests/cli/test_start_tty.py follows its whole journey in a real terminal"
BENCHMARK = "a benchmark that runs for minutes; the test checks the script exists"

SKIP: dict[tuple[str, str], str] = {
    ("README.md", "sudo apt-get update && sudo apt-get install -y python3-venv"): SETUP_COMMANDS,
    ("README.md", "sudo apt-get update && sudo apt-get install -y $(cat .ci/apt-packages)"): SETUP_COMMANDS,
    ("docs/tutorial.md", "evidencekit start"): WIZARD,
    ("docs/how-to/help-someone-use-evidencekit.md", "evidencekit start"): WIZARD,
    ("docs/tutorial.md", "evidencekit archive-urls"): (
        "fetches www.instagram.com and paypal.me, the addresses recorded before it: needs the internet "
        "(archive-urls runs against a local site on the archive-web-pages page)"
    ),
    ("docs/how-to/open-a-handover-with-age.md", "Get-FileHash"): WINDOWS,
    ("docs/how-to/verify-without-evidencekit.md", "Get-FileHash"): WINDOWS,
    ("docs/how-to/verify-without-evidencekit.md", "python3 -m venv ~/verify-tools"): (
        "installs from PyPI (the network); this environment has bagit, as the page's next command needs"
    ),
    ("docs/performance.md", ".venv/bin/python bench/"): BENCHMARK,
}

# (page, text as shown, what runs instead, why). Values in braces come from the page's setup.
LOCAL_SITE = ("https://example.com/the-post", "{site}/the-post", "a local web site, not the internet")
NO_DELAY = (
    "--screen --delay 10",
    "--screen --delay 0",
    "the delay is for a person to bring a window forward",
)
LOCAL_TSA = ("https://freetsa.org/tsr", "{tsa}", "a local time-stamping service, not the internet")
THIS_CASE = ("EK-20261128-7F3K2Q", "{case_id}", "the example case number: this case's own")
EXAMPLE_KEY = "age1-EXAMPLE-put-the-police-key-here"  # a reader copying it gets one sentence, exit 2
SUBSTITUTE: list[tuple[str, str, str, str]] = [
    ("README.md", *LOCAL_SITE),
    ("README.md", *NO_DELAY),
    ("docs/tutorial.md", *LOCAL_SITE),
    ("docs/tutorial.md", *NO_DELAY),
    ("docs/tutorial.md", *THIS_CASE),
    ("docs/tutorial.md", *LOCAL_TSA),
    (
        "docs/tutorial.md",
        EXAMPLE_KEY,
        "{officer_key}",
        "the page's key is an example, not a key; the officer's key is made by the page's setup",
    ),
    ("docs/how-to/archive-web-pages.md", *LOCAL_SITE),
    ("docs/how-to/open-a-handover-with-age.md", *THIS_CASE),
    (
        "docs/how-to/verify-without-evidencekit.md",
        "~/verify-tools/bin/pip install warcio && ",
        "",
        "this environment has warcio",
    ),
    (
        "docs/how-to/verify-without-evidencekit.md",
        "~/verify-tools/bin/",
        "",
        "the tools the page installs in ~/verify-tools are in this environment, on the PATH",
    ),
    ("docs/reference/handover.md", "TSA-ROOT.pem", "{tsa_root}", "the root certificate the TSA publishes"),
    ("docs/how-to/trusted-time.md", *LOCAL_TSA),
]

# (page, command start) -> [(what the terminal shows, what the person types)], run in a pty.
ANSWERS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("docs/tutorial.md", "evidencekit new my-case"): [("under 18", "no")],
    ("README.md", "evidencekit seal --encrypt"): [("passphrase", PASSPHRASE), ("again", PASSPHRASE)],
    ("docs/tutorial.md", "evidencekit seal --encrypt"): [("passphrase", PASSPHRASE), ("again", PASSPHRASE)],
    ("docs/tutorial.md", "evidencekit verify ../"): [("assphrase", PASSPHRASE)],
    ("docs/how-to/open-a-handover-with-age.md", "age -d -i EK-"): [("assphrase", PASSPHRASE)],
    ("docs/how-to/open-a-handover-with-age.md", "evidencekit verify"): [("assphrase", PASSPHRASE)],
    ("docs/how-to/open-a-handover-with-age.md", "evidencekit open"): [("assphrase", PASSPHRASE)],
}

# (page, command start) -> (exit code, why), where that is not 0 and the page has no
# <!-- expect: N --> comment before the block.
EXPECT: dict[tuple[str, str], tuple[int, str]] = {}


# ---------------------------------------------------------------------------------------------------
# Reading the pages.


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    shown: str  # as the page shows it (continuation lines joined)
    expect: int
    output: str = ""  # what a ```console block shows it printing
    windows: bool = False  # in a ```powershell block: never run here


def doc_pages() -> list[str]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [str(p.relative_to(ROOT)) for p in pages]


FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
EXPECT_COMMENT = re.compile(r"<!--\s*expect:\s*(\d+)\s*-->")


def blocks(text: str) -> Iterator[tuple[int, str, list[str], int | None]]:
    """(line of the fence, language, lines, expected code) for every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, lang, start = opening["indent"], opening["lang"], i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        before = start - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        marker = EXPECT_COMMENT.search(lines[before]) if before >= 0 else None
        yield start + 1, lang, body, int(marker[1]) if marker else None
        i += 1


def commands_of(page: str) -> list[Command]:
    text = (ROOT / page).read_text(encoding="utf-8")
    found: list[Command] = []
    for line, lang, body, expected in blocks(text):
        prompts = any(b.startswith("$ ") for b in body)
        if lang in WINDOWS_LANGUAGES:  # shown for Windows only: found, so that a rule can be checked
            found += [Command(page, line, b.strip(), 0, windows=True) for b in body if b.strip()]
            continue
        if lang not in SHELL_LANGUAGES and not (lang == "" and prompts):
            continue
        if prompts:  # a console session: `$ command`, then what it prints
            for b in body:
                if b.startswith("$ "):
                    found.append(Command(page, line, b[2:].strip(), expected or 0))
                elif found and found[-1].line == line:
                    last = found[-1]
                    found[-1] = Command(page, line, last.shown, last.expect, f"{last.output}\n{b}".strip())
            continue
        pending = ""
        for b in body:
            stripped = b.strip()
            if not pending and (not stripped or stripped.startswith("#")):
                continue  # what the command prints, shown as a comment
            if stripped.endswith("\\"):
                pending += stripped[:-1].rstrip() + " "
                continue
            shown = pending + stripped
            pending = ""
            listed = rule(EXPECT, page, shown)
            code = expected if expected is not None else listed[0] if listed else 0  # type: ignore[index]
            found.append(Command(page, line, shown, code))
    return found


def rule(table: dict[tuple[str, str], object], page: str, shown: str) -> object | None:
    for (rule_page, start), value in table.items():
        if rule_page == page and shown.startswith(start):
            return value
    return None


PAGES_WITH_COMMANDS = [page for page in doc_pages() if commands_of(page)]


# ---------------------------------------------------------------------------------------------------
# The world a page's reader is in.


@dataclass
class World:
    home: Path
    env: dict[str, str]
    cwd: Path
    values: dict[str, str] = field(default_factory=dict)

    def evidencekit(self, *args: str | os.PathLike[str], cwd: Path | None = None) -> str:
        """Set-up done with evidencekit itself (not one of the page's commands)."""
        done = subprocess.run(
            [str(BIN / "evidencekit"), *map(str, args)],
            cwd=cwd or self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"setup: evidencekit {args}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def new_case(self, name: str = "my-case") -> Path:
        self.evidencekit("new", name, "--title", "Instagram blackmail", "--collector", "Sam", "--no-under-18")
        case = self.cwd / name
        self.values["case_id"] = case_id(case)
        return case


def case_id(case: Path) -> str:
    text = (case / "bag-info.txt").read_text(encoding="utf-8")
    return re.search(r"^External-Identifier: (\S+)", text, flags=re.MULTILINE)[1]  # type: ignore[index]


def screenshot(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / "Screenshot 2026-03-14 at 21.07.41.png", path)
    return path


def photo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (200, 150, 120)).save(path, format="JPEG")
    return path


def whatsapp_zip(path: Path) -> Path:
    """An Android WhatsApp export, as it arrives: the bundled sample chat in a zip."""
    chat = (SAMPLES / "WhatsApp Chat with Alex (sample).txt").read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("WhatsApp Chat with Alex.txt", chat)
    return path


# ---------------------------------------------------------------------------------------------------
# Local stand-ins for the internet: a web site (http and https) and a time-stamping authority.


@dataclass
class LocalSite:
    http: str
    https: str
    ca_file: Path


def _serve(server: http.server.ThreadingHTTPServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/accounts/login"):
            body = b"<html><head><title>Login \xe2\x80\xa2 Instagram</title></head><body><form>"
            body += b'<input name="username"><input type="password" name="password"></form></body></html>'
        else:
            body = "<!doctype html><html><head><meta charset='utf-8'><title>The post</title></head>"
            body = (body + f"<body><h1>{PAGE_TEXT}</h1></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSite]:
    folder = tmp_path_factory.mktemp("site")
    key, cert = folder / "site.key", folder / "site.crt"
    subprocess.run(
        [require_tool("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=evidencekit doc site",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    secure = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    for server in (plain, secure):
        _serve(server)
    yield LocalSite(
        f"http://127.0.0.1:{plain.server_address[1]}", f"https://127.0.0.1:{secure.server_address[1]}", cert
    )
    for server in (plain, secure):
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    require_tool("openssl")
    state, server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield state
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------------------------------------------
# Each page's setup: what its reader has before the first command.


def setup_readme(world: World) -> None:
    screenshot(world.home / "Pictures/Screenshot_2026-03-14.png")
    whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip")
    photo(world.home / "Pictures/the-photo.jpg")


def setup_tutorial(world: World) -> None:
    screenshot(world.home / "Pictures/Screenshot_2026-03-14-21-07.png")
    screenshot(world.home / "Pictures/Screenshot_2026-03-14-21-09.png").write_bytes(
        (world.home / "Pictures/Screenshot_2026-03-14-21-07.png").read_bytes() + b"\0"
    )
    whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip")
    photo(world.home / "Pictures/the-photo.jpg")
    screenshot(world.home / "Pictures/Screenshot_chat.png").write_bytes(
        (world.home / "Pictures/Screenshot_2026-03-14-21-07.png").read_bytes() + b"\0\0"
    )
    (world.home / "Desktop").mkdir()
    world.values["officer_key"] = age_key(world.home / "police-key.txt")


def age_key(path: Path) -> str:
    """A new age key in `path`; its public key (age1…), as an officer would give it."""
    subprocess.run([require_tool("age-keygen"), "-o", str(path)], check=True, capture_output=True, timeout=30)
    return re.search(r"public key: (age1\w+)", path.read_text(encoding="utf-8"))[1]  # type: ignore[index]


def setup_a_case_with_a_chat(world: World) -> None:
    """Inside a case holding a screenshot (E0001) and the WhatsApp export (E0002)."""
    case = world.new_case()
    world.cwd = case
    world.evidencekit("capture", screenshot(world.home / "Pictures/Screenshot_2026-03-14.png"))
    world.evidencekit("capture", whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip"))
    (world.home / "what-happened.txt").write_text("He found me on Instagram on 14 March.\n", encoding="utf-8")


def setup_a_case_beside(world: World) -> None:
    """A case called my-case in the folder the helper is in (the page's commands name it)."""
    world.new_case()


def setup_export_your_chats(world: World) -> None:
    """Inside a case holding a screenshot (E0001); the WhatsApp export in Downloads."""
    case = world.new_case()
    world.cwd = case
    world.evidencekit("capture", screenshot(world.home / "Pictures/Screenshot_2026-03-14.png"))
    whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip")
    (world.home / "Desktop").mkdir()


def setup_archive_web_pages(world: World) -> None:
    """Inside a case where two addresses were recorded earlier: an https page and a login page."""
    case = world.new_case()
    world.cwd = case
    world.evidencekit("add-url", world.values["site_https"] + "/profile", "--kind", "profile")
    world.evidencekit("add-url", world.values["site"] + "/accounts/login/", "--kind", "profile")
    cookies = world.home / "Downloads/instagram.com_cookies.txt"
    cookies.parent.mkdir(parents=True)
    cookies.write_text(
        "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsessionid\tabc123\n", encoding="utf-8"
    )


def sealed_case_for_an_officer(world: World, *, web: bool = False, timestamp: bool = False) -> Path:
    case = world.new_case()
    world.evidencekit("capture", screenshot(world.home / "Pictures/Screenshot_2026-03-14.png"), cwd=case)
    world.evidencekit("capture", whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip"), cwd=case)
    if web:
        world.evidencekit("add-url", world.values["site_https"] + "/the-post", "--archive", cwd=case)
    world.evidencekit("seal", *(["--tsa", world.values["tsa"]] if timestamp else []), cwd=case)
    return case


def setup_a_case_captured_offline(world: World) -> None:
    """Inside a case holding the WhatsApp export (E0001), captured offline; a screenshot to capture."""
    case = world.new_case()
    world.cwd = case
    world.evidencekit("capture", whatsapp_zip(world.home / "Downloads/WhatsApp Chat with Alex.zip"))
    screenshot(world.home / "Pictures/Screenshot_2026-03-14.png")


def setup_inside_a_sealed_case(world: World) -> None:
    world.cwd = sealed_case_for_an_officer(world, web=True, timestamp=True)


def setup_open_a_handover(world: World) -> None:
    """The officer's folder holding a hand-over made to a passphrase, their age key and SSH key."""
    case = sealed_case_for_an_officer(world)
    received = world.home / "received"
    received.mkdir()
    key = received / "key.txt"
    subprocess.run([require_tool("age-keygen"), "-o", str(key)], check=True, capture_output=True, timeout=30)
    recipient = re.search(r"public key: (age1\w+)", key.read_text(encoding="utf-8"))[1]  # type: ignore[index]
    ssh = world.home / ".ssh/id_ed25519"
    ssh.parent.mkdir(mode=0o700)
    subprocess.run(
        [require_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(ssh)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    passphrase = world.home / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    world.evidencekit(
        "seal", "--encrypt", "--passphrase-file", passphrase, "-r", recipient,
        "-r", ssh.with_suffix(".pub").read_text(encoding="utf-8").strip(), "--out", received, cwd=case,
    )  # fmt: skip
    passphrase.unlink()
    world.cwd = received


def setup_the_repository(world: World) -> None:
    world.cwd = ROOT


SETUP: dict[str, Callable[[World], None]] = {
    "README.md": setup_readme,
    "docs/tutorial.md": setup_tutorial,
    "docs/how-to/export-your-chats.md": setup_export_your_chats,
    "docs/how-to/record-offenders-payments-actions.md": setup_a_case_with_a_chat,
    "docs/how-to/read-text-in-screenshots.md": setup_a_case_with_a_chat,
    "docs/how-to/help-someone-use-evidencekit.md": setup_a_case_beside,
    "docs/how-to/ask-platforms-to-preserve-data.md": setup_a_case_with_a_chat,
    "docs/how-to/archive-web-pages.md": setup_archive_web_pages,
    "docs/how-to/trusted-time.md": setup_a_case_captured_offline,
    "docs/how-to/verify-without-evidencekit.md": setup_inside_a_sealed_case,
    "docs/reference/handover.md": setup_inside_a_sealed_case,
    "docs/how-to/open-a-handover-with-age.md": setup_open_a_handover,
    "docs/how-to/update-the-directory.md": setup_the_repository,
    "docs/performance.md": setup_the_repository,
}


# ---------------------------------------------------------------------------------------------------
# Running a command as typed into a shell.

WRAPPER = 'set -o pipefail\ncd "$1" || exit 97\n{command}\nrc=$?\npwd > "$2"\nexit $rc\n'


@dataclass
class Ran:
    code: int
    output: str
    cwd: Path


def run_shell(command: str, world: World, answers: list[tuple[str, str]] | None, scratch: Path) -> Ran:
    cwd_file = scratch / "cwd"
    argv = ["bash", "-c", WRAPPER.format(command=command), "bash", str(world.cwd), str(cwd_file)]
    if answers is None:
        done = subprocess.run(
            argv, env=world.env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
        )
        code, output = done.returncode, done.stdout + done.stderr
    else:
        code, output = run_in_terminal(argv, world.env, answers)
    cwd = Path(cwd_file.read_text(encoding="utf-8").strip()) if cwd_file.exists() else world.cwd
    cwd_file.unlink(missing_ok=True)
    return Ran(code, output, cwd)


def run_in_terminal(argv: list[str], env: dict[str, str], answers: list[tuple[str, str]]) -> tuple[int, str]:
    """Run in a new pseudo-terminal (its controlling terminal, so /dev/tty works) and answer prompts."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [require_tool("setsid"), "--ctty", *argv],
        stdin=follower, stdout=follower, stderr=follower, env={**env, "TERM": "dumb"}, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    seen, waiting, deadline = b"", list(answers), time.monotonic() + 180
    answered_at = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            seen += chunk
        if waiting and waiting[0][0].lower().encode() in seen[answered_at:].lower():
            time.sleep(0.3)  # let the prompt switch echo off before typing (getpass flushes input)
            answered_at = len(seen)
            os.write(leader, waiting.pop(0)[1].encode() + b"\r")
        if not ready and proc.poll() is not None:
            break
    os.close(leader)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = -9
    text = seen.decode("utf-8", "replace")
    if waiting:
        text += f"\n[the test was still waiting for {waiting[0][0]!r}]"
        code = code or 98
    return code, text


def normalise(text: str) -> str:
    return " ".join(text.split())


def page_env(home: Path, site: LocalSite, tsa: LocalTsa, display: str, trust: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVIDENCEKIT_", "XDG_", "WAYLAND"))}
    env.update(
        HOME=str(home),
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        TZ="Europe/London",
        NO_COLOR="1",
        COLUMNS="120",
        LANG="C.UTF-8",
        DISPLAY=display,
        SSL_CERT_FILE=str(trust),  # this computer trusts the local site and TSA, and nothing else
        EVIDENCEKIT_BROWSER=str(home / "no-browser-here"),
    )
    return env


def follow_the_page(page: str, folder: Path, site: LocalSite, tsa: LocalTsa, display: str) -> list[str]:
    """Run the page's commands in order, as its reader would; what went wrong, one entry a command."""
    home = folder / "home"
    home.mkdir()
    trust = folder / "trusted.pem"
    trust.write_bytes(site.ca_file.read_bytes() + tsa.ca_cert.read_bytes())
    world = World(home, page_env(home, site, tsa, display, trust), home)
    world.values.update(site=site.http, site_https=site.https, tsa=tsa.url, tsa_root=str(tsa.ca_cert))
    SETUP.get(page, lambda _world: None)(world)
    substitutions = [(old, new, why) for p, old, new, why in SUBSTITUTE if p == page]

    failures: list[str] = []
    for command in commands_of(page):
        if command.windows or rule(SKIP, page, command.shown) is not None:
            continue
        typed = command.shown
        if (world.cwd / "bag-info.txt").is_file():  # the case the page made, for {case_id}
            world.values["case_id"] = case_id(world.cwd)
        try:
            for old, new, _why in substitutions:
                if old in typed:
                    typed = typed.replace(old, new.format(**world.values))
        except KeyError as missing:
            failures.append(f"{page}:{command.line}: {typed!r} needs {missing}, which nothing made")
            continue
        answers = rule(ANSWERS, page, command.shown)
        ran = run_shell(typed, world, answers, folder)  # type: ignore[arg-type]
        world.cwd = ran.cwd
        problem = None
        if "Traceback (most recent call last)" in ran.output:
            problem = "printed a traceback"
        elif ran.code != command.expect:
            problem = f"exited {ran.code}, expected {command.expect}"
        elif command.output and normalise(command.output) not in normalise(ran.output):
            problem = "did not print what the page shows"
        if problem:
            failures.append(f"{page}:{command.line}: {typed!r} {problem}:\n{ran.output[-3000:]}")
    return failures


@pytest.fixture(scope="module")
def pages_followed(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    site: LocalSite,
    tsa: LocalTsa,
    xvfb: str,  # noqa: F811
) -> Iterator[dict[str, Future[list[str]]]]:
    """Every selected page, followed at the same time as the others (each has its own home): most of
    the time is spent waiting for one command at a time, and together they take about as long as
    the longest page."""
    selected = [
        item.callspec.params["page"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_every_command_on_the_page_works_when_copied"
    ]
    selected.sort(key=lambda page: -len(commands_of(page)))  # the longest first
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        yield {
            page: pool.submit(
                follow_the_page, page, tmp_path_factory.mktemp(page.replace("/", "-")), site, tsa, xvfb
            )
            for page in selected
        }


@pytest.mark.parametrize("page", PAGES_WITH_COMMANDS)
def test_every_command_on_the_page_works_when_copied(
    page: str, pages_followed: dict[str, Future[list[str]]]
) -> None:
    failures = pages_followed[page].result(timeout=900)
    assert not failures, "\n\n".join(failures)


def test_the_benchmarks_the_performance_page_shows_exist() -> None:
    for command in commands_of("docs/performance.md"):
        script = command.shown.split()[1]
        assert (ROOT / script).is_file(), f"docs/performance.md shows {script}, which does not exist"


def test_every_rule_still_matches_a_command() -> None:
    """A rule written for a command that has since changed would skip or change something else."""
    shown = {page: [c.shown for c in commands_of(page)] for page in doc_pages()}
    for table in (SKIP, ANSWERS, EXPECT):
        for page, start in table:
            assert any(c.startswith(start) for c in shown[page]), f"no command in {page} starts {start!r}"
    for page, old, _new, why in SUBSTITUTE:
        assert why and any(old in c for c in shown[page]), f"no command in {page} shows {old!r}"
    for page in SETUP:
        assert shown[page], f"{page} has a setup but no commands"


def test_the_commands_are_found_in_every_kind_of_block() -> None:
    readme = commands_of("README.md")
    assert readme[0].shown.startswith("sudo apt-get update") and "evidencekit demo" in readme[0].shown
    assert any(c.shown == "cd my-case" for c in readme)
    ssh = [
        c
        for c in commands_of("docs/how-to/verify-without-evidencekit.md")
        if c.shown.startswith("ssh-keygen")
    ]
    assert ssh and "-s seal/tagmanifest-sha256.txt.sshsig" in ssh[0].shown, "continuation lines are joined"
    console = commands_of("docs/reference/exit-codes.md")
    assert console and all(c.expect == 2 and c.output.startswith("Problem:") for c in console)
    tutorial = commands_of("docs/tutorial.md")
    assert any(c.shown.startswith("evidencekit action blocked") for c in tutorial), "indented blocks"
    assert len([c for page in doc_pages() for c in commands_of(page)]) > 80


def test_the_tutorials_example_key_cannot_be_mistaken_for_one(tmp_path: Path) -> None:
    """Copied as shown, the example seals nothing: one sentence saying it is not a key, exit 2."""
    assert EXAMPLE_KEY in (ROOT / "docs/tutorial.md").read_text(encoding="utf-8")
    case = tmp_path / "case"
    made = subprocess.run(
        [str(BIN / "evidencekit"), "new", str(case), "--no-under-18"], capture_output=True, timeout=120
    )
    assert made.returncode == 0
    done = subprocess.run(
        [str(BIN / "evidencekit"), "seal", "--recipient", EXAMPLE_KEY],
        cwd=case, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("Problem: ")
    assert "is not a public key evidencekit can encrypt to" in done.stderr
    assert not (case / "seal").exists()
