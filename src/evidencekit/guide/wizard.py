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

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evidencekit.case.case import Case, create_case
from evidencekit.case.flags import set_under_18, under_18
from evidencekit.case.records import ItemRecord
from evidencekit.errors import EvidenceKitError
from evidencekit.guide import text
from evidencekit.guide.answers import split_paths
from evidencekit.guide.evidence_steps import EvidenceSteps
from evidencekit.guide.progress import DONE, SKIPPED
from evidencekit.guide.story_steps import StorySteps
from evidencekit.guide.talk import Choice, Line, SkipStep, StopWizard


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
_MEDIA_KINDS = ("image", "video", "screenshot")


class Wizard(EvidenceSteps, StorySteps):
    """One run of the guide. `run()` returns when the person is finished or raises StopWizard.

    The steps that bring evidence in are in evidence_steps.py, those that record the story in
    story_steps.py; this class holds the order, the case folder, the under-18 question, and the
    report, seal and hand-over at the end."""

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
        copied = copied_media(self.case)
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


def _grouped(fingerprint: str) -> str:
    from evidencekit.case.seal import group_fingerprint

    return group_fingerprint(fingerprint)


def copied_media(case: Case) -> list[ItemRecord]:
    """Images and videos copied into the case and not confirmed to show no nudity: what a case
    marked under 18 afterwards already holds, which the person is told about (never deleted here)."""
    return [
        item
        for item in case.items()
        if item.get("kind") in _MEDIA_KINDS
        and not item.get("by_reference")
        and not item.get("not_intimate_confirmed")
    ]
