"""The encrypted hand-over is as large as the case, so the disk it goes to may well be too small.

A victim writing it to a nearly full USB stick must be told plainly what happened: which file,
about how much space it needs and how much there is, and that the case itself is safe (sealed and
unchanged); nothing half-written may stay behind. And when an earlier run was killed outright
(SIGKILL: nothing of ours runs any more), its unfinished files are removed by the next run, but
only files that are exactly ours.

The full disk is real: a small tmpfs, mounted for the test (skipped where mounting is not allowed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evidencekit.case.case import Case, create_case
from evidencekit.case.seal import seal_case
from evidencekit.errors import StorageError
from evidencekit.handover.archive import write_handover
from evidencekit.handover.keys import parse_recipient
from evidencekit.intake.files import capture
from tests.conftest import require_tool, run_cli

MB = 1_000_000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """mount(size) → a folder on a fresh tmpfs of that size (e.g. "2m")."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"usb-stick-{size}"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            pytest.skip(f"a small file system cannot be mounted here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def sealed_case(tmp_path: Path, megabytes: float) -> Case:
    """A sealed case holding one video of random (incompressible) bytes."""
    case = create_case(tmp_path / "case", title="Blackmail by video call", zone_name="Europe/London")
    video = tmp_path / "call-recording.mp4"
    video.write_bytes(os.urandom(int(megabytes * MB)))
    capture(case, [video], note="the recorded call he threatens to send")
    seal_case(case)
    return case


def age_recipient(tmp_path: Path) -> str:
    """The public key of an officer's key pair made with age-keygen (the secret: officer-key.txt)."""
    require_tool("age-keygen")
    key = tmp_path / "officer-key.txt"
    if not key.exists():
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True, timeout=30)
    return next(line.split(": ", 1)[1] for line in key.read_text().splitlines() if "public key:" in line)


def test_a_full_disk_says_which_file_how_much_space_and_that_the_case_is_safe(tmp_path, small_disk):
    stick = small_disk("2m")
    case = sealed_case(tmp_path, 3)
    recipient = parse_recipient(age_recipient(tmp_path))

    with pytest.raises(StorageError) as refused:
        write_handover(case, stick, recipients=[recipient], passphrase=None)

    message = refused.value.message
    assert message.startswith("The disk is full")
    assert f"{case.info.id}.tar.age" in message and str(stick) in message  # which file, where
    needed = float(message.split("needs about ")[1].split(" MB")[0])
    assert 3.0 <= needed <= 3.2  # the case's 3 MB, plus a little
    assert "only 2.0 MB is free there" in message or "only 2.1 MB is free there" in message
    assert "the case itself is sealed and unchanged" in message
    assert "--out FOLDER" in (refused.value.hint or "")
    assert os.listdir(stick) == []  # nothing half-written left behind
    assert run_cli("verify", case.root).exit_code == 0


def test_seal_encrypt_on_a_full_disk_ends_calmly(tmp_path, small_disk):
    stick = small_disk("2m")
    case = sealed_case(tmp_path, 3)

    done = run_cli(
        "seal", "--encrypt", "--recipient", age_recipient(tmp_path), "--out", stick, "--case", case.root
    )

    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output and "a bug" not in done.output
    assert "The disk is full" in done.output and "sealed and unchanged" in done.output
    assert os.listdir(stick) == []


KILLED_WHILE_WRITING = """
import sys, time
from pathlib import Path
from evidencekit.case.case import find_case
from evidencekit.handover.archive import write_handover
from evidencekit.handover.keys import parse_recipient

def stuck(done, total):  # a slow disk: the writer stays inside the archive until it is killed
    print("writing", flush=True)
    time.sleep(120)

write_handover(find_case(Path(sys.argv[1])), Path(sys.argv[2]),
               recipients=[parse_recipient(sys.argv[3])], passphrase=None, progress=stuck)
"""


def kill_while_writing(tmp_path: Path, case: Case, out: Path, recipient: str) -> list[str]:
    """Start a hand-over in another process and SIGKILL it half-way; returns what it left."""
    script = tmp_path / "killed_while_writing.py"
    script.write_text(KILLED_WHILE_WRITING)
    with subprocess.Popen(
        [sys.executable, str(script), str(case.root), str(out), recipient],
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=30)
    return sorted(os.listdir(out))


def test_what_a_killed_hand_over_left_is_removed_by_the_next_one(tmp_path):
    case = sealed_case(tmp_path, 0.5)
    out = tmp_path / "out"
    recipient = age_recipient(tmp_path)
    [left] = kill_while_writing(tmp_path, case, out, recipient)
    assert left.startswith(".ek-tmp-") and left.endswith(f"-{case.info.id}.tar.age")

    result = write_handover(case, out, recipients=[parse_recipient(recipient)], passphrase=None)

    assert result.stale_removed == (left,)
    assert result.stale_left == ()
    assert sorted(os.listdir(out)) == sorted(
        p.name for p in (result.archive, result.checksum_file, result.how_to)
    )


