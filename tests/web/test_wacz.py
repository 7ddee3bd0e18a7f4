"""A WACZ beside each web capture: the format the `wacz` package checks, made from the case's WARC.

Every WACZ made here is checked by the `wacz` package's own validator (`wacz validate -f`), run
as an examiner would; its index keys are compared with the keys pywb itself makes, and its index
with the index pywb itself makes of the same WARC.
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
from evidencekit.web.surt_key import surt_key
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


AWKWARD_ADDRESSES = [
    "http://127.0.0.1:8080/page",
    "https://www.Example.com/a/b/?z=1&a=2#frag",
    "https://example.com:443/x",
    "http://example.com:80/",
    "http://EXAMPLE.COM/PATH?Q=UPPER",
    "http://EXAMPLE.com/%7Efoo",
    "https://sub.example.co.uk/path/?b=2&a=1",
    "https://www.instagram.com/p/Cx1?igsh=abc",
    "https://www.tiktok.com/@user/video/7301234567890123456?is_from_webapp=1&sender_device=pc",
    "https://www.facebook.com/profile.php?id=1000123&sk=photos",
    "https://t.me/+AbCdEf",
    "https://user:pass@example.com/x",
    "http://example.com/a b",
    "http://example.com/%2F%2f",
    "http://example.com/%2525",
    "http://example.com/a/./b/../c",
    "http://example.com//double//slash",
    "http://example.com/x?",
    "http://www2.example.com/",
    "http://wwwexample.com/",
    "http://example.com/x?jsessionid=0123456789abcdef0123456789abcdef&b=1",
    "http://example.com/x;jsessionid=0123456789abcdef0123456789abcdef",
    "http://münchen.de/straße",
    "http://example.com/€",
    "http://3232235777/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://4294967296/",
    "http://example.com./",
    "http://a..b.com/",
    "http://example.com/x/..",
    "http://example.com/<tag>",
    "http://example.com/x?a&b",
    "http://example.com/x?&a=1",
]


def pywb_keys(urls: list[str]) -> list[str]:
    """pywb's own index keys for `urls` (its canonicalize, in a process of its own)."""
    code = (
        "import sys, json, warnings; warnings.simplefilter('ignore')\n"  # pywb imports cgi
        "from pywb.utils.canonicalize import canonicalize\n"
        "print(json.dumps([canonicalize(u) for u in json.load(sys.stdin)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(urls), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_index_keys_are_spelled_as_pywb_spells_them():
    ours = [surt_key(url) for url in AWKWARD_ADDRESSES]
    assert ours == pywb_keys(AWKWARD_ADDRESSES)


def test_index_keys_of_random_addresses_are_pywbs_too():
    import random

    chance = random.Random(19)
    hosts = [
        "Example.com",
        "www.example.org",
        "WWW3.sub.example.co.uk",
        "127.0.0.1",
        "10.0.0.01",
        "bücher.de",
        "a.b",
    ]
    pieces = [
        "a",
        "B",
        "%41",
        "%2f",
        "%25",
        "%7E",
        "~",
        " ",
        "é",
        "€",
        ".",
        "..",
        "",
        "x;y",
        "(",
        ")",
        "'",
        "+",
    ]
    pieces += [
        "%00",
        "%",
        "%zz",
        "#",
        "?",
        "&",
        "=",
        "%3F",
        "%26",
        "%3D",
        "%2E%2E",
        "%C3%A9",
        "%e2%82",
        "@",
        ":",
    ]
    pieces += ["jsessionid=0123456789abcdef0123456789abcdef", "\t"]
    urls = []
    for _ in range(3000):
        scheme = chance.choice(["http", "https", "HTTP"])
        port = chance.choice(["", "", ":80", ":443", ":8080"])
        path = "/".join(chance.choice(pieces) for _ in range(chance.randint(0, 5)))
        query = "&".join(
            f"{chance.choice(pieces)}={chance.choice(pieces)}" for _ in range(chance.randint(0, 3))
        )
        url = f"{scheme}://{chance.choice(hosts)}{port}/{path}"
        if chance.random() < 0.6:
            url += "?" + query
        if chance.random() < 0.2:
            url += "#" + chance.choice(pieces)
        urls.append(url)
    theirs = pywb_keys(urls)
    different = [(url, key) for url, key in zip(urls, theirs, strict=True) if surt_key(url) != key]
    assert different == []


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


def test_again_without_naming_a_capture_is_refused(case, cli):
    refused = cli("wacz", "--again", "--case", case.root)

    assert refused.exit_code == 2 and "evidencekit wacz E0002 --again" in " ".join(refused.output.split())


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
    assert result.wacz is None  # and the capture says why, for the command to tell the person
    assert result.wacz_problem == "the WACZ could not be written (No space left on device)"
    assert verify_case(case.root).ok
    failed = wacz_pack.make_waczs(case).failed
    assert [(f.item_id, f.problem) for f in failed] == [
        (result.item["id"], "the WACZ could not be written (No space left on device)")
    ]
    monkeypatch.undo()
    assert [p.item_id for p in wacz_pack.make_waczs(case).made] == [result.item["id"]]


def test_an_incomplete_capture_gets_a_wacz_that_says_so(case, site):
    add_url(case, site.url("/loop"), kind="content")  # redirects to itself for ever

    result = archive_url(case, "U0001", options=NO_BROWSER)

    assert result.item["web_capture"]["incomplete"] is True
    stored = case.root / wacz_pack.wacz_path(result.item["id"])
    assert wacz_validate(stored).returncode == 0
    package = json.loads(members(stored)["datapackage.json"])
    assert "The capture is incomplete" in package["description"]
    index = members(stored)["indexes/index.cdx"].decode().splitlines()
    assert len(index) >= 2 and all('"status": "302"' in line for line in index)  # each hop, replayable


def test_a_zip_whose_entries_overlap_is_refused_before_it_is_read(case, site):
    """Thousands of entries over the same deflated bytes: each alone looks fine, together they expand
    without end (the "better zip bomb"). Made by hand: zipfile itself never writes such a zip."""
    import struct
    import zlib

    stored = packed_case(case, site)
    data = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = data.compress(b"\0" * (900 << 10)) + data.flush()  # 900 KB of zeros: ratio ~1000, but under 1 MB
    crc = zlib.crc32(b"\0" * (900 << 10))
    name = b"archive/capture.warc.gz"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), 900 << 10, len(name), 0)
    body = local + name + raw
    entry = struct.Struct("<IHHHHHHIIIHHHHHII")  # a central directory entry, all at offset 0
    entries = []
    for n in range(3000):
        member = f"archive/part-{n}.warc".encode()
        fields = (0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), 900 << 10, len(member), 0, 0, 0, 0, 0, 0)
        entries.append(entry.pack(*fields) + member)
    directory = b"".join(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    replace_listed(case, stored, body + directory + end)

    assert wacz_codes(case) == ["wacz-zip-bomb"]


def test_a_warc_changed_since_capture_gets_no_wacz_and_the_command_says_why(case, site, cli):
    result = captured(case, site)
    warc = case.root / result.item["bag_path"] / "capture.warc.gz"
    damaged = bytearray(warc.read_bytes())
    damaged[-100] ^= 0xFF
    warc.write_bytes(bytes(damaged))

    again = cli("wacz", result.item["id"], "--again", "--case", case.root)

    assert again.exit_code == 1
    said = " ".join(again.output.split())
    assert f"{result.item['id']}: no WACZ was made" in said and "no longer matches its SHA-256" in said
    made_at_capture = case.root / wacz_pack.wacz_path(result.item["id"])
    assert wacz_validate(made_at_capture).returncode == 0  # the one made at capture is kept as it was


def test_a_revisit_is_indexed_as_pywb_indexes_it_and_a_post_is_left_out(tmp_path):
    """A WARC as a browser session writes one: a page, the same page again with the same bytes
    (a revisit record), and an API call made with POST."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "capture.warc.gz"
    body = b"<html><body>the same bytes twice</body></html>"
    with open(warc, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        first = writer.create_warc_record(
            "https://example.com/post",
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
        )
        writer.write_record(first)
        digest = first.rec_headers.get_header("WARC-Payload-Digest")
        writer.write_record(
            writer.create_revisit_record(
                "https://example.com/post",
                digest,
                "https://example.com/post",
                first.rec_headers.get_header("WARC-Date"),
                http_headers=http,
            )
        )
        api = writer.create_warc_record(
            "https://example.com/api/like",
            "response",
            payload=io.BytesIO(b'{"ok": true}'),
            length=12,
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "application/json")], protocol="HTTP/1.1"
            ),
        )
        request = writer.create_warc_record(
            "https://example.com/api/like",
            "request",
            payload=io.BytesIO(b"id=1"),
            length=4,
            http_headers=StatusAndHeaders(
                "POST /api/like HTTP/1.1", [("Host", "example.com")], is_http_request=True
            ),
        )
        request.rec_headers.add_header("WARC-Concurrent-To", api.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(api)
        writer.write_record(request)

    with open(warc, "rb") as stream:
        index = wacz.index_warc(stream)

    assert index.not_get == 1  # the POST's answer: replayed by address it would answer every GET
    made = subprocess.run(
        [str(BIN / "cdx-indexer"), "--cdxj", "--sort", str(warc)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = [line for line in made.stdout.splitlines() if "/api/" not in line]
    ours = [line.cdxj("capture.warc.gz") for line in index.lines]

    def fields(line: str) -> tuple[str, str, str, str, str, str]:
        key, ts, data = line.split(" ", 2)
        values = json.loads(data)
        digest = values.get("digest", "").removeprefix("sha1:")  # pywb drops the prefix py-wacz keeps
        return key, ts, values["offset"], values["length"], values.get("mime", ""), digest

    assert [fields(line) for line in ours] == [fields(line) for line in theirs]
    assert [json.loads(line.split(" ", 2)[2])["mime"] for line in ours] == ["text/html", "warc/revisit"]
