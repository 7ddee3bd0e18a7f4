"""Reports and takedowns: what was reported where, under which reference, and what came back.

`evidencekit report-to PLATFORM` records a report; `report-to PLATFORM --ref REF --outcome removed`
records the answer later. Both are lines of `evidencekit/actions.jsonl`, not a record kind of their
own, because a report to a platform *is* the "reported" action: `action reported --to Instagram
--ref 123` and `report-to Instagram --ref 123` state the same fact, and two files for it would
leave every reader (the guide's checklist, the report's section 4 and reference table, the
timeline) to merge them. As actions, the new lines get the id sequence, the custody tie and the
verify check the actions already have, and an older evidencekit still reads them (the fields it
does not know are kept; an `outcome` line is an action it simply does not tick anything with).

    report:  {"id": "A0002", "action": "reported", "to": "Instagram", "ref": "123"|null,
              "items": ["E0001", "E0002"], "urls": ["U0001"], "at", "note", ...}
    outcome: {"id": "A0005", "action": "outcome", "report": "A0002",
              "outcome": "removed"|"refused"|"pending", "to": "Instagram",
              "ref": a number that came with the answer|null, "at", "note", ...}

Records are never rewritten: an answer is a new line pointing at the report, and the latest
answer wins. Any earlier action of kind reported, isp or stopncii can be answered (a takedown
request to a host, or a StopNCII case, has an outcome too). `track` turns the lines into
`TrackedReport`s, with what is still open and what to do next; `check_reports` is the verify
check that reports name items and web addresses the case has and outcomes name reports it has.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

from evidencekit.case.case import Case, CaseChange
from evidencekit.errors import InvalidValueError
from evidencekit.story.actions import _same_time
from evidencekit.story.records import ACTIONS, AddResult, append_story_record, one_line
from evidencekit.story.times import parse_event_time

REPORTED = "reported"
OUTCOME = "outcome"
REPORT_KINDS = ("reported", "isp", "stopncii")  # the actions an answer can come back for
OUTCOMES = ("removed", "refused", "pending")
OUTCOME_LABELS = {
    "removed": "removed",
    "refused": "refused (not removed)",
    "pending": "still being looked at",
    None: "no answer recorded yet",
}
MAX_TO, MAX_REF, MAX_NOTE = 300, 300, 2000  # what the commands accept (verify flags longer ones)
MAX_IDS = 1000  # items and web addresses named by one report
_REMOVED = "Look now and then that it has not come back; if it has, report it again."
_ITEM_ID = re.compile(r"E\d{4,9}")
_URL_ID = re.compile(r"U\d{4,9}")
_ACTION_ID = re.compile(r"A\d{4,9}")


class OutcomeJson(TypedDict):
    id: str
    outcome: str
    at: str | None
    recorded_at: str | None
    note: str | None


class TrackedReportJson(TypedDict):
    id: str
    kind: str
    to: str | None
    ref: str | None
    at: str | None
    items: list[str]
    urls: list[str]
    note: str | None
    outcome: str | None
    open: bool
    outcomes: list[OutcomeJson]
    next_step: str


@dataclass(frozen=True)
class Outcome:
    """One answer to a report, as recorded."""

    id: str
    outcome: str
    at: str | None
    recorded_at: str | None
    note: str | None
    ref: str | None

    def to_json(self) -> OutcomeJson:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "at": self.at,
            "recorded_at": self.recorded_at,
            "note": self.note,
        }


@dataclass(frozen=True)
class TrackedReport:
    """A report (or takedown request) and every answer recorded for it, oldest first."""

    id: str
    kind: str
    to: str | None
    ref: str | None
    at: str | None
    recorded_at: str | None
    items: tuple[str, ...]
    urls: tuple[str, ...]
    note: str | None
    outcomes: tuple[Outcome, ...] = ()

    @property
    def latest(self) -> Outcome | None:
        return self.outcomes[-1] if self.outcomes else None

    @property
    def outcome(self) -> str | None:
        """The latest answer: removed, refused, pending, or None (none recorded)."""
        return self.latest.outcome if self.latest else None

    @property
    def reference(self) -> str | None:
        """The report's reference, or one that came with a later answer."""
        if self.ref:
            return self.ref
        return next((o.ref for o in reversed(self.outcomes) if o.ref), None)

    @property
    def is_open(self) -> bool:
        """Still waiting: no answer yet, or the platform is still looking at it."""
        return self.outcome in (None, "pending")

    @property
    def where(self) -> str:
        return self.to or {"isp": "the internet provider", "stopncii": "StopNCII"}.get(
            self.kind, "the platform"
        )

    def next_step(self) -> str:
        """What to do about this report now, in plain words."""
        where = _sentence(self.where)
        if self.outcome == "removed":
            return f"{where} removed it. {_REMOVED}"
        if self.outcome == "refused":
            return (
                f"{where} did not remove it. Ask for a review in the app or on its help pages, and tell "
                "a helpline: they can take it to the platform for you."
            )
        if self.outcome == "pending":
            return (
                f"{where} is still looking at it. If nothing changes within a week, report it again and "
                f"record the answer when it comes: {self.answer_command('removed')}"
            )
        return (
            f"When {self.where} answers, record it: {self.answer_command('removed')} (or refused, or pending)"
        )

    def answer_command(self, outcome: str) -> str:
        """The command that records an answer to this report."""
        platform = shell_word(self.where) if self.to else "PLATFORM"
        ref = self.reference
        how = f"--ref {shell_word(ref)}" if ref else f"--report {self.id}"
        return f"evidencekit report-to {platform} {how} --outcome {outcome}"

    def to_json(self) -> TrackedReportJson:
        return {
            "id": self.id,
            "kind": self.kind,
            "to": self.to,
            "ref": self.reference,
            "at": self.at,
            "items": list(self.items),
            "urls": list(self.urls),
            "note": self.note,
            "outcome": self.outcome,
            "open": self.is_open,
            "outcomes": [o.to_json() for o in self.outcomes],
            "next_step": self.next_step(),
        }


