"""With a real chat export, transcribed by evidencekit's own parser on capture, the report and the
suggestions read the transcript exactly as that parser wrote it (header line and all)."""

from __future__ import annotations

from datetime import datetime, timezone

from evidencekit.intake.files import capture
from evidencekit.report.model import ReportOptions, collect
from evidencekit.story.suggestions import suggest

WHATSAPP = (
    "14/03/2026, 21:05 - Alex: hi, I saw your profile\n"
    "14/03/2026, 21:06 - Alex: add me on snap @alex.real\n"
    "14/03/2026, 21:07 - Alex: pay £500 to GB82 WEST 1234 5698 7654 32 or I send it\n"
    "14/03/2026, 21:09 - Sam: please stop\n"
)


def test_a_whatsapp_export_becomes_timeline_rows_and_suggestions(case, tmp_path):
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    export.write_text(WHATSAPP, encoding="utf-8")
    item = capture(case, [export]).added[0]
    assert item["kind"] == "chat-export" and item["export"]["format"] == "whatsapp"

    data = collect(case, ReportOptions(images=False), datetime(2026, 11, 28, tzinfo=timezone.utc))

    messages = [row for row in data["timeline"] if row["kind"] == "message"]
    assert [row["text"] for row in messages] == [
        "hi, I saw your profile",
        "add me on snap @alex.real",
        "pay £500 to GB82 WEST 1234 5698 7654 32 or I send it",
        "please stop",
    ]
    assert (
        messages[0]["local"] == "2026-03-14 21:05:00 +00:00" and messages[0]["title"] == "Message from Alex"
    )
    assert messages[0]["zone_assumed"]  # WhatsApp writes no zone
    transcript = data["transcripts"][0]
    assert transcript["messages"] == 4 and transcript["item_id"] == item["id"]
    assert transcript["sha256"] == item["export"]["derived_files"][transcript["path"]]

    found = {(s.kind, s.value): s for s in suggest(case).items}
    handle = found[("handle", "@alex.real")]
    assert handle.platform == "Snapchat"  # "add me on snap": not a WhatsApp account
    assert handle.where == [f"{item['id']} message 2 (from Alex)"]
    assert found[("chat-account", "Alex")].platform == "WhatsApp"
    assert ("iban", "GB82 WEST 1234 5698 7654 32") in found
    assert found[("chat-account", "Alex")].count == 3


def test_an_export_without_a_transcript_is_listed_with_the_reason(case, tmp_path):
    from evidencekit.report.build import build_report

    export = tmp_path / "WhatsApp Chat with Kim.txt"
    export.write_text("03/04/2026, 21:05 - Kim: hello\n03/04/2026, 21:06 - Kim: pay\n", encoding="utf-8")
    item = capture(case, [export]).added[0]
    assert item["export"]["status"] == "needs-date-order"

    build_report(case, formats=["html"])

    html = (case.root / "data/derived/report/report.html").read_text(encoding="utf-8")
    assert "Chat exports without a transcript" in html and "needs-date-order" in html
    assert f"{item['id']}</span> WhatsApp Chat with Kim.txt" in html
