"""Intake and pickup points (docs/authoring.md, "Intake and pickup points"), on the catalogue of
``tests/fixtures/points``: a county (余杭区) with a town point (径山镇) and a village point (径山村)
under it, a street point of another district (湖滨街道) and the city centre.

- ``near-home`` (NH-CERT, a certificate of the county bureau) is taken in at village, township or
  county points and handed out there; never at the city centre.
- ``card`` (NH-CARD) is a card printed at the county: only a county window or above hands it out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import ME, MONDAY, PERSON, build_engine, event, reviewer

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Actor, Role
from oneservice.engine.clock import SimulatedClock
from oneservice.errors import ActionRejected, IllegalAction, NotAuthorised, PointError

POINTS = load_catalogue([Path(__file__).resolve().parents[2] / "fixtures" / "points"])
VILLAGE, TOWN, COUNTY, CITY, HUBIN = "jingshan-village", "jingshan-town", "yh-centre", "hz-citizen-centre", \
    "hubin-centre"
VILLAGE_AGENT = Actor(Role.AGENT, "grid-07", location=VILLAGE)


def clerk(location: str) -> Actor:
    return Actor(Role.CLERK, f"clerk-{location}", location=location)


@pytest.fixture
def clock():
    return SimulatedClock(MONDAY)


def engine(matter: str):
    return build_engine(POINTS.plan(matter), POINTS)


def through_review(eng, case, clock, actor: Actor, form=None):
    """Submit everything, accept at the intake point (or by the agent), approve every item."""
    plan = POINTS.plan(case.matter_id)
    materials = [line.material.id for line in plan.materials]
    channel = "agent" if actor.role is Role.AGENT else "window"
    if form is None:
        form = {"residence_region": "330110112201"} if case.matter_id == "near-home" else {}
    eng.submit(case, actor, clock.now(), form, materials, channel)
    eng.accept(case, clerk(case.location), clock.now())
    for item in plan.items:
        eng.start_review(case, reviewer("yh-hrss"), clock.now(), item.code)
        eng.approve(case, reviewer("yh-hrss"), clock.now(), item.code)
    assert case.state == "ready_for_pickup"


class TestIntakeLevels:
    def test_a_point_of_a_level_the_matter_does_not_take_in_at_is_refused(self, clock) -> None:
        """near-home is taken in at village, township and county points: the city centre is refused
        with the levels that may, before any case exists."""
        eng = engine("near-home")
        with pytest.raises(PointError) as info:
            eng.open_case(clerk(CITY), "C-1", PERSON, "window", CITY, clock.now())
        assert info.value.code == "OS751"
        assert info.value.field == "location"
        assert "not taken in at city points" in str(info.value)
        assert info.value.hint is not None and "村（社区）" in info.value.hint

    def test_an_unknown_point_is_named_with_the_closest_one(self, clock) -> None:
        eng = engine("near-home")
        with pytest.raises(PointError) as info:
            eng.open_case(clerk("jingshan-vilage"), "C-1", PERSON, "window", "jingshan-vilage", clock.now())
        assert "'jingshan-vilage' is not a service location" in str(info.value)
        assert info.value.hint == "did you mean 'jingshan-village'?"


class TestDefaultPickup:
    def test_results_return_to_the_village_point_that_took_the_case_in(self, clock) -> None:
        """A village intake: the county bureau reviews, the results wait at the village point."""
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        assert case.pickup_location == VILLAGE
        assert event(case, "CaseOpened").data.get("pickup_location") is None  # the intake point itself
        through_review(eng, case, clock, VILLAGE_AGENT)
        assert {t.department for t in case.tasks.values()} == {"yh-hrss"}
        eng.deliver(case, clerk(VILLAGE), clock.now(), "window")
        assert case.state == "delivered"
        assert [(v.location, v.purposes) for v in case.visits] == [(VILLAGE, ["pickup"])]
        assert case.trips == 1 and not case.over_budget

    def test_a_card_printed_at_the_county_waits_at_the_nearest_county_window(self, clock) -> None:
        """Taken in at the village, the card needs a county window: the results go up the region
        chain to 余杭区行政服务中心, and CaseOpened says so."""
        eng = engine("card")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        assert case.pickup_location == COUNTY
        assert event(case, "CaseOpened").data["pickup_location"] == COUNTY

    def test_taken_in_at_the_county_the_card_waits_there(self, clock) -> None:
        case = engine("card").open_case(clerk(COUNTY), "C-1", PERSON, "window", COUNTY, clock.now())
        assert case.pickup_location == COUNTY


class TestChoosePickup:
    def test_the_applicant_chooses_another_point_and_the_window_there_hands_out(self, clock) -> None:
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        eng.choose_pickup(case, ME, clock.now(), TOWN)
        chosen = event(case, "PickupPointChosen")
        assert (chosen.data["location"], chosen.data["before"]) == (TOWN, VILLAGE)
        through_review(eng, case, clock, VILLAGE_AGENT)
        with pytest.raises(ActionRejected) as info:
            eng.deliver(case, clerk(VILLAGE), clock.now(), "window")
        assert "the results wait at jingshan-town, not at jingshan-village" in str(info.value)
        assert case.state == "ready_for_pickup" and case.visits == []
        eng.deliver(case, clerk(TOWN), clock.now(), "window")
        assert [v.location for v in case.visits] == [TOWN]

    def test_a_point_below_the_cards_window_level_is_refused(self, clock) -> None:
        eng = engine("card")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        with pytest.raises(PointError) as info:
            eng.choose_pickup(case, ME, clock.now(), TOWN)
        assert "result 'card' of NH-CARD is handed over at a window of the county or district level or above" in \
            str(info.value)
        assert case.pickup_location == COUNTY
        eng.choose_pickup(case, ME, clock.now(), CITY)  # a higher window serves a county card
        assert case.pickup_location == CITY

    def test_a_pickup_level_the_matter_does_not_allow_is_refused(self, clock) -> None:
        """near-home hands out at village, township and county windows: not at the city centre."""
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        with pytest.raises(PointError) as info:
            eng.choose_pickup(case, ME, clock.now(), CITY)
        assert ("matter near-home hands results out at village or community, township or street, county or "
                "district windows, not at the city point hz-citizen-centre") in str(info.value)
        assert case.pickup_location == VILLAGE

    def test_choosing_the_point_it_already_waits_at_is_rejected(self, clock) -> None:
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        with pytest.raises(ActionRejected):
            eng.choose_pickup(case, ME, clock.now(), VILLAGE)

    def test_after_the_hand_over_the_point_is_fixed(self, clock) -> None:
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        through_review(eng, case, clock, VILLAGE_AGENT)
        eng.deliver(case, clerk(VILLAGE), clock.now(), "window")
        with pytest.raises(IllegalAction):
            eng.choose_pickup(case, ME, clock.now(), TOWN)


class TestWindowLevel:
    def test_a_clerk_of_a_lower_window_cannot_hand_the_card_over(self, clock) -> None:
        """Even where the case was taken in, a window below the card's level hands nothing over."""
        eng = engine("card")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        through_review(eng, case, clock, VILLAGE_AGENT)
        with pytest.raises(ActionRejected) as info:
            eng.deliver(case, clerk(VILLAGE), clock.now(), "window")
        assert "the results wait at yh-centre" in str(info.value)
        eng.deliver(case, clerk(COUNTY), clock.now(), "window")
        assert [(v.location, v.purposes) for v in case.visits] == [(COUNTY, ["pickup"])]


