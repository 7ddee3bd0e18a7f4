"""Instagram and Messenger downloads: layouts, message_N order, mojibake, media, the E2EE export."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from evidencekit.exports.meta import repair
from tests.exports import samples


def test_an_instagram_thread_is_merged_from_both_files_in_time_order(read, tmp_path):
    samples.instagram_thread(tmp_path / "instagram-sam-2024-03-20")

    r = read(tmp_path / "instagram-sam-2024-03-20")

    assert r.parser == "meta" and r.detection.variant == "dyi"
    assert r.detection.label.startswith("Instagram")
    assert r.outcome.status == "complete"
    s = r.outcome.summary
    assert (s["messages"], s["system_messages"]) == (6, 2)  # "Liked a message" and the call are system
    assert s["senders"] == ["Rémy", "Sam Example"]
    assert s["first_time"] == "2024-03-14T21:00:00+00:00" and s["last_time"] == "2024-03-14T21:06:00+00:00"
    times = [m["time"] for m in r.messages]
    assert times == sorted(times), "oldest first, though Meta writes newest first"
    # #1 is the oldest message, as the transcript shows it, though message_1.json holds the newest.
    assert [m["seq"] for m in r.messages] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert r.messages[0]["conversation"] == "Rémy" and r.messages[0]["time_zone_assumed"] is False
    assert r.messages[0]["source"] == {
        "file": "your_instagram_activity/messages/inbox/remy_1234567890/message_2.json",
        "json_path": "messages[3]",
    }


def test_mojibake_is_repaired_and_the_exported_text_kept(read, tmp_path):
    samples.instagram_thread(tmp_path / "ig")

    r = read(tmp_path / "ig")

    threat = r.messages[-1]
    assert threat["sender"] == "Rémy" and threat["text"] == "pay or I post it 😢"
    assert "text-repaired" in threat["flags"]
    assert threat["details"]["text_as_exported"] == samples.mojibake("pay or I post it 😢")
    assert threat["reactions"] == [{"actor": "Sam Example", "reaction": "😢"}]
    assert r.messages[2]["details"]["share"]["share_text"] == "café"
    first = r.messages[0]  # only the sender's name needed repair: the text is not flagged
    assert first["flags"] == [] and first["details"]["sender_as_exported"] == samples.mojibake("Rémy")
    assert any("encoding fault" in w for w in r.header["warnings"])


def test_photos_are_linked_and_missing_videos_reported(read, tmp_path):
    samples.instagram_thread(tmp_path / "ig")

    r = read(tmp_path / "ig")

    photo = next(a for m in r.messages for a in m["attachments"] if a["type"] == "photo")
    assert photo["missing"] is False
    assert photo["member"] == "your_instagram_activity/messages/inbox/remy_1234567890/photos/9.jpg"
    video = next(a for m in r.messages for a in m["attachments"] if a["type"] == "video")
    assert video["missing"] is True and video["name"] == "missing.mp4"
    unsent = next(m for m in r.messages if "unsent" in m["flags"])
    assert unsent["text"] == ""
    call = next(m for m in r.messages if "call" in m["details"])
    assert call["kind"] == "system" and call["details"]["call"] == "call, 65 seconds"


def test_a_facebook_zip_with_an_extra_top_folder_and_two_threads(read, tmp_path):
    r = read(samples.messenger_zip(tmp_path))

    assert r.detection.label.startswith("Facebook Messenger")
    assert r.outcome.summary["conversations"] == 2
    assert [m["conversation"] for m in r.messages][:1] == ["Alex"]  # archived_threads sorts first
    photo = next(a for m in r.messages for a in m["attachments"] if a["type"] == "photo")
    assert photo["missing"] is False  # found despite the extra top folder in the zip
    assert photo["member"].startswith("facebook-samexample-2024-03-20/messages/inbox/")


def test_the_messenger_encrypted_export(read, tmp_path):
    r = read(samples.messenger_e2ee(tmp_path))

    assert r.detection.variant == "e2ee" and r.detection.files == ["Remy_1.json"]
    assert [m["text"] for m in r.messages] == ["no", "answer me", ""]
    assert r.messages[1]["attachments"][0]["member"] == "media/5f1c.jpeg"
    assert r.messages[1]["reactions"] == [{"actor": "Sam Example", "reaction": "😢"}]
    assert r.messages[2]["flags"] == ["unsent"]
    assert r.messages[0]["conversation"] == "Remy"


def test_the_old_instagram_messages_json(read, tmp_path):
    path = tmp_path / "messages.json"
    path.write_text(
        json.dumps(
            [
                {
                    "participants": ["sam", "riley"],
                    "conversation": [
                        {"sender": "riley", "created_at": "2018-05-03T12:00:00.123456+00:00", "text": "hey"},
                        {
                            "sender": "sam",
                            "created_at": "2018-05-03T12:01:00+00:00",
                            "text": "who?",
                            "media_url": "https://scontent.example/x.jpg",
                        },
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )

    r = read(path)

    assert r.detection.variant == "instagram-old"
    assert [m["sender"] for m in r.messages] == ["riley", "sam"]
    assert r.messages[1]["attachments"][0]["url"] == "https://scontent.example/x.jpg"


def test_a_truncated_message_file_keeps_what_was_read_and_says_so(read, tmp_path):
    thread = samples.instagram_thread(tmp_path / "ig")
    data = (thread / "message_2.json").read_bytes()
    (thread / "message_2.json").write_bytes(data[: int(len(data) * 0.6)])

    r = read(tmp_path / "ig")

    assert r.outcome.status == "partial"
    assert "cut off" in r.outcome.problem
    assert r.header["complete"] is False
    assert len(r.messages) >= 4  # message_1.json was whole


def test_a_json_file_in_utf16_is_read(read, tmp_path):
    thread = samples.instagram_thread(tmp_path / "ig")
    for name in ("message_1.json", "message_2.json"):
        text = (thread / name).read_text(encoding="ascii")
        (thread / name).write_bytes(text.encode("utf-16"))

    r = read(tmp_path / "ig")

    assert r.outcome.status in ("complete", "partial")


@given(st.text())
def test_repair_undoes_mojibake_and_never_damages_proper_text(text):
    assert repair(samples.mojibake(text))[0] == text
    fixed, changed = repair(text)
    if changed:  # only text that is itself valid UTF-8 bytes read as Latin-1 is changed
        assert fixed.encode("utf-8").decode("latin-1") == text


# ---- damaged parts, odd threads, notices and the encrypted-chat layout -------------------------


def _thread(root, folder, messages, **facts):
    """One DYI thread file, the way Meta writes it (mojibake, ASCII only, indented)."""
    path = root / "your_facebook_activity/messages/inbox" / folder / "message_1.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**({"participants": facts["participants"]} if "participants" in facts else {})}
    data["messages"] = messages
    if "title" in facts:
        data["title"] = facts["title"]
    path.write_text(json.dumps(data, indent=2), encoding="ascii")
    return path


def _message(sender, ms, text):
    return {"sender_name": sender, "timestamp_ms": ms, "content": samples.mojibake(text)}


def _three_threads(tmp_path):
    root = tmp_path / "facebook-sam-2024-03-20"

    def people(name):
        return [{"name": name}, {"name": "Sam Example"}]

    a = _thread(
        root,
        "aaron_1",
        [_message("Aaron", samples.T0, "first thread")],
        participants=people("Aaron"),
        title="Aaron",
    )
    b = _thread(
        root,
        "blake_2",
        [
            _message("Blake", samples.T0 + 2000, "blake newer"),
            _message("Blake", samples.T0 + 1000, "blake older"),
        ],
        participants=people("Blake"),
        title="Blake",
    )
    c = _thread(
        root,
        "casey_3",
        [_message("Casey", samples.T0, "last thread")],
        participants=people("Casey"),
        title="Casey",
    )
    return root, a, b, c


def test_a_damaged_first_thread_file_costs_only_that_thread(read, tmp_path):
    root, first, _b, _c = _three_threads(tmp_path)
    first.write_bytes(b"\x00\x00\x00 PK garbage where a thread file was")  # a sync tool's half-copy

    r = read(root)

    assert r.parser == "meta" and r.outcome.status == "partial"
    assert [m["text"] for m in r.messages] == ["blake older", "blake newer", "last thread"]
    [lost] = r.header["lost"]
    assert lost["file"].endswith("aaron_1/message_1.json") and lost["messages_read"] == 0
    assert "aaron_1/message_1.json" in r.outcome.problem
    assert any("aaron_1/message_1.json” is damaged" in w for w in r.header["warnings"])


def test_a_thread_cut_short_keeps_its_first_messages_and_every_thread_after_it(read, tmp_path):
    root, _a, middle, _c = _three_threads(tmp_path)
    data = middle.read_bytes()
    middle.write_bytes(data[: data.index(b"blake older")])  # the download stopped here

    r = read(root)

    assert r.outcome.status == "partial" and r.header["complete"] is False
    assert [m["text"] for m in r.messages] == ["first thread", "blake newer", "last thread"]
    # Its title was in the lost part (Meta writes it after the messages): named by its people.
    assert [m["conversation"] for m in r.messages] == ["Aaron", "Blake, Sam Example", "Casey"]
    [lost] = r.header["lost"]
    assert lost == {
        "file": "your_facebook_activity/messages/inbox/blake_2/message_1.json",
        "problem": "the file ends too early: it looks cut off",
        "messages_read": 1,
    }


def test_a_thread_without_participants_or_title_is_read_and_named_after_its_folder(read, tmp_path):
    root = tmp_path / "instagram-sam"
    _thread(root, "riley_998877", [_message("Riley", samples.T0, "pay or else")])

    r = read(root)

    assert r.parser == "meta" and r.outcome.status == "complete"
    assert [(m["conversation"], m["sender"], m["text"]) for m in r.messages] == [
        ("riley_998877", "Riley", "pay or else")
    ]


def test_notices_meta_writes_as_messages_are_system_rows_in_several_languages(read, tmp_path):
    root = tmp_path / "instagram-sam"
    notices = [
        "Reacted 😡 to your message ",
        "Riley liked a message",
        "You changed the theme to Love.",
        "Riley set the quick reaction to 👍.",
        "Reaccionó 😡 a tu mensaje",
        "A réagi 😡 à votre message",
        "Hat mit 😡 auf deine Nachricht reagiert",
    ]
    typed = ["I reacted badly to your message, sorry", "you liked a message of mine?"]
    texts = notices + typed
    _thread(
        root,
        "riley_1",
        [_message("Riley", samples.T0 - i * 1000, t) for i, t in enumerate(texts)],
        participants=[{"name": "Riley"}],
        title="Riley",
    )

    r = read(root)

    kinds = {m["text"]: m["kind"] for m in r.messages}
    assert [kinds[t] for t in notices] == ["system"] * len(notices)
    assert [kinds[t] for t in typed] == ["message", "message"]


def test_the_encrypted_chat_layout_inside_a_download_is_read(read, tmp_path):
    # Since 2024 Messenger's encrypted chats come in the download with camelCase keys, beside the
    # older chats in the usual layout.
    _thread(
        tmp_path / "facebook-sam",
        "aaron_1",
        [_message("Aaron", samples.T0 - 1000, "old chat")],
        title="Aaron",
    )
    thread = tmp_path / "facebook-sam" / "your_facebook_activity/messages/e2ee_cutover/riley_5"
    (thread / "photos").mkdir(parents=True)
    (thread / "photos" / "1.jpg").write_bytes(samples.JPEG)
    (thread / "message_1.json").write_text(
        json.dumps(
            {
                "participants": ["Sam Example", "Riley"],
                "threadName": "Riley",
                "messages": [
                    {
                        "isUnsent": True,
                        "media": [],
                        "reactions": [],
                        "senderName": "Riley",
                        "text": "",
                        "timestamp": samples.T0 + 60000,
                        "type": "Generic",
                    },
                    {
                        "isUnsent": False,
                        "media": [
                            {"uri": "your_facebook_activity/messages/e2ee_cutover/riley_5/photos/1.jpg"}
                        ],
                        "reactions": [],
                        "senderName": "Riley",
                        "text": "you know what this is",
                        "timestamp": samples.T0,
                        "type": "Generic",
                    },
                ],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )

    r = read(tmp_path / "facebook-sam")

    assert r.parser == "meta" and r.outcome.status == "complete"
    assert [(m["conversation"], m["sender"], m["text"], m["flags"]) for m in r.messages] == [
        ("Riley", "Riley", "you know what this is", []),
        ("Riley", "Riley", "", ["unsent"]),
        ("Aaron", "Aaron", "old chat", []),
    ]
    assert r.messages[0]["attachments"][0]["missing"] is False
