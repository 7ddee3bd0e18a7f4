"""Hostile cases, generated: whatever one change a stranger makes to a case folder, every command
answers calmly, in time, without writing outside the case, and verify finds the change.

A real case is made once, with the real CLI, as a victim would: a WhatsApp chat captured, sealed
with a trusted timestamp, reopened, a screenshot and a note added, sealed again (so an earlier seal
is kept in seal/history/1/), and an encrypted hand-over made for an officer's age key. Each example
copies it, applies one drawn mutation (tests/hardening/hostile.py: bytes flipped, cut, extended or
replaced, a JSON value changed, a file swapped for a folder, a FIFO or a link, a file removed, an
entry added with an awkward name, an interrupted change or a lock planted by hand) and runs the
commands people run. Properties, for every command: the exit code is 0, 1 or 2 (never 3, "a bug",
and never killed), no traceback, done within 30 seconds, and nothing outside the case changed (a
sibling folder the links point at, the signing key's home, the files given to capture).

The commands run in processes forked from one that has imported evidencekit (forkrun.py), about
50 ms each; EVIDENCEKIT_HOSTILE_RUNNER=exec runs the console script itself instead. A deeper,
random search (see tests/fuzzing.py):

    EVIDENCEKIT_FUZZ_SCALE=10 .venv/bin/python -m pytest --hypothesis-profile=explore \\
        tests/hardening/test_hostile_cases.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import require_tool, run_cli
from tests.fuzzing import examples
from tests.handover.tsa import start_tsa
from tests.hardening import hostile
from tests.hardening.forkrun import ForkRunner, Ran

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "evidencekit" / "samples"
TIMEOUT = 30.0
ALLOWED_EXIT_CODES = {0, 1, 2}


@dataclass(frozen=True)
class Template:
    base: Path
    case: Path
    home: Path
    files: list[str]
    folders: list[str]
    handover: Path  # the .tar.age
    identity: Path  # the officer's age key
    small_file: Path  # what `capture` is given


def _must(*args: str | Path, cwd: Path, env: dict[str, str]) -> None:
    result = run_cli(*args, cwd=cwd, env=env)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    require_tool("age-keygen")
    base = tmp_path_factory.mktemp("hostile-template")
    home = base / "home"
    env = {"EVIDENCEKIT_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    evidence = base / "evidence"
    evidence.mkdir()
    chat = evidence / "WhatsApp Chat with Alex.txt"
    shot = evidence / "Screenshot.png"
    shutil.copy(SAMPLES / "WhatsApp Chat with Alex (sample).txt", chat)
    shutil.copy(SAMPLES / "Screenshot 2026-03-14 at 21.07.41.png", shot)
    identity = base / "officer-key.txt"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True, timeout=30)
    recipient = next(
        line.split(": ", 1)[1].strip() for line in identity.read_text().splitlines() if "public key:" in line
    )
    tsa, server = start_tsa(base / "tsa")
    root = base / "case"
    try:
        _must(
            "new",
            root,
            "--title",
            "Hostile",
            "--no-under-18",
            "--timezone",
            "Europe/London",
            cwd=base,
            env=env,
        )
        _must("capture", chat, cwd=root, env=env)
        _must("seal", "--tsa", tsa.url, "--tsa-ca", tsa.ca_cert, cwd=root, env=env)
        _must("reopen", "--reason", "a screenshot arrived", cwd=root, env=env)
        _must("capture", shot, "--note", "the threat", cwd=root, env=env)
        _must("note", "He said he would send it to my family.", cwd=root, env=env)
        _must("seal", "--tsa", tsa.url, "--tsa-ca", tsa.ca_cert, cwd=root, env=env)
        _must("seal", "--encrypt", "-r", recipient, "--out", base / "handover", cwd=root, env=env)
        _must("verify", cwd=root, env=env)
    finally:
        server.shutdown()
        server.server_close()
    files, folders = hostile.entries_of(root)
    assert "seal/history/1/tagmanifest-sha256.txt.tsr" in files and "seal/timestamps.json" in files
    [archive] = (base / "handover").glob("*.tar.age")
    small = evidence / "small.txt"
    small.write_text("one more message\n", encoding="utf-8")
    return Template(base, root, home, files, folders, archive, identity, small)


@pytest.fixture(scope="module")
def runner(template: Template) -> Iterator[ForkRunner]:
    env = {"EVIDENCEKIT_HOME": str(template.home), "NO_COLOR": "1", "COLUMNS": "200"}
    env["EVIDENCEKIT_LOCK_WAIT"] = "0.5"
    with ForkRunner(env) as running:
        yield running


def _problems(ran: Ran) -> list[str]:
    """What is wrong with how one command ended (nothing, for a calm answer)."""
    shown = " ".join(ran.argv)
    found = []
    if ran.exit_code == "timeout":
        found.append(f"`{shown}` did not finish within {TIMEOUT:.0f} s")
    elif ran.exit_code not in ALLOWED_EXIT_CODES:
        found.append(f"`{shown}` ended with exit code {ran.exit_code}")
    if "Traceback" in ran.output or "a bug" in ran.output:
        found.append(f"`{shown}` printed a traceback or apologised for a bug")
    if "--json" in ran.argv and ran.exit_code in (0, 1) and ran.argv[0] == "verify":
        try:
            json.loads(ran.stdout)
        except ValueError:
            found.append(f"`{shown}` printed something that is not JSON on stdout")
    return found


def _report(mutation: object, runs: list[Ran], problems: list[str]) -> str:
    lines = [f"mutation: {mutation!r}", *problems, ""]
    for ran in runs:
        lines.append(f"$ evidencekit {' '.join(ran.argv)}  -> {ran.exit_code} ({ran.seconds:.2f} s)")
        lines.append("  " + ran.output.strip().replace("\n", "\n  ")[-1500:])
    return "\n".join(lines)


def _copy(template: Template, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A fresh copy of the case, beside a fresh folder of things outside it."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "case"
    shutil.copytree(template.case, root, symlinks=True)
    outside = base / "outside"
    hostile.make_outside(outside)
    return base, root, outside


def hostile_settings(count: int) -> settings:
    return settings(
        max_examples=examples(count),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def every_command_answers_calmly(
    template: Template,
    runner: ForkRunner,
    tmp_path_factory: pytest.TempPathFactory,
    mutation: hostile.Mutation,
    with_report: bool = True,
) -> None:
    base, root, outside = _copy(template, tmp_path_factory)
    mutation.apply(root, outside)
    before = hostile.snapshot(base, skip=root)
    home_before = hostile.snapshot(template.home)
    inputs_before = hostile.snapshot(template.small_file.parent)

    commands: list[tuple[str | Path, ...]] = [
        ("status",),
        ("log",),
        ("verify",),
        ("verify", "--json", root),
        *([("report", "--format", "html")] if with_report else []),
        ("reopen", "--reason", "more evidence"),
        ("note", "x"),
        ("capture", template.small_file),
        ("seal",),
        ("verify", "--json", root),
    ]
    runs = [runner.run(*command, cwd=root, timeout=TIMEOUT) for command in commands]
    problems = [problem for ran in runs for problem in _problems(ran)]
    problems += hostile.differences(before, hostile.snapshot(base, skip=root))
    problems += hostile.differences(home_before, hostile.snapshot(template.home))
    problems += hostile.differences(inputs_before, hostile.snapshot(template.small_file.parent))
    assert not problems, _report(mutation, runs, problems)


@hostile_settings(25)
@given(data=st.data())
def test_every_command_answers_a_hostile_case_calmly_and_writes_nothing_outside_it(
    template: Template, runner: ForkRunner, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
):
    mutation = data.draw(hostile.mutations(template.files, template.folders), label="mutation")
    # The report reopens, writes and re-seals the case: a second or more, so one example in four.
    with_report = data.draw(st.sampled_from([False, False, False, True]), label="with report")
    every_command_answers_calmly(template, runner, tmp_path_factory, mutation, with_report)


def _only_unsigned_notes_changed(template: Template, root: Path, mutation: object) -> bool:
    """timestamps.json's `tsa_url` and `asked_at` are the sealing computer's own notes, written
    after the seal: nothing signed can confirm them (docs/reference/handover.md)."""
    target = str(getattr(mutation, "target", ""))
    if not target.endswith("timestamps.json") or not isinstance(mutation, hostile.Bytes | hostile.JsonEdit):
        return False  # (only those leave a file there; a FIFO would hang this reading)
    try:
        before = json.loads((template.case / target).read_bytes())
        written = (root / target).read_bytes()
        after = json.loads(written)
        notes = ("tsa_url", "asked_at")
        same = [{k: v for k, v in r.items() if k not in notes} for r in before["timestamps"]] == [
            {k: v for k, v in r.items() if k not in notes} for r in after["timestamps"]
        ]
        layout = (json.dumps(after, indent=2, ensure_ascii=False) + "\n").encode() == written
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return same and layout and before.keys() == after.keys()


def verify_names_the_change(template: Template, runner: ForkRunner, tmp_path_factory, mutation) -> bool:
    """False when the mutation changed nothing verify could know of; else asserts verify found it."""
    _base, root, outside = _copy(template, tmp_path_factory)
    if not mutation.apply(root, outside) or _only_unsigned_notes_changed(template, root, mutation):
        return False  # (a flip of no bits, a name already there)
    runs = [
        runner.run("verify", root, cwd=root.parent, timeout=TIMEOUT),
        runner.run("verify", "--json", root, cwd=root.parent, timeout=TIMEOUT),
    ]
    problems = [problem for ran in runs for problem in _problems(ran)]
    for ran in runs:
        if ran.exit_code != 1:
            problems.append(f"`verify` ended with {ran.exit_code}, not 1 (problems found)")
    if runs[1].exit_code == 1:
        errors = [f for f in json.loads(runs[1].stdout)["findings"] if f["severity"] == "error"]
        if not errors:
            problems.append("`verify --json` found problems but listed no error")
    assert not problems, _report(mutation, runs, problems)
    return True


@hostile_settings(40)
@given(data=st.data())
def test_verify_finds_any_change_to_what_the_seal_covers(
    template: Template, runner: ForkRunner, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
):
    mutation = data.draw(hostile.covered_mutations(template.files, template.folders), label="mutation")
    verify_names_the_change(template, runner, tmp_path_factory, mutation)


@dataclass(frozen=True)
class ArchiveDamage:
    """The encrypted hand-over's bytes changed (and maybe the checksum beside it deleted)."""

    damage: hostile.Bytes
    keep_checksum: bool


