"""An officer asks each platform to keep the offender's data: the case gives them, per platform, the
accounts, the conversations (with the export's own thread ID) and the UTC times of the first and
last messages, as a page of the report and as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

from evidencekit.case.case import Case
from evidencekit.intake.files import capture
from evidencekit.report.build import build_report
from evidencekit.story import add_offender
from evidencekit.story.preservation import preservation_sheets
from evidencekit.story.preservation_csv import CSV_COLUMNS, render_csv
from tests.conftest import run_cli
from tests.exports import samples
from tests.synthetic import add_chat_export, message

WHATSAPP = (
    "14/03/2026, 21:05 - Alex: hi, I saw your profile\n"
    "14/03/2026, 21:06 - Alex: pay £500 or I send it\n"
    "14/03/2026, 21:09 - Sam: please stop\n"
    "15/03/2026, 08:30 - +44 7700 900123: this is my other number, answer me\n"
)


def utc_span(case: Case, item_id: str) -> tuple[str, str]:
    """The first and last message times of an item's transcript, read straight from the file."""
    lines = (case.root / f"data/derived/{item_id}/transcript.jsonl").read_text(encoding="utf-8").splitlines()
    times = [
        datetime.fromisoformat(m["time"]).astimezone(timezone.utc)
        for m in map(json.loads, lines[1:])
        if m.get("time") and m.get("kind") == "message"
    ]
    return min(times).strftime("%Y-%m-%dT%H:%M:%SZ"), max(times).strftime("%Y-%m-%dT%H:%M:%SZ")


def a_case_with_two_exports(case: Case, tmp_path: Path) -> tuple[str, str]:
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    export.write_text(WHATSAPP, encoding="utf-8")
    whatsapp = capture(case, [export]).added[0]["id"]
    samples.instagram_thread(tmp_path / "instagram-sam")
    instagram = capture(case, [tmp_path / "instagram-sam"]).added[0]["id"]
    add_offender(case, platform="WhatsApp", display_name="Alex", phone="+44 7700 900123")
    add_offender(
        case,
        platform="Instagram",
        username="remy.x",
        user_id="17841400000000001",
        display_name="Rémy",
        profile_url="https://www.instagram.com/remy.x/",
    )
    add_offender(case, platform="Snapchat", username="remy.snaps")
    return whatsapp, instagram


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_account_with_the_times_of_its_conversations(case, tmp_path):
    whatsapp, instagram = a_case_with_two_exports(case, tmp_path)

    rows = rows_of(render_csv(preservation_sheets(case)))

    assert [(r["platform"], r["account"]) for r in rows] == [
        ("WhatsApp", "O0001"),
        ("Instagram", "O0002"),
        ("Snapchat", "O0003"),
    ]
    wa, ig, snap = rows
    assert (wa["first_message_utc"], wa["last_message_utc"]) == utc_span(case, whatsapp)
    assert (ig["first_message_utc"], ig["last_message_utc"]) == utc_span(case, instagram)
    assert (ig["first_message_utc"], ig["last_message_utc"]) == (
        "2024-03-14T21:00:00Z",
        "2024-03-14T21:06:00Z",
    )
    # WhatsApp names an unsaved contact by its number: both "Alex" and "+44 7700 900123" are this account.
    assert wa["messages_from_account"] == "3" and wa["phone"] == "'+44 7700 900123"
    assert wa["times_zone_assumed"] == "yes" and ig["times_zone_assumed"] == "no"
    # The export's own thread ID, as Meta names the folder (its thread_path).
    assert ig["conversation_ids"] == "inbox/remy_1234567890"
    assert ig["user_id"] == "17841400000000001" and ig["profile_url"] == "https://www.instagram.com/remy.x/"
    assert ig["request_to"] == "Meta Platforms" and wa["request_to"] == "WhatsApp (Meta Platforms)"
    assert ig["evidence"] == instagram and wa["evidence"] == whatsapp
    # An account with no export behind it is still listed, with nothing made up.
    assert (
        snap["username"] == "remy.snaps" and snap["first_message_utc"] == "" and snap["conversations"] == ""
    )
    assert list(rows[0]) == list(CSV_COLUMNS)


