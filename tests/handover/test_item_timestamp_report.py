"""The police report's exhibit list shows each item's trusted time, the delay since capture and the
clock offset, from trusted-time.json only when it is the file the manifest lists."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from evidencekit.case.case import Case, create_case
from evidencekit.clock import fixed_clock
from evidencekit.handover.item_timestamp import stamp_items
from evidencekit.intake.files import capture
from tests.handover.test_item_timestamp import FOLDER, client


def test_the_exhibit_list_shows_each_items_trusted_time_and_the_clock_offset(cli, tmp_path, evidence, tsa):
    three_days_ago = datetime.now(timezone.utc) - timedelta(days=3)
    offline = create_case(
        tmp_path / "offline", title="Offline", zone_name="Europe/London", clock=fixed_clock(three_days_ago)
    )
    capture(offline, [evidence / "chat.txt", evidence / "notes.txt"], sensitive=False)
    assert stamp_items(Case(offline.root), client(tsa), ["E0001"]).stamped
    out = tmp_path / "report"
    made = cli("report", "-C", offline.root, "--format", "html", "--out", out, "--no-images")
    assert made.exit_code == 0, made.output
    html = (out / "report.html").read_text(encoding="utf-8")
    exhibits = html[html.index('id="exhibits"') : html.index('id="withheld"')]
    assert "independent time-stamping authority (RFC 3161)" in exhibits
    e1, e2 = exhibits.split("E0002", 1)
    assert "trusted time " in e1 and "from CN=Test TSA, 3.0 days after capture" in e1
    assert "this computer&#39;s clock was " in e1 or "this computer's clock was " in e1
    assert "from CN=Test TSA" not in e2  # E0002 was never stamped


def test_a_hand_edited_trusted_time_is_not_shown_in_the_report(cli, case, evidence, tmp_path, tsa):
    capture(case, [evidence / "chat.txt", evidence / "notes.txt"])
    assert len(stamp_items(case, client(tsa)).stamped) == 2
    stamped = case
    path = stamped.root / FOLDER / "trusted-time.json"
    document = json.loads(path.read_text())
    document["tokens"][0]["gen_time"] = "2020-01-01T00:00:00.000Z"
    path.write_text(json.dumps(document))  # the manifest still holds the SHA-256 of what was written
    out = tmp_path / "report"
    assert cli("report", "-C", stamped.root, "--format", "html", "--out", out, "--no-images").exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    exhibits = html[html.index('id="exhibits"') : html.index('id="withheld"')]
    e1, e2 = exhibits.split("E0002", 1)
    assert "2020-01-01" not in exhibits
    assert "from CN=Test TSA" not in e1
    assert "from CN=Test TSA" in e2  # E0002's record is as it was written
