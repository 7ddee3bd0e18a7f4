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
import zipfile
import zlib
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
    read_errors_and_os,
    read_problem,
)
from evidencekit.exports.jsonstream import repaired_stream
from evidencekit.exports.source import Source, head_text
from evidencekit.exports.times import from_epoch_ms, shown

NAME = "meta"
VERSION = "2"

_MESSAGE_FILE = re.compile(r"(?:^|/)message_(\d+)\.json$")
_E2EE_FILE = re.compile(r"^(?P<stem>.+)_(?P<n>\d+)\.json$")
_MEDIA_KEYS = (
    ("photos", "photo"),
    ("videos", "video"),
    ("audio_files", "audio"),
    ("files", "file"),
    ("gifs", "gif"),
)
# Notices Meta writes as if they were messages, though nobody typed them (English first, then
# German, Spanish, French, Portuguese and Italian as Meta words them). Whole texts only, so a
# message that merely mentions a reaction stays a message.
_NAME = r".{0,80}"
_EMOJI = r".{1,16}"
_SYSTEM_PATTERNS = (
    # reactions and likes
    rf"(?:{_NAME} )?[Rr]eacted {_EMOJI} to (?:your|a|their|his|her) message",
    rf"(?:{_NAME} )?[Ll]iked a message",
    rf"(?:{_NAME} )?[Hh]at (?:auf deine Nachricht )?mit {_EMOJI} (?:auf deine Nachricht )?reagiert",
    rf"(?:{_NAME} )?[Hh]at eine Nachricht mit „Gefällt mir“ markiert",
    rf"(?:{_NAME} )?[Rr]eaccionó (?:con )?{_EMOJI} a (?:tu|un) mensaje",
    rf"(?:{_NAME} )?[Ll]e gustó un mensaje",
    rf"(?:{_NAME} )?[Aa] réagi (?:par )?{_EMOJI} à (?:votre|ton|un) message",
    rf"(?:{_NAME} )?[Aa] aimé un message",
    rf"(?:{_NAME} )?[Rr]eagiu (?:com )?{_EMOJI} (?:à|a) (?:sua|tua|uma) mensagem",
    rf"(?:{_NAME} )?[Cc]urtiu uma mensagem",
    rf"(?:{_NAME} )?[Hh]a reagito (?:con )?{_EMOJI} (?:al tuo|a un) messaggio",
    rf"(?:{_NAME} )?[Hh]a messo \"Mi piace\" a un messaggio",
    # the chat's look and names
    rf"{_NAME} changed the (?:chat )?theme(?: to .{{0,80}})?\.?",
    rf"{_NAME} changed the (?:chat )?emoji(?: to .{{0,16}})?\.?",
    rf"{_NAME} set the (?:quick reaction|emoji) to .{{0,16}}\.?",
    rf"{_NAME} (?:set|changed|cleared) (?:the|your|his|her|their) nickname.*",
    rf"{_NAME} (?:set|changed|cleared) the nickname (?:for|of) .*",
    rf"{_NAME} hat das (?:Chat-)?Thema (?:zu .{{0,80}} )?geändert\.?",
    rf"{_NAME} cambió el tema(?: a .{{0,80}})?\.?",
    rf"{_NAME} a changé le thème(?: en .{{0,80}})?\.?",
    rf"{_NAME} (?:mudou|alterou) o tema(?: para .{{0,80}})?\.?",
    rf"{_NAME} ha cambiato il tema(?: in .{{0,80}})?\.?",
    # groups
    rf"{_NAME} named the group .*",
    rf"{_NAME} changed the group (?:photo|name).*",
    rf"{_NAME} added .{{1,80}} to the group\.?",
    rf"{_NAME} left the group\.?",
    rf"{_NAME} removed .{{1,80}} from the group\.?",
    rf"{_NAME} (?:made|is no longer) .{{1,80}} (?:an )?admins?\.?",
    # calls, attachments and unsending, which the export shows only as these words
    rf"(?:{_NAME} )?sent an attachment\.",
    rf"{_NAME} sent a (?:photo|video|voice message|link|GIF|sticker)\.?",
    rf"{_NAME} started (?:a|an) (?:video|audio) (?:chat|call)",
    rf"{_NAME} joined the (?:video|audio) (?:chat|call)\.?",
    rf"{_NAME} missed (?:a|your) (?:video |audio )?(?:call|chat)",
    r"(?:The )?(?:[Vv]ideo|[Aa]udio) (?:chat|call) ended\.?",
    rf"{_NAME} unsent a message\.?",
    rf"{_NAME} hat eine Nachricht zurückgerufen\.?",
    rf"{_NAME} anuló el envío de un mensaje\.?",
    rf"{_NAME} a retiré un message\.?",
    rf"{_NAME} cancelou o envio de uma mensagem\.?",
    rf"{_NAME} ha annullato l'invio di un messaggio\.?",
)
_SYSTEM_TEXT = re.compile("^(?:" + "|".join(_SYSTEM_PATTERNS) + ") ?$", re.DOTALL)
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


