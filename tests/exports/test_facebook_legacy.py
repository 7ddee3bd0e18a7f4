"""Facebook's download from before 2018 (HTML): one page of every conversation, or a page each.

The pages below are built from what is known of those downloads' layout (`<div class="thread">`,
`<div class="message">` with the sender and date in its header, the text in the `<p>` after it);
no real download was available to copy, so they are reconstructions, not captured files.
"""

from __future__ import annotations

import pytest

from evidencekit.exports.facebook_legacy import month_table, parse_date
from tests.conftest import run_cli
from tests.exports import samples

HEAD = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'
    '<title>{title}</title><link rel="stylesheet" href="../html/style.css" type="text/css" /></head><body>'
)
NAV = (
    '<div class="nav"><img src="../photos/profile.jpg" /><ul><li><a href="../index.htm">Profile</a></li>'
    '<li><a href="messages.htm" class="selected">Messages</a></li></ul></div>'
)


def message(user: str, date: str, *paragraphs: str) -> str:
    header = (
        '<div class="message"><div class="message_header">'
        f'<span class="user">{user}</span><span class="meta">{date}</span></div></div>'
    )
    return header + "".join(f"<p>{p}</p>" for p in paragraphs)


def one_page_download(folder, threads: str):
    """The pre-2016 layout: every conversation in html/messages.htm."""
    (folder / "html").mkdir(parents=True)
    (folder / "index.htm").write_text(HEAD.format(title="Sam Vance") + NAV + "</body></html>", "utf-8")
    page = (
        HEAD.format(title="Sam Vance - Messages")
        + NAV
        + f'<div class="contents"><h1>Sam Vance</h1><div>{threads}</div></div>'
        + '<div class="footer">Downloaded by Sam Vance on Wednesday, 4 March 2015 at 10:00 UTC+01</div>'
        + "</body></html>"
    )
    (folder / "html/messages.htm").write_text(page, encoding="utf-8")
    return folder


def thread(participants: str, *messages: str) -> str:
    return f'<div class="thread">{participants}{"".join(messages)}</div>'


def test_the_one_page_download_in_time_order_with_exact_times(read, tmp_path):
    root = one_page_download(
        tmp_path / "facebook-samvance",
        thread(
            "Riley Kay, Sam Vance",
            # Newest first, as these pages often are: the transcript puts them in time order.
            message("Riley Kay", "Tuesday, 3 March 2015 at 21:09 UTC+01", "you have until midnight"),
            message("Sam Vance", "Tuesday, 3 March 2015 at 21:08 UTC+01", "who is this?<br />stop"),
            message(
                "Riley Kay", "Tuesday, 3 March 2015 at 21:07 UTC+01", "send me a picture &amp; nobody sees"
            ),
        )
        + thread("Alex Moss, Sam Vance", message("Alex Moss", "Monday, 2 March 2015 at 08:00 UTC", "hi")),
    )

    r = read(root)

    assert r.parser == "facebook-legacy-html" and "before 2018" in r.detection.label
    assert r.detection.files == ["html/messages.htm"]
    assert r.outcome.status == "complete"
    riley = [m for m in r.messages if m["conversation"] == "Riley Kay, Sam Vance"]
    assert [m["text"] for m in riley] == [
        "send me a picture & nobody sees",
        "who is this?\nstop",
        "you have until midnight",
    ]
    first = riley[0]
    assert first["sender"] == "Riley Kay"
    assert first["time"] == "2015-03-03T20:07:00+00:00", "UTC+01 is exact: shown in the case's zone"
    assert first["time_zone_assumed"] is False
    assert first["time_as_written"] == "Tuesday, 3 March 2015 at 21:07 UTC+01"
    alex = next(m for m in r.messages if m["conversation"] == "Alex Moss, Sam Vance")
    assert alex["time"] == "2015-03-02T08:00:00+00:00"
    # The page's heading names whose download it is: their messages say so, under their name.
    sam = next(m for m in riley if m["sender"] == "Sam Vance")
    assert sam["details"]["sent_by_account_owner"] is True
    assert "sent_by_account_owner" not in first["details"]
    assert not any("without a time zone" in w for w in r.header["warnings"])


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("Tuesday, 3 March 2015 at 21:07 UTC+01", "2015-03-03 20:07"),
        ("Tuesday, March 3, 2015 at 9:07pm PST", "2015-03-04 05:07"),
        ("Dienstag, 3. März 2015 um 21:07 UTC+01", "2015-03-03 20:07"),
        ("mardi 3 mars 2015, 21:07 UTC+01", "2015-03-03 20:07"),
        ("martes, 3 de marzo de 2015 a las 21:07 UTC-03", "2015-03-04 00:07"),
        ("martedì 3 marzo 2015 alle ore 21:07 UTC+01", "2015-03-03 20:07"),
        ("dinsdag 3 maart 2015 om 21:07 UTC+01", "2015-03-03 20:07"),
        ("terça-feira, 3 de março de 2015 às 21:07 UTC-03", "2015-03-04 00:07"),
        ("tisdag 3 mars 2015 kl. 21:07 UTC+01", "2015-03-03 20:07"),
        ("Thursday, 12 May 2016 at 12:30am UTC+05:30", "2016-05-11 19:00"),
    ],
)
def test_localised_dates_are_read_with_their_offset(written, utc):
    from datetime import timezone

    date = parse_date(written)

    assert date is not None and date.offset is not None
    moment = date.wall.replace(tzinfo=date.offset).astimezone(timezone.utc)
    assert moment.strftime("%Y-%m-%d %H:%M") == utc


