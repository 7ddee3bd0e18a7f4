"""The wizard's steps that record the story: offender accounts, payment demands, the person's own
account (notes) and what they have already done (actions).

Each answer is checked by the same library parser the commands use; one that cannot be read is
explained and asked again on its own, so the answers already given are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from evidencekit.errors import EvidenceKitError
from evidencekit.guide import text
from evidencekit.guide.answers import web_address
from evidencekit.guide.session import Session
from evidencekit.guide.talk import Choice

# What to ask about a payment, by how it was to be paid (no wallet question after "bank").
PAYMENT_FIELDS = {
    "bank": ("payee", "account", "reference"),
    "paypal": ("account", "payee"),
    "gift-card": ("brand", "reference"),
    "crypto": ("wallet", "tx"),
    "money-transfer": ("payee", "reference"),
    "other": ("payee", "account", "note"),
}


class StorySteps(Session):
    """Offenders, payments, notes, actions."""

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


def _joined(first: str | None, second: str) -> str:
    return f"{first} ({second})" if first else second
