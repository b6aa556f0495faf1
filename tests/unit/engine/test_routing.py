"""Routing (docs/authoring.md, "Areas and routing"): the competent department of an item follows
the applicant's residence. Shipped newborn: 出生登记 (330102-GA-CSDJ) goes to the police station
of the street where the receiving household is registered — 湖滨 or 清波 in 上城区."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import ME, MONDAY, PERSON, build_engine, reviewer

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Actor, Role
from oneservice.engine.clock import SimulatedClock
from oneservice.errors import ActionRejected, InvalidInput, NotAuthorised, RoutingError
from oneservice.samples import sample_form

SHIPPED = load_catalogue([Path(__file__).resolve().parents[3] / "workflows"])
PLAN = SHIPPED.plan("newborn")
CSDJ = "330102-GA-CSDJ"
HUBIN, QINGBO = "330102003", "330102001"
CLERK = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")


@pytest.fixture
def desk():
    clock = SimulatedClock(MONDAY)
    return build_engine(PLAN, SHIPPED), clock


def submitted(desk, residence: str | None, n: int = 1, hold_back: int = 0):
    engine, clock = desk
    case = engine.open_case(ME, f"C-{n}", PERSON, "online", "hz-citizen-centre", clock.now())
    form = sample_form(PLAN)
    if residence is None:
        form.pop("residence_region")
    else:
        form["residence_region"] = residence
    materials = [line.material.id for line in PLAN.materials]
    engine.submit(case, ME, clock.now(), form, materials[hold_back:], "online")
    return case


class TestTwoResidences:
    @pytest.mark.parametrize(("residence", "station"), [(HUBIN, "sc-hubin-pcs"), (QINGBO, "sc-qingbo-pcs")])
    def test_the_station_of_the_residence_handles_the_item(self, desk, residence, station) -> None:
        """Two residences, two police stations: the task, its dispatch event and the reviewer who
        may act all follow the applicant's street."""
        engine, clock = desk
        case = submitted(desk, residence)
        assert case.tasks[CSDJ].department == station
        assigned = [e for e in case.new_events if e.type == "DepartmentAssigned"]
        assert [(e.data["item"], e.data["department"], e.data["by"]) for e in assigned] == [
            (CSDJ, station, "residence")]
        engine.accept(case, CLERK, clock.now())
        for code in [i.code for i in PLAN.items if i.code != CSDJ]:
            task = case.tasks[code]
            if task.state == "ready":
                actor = reviewer(task.department)
                engine.start_review(case, actor, clock.now(), code)
                engine.approve(case, actor, clock.now(), code)
        assert case.tasks[CSDJ].state == "ready"
        dispatched = [e for e in case.new_events if e.type == "ItemDispatched" and e.data["item"] == CSDJ]
        assert dispatched[0].data["department"] == station
        other = "sc-qingbo-pcs" if station == "sc-hubin-pcs" else "sc-hubin-pcs"
        with pytest.raises(NotAuthorised):
            engine.start_review(case, reviewer(other), clock.now(), CSDJ)
        engine.start_review(case, reviewer(station), clock.now(), CSDJ)

    def test_a_changed_residence_before_acceptance_moves_the_item(self, desk) -> None:
        """Before acceptance the applicant may correct the street: the department follows, and the
        event says which it was before."""
        engine, clock = desk
        case = submitted(desk, HUBIN, hold_back=1)
        engine.give_notice(case, CLERK, clock.now())
        engine.supplement(case, ME, clock.now(), {"residence_region": QINGBO}, [PLAN.materials[0].material.id],
                          "online")
        assert case.tasks[CSDJ].department == "sc-qingbo-pcs"
        last = [e for e in case.new_events if e.type == "DepartmentAssigned"][-1]
        assert last.data["before"] == "sc-hubin-pcs"


class TestNoCompetentDepartment:
    @pytest.mark.parametrize(("residence", "says"), [
        ("330110112", "outside the area of item 330102-GA-CSDJ (上城区 (330102))"),
        ("330102", "wider area than any competent department"),
        ("330102999", "not in the registry's list of administrative areas"),
    ])
    def test_a_residence_no_station_covers_is_refused_and_nothing_changes(self, desk, residence, says) -> None:
        """A street outside the district, the district itself, an unlisted code: OS750 naming the
        case, its state and the field; the form is left as it was."""
        engine, clock = desk
        case = engine.open_case(ME, "C-9", PERSON, "online", "hz-citizen-centre", clock.now())
        form = {**sample_form(PLAN), "residence_region": residence}
        with pytest.raises(RoutingError) as info:
            engine.submit(case, ME, clock.now(), form, [], "online")
        assert info.value.code == "OS750" and info.value.field == "form.residence_region"
        assert says in str(info.value) and "case C-9 (draft)" in str(info.value)
        assert "湖滨街道 (330102003)" in (info.value.hint or "")
        assert case.form == {} and case.tasks[CSDJ].department == ""

    def test_a_malformed_code_is_a_form_error(self, desk) -> None:
        engine, clock = desk
        case = engine.open_case(ME, "C-8", PERSON, "online", "hz-citizen-centre", clock.now())
        with pytest.raises(InvalidInput) as info:
            engine.submit(case, ME, clock.now(), {"residence_region": "hubin"}, [], "online")
        assert info.value.field == "form.residence_region"
        assert "administrative division code" in str(info.value)

    def test_acceptance_needs_the_field(self, desk) -> None:
        """Without the street the case is incomplete (a required field) and cannot be accepted."""
        engine, clock = desk
        case = submitted(desk, None)
        assert case.tasks[CSDJ].department == ""
        with pytest.raises(ActionRejected) as info:
            engine.accept(case, CLERK, clock.now())
        assert info.value.reason == "incomplete"
        assert "not filled in: Street of the receiving household's registration" in str(info.value)
        assert case.state == "submitted"

    def test_after_acceptance_the_department_is_settled(self, desk) -> None:
        engine, clock = desk
        case = submitted(desk, HUBIN)
        engine.accept(case, CLERK, clock.now())
        with pytest.raises(RoutingError) as info:
            engine._routed(case, {**case.form, "residence_region": QINGBO})
        assert "settled at acceptance" in str(info.value)
