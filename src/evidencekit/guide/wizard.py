"""The step-by-step guide behind `evidencekit start`, as plain logic.

The wizard decides what to ask and what to do; it never prints or reads the keyboard itself. It
talks through a `Conversation` (the CLI's asks in a terminal; tests use a scripted one), and acts
through the core library only: create_case, capture, add_url, the story records (offender accounts,
payments, notes, actions), build_report, seal_case and write_handover. It never runs evidencekit's
own commands, so what it does is what the library does, with the library's checks.

The person stays in charge: one question at a time; typing "skip" skips a step, "stop" (or Ctrl-D
or Ctrl-C) stops, and everything saved so far is kept. Which steps are done or skipped is kept by
`ProgressStore`, so the next `evidencekit start` continues where this one stopped. No step is
timed and nothing counts down. An answer that cannot be used is explained and asked again on its
own: every other answer already given is kept (a payment is not lost to an unreadable time).

Steps, in the order that keeps evidence safe: the case folder → was anyone shown under 18 →
screenshots → chat exports and files → web addresses → offender accounts → payment demands →
the person's own account (notes) → what they have already done (reported, blocked, police) →
the report → seal → an encrypted copy for the police → what to do next (the checklist and the
helplines for the country and age group).
"""

from __future__ import annotations

import contextlib
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from evidencekit.case.case import Case, create_case
from evidencekit.case.flags import set_under_18, under_18
from evidencekit.clock import Clock, system_clock
from evidencekit.errors import EvidenceKitError
from evidencekit.guide import text
from evidencekit.guide.progress import DONE, SKIPPED, Progress, ProgressStore

T = TypeVar("T")


class SkipStep(Exception):
    """The person chose to skip the current step."""


class StopWizard(Exception):
    """The person chose to stop; progress is saved and they can continue later."""


@dataclass(frozen=True)
class Choice:
    """One answer to a multiple-choice question: the word to type, and what it means."""

    key: str
    label: str


Line = tuple[str, str]


class Conversation(Protocol):
    """How the wizard talks to the person. Every ask may raise SkipStep or StopWizard."""

    def heading(self, text: str) -> None: ...
    def say(self, text: str) -> None: ...
    def success(self, text: str) -> None: ...
    def note(self, text: str) -> None: ...
    def problem(self, message: str, hint: str | None) -> None: ...
    def lines(self, lines: Sequence[Line]) -> None: ...
    def choose(self, question: str, choices: Sequence[Choice], default: str | None = None) -> str: ...
    def ask(self, question: str, *, default: str | None = None, optional: bool = False) -> str: ...
    def progress(self, description: str) -> contextlib.AbstractContextManager[Callable[..., None]]: ...
    def new_passphrase(self, avoid: tuple[str, ...]) -> str | None: ...


class ScreenTools(Protocol):
    def unavailable_reason(self) -> str | None: ...
    def capture(self, case: Case, *, delay: float, not_intimate: bool) -> Any: ...


class RealScreen:
    """intake.screen, for real."""

    def unavailable_reason(self) -> str | None:
        from evidencekit.intake.screen import unavailable_reason

        return unavailable_reason()

    def capture(self, case: Case, *, delay: float, not_intimate: bool) -> Any:
        from evidencekit.intake.screen import capture_screen

        return capture_screen(case, delay=delay, not_intimate=not_intimate)


@dataclass(frozen=True)
class StepInfo:
    id: str
    title: str
    adds_to_case: bool = False  # needs an open (unsealed) case


STEPS = (
    StepInfo("case", text.WSTEP_CASE),
    StepInfo("under_18", text.WSTEP_UNDER_18),
    StepInfo("screenshots", text.WSTEP_SCREENSHOTS, adds_to_case=True),
    StepInfo("exports", text.WSTEP_EXPORTS, adds_to_case=True),
    StepInfo("urls", text.WSTEP_URLS, adds_to_case=True),
    StepInfo("offenders", text.WSTEP_OFFENDERS, adds_to_case=True),
    StepInfo("payments", text.WSTEP_PAYMENTS, adds_to_case=True),
    StepInfo("notes", text.WSTEP_NOTES, adds_to_case=True),
    StepInfo("actions", text.WSTEP_ACTIONS, adds_to_case=True),
    StepInfo("report", text.WSTEP_REPORT),
    StepInfo("seal", text.WSTEP_SEAL),
    StepInfo("handover", text.WSTEP_HANDOVER),
    StepInfo("next", text.WSTEP_NEXT),
)
# What to ask about a payment, by how it was to be paid (no wallet question after "bank").
PAYMENT_FIELDS = {
    "bank": ("payee", "account", "reference"),
    "paypal": ("account", "payee"),
    "gift-card": ("brand", "reference"),
    "crypto": ("wallet", "tx"),
    "money-transfer": ("payee", "reference"),
    "other": ("payee", "account", "note"),
}
DEFAULT_SCREEN_DELAY = 10
_MEDIA_KINDS = ("image", "video", "screenshot")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)


