"""A WACZ beside each web capture: the format the `wacz` package checks, made from the case's WARC.

Every WACZ made here is checked by the `wacz` package's own validator (`wacz validate -f`), run
as an examiner would; its index keys are compared with pywb's canonical form (the `surt`
package) and its index with the index pywb itself makes of the same WARC.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from evidencekit.intake.urls import add_url
from evidencekit.verify import verify_case
from evidencekit.web import wacz, wacz_pack
from evidencekit.web.archive import ArchiveOptions, archive_url
from tests.conftest import assert_valid_bag

NO_BROWSER = ArchiveOptions(use_browser=False)
BIN = Path(sys.executable).parent


def wacz_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """The `wacz` package's validator, as an examiner runs it."""
    return subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(path)], capture_output=True, text=True, timeout=300
    )


def captured(case, site, path: str = "/page"):
    add_url(case, site.url(path), kind="content")
    return archive_url(case, case.urls()[-1]["id"], options=NO_BROWSER)


def wacz_of(case, item_id: str) -> Path:
    """The capture's WACZ: made at capture time, or now by `evidencekit wacz`'s core for one made before."""
    made = wacz_pack.make_waczs(case)
    assert not made.failed, made.failed
    path = case.root / wacz_pack.wacz_path(item_id)
    assert path.is_file()
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_capture_gets_a_wacz_the_wacz_package_validates(case, site):
    result = captured(case, site)
    item_id = result.item["id"]

    stored = wacz_of(case, item_id)

    assert stored == case.root / f"data/derived/{item_id}/capture.wacz"
    checked = wacz_validate(stored)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Validation succeeded" in checked.stdout
    inside = members(stored)
    assert sorted(inside) == [
        "archive/capture.warc.gz",
        "datapackage-digest.json",
        "datapackage.json",
        "indexes/index.cdx",
        "pages/pages.jsonl",
    ]
    warc = case.root / result.item["bag_path"] / "capture.warc.gz"
    assert inside["archive/capture.warc.gz"] == warc.read_bytes()  # the evidence, byte for byte
    pages = [json.loads(line) for line in inside["pages/pages.jsonl"].decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert [p["url"] for p in pages[1:]] == [site.url("/page")]
    assert pages[1]["title"] == "Payment demand – test page"
    package = json.loads(inside["datapackage.json"])
    assert package["wacz_version"] == "1.1.1" and package["mainPageURL"] == site.url("/page")
    for resource in package["resources"]:
        assert resource["hash"] == "sha256:" + hashlib.sha256(inside[resource["path"]]).hexdigest()
    digest = json.loads(inside["datapackage-digest.json"])
    assert digest["hash"] == "sha256:" + hashlib.sha256(inside["datapackage.json"]).hexdigest()
    with zipfile.ZipFile(stored) as archive:
        assert archive.getinfo("archive/capture.warc.gz").compress_type == zipfile.ZIP_STORED
    assert_valid_bag(case.root)
    report = verify_case(case.root)
    assert report.ok, report.errors
    logged = [e for e in case.custody_entries() if e["action"] == "wacz-made"]
    assert logged[0]["details"]["files"][0]["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()


def test_the_index_is_the_one_pywb_makes_of_the_same_warc(case, site):
    result = captured(case, site, "/redirect")
    ours = members(wacz_of(case, result.item["id"]))["indexes/index.cdx"]
    warc = case.root / result.item["bag_path"] / "capture.warc.gz"

    made = subprocess.run(
        [str(BIN / "cdx-indexer"), "--cdxj", "--sort", str(warc)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )  # pywb's own indexer
    responses = [line for line in made.stdout.splitlines() if '"status"' in line]  # not the metadata
    ours_lines = ours.decode().splitlines()

    def key_and_place(line: str) -> tuple[str, str, str, str, str]:
        key, ts, fields = line.split(" ", 2)
        data = json.loads(fields)
        return key, ts, data["offset"], data["length"], data.get("status", "")

    assert [key_and_place(line) for line in ours_lines] == [key_and_place(line) for line in responses]
    assert len(ours_lines) == 2  # the redirect and the page


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/page",
        "https://www.Example.com/a/b/?z=1&a=2#frag",
        "https://example.com:443/x",
        "http://EXAMPLE.com/%7Efoo",
        "https://sub.example.co.uk/path/?b=2&a=1",
        "https://www.instagram.com/someaccount/",
    ],
)
def test_index_keys_are_pywbs(url):
    code = (
        "import sys, warnings; warnings.simplefilter('ignore')\n"  # pywb imports cgi
        "from pywb.utils.canonicalize import canonicalize; print(canonicalize(sys.argv[1]))"
    )
    pywb = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, timeout=60, check=True
    )
    assert wacz.surt_key(url) == pywb.stdout.strip()


