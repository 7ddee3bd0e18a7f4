"""The step-by-step guide behind `evidencekit start`, as plain logic.

The wizard decides what to ask and what to do; it never prints or reads the keyboard itself. It
talks through a `Conversation` (the CLI's asks in a terminal; tests use a scripted one), and acts
through the core library (create_case, capture, add_url, seal_case) and, for the steps that belong
to other commands (offender accounts, payment demands), through `ExtraCommands`, which says whether
such a command exists in this build and runs it. A step whose command does not exist is left out,
so it appears by itself once that command is added.

The person stays in charge: one question at a time; typing "skip" skips a step, "stop" (or Ctrl-D
or Ctrl-C) stops, and everything saved so far is kept. Which steps are done or skipped is kept by
`ProgressStore`, so the next `evidencekit start` continues where this one stopped. No step is
timed and nothing counts down.

Steps, in the order that keeps evidence safe: the case folder → was anyone shown under 18 →
screenshots → chat exports and files → web addresses → offender accounts → payment demands →
seal → what to do next (the checklist and the helplines for the country and age group).
"""

from __future__ import annotations

import contextlib
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


@dataclass(frozen=True)
class OptionSpec:
    """One option of another command, as the wizard needs to know it."""

    name: str  # the parameter name, e.g. "user_id"
    flag: str  # "--user-id"
    kind: str  # "text", "choice" or "switch" (a --paid/--not-paid pair)
    choices: tuple[str, ...] = ()
    off_flag: str | None = None  # "--not-paid" for a switch


class ExtraCommands(Protocol):
    """Commands of other parts of evidencekit the wizard can use when they exist."""

    def available(self, path: Sequence[str]) -> bool: ...
    def options(self, path: Sequence[str]) -> dict[str, OptionSpec]: ...
    def run(self, path: Sequence[str], args: Sequence[str], case_root: Path) -> int: ...


class NoExtraCommands:
    """A build without offender, payment or action commands."""

    def available(self, path: Sequence[str]) -> bool:
        return False

    def options(self, path: Sequence[str]) -> dict[str, OptionSpec]:
        return {}

    def run(self, path: Sequence[str], args: Sequence[str], case_root: Path) -> int:
        raise RuntimeError("no such command")


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
    command: tuple[str, ...] | None = None  # shown only when this command exists


