"""WhatsApp "Export chat": the .txt (Android or iOS), alone, in a zip, or in a folder with its media.

Android writes `14/03/2024, 21:07 - Riley: text`; iOS writes `[14/03/2024, 21:07:41] Riley: text`
(often with a left-to-right mark first). The date order follows the phone's locale and is never
written down, so it is decided once for the whole file, never line by line: a first field above
12 means day-first, a second field above 12 means month-first. When every date fits both, the
reading that would put messages after the export was captured, or make the dates jump backwards,
is ruled out; if both readings remain possible the person is asked (`--date-order`).

Times have no zone: they are read in the zone the person states (or the case's) and flagged.
Text is kept exactly as exported (invisible marks included); a cleaned copy is used only to
recognise attachments, omitted media and deleted or edited messages, in the common languages.

Modules: `patterns` (what a message line and the markers look like), `lines` (reading the text in
blocks, with limits), `dates` (deciding the date order), `detection`, and `reader` (the messages).
"""

from __future__ import annotations

from evidencekit.exports.whatsapp.dates import decide_date_order
from evidencekit.exports.whatsapp.detection import NAME, detect
from evidencekit.exports.whatsapp.lines import MAX_LINE_BYTES, MAX_MESSAGE_CHARS, TooLong
from evidencekit.exports.whatsapp.patterns import HEADER, chat_name
from evidencekit.exports.whatsapp.reader import VERSION, WhatsAppParser

PARSER = WhatsAppParser()

__all__ = [
    "HEADER",
    "MAX_LINE_BYTES",
    "MAX_MESSAGE_CHARS",
    "NAME",
    "PARSER",
    "VERSION",
    "TooLong",
    "WhatsAppParser",
    "chat_name",
    "decide_date_order",
    "detect",
]
