"""offender add/list, payment add/list, note, action, suggest: the story of the case."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from evidencekit.cli.app import COLLECT, command, command_group
from evidencekit.cli.options import CaseOption, JsonOption, open_case

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened: year-month-day hour:minute, e.g. “2026-03-14 21:07” (read in the case's "
        "time zone; add +01:00 or a zone name like America/New_York if it was another), or “now”.",
    ),
]
SeenInOption = Annotated[
    list[str] | None,
    typer.Option(
        "--seen-in", help="The item or web address where you saw it, e.g. E0002 or U0001 (repeatable)."
    ),
]


class PaymentMethod(str, Enum):
    """The payment methods (a list here, so help and the `start` wizard can offer them as choices;
    story.payments.METHODS is the same list for the library)."""

    bank = "bank"
    paypal = "paypal"
    gift_card = "gift-card"
    crypto = "crypto"
    money_transfer = "money-transfer"
    other = "other"


offender = command_group(
    "offender",
    order=32,
    panel=COLLECT,
    help="Record the accounts of the person threatening you (usernames, IDs, profile links, numbers).\n\n"
    "Example:  evidencekit offender add --platform Instagram --username bad.actor",
)
payment = command_group(
    "payment",
    order=33,
    panel=COLLECT,
    help="Record money demanded or paid, and where it was to go (bank, PayPal, gift card, crypto…).\n\n"
    "Example:  evidencekit payment add --method crypto --wallet ADDRESS --amount 0.01 --currency BTC",
)


@offender("add")
def offender_add(
    platform: Annotated[
        str, typer.Option("--platform", help="Where the account is: Instagram, Snapchat, WhatsApp…")
    ],
    username: Annotated[
        str | None,
        typer.Option(help="The account's username or handle (the @name, or the name in its profile link)."),
    ] = None,
    user_id: Annotated[
        str | None,
        typer.Option("--user-id", help="The account's ID number, if you can see it (it never changes)."),
    ] = None,
    profile_url: Annotated[
        str | None,
        typer.Option("--profile-url", help="The link to the account's profile, from the address bar."),
    ] = None,
    display_name: Annotated[
        str | None,
        typer.Option(
            "--display-name", help="The name shown on screen (weak on its own: anyone can use any name)."
        ),
    ] = None,
    phone: Annotated[
        str | None, typer.Option(help="A phone number they used, best with the country code (+44…).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="An e-mail address they used.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything else about this account.")] = None,
    seen_in: SeenInOption = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record one account used by the person threatening you. Run it once per account.

    Stable identifiers matter most to the police: the user ID, the username and the link to the
    profile. A display name alone is weak, but better than nothing.

    Example:  evidencekit offender add --platform Instagram --username bad.actor --profile-url https://www.instagram.com/bad.actor/
    """
    from evidencekit.story.offenders import add_offender, identifiers_of

    the_case = open_case(case)
    result = add_offender(
        the_case,
        platform=platform,
        username=username,
        user_id=user_id,
        profile_url=profile_url,
        display_name=display_name,
        phone=phone,
        email=email,
        note=note,
        seen_in=seen_in or [],
    )
    if _json_result("offender-add", the_case, result, json):
        return
    from evidencekit.cli import output

    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(
            f"That account is already recorded as {output.plain(result.duplicate_of)}; nothing was added."
        )
        return
    record = result.record or {}
    output.success(
        f"Recorded offender account {output.plain(record['id'])} on {output.plain(record['platform'])}:"
    )
    for label, value in identifiers_of(record):
        output.say(f"  {label + ':':<14} {output.plain(value, limit=output.LONG_LIMIT)}")
    _render_messages(result)
    output.next_step(
        "record their other accounts the same way, and any payment they asked for: "
        "evidencekit payment add --method …"
    )


