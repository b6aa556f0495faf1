"""The progress view for a progress code's holder (``public_progress``), each result and how it
comes in the progress view, and an agent's own cases (``agent_cases_page``)."""

from __future__ import annotations

import datetime as dt

import pytest

from oneservice import Actor, Applicant, CaseNotFound, InvalidInput, Role
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id
from oneservice.service.queries import masked_name
from oneservice.store.agents import grant, revoke

MATTER = "childcare-subsidy"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(3), "王小明", "13900139000")
ME = Actor(Role.APPLICANT, "wangxm", applicant_id=PERSON.id_number)
AGENT = Actor(Role.AGENT, "agent-07")


def delivered_case(service, actor=ME, channel="online"):
    plan = service.catalogue.plan(MATTER)
    case = service.open_case(actor, MATTER, PERSON, channel=channel, location=LOCATION,
                             agent=AGENT.id if actor is AGENT else None)
    service.submit(actor, case.id, form=sample_form(plan), materials=[x.material.id for x in plan.materials],
                   channel=channel)
    service.accept(CLERK, case.id)
    for code, task in service.case(CLERK, case.id).tasks.items():
        reviewer = Actor(Role.REVIEWER, "rev-01", department=task.department)
        service.start_review(reviewer, case.id, code)
        service.approve(reviewer, case.id, code, note="符合发放条件")
    service.deliver(CLERK, case.id, results=sample_deliveries(plan, "EMS 9"))
    return case.id


class TestPublicProgress:
    def test_the_names_are_cut_and_nothing_personal_is_left(self, service):
        """The applicant's name is its first character and *, the ID masked, no phone anywhere."""
        case_id = delivered_case(service)
        view = service.public_progress(case_id)
        assert view.applicant_name == "王*"
        assert view.applicant_id == PERSON.masked_id
        assert [p["name"] for p in view.parties] == ["王*"]
        assert view.party is None
        text = repr(view.to_dict())
        assert PERSON.id_number not in text
        assert PERSON.phone not in text
        assert "王小明" not in text

    def test_the_same_steps_items_and_results_as_the_applicant_sees(self, service):
        """Steps, tasks, deadlines and results are those of progress()."""
        case_id = delivered_case(service)
        mine, public = service.progress(ME, case_id), service.public_progress(case_id)
        assert public.steps == mine.steps
        assert public.tasks == mine.tasks
        assert (public.due, public.state, public.trips) == (mine.due, mine.state, mine.trips)
        assert "符合发放条件" in [s.note for s in public.steps]
        assert public.results == mine.results

    def test_an_unknown_case_is_not_found(self, service):
        with pytest.raises(CaseNotFound):
            service.public_progress("20261102-000000000000")

    def test_masked_name_of_empty_and_one_character(self):
        assert (masked_name(""), masked_name("张"), masked_name("杭州某某有限公司")) == ("", "张*", "杭*")


class TestResultsInTheProgressView:
    def test_each_result_with_its_channels_and_its_delivery(self, service):
        """A delivered result names the channel it came by; its item and name are given."""
        case_id = delivered_case(service)
        view = service.progress(ME, case_id)
        assert view.results, "the matter's item has a result"
        result = view.results[0]
        assert result["item"] in {t["item"] for t in view.tasks}
        assert result["delivered"] is True
        assert result["channel"] in result["channels"]
        assert result["name_zh"]
        assert view.tasks[0]["department_zh"] != view.tasks[0]["department"]

    def test_before_delivery_a_result_is_not_delivered(self, service):
        plan = service.catalogue.plan(MATTER)
        case = service.open_case(ME, MATTER, PERSON, channel="online", location=LOCATION)
        service.submit(ME, case.id, form=sample_form(plan), materials=[x.material.id for x in plan.materials],
                       channel="online")
        service.accept(CLERK, case.id)
        view = service.progress(ME, case.id)
        assert [r["delivered"] for r in view.results] == [False] * len(view.results)
        assert (view.pickup_location, view.pickup_zh) == (LOCATION, "杭州市民中心")  # the intake point


class TestAgentCases:
    def test_an_agent_lists_the_cases_they_run_while_authorised(self, service, clock):
        """Listed with an authorisation in force; gone once it is revoked."""
        record = grant(service.store, applicant_id=PERSON.id_number, agent_id=AGENT.id, now=clock.now())
        case_id = delivered_case(service, AGENT, channel="agent")
        page = service.agent_cases_page(AGENT)
        assert ([row.id for row in page.items], page.total) == ([case_id], 1)
        assert service.agent_cases_page(Actor(Role.AGENT, "agent-99")).total == 0
        assert revoke(service.store, applicant_id=PERSON.id_number, authorisation_id=record.id,
                      now=clock.now() - dt.timedelta(minutes=1))
        assert service.agent_cases_page(AGENT).total == 0

    def test_only_an_agent_has_such_a_list(self, service):
        with pytest.raises(InvalidInput):
            service.agent_cases_page(ME)