def test_a_killed_hand_over_that_filled_the_disk_does_not_stop_the_next(tmp_path, small_disk):
    """The story: the first try was killed (the laptop's lid closed, power cut) with most of the
    stick taken by its unfinished archive; the second try must not fail for lack of space."""
    stick = small_disk("4m")
    case = sealed_case(tmp_path, 1.5)
    recipient = age_recipient(tmp_path)
    stale = stick / f".ek-tmp-0123456789ab-{case.info.id}.tar.age"
    stale.write_bytes(os.urandom(3 * MB))  # as a killed run leaves it: a plain file, no lock held

    done = run_cli("seal", "--encrypt", "--recipient", recipient, "--out", stick, "--case", case.root)

    assert done.exit_code == 0, done.output
    assert "Removed 1 unfinished file(s) left there by an earlier hand-over" in done.output
    assert not stale.exists()
    assert (stick / f"{case.info.id}.tar.age").stat().st_size > 1.5 * MB
    checked = run_cli("verify", stick / f"{case.info.id}.tar.age", "--identity", tmp_path / "officer-key.txt")
    assert checked.exit_code == 0, checked.output


def test_only_files_that_are_exactly_ours_are_removed(tmp_path):
    case = sealed_case(tmp_path, 0.1)
    out = tmp_path / "out"
    out.mkdir()
    case_id = case.info.id
    someone_elses = tmp_path / "holiday-video.mp4"
    someone_elses.write_bytes(b"not ours")
    ours = out / f".ek-tmp-00112233aabb-{case_id}.tar.age"
    ours.write_bytes(b"unfinished")
    ours_small = out / f".ek-tmp-00112233aabc-{case_id}.HOW-TO-OPEN.txt"
    ours_small.write_bytes(b"unfinished")
    kept = {
        f".ek-tmp-00112233aabd-{case_id}.tar.age": "link",  # a link: neither followed nor removed
        f".ek-tmp-00112233aabe-{case_id}.tar.age": "fifo",  # never opened (it would hang)
        f".ek-tmp-00112233aabf-{case_id}.tar.age": "folder",
        f".ek-tmp-XYZ-{case_id}.tar.age": "file",  # not twelve hex digits
        f".ek-tmp-00112233AABB-{case_id}.tar.age": "file",  # upper case: not how we make them
        f".ek-tmp-00112233aabb-{case_id}.tar.age.part": "file",  # another name
        ".ek-tmp-00112233aabb-EK-20990101-OTHER.tar.age": "file",  # another case's
        f"ek-tmp-00112233aabb-{case_id}.tar.age": "file",  # no leading dot
    }
    for name, kind in kept.items():
        path = out / name
        if kind == "link":
            path.symlink_to(someone_elses)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        else:
            path.write_bytes(b"keep me")

    result = write_handover(case, out, recipients=[parse_recipient(age_recipient(tmp_path))], passphrase=None)

    assert sorted(result.stale_removed) == sorted([ours.name, ours_small.name])
    assert not ours.exists() and not ours_small.exists()
    for name in kept:
        assert os.path.lexists(out / name), name
    assert someone_elses.read_bytes() == b"not ours"
    assert sorted(r.split(" ")[0] for r in result.stale_left) == sorted(
        name for name, kind in kept.items() if kind in ("link", "fifo", "folder")
    )


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks (flock) are POSIX")
def test_a_file_another_evidencekit_is_still_writing_is_left_alone(tmp_path):
    import fcntl

    case = sealed_case(tmp_path, 0.1)
    out = tmp_path / "out"
    out.mkdir()
    busy = out / f".ek-tmp-0123456789ab-{case.info.id}.tar.age"
    busy.write_bytes(b"being written right now")
    with open(busy, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a living writer holds its temp file

        result = write_handover(
            case, out, recipients=[parse_recipient(age_recipient(tmp_path))], passphrase=None
        )

    assert busy.exists()
    assert result.stale_removed == ()
    assert result.stale_left == (f"{busy.name} (another evidencekit is still writing it)",)


def test_the_key_it_was_encrypted_to_can_be_checked_with_standard_tools(tmp_path):
    require_tool("ssh-keygen")
    case = sealed_case(tmp_path, 0.1)
    key = tmp_path / "officer"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    listed = subprocess.run(
        ["ssh-keygen", "-lf", f"{key}.pub"], check=True, capture_output=True, text=True, timeout=30
    ).stdout.split()[1]
    age_key = age_recipient(tmp_path)
    recipients = [parse_recipient(age_key), parse_recipient(Path(f"{key}.pub").read_text())]

    result = write_handover(case, tmp_path / "out", recipients=recipients, passphrase=None)

    assert result.recipient_fingerprints == (age_key, listed)  # age keys are their own identity
    assert listed in result.how_to.read_text(encoding="utf-8")
    shown = run_cli(
        "seal",
        "--encrypt",
        "--recipients-file",
        f"{key}.pub",
        "--out",
        tmp_path / "again",
        "--case",
        case.root,
    )
    assert shown.exit_code == 0, shown.output
    assert listed in shown.stdout
