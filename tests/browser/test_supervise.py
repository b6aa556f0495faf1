"""The supervisor in a real browser: a red warning after the clock passes a due date and the
supervision scan runs, the drill-down to the case, a figure that changes when a case is rated,
an appeal decided, a calendar year loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from web_helpers import sign_in

from oneservice import TZ, Actor, Applicant, Role
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id
from oneservice.supervision import Supervision

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_2027 = ROOT / "tests" / "fixtures" / "calendars" / "2027.yaml"  # TEST FIXTURE: invented dates
BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
REGISTRATION = "330102-SCJG-QYSLDJ"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
PERSON = Applicant("person", sample_resident_id(6), "孙八")
ME = Actor(Role.APPLICANT, "sunba", applicant_id=PERSON.id_number)


def accepted_business(service) -> str:
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    service.submit(ME, case.id, form=sample_form(plan), materials=[ln.material.id for ln in plan.materials],
                   channel="online")
    service.accept(CLERK, case.id)
    return str(case.id)


def delivered_business(service) -> str:
    case_id = accepted_business(service)
    for item in service.catalogue.plan(BIZ).items:
        reviewer = Actor(Role.REVIEWER, "rev", department=item.department)
        service.start_review(reviewer, case_id, item.code)
        service.approve(reviewer, case_id, item.code)
    service.deliver(CLERK, case_id, results=sample_deliveries(service.catalogue.plan(BIZ), "EMS 1234 5678 9"))
    return case_id


def ratings_row(page) -> list[str]:
    return page.locator("#ratings tbody tr").last.locator("td").all_inner_texts()


def test_a_supervisor_sees_the_warning_the_case_and_a_figure_change(browser, site, authority, screens,
                                                                    service, clock):
    late = accepted_business(service)
    done = delivered_business(service)
    clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))  # the promise was due Tue 3 Nov
    Supervision(service).scan()
    page = sign_in(browser, site, authority, SUPERVISOR)
    assert page.url.endswith("/web/supervision")
    screens.check(page, "supervise-warnings", "电子监察预警", late, "红灯", "办件承诺时限", "事项承诺时限")
    page.click(f"#colour-cases a[href='/web/cases/{late}']")
    text = screens.check(page, "supervise-case", "电子监察", "2026-11-03", "批准延期")
    assert page.locator("#case-warnings .colour.red").count() == 2
    assert late in text

    page.goto(f"{site}/web/supervision/figures")
    before = ratings_row(page)
    assert before[0] == "0"  # nobody very satisfied yet
    service.rate(ME, done, 5, "一次都没跑")
    page.select_option("#by", "matter")
    page.click("button:has-text('统计')")
    page.wait_for_load_state("networkidle")
    screens.check(page, "supervise-figures", "改革指标", "主要比率", "满意度", "合计")
    after = ratings_row(page)
    assert after[0] == "1" and after != before
    assert page.locator("#chart-satisfaction rect.bar[data-value='1']").count() == 1


def test_a_supervisor_decides_an_appeal(browser, site, authority, screens, service):
    tax = service.catalogue.item("330102-SW-XBNSR").department
    case_id = delivered_business(service)
    service.rate(ME, case_id, 1, "随便打的", about={"kind": "department", "id": tax})
    service.appeal_rating(Actor(Role.REVIEWER, "rev-tax", department=tax), case_id, "申请人来电说明系误评")
    page = sign_in(browser, site, authority, SUPERVISOR)
    page.goto(f"{site}/web/supervision/appeals")
    screens.check(page, "supervise-appeals", "差评申诉复核", case_id, "申请人来电说明系误评", "没有待审批的延期申请")
    page.check(f"#appeal-{case_id}-1-upheld")
    page.fill(f"#appeal-{case_id}-1-note", "经电话核实为误评")
    page.click("button:has-text('提交复核结论')")
    page.wait_for_load_state("networkidle")
    assert "申诉成立" in page.inner_text(".flash")
    assert "没有待复核的申诉" in page.inner_text("body")
    assert service.case(SUPERVISOR, case_id).ratings[0].appeal.decision == "upheld"


def test_a_supervisor_loads_a_calendar_year(browser, site, authority, screens, service):
    page = sign_in(browser, site, authority, SUPERVISOR)
    page.goto(f"{site}/web/supervision/calendars")
    screens.check(page, "supervise-calendars", "工作日历", "2004–2026", "载入一年的官方日历")
    page.set_input_files("#calendar-file", str(FIXTURE_2027))
    page.click("button:has-text('载入')")
    page.wait_for_load_state("networkidle")
    text = screens.check(page, "supervise-calendar-loaded", "已载入 2027 年工作日历", "2004–2027")
    assert "TEST FIXTURE" in text
    assert [row.year for row in service.calendar_years()] == [2027]
