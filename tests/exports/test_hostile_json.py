"""A JSON export nested thousands of levels deep is kept, reported, and never exhausts memory.

ijson's C parser keeps the path of every open level, so memory grows with the square of the depth
(20,000 levels: about 1 GB; 100,000: more than this machine has). The repairing reader every
export parser reads through stops such a file before the parser sees it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import ijson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.exports.jsonstream import MAX_DEPTH, NestedTooDeeply, repaired_stream
from tests.conftest import BIN

DEEP = 100_000


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def telegram_chat_with(text_json: str) -> str:
    return (
        '{"name": "Alex", "type": "personal_chat", "id": 1, "messages": ['
        '{"id": 1, "type": "message", "date": "2026-03-14T21:05:00", "date_unixtime": "1773522300",'
        f' "from": "Alex", "from_id": "user1", "text": {text_json}}}]}}'
    )


def read_all(data: bytes) -> bytes:
    with repaired_stream(io.BytesIO(data)) as stream:
        return stream.read()


def test_real_json_passes_through_unchanged_even_with_brackets_inside_long_strings():
    # Brackets and escaped quotes inside strings are text, not nesting, also when a string is
    # split across the reader's 1 MiB blocks.
    text = '[[[[{{{{ \\" ]]]] \\\\' * 200_000  # about 4 MB of one string
    data = json.dumps({"messages": [{"text": text}, {"text": "[" * (MAX_DEPTH * 4)}]}).encode()
    assert read_all(data) == data
    with repaired_stream(io.BytesIO(data)) as stream:
        texts = [m["text"] for m in ijson.items(stream, "messages.item")]
    assert texts == [text, "[" * (MAX_DEPTH * 4)]


def test_nesting_just_within_the_limit_is_read():
    data = telegram_chat_with(deep(MAX_DEPTH - 4)).encode()
    assert read_all(data) == data


def test_deep_nesting_is_refused_before_the_parser_sees_it():
    # 5,000 levels: far past the limit, yet small enough not to hurt if the guard ever broke
    # (the 100,000-level files go to a child process with capped memory, below).
    data = telegram_chat_with(deep(5_000)).encode()
    with repaired_stream(io.BytesIO(data)) as stream, pytest.raises(NestedTooDeeply, match="more than"):
        for _ in ijson.parse(stream):
            pass


def _limited_memory() -> None:  # in the child: a regression fails with MemoryError, not the OOM killer
    import resource  # POSIX only; the test using it is skipped elsewhere

    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


@pytest.mark.skipif(sys.platform != "linux", reason="caps memory with RLIMIT_AS")
@pytest.mark.parametrize("layout", ["telegram", "instagram"])
def test_capturing_a_deeply_nested_export_keeps_it_and_says_why_it_has_no_transcript(tmp_path, layout):
    if layout == "telegram":
        export = tmp_path / "result.json"
        export.write_text(telegram_chat_with(deep(DEEP)), encoding="utf-8")
    else:
        export = tmp_path / "messages"
        thread = export / "inbox" / "alex_123"
        thread.mkdir(parents=True)
        (thread / "message_1.json").write_text(
            '{"participants": [{"name": "Alex"}], "title": "Alex", "messages": ['
            f'{{"sender_name": "Alex", "timestamp_ms": 1773522300000, "content": {deep(DEEP)}}}]}}',
            encoding="utf-8",
        )
    env = dict(os.environ, EVIDENCEKIT_HOME=str(tmp_path / "home"), NO_COLOR="1")
    ek = str(BIN / "evidencekit")
    case = tmp_path / "case"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ek, *args], env=env, capture_output=True, text=True, timeout=60, preexec_fn=_limited_memory
        )

    assert run("new", str(case), "--no-under-18").returncode == 0
    captured = run("capture", str(export), "--case", str(case))
    assert captured.returncode == 0, captured.stdout + captured.stderr
    said = " ".join((captured.stdout + captured.stderr).split())
    assert "kept exactly as it is" in said
    assert "nested more than" in said
    assert run("verify", str(case)).returncode == 0


def test_a_deeply_nested_side_file_is_treated_like_any_unreadable_json():
    data = b'{"Basic Information": ' + deep(5_000).encode() + b"}"
    with pytest.raises(ValueError), repaired_stream(io.BytesIO(data)) as stream:
        json.load(stream)


def _depth_one_byte_at_a_time(data: bytes) -> tuple[bool, int, bool]:
    """(too deep?, depth at the end, inside a string at the end), the slow obvious way. A
    backslash escapes the next byte wherever it is (outside a string it is not JSON anyway)."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if escaped:
            escaped = False
        elif byte == ord("\\"):
            escaped = True
        elif byte == ord('"'):
            in_string = not in_string
        elif not in_string and byte in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True, depth, in_string
        elif not in_string and byte in b"]}":
            depth -= 1
    return False, depth, in_string


_PIECES = st.sampled_from([b"[", b"]", b"{", b"}", b'"', b'\\"', b"\\\\", b"a", b":", b","])


@given(st.lists(st.lists(st.tuples(_PIECES, st.integers(1, 300)), max_size=12), max_size=6))
def test_the_nesting_is_followed_across_blocks_as_one_byte_at_a_time_would(blocks):
    # Each block is made of whole pieces: the reader never ends a block inside an escape.
    chunks = [b"".join(piece * count for piece, count in block) for block in blocks]
    expected_too_deep, expected_depth, expected_in_string = _depth_one_byte_at_a_time(b"".join(chunks))
    reader = repaired_stream(io.BytesIO(b""))
    try:
        for chunk in chunks:
            reader._check_depth(chunk)
    except NestedTooDeeply:
        assert expected_too_deep
    else:
        assert not expected_too_deep
        assert (reader._depth, reader._in_string) == (expected_depth, expected_in_string)