STEPS = (
    StepInfo("case", text.WSTEP_CASE),
    StepInfo("under_18", text.WSTEP_UNDER_18),
    StepInfo("screenshots", text.WSTEP_SCREENSHOTS, adds_to_case=True),
    StepInfo("exports", text.WSTEP_EXPORTS, adds_to_case=True),
    StepInfo("urls", text.WSTEP_URLS, adds_to_case=True),
    StepInfo("offenders", text.WSTEP_OFFENDERS, adds_to_case=True, command=("offender", "add")),
    StepInfo("payments", text.WSTEP_PAYMENTS, adds_to_case=True, command=("payment", "add")),
    StepInfo("seal", text.WSTEP_SEAL),
    StepInfo("next", text.WSTEP_NEXT),
)
OFFENDER_FIELDS = ("username", "user_id", "profile_url", "display_name", "phone", "email", "note")
PAYMENT_FIELDS = ("payee", "account", "wallet", "tx", "amount", "currency", "at")
DEFAULT_SCREEN_DELAY = 10
_MEDIA_KINDS = ("image", "video", "screenshot")


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
        commands: ExtraCommands | None = None,
        screen: ScreenTools | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.talk = talk
        self.case = case
        self.cwd = cwd or Path.cwd()
        self.store = store or ProgressStore()
        self.commands = commands or NoExtraCommands()
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
        """The steps this build offers (those needing a missing command are left out)."""
        return [s for s in STEPS if s.command is None or self.commands.available(s.command)]

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
        last = self.store.last_case()
        if last is not None:
            case_id, folder = last
            try:
                candidate = Case(folder, clock=self.clock)
            except EvidenceKitError:
                candidate = None
            if candidate is not None and candidate.info.id == case_id:
                question = text.WIZARD_RESUME_QUESTION.format(
                    case_id=case_id, title=candidate.info.title, path=folder
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
        return bool(self.case and self.case.info.flags.get("under_18"))

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
        result = self._attempt(lambda: self.screen.capture(self.case, delay=delay, not_intimate=confirmed))
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
        from evidencekit.intake.safeguard import examples, media_in_paths

        assert self.case is not None
        found = self._attempt(lambda: media_in_paths(paths, self.case.root))
        if found is None:
            return
        sensitive = not_intimate = False
        if found:
            choices = [
                Choice(text.WIZARD_YES, text.MEDIA_YES_LABEL),
                Choice(text.WIZARD_NO, text.MEDIA_NO_LABEL),
                Choice(text.STOP_WORD, text.MEDIA_STOP_LABEL),
            ]
            question = text.MEDIA_QUESTION.format(count=len(found), examples=examples(found))
            answer = self.talk.choose(question, choices)
            if answer == text.WIZARD_YES:
                sensitive = True
                self.talk.note(text.MEDIA_BY_REFERENCE)
            elif answer == text.WIZARD_NO:
                not_intimate = True
        note = self.talk.ask(text.FILES_NOTE_QUESTION, optional=True).strip() or None

        def run() -> Any:
            with self.talk.progress(text.CAPTURING) as update:
                return capture(
                    self.case,
                    paths,
                    note=note,
                    sensitive=sensitive,
                    not_intimate=not_intimate,
                    progress=lambda p: update(p.done_bytes, p.current, p.total_bytes),
                )

        result = self._attempt(run)
        if result is None:
            return
        for record in result.added:
            if record["by_reference"]:
                detail = text.FILES_BY_REFERENCE
            elif record.get("file_count") is not None:
                detail = f"{record['file_count']} files, {_size(record['size'])}"
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
            url = self.talk.ask(text.URLS_QUESTION, optional=True).strip()
            if not url:
                return
            kind = self.talk.choose(text.URLS_KIND_QUESTION, kinds, default="profile")
            sensitive = self._yes_no(text.URLS_SENSITIVE_QUESTION, default=text.WIZARD_NO)
            # "No, it shows no intimate images" is a confirmation worth keeping with the address.
            extra = None if sensitive else {"not_intimate_confirmed": True}
            result = self._attempt(
                lambda u=url, k=kind, s=sensitive, e=extra: add_url(
                    self.case, u, kind=k, sensitive=s, extra_fields=e
                )
            )
            if result is None:
                continue
            if result.duplicate_of:
                self.talk.note(text.URLS_DUPLICATE.format(existing=result.duplicate_of))
            else:
                self.talk.success(
                    text.URLS_SAVED.format(url_id=result.record["id"], url=result.record["url"])
                )

    # ---- steps: offender accounts and payment demands (other commands) ---------------------------

    def _step_offenders(self) -> None:
        assert self.case is not None
        path = ("offender", "add")
        specs = self.commands.options(path)
        self.talk.say(text.OFFENDERS_INTRO)
        while True:
            platform = self.talk.ask(text.OFFENDERS_PLATFORM_QUESTION, optional=True).strip()
            if not platform:
                return
            args: list[str] = []
            if "platform" in specs:
                args += [specs["platform"].flag, platform]
            args += self._ask_fields(specs, OFFENDER_FIELDS)
            if self.commands.run(path, args, self.case.root) != 0:
                self.talk.note(text.COMMAND_FAILED)

    def _step_payments(self) -> None:
        assert self.case is not None
        path = ("payment", "add")
        specs = self.commands.options(path)
        self.talk.say(text.PAYMENTS_INTRO)
        if not self._yes_no(text.PAYMENTS_ASKED_QUESTION):
            return
        while True:
            args: list[str] = []
            method = specs.get("method")
            if method is not None and method.choices:
                chosen = self.talk.choose(
                    text.PAYMENTS_METHOD_QUESTION, [Choice(c, c) for c in method.choices]
                )
                args += [method.flag, chosen]
            elif method is not None:
                args += [method.flag, self.talk.ask(text.PAYMENTS_METHOD_QUESTION)]
            args += self._ask_fields(specs, PAYMENT_FIELDS)
            paid = specs.get("paid")
            if paid is not None and paid.kind == "switch":
                did_pay = self._yes_no(text.PAYMENTS_PAID_QUESTION)
                args.append(paid.flag if did_pay else (paid.off_flag or paid.flag))
                if did_pay:
                    self.talk.say(text.PAYMENTS_PAID_ADVICE)
            if self.commands.run(path, args, self.case.root) != 0:
                self.talk.note(text.COMMAND_FAILED)
            if not self._yes_no(text.PAYMENTS_MORE_QUESTION, default=text.WIZARD_NO):
                return

    def _ask_fields(self, specs: dict[str, OptionSpec], names: Sequence[str]) -> list[str]:
        args: list[str] = []
        for name in names:
            spec = specs.get(name)
            if spec is None or spec.kind != "text":
                continue
            label = text.FIELD_LABELS.get(name, spec.flag)
            value = self.talk.ask(text.OFFENDERS_FIELD_QUESTION.format(label=label), optional=True).strip()
            if value:
                args += [spec.flag, value]
        return args

    # ---- step: seal -------------------------------------------------------------------------------

    def _step_seal(self) -> None:
        from evidencekit.case.seal import group_fingerprint, seal_case

        assert self.case is not None
        self.talk.say(text.SEAL_INTRO)
        if not self._yes_no(text.SEAL_QUESTION):
            raise SkipStep
        result = self._attempt(lambda: seal_case(self.case))
        if result is None:
            raise SkipStep
        if result.already_sealed:
            self.talk.note(text.SEAL_ALREADY.format(case_id=result.case_id))
        else:
            self.talk.success(text.SEAL_DONE.format(case_id=result.case_id))
        self.talk.say(text.SEAL_FINGERPRINT)
        self.talk.lines([("fingerprint", group_fingerprint(result.fingerprint))])
        self.talk.say(text.SEAL_HANDOVER)

    # ---- step: what next --------------------------------------------------------------------------

    def _step_next(self) -> None:
        from evidencekit.guide.checklist import build_checklist
        from evidencekit.guide.directory import routes_for
        from evidencekit.guide.render import guide_lines

        self.talk.say(text.NEXT_INTRO)
        country = self.case.info.country if self.case else None
        flag = under_18(self.case) if self.case else None
        age_group = None if flag is None else ("under-18" if flag else "adult")
        steps = build_checklist(self.case)
        self.talk.lines(guide_lines(steps, routes_for(country, age_group), has_case=self.case is not None))
        if self.case is not None and self.commands.available(("action",)):
            self.talk.note(text.NEXT_ACTION_TIP)

    # ---- helpers ------------------------------------------------------------------------------------

    def _yes_no(self, question: str, default: str | None = None) -> bool:
        choices = [Choice(text.WIZARD_YES, text.WIZARD_YES), Choice(text.WIZARD_NO, text.WIZARD_NO)]
        return self.talk.choose(question, choices, default=default) == text.WIZARD_YES

    def _attempt(self, action: Callable[[], T]) -> T | None:
        """Run one action; if evidencekit refuses it, show why and carry on with the wizard."""
        try:
            return action()
        except EvidenceKitError as exc:
            self.talk.problem(exc.message, exc.hint)
            return None


@contextlib.contextmanager
def no_progress(description: str) -> Iterator[Callable[..., None]]:
    """A progress reporter that shows nothing (for conversations without a progress bar)."""
    yield lambda *args, **kwargs: None