def an_officer_opens_a_damaged_hand_over(
    template: Template, runner: ForkRunner, tmp_path_factory, change: ArchiveDamage
) -> None:
    base = tmp_path_factory.mktemp("hostile-handover")
    folder = base / "received"
    shutil.copytree(template.handover.parent, folder)
    archive = folder / template.handover.name
    if not change.keep_checksum:
        (folder / f"{archive.name}.sha256").unlink()
    if not change.damage.apply(folder, base):
        return
    cases = base / "cases"
    cases.mkdir()
    before = hostile.snapshot(base)
    runs = [
        runner.run("verify", archive, "--identity", template.identity, cwd=base, timeout=TIMEOUT),
        runner.run("verify", "--json", archive, "--identity", template.identity, cwd=base, timeout=TIMEOUT),
    ]
    problems = hostile.differences(before, hostile.snapshot(base))  # no plaintext on disk
    runs.append(runner.run("open", archive, "--identity", template.identity, "--to", cases, cwd=base))
    problems += [problem for ran in runs for problem in _problems(ran)]
    for ran in runs:
        if ran.exit_code == 0:
            problems.append(f"`{ran.argv[0]}` accepted a changed archive")
    if list(cases.iterdir()):
        problems.append(f"`open` failed but left {sorted(p.name for p in cases.iterdir())} behind")
    after = hostile.snapshot(base, skip=cases)
    problems += hostile.differences({k: v for k, v in before.items() if k != "cases"}, after)
    assert not problems, _report(change, runs, problems)


