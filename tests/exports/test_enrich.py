"""Capturing chat exports into a real case: the item, its facts, its transcript, and a case that
still verifies with bagit.py and sha256sum — including when the export is damaged or hostile."""

from __future__ import annotations

import hashlib
import json
import zipfile

from evidencekit.case.summary import case_summary
from evidencekit.exports import service
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag
from tests.exports import samples


def jsonl(case, item_id):
    lines = (case.root / f"data/derived/{item_id}/transcript.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def test_a_whatsapp_zip_is_one_item_hashed_whole_and_member_by_member_with_a_transcript(case, tmp_path):
    path = samples.whatsapp_android_zip(tmp_path / "in")
    original = path.read_bytes()

    result = capture(case, [path])

    assert path.read_bytes() == original
    [item] = result.added
    assert item["kind"] == "chat-export"
    assert item["sha256"] == hashlib.sha256(original).hexdigest()
    members = {m["name"]: m for m in item["archive"]["members"]}
    photo_sha = hashlib.sha256(samples.JPEG).hexdigest()
    assert members["IMG-20240314-WA0007.jpg"]["sha256"] == photo_sha
    assert item["archive"]["member_count"] == 3
    export = item["export"]
    assert export["format"] == "whatsapp" and export["status"] == "complete"
    assert export["messages"] == 8 and export["senders"] == ["Riley", "Sam"]
    assert export["transcript"] == "data/derived/E0001/transcript.jsonl"
    assert export["unreferenced_media"] == ["VID-20240314-WA0002.mp4"]
    header, messages = jsonl(case, "E0001")
    assert header["item"] == "E0001" and header["item_sha256"] == item["sha256"]
    assert header["parser"] == "whatsapp" and header["parser_version"]
    attachment = next(a for m in messages for a in m["attachments"])
    assert attachment["sha256"] == photo_sha and attachment["path"] is None
    assert attachment["member"] == "IMG-20240314-WA0007.jpg"
    manifest = (case.root / "manifest-sha256.txt").read_text(encoding="utf-8")
    for name in ("transcript.jsonl", "transcript.csv", "transcript.html"):
        derived = case.root / "data/derived/E0001" / name
        assert f"{hashlib.sha256(derived.read_bytes()).hexdigest()}  data/derived/E0001/{name}" in manifest
        assert (
            export["derived_files"][f"data/derived/E0001/{name}"]
            == hashlib.sha256(derived.read_bytes()).hexdigest()
        )
    assert any("not mentioned by any message" in w for w in result.warnings)
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_a_captured_folder_links_attachments_to_their_stored_files(case, tmp_path):
    samples.instagram_thread(tmp_path / "instagram-sam")

    [item] = capture(case, [tmp_path / "instagram-sam"]).added

    assert item["kind"] == "chat-export" and item["export"]["format"] == "meta"
    _, messages = jsonl(case, "E0001")
    photo = next(a for m in messages for a in m["attachments"] if a["type"] == "photo")
    assert photo["path"].startswith("data/items/E0001-instagram-sam/your_instagram_activity/")
    assert (case.root / photo["path"]).read_bytes() == samples.JPEG
    assert photo["sha256"] == hashlib.sha256(samples.JPEG).hexdigest()
    assert verify_case(case.root).ok


def test_sms_pictures_are_saved_as_derived_files_of_the_backup(case, tmp_path):
    [item] = capture(case, [samples.sms_backup(tmp_path / "in")]).added

    _, messages = jsonl(case, "E0001")
    picture = next(a for m in messages for a in m["attachments"] if not a["missing"])
    assert picture["embedded"] is True
    assert picture["path"] == "data/derived/E0001/attachments/00001-a.jpg"
    assert picture["sha256"] == hashlib.sha256(samples.JPEG).hexdigest()
    assert (case.root / picture["path"]).read_bytes() == samples.JPEG
    assert item["export"]["attachments"]["embedded_media"] == 1
    assert picture["path"] in item["export"]["derived_files"]
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_in_an_under_18_case_a_backup_with_pictures_needs_an_answer_and_nothing_is_kept(tmp_path):
    import pytest

    from evidencekit.case.case import create_case
    from evidencekit.intake.safeguard import UnderEighteenMediaError

    case = create_case(tmp_path / "case", flags={"under_18": True})
    backup = samples.sms_backup(tmp_path / "in")
    with pytest.raises(UnderEighteenMediaError, match="under 18"):
        capture(case, [backup])
    assert case.items() == [] and list((case.root / "data/items").iterdir()) == []
    assert verify_case(case.root).ok

    [item] = capture(case, [backup], not_intimate=True).added
    assert item["not_intimate_confirmed"] is True and item["kind"] == "chat-export"


def test_a_truncated_export_is_kept_with_a_warning_and_a_partial_transcript(case, tmp_path):
    root = samples.telegram_chat(tmp_path / "in")
    data = (root / "result.json").read_bytes()
    (root / "result.json").write_bytes(data[: len(data) // 2])

    result = capture(case, [root / "result.json"])

    [item] = result.added
    assert item["kind"] == "chat-export" and item["export"]["status"] == "partial"
    assert (case.root / item["bag_path"]).read_bytes() == data[: len(data) // 2]
    assert any("incomplete" in w and "cut off" in w for w in result.warnings)
    header, _ = jsonl(case, "E0001")
    assert header["complete"] is False
    assert verify_case(case.root).ok


def test_an_export_with_nothing_readable_is_kept_without_a_transcript(case, tmp_path):
    path = tmp_path / "in" / "result.json"
    path.parent.mkdir()
    path.write_text(
        '{"name": "Riley", "type": "personal_chat", "messages": [{"id": 1, "type": "mess', "utf-8"
    )

    result = capture(case, [path])

    [item] = result.added
    assert item["export"]["status"] == "unreadable" and item["export"]["transcript"] is None
    assert not (case.root / "data/derived/E0001").exists()
    assert any("no messages could be read" in w for w in result.warnings)
    assert verify_case(case.root).ok


def test_invalid_xml_and_wrong_encoding_are_kept_with_warnings(case, tmp_path):
    xml = samples.sms_backup(tmp_path / "a")
    xml.write_text(xml.read_text(encoding="utf-8").replace("<mms ", "<mms <"), encoding="utf-8")
    latin = tmp_path / "b" / "WhatsApp Chat with Rémy.txt"
    latin.parent.mkdir()
    latin.write_bytes("14/03/2024, 21:07 - Rémy: café\n".encode("cp1252"))

    result = capture(case, [xml, latin])

    assert [i["export"]["status"] for i in result.added] == ["partial", "complete"]
    assert any("not valid UTF-8" in w for w in result.warnings)
    assert_valid_bag(case.root)


def test_a_zip_bomb_is_kept_untouched_but_not_opened(case, tmp_path):
    path = tmp_path / "in" / "WhatsApp Chat with Riley.zip"
    path.parent.mkdir()
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("_chat.txt", "w") as out,
    ):
        for _ in range(160):
            out.write(b"\0" * (1 << 20))

    result = capture(case, [path])

    [item] = result.added
    assert item["export"]["status"] == "refused" and "zip bomb" in item["export"]["problem"]
    assert (case.root / item["bag_path"]).read_bytes() == path.read_bytes()
    assert any("zip bomb" in w for w in result.warnings)
    assert verify_case(case.root).ok


def test_a_zip_slip_name_is_recorded_and_nothing_lands_outside(case, tmp_path):
    path = tmp_path / "in" / "WhatsApp Chat with Riley.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)
        zf.writestr("../../../../tmp/evil.sh", "echo pwned\n")

    result = capture(case, [path])

    [item] = result.added
    assert item["export"]["status"] == "complete"
    evil = next(m for m in item["archive"]["members"] if m["name"].endswith("evil.sh"))
    assert "climbs out" in evil["unsafe_name"]
    assert any("set aside" in w for w in result.warnings)
    assert not (case.root.parent / "evil.sh").exists()
    assert sorted(p.name for p in (case.root / "data/derived/E0001").iterdir()) == [
        "transcript.csv",
        "transcript.html",
        "transcript.jsonl",
    ]
    assert verify_case(case.root).ok


def test_something_named_like_an_export_but_not_one_gets_a_note(case, tmp_path):
    path = tmp_path / "WhatsApp Chat with Riley.txt"
    path.write_text("this is not a chat at all\n", encoding="utf-8")
    screenshot = tmp_path / "notes.txt"
    screenshot.write_text("just notes\n", encoding="utf-8")

    result = capture(case, [path, screenshot])

    chat, notes = result.added
    assert chat["kind"] == "document" and chat["export"]["status"] == "not-recognised"
    assert "export" not in notes
    assert len([w for w in result.warnings if "did not recognise" in w]) == 1


def test_ambiguous_dates_are_asked_for_then_the_transcript_is_made_and_logged(case, tmp_path):
    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.AMBIGUOUS)

    result = capture(case, [path])

    [item] = result.added
    assert item["kind"] == "chat-export" and item["export"]["status"] == "needs-date-order"
    assert any("--date-order dmy" in w for w in result.warnings)
    assert not (case.root / "data/derived/E0001").exists()

    export, _warnings = service.rebuild(case, "E1", {"date_order": "dmy"})

    assert export["status"] == "complete" and export["date_order"] == "dmy"
    _, messages = jsonl(case, "E0001")
    assert messages[0]["time"] == "2024-02-01T21:07:00+00:00"
    entry = case.custody_entries()[-1]
    assert entry["action"] == "transcript-made" and entry["details"]["item"] == "E0001"
    assert entry["details"]["options"] == {"date_order": "dmy"}
    summary = case_summary(case)
    assert summary["exports"][0]["messages"] == 3 and summary["exports"][0]["transcript"]
    assert case.items()[0]["export"]["status"] == "needs-date-order", "the item record is never edited"
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_remaking_a_transcript_replaces_only_derived_files(case, tmp_path):
    capture(case, [samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)])
    stored = (case.root / "data/items/E0001-WhatsApp Chat with Riley.txt").read_bytes()

    service.rebuild(case, "E0001", {"export_timezone": "Asia/Tokyo"})

    _, messages = jsonl(case, "E0001")
    assert messages[1]["time"] == "2024-03-14T21:07:00+09:00"
    assert (case.root / "data/items/E0001-WhatsApp Chat with Riley.txt").read_bytes() == stored
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_a_sensitive_export_is_recognised_but_never_copied_or_transcribed(case, tmp_path):
    path = samples.whatsapp_android_zip(tmp_path / "in")

    [item] = capture(case, [path], sensitive=True).added

    assert item["kind"] == "chat-export" and item["by_reference"] is True
    assert item["export"]["status"] == "not-transcribed"
    assert item["archive"]["members"]  # hashes prove what was in it
    assert not (case.root / "data/derived").exists() or not any((case.root / "data/derived").iterdir())
    assert verify_case(case.root).ok


def test_a_bad_date_order_option_stops_the_capture_before_anything_is_saved(case, tmp_path):
    import pytest

    from evidencekit.errors import InvalidValueError

    path = samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)
    with pytest.raises(InvalidValueError, match="date order"):
        capture(case, [path], enricher_options={"date_order": "dd/mm"})
    assert case.items() == []