def web_address(typed: str) -> str:
    """`instagram.com/alex` → `https://instagram.com/alex`: what people copy without the scheme."""
    clean = typed.strip()
    if clean and not _SCHEME.match(clean) and _BARE_ADDRESS.match(clean):
        return "https://" + clean
    return clean


def split_paths(answer: str) -> list[Path]:
    """Paths typed or dragged into a terminal: quoted, backslash-escaped, several on one line."""
    answer = answer.strip()
    if not answer:
        return []
    if Path(answer).expanduser().exists():  # one path with spaces, typed without quotes
        return [Path(answer).expanduser()]
    if sys.platform == "win32":  # pragma: no cover - Windows quoting
        parts = [p.strip('"') for p in shlex.split(answer, posix=False)]
    else:
        try:
            parts = shlex.split(answer)
        except ValueError:  # an unbalanced quote: take the line as one path
            parts = [answer.strip("'\"")]
    return [Path(p).expanduser() for p in parts if p]


def _size(size: int | None) -> str:
    value = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000:
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


class Wizard:
    """One run of the guide. `run()` returns when the person is finished or raises StopWizard."""

    def __init__(
        self,
        talk: Conversation,
        *,
        case: Case | None = None,
        cwd: Path | None = None,
        store: ProgressStore | None = None,
        screen: ScreenTools | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.talk = talk
        self.case = case
        self.cwd = cwd or Path.cwd()
        self.store = store or ProgressStore()
        self.screen = screen or RealScreen()
        self.clock = clock
        self.progress: Progress | None = None

    # ---- the whole run ----------------------------------------------------------------------

    def run(self) -> None:
        self.talk.say(text.WIZARD_WELCOME)
        self.talk.say(text.WIZARD_EMERGENCY.format(numbers=self._emergency_numbers()))
        try:
            self._choose_case()
            if self.case is None:
                self._step_next()
                return
            self._run_steps()
        except StopWizard:
            self.save()
            raise

    def _run_steps(self) -> None:
        steps = self.steps()
        ran_any = False
        for step in steps:
            if self.progress and self.progress.status(step.id) is None:
                self._do(step)
                ran_any = True
        while True:
            if ran_any:  # offer what was skipped
                offered = [s for s in steps if self.progress and self.progress.status(s.id) == SKIPPED]
                question = text.WIZARD_REVISIT_QUESTION
            else:  # everything was done before: offer to add more or do a step again
                offered = [s for s in steps if s.id != "case"]
                question = text.WIZARD_AGAIN_QUESTION
            if not offered:
                break
            choices = [Choice(s.id, s.title) for s in offered]
            choices.append(Choice("none", text.WIZARD_REVISIT_NONE))
            try:
                chosen = self.talk.choose(question, choices, default="none")
            except SkipStep:
                chosen = "none"
            if chosen == "none":
                break
            self._do(next(s for s in steps if s.id == chosen))
            ran_any = True
        seal = next(s for s in steps if s.id == "seal")
        if self.progress and self.progress.status("seal") is None:  # reopened while revisiting
            self._do(seal)
        self.talk.say(text.WIZARD_ALL_DONE)

    def steps(self) -> list[StepInfo]:
        """The steps, in order."""
        return list(STEPS)

    def _do(self, step: StepInfo) -> None:
        steps = self.steps()
        number = steps.index(step) + 1
        self.talk.heading(f"{number}/{len(steps)}  {step.title}")
        assert self.progress is not None and self.case is not None
        try:
            if step.adds_to_case and self.case.is_sealed():
                self._offer_reopen()
            getattr(self, f"_step_{step.id}")()
        except SkipStep:
            self.progress.steps[step.id] = SKIPPED
            self.talk.note(text.WIZARD_STEP_SKIPPED)
        else:
            self.progress.steps[step.id] = DONE
        self.save()

    @property
    def _open_case(self) -> Case:
        """The case the steps work on (every step after the first has one)."""
        assert self.case is not None
        return self.case

    def save(self) -> None:
        if self.progress is not None:
            self.store.save(self.progress)

    def _emergency_numbers(self) -> str:
        country = self.case.info.country if self.case else None
        if not country:
            return text.WIZARD_EMERGENCY_DEFAULT
        return self._emergency_numbers_for(country)

    # ---- step: the case folder ------------------------------------------------------------------

    def _choose_case(self) -> None:
        if self.case is not None:
            self._open(self.case, resumed=True)
            return
        candidate = self._case_here()
        if candidate is not None:
            question = text.WIZARD_RESUME_QUESTION.format(
                case_id=candidate.info.id, title=candidate.info.title, path=candidate.root
            )
            choices = [
                Choice(text.WIZARD_YES, text.WIZARD_RESUME_YES),
                Choice("new", text.WIZARD_RESUME_NEW),
            ]
            try:
                answer = self.talk.choose(question, choices, default=text.WIZARD_YES)
            except SkipStep:
                answer = "new"
            if answer == text.WIZARD_YES:
                self._open(candidate, resumed=True)
                return
        self.talk.heading(f"1/{len(self.steps())}  {text.WSTEP_CASE}")
        try:
            case = self._new_case()
        except SkipStep:
            self.talk.note(text.CASE_SKIPPED)
            return
        self._open(case, resumed=False)
        assert self.progress is not None
        self.progress.steps["case"] = DONE
        self.save()

    def _case_here(self) -> Case | None:
        """The case last worked on, if it is a folder in the current folder: on a shared computer,
        a case started somewhere else (someone else's) is never offered."""
        last = self.store.last_case()
        if last is None:
            return None
        case_id, folder = last
        try:
            if folder.resolve().parent != self.cwd.resolve() or folder.is_symlink():
                return None
            candidate = Case(folder, clock=self.clock)
        except (OSError, EvidenceKitError):
            return None
        return candidate if candidate.info.id == case_id else None

    def _open(self, case: Case, *, resumed: bool) -> None:
        self.case = case
        self.progress = self.store.load(case.info.id, case.root.resolve())
        self.progress.steps["case"] = DONE
        if resumed:
            self.talk.say(
                text.CASE_OPENED.format(case_id=case.info.id, title=case.info.title, path=case.root)
            )
            recorded = [s for s in self.steps() if self.progress.status(s.id) and s.id != "case"]
            if recorded:
                self.talk.say(text.WIZARD_WELCOME_BACK.format(case_id=case.info.id))
                lines: list[Line] = []
                for step in self.steps():
                    status = self.progress.status(step.id)
                    word = {DONE: text.STEP_STATUS_DONE, SKIPPED: text.STEP_STATUS_SKIPPED}.get(
                        status or "", text.STEP_STATUS_TODO
                    )
                    lines.append(("item", f"[{word}] {step.title}"))
                self.talk.lines(lines)
        self.save()

    def _default_folder(self) -> Path:
        base = self.cwd / f"case-{date.today().isoformat()}"
        candidate, number = base, 2
        while candidate.exists():
            candidate = base.with_name(f"{base.name}-{number}")
            number += 1
        return candidate

    def _new_case(self) -> Case:
        from evidencekit.guide.directory import normalise_country

        self.talk.say(text.CASE_INTRO)
        default = self._default_folder()
        while True:
            answer = self.talk.ask(text.CASE_FOLDER_QUESTION.format(default=default), default=str(default))
            paths = split_paths(answer)
            # One folder: a name with spaces typed without quotes is still one name.
            chosen = paths[0] if len(paths) == 1 else Path(answer.strip()).expanduser()
            folder = chosen if chosen.is_absolute() else self.cwd / chosen
            if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
                self.talk.problem(text.CASE_FOLDER_TAKEN.format(path=folder), text.CASE_FOLDER_TAKEN_HINT)
                continue
            break
        collector = self.talk.ask(text.CASE_COLLECTOR_QUESTION, optional=True).strip() or None
        while True:
            country_answer = self.talk.ask(text.CASE_COUNTRY_QUESTION, optional=True)
            try:
                country = normalise_country(country_answer)
            except EvidenceKitError as exc:
                self.talk.problem(exc.message, exc.hint)
                continue
            break
        case = create_case(folder, collector=collector, country=country, clock=self.clock)
        self.talk.success(text.CASE_CREATED.format(case_id=case.info.id, path=folder))
        if case.info.zone:
            self.talk.note(text.CASE_PRIVATE.format(zone=case.info.zone))
        else:
            self.talk.note(text.CASE_NO_ZONE)
        if country:
            self.talk.say(text.WIZARD_EMERGENCY.format(numbers=self._emergency_numbers_for(country)))
        return case

    def _emergency_numbers_for(self, country: str) -> str:
        from evidencekit.guide.directory import emergency_numbers

        return "; ".join(e.phone for e in emergency_numbers(country) if e.phone)

    def _offer_reopen(self) -> None:
        from evidencekit.case.seal import reopen_case

        assert self.case is not None and self.progress is not None
        if not self._yes_no(text.SEALED_QUESTION):
            raise SkipStep
        result = reopen_case(self.case, reason="evidencekit start: adding more")
        self.talk.success(text.REOPENED.format(folder=result.history_folder))
        self.progress.steps.pop("seal", None)

    # ---- step: under 18 ---------------------------------------------------------------------------

    def _step_under_18(self) -> None:
        assert self.case is not None
        current = under_18(self.case)
        if current is True:
            self.talk.note(text.UNDER_18_ALREADY)
            return
        if current is False:
            self.talk.note(text.UNDER_18_ALREADY_NO)
            return
        choices = [
            Choice(text.UNDER_18_YES, text.UNDER_18_YES_LABEL),
            Choice(text.UNDER_18_NO, text.UNDER_18_NO_LABEL),
            Choice(text.UNDER_18_UNSURE, text.UNDER_18_UNSURE_LABEL),
        ]
        answer = self.talk.choose(text.UNDER_18_QUESTION, choices)
        stored = {text.UNDER_18_YES: "yes", text.UNDER_18_NO: "no", text.UNDER_18_UNSURE: "not-sure"}[answer]
        if self.case.is_sealed():
            self._offer_reopen()
        set_under_18(self.case, stored)
        if stored == "no":
            self.talk.note(text.UNDER_18_ADULT_NOTE)
            return
        self.talk.say(text.UNDER_18_THANKS)
        self.talk.say(text.UNDER_18_RULES)
        copied = [
            item
            for item in self.case.items()
            if item.get("kind") in _MEDIA_KINDS
            and not item.get("by_reference")
            and not item.get("not_intimate_confirmed")
        ]
        if copied:
            self.talk.note(text.UNDER_18_EXISTING_MEDIA.format(count=len(copied)))
        self._show_child_routes()

    def _show_child_routes(self) -> None:
        from evidencekit.guide.directory import routes_for
        from evidencekit.guide.render import entry_lines

        assert self.case is not None
        routes = routes_for(self.case.info.country, "under-18")
        lines: list[Line] = []
        for entry in routes.entries:
            if entry.kind in ("child-report", "takedown"):
                lines += entry_lines(entry, show_audience=False)
        if lines:
            self.talk.say(text.UNDER_18_ROUTES_INTRO)
            self.talk.lines(lines)

    # ---- steps: screenshots, exports and files ----------------------------------------------------

    def _minor_case(self) -> bool:
        from evidencekit.case.flags import under_18

        return bool(self.case and under_18(self.case))

    def _step_screenshots(self) -> None:
        self.talk.say(text.SCREENSHOTS_INTRO)
        self.talk.say(text.SCREENSHOTS_INTRO_MINOR if self._minor_case() else text.SCREENSHOTS_INTRO_ADULT)
        choices = [
            Choice("take", text.SCREENSHOTS_TAKE),
            Choice("files", text.SCREENSHOTS_FILES),
            Choice(text.WIZARD_DONE_WORD, text.SCREENSHOTS_DONE),
        ]
        while True:
            answer = self.talk.choose(text.SCREENSHOTS_QUESTION, choices, default=text.WIZARD_DONE_WORD)
            if answer == "take":
                self._take_screenshot()
            elif answer == "files":
                self._ask_and_capture()
            else:
                return

    def _take_screenshot(self) -> None:
        assert self.case is not None
        reason = self.screen.unavailable_reason()
        if reason:
            self.talk.note(text.SCREEN_UNAVAILABLE.format(reason=reason))
            self.talk.note(text.SCREEN_UNAVAILABLE_TIP)
            return
        confirmed = False
        if self._minor_case():
            choices = [
                Choice(text.WIZARD_YES, text.SCREEN_YES_LABEL),
                Choice(text.WIZARD_NO, text.SCREEN_NO_LABEL),
            ]
            if self.talk.choose(text.SCREEN_QUESTION, choices) != text.WIZARD_YES:
                self.talk.note(text.NOTHING_CAPTURED)
                return
            confirmed = True
        while True:
            answer = self.talk.ask(
                text.SCREEN_DELAY_QUESTION.format(default=DEFAULT_SCREEN_DELAY),
                default=str(DEFAULT_SCREEN_DELAY),
            )
            try:
                delay = float(answer)
                if not 0 <= delay <= 600:
                    raise ValueError
            except ValueError:
                self.talk.note(text.SCREEN_DELAY_INVALID)
                continue
            break
        self.talk.say(text.SCREEN_TAKING.format(seconds=f"{delay:g}"))
        result = self._attempt(
            lambda: self.screen.capture(self._open_case, delay=delay, not_intimate=confirmed)
        )
        if result is None:
            return
        record = result.record
        self.talk.success(
            text.SCREEN_SAVED.format(
                item_id=record["id"],
                width=record["image"]["width"] if record.get("image") else "?",
                height=record["image"]["height"] if record.get("image") else "?",
                digest=record["sha256"][:12],
            )
        )
        title = record["screen"].get("active_window_title")
        if title:
            self.talk.note(text.SCREEN_WINDOW.format(title=title))
        for warning in result.warnings:
            self.talk.note(warning)

    def _step_exports(self) -> None:
        self.talk.say(text.EXPORTS_INTRO)
        while self._ask_and_capture():
            pass

    def _ask_and_capture(self) -> bool:
        """Ask for paths and capture them; False when the person had nothing more to add."""
        answer = self.talk.ask(text.FILES_QUESTION, optional=True)
        paths = split_paths(answer)
        if not paths:
            return False
        self._capture_paths(paths)
        return True

    def _capture_paths(self, paths: list[Path]) -> None:
        from evidencekit.intake.files import capture
        from evidencekit.intake.safeguard import examples

        assert self.case is not None
        found = self._attempt(lambda: _media_in(paths, self.case.root if self.case else Path()))
        if found is None:
            return
        findings, media_files, total = found
        sensitive_paths: list[Path] = []
        not_intimate = False
        if findings:
            choices = [
                Choice(text.WIZARD_YES, text.MEDIA_YES_LABEL),
                Choice(text.WIZARD_NO, text.MEDIA_NO_LABEL),
                Choice(text.STOP_WORD, text.MEDIA_STOP_LABEL),
            ]
            question = text.MEDIA_QUESTION.format(count=len(findings), examples=examples(findings))
            answer = self.talk.choose(question, choices)
            if answer == text.WIZARD_YES:
                # Only the images and videos (or the archives holding them) are kept by reference;
                # a chat export beside them is still copied, and read into a transcript.
                sensitive_paths = media_files
                self.talk.note(text.MEDIA_BY_REFERENCE)
                if len(media_files) < total:
                    self.talk.note(text.MEDIA_OTHERS_COPIED)
            elif answer == text.WIZARD_NO:
                not_intimate = True
            else:
                self.talk.note(text.NOTHING_CAPTURED)
                return
        note = self.talk.ask(text.FILES_NOTE_QUESTION, optional=True).strip() or None

        def run() -> Any:
            with self.talk.progress(text.CAPTURING) as update:
                return capture(
                    self._open_case,
                    paths,
                    note=note,
                    sensitive_paths=sensitive_paths,
                    not_intimate=not_intimate,
                    progress=lambda p: update(p.done_bytes, p.current, p.total_bytes),
                )

        result = self._attempt(run)
        if result is None:
            return
        for record in result.added:
            if record["by_reference"] or (record.get("sensitive") and not record.get("bag_path")):
                detail = text.FILES_BY_REFERENCE
            elif record.get("file_count") is not None:
                detail = f"{record['file_count']} files, {_size(record['size'])}"
                if record.get("withheld_files"):
                    detail += text.FILES_WITHHELD.format(count=len(record["withheld_files"]))
            else:
                detail = f"{_size(record['size'])}, SHA-256 {record['sha256'][:12]}…"
            self.talk.success(
                text.FILES_SAVED.format(
                    item_id=record["id"], kind=record["kind"], name=record["original_name"], detail=detail
                )
            )
        for path, existing in result.duplicates:
            self.talk.note(text.FILES_DUPLICATE.format(path=path, existing=existing))
        for skipped in result.skipped:
            self.talk.note(text.FILES_LEFT_OUT.format(path=skipped.path, reason=skipped.reason))
        for warning in dict.fromkeys(result.warnings):
            self.talk.note(warning)

    # ---- step: web addresses ----------------------------------------------------------------------

    def _step_urls(self) -> None:
        from evidencekit.intake.urls import add_url

        self.talk.say(text.URLS_INTRO)
        kinds = [
            Choice("profile", text.URLS_KIND_PROFILE),
            Choice("content", text.URLS_KIND_CONTENT),
            Choice("conversation", text.URLS_KIND_CONVERSATION),
            Choice("payment", text.URLS_KIND_PAYMENT),
            Choice("other", text.URLS_KIND_OTHER),
        ]
        while True:
            url = web_address(self.talk.ask(text.URLS_QUESTION, optional=True))
            if not url:
                return
            kind = self.talk.choose(text.URLS_KIND_QUESTION, kinds, default="profile")
            sensitive = self._yes_no(text.URLS_SENSITIVE_QUESTION, default=text.WIZARD_NO)
            # "No, it shows no intimate images" is a confirmation worth keeping with the address.
            extra = None if sensitive else {"not_intimate_confirmed": True}
            result = self._attempt(
                add_url, self._open_case, url, kind=kind, sensitive=sensitive, extra_fields=extra
            )
            if result is None:
                continue
            if result.duplicate_of:
                self.talk.note(text.URLS_DUPLICATE.format(existing=result.duplicate_of))
            else:
                self.talk.success(
                    text.URLS_SAVED.format(
                        url_id=(result.record or {}).get("id"), url=(result.record or {}).get("url")
                    )
                )

    # ---- steps: offender accounts and payment demands ----------------------------------------------

    def _step_offenders(self) -> None:
        from evidencekit.intake.urls import check_url
        from evidencekit.story.offenders import add_offender, normalise_phone, normalise_username

        assert self.case is not None
        self.talk.say(text.OFFENDERS_INTRO)
        while True:
            platform = self.talk.ask(text.OFFENDERS_PLATFORM_QUESTION, optional=True).strip()
            if not platform:
                return
            answers: dict[str, str | None] = {
                "username": self._field("username", normalise_username),
                "profile_url": self._field("profile_url", lambda v: check_url(web_address(v)).original),
                "display_name": self._field("display_name"),
                "phone": self._field("phone", lambda v: normalise_phone(v)[0]),
                "email": self._field("email"),
                "note": self._field("note"),
            }
            if answers["profile_url"]:
                answers["profile_url"] = web_address(answers["profile_url"])
            result = self._attempt(add_offender, self._open_case, platform=platform, **answers)
            if result is not None:
                self._say_story(result, text.OFFENDER_SAVED)

    def _step_payments(self) -> None:
        from evidencekit.story.payments import METHOD_LABELS, METHODS, add_payment

        assert self.case is not None
        self.talk.say(text.PAYMENTS_INTRO)
        if not self._yes_no(text.PAYMENTS_ASKED_QUESTION):
            return
        while True:
            method = self.talk.choose(
                text.PAYMENTS_METHOD_QUESTION, [Choice(m, METHOD_LABELS[m]) for m in METHODS]
            )
            details: dict[str, Any] = {name: self._field(name) for name in PAYMENT_FIELDS[method]}
            details["amount"], details["currency"] = self._amount()
            details["paid"] = self._yes_no(text.PAYMENTS_PAID_QUESTION)
            if details["paid"]:
                self.talk.say(text.PAYMENTS_PAID_ADVICE)
            details["at"], said = self._when(text.PAYMENTS_WHEN_QUESTION)
            if said:
                details["note"] = _joined(details.get("note"), text.TIME_AS_SAID.format(said=said))
            result = self._attempt(add_payment, self._open_case, method=method, **details)
            if result is not None:
                self._say_story(result, text.PAYMENT_SAVED)
            if not self._yes_no(text.PAYMENTS_MORE_QUESTION, default=text.WIZARD_NO):
                return

    def _amount(self) -> tuple[str | None, str | None]:
        """How much, and in which currency: `£250`, `250 GBP` or `0.01 BTC`; asked again until it can
        be read, or left out."""
        from evidencekit.story.payments import parse_amount

        while True:
            typed = self.talk.ask(text.PAYMENTS_AMOUNT_QUESTION, optional=True).strip()
            if not typed:
                return None, None
            try:
                value, currency = parse_amount(typed, None)
            except EvidenceKitError as exc:
                self.talk.problem(exc.message, text.PAYMENTS_AMOUNT_HINT)
                continue
            while currency is None:
                code = self.talk.ask(text.PAYMENTS_CURRENCY_QUESTION, optional=True).strip().upper()
                if not code:
                    break
                if re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", code):
                    currency = code
                else:
                    self.talk.problem(text.NOT_A_CURRENCY.format(code=code), text.PAYMENTS_AMOUNT_HINT)
            if currency is None:
                continue  # an amount needs its currency: ask for the amount again (or Enter)
            return value, currency

    def _when(self, question: str) -> tuple[str | None, str | None]:
        """(the time in the library's form, the words used when they were relative) or (None, None)
        when the person does not know: asked again, on its own, until it can be read."""
        from evidencekit.guide.when import read_when

        assert self.case is not None
        while True:
            typed = self.talk.ask(question, optional=True).strip()
            if not typed:
                return None, None
            try:
                library_form, _moment = read_when(typed, zone_name=self.case.info.zone, now=self.clock())
            except EvidenceKitError as exc:
                self.talk.problem(exc.message, exc.hint)
                continue
            return library_form, (typed if library_form != typed else None)

    def _field(self, name: str, check: Callable[[str], object] | None = None) -> str | None:
        """One optional answer; `check` (a library parser) refuses it with a sentence, and then
        only this answer is asked again."""
        while True:
            value = self.talk.ask(
                text.OFFENDERS_FIELD_QUESTION.format(label=text.FIELD_LABELS[name]), optional=True
            ).strip()
            if not value or check is None:
                return value or None
            try:
                check(value)
            except EvidenceKitError as exc:
                self.talk.problem(exc.message, exc.hint)
                continue
            return value

    def _say_story(self, result: Any, saved: str) -> None:
        if result.duplicate_of:
            self.talk.note(text.ALREADY_RECORDED.format(existing=result.duplicate_of))
        else:
            self.talk.success(saved.format(record_id=(result.record or {}).get("id", "?")))
        for message in (*result.warnings, *result.notes):
            if "evidencekit action" not in message:  # the wizard records actions itself
                self.talk.note(message)

    # ---- steps: the person's own account, and what they have already done --------------------

    def _step_notes(self) -> None:
        from evidencekit.story.notes import add_note

        assert self.case is not None
        self.talk.say(text.NOTES_INTRO)
        while True:
            body = self.talk.ask(text.NOTES_QUESTION, optional=True).strip()
            if not body:
                return
            at, said = self._when(text.NOTES_WHEN_QUESTION)
            if said:
                body = f"{body} ({text.TIME_AS_SAID.format(said=said)})"
            result = self._attempt(add_note, self._open_case, body, at=at)
            if result is not None:
                self._say_story(result, text.NOTE_SAVED)

    def _step_actions(self) -> None:
        from evidencekit.story.actions import add_action

        assert self.case is not None
        self.talk.say(text.ACTIONS_INTRO)
        choices = [
            Choice("reported", text.ACTIONS_REPORTED),
            Choice("blocked", text.ACTIONS_BLOCKED),
            Choice("police", text.ACTIONS_POLICE),
            Choice("helpline", text.ACTIONS_HELPLINE),
            Choice(text.WIZARD_DONE_WORD, text.ACTIONS_DONE),
        ]
        while True:
            kind = self.talk.choose(text.ACTIONS_QUESTION, choices, default=text.WIZARD_DONE_WORD)
            if kind == text.WIZARD_DONE_WORD:
                return
            default_to = self._first_platform() if kind in ("reported", "blocked") else None
            question = text.ACTIONS_TO_QUESTIONS[kind]
            if default_to:
                question += " " + text.ACTIONS_TO_DEFAULT.format(default=default_to)
            to = self.talk.ask(question, default=default_to, optional=True).strip() or None
            ref = None
            if kind != "blocked":
                ref = self.talk.ask(text.ACTIONS_REF_QUESTIONS[kind], optional=True).strip() or None
            at, said = self._when(text.ACTIONS_WHEN_QUESTION)
            note = text.TIME_AS_SAID.format(said=said) if said else None
            result = self._attempt(add_action, self._open_case, kind, to=to, ref=ref, at=at, note=note)
            if result is not None:
                self._say_story(result, text.ACTION_SAVED)

    def _first_platform(self) -> str | None:
        from evidencekit.story.records import OFFENDERS

        assert self.case is not None
        try:
            records = self.case.records(OFFENDERS.path)
        except EvidenceKitError:
            return None
        return str(records[0]["platform"]) if records and records[0].get("platform") else None

    # ---- steps: the report, the seal and the encrypted copy -----------------------------------

    def _step_report(self) -> None:
        from evidencekit.report.build import build_report

        assert self.case is not None
        self.talk.say(text.REPORT_INTRO)
        if not self._yes_no(text.REPORT_QUESTION, default=text.WIZARD_YES):
            raise SkipStep

        def run() -> Any:
            with self.talk.progress(text.REPORT_MAKING) as update:
                done = [0]

                def step(_what: str) -> None:
                    done[0] += 1
                    update(done[0], _what)

                return build_report(self._open_case, progress=step)

        result = self._attempt(run)
        if result is None:
            raise SkipStep
        self.talk.success(text.REPORT_DONE)
        for file in result.files:
            self.talk.note(file.bag_path or str(file.path))
        if result.pdf_problem:
            self.talk.note(result.pdf_problem)
        if result.thumbnails:
            self.talk.note(text.REPORT_PREVIEWS)
        if result.resealed_from:
            self.talk.say(text.REPORT_RESEALED)
            self.talk.lines([("fingerprint", _grouped(result.fingerprint or ""))])

    # ---- step: seal -------------------------------------------------------------------------------

    def _step_seal(self) -> None:
        from evidencekit.case.seal import group_fingerprint, seal_case

        assert self.case is not None
        self.talk.say(text.SEAL_INTRO)
        if not self._yes_no(text.SEAL_QUESTION):
            raise SkipStep
        result = self._attempt(lambda: seal_case(self._open_case))
        if result is None:
            raise SkipStep
        if result.already_sealed:
            self.talk.note(text.SEAL_ALREADY.format(case_id=result.case_id))
        else:
            self.talk.success(text.SEAL_DONE.format(case_id=result.case_id))
        self.talk.say(text.SEAL_FINGERPRINT)
        self.talk.lines([("fingerprint", group_fingerprint(result.fingerprint))])
        self.talk.say(text.SEAL_HANDOVER)

    def _step_handover(self) -> None:
        from evidencekit.handover.archive import write_handover
        from evidencekit.handover.keys import parse_recipient

        assert self.case is not None
        if not self.case.is_sealed():
            self.talk.note(text.HANDOVER_NOT_SEALED)
            raise SkipStep
        self.talk.say(text.HANDOVER_INTRO)
        if not self._yes_no(text.HANDOVER_QUESTION, default=text.WIZARD_NO):
            raise SkipStep
        recipients = []
        while True:
            key = self.talk.ask(text.HANDOVER_KEY_QUESTION, optional=True).strip()
            if not key:
                break
            try:
                recipients = [parse_recipient(key, where="the key")]
            except EvidenceKitError as exc:
                self.talk.problem(exc.message, exc.hint)
                continue
            break
        passphrase = None
        if not recipients:
            passphrase = self.talk.new_passphrase((self.case.info.id, self.case.info.title))
            if passphrase is None:
                raise SkipStep
        out = self.case.root.resolve().parent

        def run() -> Any:
            with self.talk.progress(text.HANDOVER_MAKING) as update:
                return write_handover(
                    self._open_case,
                    out,
                    recipients=recipients,
                    passphrase=passphrase,
                    progress=lambda done, total: update(done, total=total),
                )

        result = self._attempt(run)
        passphrase = None  # kept no longer than the encryption needs it
        if result is None:
            raise SkipStep
        names = [result.archive, result.checksum_file, *([result.key_file] if result.key_file else [])]
        names.append(result.how_to)
        self.talk.success(text.HANDOVER_DONE.format(folder=out))
        self.talk.lines([("item", path.name) for path in names])
        self.talk.say(
            text.HANDOVER_GIVE_PASSPHRASE.format(count=len(names))
            if result.passphrase
            else text.HANDOVER_GIVE_KEY.format(count=len(names))
        )

    # ---- step: what next --------------------------------------------------------------------------

    def _step_next(self) -> None:
        from evidencekit.guide.checklist import build_checklist
        from evidencekit.guide.directory import routes_for_answer
        from evidencekit.guide.render import guide_lines

        self.talk.say(text.NEXT_INTRO)
        country = self.case.info.country if self.case else None
        flag = under_18(self.case) if self.case else None
        age_group = None if flag is None else ("under-18" if flag else "adult")
        steps = build_checklist(self.case)
        routes = routes_for_answer(country, age_group)
        self.talk.lines(guide_lines(steps, routes, has_case=self.case is not None))
        if self.case is not None:
            self.talk.note(text.NEXT_ACTION_TIP)

    # ---- helpers ------------------------------------------------------------------------------------

    def _yes_no(self, question: str, default: str | None = None) -> bool:
        choices = [Choice(text.WIZARD_YES, text.WIZARD_YES), Choice(text.WIZARD_NO, text.WIZARD_NO)]
        return self.talk.choose(question, choices, default=default) == text.WIZARD_YES

    def _attempt(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one action; if evidencekit refuses it, show why and carry on with the wizard."""
        try:
            return action(*args, **kwargs)
        except EvidenceKitError as exc:
            self.talk.problem(exc.message, exc.hint)
            return None


@contextlib.contextmanager
def no_progress(description: str) -> Iterator[Callable[..., None]]:
    """A progress reporter that shows nothing (for conversations without a progress bar)."""
    yield lambda *args, **kwargs: None


def _grouped(fingerprint: str) -> str:
    from evidencekit.case.seal import group_fingerprint

    return group_fingerprint(fingerprint)


def _joined(first: str | None, second: str) -> str:
    return f"{first} ({second})" if first else second


def _media_in(paths: Sequence[Path], case_root: Path) -> tuple[list[Any], list[Path], int]:
    """(the images and videos found, as the safeguard names them; the files holding them; how
    many files there are in all).

    The second list is what capture's `sensitive_paths` needs: each image or video file, or the
    archive holding one, so that only those are kept by reference and everything beside them
    (a chat export) is still copied and read."""
    from evidencekit.case.names import display_name
    from evidencekit.intake.files import plan_capture
    from evidencekit.intake.safeguard import media_in_file

    findings: list[Any] = []
    files: list[Path] = []
    total = 0
    for plan in plan_capture([Path(p) for p in paths], case_root, False):
        top = display_name(str(plan.source))
        total += len(plan.members)
        for member in plan.members:
            shown = f"{top}/{display_name(member.original_relative)}" if plan.is_dir else top
            found = media_in_file(member.source, shown)
            if found:
                findings += found
                files.append(member.source)
    return findings, files, total