@offender("list")
def offender_list(case: CaseOption = None, json: JsonOption = False) -> None:
    """List the offender accounts recorded in the case.

    Example:  evidencekit offender list
    """
    from evidencekit.story.offenders import identifiers_of, is_weak
    from evidencekit.story.records import OFFENDERS

    the_case = open_case(case)
    records = the_case.records(OFFENDERS.path)
    if json:
        from evidencekit.cli import output

        output.print_json(
            {"format": "evidencekit-offenders/1", "case_id": the_case.info.id, "offenders": records}
        )
        return
    from rich.table import Table

    from evidencekit.cli import output

    if not records:
        output.say("No offender accounts recorded yet.")
        output.next_step("evidencekit offender add --platform PLATFORM --username NAME")
        return
    table = Table(show_edge=False, pad_edge=False, title="Offender accounts", title_justify="left")
    for column in ("ID", "Platform", "Identifiers", "Note"):
        table.add_column(column, overflow="fold")
    for record in records:  # read from the case: each value shown through plain(), one a line
        ids = "\n".join(
            f"{label}: {output.plain(value, limit=output.LONG_LIMIT)}"
            for label, value in identifiers_of(record)
        )
        if is_weak(record):
            ids += "\n(display name only: weak)"
        table.add_row(
            output.plain(record["id"]),
            output.plain(record["platform"]),
            ids,
            output.plain(record.get("note") or "", multiline=True, limit=output.LONG_LIMIT),
        )
    output.stdout.print(table)


@payment("add")
def payment_add(
    method: Annotated[
        PaymentMethod,
        typer.Option(
            "--method",
            case_sensitive=False,
            help="How the money was to be paid: bank, paypal, gift-card, crypto, money-transfer or other.",
        ),
    ],
    payee: Annotated[
        str | None, typer.Option(help="Who the money was to go to: a name, handle or company.")
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="The account it was to go to: bank account or IBAN, PayPal address, $cashtag…"),
    ] = None,
    wallet: Annotated[str | None, typer.Option(help="The crypto wallet address, copied exactly.")] = None,
    tx: Annotated[str | None, typer.Option("--tx", help="The transaction ID or hash, if you paid.")] = None,
    amount: Annotated[str | None, typer.Option(help="How much, e.g. 250 or 0.005.")] = None,
    currency: Annotated[str | None, typer.Option(help="The currency code: GBP, USD, EUR, BTC…")] = None,
    paid: Annotated[
        bool,
        typer.Option("--paid/--not-paid", help="Whether money was actually sent (default: only demanded)."),
    ] = False,
    at: AtOption = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="A reference: the transfer's tracking number (MTCN), the gift card number, "
            "the bank reference."
        ),
    ] = None,
    brand: Annotated[
        str | None, typer.Option(help="For gift cards: the brand (Apple, Steam, Google Play…).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Anything else about this payment.")] = None,
    seen_in: SeenInOption = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record money that was demanded or paid, and where it was to go.

    If you paid: call your bank (or the payment service) now; a transfer that has not been
    collected can sometimes be stopped. Don't pay more.

    Example:  evidencekit payment add --method bank --payee "J Smith" --amount 250 --currency GBP --paid
    """
    from evidencekit.story.payments import add_payment

    the_case = open_case(case)
    result = add_payment(
        the_case,
        method=method.value,
        payee=payee,
        account=account,
        wallet=wallet,
        tx=tx,
        amount=amount,
        currency=currency,
        paid=paid,
        at=at,
        reference=reference,
        brand=brand,
        note=note,
        seen_in=seen_in or [],
    )
    if _json_result("payment-add", the_case, result, json):
        return
    from evidencekit.cli import output
    from evidencekit.story.payments import describe

    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(
            f"That payment is already recorded as {output.plain(result.duplicate_of)}; nothing was added."
        )
    else:
        record = result.record or {}
        output.success(f"Recorded payment {output.plain(record['id'])}: {output.plain(describe(record))}.")
        for key, label in (
            ("account", "account"),
            ("wallet", "wallet"),
            ("tx", "transaction"),
            ("reference", "reference"),
        ):
            if record.get(key):
                output.say(f"  {label + ':':<13} {output.plain(record[key], limit=output.LONG_LIMIT)}")
        if record.get("at"):
            output.say(f"  {'when:':<13} {output.plain(record['at'])}")
    _render_messages(result, show_advice=True)


@payment("list")
def payment_list(case: CaseOption = None, json: JsonOption = False) -> None:
    """List the payments recorded in the case.

    Example:  evidencekit payment list
    """
    from evidencekit.story.records import PAYMENTS

    the_case = open_case(case)
    records = the_case.records(PAYMENTS.path)
    from evidencekit.cli import output

    if json:
        output.print_json(
            {"format": "evidencekit-payments/1", "case_id": the_case.info.id, "payments": records}
        )
        return
    from rich.table import Table

    from evidencekit.story.payments import describe

    if not records:
        output.say("No payments recorded yet.")
        return
    table = Table(show_edge=False, pad_edge=False, title="Payments", title_justify="left")
    for column in ("ID", "What", "Where to", "When"):
        table.add_column(column, overflow="fold")
    for record in records:  # read from the case: each value shown through plain(), one a line
        where = "\n".join(
            output.plain(record[k], limit=output.LONG_LIMIT)
            for k in ("account", "wallet", "tx", "reference")
            if record.get(k)
        )
        table.add_row(
            output.plain(record["id"]),
            output.plain(describe(record)),
            where,
            output.plain(record.get("at") or "-"),
        )
    output.stdout.print(table)


@command("note", order=34, panel=COLLECT)
def note(
    text: Annotated[
        list[str],
        typer.Argument(
            help="What happened, in your own words (use quotes, or “-” to read it from a file piped in).",
            show_default=False,
        ),
    ],
    at: AtOption = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Write down what happened, in your own words, with the time it happened.

    The time you give (--at) is when it happened; the time you write the note is kept too.

    Example:  evidencekit note "He said he would send the photo to my family" --at "2026-03-14 21:10"
    """
    import sys

    from evidencekit.story.notes import add_note

    body = " ".join(text)
    if body.strip() == "-":
        body = sys.stdin.read()
    the_case = open_case(case)
    result = add_note(the_case, body, at=at)
    if _json_result("note", the_case, result, json):
        return
    from evidencekit.cli import output

    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(
            f"That note is already recorded as {output.plain(result.duplicate_of)}; nothing was added."
        )
        return
    record = result.record or {}
    when = f" (about {record['at']})" if record.get("at") else ""
    output.success(f"Saved note {output.plain(record['id'])}{output.plain(when)}.")
    _render_messages(result)
    output.next_step("add more notes as you remember things; each keeps its own time.")


