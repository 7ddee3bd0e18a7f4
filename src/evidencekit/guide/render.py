"""The guide as lines of plain text, shared by `evidencekit guide` and the wizard's last step.

Each line is (style, text): `heading`, `item` (the first line of an entry, with its status or how
to reach it), `text` (indented explanation) or `blank`. Status is written in words ("done", "not
yet"), never shown by colour alone, so the output reads the same piped, in a log or through a
screen reader. The CLI decides how to style each kind of line.
"""

from __future__ import annotations

from evidencekit.guide import text
from evidencekit.guide.checklist import ADVICE, DONE, ChecklistStep
from evidencekit.guide.directory import Entry, Routes, country_name

Line = tuple[str, str]

_SECTION_TITLES = {
    "emergency": text.SECTION_EMERGENCY,
    "crisis": text.SECTION_CRISIS,
    "report": text.SECTION_REPORT,
    "takedown": text.SECTION_TAKEDOWN,
    "support": text.SECTION_SUPPORT,
}


def checklist_lines(steps: list[ChecklistStep], *, has_case: bool) -> list[Line]:
    lines: list[Line] = [("heading", text.CHECKLIST_TITLE)]
    if not has_case:
        lines.append(("text", text.CHECKLIST_NO_CASE))
    for number, step in enumerate(steps, start=1):
        if step.status == ADVICE:
            mark = ""
        else:
            mark = f"[{text.STATUS_DONE if step.status == DONE else text.STATUS_NOT_YET}] "
        detail = f" ({step.detail})" if step.detail else ""
        lines.append(("item", f"{number:>2}. {mark}{step.title}{detail}"))
        lines.append(("text", step.advice))
    return lines


def where_label(routes: Routes) -> str:
    if routes.country is None:
        return text.ROUTES_WHERE_OTHER_ONLY if routes.unknown_country else text.ROUTES_WHERE_UNKNOWN
    name = country_name(routes.country) or routes.country
    if routes.region == routes.country:
        return text.ROUTES_WHERE_COUNTRY.format(name=name, code=routes.country)
    if routes.region == "EU":
        return text.ROUTES_WHERE_EU.format(name=name, code=routes.country)
    return text.ROUTES_WHERE_OTHER.format(name=name, code=routes.country)


def entry_lines(entry: Entry, *, show_audience: bool) -> list[Line]:
    """An entry: its name (and who it is for), how to reach it, then what it is for."""
    name = entry.name
    if show_audience and entry.age_group == "under-18":
        name += f" ({text.AUDIENCE_UNDER_18})"
    elif show_audience and entry.age_group == "adult":
        name += f" ({text.AUDIENCE_ADULT})"
    reach = []
    if entry.phone:
        reach.append(f"{text.LABEL_PHONE}: {entry.phone}")
    if entry.text:
        reach.append(f"{text.LABEL_TEXT}: {entry.text}")
    if entry.url:
        reach.append(f"{text.LABEL_WEB}: {entry.url}")
    if entry.hours:
        reach.append(f"{text.LABEL_HOURS}: {entry.hours}")
    lines: list[Line] = [("item", f"• {name}"), ("text", "   ".join(reach))]
    lines.append(("text", entry.purpose))
    if entry.note:
        lines.append(("text", entry.note))
    return lines


def routes_lines(routes: Routes) -> list[Line]:
    lines: list[Line] = [("heading", text.ROUTES_TITLE.format(where=where_label(routes)))]
    if routes.age_group == "under-18":
        lines.append(("text", text.ROUTES_FOR_UNDER_18))
    elif routes.age_group == "adult":
        lines.append(("text", text.ROUTES_FOR_ADULT))
    else:
        lines.append(("text", text.ROUTES_FOR_EVERYONE))
    if routes.unknown_country:
        lines.append(("text", f"{routes.unknown_country} {text.ROUTES_UNKNOWN_COUNTRY}"))
    if routes.country and routes.region in ("INT", "EU"):
        name = country_name(routes.country) or routes.country
        lines.append(("text", text.ROUTES_NO_NATIONAL.format(name=name)))
    for name, entries in routes.sections:
        lines.append(("blank", ""))
        lines.append(("section", _SECTION_TITLES[name]))
        for entry in entries:
            lines += entry_lines(entry, show_audience=routes.age_group is None)
    if routes.oldest_check:
        lines.append(("blank", ""))
        lines.append(("text", text.LAST_CHECKED.format(date=routes.oldest_check.isoformat())))
    stale = routes.stale_entries()
    if stale:
        lines.append(("text", text.DIRECTORY_STALE))
        lines += [
            ("text", "– " + text.STALE_ENTRY.format(name=e.name, date=e.last_verified.isoformat()))
            for e in stale
        ]
    return lines


def route_step_lines(steps: list[ChecklistStep]) -> list[Line]:
    """The reporting routes as a checklist, ticked from the case's records (`route_steps`)."""
    from evidencekit.guide.route_steps import ROUTES_CHECKLIST_TITLE

    lines: list[Line] = [("heading", ROUTES_CHECKLIST_TITLE)]
    for step in steps:
        mark = (
            ""
            if step.status == ADVICE
            else f"[{text.STATUS_DONE if step.status == DONE else text.STATUS_NOT_YET}] "
        )
        detail = f" ({step.detail})" if step.detail else ""
        lines.append(("item", f"• {mark}{step.title}{detail}"))
    return lines


def guide_lines(
    steps: list[ChecklistStep],
    routes: Routes,
    *,
    has_case: bool,
    route_steps: list[ChecklistStep] | None = None,
) -> list[Line]:
    """Emergency numbers first (one line), then the checklist, the routes as a checklist (with a
    case), then every route in full."""
    numbers = [e.phone for e in routes.entries if e.kind == "emergency" and e.phone]
    banner: list[Line] = []
    if numbers:
        banner = [("heading", text.GUIDE_EMERGENCY_BANNER.format(numbers="; ".join(numbers)))]
    ticked: list[Line] = []
    if route_steps:
        ticked = [("blank", ""), *route_step_lines(route_steps)]
    return [
        *banner,
        *checklist_lines(steps, has_case=has_case),
        *ticked,
        ("blank", ""),
        *routes_lines(routes),
    ]
