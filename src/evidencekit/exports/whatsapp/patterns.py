"""What WhatsApp writes: the header of a message line, the chat's name, and the markers (attached
files, omitted media, deleted and edited messages, system events) in the common languages."""

from __future__ import annotations

import re

_SPACE = "[ \u00a0\u202f]"
HEADER = re.compile(
    r"^(?P<pre>[\ufeff\u200e\u200f]*)(?P<br>\[)?[\ufeff\u200e\u200f]*"
    r"(?P<a>\d{1,4})(?P<sep>[./-]) ?(?P<b>\d{1,4})(?P=sep) ?(?P<c>\d{2,4})(?P<dot>\.)?"
    r"(?:,? klo |, ?| )"
    r"(?P<pre_ampm>上午|下午|午前|午後|오전|오후)?" + _SPACE + "?"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:" + _SPACE + r"?(?P<ampm>[AaPp]\.?" + _SPACE + r"?[Mm]\.?))?"
    # After the time: "] " (iPhone) or " - " / ": " (Android). Hungarian-style dates, which end
    # in a full stop (`13. 6. 2018. 21:25:15 Name: text`), may have only a space there.
    r"(?(br)\]" + _SPACE + r"|(?(dot)(?: [-–] |: | )|(?: [-–] |: )))"
    r"(?P<rest>.*)$"
)
# Invisible marks WhatsApp (or the phone) puts around names, times and file names.
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff"))
_SPACES = {0x00A0: " ", 0x202F: " "}
_CHAT_NAME = re.compile(
    r"^WhatsApp[ _-]?Chat\s*(?:with|mit|con|avec|com|met|ile|med|z|с|-)?\s*(?P<name>.+?)"
    r"(?: \(\d+\))?(?:\.txt|\.zip)?$",
    re.IGNORECASE,
)

# Markers, lower-cased, as exported in the common languages (English first; others best-effort).
ANDROID_ATTACHED = {
    "file attached",
    "datei angehängt",
    "arquivo anexado",
    "archivo adjunto",
    "fichier joint",
    "file allegato",
    "bestand bijgevoegd",
    "dosya ekli",
    "файл прикреплен",
    "файл прикреплён",
    "plik załączony",
    "fil bifogad",
    "fil vedhæftet",
    "fil vedlagt",
    "tiedosto liitetty",
}
IOS_ATTACHED = {
    "attached",
    "anhang",
    "adjunto",
    "pièce jointe",
    "anexado",
    "allegato",
    "bijgevoegd",
    "прикреплено",
    "ekli",
    "załącznik",
    "bifogad",
    "vedhæftet",
    "vedlagt",
    "liitteenä",
}
DELETED = {
    "this message was deleted",
    "you deleted this message",
    "diese nachricht wurde gelöscht",
    "du hast diese nachricht gelöscht",
    "se eliminó este mensaje",
    "eliminaste este mensaje",
    "mensaje eliminado",
    "ce message a été supprimé",
    "vous avez supprimé ce message",
    "esta mensagem foi apagada",
    "você apagou esta mensagem",
    "mensagem apagada",
    "questo messaggio è stato eliminato",
    "hai eliminato questo messaggio",
    "dit bericht is verwijderd",
    "je hebt dit bericht verwijderd",
    "bu mesaj silindi",
    "bu mesajı sildiniz",
    "данное сообщение удалено",
    "вы удалили данное сообщение",
    "это сообщение удалено",
    "ta wiadomość została usunięta",
    "usunięto tę wiadomość",
}
EDITED_WORDS = (
    "edited",
    "bearbeitet",
    "editó",
    "editada",
    "modifié",
    "modificato",
    "bewerkt",
    "düzenlendi",
    "изменено",
    "edytowana",
)
OMITTED_WORDS = (
    "omitted",
    "ausgeschlossen",
    "weggelassen",
    "omitido",
    "omitida",
    "omis",
    "omise",
    "absente",
    "oculta",
    "ocultado",
    "ocultada",
    "omessa",
    "omesso",
    "omessi",
    "weggelaten",
    "dahil edilmedi",
    "без медиафайлов",
    "пропущено",
    "pominięto",
)
SYSTEM_HINTS = re.compile(
    r"end-to-end encrypted|Ende-zu-Ende|cifrados de extremo|chiffrés de bout|ponta a ponta"
    r"|created group|changed the subject|changed this group|changed the group|added |removed |left$"
    r"| joined using|changed their phone number|changed to|security code|disappearing messages"
    r"|Missed (?:voice|video) call|pinned a message|deleted this group's|turned on|turned off"
    r"|hat die Gruppe|hat den Betreff|creó el grupo|a créé le groupe|criou o grupo",
    re.IGNORECASE,
)
EDITED_MARK = re.compile(r"<([^<>]+)>\s*$")
IOS_ATTACHMENT = re.compile(r"^<([^<>:]{1,40}):\s*([^<>]+)>")
OLD_IOS_ATTACHMENT = re.compile(r"^(.+?) <attached>$")
ANDROID_ATTACHMENT = re.compile(r"^(.+?) \(([^()]+)\)$")
ANGLED = re.compile(r"<[^<>]+>")
_MEDIA_NAME = re.compile(
    r"^(?:IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d+|^\d{8}-(?:PHOTO|VIDEO|AUDIO|STICKER|GIF|FILE)-", re.I
)
_MEDIA_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|heic|mp4|3gp|mov|opus|ogg|m4a|aac|mp3|amr|pdf|vcf|docx?|xlsx?)$", re.I
)
_PHOTO = re.compile(r"\.(jpe?g|png|heic|webp)$")
_VIDEO = re.compile(r"\.(mp4|3gp|mov)$")
_AUDIO = re.compile(r"\.(m4a|aac|mp3|amr|wav)$")


def clean(text: str) -> str:
    """The text without invisible marks and with ordinary spaces: only for recognising markers."""
    return text.translate(INVISIBLE).translate(_SPACES).strip()


def chat_name(label: str) -> str | None:
    """The chat's name from the export's file name (`WhatsApp Chat with Riley.txt`)."""
    match = _CHAT_NAME.match(label.rsplit("/", 1)[-1])
    return match.group("name").strip() if match else None


def looks_like_media(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return bool(_MEDIA_NAME.match(base) or _MEDIA_EXT.search(base))


def type_of(name: str) -> str | None:
    """The kind of attachment a file name stands for (WhatsApp's own names say it)."""
    lowered = name.lower()
    if lowered.startswith("ptt-") or lowered.endswith((".opus", ".ogg")):
        return "voice"
    if _PHOTO.search(lowered):
        return "sticker" if lowered.startswith("stk-") or "-sticker-" in lowered else "photo"
    if _VIDEO.search(lowered):
        return "video"
    if _AUDIO.search(lowered):
        return "audio"
    if lowered.endswith(".gif"):
        return "gif"
    return "file"
