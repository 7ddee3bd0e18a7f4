"""Android SMS Backup & Restore: texts, picture messages with inline media, calls, broken emoji."""

from __future__ import annotations

import base64
import hashlib
import json

from evidencekit.case.case import create_case
from evidencekit.intake.files import capture
from evidencekit.verify import verify_case
from tests.exports import samples


def test_texts_and_picture_messages_in_time_order_with_their_pictures_hashed(read, tmp_path):
    r = read(samples.sms_backup(tmp_path))

    assert r.parser == "sms" and r.detection.variant == "sms"
    # Grouped by conversation (in the order they first appear), then in time order.
    assert [(m["conversation"], m["text"]) for m in r.messages] == [
        ("Riley +15550100", "who is this"),
        ("Riley +15550100", "you there? 😀"),  # an emoji written as two surrogate halves, merged
        ("Riley +15550100", "look at this"),
        ("+15550199", "unrelated \ufffd half"),  # a lone half cannot be a character
    ]
    riley = r.messages[:3]
    s = r.outcome.summary
    assert (s["messages"], s["senders"]) == (4, ["Riley", "(this phone)", "+15550199"])
    assert (s["first_time"], s["last_time"]) == ("2024-03-14T21:00:00+00:00", "2024-03-14T21:08:40+00:00")
    assert s["attachments"] == {"referenced": 2, "in_export": 1, "missing": 1, "embedded_media": 1}
    assert [m["sender"] for m in riley] == ["(this phone)", "Riley", "Riley"]
    assert riley[1]["time"] == "2024-03-14T21:07:41+00:00"
    assert riley[1]["time_as_written"] == "Mar 14, 2024 9:07:41 PM"
    assert riley[1]["source"] == {"file": "sms-20240320100000.xml", "line": 4}
    mms = riley[2]
    assert mms["text"] == "look at this" and mms["sender_id"] == "+15550100"
    picture, video = mms["attachments"]
    assert picture["missing"] is False and picture["sha256"] == hashlib.sha256(samples.JPEG).hexdigest()
    assert picture["md5"] == hashlib.md5(samples.JPEG).hexdigest()
    # Read without a case, nothing says a copy is allowed: it is hashed only (capture saves it).
    assert picture["embedded"] is True and picture["path"] is None and picture["not_saved"]
    assert not any(p.is_file() and p.read_bytes() == samples.JPEG for p in r.folder.rglob("*"))
    assert video["missing"] is True
    assert any("invalid halves" in w for w in r.header["warnings"])


def test_a_call_log(read, tmp_path):
    r = read(samples.calls_backup(tmp_path))

    assert r.detection.variant == "calls"
    assert [m["text"] for m in r.messages] == ["Incoming call, 65 seconds", "Missed call"]
    assert all(m["kind"] == "system" for m in r.messages)


def test_invalid_xml_keeps_what_came_before_the_fault(read, tmp_path):
    path = samples.sms_backup(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('address="+15550199"', "<<broken"), encoding="utf-8")

    r = read(path)

    assert r.outcome.status == "partial" and len(r.messages) == 2
    assert "damaged" in r.outcome.problem or "not well-formed" in r.outcome.problem


def test_a_backup_cut_off_in_the_middle(read, tmp_path):
    path = samples.sms_backup(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"<mms") + 20])

    r = read(path)

    assert r.outcome.status == "partial" and len(r.messages) == 3


def _backup_with_parts(tmp_path, *datas):
    parts = "".join(
        f'<part seq="{n}" ct="image/jpeg" name="p{n}.jpg" cl="p{n}.jpg" data="{data}" />'
        for n, data in enumerate(datas, start=1)
    )
    path = tmp_path / "sms-20240320100000.xml"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<smses count="1" backup_set="x" backup_date="1710928800000" type="full">\n'
        '  <mms date="1710450520000" msg_box="1" address="+15550100" contact_name="Riley">'
        f"<parts>{parts}</parts>"
        '<addrs><addr address="+15550100" type="137" charset="106" /></addrs></mms>\n</smses>\n',
        encoding="utf-8",
    )
    return path


def test_a_picture_part_with_garbage_instead_of_base64_is_not_a_picture_of_nothing(read, tmp_path):
    # A backup app interrupted mid-write, or a hand-edited file: the data is not base64 at all.
    wrapped = "\n".join(base64.b64encode(samples.JPEG).decode("ascii")[i : i + 76] for i in range(0, 140, 76))
    path = _backup_with_parts(
        tmp_path, "%%%", "!!!", wrapped + "\n" + base64.b64encode(samples.JPEG).decode()[152:]
    )

    r = read(path)

    first, second, good = r.messages[0]["attachments"]
    for bad in (first, second):
        assert bad["missing"] is True and bad["sha256"] is None and "size" not in bad
        assert "not base64" in bad["details"]["problem"]
    assert hashlib.sha256(b"").hexdigest() not in json.dumps(r.messages)
    assert good["sha256"] == hashlib.sha256(samples.JPEG).hexdigest(), "line breaks inside base64 are fine"
    [warning] = [w for w in r.header["warnings"] if "not base64" in w]
    assert warning.startswith("2 picture-message part(s) hold damaged data")
    assert "line 3 of “sms-20240320100000.xml”" in warning


def test_a_case_marked_under_18_keeps_only_the_fingerprint_of_a_picture(tmp_path):
    case = create_case(tmp_path / "case", flags={"under_18": True})

    [item] = capture(case, [samples.sms_backup(tmp_path / "in")], not_intimate=True).added

    picture = _picture(case)
    assert picture["path"] is None and "under 18" in picture["not_saved"]
    assert picture["sha256"] == hashlib.sha256(samples.JPEG).hexdigest()
    assert not (case.root / "data/derived/E0001/attachments").exists()
    assert all("attachments/" not in path for path in item["export"]["derived_files"])
    assert verify_case(case.root).ok


def test_a_picture_the_case_holds_as_sensitive_is_never_saved_again(case, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(samples.JPEG)
    capture(case, [photo], sensitive=True)  # recorded by reference: hashes only

    capture(case, [samples.sms_backup(tmp_path / "in")])

    picture = _picture(case, "E0002")
    assert picture["path"] is None and "E0001" in picture["not_saved"]
    assert not any(p.read_bytes() == samples.JPEG for p in (case.root / "data").rglob("*") if p.is_file())
    assert verify_case(case.root).ok


def _picture(case, item_id="E0001"):
    lines = (case.root / f"data/derived/{item_id}/transcript.jsonl").read_text(encoding="utf-8").splitlines()
    return next(a for line in lines[1:] for a in json.loads(line)["attachments"] if not a["missing"])