@command("action", order=35, panel=COLLECT)
def action(
    what: Annotated[
        str,
        typer.Argument(
            metavar="ACTION",
            help="What you did: reported (to the platform), blocked, isp, police, helpline or stopncii.",
            show_default=False,
        ),
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Who you told, e.g. Instagram, Metropolitan Police, Revenge Porn Helpline."
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref", help="The reference number you were given (police crime reference, ticket number)."
        ),
    ] = None,
    at: AtOption = None,
    note: Annotated[str | None, typer.Option(help="Anything else, e.g. the officer's name.")] = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record something you have done: reported the account, blocked it, told the police…

    Keep the reference numbers you are given: they let the police connect this case to your report.

    Example:  evidencekit action police --to "Metropolitan Police" --ref CAD-1234-26 --at "2026-03-15 10:30"
    """
    from evidencekit.story.actions import ACTION_LABELS, add_action

    the_case = open_case(case)
    result = add_action(the_case, what, to=to, ref=ref, at=at, note=note)
    if _json_result("action", the_case, result, json):
        return
    from evidencekit.cli import output

    output.recovered(result.recovered)
    if result.duplicate_of:
        output.note(f"That is already recorded as {output.plain(result.duplicate_of)}; nothing was added.")
        return
    record = result.record or {}
    line = f"Recorded {output.plain(record['id'])}: {ACTION_LABELS[record['action']]}"
    if record.get("to"):
        line += f" ({output.plain(record['to'])})"
    if record.get("ref"):
        line += f", reference {output.plain(record['ref'])}"
    output.success(line + ".")
    _render_messages(result)
    output.next_step("when you are ready to hand the case over: evidencekit report")


@command("suggest", order=36, panel=COLLECT)
def suggest(
    show_all: Annotated[bool, typer.Option("--all", help="Also show what is already recorded.")] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Find usernames, phone numbers, links, wallets and demands in the chats and screenshots.

    Nothing is recorded by this command: you check each suggestion (a number may be your own) and
    run the command shown for the ones that belong to the offender.

    Example:  evidencekit suggest
    """
    from evidencekit.story.suggestions import suggest as find

    the_case = open_case(case)
    found = find(the_case, include_recorded=show_all)
    from evidencekit.cli import output

    if json:
        output.print_json(
            {
                "format": "evidencekit-suggest/1",
                "case_id": the_case.info.id,
                "transcripts": found.transcripts,
                "messages": found.messages,
                "unreadable_lines": found.unreadable_lines,
                "suggestions": [s.to_json() for s in found.items],
                "own_accounts": [a.to_json() for a in found.own_accounts],
            }
        )
        return
    output.say(
        f"Looked at {found.messages} message{'s' if found.messages != 1 else ''} in "
        f"{found.transcripts} chat transcript{'s' if found.transcripts != 1 else ''}, "
        "the web addresses and your notes."
    )
    if found.unreadable_lines:
        output.warn(f"{found.unreadable_lines} transcript line(s) could not be read and were skipped.")
    for own in found.own_accounts:
        output.note(
            f"Not suggested: {output.plain(own.value)} in {output.plain(own.item_id)} is your own "
            f"account ({output.plain(own.why)})."
        )
    if not found.items:
        output.success("Nothing new to suggest: everything found is already recorded.")
        return
    output.say("Check each one: only record what belongs to the person threatening you.\n")
    current = None
    for suggestion in found.items:
        if suggestion.kind != current:
            current = suggestion.kind
            output.heading(suggestion.heading)
        extra = f" ({suggestion.platform})" if suggestion.platform else ""
        if suggestion.detail and suggestion.kind in ("wallet", "gift-card", "mtcn"):
            extra = f" ({suggestion.detail})"
        if suggestion.checked and suggestion.kind in ("wallet", "iban"):
            extra += f", {suggestion.checked}"
        if suggestion.kind == "phone" and suggestion.key.startswith("+"):
            extra += f", {suggestion.key} in full"
        if suggestion.kind == "chat-account" and suggestion.detail:
            extra += f", account ID {suggestion.detail}"
        # Through plain() as a whole: the brackets are words here, not Rich markup.
        recorded = f"  [already recorded as {suggestion.recorded_as}]" if suggestion.recorded_as else ""
        value = output.plain(suggestion.value, limit=output.LONG_LIMIT)
        output.say(f"  {value}{output.plain(extra)}{output.plain(recorded)}")
        for where in suggestion.where[:3]:
            output.say(f"      seen in {output.plain(where)}")
        if suggestion.count > 3 and suggestion.kind != "chat-account":
            output.say(f"      … {output.plain(suggestion.count)} times in all")
        if not suggestion.recorded_as:
            command = output.plain(suggestion.command_line(), limit=output.LONG_LIMIT)
            output.say(f"      to record it:  {command}")
            if "PLATFORM" in suggestion.command():
                output.say("      (replace PLATFORM with where the account is, e.g. Instagram)")
            if "METHOD" in suggestion.command():
                output.say("      (replace METHOD with how it was to be paid: bank, paypal, crypto…)")
            if "CURRENCY" in suggestion.command():
                output.say("      (replace CURRENCY with the dollar it was: USD, AUD, CAD…)")
        if suggestion.kind == "link" and not suggestion.recorded_as:
            output.say("      (add --sensitive if that page shows intimate images: it will never be opened)")
    output.say()


def _json_result(name: str, case: Any, result: Any, json: bool) -> bool:
    if not json:
        return False
    from evidencekit.cli import output

    output.print_json(
        {
            "format": f"evidencekit-{name}/1",
            "case_id": case.info.id,
            "added": result.record,
            "duplicate_of": result.duplicate_of,
            "warnings": result.warnings,
            "notes": result.notes,
            "advice": result.advice,
        }
    )
    return True


def _render_messages(result: Any, *, show_advice: bool = False) -> None:
    from evidencekit.cli import output

    for message in result.warnings:
        output.warn(output.plain(message))
    for message in result.notes:
        output.note(output.plain(message))
    if show_advice and result.advice:
        output.say("\n[bold]Important:[/bold]")
        for line in result.advice:
            output.say(f"  • {output.plain(line)}")