def shell_word(text: str) -> str:
    """`text` as one word of a command to copy: "the website's host" in double quotes where that
    is safe, shlex's quoting otherwise."""
    if re.fullmatch(r"[\w@%+=:,./-]+", text):
        return text
    if not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(record: Mapping[str, object], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and value else None


def _ids(record: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = record.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def track(actions: Iterable[Mapping[str, object]]) -> list[TrackedReport]:
    """Every report in the order made, each with its answers. An answer counts only for a report
    recorded before it (what verify checks too); others are left to verify to report."""
    reports: dict[str, TrackedReport] = {}
    for record in actions:
        record_id, kind = _text(record, "id"), _text(record, "action")
        if record_id is None or kind is None:
            continue
        if kind in REPORT_KINDS:
            reports[record_id] = TrackedReport(
                id=record_id,
                kind=kind,
                to=_text(record, "to"),
                ref=_text(record, "ref"),
                at=_text(record, "at"),
                recorded_at=_text(record, "recorded_at"),
                items=_ids(record, "items"),
                urls=_ids(record, "urls"),
                note=_text(record, "note"),
            )
        elif kind == OUTCOME:
            target = reports.get(_text(record, "report") or "")
            outcome = _text(record, "outcome")
            if target is None or outcome not in OUTCOMES:
                continue
            answer = Outcome(
                record_id,
                outcome,
                _text(record, "at"),
                _text(record, "recorded_at"),
                _text(record, "note"),
                _text(record, "ref"),
            )
            reports[target.id] = replace(target, outcomes=(*target.outcomes, answer))
    return list(reports.values())


def same_place(first: str | None, second: str | None) -> bool:
    """“instagram” and “Instagram ” name the same platform."""
    return (
        bool(first and second)
        and " ".join(str(first).split()).casefold() == " ".join(str(second).split()).casefold()
    )


def _checked_ids(change: CaseChange, raw: list[str], *, urls: bool) -> list[str]:
    """`--item` ids must name items of this case, `--url` ids its web addresses."""
    records = change.existing_urls if urls else change.existing_items
    known = {str(r.get("id")) for r in records}
    clean: list[str] = []
    for typed in raw:
        ref = typed.strip().upper()
        if ref not in known:
            what, example, option = ("web address", "U0001", "--url") if urls else ("item", "E0001", "--item")
            raise InvalidValueError(
                f"This case has no {what} called “{_shown(typed.strip())}”.",
                hint=f"Use an id that `evidencekit status` lists after {option}, such as {example}.",
            )
        if ref not in clean:
            clean.append(ref)
    return clean


def _platform(platform: str) -> str:
    name = one_line(platform, "platform", max_length=MAX_TO)
    if name is None:
        raise InvalidValueError(
            "Say where you reported it.", hint="For example: evidencekit report-to Instagram --item E0001"
        )
    return name


def _timed(case: Case, at: str | None, details: dict[str, Any], warnings: list[str]) -> Any:
    """A `prepare` step that reads `--at` as `action` does (in the case's zone)."""

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        if at and at.strip():
            when = parse_event_time(at, zone_name=case.info.zone, now=change.now())
            staged["at"] = when.iso
            details["at_as_written"] = when.as_written
            details["at_zone_assumed"] = when.zone_assumed
            if when.ambiguous:
                warnings.append(
                    f"“{when.as_written}” happened twice in {case.info.zone} (the clocks went back); "
                    "the earlier one was recorded."
                )

    return prepare


def add_report(
    case: Case,
    platform: str,
    *,
    items: list[str] | None = None,
    urls: list[str] | None = None,
    ref: str | None = None,
    at: str | None = None,
    note: str | None = None,
) -> AddResult:
    """Record a report to `platform` of the items and web addresses named (their ids)."""
    fields: dict[str, Any] = {
        "action": REPORTED,
        "to": _platform(platform),
        "ref": one_line(ref, "reference", max_length=MAX_REF),
        "at": None,
        "note": one_line(note, "note", max_length=MAX_NOTE),
        "items": [],
        "urls": [],
    }
    details: dict[str, Any] = {"action": REPORTED, "ref": fields["ref"], "at_as_written": None,
                               "at_zone_assumed": None}  # fmt: skip
    warnings: list[str] = []
    timed = _timed(case, at, details, warnings)

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        staged["items"] = _checked_ids(change, items or [], urls=False)
        staged["urls"] = _checked_ids(change, urls or [], urls=True)
        timed(change, staged)

    def same_as(existing: dict[str, Any]) -> bool:
        keys = ("action", "to", "ref", "note", "items", "urls")
        return all(existing.get(k) == fields[k] for k in keys) and _same_time(
            existing.get("at"), fields["at"]
        )

    result = append_story_record(case, ACTIONS, fields, details=details, same_as=same_as, prepare=prepare)
    result.warnings.extend(warnings)
    record = result.record
    if record is not None:
        if not record["items"] and not record["urls"]:
            result.notes.append(
                "Tip: say what you reported with --item E0001 or --url U0001, so the report shows it."
            )
        if not record["ref"]:
            result.notes.append(
                f"When {record['to']} gives you a ticket or case number, record it: "
                f"evidencekit report-to {shell_word(record['to'])} --report {record['id']} --ref NUMBER "
                "--outcome pending"
            )
    return result


def find_report(
    actions: Iterable[Mapping[str, object]], platform: str, *, ref: str | None, report_id: str | None
) -> TrackedReport:
    """The report an answer is for: by id, by platform and reference, or the only open one there."""
    reports = track(actions)
    first = f"evidencekit report-to {shell_word(platform)}" + (f" --ref {shell_word(ref)}" if ref else "")
    hint = f"See the reports with evidencekit status, or record the report first: {first} --item E0001"
    if report_id:
        wanted = report_id.strip().upper()
        found = next((r for r in reports if r.id == wanted), None)
        if found is None:
            raise InvalidValueError(f"This case has no report called “{wanted[:20]}”.", hint=hint)
        if found.to and not same_place(found.to, platform):
            raise InvalidValueError(
                f"Report {found.id} was made to {found.to}, not to {platform}.",
                hint=f"Write it as it was recorded: evidencekit report-to {shell_word(found.to)} ...",
            )
        return found
    there = [r for r in reports if same_place(r.to, platform)]
    if ref:
        matching = [r for r in there if ref in (r.ref, *(o.ref for o in r.outcomes))]
        if not matching:
            raise InvalidValueError(
                f"This case has no report to {platform} with the reference {ref}.", hint=hint
            )
        chosen = matching
    else:
        chosen = [r for r in there if r.is_open] or there
        if not chosen:
            raise InvalidValueError(f"This case has no report to {platform}.", hint=hint)
    if len(chosen) > 1:
        raise InvalidValueError(
            f"This case has {len(chosen)} reports to {platform} that this answer could be for.",
            hint="Say which with --report: " + ", ".join(r.id for r in chosen) + ".",
        )
    return chosen[0]


def add_outcome(
    case: Case,
    platform: str,
    outcome: str,
    *,
    ref: str | None = None,
    report_id: str | None = None,
    at: str | None = None,
    note: str | None = None,
) -> AddResult:
    """Record the answer to an earlier report (a new line pointing at it: nothing is rewritten)."""
    word = outcome.strip().lower()
    if word not in OUTCOMES:
        raise InvalidValueError(
            f"“{outcome[:40]}” is not an answer evidencekit knows.", hint="Use removed, refused or pending."
        )
    name = _platform(platform)
    clean_ref = one_line(ref, "reference", max_length=MAX_REF)
    fields: dict[str, Any] = {
        "action": OUTCOME,
        "to": name,
        "ref": clean_ref,
        "report": None,
        "outcome": word,
        "at": None,
        "note": one_line(note, "note", max_length=MAX_NOTE),
    }
    details: dict[str, Any] = {"action": OUTCOME, "outcome": word, "report": None, "at_as_written": None,
                               "at_zone_assumed": None}  # fmt: skip
    warnings: list[str] = []
    timed = _timed(case, at, details, warnings)

    def prepare(change: CaseChange, staged: dict[str, Any]) -> None:
        found = find_report(case.records(ACTIONS.path), name, ref=clean_ref if not report_id else None,
                            report_id=report_id)  # fmt: skip
        staged["report"] = details["report"] = found.id
        staged["to"] = found.to or name
        # Only a number that came with the answer is kept on it: the report's own is on the report
        # (so the report's list of reference numbers names each number once).
        if clean_ref is not None and clean_ref in (found.ref, *(o.ref for o in found.outcomes)):
            staged["ref"] = None
        timed(change, staged)

    def same_as(existing: dict[str, Any]) -> bool:
        keys = ("action", "report", "outcome", "ref", "note")
        return all(existing.get(k) == fields[k] for k in keys) and _same_time(
            existing.get("at"), fields["at"]
        )

    result = append_story_record(case, ACTIONS, fields, details=details, same_as=same_as, prepare=prepare)
    result.warnings.extend(warnings)
    if result.record is not None:
        answered = next(r for r in track(case.records(ACTIONS.path)) if r.id == result.record["report"])
        result.notes.append(answered.next_step())
    return result


class ReportProblem(TypedDict):
    code: str
    message: str


def _shown(value: object) -> str:
    """A value from the file, short and printable, for a finding's sentence."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 40 else text[:40] + "…"


def check_reports(
    actions: Iterable[tuple[int, Mapping[str, object]]], item_ids: set[str], url_ids: set[str]
) -> list[ReportProblem]:
    """What verify says about reports and outcomes: ids that name nothing in the case, answers to
    no report, and values evidencekit would not write (an unknown answer, a text too long)."""
    found: list[ReportProblem] = []
    reports: set[str] = set()

    def problem(code: str, message: str) -> None:
        found.append({"code": code, "message": message})

    for number, record in actions:
        record_id, kind = _text(record, "id") or "?", _text(record, "action")
        where = f"Action {_shown(record_id)} ({ACTIONS.path} line {number})"
        limits = (("to", MAX_TO), ("ref", MAX_REF), ("note", MAX_NOTE), ("outcome", 20), ("report", 20))
        for key, limit in limits:
            value = record.get(key)
            if isinstance(value, str) and len(value) > limit:
                problem(
                    "report-record-odd",
                    f"{where} has a “{key}” of {len(value)} characters; evidencekit writes at most {limit}.",
                )
        if kind in REPORT_KINDS:
            reports.add(record_id)
            for key, known, pattern, what in (
                ("items", item_ids, _ITEM_ID, "item"),
                ("urls", url_ids, _URL_ID, "web address"),
            ):
                named = _ids(record, key)
                if len(named) > MAX_IDS:
                    problem(
                        "report-record-odd",
                        f"{where} names {len(named)} {key}; evidencekit writes at most {MAX_IDS}.",
                    )
                missing = [v for v in dict.fromkeys(named) if v not in known or not pattern.fullmatch(v)]
                if missing:
                    shown = ", ".join(_shown(v) for v in missing[:5]) + (" …" if len(missing) > 5 else "")
                    problem(
                        "report-unknown-evidence",
                        f"{where} says it reported {what} {shown}, which this case does not have.",
                    )
        elif kind == OUTCOME:
            target = record.get("report")
            if not isinstance(target, str) or not _ACTION_ID.fullmatch(target) or target not in reports:
                problem(
                    "report-outcome-orphan",
                    f"{where} is an answer to report {_shown(target)}, which is not a report recorded "
                    "before it in this case.",
                )
            if record.get("outcome") not in OUTCOMES:
                problem(
                    "report-record-odd",
                    f"{where} has the answer {_shown(record.get('outcome'))}, not one of "
                    f"{', '.join(OUTCOMES)}.",
                )
    return found