@hostile_settings(25)
@given(
    change=st.builds(
        ArchiveDamage,
        damage=st.builds(
            hostile.Bytes,
            target=st.just("ARCHIVE"),
            how=st.sampled_from(["flip", "flip", "truncate", "extend", "replace"]),
            where=st.floats(min_value=0, max_value=1),
            noise=hostile.noise,
        ),
        keep_checksum=st.booleans(),
    )
)
def test_a_damaged_hand_over_is_refused_and_nothing_of_it_is_kept(
    template: Template, runner: ForkRunner, tmp_path_factory: pytest.TempPathFactory, change: ArchiveDamage
):
    change = ArchiveDamage(
        hostile.Bytes(template.handover.name, change.damage.how, change.damage.where, change.damage.noise),
        change.keep_checksum,
    )
    an_officer_opens_a_damaged_hand_over(template, runner, tmp_path_factory, change)


# Found by the properties above (each once went unnoticed: verify said "nothing has changed").
FOUND = [
    hostile.Replace("seal/tagmanifest-sha256.txt.tsr", "folder"),
    hostile.Replace("seal/tagmanifest-sha256.txt.tsr", "removed"),
    hostile.Replace("seal/history/1/tagmanifest-sha256.txt.tsr", "removed"),
    hostile.Replace("seal/tsa-chain.pem", "removed"),
    hostile.Replace("seal/seal.json", "removed"),
    hostile.Replace("seal/VERIFY.txt", "fifo"),
    hostile.Replace("seal/history/1/seal.json", "removed"),
    hostile.Replace("seal/history/1/VERIFY.txt", "folder"),
    hostile.Bytes("seal/tagmanifest-sha256.txt.tsr", "flip", 0.0, b"\n"),  # no longer DER
    hostile.Bytes("seal/tagmanifest-sha256.txt.tsr", "flip", 0.5, b"\n"),  # a certificate it carries
    hostile.Bytes("seal/tagmanifest-sha256.txt.tsr", "truncate", 0.9, b"\n"),
    hostile.Bytes("seal/history/1/tsa-chain.pem", "flip", 0.5, b"\n"),
    hostile.Bytes("seal/timestamps.json", "extend", 0, b"\n"),
]


@pytest.mark.parametrize("mutation", FOUND, ids=repr)
def test_changes_to_the_seal_once_missed_are_found(
    template: Template, runner: ForkRunner, tmp_path_factory: pytest.TempPathFactory, mutation
):
    assert verify_names_the_change(template, runner, tmp_path_factory, mutation)
