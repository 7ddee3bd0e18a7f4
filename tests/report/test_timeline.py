"""One timeline from everything, in the case's zone with UTC beside it; a huge chat is abridged to
the messages that matter, and every message left out is accounted for."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from evidencekit.report.model import ReportOptions, collect
from evidencekit.story import add_action, add_note, add_payment
from tests.synthetic import add_chat_export, message

T0 = datetime(2026, 7, 14, 20, 0, tzinfo=timezone.utc)  # 21:00 in London (summer time)


def rows(case, **options):
    data = collect(case, ReportOptions(images=False, **options), datetime(2026, 11, 28, tzinfo=timezone.utc))
    return data, data["timeline"]


def test_everything_is_merged_in_time_order_with_both_clocks(case, tmp_path):
    add_chat_export(
        case,
        tmp_path / "export",
        [
            message(1, "hello", at=T0),
            message(2, "pay now", at=T0 + timedelta(minutes=10)),
            message(3, "no zone in this export", at=T0 + timedelta(minutes=40), zone_assumed=True),
        ],
    )
    add_note(case, "He first wrote at nine.", at="2026-07-14 20:55")
    add_payment(
        case, method="bank", payee="J Smith", amount="250", currency="GBP", paid=True, at="2026-07-14 21:20"
    )
    add_action(case, "police", ref="CAD-1", at="2026-07-15 09:00 +01:00")

    _data, timeline = rows(case)
    dated = [r for r in timeline if r["kind"] in ("note", "message", "payment", "action")]
    assert [(r["kind"], r["local"], r["utc"]) for r in dated] == [
        ("note", "2026-07-14 20:55:00 +01:00", "2026-07-14 19:55:00Z"),
        ("message", "2026-07-14 21:00:00 +01:00", "2026-07-14 20:00:00Z"),
        ("message", "2026-07-14 21:10:00 +01:00", "2026-07-14 20:10:00Z"),
        ("payment", "2026-07-14 21:20:00 +01:00", "2026-07-14 20:20:00Z"),
        ("message", "2026-07-14 21:40:00 +01:00", "2026-07-14 20:40:00Z"),
        ("action", "2026-07-15 09:00:00 +01:00", "2026-07-15 08:00:00Z"),
    ]
    assert dated[4]["zone_assumed"] and not dated[1]["zone_assumed"]
    assert any(flag.startswith("written down") for flag in dated[0]["flags"])
    assert dated[3]["text"].startswith("Paid 250 GBP by bank transfer to J Smith")
    captures = [r for r in timeline if r["kind"] == "capture"]
    assert captures and all(r["basis"] == "recorded" for r in captures)


def test_a_huge_chat_is_abridged_and_every_message_is_accounted_for(case, tmp_path):
    chat = []
    for seq in range(1, 2001):
        text = f"filler {seq}"
        if seq == 700:
            text = "send it to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        elif seq == 900:
            text = "pay £500 or else"
        elif seq == 1300:
            text = "my number +44 7700 900123"
        chat.append(message(seq, text, at=T0 + timedelta(seconds=seq)))
    add_chat_export(case, tmp_path / "export", chat)

    data, timeline = rows(case, max_messages=10)

    shown = [r for r in timeline if r["kind"] == "message"]
    omitted = [r for r in timeline if r["kind"] == "omitted"]
    texts = [r["text"] for r in shown]
    assert texts[0] == "filler 1" and texts[-1] == "filler 2000"
    assert "send it to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" in texts
    assert "pay £500 or else" in texts and "my number +44 7700 900123" in texts
    assert len(shown) == 5 == data["messages_shown"] and data["messages_total"] == 2000
    left_out = sum(int(r["title"].split()[0]) for r in omitted)
    assert left_out == 2000 - 5
    assert all("data/derived/" in r["text"] and "transcript.jsonl" in r["text"] for r in omitted)
    assert data["timeline_abridged"] is True

    data, timeline = rows(case, max_messages=None)
    assert data["messages_shown"] == 2000 and not any(r["kind"] == "omitted" for r in timeline)
