"""The preservation-request sheets as CSV: one row per offender account per platform, for an
officer's spreadsheet (the columns are explained in docs/how-to/ask-platforms-to-preserve-data.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from evidencekit.story.preservation import Preservation

CSV_COLUMNS = (
    "platform",
    "request_to",
    "account",
    "username",
    "user_id",
    "profile_url",
    "display_name",
    "phone",
    "email",
    "ids_in_export",
    "conversations",
    "conversation_ids",
    "first_message_utc",
    "last_message_utc",
    "messages_from_account",
    "times_zone_assumed",
    "evidence",
    "weak",
)


def render_csv(preservation: Preservation) -> str:
    """One row per account per platform; a platform with no account recorded has one row that
    says so (its conversations and addresses still listed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for sheet in preservation.sheets:
        for account in sheet.accounts:
            writer.writerow(
                [
                    _safe(sheet.platform),
                    sheet.request_to or "",
                    account.record_id,
                    *(
                        _safe(value or "")
                        for value in (
                            account.username,
                            account.user_id,
                            account.profile_url,
                            account.display_name,
                            account.phone,
                            account.email,
                        )
                    ),
                    _joined(account.ids_in_export),
                    _joined(c.label for c in account.conversations),
                    _joined(c.thread_id for c in account.conversations if c.thread_id),
                    account.first_utc or "",
                    account.last_utc or "",
                    account.messages_from_account,
                    "yes" if any(c.zone_assumed for c in account.conversations) else "no",
                    _joined(account.evidence),
                    "yes" if account.weak else "no",
                ]
            )
        if not sheet.accounts:
            others = [*(a.url for a in sheet.addresses), *(c.label for c in sheet.conversations)]
            times = [c.first_utc for c in sheet.conversations if c.first_utc]
            lasts = [c.last_utc for c in sheet.conversations if c.last_utc]
            writer.writerow(
                [
                    _safe(sheet.platform),
                    sheet.request_to or "",
                    "(no account recorded: evidencekit offender add)",
                    "",
                    "",
                    _joined(a.url for a in sheet.addresses if a.kind == "profile"),
                    "",
                    "",
                    "",
                    "",
                    _joined(c.label for c in sheet.conversations),
                    _joined(c.thread_id for c in sheet.conversations if c.thread_id),
                    min(times) if times else "",
                    max(lasts) if lasts else "",
                    "",
                    "yes" if any(c.zone_assumed for c in sheet.conversations) else "no",
                    _joined([*(a.url_id for a in sheet.addresses), *(c.item_id for c in sheet.conversations)])
                    if others
                    else "",
                    "",
                ]
            )
    return out.getvalue()


def _joined(values: Iterable[str | None]) -> str:
    return _safe(" | ".join(dict.fromkeys(v for v in values if v)))


def _safe(text: str) -> str:
    """A value a spreadsheet would run as a formula (=, +, -, @ first) is written as text; a phone
    number's leading + stays readable after the quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


__all__ = ["CSV_COLUMNS", "render_csv"]