def test_index_keys_are_made_without_the_network():
    """surt imports tldextract (a public-suffix library that can download its list) but never calls
    it for a key: with every connection refused, keys are still made."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('no network in this test')\n"
        "socket.socket.connect = refuse; socket.getaddrinfo = refuse; socket.create_connection = refuse\n"
        "from evidencekit.web import wacz\n"
        "print(wacz.surt_key('https://www.instagram.com/p/Cx1?igsh=abc'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "com,instagram)/p/cx1?igsh=abc"


# ---- verify: a WACZ in a case is untrusted input ----------------------------------------------------


def packed_case(case, site) -> Path:
    return wacz_of(case, captured(case, site).item["id"])


def replace_listed(case, path: Path, data: bytes) -> None:
    """Someone swaps the WACZ and re-lists it in the manifest, so the payload check alone is fooled."""
    path.write_bytes(data)
    manifest = case.root / "manifest-sha256.txt"
    relative = path.relative_to(case.root).as_posix()
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {relative}" if line.endswith(f"  {relative}") else line
        for line in manifest.read_text().splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n")


def rezipped(original: Path, change) -> bytes:
    """The WACZ's members, changed by `change(dict)`, zipped again."""
    import io

    contents = members(original)
    change(contents)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return out.getvalue()


def wacz_codes(case) -> list[str]:
    return [f.code for f in verify_case(case.root).errors if f.code.startswith("wacz-")]


def test_verify_says_a_good_wacz_is_sound(case, site):
    packed_case(case, site)
    report = verify_case(case.root)
    assert report.ok and "wacz-ok" in [f.code for f in report.findings]


def test_a_wacz_member_changed_after_packing_is_found(case, site):
    stored = packed_case(case, site)

    def edit_page_list(contents):
        contents["pages/pages.jsonl"] = contents["pages/pages.jsonl"].replace(b"Payment", b"Pavment")

    replace_listed(case, stored, rezipped(stored, edit_page_list))

    assert wacz_codes(case) == ["wacz-hash-mismatch"]
    assert wacz_validate(stored).returncode != 0  # the wacz package agrees


def test_a_wacz_whose_datapackage_was_rewritten_to_match_is_found_by_its_digest(case, site):
    stored = packed_case(case, site)

    def rewrite(contents):
        package = json.loads(contents["datapackage.json"])
        package["title"] = "something else"
        contents["datapackage.json"] = json.dumps(package).encode()

    replace_listed(case, stored, rezipped(stored, rewrite))

    assert wacz_codes(case) == ["wacz-hash-mismatch"]


def test_a_wacz_holding_another_warc_than_the_capture_is_found(case, site):
    stored = packed_case(case, site)
    other = case.root.parent / "other"
    from evidencekit.case.case import create_case

    elsewhere = create_case(other, title="Another", collector="Sam Helper", zone_name="Europe/London")
    add_url(elsewhere, site.url("/missing"), kind="content")
    forged = wacz_of(elsewhere, archive_url(elsewhere, "U0001", options=NO_BROWSER).item["id"])

    replace_listed(case, stored, forged.read_bytes())

    assert wacz_codes(case) == ["wacz-warc-differs"]


@pytest.mark.parametrize("name", ["../../outside.txt", "/etc/cron.d/x", "archive\\..\\x", "C:evil"])
def test_a_wacz_member_named_to_leave_its_folder_is_refused(case, site, name):
    stored = packed_case(case, site)

    def add_escape(contents):
        contents[name] = b"written outside the folder by a careless unzip"

    replace_listed(case, stored, rezipped(stored, add_escape))

    assert wacz_codes(case) == ["wacz-unsafe-member"]