# Where Meta puts thread folders: a `message_N.json` under one of these is Meta's, even when the
# file itself is too damaged to say so.
_THREAD_FOLDER = re.compile(
    r"(?:^|/)(?:messages/)?(?:inbox|archived_threads|message_requests|filtered_threads|e2ee_cutover)"
    r"/[^/]+/message_\d+\.json$"
)
_LOOK_AT = 20  # thread files looked at before deciding (the first may be the damaged one)


def _dyi_head(head: str) -> bool:
    """A DYI thread file, or one of Messenger's encrypted-chat files named like one. A thread
    without `participants` or `title` (seen in real downloads) still has messages with senders."""
    if '"messages"' not in head:
        return '"participants"' in head and '"sender_name"' in head
    return any(key in head for key in ('"sender_name"', '"timestamp_ms"', '"title"', '"senderName"'))


def _e2ee_head(head: str) -> bool:
    return '"threadName"' in head or ('"senderName"' in head and '"timestamp"' in head)


def detect(source: Source) -> Detection | None:
    names = source.names()
    dyi = [n for n in names if _MESSAGE_FILE.search(n)]
    if source.kind == "file" and not dyi:
        dyi = [n for n in names if n.lower().endswith(".json")]
    if dyi:
        recognised = False
        for name in dyi[:_LOOK_AT]:
            try:
                recognised = _dyi_head(_head_text(source, name))
            except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
                recognised = False  # a damaged member: look at the next thread
            if recognised:
                break
        laid_out = sum(1 for n in dyi if _THREAD_FOLDER.search(n))
        if recognised or laid_out:
            threads: dict[str, list[str]] = {}
            for name in dyi:
                threads.setdefault(posixpath.dirname(name), []).append(name)
            files = [f for key in sorted(threads) for f in sorted(threads[key], key=_number)]
            files += [n for n in _e2ee_files(source, names) if n not in files]
            platform = _platform(source, files)
            return Detection(
                NAME,
                0.9 if recognised else 0.7,
                f"{platform} “Download your information” (JSON)",
                "dyi",
                files,
                {"newest_first": True, "platform": platform},
            )
    e2ee = _e2ee_files(source, names)
    if e2ee:
        return Detection(
            NAME,
            0.85,
            "Messenger end-to-end encrypted chat export (JSON)",
            "e2ee",
            e2ee,
            {"platform": "Facebook Messenger"},
        )
    jsons = [n for n in names if n.lower().endswith(".json")]
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


def _e2ee_files(source: Source, names: list[str]) -> list[str]:
    """Messenger's encrypted-chat files (`<Name>_<N>.json`, camelCase keys), wherever they are."""
    found = []
    jsons = [
        n
        for n in names
        if n.lower().endswith(".json")
        and posixpath.basename(n) not in _SKIP_E2EE
        and not _MESSAGE_FILE.search(n)
    ]
    for name in jsons[:200]:
        try:
            if _e2ee_head(_head_text(source, name)):
                found.append(name)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
            continue
    return sorted(found, key=_e2ee_key)


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
        state = {"seq": 0, "repaired": 0, "system": 0}
        if detection.variant == "instagram-old":
            yield from _parse_old_instagram(source, detection.files[0], context, state)
        else:
            yield from _parse_threads(source, detection, context, state)
        if state["repaired"]:
            context.warn(
                f"{state['repaired']} text(s) were written by Meta with a known encoding fault "
                "(for example “RÃ©my” for “Rémy”) and were repaired; the text as exported is kept "
                "with each one (details.text_as_exported)."
            )


