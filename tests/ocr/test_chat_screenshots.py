"""A detective reading forty chat screenshots wants each one as messages: who sent what, in which
conversation. Each app's layout is drawn by Chromium (light and dark), read as capture reads it,
and held to what was drawn: the words, the side of every message, the name in the header."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from evidencekit.ocr.chat import ME, chat_from
from evidencekit.ocr.engine import Engine
from evidencekit.ocr.layout import RECEIVED, SENT, read_picture
from tests.ocr import chatshots
from tests.ocr.scoring import score


@pytest.fixture(scope="module")
def engine():
    with Engine() as opened:
        yield opened


def read(engine: Engine, path: Path):
    with Image.open(path) as picture:
        reading = read_picture(engine, picture.convert("RGB"))
    return reading, chat_from(reading)


@pytest.mark.parametrize("shot", chatshots.all_shots(), ids=lambda s: s.name)
def test_every_app_in_both_themes_reads_as_its_messages(engine, shots, shot):
    reading, chat = read(engine, shots[shot.name])

    assert chat is not None, reading.text
    assert chat.title == shot.title
    result = score(shot, chat)
    assert result["words_right"] >= 0.95 * result["words"], [m.text for m in chat.messages]
    assert result["sides_right"] == result["sides"], [(m.side, m.text) for m in chat.messages]
    messages = [m for m in chat.messages if not m.system]
    assert [m.side for m in messages] == [line.side for line in shot.lines]
    received = {m.sender for m in messages if m.side == RECEIVED}
    sent = {m.sender for m in messages if m.side == SENT}
    assert received == {shot.title}
    assert sent == ({"me_myself"} if shot.app == "discord" else {ME})
    assert all(m.box[2] > 0 and m.box[3] > 0 and 0 <= m.confidence <= 100 for m in chat.messages)


def test_times_written_inside_bubbles_are_kept_as_written_and_taken_out_of_the_text(engine, shots):
    _, chat = read(engine, shots["telegram-light"])

    first = next(m for m in chat.messages if not m.system)
    assert first.text == "Hey are you there"
    assert first.time_as_written == "21:14"


def test_a_time_between_messages_is_a_notice_not_a_message(engine, shots):
    _, chat = read(engine, shots["imessage-light"])

    notices = [m for m in chat.messages if m.system]
    assert [m.text for m in notices] == ["Today 21:14"]
    assert notices[0].side is None and notices[0].sender is None


def test_usernames_amounts_emoji_and_right_to_left_text_do_not_break_the_chat(engine, shots):
    _, chat = read(engine, shots["instagram-light-extra"])

    messages = [m for m in chat.messages if not m.system]
    assert [m.side for m in messages] == [RECEIVED, RECEIVED, SENT, RECEIVED, SENT]
    assert "dark.knight_77" in messages[0].text
    assert "250 EUR" in messages[1].text
    assert messages[2].text.startswith("Please stop")
    assert messages[4].text == "I will go to the police"


# Messenger's light grey bubbles cannot be told from a photographed white screen: their text's
# place says who wrote it.
@pytest.mark.parametrize("name", ["whatsapp-light-photo", "imessage-dark-photo", "messenger-light-photo"])
def test_a_photo_of_the_screen_is_straightened_and_still_read(engine, shots, name):
    shot = chatshots.shot(*name.split("-")[:2])
    reading, chat = read(engine, shots[name])

    assert reading.turned != 0
    assert chat is not None and chat.title == shot.title
    result = score(shot, chat)
    assert result["words_right"] >= 0.9 * result["words"]
    assert result["sides_right"] == result["sides"]


def test_a_picture_that_is_not_a_chat_gives_its_text_but_no_messages(engine, tmp_path):
    from PIL import ImageDraw, ImageFont

    picture = Image.new("RGB", (900, 300), "white")
    font = ImageFont.truetype("DejaVuSans.ttf", 40)
    ImageDraw.Draw(picture).text((30, 100), "Account suspended until 2026", fill="black", font=font)
    reading = read_picture(engine, picture)

    assert "Account suspended until 2026" in reading.text
    assert chat_from(reading) is None