def test_a_zip_bomb_posing_as_a_wacz_is_refused_without_expanding_it(case, site):
    import io
    import resource

    stored = packed_case(case, site)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", b"{}")
        with archive.open("archive/capture.warc.gz", "w") as member:
            block = bytes(1 << 20)
            for _ in range(200):  # 200 MB of zeros: about 200 KB deflated
                member.write(block)
    assert len(out.getvalue()) < 1_000_000
    replace_listed(case, stored, out.getvalue())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    assert wacz_codes(case) == ["wacz-zip-bomb"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB: nothing expanded


def test_a_cut_short_wacz_is_unreadable_not_a_crash(case, site):
    stored = packed_case(case, site)
    replace_listed(case, stored, stored.read_bytes()[:-300])

    assert wacz_codes(case) == ["wacz-unreadable"]


def test_a_wacz_whose_member_bytes_were_flipped_fails_its_crc(case, site):
    stored = packed_case(case, site)
    data = bytearray(stored.read_bytes())
    at = 300  # inside the first member, the stored WARC (its zip header is under 100 bytes)
    assert data.startswith(b"PK\x03\x04") and data[30:53] == b"archive/capture.warc.gz"
    data[at] ^= 0xFF
    replace_listed(case, stored, bytes(data))

    assert wacz_codes(case) == ["wacz-unreadable"]


# ---- the command ------------------------------------------------------------------------------------


def test_evidencekit_wacz_packs_captures_and_says_where(case, site, cli):
    result = captured(case, site)
    item_id = result.item["id"]

    first = cli("wacz", "--case", case.root)
    again = cli("wacz", item_id, "--again", "--json", "--case", case.root)

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    made = json.loads(again.stdout)["made"]
    assert [m["item"] for m in made] == [item_id]
    assert made[0]["path"] == f"data/derived/{item_id}/capture.wacz" and made[0]["pages"] == [
        site.url("/page")
    ]
    stored = case.root / made[0]["path"]
    assert made[0]["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert wacz_validate(stored).returncode == 0
    assert verify_case(case.root).ok
    quiet = cli("wacz", "--case", case.root)
    said = " ".join(quiet.stdout.split())
    assert quiet.exit_code == 0
    assert f"{item_id} (U0001): data/derived/{item_id}/capture.wacz, made before" in said
    assert site.url("/page") in said


def test_evidencekit_wacz_names_an_item_that_is_no_web_capture(case, evidence, cli):
    from evidencekit.intake.files import capture

    capture(case, [evidence / "chat.txt"])

    refused = cli("wacz", "E0001", "--case", case.root)

    assert refused.exit_code == 2
    assert "E0001 is not a web capture of this case" in " ".join(refused.output.split())


def test_a_sealed_case_gets_no_wacz_until_reopened(case, site, cli):
    from evidencekit.case.seal import seal_case

    captured(case, site)
    seal_case(case)

    refused = cli("wacz", "--case", case.root)

    assert refused.exit_code == 2 and "evidencekit reopen" in refused.output


def test_archiving_an_address_makes_its_wacz_at_once(case, site):
    add_url(case, site.url("/page"), kind="content")

    result = archive_url(case, "U0001", options=NO_BROWSER)

    stored = case.root / wacz_pack.wacz_path(result.item["id"])
    assert stored.is_file() and wacz_validate(stored).returncode == 0
    actions = [e["action"] for e in case.custody_entries()]
    assert actions[-3:] == ["item-captured", "url-archived", "wacz-made"]
    assert wacz_pack.make_waczs(case).already == [result.item["id"]]


def test_a_capture_whose_wacz_cannot_be_made_is_kept(case, site, monkeypatch):
    add_url(case, site.url("/page"), kind="content")

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wacz, "write_wacz", broken)  # the disk fills up while the WACZ is written
    result = archive_url(case, "U0001", options=NO_BROWSER)

    assert (case.root / result.item["bag_path"] / "capture.warc.gz").is_file()
    assert not (case.root / wacz_pack.wacz_path(result.item["id"])).exists()
    assert verify_case(case.root).ok
    monkeypatch.undo()
    assert [p.item_id for p in wacz_pack.make_waczs(case).made] == [result.item["id"]]
