"""The applicant in a real browser: my cases, a case's progress, the rating; the public progress
page by case number and progress code, and a wrong code refused."""

from __future__ import annotations

from web_helpers import sign_in

from oneservice import Actor, Applicant, Role
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id

MATTER = "childcare-subsidy"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(11), "周丽华", "13600136000")
ME = Actor(Role.APPLICANT, "zhoulh", applicant_id=PERSON.id_number)


def delivered_case(service) -> str:
    """A case taken in online, approved and delivered electronically (the desk's and the back
    office's screens are other tests'; here the library does their part)."""
    plan = service.catalogue.plan(MATTER)
    case = service.open_case(ME, MATTER, PERSON, channel="online", location=LOCATION)
    service.submit(ME, case.id, form=sample_form(plan), materials=[x.material.id for x in plan.materials],
                   channel="online")
    service.accept(CLERK, case.id)
    for code, task in service.case(CLERK, case.id).tasks.items():
        reviewer = Actor(Role.REVIEWER, "rev-01", department=task.department)
        service.start_review(reviewer, case.id, code)
        service.approve(reviewer, case.id, code, note="材料齐全，补贴按月发放")
    service.deliver(CLERK, case.id, results=sample_deliveries(plan, "EMS 1"))
    return case.id


def test_the_applicant_sees_the_progress_and_rates(browser, site, authority, screens, service):
    case_id = delivered_case(service)
    page = sign_in(browser, site, authority, ME)
    assert page.url.endswith("/web/mine")
    screens.check(page, "applicant-mine", "我的办件", case_id, "育儿补贴申领")
    page.click(f"text={case_id}")
    screens.check(page, "applicant-progress", "办理进度", "已分送部门审批", "杭州市上城区卫生健康局",
                  "材料齐全，补贴按月发放", "电子证照推送", "跑动 0 / 0", "查询码", "好差评")
    page.check("#level-5")
    page.fill("#comment", "在家就办好了，一次都没跑")
    page.click("text=提交评价")
    page.wait_for_load_state("networkidle")
    text = screens.check(page, "applicant-rated", "感谢评价：非常满意", "您的评价：非常满意", "一次都没跑")
    assert "提交评价" not in text
    assert [r.level for r in service.case(CLERK, case_id).ratings] == [5]


def test_the_public_progress_page_by_case_number_and_code(browser, site, authority, screens, service):
    case_id = delivered_case(service)
    mine = sign_in(browser, site, authority, ME)
    mine.goto(f"{site}/web/mine/{case_id}")
    code = mine.inner_text("strong.code")
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(site + "/")
    page.fill("#case", case_id)
    page.fill("#code", "AAAA-AAAA")
    page.click("form[action='/progress'] button[type=submit]")
    text = screens.check(page, "public-progress-refused", "办件编号或查询码不正确")
    assert "办理进度" not in text
    page.fill("#case", case_id)
    page.fill("#code", code.lower().replace("-", " "))  # typed as a person types it
    page.click("form[action='/progress'] button[type=submit]")
    text = screens.check(page, "public-progress", case_id, "办理进度", "已送达", "周*", "材料齐全，补贴按月发放")
    for personal in ("周丽华", PERSON.phone, PERSON.id_number):
        assert personal not in text and personal not in page.content()
