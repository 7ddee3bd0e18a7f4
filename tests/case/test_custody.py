"""The custody log's chain, checked line by line."""

from __future__ import annotations

from datetime import datetime, timezone

from evidencekit.case.custody import GENESIS, check_chain, entry_hash, line_digest, make_entry


def build(n: int) -> str:
    prev, lines = GENESIS, []
    for seq in range(1, n + 1):
        line = make_entry(
            seq=seq,
            at=datetime(2026, 3, 14, 21, 7, seq, tzinfo=timezone.utc),
            actor="Sam",
            action="case-created" if seq == 1 else "note-added",
            details={"n": seq},
            prev=prev,
        )
        lines.append(line + "\n")
        prev = line_digest(line)
    return "".join(lines)


def test_a_clean_log_checks_out_and_its_head_is_the_last_line_hash():
    text = build(4)
    result = check_chain(text)
    assert result.problems == []
    assert result.head == line_digest(text.splitlines()[-1])
    assert all(entry["hash"] == entry_hash(entry) for entry in result.entries)


def test_each_kind_of_damage_is_named_with_its_line():
    lines = build(4).splitlines(keepends=True)
    swapped = "".join([lines[0], lines[2], lines[1], lines[3]])
    assert {(p.line, p.code) for p in check_chain(swapped).problems} >= {(2, "custody-chain-broken")}
    truncated = "".join(lines)[:-5]
    assert "custody-truncated" in {p.code for p in check_chain(truncated).problems}
    garbage = lines[0] + "not json\n" + "".join(lines[2:])
    assert (2, "custody-unreadable") in {(p.line, p.code) for p in check_chain(garbage).problems}


def test_a_line_with_a_number_json_cannot_write_back_is_reported_not_a_crash():
    lines = build(2).splitlines(keepends=True)
    hostile = lines[0] + '{"seq": 1e999}\n'
    assert (2, "custody-entry-altered") in {(p.line, p.code) for p in check_chain(hostile).problems}
