"""Verify re-hashes a case's evidence after listing it. If someone swaps a file for a link (to a
file outside, or to a FIFO) between the listing and the hashing, the hash must not be the link
target's, and nothing may hang: case files are opened through safepath, every step without
following a link, and only when they are plain files.

The race itself cannot be timed in a test, so the hashing is given what the swap would leave.
Originals outside a case are different: a link the user named is theirs to name; inside a
captured folder links are never followed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from evidencekit.case import hashing, parallel
from evidencekit.case.safepath import UnsafeCasePathError

SECRET = b"a file outside the case that must never be read as the case's\n"
EVIDENCE = b"the screenshot's bytes\n"

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A case-like folder with one real file, and a file outside it."""
    root = tmp_path / "case"
    (root / "data" / "items").mkdir(parents=True)
    (root / "data" / "items" / "E0001-shot.png").write_bytes(EVIDENCE)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(SECRET)
    return root, outside


def finishes(function: Callable[[], Any], seconds: float = 10) -> Any:
    """Run `function` in a thread; fail (instead of hanging the suite) if it does not finish."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hashing hung (it opened a FIFO and waits for a writer)"
    if failure:
        raise failure[0]
    return result[0]


@pytest.fixture
def fifo_unblocked(tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    """Make FIFOs; afterwards open each for writing once, so a reader stuck in open() is freed."""
    made: list[Path] = []

    def make(path: Path) -> Path:
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    for path in made:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue  # no reader waiting: nothing to free
        os.close(fd)


def test_a_plain_case_file_is_hashed(layout):
    root, _ = layout

    [(digest, problem)] = parallel.hash_chunk([(str(root), "data/items/E0001-shot.png")])

    assert (digest, problem) == (hashlib.sha256(EVIDENCE).hexdigest(), None)


def test_a_large_case_file_is_hashed_too(layout):
    root, _ = layout
    big = os.urandom(3 * hashing.HEAD + 17)  # streamed, not read in one go
    (root / "data" / "items" / "E0002-video.mp4").write_bytes(big)

    [(digest, problem)] = parallel.hash_chunk([(str(root), "data/items/E0002-video.mp4")])

    assert (digest, problem) == (hashlib.sha256(big).hexdigest(), None)


def test_a_file_swapped_for_a_link_is_reported_not_followed(layout):
    root, outside = layout
    shot = root / "data" / "items" / "E0001-shot.png"
    shot.unlink()
    shot.symlink_to(outside)

    [(digest, problem)] = parallel.hash_chunk([(str(root), "data/items/E0001-shot.png")])

    assert digest is None
    assert problem is not None and "link" in problem
    assert hashlib.sha256(SECRET).hexdigest() != digest


def test_a_folder_swapped_for_a_link_is_reported_not_followed(layout, tmp_path):
    root, _ = layout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "E0001-shot.png").write_bytes(SECRET)
    items = root / "data" / "items"
    items.rename(tmp_path / "moved-away")
    items.symlink_to(elsewhere, target_is_directory=True)

    [(digest, problem)] = parallel.hash_chunk([(str(root), "data/items/E0001-shot.png")])

    assert digest is None
    assert problem is not None and "link" in problem


@posix_only
def test_a_file_swapped_for_a_fifo_is_reported_and_nothing_hangs(layout, fifo_unblocked):
    root, _ = layout
    shot = root / "data" / "items" / "E0001-shot.png"
    shot.unlink()
    fifo_unblocked(shot)

    [(digest, problem)] = finishes(lambda: parallel.hash_chunk([(str(root), "data/items/E0001-shot.png")]))

    assert digest is None
    assert problem is not None and "not a plain file" in problem


@posix_only
def test_a_link_to_a_fifo_is_reported_and_nothing_hangs(layout, tmp_path, fifo_unblocked):
    root, _ = layout
    shot = root / "data" / "items" / "E0001-shot.png"
    shot.unlink()
    shot.symlink_to(fifo_unblocked(tmp_path / "pipe"))

    [(digest, problem)] = finishes(lambda: parallel.hash_chunk([(str(root), "data/items/E0001-shot.png")]))

    assert digest is None
    assert problem is not None and "link" in problem


def test_each_file_of_a_chunk_gets_its_own_answer(layout, tmp_path):
    root, outside = layout
    (root / "data" / "items" / "E0002-link.png").symlink_to(outside)

    results = parallel.hash_chunk(
        [
            (str(root), "data/items/E0001-shot.png"),
            (str(root), "data/items/E0002-link.png"),
            (str(root), "data/items/E0003-gone.png"),
        ]
    )

    assert results[0] == (hashlib.sha256(EVIDENCE).hexdigest(), None)
    assert results[1][0] is None and "link" in (results[1][1] or "")
    assert results[2][0] is None and results[2][1]  # missing: reported, not a crash


def test_hash_case_file_refuses_a_link_with_a_sentence(layout):
    root, outside = layout
    (root / "data" / "items" / "E0002-link.png").symlink_to(outside)

    with pytest.raises(UnsafeCasePathError, match="link"):
        hashing.hash_case_file(root, "data/items/E0002-link.png")


def test_an_original_the_user_named_may_be_a_link(tmp_path):
    real = tmp_path / "Screenshot.png"
    real.write_bytes(EVIDENCE)
    shortcut = tmp_path / "shortcut.png"
    shortcut.symlink_to(real)

    assert hashing.hash_file(shortcut)[0] == hashlib.sha256(EVIDENCE).hexdigest()
    assert hashing.hash_small_file(str(shortcut))[0] == hashlib.sha256(EVIDENCE).hexdigest()


def test_inside_a_captured_folder_a_link_is_not_followed(tmp_path):
    real = tmp_path / "outside.txt"
    real.write_bytes(SECRET)
    member = tmp_path / "export" / "chat.txt"
    member.parent.mkdir()
    member.symlink_to(real)

    with pytest.raises(hashing.NotRegularFileError) as refused:
        hashing.copy_and_hash(member, None, follow_links=False)

    assert "link" in refused.value.reason
    with pytest.raises(hashing.NotRegularFileError):
        hashing.hash_small_file(str(member), follow_links=False)


@posix_only
def test_an_original_that_is_a_fifo_is_refused_without_waiting(tmp_path, fifo_unblocked):
    pipe = fifo_unblocked(tmp_path / "looks-like-a-file.png")

    with pytest.raises(hashing.NotRegularFileError) as refused:
        finishes(lambda: hashing.hash_file(pipe))

    assert "not a plain file" in refused.value.reason
    # A kind of "the file changed": capture, which listed a plain file there, says so calmly; and
    # an OSError, for code that reports any unreadable file (the media check before a capture).
    assert isinstance(refused.value, hashing.SourceChangedError)
    assert isinstance(refused.value, OSError)


def test_capture_of_a_folder_leaves_links_out(case, tmp_path):
    """Confirms what intake does when it lists a folder: a link is recorded as left out, and what
    it points to is neither copied nor hashed."""
    from evidencekit.intake.files import capture

    folder = tmp_path / "camera-roll"
    folder.mkdir()
    (folder / "shot.png").write_bytes(EVIDENCE)
    outside = tmp_path / "private.txt"
    outside.write_bytes(SECRET)
    (folder / "shortcut.txt").symlink_to(outside)

    capture(case, [folder], skip_problems=True)

    stored = [p for p in (case.root / "data").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [EVIDENCE]
    records = (case.root / "evidencekit" / "items.jsonl").read_text(encoding="utf-8")
    assert hashlib.sha256(SECRET).hexdigest() not in records


def test_a_chunk_spread_over_many_folders_is_hashed_and_leaves_no_folder_open(tmp_path):
    """Folders are kept open while their files are hashed (a few at a time, not one each)."""
    root = tmp_path / "case"
    files = []
    for n in range(3 * hashing.CaseFiles.KEEP):
        folder = root / "data" / "items" / f"E{n:04d}-export" / "media"
        folder.mkdir(parents=True)
        (folder / "a.bin").write_bytes(n.to_bytes(2, "big"))
        files.append((str(root), f"data/items/E{n:04d}-export/media/a.bin"))
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None

    results = parallel.hash_chunk(files + files[:3])  # back to the first folders at the end

    expected = [hashlib.sha256(n.to_bytes(2, "big")).hexdigest() for n in range(len(files))]
    assert [digest for digest, _ in results] == expected + expected[:3]
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