@pytest.mark.parametrize(
    "written",
    [
        "wtorek, 3 marca 2015 o 21:07 UTC+01",  # Polish: not a language evidencekit reads yet
        "2015年3月3日 21:07 UTC+09",
        "Tuesday, 3 March 2015",  # no time
        "3 March 2015 at 21:07 UTC+01 (edited 4 March)",  # two month names: never guessed
        "Tuesday, 31 February 2015 at 21:07 UTC+01",
    ],
)
def test_a_date_not_read_for_sure_is_not_read_at_all(written):
    assert parse_date(written) is None


def test_no_month_name_means_two_months():
    table = month_table()
    assert table["march"] == table["märz"] == table["mars"] == table["maart"] == 3
    assert table["mai"] == table["maj"] == 5


def test_the_page_per_conversation_download_with_a_photo_and_unreadable_dates(read, tmp_path):
    root = tmp_path / "facebook-samvance-2017"
    (root / "html").mkdir(parents=True)
    (root / "messages/photos").mkdir(parents=True)
    (root / "messages/photos/1234_5678.jpg").write_bytes(samples.JPEG)
    index = (
        HEAD.format(title="Sam Vance - Messages")
        + NAV
        + '<div class="contents"><h1>Sam Vance</h1><div><a href="../messages/2.html">Riley Kay</a><br />'
        + '<a href="../messages/10.html">Alex Moss</a></div></div></body></html>'
    )
    (root / "html/messages.htm").write_text(index, encoding="utf-8")

    def conversation(name: str, *messages: str) -> str:
        return (
            '<!DOCTYPE html><html><head><meta charset="UTF-8" /><title>Conversation with '
            f'{name}</title></head><body><a href="../html/messages.htm">Back</a><br /><br />'
            f'<div class="thread"><h3>Conversation with {name}</h3>Participants: {name}'
            + "".join(messages)
            + "</div></body></html>"
        )

    (root / "messages/2.html").write_text(
        conversation(
            "Riley Kay",
            message(
                "Riley Kay",
                "Friday, 6 January 2017 at 23:15 UTC",
                "look",
                '<img src="messages/photos/1234_5678.jpg" />',
            ),
            message("Riley Kay", "piątek, 6 stycznia 2017 23:16 UTC+01", "pay or everyone sees it"),
            message("Sam Vance", "Friday, 6 January 2017 at 23:17", "please stop"),
        ),
        encoding="utf-8",
    )
    (root / "messages/10.html").write_text(
        conversation("Alex Moss", message("Alex Moss", "Monday, 2 January 2017 at 08:00 UTC+00", "hello")),
        encoding="utf-8",
    )

    r = read(root, zone="Europe/Paris")

    assert r.detection.files == ["messages/2.html", "messages/10.html"], "the index page has no messages"
    by_text = {m["text"]: m for m in r.messages}
    look = by_text["look"]
    assert look["conversation"] == "Conversation with Riley Kay"
    [photo] = look["attachments"]
    assert photo["member"] == "messages/photos/1234_5678.jpg" and photo["missing"] is False
    polish = by_text["pay or everyone sees it"]
    assert polish["time"] is None and "time-unknown" in polish["flags"]
    assert polish["time_as_written"] == "piątek, 6 stycznia 2017 23:16 UTC+01"
    no_zone = by_text["please stop"]
    assert no_zone["time_zone_assumed"] is True and no_zone["time"] == "2017-01-06T23:17:00+01:00"
    warnings = " ".join(r.header["warnings"])
    assert "not guessed" in warnings and "Europe/Paris" in warnings


def test_a_page_cut_off_keeps_what_was_read_and_says_so(read, tmp_path):
    root = one_page_download(
        tmp_path / "facebook-cut",
        thread(
            "Riley Kay, Sam Vance",
            message("Riley Kay", "Tuesday, 3 March 2015 at 21:07 UTC+01", "first"),
            message("Riley Kay", "Tuesday, 3 March 2015 at 21:08 UTC+01", "second"),
        ),
    )
    page = root / "html/messages.htm"
    data = page.read_bytes()
    page.write_bytes(data[: data.index(b"second") + 3] + b"\xff\xfe")

    r = read(root)

    assert r.outcome.status == "partial"
    assert r.texts() == ["first", "sec"]
    assert any("could not be read" in w for w in r.header["warnings"])


def test_capturing_an_old_facebook_download_through_the_cli(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London", "--no-under-18").exit_code == 0
    root = one_page_download(
        tmp_path / "facebook-samvance",
        thread(
            "Riley Kay, Sam Vance", message("Riley Kay", "Tuesday, 3 March 2015 at 21:07 UTC+01", "hello")
        ),
    )

    result = run_cli("capture", root, env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    transcript = (case / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8")
    assert '"parser":"facebook-legacy-html"' in transcript and "hello" in transcript
    assert run_cli("verify", case).exit_code == 0
