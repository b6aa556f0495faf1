"""Who may act, on in-memory cases: a refused actor gets NotAuthorised naming them, and the case
is left as it was (no state change, no event: recording the attempt is the service's job)."""

from __future__ import annotations

import pytest
from engine_helpers import AGENT, CENTRE, CLERK, ME, OTHER, PERSON, SUPERVISOR, reviewer, types

from oneservice.domain.case import Actor, Role
from oneservice.errors import InvalidInput, NotAuthorised
from oneservice.samples import sample_form


def refused(call, case):
    """Run ``call``; it must raise NotAuthorised and leave ``case`` unchanged. Returns the error."""
    state, events = case.state, types(case)
    with pytest.raises(NotAuthorised) as info:
        call()
    assert (case.state, types(case)) == (state, events)
    assert (info.value.case_id, info.value.state) == (case.id, str(state))
    return info.value


class TestApplicants:
    def test_an_applicant_acts_only_on_their_own_case(self, shop):
        case = shop.open()
        error = refused(lambda: shop.engine.submit(case, OTHER, shop.now, {}, [], "online"), case)
        assert error.actor == "applicant:lisi"
        assert "an applicant may act only on their own cases" in str(error)

    def test_an_applicant_opens_cases_only_for_themselves(self, shop):
        with pytest.raises(NotAuthorised) as info:
            shop.open(OTHER, applicant=PERSON)
        assert info.value.actor == "applicant:lisi"

    def test_an_applicant_does_not_accept(self, shop):
        case = shop.submitted()
        error = refused(lambda: shop.engine.accept(case, ME, shop.now), case)
        assert "may not do this (allowed: clerk)" in str(error)

    def test_another_applicant_cannot_withdraw(self, shop):
        case = shop.accepted()
        refused(lambda: shop.engine.withdraw(case, OTHER, shop.now, "恶意撤回"), case)


class TestAgents:
    def test_only_the_cases_agent_acts_for_the_applicant(self, shop):
        case = shop.engine.open_case(ME, "C-A", PERSON, "online", CENTRE, shop.now, agent=AGENT.id)
        stranger = Actor(Role.AGENT, "grid-09")
        error = refused(lambda: shop.engine.submit(case, stranger, shop.now, {}, [], "online"), case)
        assert (error.actor, "this agent is not the case's agent" in str(error)) == ("agent:grid-09", True)
        shop.engine.submit(case, AGENT, shop.now, sample_form(shop.plan), shop.applicant_materials(), "online")
        assert case.state == "submitted"

    def test_an_agent_opens_cases_on_the_agent_channel_only(self, shop):
        with pytest.raises(InvalidInput) as info:  # open-shop offers window and online
            shop.engine.open_case(AGENT, "C-A", PERSON, "online", CENTRE, shop.now)
        assert info.value.field == "channel"


class TestReviewers:
    def test_a_reviewer_of_another_department_is_refused(self, shop):
        case = shop.accepted()
        error = refused(lambda: shop.engine.start_review(case, reviewer("psb"), shop.now, "REG"), case)
        assert error.actor == "reviewer:rev-psb@psb"
        assert "item REG belongs to department amr, not psb" in str(error)
        assert case.tasks["REG"].state == "ready"

    @pytest.mark.parametrize("action", ["approve", "refuse_item", "request_correction", "suspend"])
    def test_every_review_action_checks_the_department(self, shop, action):
        case = shop.accepted()
        shop.engine.start_review(case, shop.reviewer("REG"), shop.now, "REG")
        args = {"approve": (), "refuse_item": ("不予许可",), "request_correction": ([], "补正"), "suspend": ("中止", "inspection")}
        intruder = reviewer("tax")
        refused(lambda: getattr(shop.engine, action)(case, intruder, shop.now, "REG", *args[action]), case)
        assert case.tasks["REG"].state == "in_review"

    def test_a_reviewer_acts_on_items_only(self, shop):
        case = shop.submitted()
        error = refused(lambda: shop.engine.accept(case, reviewer("amr"), shop.now), case)
        assert error.actor == "reviewer:rev-amr@amr"


class TestClerks:
    def test_a_clerk_without_a_location_is_refused(self, shop):
        case = shop.submitted()
        nowhere = Actor(Role.CLERK, "clerk-02")
        error = refused(lambda: shop.engine.accept(case, nowhere, shop.now), case)
        assert error.actor == "clerk:clerk-02"
        assert "a window clerk must name the service location" in str(error)

    def test_a_clerk_without_a_location_opens_nothing(self, shop):
        with pytest.raises(NotAuthorised) as info:
            shop.open(Actor(Role.CLERK, "clerk-02"), channel="window")
        assert info.value.actor == "clerk:clerk-02"

    def test_clerks_do_not_review(self, shop):
        case = shop.accepted()
        refused(lambda: shop.engine.start_review(case, CLERK, shop.now, "REG"), case)


class TestSupervisors:
    def test_the_overdue_sweep_is_for_system_and_supervisors(self, shop):
        case = shop.accepted(owe=["lease"])
        refused(lambda: shop.engine.terminate_overdue(case, CLERK, shop.now), case)
        assert shop.engine.terminate_overdue(case, SUPERVISOR, shop.now) is False  # nothing overdue yet

    def test_only_supervisors_record_a_callback(self, shop):
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, 1, "差")
        refused(lambda: shop.engine.record_callback(case, CLERK, shop.now, "回访"), case)