def test_the_report_ends_with_the_sheets(case, tmp_path):
    a_case_with_two_exports(case, tmp_path)

    build_report(case, formats=["html"])

    html = (case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="preservation">') :]
    assert html.rindex("<section") == html.index('<section id="preservation">')  # the last section
    assert "14. Preservation requests" in section
    for fact in (
        "17841400000000001",
        "remy.x",
        "inbox/remy_1234567890",
        "2024-03-14T21:00:00Z",
        "remy.snaps",
    ):
        assert fact in section
    assert "request to Meta Platforms" in section and "2026-03-15T08:30:00Z" in section


def test_an_empty_case_says_there_is_nothing_to_request_yet(case, tmp_path):
    build_report(case, formats=["html"])
    html = (case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "There is nothing to request yet" in html[html.index('<section id="preservation">') :]

    result = run_cli("preservation", "--out", tmp_path / "sheets.csv", "--case", case.root)
    assert result.exit_code == 0
    assert "nothing to request yet" in result.stderr
    assert (tmp_path / "sheets.csv").read_text(encoding="utf-8") == ",".join(CSV_COLUMNS) + "\n"


def test_the_csv_is_saved_outside_the_case_only(case, tmp_path):
    a_case_with_two_exports(case, tmp_path)

    inside = run_cli("preservation", "--out", case.root / "data" / "sheets.csv", "--case", case.root)
    assert inside.exit_code == 2 and "inside the case folder" in inside.stderr
    assert not (case.root / "data" / "sheets.csv").exists()

    saved = run_cli("preservation", "--out", tmp_path / "sheets.csv", "--case", case.root)
    assert saved.exit_code == 0, saved.stderr
    assert len(rows_of((tmp_path / "sheets.csv").read_text(encoding="utf-8"))) == 3
    assert "3 account(s)" in saved.stdout + saved.stderr

    printed = run_cli("preservation", "--json", "--case", case.root)
    assert printed.exit_code == 0, printed.stderr
    sheets = json.loads(printed.stdout)["sheets"]
    assert [s["platform"] for s in sheets] == ["WhatsApp", "Instagram", "Snapchat"]
    instagram = sheets[1]["accounts"][0]
    assert (instagram["first_utc"], instagram["last_utc"]) == ("2024-03-14T21:00:00Z", "2024-03-14T21:06:00Z")
    assert instagram["conversations"][0]["thread_id"] == "inbox/remy_1234567890"


def test_an_account_seen_in_an_unrecognised_export_is_tied_by_sender_id(case, tmp_path):
    chat = [
        message(1, "hello", sender="ghost", sender_id="user555"),
        message(2, "pay me", sender="ghost", sender_id="user555"),
        message(3, "no", sender="Sam", sender_id=None),
    ]
    item = add_chat_export(case, tmp_path / "export", chat)
    add_offender(case, platform="Telegram", username="ghost_77", seen_in=[item])

    [sheet] = preservation_sheets(case).sheets
    [account] = sheet.accounts

    assert [c.item_id for c in account.conversations] == [item]
    assert (account.first_utc, account.last_utc) == ("2026-03-14T21:01:00Z", "2026-03-14T21:03:00Z")
    assert account.messages_from_account == 0  # seen there, but not by its username


def test_values_a_spreadsheet_would_run_are_written_as_text(case):
    add_offender(case, platform="=HYPERLINK(1)", username="=cmd", note="-")

    [row] = rows_of(render_csv(preservation_sheets(case)))

    assert row["platform"] == "'=HYPERLINK(1)" and row["username"] == "'=cmd"


def test_a_telegram_account_is_found_by_the_user_id_people_copy(case, tmp_path):
    """Telegram writes `user555000111` as the sender's ID; the person records the digits."""
    item = capture(case, [samples.telegram_chat(tmp_path / "tg")]).added[0]["id"]
    add_offender(case, platform="Telegram", user_id="555000111")
    add_offender(case, platform="Telegram", username="riley_tg", display_name="Riley")

    [sheet] = preservation_sheets(case).sheets
    by_id, by_name = sheet.accounts

    assert [c.item_id for c in by_id.conversations] == [item]
    assert by_id.messages_from_account == 3 and by_id.ids_in_export == ()
    assert (by_id.first_utc, by_id.last_utc) == utc_span(case, item)
    [conversation] = by_id.conversations
    assert (conversation.first_message_id, conversation.last_message_id) == ("510", "515")
    # Recorded by name only: the export's ID for that sender is offered, to ask the platform about.
    assert by_name.ids_in_export == ("user555000111",) and by_name.messages_from_account == 3


def test_a_transcript_with_odd_values_is_read_without_failing(case, tmp_path):
    """A transcript comes from the case folder, which may come from anyone."""
    odd = message(1, "hi", sender="Alex")
    odd.update(conversation=5, time="yesterday", id={"x": 1}, source="nowhere", sender_id=["Alex"])
    fine = message(2, "pay", sender="Alex", sender_id="42")
    item = add_chat_export(case, tmp_path / "export", [odd, fine, {"seq": 3}, "not a message"])
    add_offender(case, platform="Kik", display_name="Alex", seen_in=[item])

    [sheet] = preservation_sheets(case).sheets
    [account] = sheet.accounts

    assert [c.messages for c in account.conversations] == [3]
    assert (account.first_utc, account.last_utc) == ("2026-03-14T21:02:00Z", "2026-03-14T21:02:00Z")
    assert rows_of(render_csv(preservation_sheets(case)))[0]["first_message_utc"] == "2026-03-14T21:02:00Z"


def test_a_discord_package_is_one_sided_so_the_channel_named_after_the_account_is_the_one(case, tmp_path):
    """A Discord data package holds only the person's own messages: the offender never appears as
    a sender, but the DM channel is named after them, and its channel ID is what Discord needs."""
    item = capture(case, [samples.discord_package(tmp_path / "discord")]).added[0]["id"]
    add_offender(case, platform="Discord", username="riley", seen_in=[item])

    [sheet] = preservation_sheets(case).sheets
    [account] = sheet.accounts

    assert [(c.thread_id, c.thread_id_kind) for c in account.conversations] == [
        ("222222222222222222", "Discord channel ID")
    ]
    [dm] = account.conversations
    assert dm.messages == 2 and (dm.first_message_id, dm.last_message_id) == (
        "1218000000000000001",
        "1218000000000000002",
    )
    assert [c.thread_id for c in sheet.untied] == ["333333333333333333"]  # the server channel


def test_each_messenger_thread_keeps_its_own_folder_and_times(case, tmp_path):
    item = capture(case, [samples.messenger_zip(tmp_path / "fb")]).added[0]["id"]
    add_offender(case, platform="Facebook", display_name="Alex", username="alex.fb.99")

    [sheet] = preservation_sheets(case).sheets
    [account] = sheet.accounts

    # The Messenger chats are on the Facebook sheet, where the account was recorded.
    assert sheet.platform == "Facebook" and {c.platform for c in sheet.conversations} == {
        "Facebook Messenger"
    }
    assert [c.thread_id for c in sheet.conversations] == ["archived_threads/alex_99", "inbox/remy_1234567890"]
    [thread] = account.conversations
    assert (thread.item_id, thread.thread_id) == (item, "archived_threads/alex_99")
    assert (account.first_utc, account.last_utc) == ("2024-03-13T21:00:00Z", "2024-03-13T21:00:00Z")