def test_verify_notices_a_transcript_swapped_with_its_manifest_line(case, tmp_path):
    capture(case, [samples.write(tmp_path / "WhatsApp Chat with Riley.txt", samples.ANDROID_DMY)])
    derived = case.root / "data/derived/E0001/transcript.jsonl"
    forged = derived.read_bytes().replace(b"you there?", b"I agree!!!")
    derived.write_bytes(forged)
    manifest = case.root / "manifest-sha256.txt"
    old = hashlib.sha256(derived.read_bytes().replace(b"I agree!!!", b"you there?")).hexdigest()
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(old, hashlib.sha256(forged).hexdigest()),
        encoding="utf-8",
    )

    codes = {(f.code, f.path) for f in verify_case(case.root).errors}

    assert ("transcript-hash-mismatch", "data/derived/E0001/transcript.jsonl") in codes


def test_a_program_log_with_dated_lines_is_not_taken_for_a_chat(case, tmp_path):
    log = tmp_path / "server.log.txt"
    log.write_text("".join(f"2024-03-14 21:{i:02d}:00 - INFO: request {i} served\n" for i in range(30)))
    plain_chat = samples.write(tmp_path / "chat with riley.txt", samples.ANDROID_DMY)

    logged, chat = capture(case, [log, plain_chat]).added

    assert logged["kind"] == "document" and "export" not in logged
    assert chat["kind"] == "chat-export"  # recognised by its content alone


