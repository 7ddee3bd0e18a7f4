"""The guide's reporting routes for the case's country and age are a checklist that ticks itself
from what the case records: nothing is asked, and the under-18 routes come first when flagged."""

from __future__ import annotations

import json

from evidencekit.case.case import create_case
from evidencekit.case.flags import set_under_18
from evidencekit.guide.checklist import DONE, NOT_YET, build_checklist
from evidencekit.guide.directory import routes_for
from evidencekit.guide.route_names import names_route
from evidencekit.guide.route_steps import case_routes, route_steps, routes_not_yet_taken
from evidencekit.intake.files import capture
from evidencekit.story import add_action
from evidencekit.story.reports import add_outcome, add_report


def test_a_uk_teenager_s_routes_start_with_the_child_services_and_tick_from_the_records(tmp_path, evidence):
    case = create_case(tmp_path / "case", zone_name="Europe/London", country="GB")
    set_under_18(case, "yes")
    capture(case, [evidence / "chat.txt"])
    steps = {s.id: s for s in route_steps(case, case_routes(case))}
    assert list(steps)[:2] == ["route:gb-ceop", "route:gb-iwf"]
    assert {"route:gb-report-remove", "route:int-take-it-down"} <= set(steps)
    assert "route:int-stopncii" not in steps  # StopNCII is for adults' images
    order = list(steps)
    assert order.index("route:int-take-it-down") < order.index("route:gb-police-101")  # child routes first
    assert {s.status for s in steps.values()} == {NOT_YET}

    add_report(case, "CEOP", items=["E0001"], ref="CEOP-311")
    add_action(case, "stopncii", ref="TID-9")  # no --to: for an under-18 case, Take It Down
    add_action(case, "police", to="Metropolitan Police", ref="CAD-1")
    steps = {s.id: s for s in route_steps(case, case_routes(case))}
    ceop = steps["route:gb-ceop"]
    assert ceop.status == DONE and ceop.detail == "A0001, reference CEOP-311"
    assert steps["route:int-take-it-down"].status == DONE
    assert steps["route:gb-police-101"].status == DONE
    assert steps["route:gb-iwf"].status == NOT_YET
    left = [s.id for s in routes_not_yet_taken(case)]
    assert "route:gb-ceop" not in left and "route:gb-iwf" in left

    checklist = {s.id: s for s in build_checklist(case)}
    assert checklist["report-platform"].status == NOT_YET  # CEOP is not the platform
    assert checklist["hashing"].status == DONE


def test_a_platform_report_ticks_the_platform_step_with_its_answer(case, evidence):
    capture(case, [evidence / "chat.txt"])
    add_report(case, "Instagram", items=["E0001"], ref="IG-7")
    add_outcome(case, "Instagram", "removed", ref="IG-7")
    step = {s.id: s for s in build_checklist(case)}["report-platform"]
    assert step.status == DONE and step.detail == "to Instagram, reference IG-7, removed"
    assert all(s.status == NOT_YET for s in route_steps(case, routes_for("US", "adult")))


def test_a_report_to_stopncii_ticks_the_hashing_step_for_an_adult(case):
    add_report(case, "StopNCII.org", ref="SN-1")
    adult = {s.id: s for s in route_steps(case, routes_for("US", "adult"))}
    assert adult["route:int-stopncii"].status == DONE and adult["route:us-ic3"].status == NOT_YET
    assert {s.id: s for s in build_checklist(case, under_18=False)}["hashing"].status == DONE


def test_route_names_are_recognised_as_people_type_them():
    assert names_route("ceop") == "gb-ceop"
    assert names_route("  Take   it down ") == "int-take-it-down"
    assert names_route("NCMEC CyberTipline") == "us-cybertipline"
    assert names_route("Instagram") is None and names_route("") is None and names_route(None) is None


def test_guide_for_a_case_shows_the_routes_ticked(cli, tmp_path):
    case = tmp_path / "case"
    assert cli("new", case, "--timezone", "America/New_York", "--country", "US").exit_code == 0
    assert cli("report-to", "IC3", "--ref", "I3-55", "--case", case).exit_code == 0

    shown = cli("guide", "--case", case, "--for", "adult")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "Where to report it (ticked from what this case records)" in text
    assert "[done] Report to Internet Crime Complaint Center (IC3) (A0001, reference I3-55)" in text
    assert "[not yet] Ask for removal: StopNCII.org" in text
    listed = json.loads(cli("guide", "--case", case, "--for", "adult", "--json").stdout)
    ticked = {s["id"]: s["status"] for s in listed["route_checklist"]}
    assert ticked["route:us-ic3"] == "done" and ticked["route:int-stopncii"] == "not-yet"