def _parse_threads(
    source: Source, detection: Detection, context: ParseContext, state: dict[str, int]
) -> Iterator[Message]:
    """Every thread file in turn. A damaged file costs only what comes after its damage: the
    messages before it are kept, reading goes on with the next file, and the file, the reason and
    how many of its messages were read are listed in `context.facts["lost"]`."""
    errors = read_errors_and_os()
    conversations: dict[str, Conversation] = {}
    lost: list[dict[str, Any]] = context.facts.setdefault("lost", [])
    by_thread: dict[str, list[str]] = {}
    for name in detection.files:
        by_thread.setdefault(_conversation_key(name), []).append(name)
    for name in detection.files:
        key = _conversation_key(name)
        conversation = conversations.get(key)
        if conversation is None:
            conversation = conversations[key] = Conversation(key=key)
            # Its name before any of its messages: from the first of its files that has one
            # (the first may be the damaged one), else the folder's name, as Meta names it.
            for other in by_thread[key]:
                _read_thread_facts(source, other, conversation)
                if conversation.name is not None:
                    break
            if conversation.name is None:
                conversation.name = posixpath.basename(key) or key
        read = 0
        try:
            for msg in _parse_file(source, name, conversation, context, state):
                read += 1
                yield msg
        except errors as exc:
            problem = read_problem(exc)
            lost.append({"file": name, "problem": problem, "messages_read": read})
            context.warn(
                f"“{name}” is damaged ({problem}): {read:,} of its messages were read before the "
                "damage and are in the transcript; the rest of that file could not be read. Every "
                "other file of the export was read."
            )


def _conversation_key(name: str) -> str:
    if _MESSAGE_FILE.search(name):
        return posixpath.dirname(name) or name
    return _e2ee_key(name)[0]


def _read_thread_facts(source: Source, name: str, conversation: Conversation) -> None:
    """Title and participants, which Meta writes before and after the messages: two quick passes
    (in ijson's C code) so that messages can then be streamed with their conversation's name.
    A thread with neither (it happens) is named after its folder, as Meta names it."""
    import ijson  # type: ignore[import-untyped]

    try:
        with repaired_stream(source.open(name)) as stream:
            for value in ijson.items(stream, "participants"):
                for entry in value if isinstance(value, list) else []:
                    person = entry.get("name") if isinstance(entry, dict) else entry
                    if isinstance(person, str):
                        conversation.participants.append(repair(person)[0])
                break
        for key in ("title", "threadName"):  # DYI, then the encrypted-chat layout
            with repaired_stream(source.open(name)) as stream:
                for value in ijson.items(stream, key):
                    if isinstance(value, str):
                        conversation.name = repair(value)[0]
                    break
            if conversation.name is not None:
                break
    except read_errors_and_os():
        pass  # a damaged file: its messages are still read up to the damage, and that is reported
    if conversation.name is None and conversation.participants:
        conversation.name = ", ".join(conversation.participants)


def _parse_file(
    source: Source,
    name: str,
    conversation: Conversation,
    context: ParseContext,
    state: dict[str, int],
) -> Iterator[Message]:
    import ijson

    with repaired_stream(source.open(name)) as stream:
        for index, raw in enumerate(ijson.items(stream, "messages.item", use_float=True)):
            state["seq"] += 1
            if not isinstance(raw, dict):
                continue
            # Messenger's encrypted-chat layout (camelCase) turns up in its own export and inside
            # "Download your information": each message is read by the keys it has.
            e2ee = "senderName" in raw or ("timestamp" in raw and "timestamp_ms" not in raw)
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


def _dyi_message(
    raw: dict[str, Any], source: Source, name: str, context: ParseContext, state: dict[str, int]
) -> Message:
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
    message_type = raw.get("type")
    if message_type is not None:
        msg.details["type"] = message_type
        if message_type in ("Call", "Subscribe", "Unsubscribe"):
            msg.kind = SYSTEM
    _system_if_notice(msg)
    return msg


def _e2ee_message(
    raw: dict[str, Any], source: Source, name: str, context: ParseContext, state: dict[str, int]
) -> Message:
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
    _system_if_notice(msg)
    return msg


def _system_if_notice(msg: Message) -> None:
    """A notice Meta writes as a message's text (“Reacted 😡 to your message”) is a system row."""
    if msg.kind == MESSAGE and msg.text and not msg.attachments and _SYSTEM_TEXT.match(msg.text):
        msg.kind = SYSTEM


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


def _parse_old_instagram(
    source: Source, name: str, context: ParseContext, state: dict[str, int]
) -> Iterator[Message]:
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
                    text=str(raw["text"]) if isinstance(raw.get("text"), str) else "",
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
