"""`evidencekit hashes`: older cases get what they lack, and the lists services take are written.

The story: a helpline worker has a case captured before evidencekit made perceptual hashes. They
add them, then write the StopNCII list for the photos to be blocked, the NCMEC list, and a CSV for a
platform's trust-and-safety team. No list holds a picture or, unless asked, a file name.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from evidencekit.case.case import Case
from evidencekit.intake import enrichers as intake_enrichers
from evidencekit.intake.files import capture

from .conftest import DATA, reference

EXPECTED = {
    row["file"]: row
    for row in csv.DictReader((DATA / "pdq_reference.csv").read_text(encoding="utf-8").splitlines())
}
NS = "{https://hashsharing.ncmec.org/hashsharing/v2}"


@pytest.fixture
def older_case(case: Case, originals: Path, video: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    """A case captured by a version without the perceptual enricher: two sensitive photos (one too
    featureless to match on), a sensitive video and a chat screenshot."""
    from evidencekit.enrichers import CAPTURE_ENRICHERS

    chat_only = [e for e in CAPTURE_ENRICHERS if e.what == "a chat export"]
    with monkeypatch.context() as patch:
        patch.setattr(intake_enrichers, "_provider", lambda: chat_only)
        capture(case, [reference("scene.png", originals, "beach-2025.png")], sensitive=True)
        capture(case, [reference("nearly-flat.png", originals, "wall.png")], sensitive=True)
        capture(case, [video], sensitive=True)
        capture(case, [reference("chat-screenshot.png", originals, "Screenshot alex.png")])
    assert not any("perceptual" in item for item in case.items())
    return case


def test_an_older_case_gets_its_hashes_in_one_logged_change(older_case: Case, cli) -> None:
    result = cli("hashes", "--case", older_case.root)
    assert result.exit_code == 0, result.output
    assert "Hashed 4 file(s)" in result.stdout
    written = (older_case.root / "evidencekit/hashes.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in written.splitlines()]
    assert {line["item"] for line in lines} == {"E0001", "E0002", "E0003", "E0004"}
    photo = next(line for line in lines if line["item"] == "E0001")
    assert photo["perceptual"]["pdq"] == EXPECTED["scene.png"]["pdq"]
    assert older_case.custody_entries()[-1]["action"] == "hashes-added"
    assert cli("verify", older_case.root).exit_code == 0
    again = cli("hashes", "--case", older_case.root)
    assert "already has its hashes" in again.stdout
    assert len(older_case.custody_entries()) == len(Case(older_case.root).custody_entries())


def test_the_stopncii_list_holds_the_sensitive_photos_pdq_and_the_videos_md5(older_case: Case, cli) -> None:
    result = cli("hashes", "--for", "stopncii", "--case", older_case.root)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    items = {item["id"]: item for item in Case(older_case.root).items()}
    assert listed == {
        "count": 2,
        "hashRecords": [
            {"signalType": "ImagePDQ", "hashValue": EXPECTED["scene.png"]["pdq"]},
            {"signalType": "VideoMD5", "hashValue": items["E0003"]["md5"]},
        ],
    }
    assert "no PDQ of quality 50" in result.stderr  # the featureless wall is said, not listed
    assert "not marked sensitive were left out" in result.stderr


def test_the_ncmec_list_has_md5_sha1_and_pdq_and_no_names(older_case: Case, cli, tmp_path: Path) -> None:
    out = tmp_path / "ncmec.xml"
    result = cli("hashes", "--for", "ncmec", "--out", out, "--case", older_case.root)
    assert result.exit_code == 0, result.output
    root = ET.fromstring(out.read_text(encoding="utf-8"))  # noqa: S314 (our own output)
    images = root.findall(f"{NS}images/{NS}image")
    assert [image.findtext(f"{NS}id") for image in images] == ["E0001", "E0002"]
    prints = images[0].find(f"{NS}fingerprints")
    assert prints is not None
    assert prints.findtext(f"{NS}pdq") == EXPECTED["scene.png"]["pdq"]
    assert len(prints.findtext(f"{NS}sha1") or "") == 40
    assert images[1].find(f"{NS}fingerprints/{NS}pdq") is None  # quality 0: not matched on
    assert "beach" not in out.read_text(encoding="utf-8")


def test_the_csv_lists_everything_and_names_only_when_asked(older_case: Case, cli) -> None:
    plain = list(csv.DictReader(io.StringIO(cli("hashes", "--for", "csv", "-C", older_case.root).stdout)))
    assert [row["item"] for row in plain] == ["E0001", "E0002", "E0003", "E0004"]
    assert "name" not in plain[0]
    assert plain[3]["sensitive"] == "no" and plain[3]["pdq"] == EXPECTED["chat-screenshot.png"]["pdq"]
    assert plain[1]["no_pdq_because"].startswith("quality 0 is under 50")
    named_csv = cli("hashes", "--for", "csv", "--with-names", "-C", older_case.root).stdout
    named = list(csv.DictReader(io.StringIO(named_csv)))
    assert named[0]["name"] == "beach-2025.png"


def test_a_sealed_case_still_gives_its_list_without_being_changed(older_case: Case, cli) -> None:
    assert cli("seal", "--case", older_case.root).exit_code == 0
    before = (older_case.root / "tagmanifest-sha256.txt").read_bytes()
    refused = cli("hashes", "--case", older_case.root)
    assert refused.exit_code == 2
    assert "sealed" in refused.stderr and "Traceback" not in refused.output
    listed = cli("hashes", "--for", "stopncii", "--case", older_case.root)
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)["hashRecords"][0]["hashValue"] == EXPECTED["scene.png"]["pdq"]
    assert "not recorded" in listed.stderr
    assert (older_case.root / "tagmanifest-sha256.txt").read_bytes() == before


def test_bad_requests_are_one_sentence_and_exit_2(older_case: Case, cli, tmp_path: Path) -> None:
    for args, said in (
        (("--for", "photodna"), "is not a hash list"),
        (("--out", tmp_path / "x.json"), "--for"),
        (("--for", "csv", "--out", older_case.root / "hashes.csv"), "inside the case folder"),
        (("--for", "csv", "--out", tmp_path / "no-such-folder" / "x.csv"), "does not exist"),
    ):
        result = cli("hashes", *args, "--case", older_case.root)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.stderr and "Traceback" not in result.output
    assert not (older_case.root / "hashes.csv").exists()


def test_a_hand_edited_hash_line_is_refused_by_name(older_case: Case, cli) -> None:
    assert cli("hashes", "--case", older_case.root).exit_code == 0
    path = older_case.root / "evidencekit/hashes.jsonl"
    path.write_text(path.read_text().replace('"pdq_quality":76', '"pdq_quality":"high"'), encoding="utf-8")
    from evidencekit.case.case import CaseDamagedError
    from evidencekit.case.records.hashes import HASHES_JSONL

    with pytest.raises(CaseDamagedError) as refused:
        Case(older_case.root).records(HASHES_JSONL)
    assert "line 1 of evidencekit/hashes.jsonl" in str(refused.value)
    assert "“pdq_quality” should be a PDQ quality" in str(refused.value)
    assert cli("hashes", "--for", "csv", "--case", older_case.root).exit_code == 2
    assert cli("verify", older_case.root).exit_code == 1


def test_verify_names_a_hash_line_that_points_at_the_wrong_file(older_case: Case, cli) -> None:
    """Hashes that do not belong to the file they name would send the wrong picture to a list."""
    from evidencekit.verify import verify_case

    assert cli("hashes", "--case", older_case.root).exit_code == 0
    assert verify_case(older_case.root).ok
    path = older_case.root / "evidencekit/hashes.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines[0]["sha256"] = "0" * 64
    lines[1]["item"] = "E0099"
    path.write_text("".join(json.dumps(line) + "\n" for line in [*lines, lines[2]]), encoding="utf-8")
    codes = {finding.code for finding in verify_case(older_case.root).errors}
    assert {"hashes-record-mismatch", "hashes-record-unknown", "hashes-not-logged"} <= codes
    path.write_text(path.read_text().replace('"pdq_quality": 76', '"pdq_quality": "high"'), encoding="utf-8")
    assert "hashes-record-invalid" in {finding.code for finding in verify_case(older_case.root).errors}


def test_the_report_shows_each_withheld_photos_pdq_and_never_the_photo(
    older_case: Case, cli, tmp_path
) -> None:
    before = cli("report", "--format", "html", "--out", tmp_path / "before", "--case", older_case.root)
    assert before.exit_code == 0, before.output
    html = (tmp_path / "before" / "report.html").read_text(encoding="utf-8")
    assert "No PDQ: not hashed yet (run: evidencekit hashes)" in html
    assert cli("hashes", "--case", older_case.root).exit_code == 0
    after = cli("report", "--format", "html", "--out", tmp_path / "after", "--case", older_case.root)
    assert after.exit_code == 0, after.output
    html = (tmp_path / "after" / "report.html").read_text(encoding="utf-8")
    start = html.index('id="withheld"')
    withheld = html[start : html.index("</section>", start)]
    assert f'PDQ: <span class="hash">{EXPECTED["scene.png"]["pdq"]}</span> (quality 76)' in withheld
    assert "(quality 0)" in withheld  # the featureless one is shown with its quality too
    assert EXPECTED["chat-screenshot.png"]["pdq"] not in withheld  # not sensitive: not withheld
    assert "data:image" not in withheld
