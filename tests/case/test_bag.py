"""BagIt tag files: manifests and bag-info read back exactly what was written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evidencekit.case.bag import (
    decode_manifest_path,
    encode_manifest_path,
    format_bag_info,
    format_manifest,
    is_safe_bag_path,
    parse_bag_info,
    parse_manifest,
)

paths = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
)


@given(paths)
def test_manifest_path_encoding_round_trips(path):
    assert decode_manifest_path(encode_manifest_path(path)) == path


def test_a_manifest_is_sorted_two_spaced_and_parsed_back():
    text = format_manifest({"data/b.txt": "b" * 64, "data/a b.txt": "a" * 64})
    assert text == f"{'a' * 64}  data/a b.txt\n{'b' * 64}  data/b.txt\n"
    assert [(line.path, line.digest) for line in parse_manifest(text)] == [
        ("data/a b.txt", "a" * 64),
        ("data/b.txt", "b" * 64),
    ]


def test_bad_manifest_lines_are_reported_not_raised():
    lines = parse_manifest("nothex  data/x\nonlyonefield\n" + "A" * 64 + " *data/y\n")
    assert [line.problem is None for line in lines] == [False, False, True]
    assert lines[2].path == "data/y" and lines[2].digest == "a" * 64


def test_bag_info_keeps_order_and_reads_continuation_lines():
    text = format_bag_info([("External-Identifier", "EK-1"), ("External-Description", "a\nmulti  line")])
    assert text == "External-Identifier: EK-1\nExternal-Description: a multi line\n"
    assert parse_bag_info("Label: one\n  two\nOther: x\n") == [("Label", "one two"), ("Other", "x")]


def test_unsafe_paths_are_recognised():
    for bad in (
        "/etc/passwd",
        "../x",
        "data/../../x",
        "~root/x",
        "C:/x",
        "data\\x",
        "data//x",
        "data/./x",
        "data/x/",
        "data/..",
        "./data/x",
        "data/x\x00.png",
        "",
    ):
        assert not is_safe_bag_path(bad), bad
    for good in ("data/items/E0001-chat.png", "data/...", "data/.hidden", "data/x.", "data/a~b"):
        assert is_safe_bag_path(good), good


@given(st.text(alphabet=st.sampled_from(list("ab./\\~:C\x00 é")), max_size=12))
def test_a_path_is_safe_exactly_when_every_segment_is_a_real_name(path):
    segments = path.split("/")
    expected = (
        bool(path)
        and not path.startswith("~")
        and ":" not in path  # a drive, or a hidden stream of another file, on Windows
        and "\\" not in path
        and "\x00" not in path
        and all(segment not in ("", ".", "..") for segment in segments)
    )
    assert is_safe_bag_path(path) == expected
