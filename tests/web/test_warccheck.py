"""verify reads every archived WARC record and catches one that was changed."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from evidencekit.web.archive import ArchiveOptions, archive_url
from evidencekit.web.warccheck import check_warc
from tests.web.test_fetch import warcio_check

WARC = "data/web/U0001-1/capture.warc.gz"


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed members of a multi-member gzip file (one WARC record each)."""
    members = []
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        members.append(inflater.decompress(data) + inflater.flush())
        data = inflater.unused_data
    return members


def archived(case, site) -> Path:
    add_url(case, site.url("/page"))
    archive_url(case, "U0001", options=ArchiveOptions(use_browser=False))
    return case.root / WARC


def relist(case, bag_path: str) -> None:
    """What a careful forger does: put the file's new SHA-256 in the manifest."""
    manifest = case.root / "manifest-sha256.txt"
    digest = hashlib.sha256((case.root / bag_path).read_bytes()).hexdigest()
    lines = [
        f"{digest}  {bag_path}" if line.endswith(bag_path) else line
        for line in manifest.read_text(encoding="utf-8").splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


def codes(case) -> list[str]:
    return [f.code for f in verify_case(case.root).findings]


def test_an_untouched_warc_passes(case, site):
    warc = archived(case, site)
    assert check_warc(warc) == ([], 0)
    assert "warc-ok" in codes(case)


def test_a_changed_word_in_the_archived_page_is_caught(case, site):
    warc = archived(case, site)
    members = gzip_members(warc.read_bytes())
    index = next(i for i, m in enumerate(members) if b"Send 500 euros" in m)
    members[index] = members[index].replace(b"Send 500 euros", b"Send 900 euros")
    warc.write_bytes(b"".join(gzip.compress(m) for m in members))
    relist(case, WARC)

    found = codes(case)
    assert "warc-digest-mismatch" in found, found
    assert warcio_check(warc).returncode == 1, "warcio check agrees"
    [finding] = [f for f in verify_case(case.root).findings if f.code == "warc-digest-mismatch"]
    assert finding.path == WARC
    assert "no longer matches its digest" in finding.message and "/page" in finding.message


def test_a_warc_that_is_no_longer_readable_is_reported(case, site):
    warc = archived(case, site)
    warc.write_bytes(warc.read_bytes()[:200])
    found = codes(case)
    assert "warc-unreadable" in found and "payload-changed" in found


def every_record_whole(whole: bytes, end: int) -> bool:
    """Whether the first `end` bytes still hold every record's headers and block whole, i.e. the
    cut falls between two records or in what follows a block (the record's closing CRLF CRLF, the
    gzip trailer). Such a WARC is valid and shorter; the case manifest is what catches it."""
    offset = 0
    while offset < end:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        record = inflater.decompress(whole[offset:])
        member_end = len(whole) - len(inflater.unused_data)
        if end < member_end:
            kept = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(whole[offset:end])
            return len(kept) >= len(record) - len(b"\r\n\r\n")
        offset = member_end
    return True


def test_a_warc_cut_short_anywhere_is_reported_never_a_crash(case, site, tmp_path):
    """warcio itself fails on some cuts (AttributeError inside its record loader): still a finding."""
    whole = archived(case, site).read_bytes()
    copy = tmp_path / "cut.warc.gz"
    for end in range(len(whole)):
        copy.write_bytes(whole[:end])
        problems, _unchecked = check_warc(copy)
        assert {code for code, _message in problems} <= {"warc-unreadable", "warc-digest-mismatch"}
        assert problems or every_record_whole(whole, end), f"a WARC cut at byte {end} of {len(whole)} passed"