def test_the_html_version_of_an_export_gets_a_hint_to_export_json(case, tmp_path):
    thread = tmp_path / "instagram-sam" / "your_instagram_activity" / "messages" / "inbox" / "remy_1"
    thread.mkdir(parents=True)
    (thread / "message_1.html").write_text("<html><body>chat</body></html>", encoding="utf-8")

    result = capture(case, [tmp_path / "instagram-sam"])

    assert result.added[0]["export"]["status"] == "not-recognised"
    assert any("HTML version" in w and "JSON" in w for w in result.warnings)


def test_a_bug_in_a_parser_still_keeps_the_export_and_says_it_is_our_fault(case, tmp_path, monkeypatch):
    # Preserving the evidence matters more than its transcript: a parser failing in a way nobody
    # foresaw (injected here) must not cost the victim the capture of the export itself.
    from evidencekit.exports.whatsapp import WhatsAppParser

    real_parse = WhatsAppParser.parse

    def parse_then_fail(self, source, detection, context):
        messages = real_parse(self, source, detection, context)
        yield next(messages)
        yield next(messages)
        raise IndexError("list index out of range")

    monkeypatch.setattr(WhatsAppParser, "parse", parse_then_fail)
    path = samples.whatsapp_android_zip(tmp_path / "in")

    result = capture(case, [path])

    [item] = result.added
    assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert item["export"]["status"] == "partial"
    assert item["export"]["messages"] + item["export"]["system_messages"] == 2
    said = " ".join(result.warnings)
    assert "a bug in evidencekit stopped the transcript (IndexError" in said
    assert "please report this" in said and "Try exporting the chat again" not in said
    assert verify_case(case.root).ok
    assert_valid_bag(case.root)


