"""The applicant's pages through Flask's test client: my cases, a case's progress, rating, and the
public progress page (case number + progress code, no login)."""

from __future__ import annotations

import datetime as dt

import pytest
from web_client import SECRET, Browser, web_app

from oneservice import Actor, Applicant, Role
from oneservice.http import TokenAuthority
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id
from oneservice.store.agents import grant
from oneservice.web.applicant import WrongCodes

MATTER = "childcare-subsidy"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(5), "陈晓红", "13700137000")
ME = Actor(Role.APPLICANT, "chenxh", applicant_id=PERSON.id_number)
OTHER = Actor(Role.APPLICANT, "lisi", applicant_id=sample_resident_id(6))
AGENT = Actor(Role.AGENT, "agent-03")


@pytest.fixture
def authority() -> TokenAuthority:
    return TokenAuthority(SECRET, None)


@pytest.fixture
def app(service, authority):
    return web_app(service, authority)


def browser(app, authority, actor=ME) -> Browser:
    page = Browser(app)
    page.sign_in(authority, actor)
    page.get("/web/catalogue")  # a page of the new session: its CSRF token
    return page


def open_case(service, actor=ME, channel="online", agent=None) -> str:
    plan = service.catalogue.plan(MATTER)
    case = service.open_case(actor, MATTER, PERSON, channel=channel, location=LOCATION, agent=agent)
    service.submit(actor, case.id, form=sample_form(plan), materials=[x.material.id for x in plan.materials],
                   channel=channel)
    service.accept(CLERK, case.id)
    return case.id


def deliver(service, case_id: str) -> None:
    for code, task in service.case(CLERK, case_id).tasks.items():
        reviewer = Actor(Role.REVIEWER, "rev-01", department=task.department)
        service.start_review(reviewer, case_id, code)
        service.approve(reviewer, case_id, code, note="材料齐全，符合条件")
    service.deliver(CLERK, case_id, results=sample_deliveries(service.catalogue.plan(MATTER), "EMS 7"))


def code_of(app, case_id: str) -> str:
    from oneservice.web.codes import progress_code

    with app.test_request_context():
        return progress_code(case_id)


class TestMyCases:
    def test_my_cases_list_mine_only(self, service, app, authority):
        mine = open_case(service)
        body = browser(app, authority).get("/web/mine").text
        assert f"/web/mine/{mine}" in body and "育儿补贴" in body
        assert f"/web/mine/{mine}" not in browser(app, authority, OTHER).get("/web/mine").text

    def test_an_agent_lists_the_cases_they_run(self, service, app, authority, clock):
        grant(service.store, applicant_id=PERSON.id_number, agent_id=AGENT.id, now=clock.now())
        case_id = open_case(service, AGENT, channel="agent", agent=AGENT.id)
        body = browser(app, authority, AGENT).get("/web/mine").text
        assert f"/web/mine/{case_id}" in body and "代办的办件" in body

    def test_a_clerk_has_no_such_page(self, app, authority):
        assert browser(app, authority, CLERK).get("/web/mine").status_code == 403

    def test_a_bad_page_number_is_the_first_page(self, service, app, authority):
        open_case(service)
        assert browser(app, authority).get("/web/mine?page=zero").status_code == 200


