"""An officer receives a case in which any one file was damaged or changed: verify always says so.

The case holds everything evidencekit writes — a copied screenshot, a chat export with its
derived transcript, an intimate image recorded by reference only, a recorded and archived web
address (WARC), offender, payment and action records, the report, and the seal. Whichever of its
files is cut short, has bytes replaced, inserted or lost — with or without a forger putting the
new SHA-256 into the manifest — `verify` finds problems and explains each, and never stops with
"a bug".
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evidencekit.case.case import find_case
from evidencekit.errors import EvidenceKitError
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag, run_cli
from tests.exports import samples
from tests.exports.test_damaged_exports import damage
from tests.fuzzing import examples
from tests.synthetic import add_web_capture, png_bytes

# Files without which the folder is no longer recognisable as a case: "not a case" is a fine answer.
IDENTITY_FILES = {"bagit.txt", "evidencekit/case.json"}


def must(*args: str | Path, cwd: Path) -> None:
    result = run_cli(*args, cwd=cwd)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def full_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sealed case with one of everything, built as a user would (the web capture without network)."""
    base = tmp_path_factory.mktemp("full")
    evidence = base / "evidence"
    evidence.mkdir()
    (evidence / "threat.png").write_bytes(png_bytes((200, 40, 40), marker=b"threat"))
    (evidence / "intimate.jpg").write_bytes(png_bytes((10, 10, 10), marker=b"private"))
    export = samples.whatsapp_android_zip(evidence / "whatsapp")
    root = base / "case"
    must("new", root, "--title", "Full case", "--no-under-18", "--timezone", "Europe/London", cwd=base)
    must("capture", evidence / "threat.png", "--note", "the first threat", cwd=root)
    must("capture", export, cwd=root)
    must("capture", evidence / "intimate.jpg", "--sensitive", cwd=root)
    must("add-url", "https://www.instagram.com/riley.example/", "--kind", "profile", cwd=root)
    add_web_capture(
        find_case(root),
        "U0001",
        screenshot=png_bytes((250, 250, 250)),
        requested_url="https://www.instagram.com/riley.example/",
    )
    must("offender", "add", "--platform", "instagram", "--username", "riley.example", cwd=root)
    must(
        "payment",
        "add",
        "--method",
        "gift-card",
        "--amount",
        "200",
        "--currency",
        "GBP",
        "--not-paid",
        cwd=root,
    )
    must("action", "reported", "--to", "Instagram", "--ref", "IG-1234", cwd=root)
    must("note", "He said he would send the pictures to my friends.", cwd=root)
    must("report", "--format", "html", cwd=root)
    must("seal", cwd=root)
    must("verify", cwd=root)
    assert_valid_bag(root)
    return root


def case_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def relist(root: Path, bag_path: str) -> None:
    """What a careful forger does: put the changed file's new SHA-256 in whichever manifest lists it."""
    for manifest_name in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        manifest = root / manifest_name
        if bag_path == manifest_name:
            continue
        digest = hashlib.sha256((root / bag_path).read_bytes()).hexdigest()
        lines = manifest.read_text(encoding="utf-8").splitlines()
        fixed = [f"{digest}  {bag_path}" if line.endswith(f"  {bag_path}") else line for line in lines]
        manifest.write_text("\n".join(fixed) + "\n", encoding="utf-8")


def test_the_full_case_lists_every_kind_of_file(full_case: Path):
    files = case_files(full_case)
    assert any(f.endswith("transcript.jsonl") for f in files)
    assert any(f.endswith(".warc.gz") for f in files)
    assert any(f.endswith("report.html") for f in files)
    assert any(f.startswith("seal/") for f in files)
    assert not any("intimate" in f for f in files if f.startswith("data/")), "a sensitive image was copied"


@settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pick=st.integers(min_value=0),
    how=st.sampled_from(["cut short", "bytes replaced", "bytes inserted", "bytes lost"]),
    where=st.floats(min_value=0, max_value=1, allow_nan=False),
    noise=st.binary(min_size=1, max_size=40),
    forger=st.booleans(),
)
@example(pick=0, how="bytes replaced", where=0.5, noise=b"X", forger=True)
def test_any_damaged_file_in_a_sealed_case_is_found_and_explained(
    full_case: Path,
    tmp_path_factory: pytest.TempPathFactory,
    pick: int,
    how: str,
    where: float,
    noise: bytes,
    forger: bool,
):
    root = tmp_path_factory.mktemp("damaged") / "case"
    shutil.copytree(full_case, root)
    files = case_files(root)
    target = files[pick % len(files)]
    before = (root / target).read_bytes()
    after = damage(before, how, where, noise)
    if after == before:
        return
    (root / target).write_bytes(after)
    if forger:
        relist(root, target)

    try:
        report = verify_case(root)
    except EvidenceKitError:
        assert target in IDENTITY_FILES, f"verify refused the case after damage to {target}"
        return
    assert not report.ok, f"damage to {target} ({how}) went unnoticed"
    assert all(f.code and f.message for f in report.findings)


@pytest.mark.parametrize(
    "target",
    ["evidencekit/custody.jsonl", "seal/seal.json", "data/derived/report/report.html"],
)
def test_the_officer_sees_exit_1_and_the_damaged_file_named(full_case: Path, tmp_path: Path, target: str):
    root = tmp_path / "case"
    shutil.copytree(full_case, root)
    path = root / target
    if not path.exists():
        pytest.skip(f"{target} is not part of this case layout")
    path.write_bytes(path.read_bytes()[:-20] + b"X" * 20)

    result = run_cli("verify", "--json", cwd=root)

    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings
    assert any(target in json.dumps(f) for f in findings), findings
