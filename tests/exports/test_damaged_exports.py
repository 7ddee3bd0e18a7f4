"""Every export parser, fed a damaged copy of a realistic export, ends in a plain outcome.

A download cut short, a flipped byte, bytes inserted or lost: whichever file of the export is hit,
reading either does not recognise the export, or refuses it as a whole (a zip that cannot be opened,
a "zip bomb"), or gives an outcome (complete, partial, unreadable) with a sentence — never an
exception that would stop the capture as "a bug".
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evidencekit.exports import detect
from evidencekit.exports.source import SourceRefused, open_source
from tests.exports import samples
from tests.exports.conftest import read_export
from tests.fuzzing import examples

MAKERS = {
    "whatsapp-android-zip": samples.whatsapp_android_zip,
    "whatsapp-ios-zip": samples.whatsapp_ios_zip,
    "instagram": samples.instagram_thread,
    "messenger-zip": samples.messenger_zip,
    "messenger-e2ee": samples.messenger_e2ee,
    "telegram-chat": samples.telegram_chat,
    "telegram-full": samples.telegram_full,
    "snapchat-new": samples.snapchat_new,
    "snapchat-old": samples.snapchat_old,
    "discord-package": samples.discord_package,
    "discord-exporter": samples.discord_exporter,
    "sms-backup": samples.sms_backup,
    "calls-backup": samples.calls_backup,
}
_runs = itertools.count()


def damage(data: bytes, how: str, where: float, noise: bytes) -> bytes:
    at = int(where * len(data))
    if how == "cut short":
        return data[:at]
    if how == "bytes replaced":
        return data[:at] + noise + data[at + len(noise) :]
    if how == "bytes inserted":
        return data[:at] + noise + data[at:]
    return data[:at] + data[at + 1 + len(noise) * 8 :]  # bytes lost


@settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(MAKERS)),
    pick=st.integers(min_value=0),
    how=st.sampled_from(["cut short", "bytes replaced", "bytes inserted", "bytes lost"]),
    where=st.floats(min_value=0, max_value=1, allow_nan=False),
    noise=st.binary(min_size=1, max_size=40),
)
# Found in CI: losing bytes in the XML declaration turned encoding="UTF-8" into "UTFes".
@example(kind="sms-backup", pick=0, how="bytes lost", where=0.01953125, noise=b"\x00\x00")
# Found by an exploring run: lost bytes made a Messenger timestamp larger than any date.
@example(kind="messenger-e2ee", pick=0, how="bytes lost", where=0.625, noise=b"\x00" * 17)
# … and made a Telegram chat's name a number.
@example(kind="telegram-full", pick=0, how="bytes lost", where=0.10260205210167264, noise=b"\x00" * 6)
def test_a_damaged_export_is_read_up_to_the_damage_or_refused_never_a_crash(
    tmp_path: Path, kind: str, pick: int, how: str, where: float, noise: bytes
):
    folder = tmp_path / f"run{next(_runs)}"
    folder.mkdir()
    export = MAKERS[kind](folder)
    files = [export] if export.is_file() else sorted(p for p in export.rglob("*") if p.is_file())
    hit = files[pick % len(files)]
    hit.write_bytes(damage(hit.read_bytes(), how, where, noise))

    try:
        source = open_source(export, export.name)
    except SourceRefused:
        return  # refused as a whole, with its own sentence (capture keeps the file)
    try:
        recognised = detect(source) is not None
    finally:
        source.close()
    if not recognised:
        return
    result = read_export(export, folder / "out")
    assert not result.outcome.bug, result.outcome.problem
    assert result.outcome.status in {"complete", "partial", "unreadable", "needs-date-order"}
    if result.outcome.status in {"partial", "unreadable"}:
        assert result.outcome.problem


def test_a_time_at_the_edge_of_the_calendar_is_damage_with_a_sentence_not_a_bug(tmp_path: Path):
    export = samples.discord_exporter(tmp_path / "export")
    data = json.loads(export.read_text(encoding="utf-8"))
    data["messages"][1]["timestamp"] = "0001-01-01T00:00:00+05:00"  # before year 1 in UTC
    export.write_text(json.dumps(data), encoding="utf-8")

    result = read_export(export, tmp_path / "out")

    assert not result.outcome.bug
    assert result.outcome.status == "partial"
    assert "edge of the calendar" in (result.outcome.problem or "")
    assert [m["text"] for m in result.messages] == ["send the money"]  # the message before is kept
