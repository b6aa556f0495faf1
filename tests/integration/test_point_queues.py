"""Intake and pickup points through the Python API and the store, on SQLite and PostgreSQL: each
point's window queue shows the cases whose results wait there — those it took in and those coming
back to it from another point — and the pickup point survives a reload.

The catalogue is ``tests/fixtures/points`` (see tests/unit/engine/test_points.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oneservice import Actor, OneService, PointError, Role, load_catalogue
from oneservice.domain.case import Applicant
from oneservice.samples import sample_resident_id
from oneservice.supervision import Supervision

POINTS = load_catalogue([Path(__file__).resolve().parents[1] / "fixtures" / "points"])
VILLAGE, TOWN, COUNTY = "jingshan-village", "jingshan-town", "yh-centre"
PERSON = Applicant("person", sample_resident_id(3), "王五", "13800138000")
ME = Actor(Role.APPLICANT, "wangwu", applicant_id=PERSON.id_number)
AGENT = Actor(Role.AGENT, "grid-07", location=VILLAGE)
REVIEWER = Actor(Role.REVIEWER, "rev-yh", department="yh-hrss")


def clerk(location: str) -> Actor:
    return Actor(Role.CLERK, f"clerk-{location}", location=location)


@pytest.fixture
def service(store, clock) -> OneService:
    return OneService(POINTS, store, clock=clock)


def ready(service: OneService, matter: str, *, pickup: str | None = None) -> str:
    """A case taken in by the village agent, reviewed by the county bureau, ready for pickup."""
    case = service.open_case(AGENT, matter, PERSON, channel="agent", location=VILLAGE)
    if pickup is not None:
        service.choose_pickup(ME, case.id, pickup)
    plan = POINTS.plan(matter)
    form = {"residence_region": "330110112201"} if matter == "near-home" else {}
    service.submit(AGENT, case.id, form=form, materials=[m.material.id for m in plan.materials], channel="agent")
    service.accept(clerk(VILLAGE), case.id)
    for item in plan.items:
        service.start_review(REVIEWER, case.id, item.code)
        service.approve(REVIEWER, case.id, item.code)
    return case.id


def queue(service: OneService, location: str) -> list[str]:
    return [row.id for row in service.window_queue(clerk(location))]


class TestWindowQueues:
    def test_each_point_shows_the_cases_whose_results_wait_there(self, service) -> None:
        """Three cases taken in at the village: one returns there, one goes to the town the
        applicant chose, the card goes to the county window it needs."""
        home = ready(service, "near-home")
        town = ready(service, "near-home", pickup=TOWN)
        card = ready(service, "card")
        assert queue(service, VILLAGE) == [home]
        assert queue(service, TOWN) == [town]
        assert queue(service, COUNTY) == [card]
        assert service.case(clerk(COUNTY), card).pickup_location == COUNTY

    def test_the_village_hands_back_in_one_trip_and_the_queue_empties(self, service) -> None:
        case_id = ready(service, "near-home")
        summary = service.deliver(clerk(VILLAGE), case_id, channel="window")
        assert summary.state == "delivered"
        assert queue(service, VILLAGE) == []
        case = service.case(clerk(VILLAGE), case_id)
        assert case.trips == 1 and not case.over_budget
        assert [(v.location, list(v.purposes)) for v in case.visits] == [(VILLAGE, ["pickup"])]

    def test_a_refused_choice_changes_nothing_stored(self, service) -> None:
        """A point below the card's window level: refused, the stored case and its log unchanged."""
        case_id = service.open_case(AGENT, "card", PERSON, channel="agent", location=VILLAGE).id
        before = [(e.seq, e.type, e.data) for e in service.events(clerk(VILLAGE), case_id)]
        with pytest.raises(PointError):
            service.choose_pickup(ME, case_id, TOWN)
        assert service.case(clerk(VILLAGE), case_id).pickup_location == COUNTY
        assert [(e.seq, e.type, e.data) for e in service.events(clerk(VILLAGE), case_id)] == before


class TestAgentFigures:
    def test_the_village_points_agent_work_in_the_figures(self, service) -> None:
        """代办率 and 代办送达率 of the village point: three cases taken in by its agent, one handed
        back at its window, one brought home by the agent; a fourth taken in online at the town."""
        at_window, by_agent = ready(service, "near-home"), ready(service, "near-home")
        ready(service, "near-home")  # still waiting at the village window: not delivered
        service.deliver(clerk(VILLAGE), at_window, channel="window")
        service.deliver(clerk(VILLAGE), by_agent, channel="agent")  # handed to the agent, who brings it
        online = service.open_case(ME, "near-home", PERSON, channel="online", location=TOWN)
        service.submit(ME, online.id, form={"residence_region": "330110112201"}, channel="online",
                       materials=[m.material.id for m in POINTS.plan("near-home").materials])
        report = Supervision(service).report(by="location")
        village = {g.key: g for g in report.groups}[VILLAGE].to_dict()
        assert (village["agent_share"], village["agent_delivery_share"]) == (1.0, 0.5)
        town = {g.key: g for g in report.groups}[TOWN].to_dict()
        assert (town["agent_share"], town["online_share"], town["agent_delivery_share"]) == (0.0, 1.0, None)
        total = report.total.to_dict()
        assert (total["agent_share"], total["agent_delivery_share"]) == (0.75, 0.5)
