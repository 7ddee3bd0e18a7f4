"""Signal Desktop chats exported with signal-export: chat.md, data.json and the media folder."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.exports import samples

# As signal-export writes it: each message followed by a blank line, two trailing spaces (a
# Markdown line break), quotes as "> " lines, reactions and attachments after the text.
CHAT_MD = (
    "[2024-02-09 22:16:03] Alex: hey, you look cute in your pics  \n\n"
    "[2024-02-09 22:17:10] Me: who is this?  \n\n"
    "[2024-02-09 22:20:00] Alex: ![2024-02-09T22-20-00.000_00_IMG_0042.jpg](./media/"
    "2024-02-09T22-20-00.000_00_IMG_0042.jpg)  \n\n"
    "[2024-02-09 22:21:00] Alex: pay £500 by midnight\n"
    "or everyone sees it  \n"
    "(- Me: 😢 -)\n\n"
    "[2024-02-09 22:22:00] Me: \n\n> pay £500 by midnight\n\nI'm telling the police  \n\n"
    "[2024-02-09 22:23:00] Alex: (This message was deleted)\n\n"
    "[2024-02-09 22:24:00] Alex: Missed voice call  \n\n"
    "[2024-02-09 22:25:00] Alex: [voice note.m4a](./media/voice%20note.m4a)  \n\n"
)


def _signal_export(tmp_path):
    root = tmp_path / "signal-export"
    chat = root / "Alex"
    (chat / "media").mkdir(parents=True)
    (chat / "chat.md").write_text(CHAT_MD, encoding="utf-8")
    (chat / "media" / "2024-02-09T22-20-00.000_00_IMG_0042.jpg").write_bytes(samples.JPEG)
    (root / "style.css").write_text("body {}", encoding="utf-8")
    return root


def test_a_signal_export_folder_in_markdown(read, tmp_path):
    r = read(_signal_export(tmp_path))

    assert r.parser == "signal" and r.detection.variant == "markdown"
    assert r.outcome.status == "complete"
    first, mine, photo, threat, quoting, deleted, call, voice = r.messages
    assert first["conversation"] == "Alex" and first["sender"] == "Alex"
    # Local time without a zone: read in the stated zone, and said.
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is True
    assert first["text"] == "hey, you look cute in your pics"
    assert mine["sender"] == "(account owner)"
    assert photo["text"] == "" and photo["attachments"][0]["missing"] is False
    assert photo["attachments"][0]["member"] == "Alex/media/2024-02-09T22-20-00.000_00_IMG_0042.jpg"
    assert threat["text"] == "pay £500 by midnight\nor everyone sees it"
    assert threat["reactions"] == [{"actor": "Me", "reaction": "😢"}]
    assert "reply" in quoting["flags"] and quoting["details"]["quote"] == "pay £500 by midnight"
    assert quoting["text"] == "I'm telling the police"
    assert "deleted" in deleted["flags"] and call["kind"] == "system"
    assert voice["attachments"][0]["name"] == "voice note.m4a" and voice["attachments"][0]["missing"] is True
    assert any("local time" in w for w in r.header["warnings"])


def test_the_older_minutes_only_layout_is_not_taken_for_whatsapp(read, tmp_path):
    md = tmp_path / "chat.md"
    md.write_text(
        "[2019-05-29, 15:04] Me: How is everyone?  \n\n[2019-05-29, 15:10] Aya: We're great!  \n\n",
        encoding="utf-8",
    )

    r = read(md)

    assert r.parser == "signal", r.detection.label
    assert r.header["time_precision"] == "minute"
    assert [m["time"] for m in r.messages] == ["2019-05-29T15:04:00+01:00", "2019-05-29T15:10:00+01:00"]


def test_data_json_is_preferred_when_it_is_there(read, tmp_path):
    root = _signal_export(tmp_path)
    lines = [
        {
            "date": "2024-02-09T22:16:03",
            "sender": "Alex",
            "body": "hey  ",
            "quote": "",
            "sticker": None,
            "reactions": [["Me", "👍"]],
            "attachments": [],
            "deleted": False,
            "call": False,
            "missed": False,
        },
        {
            "date": "2024-02-09T22:20:00",
            "sender": "Alex",
            "body": "  ",
            "quote": "\n\n> hey\n\n",
            "sticker": None,
            "reactions": [],
            "attachments": [
                {
                    "name": "2024-02-09T22-20-00.000_00_IMG_0042.jpg",
                    "path": "media/2024-02-09T22-20-00.000_00_IMG_0042.jpg",
                }
            ],
            "deleted": False,
            "call": False,
            "missed": False,
        },
        "not an object",
    ]
    (root / "Alex" / "data.json").write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{broken\n", encoding="utf-8"
    )

    r = read(root)

    assert r.detection.variant == "json" and r.detection.files == ["Alex/data.json"]
    first, second = r.messages
    assert first["text"] == "hey" and first["reactions"] == [{"actor": "Me", "reaction": "👍"}]
    assert second["details"]["quote"] == "hey" and second["attachments"][0]["missing"] is False
    assert any("2 line(s) of data.json" in w for w in r.header["warnings"])


def test_capture_of_a_signal_export_through_the_cli_makes_a_transcript(tmp_path):
    case = tmp_path / "case"
    assert run_cli("new", case, "--timezone", "Europe/London").exit_code == 0

    result = run_cli("capture", _signal_export(tmp_path), env={"EVIDENCEKIT_CASE": str(case)})

    assert result.exit_code == 0, result.output
    transcript = (case / "data/derived/E0001/transcript.jsonl").read_text(encoding="utf-8")
    assert "I'm telling the police" in transcript and '"parser":"signal"' in transcript


# ---- index.html alone ------------------------------------------------------------------------
# Two layouts of signal-export's page: the older one as its templates wrote it (unquoted class
# names, date and time in spans), and the newer one (meta row with a datetime attribute, grouped
# messages, day dividers, call events, reaction chips), reconstructed from the names its own
# tests check for. Both are indented the way BeautifulSoup's prettify() leaves them.

OLDER_PAGE = """<!doctype html>
<html lang='en'>
 <head>
  <meta charset='utf-8'>
  <title>Alex</title>
  <link rel=stylesheet href='../style.css'>
 </head>
 <body>
  <div class=first><a href=#pg0>FIRST</a></div>
  <div class=last><a href=#pg0>LAST</a></div>
  <div class='msg'>
   <span class=date>2024-02-09</span>
   <span class=time>22:16:03</span>
   <span class=sender>Alex</span>
   <p class=body>
    hey, you look cute in your pics
   </p>
   <p class=reaction></p>
  </div>
  <div class='msg me'>
   <span class=date>2024-02-09</span>
   <span class=time>22:17:10</span>
   <span class=sender>Me</span>
   <p class=quote>hey, you look cute in your pics</p>
   <p class=body>who is this?</p>
   <p class=reaction></p>
  </div>
  <div class='msg'>
   <span class=date>2024-02-09</span>
   <span class=time>22:20:00</span>
   <span class=sender>Alex</span>
   <p class=body>
    <figure>
     <label for="IMG_0042.jpg"><img load="lazy" src="./media/IMG_0042.jpg" alt="IMG_0042.jpg"></label>
     <input class="modal-state" id="IMG_0042.jpg" type="checkbox">
     <div class="modal"><label for="IMG_0042.jpg"><div class="modal-content">
      <img class="modal-photo" loading="lazy" src="./media/IMG_0042.jpg" alt="IMG_0042.jpg">
     </div></label></div>
    </figure>
   </p>
   <p class=reaction>Me: 😢</p>
  </div>
 </body>
