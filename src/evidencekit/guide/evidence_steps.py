"""The wizard's steps that bring evidence in: screenshots, chat exports and files, web addresses.

Before files are copied, the safeguard looks for images and videos in them; if the person says
they are intimate, only those are kept by reference (hashes, never a copy) and everything beside
them is still copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evidencekit.guide import text
from evidencekit.guide.answers import split_paths, web_address
from evidencekit.guide.session import Session
from evidencekit.guide.talk import Choice
from evidencekit.sizes import human_size

DEFAULT_SCREEN_DELAY = 10


class EvidenceSteps(Session):
    """Screenshots, exports and files, web addresses."""

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
                detail = f"{record['file_count']} files, {human_size(record['size'])}"
                if record.get("withheld_files"):
                    detail += text.FILES_WITHHELD.format(count=len(record["withheld_files"]))
            else:
                detail = f"{human_size(record['size'])}, SHA-256 {record['sha256'][:12]}…"
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
