"""Instagram and Facebook Messenger "Download your information" (JSON), and Messenger's
end-to-end-encrypted chat export.

The DYI download has one folder per conversation holding `message_1.json`, `message_2.json`, …
(newest first, about 10,000 messages each), under one of several top folders depending on the year
(`messages/inbox/…`, `your_activity_across_facebook/messages/…`, `your_facebook_activity/messages/…`,
`your_instagram_activity/messages/inbox/…`). Every non-ASCII character is written as the UTF-8
bytes of the character, each as a `\\u00XX` escape ("mojibake": `RÃ©my` for `Rémy`); it is repaired
only when the result is valid UTF-8, and the text as exported is kept next to the repair.

The E2EE export (messenger.com, "secure storage") is a flat folder of `<Name>_<N>.json` with
camelCase keys and a shared `media/` folder. Before about 2020 Instagram wrote one `messages.json`.

Files are read with ijson (streaming), one message at a time.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from evidencekit.exports.base import (
    MESSAGE,
    SYSTEM,
    Attachment,
    Conversation,
    Detection,
    Message,
    ParseContext,
)
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import from_epoch_ms, shown

NAME = "meta"
VERSION = "1"

_MESSAGE_FILE = re.compile(r"(?:^|/)message_(\d+)\.json$")
_E2EE_FILE = re.compile(r"^(?P<stem>.+)_(?P<n>\d+)\.json$")
_MEDIA_KEYS = (
    ("photos", "photo"),
    ("videos", "video"),
    ("audio_files", "audio"),
    ("files", "file"),
    ("gifs", "gif"),
)
_SYSTEM_TEXT = re.compile(
    r"^(?:Liked a message|Reacted .{1,16} to (?:your|a) message|.{0,80} sent an attachment\."
    r"|You sent an attachment\.|.{0,80} started (?:a|an) (?:video|audio) (?:chat|call)"
    r"|.{0,80} missed (?:a|your) (?:video |audio )?(?:call|chat)|(?:Video|Audio) chat ended"
    r"|.{0,80} named the group .*|.{0,80} changed the group photo\.?|.{0,80} added .{1,80} to the group\.?"
    r"|.{0,80} left the group\.?|.{0,80} removed .{1,80} from the group\.?"
    r"|.{0,80} set (?:the|your|his|her|their) nickname .*|.{0,80} unsent a message\.?"
    r"|.{0,80} sent a (?:photo|video|voice message|link)\.?"
    r"|.{0,80} reacted .{1,16} to your message ?)$",
    re.DOTALL,
)
_SKIP_E2EE = {"secret_conversations.json", "messaging_settings.json", "autofill_information.json"}


def repair(text: str) -> tuple[str, bool]:
    """Undo Meta's mojibake when, and only when, it is safe: every character is at most U+00FF and
    those bytes are valid UTF-8. Otherwise the text is returned unchanged."""
    if text.isascii():
        return text, False
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text, False
    return fixed, fixed != text


def _head_text(source: Source, name: str) -> str:
    return head_text(source, name)


def _platform(source: Source, names: list[str]) -> str:
    hay = (source.label + " " + " ".join(names[:50])).lower()
    if "instagram" in hay:
        return "Instagram"
    if "facebook" in hay or "messenger" in hay:
        return "Facebook Messenger"
    return "Instagram or Facebook Messenger"


def _number(name: str) -> int:
    match = _MESSAGE_FILE.search(name)
    return int(match.group(1)) if match else 0


def detect(source: Source) -> Detection | None:
    names = source.names()
    dyi = [n for n in names if _MESSAGE_FILE.search(n)]
    if source.kind == "file" and not dyi:
        dyi = [n for n in names if n.lower().endswith(".json")]
    if dyi:
        head = _head_text(source, dyi[0])
        if ('"participants"' in head and '"sender_name"' in head) or (
            '"messages"' in head and '"title"' in head
        ):
            threads: dict[str, list[str]] = {}
            for name in dyi:
                threads.setdefault(posixpath.dirname(name), []).append(name)
            files = [f for key in sorted(threads) for f in sorted(threads[key], key=_number)]
            platform = _platform(source, files)
            return Detection(
                NAME,
                0.9,
                f"{platform} “Download your information” (JSON)",
                "dyi",
                files,
                {"newest_first": True, "platform": platform},
            )
    jsons = [n for n in names if n.lower().endswith(".json") and posixpath.basename(n) not in _SKIP_E2EE]
    e2ee = []
    for name in jsons[:200]:
        head = _head_text(source, name)
        if '"threadName"' in head or ('"senderName"' in head and '"timestamp"' in head):
            e2ee.append(name)
    if e2ee:
        return Detection(
            NAME,
            0.85,
            "Messenger end-to-end encrypted chat export (JSON)",
            "e2ee",
            sorted(e2ee, key=_e2ee_key),
            {"platform": "Facebook Messenger"},
        )
    for name in jsons[:50]:
        if posixpath.basename(name) != "messages.json" and source.kind != "file":
            continue
        head = _head_text(source, name).lstrip("\ufeff \r\n\t")
        if head.startswith("[") and '"conversation"' in head and '"created_at"' in head:
            return Detection(
                NAME,
                0.8,
                "Instagram data download (messages.json, before 2020)",
                "instagram-old",
                [name],
                {"platform": "Instagram"},
            )
    return None


def _e2ee_key(name: str) -> tuple[str, int]:
    match = _E2EE_FILE.match(posixpath.basename(name))
    if match:
        return (posixpath.join(posixpath.dirname(name), match.group("stem")), int(match.group("n")))
    return (name, 0)


class MetaParser:
    name = NAME
    version = VERSION
    reading_order = "time"

    def detect(self, source: Source) -> Detection | None:
        return detect(source)

    def parse(self, source: Source, detection: Detection, context: ParseContext) -> Iterator[Message]:
        state = {"seq": 0, "repaired": 0}
        if detection.variant == "instagram-old":
            yield from _parse_old_instagram(source, detection.files[0], context, state)
        else:
            conversations: dict[str, Conversation] = {}
            for name in detection.files:
                e2ee = detection.variant == "e2ee"
                key = _e2ee_key(name)[0] if e2ee else posixpath.dirname(name) or name
                conversation = conversations.get(key)
                if conversation is None:
                    conversation = conversations[key] = Conversation(key=key)
                    _read_thread_facts(source, name, conversation, detection.variant == "e2ee")
                yield from _parse_file(
                    source, name, conversation, context, state, detection.variant == "e2ee"
                )
        if state["repaired"]:
            context.warn(
                f"{state['repaired']} text(s) were written by Meta with a known encoding fault "
                "(for example “RÃ©my” for “Rémy”) and were repaired; the text as exported is kept "
                "with each one (details.text_as_exported)."
            )


def _read_thread_facts(source: Source, name: str, conversation: Conversation, e2ee: bool) -> None:
    """Title and participants, which Meta writes before and after the messages: two quick passes
    (in ijson's C code) so that messages can then be streamed with their conversation's name."""
    import ijson

    title_key = "threadName" if e2ee else "title"
    try:
        with repaired_stream(source.open(name)) as stream:
            for value in ijson.items(stream, "participants"):
                for entry in value if isinstance(value, list) else []:
                    person = entry.get("name") if isinstance(entry, dict) else entry
                    if isinstance(person, str):
                        conversation.participants.append(repair(person)[0])
                break
        with repaired_stream(source.open(name)) as stream:
            for value in ijson.items(stream, title_key):
                if isinstance(value, str):
                    conversation.name = repair(value)[0]
                break
    except (ijson.JSONError, ValueError, UnicodeError):
        pass  # a damaged file: its messages are still read up to the damage, and that is reported
    if conversation.name is None and conversation.participants:
        conversation.name = ", ".join(conversation.participants)


def _parse_file(
    source: Source,
    name: str,
    conversation: Conversation,
    context: ParseContext,
    state: dict[str, int],
    e2ee: bool,
) -> Iterator[Message]:
    import ijson

    with repaired_stream(source.open(name)) as stream:
        for index, raw in enumerate(ijson.items(stream, "messages.item", use_float=True)):
            state["seq"] += 1
            if not isinstance(raw, dict):
                continue
            msg = (
                _e2ee_message(raw, source, name, context, state)
                if e2ee
                else _dyi_message(raw, source, name, context, state)
            )
            msg.seq = state["seq"]
            msg.conversation = conversation
            msg.source_file = name
            msg.source_json_path = f"messages[{index}]"
            yield msg


def _time(ms: Any, context: ParseContext) -> Any:
    if isinstance(ms, (int, float)) and not isinstance(ms, bool):
        return shown(from_epoch_ms(ms, None), context.display_zone)
    return None


def _text(raw: Any, msg: Message, state: dict[str, int], key: str) -> str:
    if not isinstance(raw, str):
        return ""
    fixed, changed = repair(raw)
    if changed:
        state["repaired"] += 1
        if key == "text":
            msg.flag("text-repaired")
        msg.details[f"{key}_as_exported"] = raw
    return fixed


def _dyi_message(raw: dict[str, Any], source: Source, name: str, context: ParseContext, state) -> Message:
    ms = raw.get("timestamp_ms")
    msg = Message(
        seq=0, time=_time(ms, context), time_as_written=None if ms is None else str(ms), sender=None, text=""
    )
    sender = raw.get("sender_name")
    if isinstance(sender, str):
        msg.sender = _text(sender, msg, state, "sender")
    msg.text = _text(raw.get("content"), msg, state, "text")
    for key, kind in _MEDIA_KEYS:
        for entry in raw.get(key) or []:
            if isinstance(entry, dict):
                msg.attachments.append(_attachment(entry.get("uri"), kind, source, name, entry))
    sticker = raw.get("sticker")
    if isinstance(sticker, dict) and sticker.get("uri"):
        msg.attachments.append(_attachment(sticker.get("uri"), "sticker", source, name, {}))
    share = raw.get("share")
    if isinstance(share, dict):
        msg.details["share"] = {k: repair(v)[0] if isinstance(v, str) else v for k, v in share.items()}
    for reaction in raw.get("reactions") or []:
        if isinstance(reaction, dict):
            msg.reactions.append({k: repair(v)[0] if isinstance(v, str) else v for k, v in reaction.items()})
    if raw.get("is_unsent"):
        msg.flag("unsent")
    if raw.get("is_geoblocked_for_viewer"):
        msg.details["geoblocked_for_viewer"] = True
    if "call_duration" in raw:
        seconds = raw.get("call_duration") or 0
        msg.kind = SYSTEM
        missed = raw.get("missed")
        msg.details["call"] = "missed call" if missed else f"call, {int(seconds)} seconds"
    kind = raw.get("type")
    if kind is not None:
        msg.details["type"] = kind
        if kind in ("Call", "Subscribe", "Unsubscribe"):
            msg.kind = SYSTEM
    if msg.kind == MESSAGE and msg.text and not msg.attachments and _SYSTEM_TEXT.match(msg.text):
        msg.kind = SYSTEM
    return msg


def _e2ee_message(raw: dict[str, Any], source: Source, name: str, context: ParseContext, state) -> Message:
    ms = raw.get("timestamp")
    msg = Message(
        seq=0, time=_time(ms, context), time_as_written=None if ms is None else str(ms), sender=None, text=""
    )
    sender = raw.get("senderName")
    if isinstance(sender, str):
        msg.sender = _text(sender, msg, state, "sender")
    msg.text = _text(raw.get("text"), msg, state, "text")
    for entry in raw.get("media") or []:
        if isinstance(entry, dict):
            msg.attachments.append(_attachment(entry.get("uri"), None, source, name, {}))
    for reaction in raw.get("reactions") or []:
        if isinstance(reaction, dict):
            msg.reactions.append({k: repair(v)[0] if isinstance(v, str) else v for k, v in reaction.items()})
    if raw.get("isUnsent"):
        msg.flag("unsent")
    kind = raw.get("type")
    if kind is not None:
        msg.details["type"] = kind
        if kind not in ("Generic", "Share", "Sticker", "Media", "Text"):
            msg.kind = SYSTEM
    if raw.get("replyTo") or raw.get("reply_to"):
        msg.flag("reply")
    return msg


def _attachment(uri: Any, kind: str | None, source: Source, near: str, entry: dict[str, Any]) -> Attachment:
    uri = uri if isinstance(uri, str) else ""
    details = {}
    if isinstance(entry.get("creation_timestamp"), (int, float)):
        details["creation_timestamp"] = entry["creation_timestamp"]
    if uri.startswith(("http://", "https://")):
        return Attachment(
            name=posixpath.basename(uri.split("?", 1)[0]) or uri, type=kind, url=uri, details=details
        )
    member = source.find(uri, near=near) if uri else None
    return Attachment(name=posixpath.basename(uri) or "(no name)", member=member, type=kind, details=details)


def _parse_old_instagram(source: Source, name: str, context: ParseContext, state) -> Iterator[Message]:
    import ijson

    from evidencekit.exports.times import UTC

    with repaired_stream(source.open(name)) as stream:
        for c_index, conv in enumerate(ijson.items(stream, "item", use_float=True)):
            if not isinstance(conv, dict):
                continue
            participants = [p for p in conv.get("participants") or [] if isinstance(p, str)]
            conversation = Conversation(
                key=f"{name}#{c_index}", name=", ".join(participants), participants=participants
            )
            for m_index, raw in enumerate(conv.get("conversation") or []):
                if not isinstance(raw, dict):
                    continue
                state["seq"] += 1
                written = raw.get("created_at")
                moment = None
                if isinstance(written, str):
                    from datetime import datetime

                    try:
                        parsed = datetime.fromisoformat(written.replace("Z", "+00:00"))
                        if parsed.tzinfo is None:
                            parsed = parsed.replace(tzinfo=UTC)
                        moment = shown(parsed, context.display_zone)
                    except ValueError:
                        moment = None
                msg = Message(
                    seq=state["seq"],
                    time=moment,
                    time_as_written=written,
                    sender=raw.get("sender"),
                    text=raw.get("text") if isinstance(raw.get("text"), str) else "",
                )
                for key in ("media_url", "media", "media_share_url"):
                    if isinstance(raw.get(key), str):
                        msg.attachments.append(_attachment(raw[key], None, source, name, {}))
                if raw.get("heart"):
                    msg.details["heart"] = raw["heart"]
                msg.conversation = conversation
                msg.source_file = name
                msg.source_json_path = f"[{c_index}].conversation[{m_index}]"
                yield msg


PARSER = MetaParser()