def test_transcripts_are_private_files_whatever_the_umask(case, tmp_path):
    import os
    import stat

    root = samples.telegram_chat(tmp_path / "in")
    old = os.umask(0)
    try:
        [item] = capture(case, [root / "result.json"]).added
    finally:
        os.umask(old)

    derived = sorted((case.root / "data/derived").rglob("*"))
    files = [p for p in derived if p.is_file()]
    assert {p.name for p in files} >= {"transcript.jsonl", "transcript.csv", "transcript.html"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((case.root / item["bag_path"]).stat().st_mode) == 0o600


def test_an_enricher_that_cannot_run_is_a_warning_and_the_item_is_kept(case, tmp_path, monkeypatch):
    import sys

    backup = samples.sms_backup(tmp_path / "in")
    monkeypatch.setitem(sys.modules, "evidencekit.exports.sms", None)  # as if the module were missing

    result = capture(case, [backup])

    [item] = result.added
    assert item["bag_path"] and not item["by_reference"]
    assert any("could not look at it" in w and "missing" in w for w in result.warnings)
    assert verify_case(case.root).ok


def test_in_an_under_18_case_the_picture_guard_fails_closed(tmp_path, monkeypatch):
    import sys

    from evidencekit.case.case import create_case

    case = create_case(tmp_path / "case", flags={"under_18": True})
    backup = samples.sms_backup(tmp_path / "in")  # holds an MMS picture
    monkeypatch.setitem(sys.modules, "evidencekit.exports.sms", None)  # the guard cannot look inside

    result = capture(case, [backup])

    [item] = result.added
    assert item["by_reference"] is True and item["sensitive"] is True and item["bag_path"] is None
    assert "under 18" in item["by_reference_reason"]
    assert any("not copied" in w for w in result.warnings)
    assert list((case.root / "data/items").iterdir()) == []
    assert verify_case(case.root).ok