class TestAgentArea:
    def test_an_agent_acts_for_the_applicants_of_its_area(self, clock) -> None:
        """The village agent may fill a residence inside its village, not one in another district."""
        eng = engine("near-home")
        case = eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", VILLAGE, clock.now())
        materials = [line.material.id for line in POINTS.plan("near-home").materials]
        with pytest.raises(NotAuthorised) as info:
            eng.submit(case, VILLAGE_AGENT, clock.now(), {"residence_region": "330102003"}, materials, "agent")
        assert "form.residence_region" in str(info.value)
        assert "outside the area of agent grid-07's point jingshan-village" in str(info.value)
        assert case.state == "draft" and case.form == {}
        eng.submit(case, VILLAGE_AGENT, clock.now(), {"residence_region": "330110112201"}, materials, "agent")
        assert case.state == "submitted"

    def test_an_agent_of_a_point_takes_cases_in_only_there(self, clock) -> None:
        eng = engine("near-home")
        with pytest.raises(NotAuthorised) as info:
            eng.open_case(VILLAGE_AGENT, "C-1", PERSON, "agent", TOWN, clock.now())
        assert "attached to the point jingshan-village" in str(info.value)


class TestOnline:
    def test_an_online_case_names_its_handling_location_at_any_level(self, clock) -> None:
        """Online nobody comes to a point: the intake levels bind window and agent intake only. The
        results wait at the nearest point that may hand them out (the city centre may not)."""
        eng = engine("near-home")
        case = eng.open_case(ME, "C-1", PERSON, "online", CITY, clock.now())
        assert case.location == CITY and case.pickup_location is None
        eng.choose_pickup(case, ME, clock.now(), TOWN)
        assert case.pickup_location == TOWN
