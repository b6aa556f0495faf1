"""A 12345 complaint about a case around the whole loop in a real browser: the dispatcher takes it
in and dispatches it, the case's department returns it with a reason, the dispatcher re-dispatches
it, the department answers, the callback finds the requester dissatisfied and reopens the request
by itself (重办), the department answers again, the second callback is satisfied and closes it; the
requester's page shows every node; the supervisor's cockpit ranks the category."""

from __future__ import annotations

import datetime as dt
import re

from web_helpers import sign_in

from oneservice import TZ, Actor, Applicant, Role
from oneservice.domain.requests import Contact
from oneservice.samples import sample_resident_id

DESK = Actor(Role.CLERK, "clerk-sc", location="sc-service-centre")
DISPATCHER = Actor(Role.CLERK, "op-12345", location="hz-citizen-centre")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-12345")


def at(clock, day: int, hour: int, minute: int = 0) -> None:
    clock.set(dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ))


def earlier_requests(service, clock) -> None:
    """Two social insurance requests on Mon 2 Nov, a noise complaint on Wed 4 Nov: the ranking's
    background."""
    at(clock, 2, 10)
    for _ in range(2):
        service.take_in_request(DISPATCHER, kind="help", channel="hotline", category="social-insurance",
                                contact=Contact("王五", "13900001111"), content="社保缴费基数咨询")
    at(clock, 4, 8)
    service.take_in_request(DISPATCHER, kind="complaint", channel="online", category="noise-nuisance",
                            contact=Contact("赵六", "13900002222"), content="夜间施工噪声",
                            regions={"incident_region": "330102"})


def act(page, form: str) -> None:
    page.click(f"#{form} button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_complaint_around_the_loop(browser, site, authority, screens, service, clock):
    earlier_requests(service, clock)
    at(clock, 4, 9)
    case = service.open_case(DESK, "social-security-card", Applicant("person", sample_resident_id(8), "李四"),
                             channel="window", location="sc-service-centre")
    with service.store.transaction(readonly=True) as tx:
        tasks = tx.get_case(case.id).tasks
    item = sorted(tasks)[0]
    department = tasks[item].department
    handler = Actor(Role.REVIEWER, "h-01", department=department)

    desk = sign_in(browser, site, authority, DISPATCHER)
    desk.on("dialog", lambda dialog: dialog.accept())
    desk.click("nav.roles a:has-text('12345 派单')")
    desk.select_option("#kind", "complaint")
    desk.select_option("#channel", "hotline")
    desk.select_option("#category", "government-service")
    desk.fill("#name", "李四")
    desk.fill("#phone", "13712345678")
    desk.fill("#case_id", case.id)
    desk.fill("#item", item)
    desk.fill("#content", "社保卡办理一周没有进展，窗口说还要等")
    screens.check(desk, "requests-intake", "受理登记", "待派单（新登记与退单）")
    act(desk, "intake")
    flashed = desk.inner_text(".flash.success")
    found = re.search(r"(R\d{8}-[0-9a-f]{10})，查询码 ([0-9A-Z]{4}-[0-9A-Z]{4})", flashed)
    assert found, flashed
    rid, code = found.groups()
    at(clock, 4, 9, 5)
    act(desk, "form-dispatch")
    assert "已派单" in desk.inner_text(".flash.success")
    assert service.get_request(DISPATCHER, rid).request.department == department

    office = sign_in(browser, site, authority, handler)
    office.on("dialog", lambda dialog: dialog.accept())
    office.click("nav.roles a:has-text('12345 诉求')")
    screens.check(office, "requests-department", rid, "政务服务", "2026-11-05 17:00", "正常")
    office.click(f"a:has-text('{rid}')")
    at(clock, 4, 10)
    office.fill("#return-reason", "办件已转至市级部门办理")
    act(office, "form-return")
    assert service.get_request(DISPATCHER, rid).request.state == "returned"

    desk.goto(f"{site}/web/requests")
    assert rid in desk.inner_text("#to-dispatch")
    desk.click(f"#to-dispatch a:has-text('{rid}')")
    screens.check(desk, "requests-returned", "办件已转至市级部门办理", "转派")
    at(clock, 4, 10, 30)
    act(desk, "form-dispatch")

    at(clock, 5, 14)
    office.goto(f"{site}/web/requests/{rid}")
    office.fill("#answer-result", "已催办，社保卡已制卡")
    office.fill("#answer-note", "请于三个工作日内到窗口领取")
    act(office, "form-answer")

    at(clock, 6, 10)
    desk.goto(f"{site}/web/requests")
    desk.click(f"#to-call-back a:has-text('{rid}')")
    desk.check("#resolved-no")
    desk.check("#satisfaction-dissatisfied")
    desk.fill("#callback-note", "诉求人称窗口仍无法领取")
    act(desk, "form-call-back")
    screens.check(desk, "requests-callback", "已自动重办", "不满意", "未解决")
    assert service.get_request(DISPATCHER, rid).request.reopens == 1

    at(clock, 9, 11)
    office.goto(f"{site}/web/requests/department")
    office.click(f"a:has-text('{rid}')")
    office.fill("#answer-result", "已现场核实并当场发卡")
    act(office, "form-answer")

    at(clock, 9, 15)
    desk.goto(f"{site}/web/requests/{rid}")
    desk.check("#resolved-yes")
    desk.check("#satisfaction-satisfied")
    act(desk, "form-call-back")
    text = screens.check(desk, "requests-closed", "已办结", "满意")
    assert "RequestClosed" not in text and service.get_request(DISPATCHER, rid).request.state == "closed"

    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    public.goto(f"{site}/")
    public.fill("#request-number", rid)
    public.fill("#request-code", code)
    public.click("button:has-text('查询诉求')")
    text = screens.check(public, "requests-progress", "办理节点", "李*", "137****5678", "已现场核实并当场发卡",
                         "诉求人称窗口仍无法领取", "请于三个工作日内到窗口领取")
    nodes = public.locator("#progress-nodes li strong").all_inner_texts()
    assert nodes == ["受理登记", "派单", "退单", "派单", "签收", "答复", "回访", "重办", "签收", "答复", "回访",
                     "办结"]
    assert "13712345678" not in public.content() and "办件已转至市级部门办理" not in text

    cockpit = sign_in(browser, site, authority, SUPERVISOR)
    cockpit.click("nav.roles a:has-text('12345 分析')")
    assert "当日无诉求" in cockpit.inner_text("#frequent")  # today, Mon 9 Nov, nothing came in
    cockpit.fill("#day", "2026-11-04")
    cockpit.click("button:has-text('查看')")
    cockpit.wait_for_load_state("networkidle")
    screens.check(cockpit, "requests-cockpit", "12345 热点诉求", "政务服务", "诉求解决率", "100.0%")
    frequent = cockpit.locator("#frequent tbody tr td:first-child").all_inner_texts()
    assert [x.split()[0] for x in frequent] == ["政务服务", "噪声扰民"]
    assert "社会保险" not in cockpit.inner_text("#rising")  # fewer than on the days before
