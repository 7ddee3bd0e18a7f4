"""plain(): the one way text from a case, a file or a user reaches the screen.

It must come out exactly as written where that is safe (any language, emoji, brackets, backslashes),
and as a visible escape where a terminal would act on it instead of showing it.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from evidencekit.cli import output
from evidencekit.cli.output import LIMIT, inert, plain

UNSAFE = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + [
    "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029", "\ufeff", "\ud800", "\udfff",
]  # fmt: skip


def rendered(markup: str) -> str:
    """What Rich prints for `markup`, as the CLI's consoles are set up (no colour: a pipe)."""
    stream = io.StringIO()
    console = Console(file=stream, width=10_000, soft_wrap=True, highlight=False, emoji=False)
    console.print(markup, end="")
    return stream.getvalue()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\", "\\x1b]8;;https://evil.example/\\x1b\\link\\x1b]8;;\\x1b\\"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("paid\rNOT PAID", "paid\\rNOT PAID"),
        ("abc\b\b\bxyz", "abc\\x08\\x08\\x08xyz"),
        ("two\nlines\tand a tab", "two\\nlines\\tand a tab"),
        ("nul\x00 del\x7f c1\x85\x9b", "nul\\x00 del\\x7f c1\\x85\\x9b"),
        ("invoice\u202egpj.exe", "invoice<U+202E>gpj.exe"),
        ("\u2066isolated\u2069 \u200emarks\u200f", "<U+2066>isolated<U+2069> <U+200E>marks<U+200F>"),
        ("\u202aembedded\u202c \u061c", "<U+202A>embedded<U+202C> <U+061C>"),
        ("\ufeffbom \u2028line\u2029para", "<U+FEFF>bom <U+2028>line<U+2029>para"),
        ("lone \ud800 surrogate", "lone <U+D800> surrogate"),
    ],
)  # fmt: skip
def test_what_a_terminal_would_act_on_is_shown_as_a_visible_escape(text, shown):
    assert inert(text) == shown
    assert rendered(plain(text)) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Screenshot 2026-03-14 at 21.05.png",
        "صورة الشاشة.png",  # Arabic: right-to-left by itself, no override needed
        "צילום מסך.png",
        "截屏 2026.png",
        "Zoë Ångström — “quoted”",
        "family 👨‍👩‍👧 and flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿 (joiners and tags kept)",
        "e\u0301 (a combining accent)",
        "می\u200cخواهم (Persian, with its zero-width non-joiner)",
    ],
)
def test_ordinary_text_in_any_language_is_shown_unchanged(text):
    assert inert(text) == text
    assert rendered(plain(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "[link=https://evil.example/]click[/link]",
        "[bold red]boom[/bold red] [/] [@click=quit]x[/]",
        "C:\\cases\\",
        "ends in two \\\\",
        "\\[bold]already escaped once",
        ":cross_mark: :warning:",
    ],
)
def test_rich_markup_and_emoji_codes_in_a_name_are_printed_as_written(text):
    assert rendered(plain(text)) == text
    assert rendered(f"[bold]{plain(text)}[/bold] after") == f"{text} after"


@given(
    st.text(alphabet=st.sampled_from([*UNSAFE, "[", "]", "/", "\\", "=", "@", "#", ":", "a", "b", " ", "é"]))
)
def test_anything_at_all_is_shown_exactly_as_inert_says_and_nothing_unsafe_gets_through(text):
    shown = rendered(plain(text))

    assert shown == inert(text)
    assert rendered(f"[bold]{plain(text)}[/bold]|") == inert(text) + "|"
    assert not any(char in shown for char in UNSAFE)
    shown.encode("utf-8")  # printable, even from a lone surrogate


def test_a_note_body_keeps_its_line_breaks_when_asked():
    body = "first line\r\nsecond \x1b[2J line\nthird\rfourth\t."

    assert inert(body, multiline=True) == "first line\nsecond \\x1b[2J line\nthird\\rfourth\\t."
    assert inert(body) == "first line\\r\\nsecond \\x1b[2J line\\nthird\\rfourth\\t."


def test_a_very_long_value_is_cut_and_what_was_left_out_is_counted():
    assert inert("x" * LIMIT) == "x" * LIMIT
    assert inert("x" * (LIMIT + 1)) == "x" * LIMIT + "… (1 more character)"
    huge = "\x1b" * 4_000_000
    shown = inert(huge)
    assert shown == "\\x1b" * LIMIT + f"… ({4_000_000 - LIMIT} more characters)"
    assert inert("y" * 3000, limit=None) == "y" * 3000
    assert inert("[b]" * 1000, limit=10) == "[b][b][b][… (2990 more characters)"
    assert rendered(plain("[b]" * 1000, limit=10)) == "[b][b][b][… (2990 more characters)"


def test_values_that_are_not_text_are_shown_too():
    assert plain(42) == "42"
    assert plain(None) == "None"
    assert plain({"note": "[b]"}) == "{'note': '\\[b]'}"  # a damaged record: str() of it, shown


def test_a_problem_is_shown_inert_sentence_and_hint(capsys):
    output.problem("The file “\x1b]0;pwned\x07 [bold]x” cannot be read.", "Look at \u202eit.")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Problem: The file “\\x1b]0;pwned\\x07 [bold]x” cannot be read.\nWhat to do: Look at <U+202E>it.\n"
    )


def test_emoji_codes_in_output_stay_words(capsys):
    output.say(plain("report :cross_mark: and :warning:"))

    assert capsys.readouterr().out == "report :cross_mark: and :warning:\n"