</html>
"""

NEWER_PAGE = """<!DOCTYPE html>
<html lang="en">
 <head>
  <meta charset="utf-8"/>
  <title>
   Alex
  </title>
  <link href="../style.css" rel="stylesheet"/>
 </head>
 <body>
  <div class="page" id="pg0">
   <div class="day">
    2024-02-09
   </div>
   <div class="msg">
    <div class="meta">
     <span class="sender">
      Alex
     </span>
     <time class="time" datetime="2024-02-09T22:21:00" title="2024-02-09 22:21:00">
      22:21:00
     </time>
    </div>
    <div class="body">
     <p>
      pay £500 by midnight
     </p>
    </div>
    <div class="reactions">
     <span class="reaction" title="Me">
      😢
     </span>
    </div>
   </div>
   <div class="msg cont">
    <div class="body">
     <p>
      or everyone sees it
     </p>
    </div>
   </div>
   <div class="msg deleted">
    <div class="meta">
     <span class="sender">Alex</span>
     <time class="time" datetime="2024-02-09T22:23:00">22:23:00</time>
    </div>
    <p class="body"><em>This message was deleted</em></p>
   </div>
   <div class="event call missed">
    <span class="icon">📞</span>
    <span class="text">Missed voice call</span>
    <time class="time" datetime="2024-02-09T22:24:00">22:24:00</time>
   </div>
  </div>
 </body>
