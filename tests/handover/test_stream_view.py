"""A bag read from a tar stream is judged exactly like the same bag on disk: same findings."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from evidencekit.case.seal import seal_case
from evidencekit.handover.stream_verify import StreamView, bag_root, collect
from evidencekit.intake.files import capture
from evidencekit.verify import verify_bag, verify_case


@pytest.fixture
def sealed_root(case, evidence, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.txt").write_text("first member")
    capture(case, [evidence / "chat.txt", folder])
    seal_case(case)
    return case.root


def findings_in_stream(root: Path, top: str | None) -> set[tuple[str, str, str | None]]:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if top is None:
            for entry in sorted(os.listdir(root)):
                tar.add(root / entry, arcname=entry)
        else:
            tar.add(root, arcname=top)
    buffer.seek(0)
    facts = collect(buffer)
    report = verify_bag(StreamView(facts, bag_root(facts), "archive"))
    return {(f.severity, f.code, f.path) for f in report.findings if f.code != "checks-after-open"}


def findings_on_disk(root: Path) -> set[tuple[str, str, str | None]]:
    return {(f.severity, f.code, f.path) for f in verify_case(root).findings}


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))


TAMPERING = {
    "untouched": lambda root: None,
    "evidence edited": lambda root: flip(root / "data/items/E0001-chat.txt"),
    "folder member edited": lambda root: flip(root / "data/items/E0002-export/a.txt"),
    "evidence deleted": lambda root: (root / "data/items/E0001-chat.txt").unlink(),
    "evidence added": lambda root: (root / "data/items/E0009-new.txt").write_text("x"),
    "record edited": lambda root: flip(root / "evidencekit/items.jsonl"),
    "record added": lambda root: (root / "evidencekit/added-later.jsonl").write_text("{}\n"),
    "custody edited": lambda root: flip(root / "evidencekit/custody.jsonl"),
    "bag-info edited": lambda root: flip(root / "bag-info.txt"),
    "tag manifest edited": lambda root: flip(root / "tagmanifest-sha256.txt"),
    "signature removed": lambda root: (root / "seal/tagmanifest-sha256.txt.sig").unlink(),
    "extra file beside the bag": lambda root: (root / "notes.txt").write_text("x"),
    "symlink in the payload": lambda root: os.symlink("/etc/hostname", root / "data/items/E0003-link"),
    "bagit.txt removed": lambda root: (root / "bagit.txt").unlink(),
}


@pytest.mark.parametrize("what", sorted(TAMPERING))
@pytest.mark.parametrize("top", ["case", None])
def test_the_stream_finds_what_the_folder_finds(sealed_root, what, top, monkeypatch):
    # Only the checks that can read a stream run on both sides (the others run after `open`).
    from evidencekit.verify import parts

    monkeypatch.setattr(parts, "EXTRA_CHECKS", [parts.check_seal_timestamps])
    TAMPERING[what](sealed_root)
    on_disk = findings_on_disk(sealed_root)
    assert findings_in_stream(sealed_root, top) == on_disk
    assert (what == "untouched" or what == "extra file beside the bag") == all(
        s != "error" for s, _, _ in on_disk
    )
