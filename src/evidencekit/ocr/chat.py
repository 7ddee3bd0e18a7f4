"""A chat screenshot as messages: who wrote what, from the regions OCR found.

Two kinds of layout are told apart by what was found, not by guessing the app from its colours:

- **bubbles** (WhatsApp, iMessage, Instagram, Messenger, Telegram): a bubble against the right
  edge was sent from this phone, one against the left was received; a line centred between them
  is a time or notice. WhatsApp and Telegram write each message's time inside its bubble, at its
  end; it is taken out of the text and kept as the time as written.
- **names** (Snapchat, Discord): every message is on the left, under its writer's name (Snapchat's
  "ME", Discord's "name Today at 21:14"). The name says the side: "ME", or in a one-to-one chat
  the header's name is the other person.

Nothing is made up: a time is only ever the text that was on the screen (no date is invented for
"21:14"), the sender of a received message is the name in the header, and every message keeps the
box and confidence it was read with. A line read with very little confidence (Tesseract below 25)
is not made a message, and the transcript says how many were left out; the OCR file keeps them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from evidencekit.ocr.layout import LOW_CONFIDENCE, RECEIVED, SENT, Line, Reading, Region

ME = "(this phone)"
UNUSABLE = 25.0  # below this, Tesseract's reading is noise (a photo's edge, an icon)
_TIME = r"\d{1,2}[:.\-]\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?"
_TRAILING_TIME = re.compile(rf"\s+({_TIME})(?:\s*[✓✔vV/]{{1,2}})?\s*$")
_DISCORD_HEAD = re.compile(
    rf"^(?P<name>\S+)\s+(?P<when>(?:Today|Yesterday)\s+at\s+{_TIME}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\s*{_TIME}?)$"
)
_STATUS = re.compile(
    r"^\W*(?:\d{1,2}[:.]\d{2}\b|.*\d+\s?%|.*\b(?:5G|4G|LTE|online|last seen|typing|active|ago|"
    r"recently|tap here|was online|en ligne|zuletzt)\b)",
    re.IGNORECASE,
)


@dataclass
class ChatMessage:
    side: str | None  # SENT, RECEIVED, or None when the layout does not tell
    sender: str | None
    text: str
    time_as_written: str | None
    box: tuple[int, int, int, int]
    confidence: float
    system: bool = False  # a time or notice between messages
    side_from: str = "position"  # "position" (bubble's side) or "name" (the writer's name)


@dataclass
class Chat:
    layout: str  # "bubbles" or "names"
    title: str | None
    messages: list[ChatMessage] = field(default_factory=list)
    left_out: int = 0  # lines too doubtful to be messages (still in the OCR file)

    @property
    def low_confidence(self) -> int:
        return sum(1 for m in self.messages if m.confidence < LOW_CONFIDENCE)


def conversation_name(reading: Reading) -> str | None:
    """The name in the header: its largest line that is not the clock, battery or a status."""
    if reading.header is None:
        return None
    best: tuple[float, str] | None = None
    for line in reading.header.lines:
        text = _without_avatar(line)
        if sum(c.isalnum() for c in text) < 2 or _STATUS.match(text) or line.confidence < UNUSABLE:
            continue
        height = sorted(w.height for w in line.words)[len(line.words) // 2]
        if best is None or height > best[0] * 1.1:
            best = (height, text)
    return best[1] if best else None


def chat_from(reading: Reading) -> Chat | None:
    """The messages of a chat screenshot, or None when the picture is not one."""
    title = conversation_name(reading)
    regions = [r for r in reading.regions if r.lines]
    sided = [r for r in regions if r.kind == "bubble" and r.side in (SENT, RECEIVED)]
    labels = [r for r in regions if _is_label(r, title)]
    if len(labels) >= 2 and any(r.lines[0].text.strip().upper() == "ME" for r in labels):
        return _snapchat(regions, title)
    if len(sided) >= 2:
        return _bubbles(_unseen_bubbles(regions, reading.width), title)
    if any(_DISCORD_HEAD.match(_without_avatar(r.lines[0])) for r in regions):
        return _discord(regions, title)
    return None


def _bubbles(regions: list[Region], title: str | None) -> Chat:
    chat = Chat("bubbles", title)
    for region in regions:
        if region.confidence < UNUSABLE:
            chat.left_out += 1
            continue
        text = " ".join(line.text for line in region.lines)  # a bubble's lines are wrapping, not breaks
        if region.side == "centre":
            chat.messages.append(_message(region, None, None, text, None, system=True))
            continue
        time = None
        found = _TRAILING_TIME.search(text)
        if found and found.start() > 0:
            time = re.sub(r"[.\-]", ":", found.group(1))
            text = text[: found.start()]
        side = region.side if region.side in (SENT, RECEIVED) else None
        sender = ME if side == SENT else title if side == RECEIVED else None
        chat.messages.append(_message(region, side, sender, text, time))
    return chat


def _unseen_bubbles(regions: list[Region], width: int) -> list[Region]:
    """In a chat of bubbles, text without a bubble around it is text whose bubble could not be
    told from the screen (a light grey bubble on a white screen, photographed): against the left
    edge it was received, against the right it was sent. Its lines, found one by one, are joined
    again when they touch (a wrapped message), as its bubble would have held them."""
    out: list[Region] = []
    for region in regions:
        if region.kind != "text" or region.side is not None:
            out.append(region)
            continue
        left, _top, w, _h = region.box
        side = RECEIVED if left < 0.12 * width and left + w < 0.88 * width else None
        if side is None and left + w > 0.88 * width and left > 0.12 * width:
            side = SENT
        if side is None:
            out.append(region)
            continue
        previous = out[-1] if out else None
        if previous is not None and previous.kind == "unseen-bubble" and previous.side == side:
            line_height = max(1, previous.lines[-1].box[3])
            gap = region.box[1] - (previous.box[1] + previous.box[3])
            if gap < 0.35 * line_height and abs(region.box[0] - previous.box[0]) < 0.03 * width:
                px, py, pw, ph = previous.box
                right = max(px + pw, left + w)
                bottom = max(py + ph, region.box[1] + region.box[3])
                previous.box = (min(px, left), py, right - min(px, left), bottom - py)
                previous.lines.extend(region.lines)
                continue
        out.append(Region("unseen-bubble", region.box, region.colour, side, list(region.lines)))
    return out


def _discord(regions: list[Region], title: str | None) -> Chat:
    chat = Chat("names", title)
    sender: str | None = None
    when: str | None = None
    one_to_one = bool(title) and not (title or "").startswith("#")
    for region in regions:
        for line in region.lines:
            if line.confidence < UNUSABLE:
                chat.left_out += 1
                continue
            head = _DISCORD_HEAD.match(_without_avatar(line))
            if head:
                sender, when = head.group("name"), head.group("when")
                continue
            side = _side_by_name(sender, title) if one_to_one else None
            chat.messages.append(_line_message(line, side, sender, when))
    return chat


def _snapchat(regions: list[Region], title: str | None) -> Chat:
    chat = Chat("names", title)
    sender: str | None = None
    for region in regions:
        if region.side == "centre":
            chat.messages.append(_message(region, None, None, region.text, None, system=True))
            continue
        if _is_label(region, title):
            label = region.lines[0].text.strip()
            sender = ME if label.upper() == "ME" else label
            continue
        for line in region.lines:
            if line.confidence < UNUSABLE:
                chat.left_out += 1
                continue
            side = SENT if sender == ME else RECEIVED if sender else None
            message = _line_message(line, side, sender, None)
            message.text = _strip_bar(line)
            chat.messages.append(message)
    return chat


def _strip_bar(line: Line) -> str:
    """Snapchat draws a coloured bar before each message; Tesseract may read it as `|` or `I`.
    It is a bar when the gap after it is much wider than the gaps between the other words."""
    words = line.words
    if len(words) >= 3 and words[0].text in ("|", "I", "[", "]", "l"):
        gaps = [b.left - (a.left + a.width) for a, b in itertools.pairwise(words)]
        first = words[1].left - (words[0].left + words[0].width)
        if first > 1.8 * max(1, sorted(gaps)[len(gaps) // 2]):
            return " ".join(_fix(w.text) for w in words[1:])
    return " ".join(_fix(w.text) for w in words)


def _fix(text: str) -> str:
    return "I" if text == "|" else text


def _is_label(region: Region, title: str | None) -> bool:
    if len(region.lines) != 1:
        return False
    text = region.lines[0].text.strip()
    if not text or len(text.split()) > 3:
        return False
    return text.upper() == "ME" or (title is not None and text.upper() == title.upper()) or text.isupper()


def _side_by_name(sender: str | None, title: str | None) -> str | None:
    if sender is None or title is None:
        return None
    return RECEIVED if sender.casefold() == title.casefold() else SENT


def _message(
    region: Region, side: str | None, sender: str | None, text: str, time: str | None, *, system: bool = False
) -> ChatMessage:
    return ChatMessage(side, sender, text.strip(), time, region.box, region.confidence, system=system)


def _line_message(line: Line, side: str | None, sender: str | None, when: str | None) -> ChatMessage:
    return ChatMessage(side, sender, line.text, when, line.box, line.confidence, side_from="name")


def _without_avatar(line: Line) -> str:
    """The header line without the marks an avatar or back arrow is read as (`O`, `<`, `dp`)."""
    words = list(line.words)
    while (
        len(words) > 1
        and len(words[0].text) <= 2
        and (not words[0].text.isalnum() or words[0].confidence < 90 or words[0].text in ("O", "o", "0"))
    ):
        words.pop(0)
    return " ".join(w.text for w in words).strip()