</html>
"""


def _html_only_export(tmp_path, page=OLDER_PAGE):
    root = tmp_path / "signal-export"
    chat = root / "Alex"
    (chat / "media").mkdir(parents=True)
    (chat / "index.html").write_text(page, encoding="utf-8")
    (chat / "media" / "IMG_0042.jpg").write_bytes(samples.JPEG)
    (root / "style.css").write_text("body {}", encoding="utf-8")
    return root


def test_only_the_older_index_html_is_there(read, tmp_path):
    r = read(_html_only_export(tmp_path))

    assert r.parser == "signal" and r.detection.variant == "html"
    assert r.detection.files == ["Alex/index.html"]
    first, mine, photo = r.messages
    assert first["sender"] == "Alex" and first["text"] == "hey, you look cute in your pics"
    assert first["time"] == "2024-02-09T22:16:03+00:00" and first["time_zone_assumed"] is True
    assert first["conversation"] == "Alex"
    assert mine["sender"] == "(account owner)" and "reply" in mine["flags"]
    assert mine["details"]["quote"] == "hey, you look cute in your pics"
    [picture] = photo["attachments"]  # the thumbnail and the full-size view are one picture
    assert picture["member"] == "Alex/media/IMG_0042.jpg" and picture["missing"] is False
    assert photo["reactions"] == [{"actor": None, "as_written": "Me: 😢"}]


def test_only_the_newer_index_html_is_there(read, tmp_path):
    r = read(_html_only_export(tmp_path, NEWER_PAGE))

    threat, more, deleted, call = r.messages
    assert threat["time"] == "2024-02-09T22:21:00+00:00" and threat["text"] == "pay £500 by midnight"
    assert threat["reactions"] == [{"actor": "Me", "as_written": "😢"}]
    # Grouped under the message before it: same sender, the day from the divider, no time.
    assert more["sender"] == "Alex" and more["details"]["sender_from_previous"] is True
    assert (
        more["time"] is None and "time-unknown" in more["flags"] and more["time_as_written"] == "2024-02-09"
    )
    assert "deleted" in deleted["flags"] and deleted["text"] == ""
    assert call["kind"] == "system" and call["details"]["call"] == "missed call"
    assert "Missed voice call" in call["text"] and call["time"] == "2024-02-09T22:24:00+00:00"
    assert any("shows no time" in w for w in r.header["warnings"])


def test_chat_md_is_still_preferred_over_the_page(read, tmp_path):
    root = _html_only_export(tmp_path)
    (root / "Alex" / "chat.md").write_text(CHAT_MD, encoding="utf-8")

    r = read(root)

    assert r.detection.files == ["Alex/chat.md"] and r.detection.variant == "markdown"


def test_any_other_html_page_is_not_taken_for_signal(tmp_path):
    from evidencekit.exports import detect
    from evidencekit.exports.source import open_source

    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<html><body><div class='msg'>hello</div></body></html>", "utf-8")

    found = detect(open_source(folder, "site"))
    assert found is None or found[0].name != "signal"


def test_a_page_that_stops_being_utf8_keeps_the_messages_before_the_damage(read, tmp_path):
    root = _html_only_export(tmp_path)
    page = root / "Alex" / "index.html"
    data = page.read_bytes()
    cut = data.index(b"IMG_0042.jpg")  # inside the third message
    page.write_bytes(data[:cut] + b"\xff" + data[cut:])

    r = read(root)

    assert r.outcome.status == "partial" and "encoding" in (r.outcome.problem or "")
    assert [m["text"] for m in r.messages] == ["hey, you look cute in your pics", "who is this?"]