class TestProgress:
    def test_every_step_deadline_and_the_code(self, service, app, authority):
        case_id = open_case(service)
        body = browser(app, authority).get(f"/web/mine/{case_id}").text
        for text in ("已受理", "已分送部门审批", "杭州市上城区卫生健康局", "办结期限", "跑动 0 / 0", code_of(app, case_id)):
            assert text in body
        assert PERSON.id_number not in body
        assert "提交评价" not in body  # not delivered yet: no rating form

    def test_another_applicants_case_is_not_found(self, service, app, authority):
        case_id = open_case(service)
        page = browser(app, authority, OTHER)
        assert page.get(f"/web/mine/{case_id}").status_code == 404
        assert page.post(f"/web/mine/{case_id}/rate", {"level": "1"}).status_code == 404
        assert service.case(CLERK, case_id).ratings == []

    def test_rating_once_delivered(self, service, app, authority):
        case_id = open_case(service)
        deliver(service, case_id)
        page = browser(app, authority)
        body = page.get(f"/web/mine/{case_id}").text
        assert "提交评价" in body and "非常不满意" in body and "电子证照推送" in body
        response = page.post(f"/web/mine/{case_id}/rate", {"level": "5", "comment": "一次都没跑"})
        assert response.status_code == 302
        after = page.get(f"/web/mine/{case_id}").text
        assert "您的评价：非常满意" in after and "一次都没跑" in after and "提交评价" not in after
        assert [r.level for r in service.case(CLERK, case_id).ratings] == [5]

    @pytest.mark.parametrize("level", ["", "0", "6", "five"])
    def test_a_level_outside_the_five_is_refused(self, service, app, authority, level):
        case_id = open_case(service)
        deliver(service, case_id)
        page = browser(app, authority)
        page.post(f"/web/mine/{case_id}/rate", {"level": level})
        assert "请选择五个评价等级之一" in page.get(f"/web/mine/{case_id}").text
        assert service.case(CLERK, case_id).ratings == []

    def test_rating_before_delivery_shows_the_librarys_refusal(self, service, app, authority):
        case_id = open_case(service)
        page = browser(app, authority)
        response = page.post(f"/web/mine/{case_id}/rate", {"level": "4",
                                                           "back": f"/web/mine/{case_id}"})
        assert response.status_code == 302
        assert "OS" in page.get(f"/web/mine/{case_id}").text
        assert service.case(CLERK, case_id).ratings == []

    def test_a_rating_without_the_csrf_token_is_refused(self, service, app, authority):
        case_id = open_case(service)
        deliver(service, case_id)
        response = browser(app, authority).post(f"/web/mine/{case_id}/rate", {"level": "5"}, csrf=False)
        assert response.status_code == 400


class TestPublicProgress:
    def test_case_number_and_code_show_the_progress_without_personal_data(self, service, app):
        case_id = open_case(service)
        deliver(service, case_id)
        response = Browser(app).get(f"/progress?case={case_id}&code={code_of(app, case_id).lower()}")
        body = response.text
        assert response.status_code == 200
        assert "材料齐全，符合条件" in body and "已送达" in body and "陈*" in body
        for secret in (PERSON.id_number, PERSON.phone, "陈晓红", "提交评价"):
            assert secret not in body
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"

    def test_a_wrong_code_and_an_unknown_case_get_the_same_answer(self, service, app):
        case_id = open_case(service)
        unknown = "20261102-ffffffffffff"
        page = Browser(app)
        wrong = page.get(f"/progress?case={case_id}&code=AAAA-AAAA")
        missing = page.get(f"/progress?case={unknown}&code={code_of(app, unknown)}")
        assert wrong.status_code == missing.status_code == 404
        assert wrong.text.replace(case_id, "#") == missing.text.replace(unknown, "#")
        assert "办件编号或查询码不正确" in wrong.text

    def test_repeated_wrong_codes_lock_that_case_number_for_a_while(self, service, app, clock):
        case_id = open_case(service)
        page, right = Browser(app), code_of(app, case_id)
        for _ in range(WrongCodes.LIMIT):
            assert page.get(f"/progress?case={case_id}&code=AAAA-AAAA").status_code == 404
        locked = page.get(f"/progress?case={case_id}&code={right}")
        assert locked.status_code == 429 and "错误次数过多" in locked.text
        other = open_case(service)
        assert page.get(f"/progress?case={other}&code={code_of(app, other)}").status_code == 200
        clock.advance(WrongCodes.WINDOW + dt.timedelta(seconds=1))
        assert page.get(f"/progress?case={case_id}&code={right}").status_code == 200

    def test_without_input_the_form_and_with_half_of_it_a_message(self, app):
        page = Browser(app)
        empty = page.get("/progress")
        assert empty.status_code == 200 and 'for="code"' in empty.text
        half = page.get("/progress?case=20261102-ffffffffffff")
        assert half.status_code == 400 and "请同时输入办件编号和查询码" in half.text


class TestCaseFilePanel:
    def test_the_applicants_panel_links_the_progress_and_offers_the_rating(self, service, app, authority):
        case_id = open_case(service)
        deliver(service, case_id)
        body = browser(app, authority).get(f"/web/cases/{case_id}").text
        assert f'href="/web/mine/{case_id}"' in body and "#rating" in body
