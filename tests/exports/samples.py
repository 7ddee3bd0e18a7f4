"""Realistic synthetic chat exports, written the way each app writes them. Everything is invented.

Invisible characters are spelled out: LRM = U+200E (left-to-right mark), NNBSP = U+202F (narrow
no-break space, before AM/PM since 2023), NBSP = U+00A0.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

LRM = "\u200e"
NNBSP = "\u202f"
NBSP = "\u00a0"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32

# ---- WhatsApp ---------------------------------------------------------------------------------

ANDROID_DMY = (
    "14/03/2024, 20:51 - Messages and calls are end-to-end encrypted. No one outside of this chat, "
    "not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "14/03/2024, 21:07 - Riley: you there?\n"
    "14/03/2024, 21:08 - Sam: yes\n"
    "what do you want\n"
    "2016-04-29 10:30:00 is not a new message, just a line that starts with a date\n"
    f"14/03/2024, 21:09 - Riley: {LRM}IMG-20240314-WA0007.jpg (file attached)\n"
    "caption written under the photo\n"
    "14/03/2024, 21:10 - Riley: <Media omitted>\n"
    "14/03/2024, 21:11 - Riley: This message was deleted\n"
    "14/03/2024, 21:12 - Sam: ok fine <This message was edited>\n"
    "15/03/2024, 09:00 - Riley: Pay €500 in gift cards: 2 hours ⏰ — or I send them 🙂\n"
    "15/03/2024, 09:01 - Riley: \n"
    "15/03/2024, 09:02 - Riley changed their phone number to a new number. "
    "Tap to message or add the new number.\n"
)

ANDROID_US_12H = (
    f"3/14/24, 9:07{NNBSP}PM - Riley: you there?\n"
    f"3/14/24, 9:08{NNBSP}PM - Sam: who is this\n"
    f"3/14/24, 12:15{NNBSP}AM - Riley: <Media omitted>\n"
    f"3/15/24, 12:01{NNBSP}PM - Riley: noon\n"
)

IOS_DMY = (
    f"[14/03/2024, 20:51:02] Riley: {LRM}Messages and calls are end-to-end encrypted. No one outside of "
    "this chat, not even WhatsApp, can read or listen to them.\n"
    "[14/03/2024, 21:07:41] Riley: you there?\n"
    "[14/03/2024, 21:08:05] Sam: yes: what?\n"
    "second line of Sam's message\n"
    f"{LRM}[14/03/2024, 21:09:02] Riley: {LRM}<attached: 00000007-PHOTO-2024-03-14-21-09-02.jpg>\n"
    f"{LRM}[14/03/2024, 21:10:15] Riley: {LRM}image omitted\n"
    f"{LRM}[14/03/2024, 21:10:30] Riley: {LRM}report.pdf • 3 pages document omitted\n"
    f"[14/03/2024, 21:11:30] Riley: {LRM}This message was deleted.\n"
    f"[14/03/2024, 21:12:00] Sam: fine {LRM}<This message was edited>\n"
    f"{LRM}[14/03/2024, 21:13:00] Riley: {LRM}<attached: 00000009-AUDIO-2024-03-14-21-13-00.opus>\n"
)

IOS_SPANISH_12H = (
    f"[14/3/24, 9:07:41{NBSP}p.{NBSP}m.] Riley: hola\n"
    f"[14/3/24, 9:09:02{NBSP}p.{NBSP}m.] Riley: {LRM}<adjunto: 00000012-PHOTO-2024-03-14-21-09-02.jpg>\n"
    f"[14/3/24, 9:11:30{NBSP}p.{NBSP}m.] Riley: {LRM}Se eliminó este mensaje.\n"
    f"[15/3/24, 10:00:00{NBSP}a.{NBSP}m.] Sam: vale\n"
)

ANDROID_GERMAN = (
    "14.03.24, 21:07 - Riley: bist du da?\n"
    "14.03.24, 21:08 - Riley: <Medien ausgeschlossen>\n"
    "14.03.24, 21:09 - Riley: IMG-20240314-WA0003.jpg (Datei angehängt)\n"
    "14.03.24, 21:10 - Riley: Diese Nachricht wurde gelöscht\n"
    "14.03.24, 21:11 - Sam: nein <Diese Nachricht wurde bearbeitet>\n"
)

IOS_FINNISH = "[13.6.2018 klo 21.25.15] Riley: moi\n[13.6.2018 klo 21.26.00] Sam: kuka olet\n"

YEAR_FIRST = "2024/03/14 21:07 - Riley: first\n2024/03/14 21:08 - Sam: second\n"

AMBIGUOUS = (
    "01/02/2024, 21:07 - Riley: hello\n02/02/2024, 21:08 - Sam: hi\n03/02/2024, 21:09 - Riley: answer me\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def whatsapp_android_zip(folder: Path) -> Path:
    """Android "Export chat → Attach media", shared as a zip: the .txt plus the media it names."""
    path = folder / "WhatsApp Chat with Riley.zip"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Riley.txt", ANDROID_DMY)
        zf.writestr("IMG-20240314-WA0007.jpg", JPEG)
        zf.writestr("VID-20240314-WA0002.mp4", MP4)  # in the zip, but no message mentions it
    return path


def whatsapp_ios_zip(folder: Path) -> Path:
    path = folder / "WhatsApp Chat - Riley.zip"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", IOS_DMY)
        zf.writestr("00000007-PHOTO-2024-03-14-21-09-02.jpg", JPEG)
        # 00000009-AUDIO… is mentioned but was not included: it must be reported missing.
    return path


# ---- Meta (Instagram / Messenger) ----------------------------------------------------------


def mojibake(text: str) -> str:
    """What Meta writes for `text`: each UTF-8 byte as a character (\\u00XX in the JSON)."""
    return text.encode("utf-8").decode("latin-1")


T0 = 1710450000000  # 2024-03-14T21:00:00Z


def instagram_thread(root: Path, prefix: str = "your_instagram_activity/messages/inbox") -> Path:
    """An Instagram DYI thread split over two files, newest first, as Meta writes it."""
    thread = root / prefix / "remy_1234567890"
    (thread / "photos").mkdir(parents=True)
    (thread / "photos" / "9.jpg").write_bytes(JPEG)
    uri = f"{prefix}/remy_1234567890"
    newer = {
        "participants": [{"name": mojibake("Rémy")}, {"name": "Sam Example"}],
        "messages": [
            {
                "sender_name": mojibake("Rémy"),
                "timestamp_ms": T0 + 6 * 60000,
                "content": mojibake("pay or I post it 😢"),
                "reactions": [{"reaction": mojibake("😢"), "actor": "Sam Example"}],
            },
            {
                "sender_name": mojibake("Rémy"),
                "timestamp_ms": T0 + 5 * 60000,
                "content": "",
                "is_unsent": True,
            },
            {
                "sender_name": mojibake("Rémy"),
                "timestamp_ms": T0 + 4 * 60000,
                "photos": [{"uri": f"{uri}/photos/9.jpg", "creation_timestamp": 1710450240}],
            },
            {
                "sender_name": mojibake("Rémy"),
                "timestamp_ms": T0 + 4 * 60000,
                "videos": [{"uri": f"{uri}/videos/missing.mp4", "creation_timestamp": 1710450240}],
            },
        ],
        "title": mojibake("Rémy"),
        "is_still_participant": True,
        "thread_path": "inbox/remy_1234567890",
        "magic_words": [],
    }
    older = {
        "participants": newer["participants"],
        "messages": [
            {"sender_name": "Sam Example", "timestamp_ms": T0 + 3 * 60000, "content": "Liked a message"},
            {
                "sender_name": "Sam Example",
                "timestamp_ms": T0 + 2 * 60000,
                "share": {"link": "https://www.instagram.com/reel/abc/", "share_text": mojibake("café")},
            },
            {"sender_name": mojibake("Rémy"), "timestamp_ms": T0 + 1 * 60000, "call_duration": 65},
            {"sender_name": mojibake("Rémy"), "timestamp_ms": T0, "content": "hey, saw you on insta"},
        ],
        "title": mojibake("Rémy"),
        "is_still_participant": True,
        "thread_path": "inbox/remy_1234567890",
    }
    (thread / "message_1.json").write_text(json.dumps(newer, indent=2), encoding="ascii")
    (thread / "message_2.json").write_text(json.dumps(older, indent=2), encoding="ascii")
    return thread


def messenger_zip(folder: Path) -> Path:
    """A Facebook DYI zip (older layout, an extra top folder, two threads)."""
    staging = folder / "build"
    instagram_thread(staging, prefix="messages/inbox")
    other = staging / "messages" / "archived_threads" / "alex_99"
    other.mkdir(parents=True)
    (other / "message_1.json").write_text(
        json.dumps(
            {
                "participants": [{"name": "Alex"}, {"name": "Sam Example"}],
                "messages": [{"sender_name": "Alex", "timestamp_ms": T0 - 86400000, "content": "old chat"}],
                "title": "Alex",
            }
        ),
        encoding="ascii",
    )
    path = folder / "facebook-samexample-2024-03-20.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(staging.rglob("*")):
            if file.is_file():
                zf.write(file, "facebook-samexample-2024-03-20/" + file.relative_to(staging).as_posix())
    return path


def messenger_e2ee(folder: Path) -> Path:
    root = folder / "messenger-secure-storage"
    (root / "media").mkdir(parents=True)
    (root / "media" / "5f1c.jpeg").write_bytes(JPEG)
    (root / "secret_conversations.json").write_text('{"secret": []}', encoding="utf-8")
    (root / "Remy_1.json").write_text(
        json.dumps(
            {
                "participants": ["Sam Example", "Remy"],
                "threadName": "Remy",
                "messages": [
                    {
                        "senderName": "Remy",
                        "text": "answer me",
                        "timestamp": T0 + 60000,
                        "type": "Generic",
                        "isUnsent": False,
                        "media": [{"uri": "./media/5f1c.jpeg"}],
                        "reactions": [{"actor": "Sam Example", "reaction": "😢"}],
                    },
                    {
                        "senderName": "Remy",
                        "text": "",
                        "timestamp": T0 + 120000,
                        "type": "Generic",
                        "isUnsent": True,
                        "media": [],
                        "reactions": [],
                    },
                    {
                        "senderName": "Sam Example",
                        "text": "no",
                        "timestamp": T0,
                        "type": "Generic",
                        "isUnsent": False,
                        "media": [],
                        "reactions": [],
                    },
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return root


# ---- Telegram --------------------------------------------------------------------------------

TELEGRAM_MESSAGES = [
    {
        "id": 510,
        "type": "message",
        "date": "2024-03-14T22:05:00",
        "date_unixtime": "1710450300",
        "from": "Riley",
        "from_id": "user555000111",
        "text": "hi",
        "text_entities": [{"type": "plain", "text": "hi"}],
    },
    {
        "id": 512,
        "type": "message",
        "date": "2024-03-14T22:07:41",
        "date_unixtime": "1710450461",
        "edited": "2024-03-14T22:09:00",
        "edited_unixtime": "1710450540",
        "from": "Riley",
        "from_id": "user555000111",
        "reply_to_message_id": 510,
        "photo": "photos/photo_3@14-03-2024_22-07-41.jpg",
        "width": 960,
        "height": 1280,
        "text": [
            "send it ",
            {"type": "bold", "text": "now"},
            " ",
            {"type": "text_link", "text": "here", "href": "https://pay.example/x"},
        ],
        "text_entities": [
            {"type": "plain", "text": "send it "},
            {"type": "bold", "text": "now"},
            {"type": "plain", "text": " "},
            {"type": "text_link", "text": "here", "href": "https://pay.example/x"},
        ],
    },
    {
        "id": 513,
        "type": "service",
        "date": "2024-03-14T22:10:02",
        "date_unixtime": "1710450602",
        "actor": "Sam",
        "actor_id": "user555000222",
        "action": "take_screenshot",
        "text": "",
        "text_entities": [],
    },
    {
        "id": 514,
        "type": "message",
        "date": "2024-03-14T22:11:00",
        "date_unixtime": "1710450660",
        "from": "Riley",
        "from_id": "user555000111",
        "forwarded_from": "Someone",
        "file": "(File not included. Change data exporting settings to download.)",
        "media_type": "video_file",
        "file_name": "clip.mp4",
        "text": "",
        "text_entities": [],
    },
    {
        "id": 515,
        "type": "message",
        "date": "2024-03-14T22:12:00",
        "from": None,
        "from_id": "user1",
        "text": "written by an account that was deleted, in an export without date_unixtime",
        "text_entities": [],
    },
]


def telegram_chat(folder: Path) -> Path:
    root = folder / "ChatExport_2024-03-20"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "photo_3@14-03-2024_22-07-41.jpg").write_bytes(JPEG)
    data = {"name": "Riley", "type": "personal_chat", "id": 555000111, "messages": TELEGRAM_MESSAGES}
    (root / "result.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return root


def telegram_full(folder: Path) -> Path:
    root = folder / "DataExport_2024-03-20"
    root.mkdir(parents=True)
    data = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 555000222, "first_name": "Sam"},
        "contacts": {"about": "", "list": []},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Riley",
                    "type": "personal_chat",
                    "id": 555000111,
                    "messages": TELEGRAM_MESSAGES[:3],
                },
                {
                    "type": "saved_messages",
                    "id": 555000222,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date": "2024-03-01T10:00:00",
                            "date_unixtime": "1709287200",
                            "from": "Sam",
                            "from_id": "user555000222",
                            "text": "note to self",
                            "text_entities": [],
                        }
                    ],
                },
            ],
        },
        "left_chats": {
            "about": "",
            "list": [
                {
                    "name": "Old group",
                    "type": "private_group",
                    "id": 42,
                    "messages": [
                        {
                            "id": 7,
                            "type": "message",
                            "date": "2023-01-01T10:00:00",
                            "date_unixtime": "1672567200",
                            "from": "Riley",
                            "from_id": "user555000111",
                            "text": "bye",
                            "text_entities": [],
                        }
                    ],
                }
            ],
        },
    }
    (root / "result.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return root


# ---- Snapchat --------------------------------------------------------------------------------


def snapchat_new(folder: Path) -> Path:
    root = folder / "mydata~1710450600"
    (root / "json").mkdir(parents=True)
    (root / "chat_media").mkdir()
    (root / "chat_media" / "2024-03-14_b~EiASFk0tZXNzYWdl.jpeg").write_bytes(JPEG)
    data = {
        "riley_x22": [
            {
                "From": "riley_x22",
                "Media Type": "TEXT",
                "Created": "2024-03-14 21:07:41 UTC",
                "Content": "you there?",
                "Conversation Title": None,
                "IsSender": False,
                "Created(microseconds)": 1710450461000,
                "IsSaved": True,
                "Media IDs": "",
            },
            {
                "From": "riley_x22",
                "Media Type": "MEDIA",
                "Created": "2024-03-14 21:09:00 UTC",
                "Content": None,
                "Conversation Title": None,
                "IsSender": False,
                "Created(microseconds)": 1710450540000,
                "IsSaved": True,
                "Media IDs": "b~EiASFk0tZXNzYWdl",
            },
            {
                "From": "sam.example",
                "Media Type": "TEXT",
                "Created": "2024-03-14 21:08:00 UTC",
                "Content": "who is this",
                "Conversation Title": None,
                "IsSender": True,
                "Created(microseconds)": 1710450480000,
                "IsSaved": False,
                "Media IDs": "",
            },
            {
                "From": "riley_x22",
                "Media Type": "NOTE",
                "Created": "2024-03-14 21:10:00 UTC",
                "Content": None,
                "Conversation Title": None,
                "IsSender": False,
                "Created(microseconds)": 1710450600000,
                "IsSaved": True,
                "Media IDs": "b~gone",
            },
        ]
    }
    (root / "json" / "chat_history.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return root


def snapchat_old(folder: Path) -> Path:
    path = folder / "chat_history.json"
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "Received Saved Chat History": [
            {
                "From": "riley_x22",
                "Media Type": "TEXT",
                "Created": "2020-05-01 10:00:00 UTC",
                "Text": "you &amp; me &lt;3",
            },
        ],
        "Sent Saved Chat History": [
            {"To": "riley_x22", "Media Type": "TEXT", "Created": "2020-05-01 10:01:00 UTC", "Text": "no"},
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ---- Discord ---------------------------------------------------------------------------------


def discord_package(folder: Path) -> Path:
    root = folder / "package"
    (root / "account").mkdir(parents=True)
    (root / "account" / "user.json").write_text(
        json.dumps({"id": "111111111111111111", "username": "sam_example", "global_name": "Sam"}),
        encoding="utf-8",
    )
    msgs = root / "messages"
    (msgs / "c222222222222222222").mkdir(parents=True)
    (msgs / "c333333333333333333").mkdir()
    (msgs / "index.json").write_text(
        json.dumps({"222222222222222222": "Direct Message with riley#0", "333333333333333333": None}),
        encoding="utf-8",
    )
    (msgs / "c222222222222222222" / "channel.json").write_text(
        json.dumps({"id": "222222222222222222", "type": "DM", "recipients": ["111", "444"]}), encoding="utf-8"
    )
    (msgs / "c222222222222222222" / "messages.json").write_text(
        json.dumps(
            [
                {
                    "ID": 1218000000000000002,
                    "Timestamp": "2024-03-14 21:09:00",
                    "Contents": "please stop",
                    "Attachments": "",
                },
                {
                    "ID": 1218000000000000001,
                    "Timestamp": "2024-03-14 21:07:00",
                    "Contents": "who are you",
                    "Attachments": "https://cdn.discordapp.com/attachments/1/2/proof.png",
                },
            ]
        ),
        encoding="utf-8",
    )
    (msgs / "c333333333333333333" / "channel.json").write_text(
        json.dumps(
            {
                "id": "333333333333333333",
                "type": "GUILD_TEXT",
                "name": "general",
                "guild": {"id": "9", "name": "A server"},
            }
        ),
        encoding="utf-8",
    )
    (msgs / "c333333333333333333" / "messages.csv").write_text(
        "ID,Timestamp,Contents,Attachments\n"
        '1218000000000000009,2024-03-13 10:00:00.000000+00:00,"hello, all\nsecond line",\n',
        encoding="utf-8",
    )
    return root


def discord_exporter(folder: Path) -> Path:
    path = folder / "Direct Messages - riley [222].json"
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "guild": {"id": "0", "name": "Direct Messages", "iconUrl": ""},
        "channel": {"id": "222", "type": "DirectTextChat", "name": "riley"},
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2024-03-20T10:00:00+00:00",
        "messages": [
            {
                "id": "1",
                "type": "Default",
                "timestamp": "2024-03-14T21:07:41.123+00:00",
                "timestampEdited": None,
                "content": "send the money",
                "author": {
                    "id": "444",
                    "name": "riley",
                    "discriminator": "0000",
                    "nickname": "Riley",
                    "isBot": False,
                },
                "attachments": [
                    {
                        "id": "9",
                        "url": "https://cdn.discordapp.com/attachments/x/y/pic.png",
                        "fileName": "pic.png",
                        "fileSizeBytes": 1234,
                    }
                ],
                "reactions": [{"emoji": {"name": "😂"}, "count": 1, "users": [{"name": "riley"}]}],
            },
            {
                "id": "2",
                "type": "Reply",
                "timestamp": "2024-03-14T22:08:00+01:00",
                "timestampEdited": "2024-03-14T22:09:00+01:00",
                "content": "no",
                "author": {"id": "111", "name": "sam_example", "nickname": "Sam"},
                "reference": {"messageId": "1"},
                "attachments": [],
            },
            {
                "id": "3",
                "type": "RecipientAdd",
                "timestamp": "2024-03-14T21:10:00+00:00",
                "content": "",
                "author": {"id": "444", "name": "riley"},
                "attachments": [],
            },
        ],
        "messageCount": 3,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# ---- SMS Backup & Restore --------------------------------------------------------------------


def sms_backup(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sms-20240320100000.xml"
    picture = base64.b64encode(JPEG).decode("ascii")
    common = 'protocol="0" subject="null" toa="null" sc_toa="null" service_center="null" read="1" status="-1"'
    first = (
        f'<sms {common} address="+15550100" date="1710450461000" type="1" body="you there? &#55357;&#56832;" '
        'date_sent="1710450460000" readable_date="Mar 14, 2024 9:07:41 PM" contact_name="Riley" />'
    )
    sent = (
        f'<sms {common} address="+15550100" date="1710450400000" type="2" body="who is this" date_sent="0" '
        'readable_date="Mar 14, 2024 9:06:40 PM" contact_name="Riley" />'
    )
    other = (
        f'<sms {common} address="+15550199" date="1710450000000" type="1" body="unrelated &#55357; half" '
        'readable_date="Mar 14, 2024 9:00:00 PM" contact_name="(Unknown)" />'
    )
    xml = f"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup &amp; Restore v10.20.002 on 20/03/2024 10:00:00-->
<smses count="4" backup_set="x" backup_date="1710928800000" type="full">
  {first}
  {sent}
  {other}
  <mms date="1710450520000" msg_box="1" address="+15550100" m_type="132" contact_name="Riley"
       readable_date="Mar 14, 2024 9:08:40 PM">
    <parts>
      <part seq="-1" ct="application/smil" name="null" text="&lt;smil&gt;&lt;/smil&gt;" />
      <part seq="0" ct="text/plain" name="null" text="look at this" />
      <part seq="1" ct="image/jpeg" name="a.jpg" cl="a.jpg" data="{picture}" />
      <part seq="2" ct="video/mp4" name="v.mp4" cl="v.mp4" />
    </parts>
    <addrs>
      <addr address="+15550100" type="137" charset="106" />
      <addr address="+15550123" type="151" charset="106" />
    </addrs>
  </mms>
</smses>
"""
    path.write_text(xml, encoding="utf-8")
    return path


def calls_backup(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "calls-20240320100000.xml"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<calls count="2" backup_set="x" backup_date="1710928800000" type="full">\n'
        '  <call number="+15550100" duration="65" date="1710450000000" type="1" presentation="1" '
        'readable_date="Mar 14, 2024 9:00:00 PM" contact_name="Riley" />\n'
        '  <call number="+15550100" duration="0" date="1710450600000" type="3" presentation="1" '
        'readable_date="Mar 14, 2024 9:10:00 PM" contact_name="Riley" />\n'
        "</calls>\n",
        encoding="utf-8",
    )
    return path
