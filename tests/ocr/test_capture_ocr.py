"""A victim captures their screenshots; the text in them is read at once, kept beside each picture
and hashed into the case like every derived file. Pictures that must never be opened are not:
sensitive items, and in a case marked under 18 every picture not confirmed to show no nudity.
Without Tesseract, capture still works and says once how to add it; `evidencekit ocr` reads the
pictures later. Bad pictures cost a sentence, never a crash."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

from evidencekit.case.case import Case, create_case
from evidencekit.case.flags import set_under_18
from evidencekit.intake.files import capture
from tests.conftest import assert_valid_bag


def derived(case_root: Path, item_id: str) -> list[str]:
    folder = case_root / "data" / "derived" / item_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def items(case_root: Path) -> dict[str, dict]:
    lines = (case_root / "evidencekit" / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def manifest(case_root: Path) -> dict[str, str]:
    out = {}
    for line in (case_root / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
        digest, path = line.split("  ", 1)
        out[path] = digest
    return out


def test_a_captured_chat_screenshot_is_read_and_its_messages_kept_beside_it(case: Case, shots, cli):
    result = capture(case, [shots["whatsapp-light"]])

    root = case.root
    assert result.warnings == []
    assert derived(root, "E0001") == [
        "ocr.json",
        "ocr.tsv",
        "transcript.csv",
        "transcript.html",
        "transcript.jsonl",
    ]
    listed = manifest(root)
    assert all(f"data/derived/E0001/{name}" in listed for name in derived(root, "E0001"))
    record = items(root)["E0001"]["ocr"]
    assert record["status"] == "read"
    assert record["chat"]["conversation"] == "Jake Miller"
    assert (record["chat"]["sent"], record["chat"]["received"]) == (2, 4)

    document = json.loads((root / "data/derived/E0001/ocr.json").read_text(encoding="utf-8"))
    assert document["engine"]["name"] == "tesseract" and document["engine"]["languages"] == ["eng"]
    assert document["preprocessing"] and "mistakes" in document["note"]
    assert "Send 500 dollars by Friday" in document["text"]
    tsv = (root / "data/derived/E0001/ocr.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].split("\t") == [
        "region", "kind", "side", "line", "left", "top", "width", "height", "confidence", "text"
    ]  # fmt: skip
    assert any(row.endswith("\tFriday") for row in tsv)

    rows = (root / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8").splitlines()
    header, messages = json.loads(rows[0]), [json.loads(r) for r in rows[1:]]
    assert header["format"] == "evidencekit-transcript/1" and header["read_by"] == "ocr"
    said = [m for m in messages if m["kind"] == "message"]
    assert [m["sender"] for m in said][:3] == ["Jake Miller", "Jake Miller", "(this phone)"]
    assert said[0]["time_as_written"] == "21:14" and said[0]["time"] is None
    for m in messages:
        assert m["source"]["read_by"] == "ocr"
        assert m["source"]["file"] == "data/items/E0001-whatsapp-light.png"
        assert set(m["source"]["box"]) == {"left", "top", "width", "height"}
        assert 0 <= m["source"]["confidence"] <= 100

    assert cli("verify", root).exit_code == 0
    assert_valid_bag(root)
    shown = cli("ocr", "E0001", "--show", "--case", root)
    assert shown.exit_code == 0, shown.output
    assert "← Jake Miller [21:14]: Hey are you there" in shown.stdout
    assert "→ (this phone) [21:16]: Please delete them" in shown.stdout


def test_a_sensitive_picture_is_never_opened(case: Case, shots):
    capture(case, [shots["imessage-light"]], sensitive=True)

    assert derived(case.root, "E0001") == []
    assert "ocr" not in items(case.root)["E0001"] or items(case.root)["E0001"]["ocr"]["status"] == "not-read"


def test_in_an_under_18_case_only_pictures_confirmed_without_nudity_are_read(tmp_path: Path, shots, cli):
    made = create_case(tmp_path / "case", title="t", collector="Sam", zone_name="Europe/London")
    no_ocr = {"EVIDENCEKIT_TESSDATA": str(tmp_path / "empty")}
    (tmp_path / "empty").mkdir()
    first = cli("capture", shots["imessage-light"], "--case", made.root, env=no_ocr)
    assert first.exit_code == 0, first.output
    set_under_18(Case(made.root), "yes")  # the safeguard switched on after the capture
    confirmed = cli("capture", shots["telegram-dark"], "--not-intimate", "--case", made.root)
    assert confirmed.exit_code == 0, confirmed.output

    result = cli("ocr", "--case", made.root)

    assert result.exit_code == 0, result.output
    assert "E0001 was not opened: this case is marked: someone shown may be under 18" in result.output
    assert derived(made.root, "E0001") == []
    assert "ocr.json" in derived(made.root, "E0002")  # read at capture, with the confirmation
    assert cli("verify", made.root).exit_code == 0


def test_without_tesseract_capture_works_says_once_how_to_add_it_and_ocr_reads_later(
    tmp_path: Path, case: Case, shots, cli
):
    empty = tmp_path / "no-tessdata"
    empty.mkdir()
    result = cli(
        "capture", shots["whatsapp-light"], shots["discord-dark"], "--case", case.root,
        env={"EVIDENCEKIT_TESSDATA": str(empty)},
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output.count("text in screenshots was not read") == 1
    assert "tesseract-ocr-eng" in result.output
    assert derived(case.root, "E0001") == derived(case.root, "E0002") == []
    assert items(case.root)["E0001"]["ocr"]["status"] == "not-available"
    refused = cli("ocr", "--case", case.root, env={"EVIDENCEKIT_TESSDATA": str(empty)})
    assert refused.exit_code == 2 and "cannot be read here" in refused.output
    assert "Traceback" not in refused.output

    later = cli("ocr", "--case", case.root)

    assert later.exit_code == 0, later.output
    assert "E0001: read a chat with Jake Miller" in later.output
    assert "E0002: read a chat with ghostrider_99" in later.output
    assert "ocr.json" in derived(case.root, "E0002")
    log = (case.root / "evidencekit" / "custody.jsonl").read_text(encoding="utf-8")
    assert log.count('"action":"ocr-made"') == 2
    again = cli("ocr", "--case", case.root)
    assert "2 picture(s) were read before" in again.output
    redo = cli("ocr", "E2", "--again", "--case", case.root)
    assert redo.exit_code == 0 and "E0002: read" in redo.output
    assert cli("verify", case.root).exit_code == 0
    assert_valid_bag(case.root)


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_bad_pictures_get_a_sentence_and_no_ocr_never_a_crash(tmp_path: Path, case: Case, shots, cli):
    from PIL import Image

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "bomb.png").write_bytes(_png(60_000, 60_000, zlib.compress(b"\0" * 100_000)))
    whole = shots["messenger-light"].read_bytes()
    (folder / "cut.png").write_bytes(whole[: len(whole) // 3])
    frames = [Image.new("RGB", (200, 100), colour) for colour in ("white", "black")]
    frames[0].save(folder / "moving.gif", save_all=True, append_images=frames[1:], duration=200, loop=0)
    (folder / "phone.heic").write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200)
    names = ["bomb.png", "cut.png", "moving.gif", "phone.heic"]

    result = cli("capture", *[folder / n for n in names], "--kind", "screenshot", "--case", case.root)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    problems = {r["original_name"]: (r.get("ocr") or {}).get("problem") for r in items(case.root).values()}
    assert "60000×60000 pixels" in problems["bomb.png"]
    assert "damaged or cut short" in problems["cut.png"]
    assert "animated" in problems["moving.gif"]
    assert (
        "reads text only in PNG, JPEG, WebP, GIF and BMP pictures, and this is image/heic"
        in problems["phone.heic"]
    )
    for name in names:  # each said in one sentence
        assert result.output.count(f"“{name}” was kept, but no text was read: ") == 1
    assert all(derived(case.root, f"E000{n}") == [] for n in range(1, 5))
    assert cli("verify", case.root).exit_code == 0


def test_ocr_of_a_sealed_case_or_an_unknown_item_is_one_sentence(case: Case, shots, cli):
    capture(case, [shots["whatsapp-light"]])
    unknown = cli("ocr", "E0009", "--case", case.root)
    assert unknown.exit_code == 2 and "no item “E0009”" in unknown.output
    assert cli("seal", "--case", case.root).exit_code == 0

    sealed = cli("ocr", "--again", "--case", case.root)

    assert sealed.exit_code == 2, sealed.output
    assert "sealed" in sealed.output and "Traceback" not in sealed.output
    shown = cli("ocr", "--show", "--case", case.root)  # showing needs no change
    assert shown.exit_code == 0 and "Jake Miller" in shown.output


def test_text_read_with_little_confidence_is_shown_and_marked_never_hidden(
    tmp_path: Path, case: Case, shots, cli
):
    from PIL import Image, ImageFilter

    blurred = tmp_path / "blurred.png"
    with Image.open(shots["whatsapp-light"]) as picture:
        picture.convert("RGB").filter(ImageFilter.GaussianBlur(3)).save(blurred)
    capture(case, [blurred])

    rows = (case.root / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(r) for r in rows[1:]]
    doubtful = [m for m in messages if m["source"]["confidence"] < 60]
    assert doubtful, [m["source"]["confidence"] for m in messages]
    assert all("ocr-low-confidence" in m["flags"] for m in doubtful)
    assert all("ocr-low-confidence" not in m["flags"] for m in messages if m not in doubtful)
    shown = cli("ocr", "E0001", "--show", "--case", case.root)
    assert shown.stdout.count("    ? ") == len(doubtful)
    assert "lines marked ? were read with less than 60" in shown.stdout
