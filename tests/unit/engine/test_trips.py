"""Trips on in-memory cases: counted per visit, same-day same-place steps merged, a visit over the
budget (open-shop: 1) only with a recorded reason."""

from __future__ import annotations

import pytest
from engine_helpers import CENTRE, CLERK, ME, PERSON, TOWNSHIP, TOWNSHIP_CLERK, TRACKING, types

from oneservice.errors import ActionRejected


def at_the_window(shop, clerk=CLERK):
    """A case a clerk opens at the window (the intake visit) and submits there at once."""
    case = shop.open(clerk, channel="window", location=clerk.location, applicant=PERSON)
    shop.engine.submit(case, clerk, shop.now, {"company_name": "一家店", "capital": 10.0},
                       ["articles", "lease"], "window")
    return case


class TestCounting:
    def test_online_steps_are_no_trip(self, shop):
        case = shop.delivered()
        assert (case.trips, case.visits) == (0, [])

    def test_steps_of_one_visit_count_once(self, shop):
        """Intake and submission at the same window on the same day: one trip."""
        case = at_the_window(shop)
        assert case.trips == 1
        visit = case.visits[0]
        assert (visit.seq, visit.location, visit.purposes, visit.at) == (1, CENTRE, ["intake", "submit"], shop.now)
        shop.engine.accept(case, CLERK, shop.now)
        shop.approve(case, *(item.code for item in shop.plan.items))
        shop.engine.deliver(case, CLERK, shop.now, "window")  # picked up before leaving the hall
        assert (case.trips, case.visits[0].purposes) == (1, ["intake", "submit", "pickup"])
        assert "TripBudgetExceeded" not in types(case)

    def test_another_day_is_another_trip(self, shop, clock):
        case = at_the_window(shop)
        shop.engine.accept(case, CLERK, shop.now)
        shop.approve(case, *(item.code for item in shop.plan.items))
        clock.advance(days=1)
        with pytest.raises(ActionRejected) as info:
            shop.engine.deliver(case, CLERK, shop.now, "window")
        assert (info.value.reason, info.value.details) == ("trip_budget", {"trips": 2, "budget": 1})
        assert (case.state, case.trips) == ("ready_for_pickup", 1)
        shop.engine.deliver(case, CLERK, shop.now, "mail", tracking=TRACKING)  # the no-trip way
        assert (case.state, case.trips) == ("delivered", 1)

    def test_another_place_the_same_day_is_another_trip(self, shop):
        """Opened at the township centre, then a visit recorded at the citizen centre."""
        case = at_the_window(shop, TOWNSHIP_CLERK)
        assert case.visits[0].location == TOWNSHIP
        with pytest.raises(ActionRejected) as info:
            shop.engine.record_visit(case, CLERK, shop.now, "REG", "当面核验原件")
        assert info.value.details == {"trips": 2, "budget": 1}
        assert case.trips == 1


class TestOverBudget:
    def test_a_visit_over_the_budget_needs_a_reason_and_is_flagged(self, shop, clock):
        case = at_the_window(shop)
        clock.advance(days=1)
        before = len(case.new_events)
        shop.engine.record_visit(case, CLERK, shop.now, "REG", "当面核验原件", over_budget_reason="原件须当面核验")
        assert (case.trips, case.over_budget) == (2, True)
        assert (case.visits[1].seq, case.visits[1].over_budget_reason) == (2, "原件须当面核验")
        assert types(case, before) == ["TripBudgetExceeded", "OnsiteVisitRecorded"]
        exceeded = case.new_events[before]
        assert exceeded.public is False  # for supervision, not the applicant's progress view
        assert exceeded.data == {
            "trips": 2, "budget": 1, "reason": "原件须当面核验", "purpose": "当面核验原件"
        }

    def test_within_the_budget_no_reason_is_recorded(self, shop):
        case = at_the_window(shop)
        shop.engine.record_visit(case, CLERK, shop.now, "REG", "补签", over_budget_reason="not needed")
        assert (case.trips, case.over_budget, case.visits[0].over_budget_reason) == (1, False, None)

    def test_a_supplement_at_the_window_on_another_day(self, shop, clock):
        case = shop.submitted(hold_back=["lease"])
        shop.engine.give_notice(case, CLERK, shop.now)
        clock.advance(days=1)
        shop.engine.supplement(case, ME, shop.now, None, ["lease"], "window")  # the first trip
        assert (case.trips, case.visits[0].purposes, case.over_budget) == (1, ["supplement"], False)
