"""One trip at the counter, end to end in a real browser, through the pages only (issue 19, Tests).

A clerk of the Hangzhou Citizen Centre takes in a start-a-business case at the window, fills the
unified form, gives the one-time notice, accepts with deficiency (a material owed under a
commitment); each department's reviewer signs in, starts the review and approves their item; the
clerk records the owed material and hands each result over; the applicant signs in, sees the
progress (every item, its department, the trips against the budget) and rates; the public
progress page shows the same case by number and progress code without a login; a supervisor
sees the rating move the satisfaction figures, and — once the clock has passed the due date of a
second case left unreviewed and the supervision scan has run, as the worker would — a red
warning, the drill-down to that case and the overdue list.

Besides the tokens, the library is used only for what a person does not do: advancing the
``clock`` and running :meth:`Supervision.scan`. The catalogue is read for the expected texts
(department names, result ids). Every screen is saved as ``flow-NN-…`` and checked by
:class:`web_helpers.Screens`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from web_helpers import sign_in

from oneservice import TZ, Actor, Role, load_catalogue
from oneservice.domain.definitions import FieldType
from oneservice.samples import sample_form, sample_resident_id
from oneservice.supervision import Supervision

ROOT = Path(__file__).resolve().parents[2]
BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
FOUNDER_ID, FOUNDER = sample_resident_id(21), "王小明"
SECOND_ID, SECOND = sample_resident_id(22), "陈思远"
FOUNDER_ACTOR = Actor(Role.APPLICANT, "wangxm", applicant_id=FOUNDER_ID)
OWED = "premises-lease"
BY_MAIL = "articles-of-association"
BY_POST = ("seal-filing", "invoice-package")
PARCEL = "EMS 9876 5432 1"
COMMITMENT = "容缺受理承诺书：申请人承诺5个工作日内补交住所租赁合同"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The shipped catalogue with start-a-business also taken in at a window, trip budget 1 (as in
    test_desk.py: the shipped matter is zero-trip and online only)."""
    target = tmp_path_factory.mktemp("counter") / "workflows"
    shutil.copytree(ROOT / "workflows", target)
    matter = target / "matters" / f"{BIZ}.yaml"
    text = matter.read_text(encoding="utf-8")
    text = text.replace("intake: {channels: [online, mobile, agent]}",
                        "intake: {channels: [window, online, mobile, agent]}").replace("trip_budget: 0",
                                                                                        "trip_budget: 1")
    matter.write_text(text, encoding="utf-8")
    return load_catalogue([target])


class Flow:
    """Numbers the screens of the scenario in order: ``flow-01-new-case``, ``flow-02-form``, …"""

    def __init__(self, screens: Any) -> None:
        self.screens = screens
        self.n = 0

    def check(self, page: Any, label: str, *expected: str) -> str:
        self.n += 1
        return str(self.screens.check(page, f"flow-{self.n:02d}-{label}", *expected))


def _fill_form(page: Any, plan: Any, today: dt.date) -> None:
    fields = {line.field.id: line.field for line in plan.form}
    for key, value in sample_form(plan, today).items():
        selector = f"#f_{key}"
        if fields[key].type in (FieldType.CHOICE, FieldType.BOOLEAN):
            page.select_option(selector, "true" if value is True else "false" if value is False else str(value))
        else:
            page.fill(selector, str(value))


def _new_case(page: Any, flow: Flow, id_number: str, name: str, phone: str) -> str:
    """新建办件 at the window: the matter, then the applicant; returns the new case's number."""
    page.click("nav >> text=新建办件")
    page.select_option("#matter_id", BIZ)
    page.click("button:has-text('选择事项')")
    page.fill("#a-id_number", id_number)
    page.fill("#a-name", name)
    page.fill("#a-phone", phone)
    flow.check(page, "new-case", "新建办件", "开办企业", "申请人")
    page.click("button:has-text('新建办件并填写申请表')")
    assert page.url.endswith("/form"), page.url
    return str(page.url.split("/")[-2])


def _submit_form(page: Any, flow: Flow, plan: Any, today: dt.date, missing: tuple[str, ...],
                 *expected: str) -> None:
    _fill_form(page, plan, today)
    for line in plan.materials:
        if line.material.id not in missing:
            page.check(f"#m-{line.material.id}")
    # the live check answers as the form is filled: incomplete, naming what is missing, or complete
    if missing:
        page.wait_for_function("n => document.querySelectorAll('#check .status.incomplete').length === 1"
                               " && document.querySelectorAll('#check .issues li').length === n",
                               arg=len(missing))
    else:
        page.wait_for_selector("#check .status.complete")
    flow.check(page, "form", "一表申请", "实时检查", "跑动 1 / 1", *expected)
    page.click("button:has-text('提交申请')")
    assert re.search(r"/web/cases/[^/]+$", page.url), page.url


def _due(text: str) -> dt.date:
    found = re.search(r"办结期限 (\d{4}-\d{2}-\d{2})", text)
    assert found, "the case's head shows no due date"
    return dt.date.fromisoformat(found.group(1))


def test_one_trip_at_the_counter(browser, site, authority, screens, service, clock):
    catalogue = service.catalogue
    plan = catalogue.plan(BIZ)
    today = clock.today()
    flow = Flow(screens)
    departments: dict[str, list[str]] = {}
    for item in plan.items:
        departments.setdefault(catalogue.item(item.code).department, []).append(item.code)
    department_names = {d: catalogue.department(d).name.zh for d in departments}

    # ---- the clerk: a new case at the window, the unified form, the one-time notice
    desk = sign_in(browser, site, authority, CLERK)
    desk.on("dialog", lambda dialog: dialog.accept())
    case_id = _new_case(desk, flow, FOUNDER_ID, FOUNDER, "13800138021")
    _submit_form(desk, flow, plan, today, (BY_MAIL, OWED), "缺少材料：公司章程",
                 "缺少材料：住所（经营场所）租赁合同复印件", "银行预约开户")
    flow.check(desk, "submitted", case_id, "已提交", "窗口操作", "一次性告知书")

    desk.click("text=一次性告知书")
    desk.click("button:has-text('出具一次性告知')")
    desk.wait_for_selector("text=第 1 号")
    desk.emulate_media(media="print")
    notice = flow.check(desk, "notice", "一次性告知书", case_id, "缺少材料：公司章程",
                        "缺少材料：住所（经营场所）租赁合同复印件", "涉及部门", "查询码",
                        *department_names.values())
    assert "打印告知书" not in notice  # the A4 page prints without its buttons
    desk.emulate_media(media="screen")

    # the articles come by mail; the tenancy contract is owed under the applicant's commitment
    desk.click("text=返回办件")
    desk.click("text=申请表与材料")
    desk.select_option("#channel", "mail")
    desk.check(f"#m-{BY_MAIL}")
    desk.click("button:has-text('补齐材料')")
    flow.check(desk, "deficiency", "容缺受理", "住所（经营场所）租赁合同复印件")
    assert desk.is_checked(f"#owed-{OWED}")
    desk.fill("#commitment", COMMITMENT)
    desk.click("form[action$='/accept-with-deficiency'] button[type=submit]")
    flow.check(desk, "accepted", "已容缺受理", "住所（经营场所）租赁合同复印件", "补齐期限", "跑动 1 / 1",
               *department_names.values())  # every item sent to its department

    # ---- each department: its reviewer signs in, starts the review and approves its items
    for department, codes in departments.items():
        clock.advance(minutes=30)
        office = sign_in(browser, site, authority, Actor(Role.REVIEWER, f"rev-{department}",
                                                         department=department))
        assert office.url.endswith("/web/office"), office.url
        flow.check(office, f"office-{department}", "部门待办", case_id, *codes)
        office.click(f"a[href='/web/cases/{case_id}'] >> nth=0")
        flow.check(office, f"office-{department}-case", "本部门审批", "开始审查", "申请表", "办理过程")
        for code in codes:
            with office.expect_navigation():
                office.click(f"#review-{code} button:has-text('开始审查')")
            assert "已开始审查" in office.inner_text(".flash")
            office.fill(f"#item-{code}-approve-note", f"{department} 审查通过")
            with office.expect_navigation():
                office.click(f"#review-{code} button:has-text('准予许可')")
        flow.check(office, f"office-{department}-approved", "已准予许可", f"{department} 审查通过")
        office.context.close()

    # ---- the clerk: the owed contract arrives by mail; each result is handed over on its own way
    clock.advance(hours=1)
    desk.goto(f"{site}/web/desk")
    queue = flow.check(desk, "desk-queue", "待出件", case_id)
    assert case_id in queue[queue.index("待出件"):]
    desk.click(f"text={case_id}")
    desk.select_option("#supply-channel", "mail")
    desk.click("button:has-text('登记补交')")
    flow.check(desk, "owed-supplied", "容缺材料已补齐", "统一出件")
    results = [route.result.id for route in plan.trips.results]
    for result in results:  # the seals and the paper invoices by mail, the rest electronically
        way = "mail" if result in BY_POST else "electronic"
        desk.select_option(f"#channel-{result}", way)
        if way == "mail":
            desk.fill(f"#tracking-{result}", PARCEL)
    desk.click("form.handover button[type=submit]")
    flow.check(desk, "handed-over", "结果已统一出件", "已送达", PARCEL, "跑动 1 / 1")

    # ---- the supervisor's satisfaction figures before the rating
    sup = sign_in(browser, site, authority, SUPERVISOR)
    sup.goto(f"{site}/web/supervision/figures")
    flow.check(sup, "figures-before", "改革指标", "满意度")
    before = _ratings_total(sup)
    assert before[0] == "0"  # nobody very satisfied yet

    # ---- the applicant: my cases, the progress, the rating
    mine = sign_in(browser, site, authority, FOUNDER_ACTOR)
    assert mine.url.endswith("/web/mine"), mine.url
    flow.check(mine, "mine", "我的办件", case_id, "开办企业")
    mine.click(f"text={case_id}")
    progress = flow.check(mine, "progress", "办理进度", case_id, "跑动 1 / 1", "最多跑一次", "查询码",
                          "好差评", "容缺受理", PARCEL, *department_names.values())
    for codes in departments.values():
        for code in codes:
            assert catalogue.item(code).name.zh in progress
    assert progress.count("已送达：邮寄") == len(BY_POST)
    assert progress.count("已送达：电子证照推送") == len(results) - len(BY_POST)
    progress_code = mine.inner_text("strong.code")
    mine.check("#level-5")
    mine.fill("#comment", "跑了一次窗口，其余都寄到家")
    mine.click("text=提交评价")
    mine.wait_for_load_state("networkidle")
    rated = flow.check(mine, "rated", "感谢评价：非常满意", "您的评价：非常满意")
    assert "提交评价" not in rated

    # ---- the public progress page: the same case by number and code, without a login
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(site + "/")
    public.fill("#case", case_id)
    public.fill("#code", progress_code)
    public.click("form[action='/progress'] button[type=submit]")
    shown = flow.check(public, "public-progress", case_id, "办理进度", "跑动 1 / 1", "已送达", "王*",
                       *department_names.values())
    steps = mine.locator(".timeline li").all_inner_texts()
    assert len(steps) > 2 * len(plan.items)  # sent to and approved by each department, and more
    assert public.locator(".timeline li").all_inner_texts() == steps  # the same case, step by step
    for personal in (FOUNDER, FOUNDER_ID, "13800138021"):
        assert personal not in shown and personal not in public.content()

    # ---- the figures move with the rating
    sup.goto(f"{site}/web/supervision/figures")
    flow.check(sup, "figures-after-rating", "改革指标", "满意度")
    after = _ratings_total(sup)
    assert after[0] == "1" and after != before

    # ---- a second case, accepted complete and left unreviewed past its due date
    late = _new_case(desk, flow, SECOND_ID, SECOND, "13800138022")
    _submit_form(desk, flow, plan, today, ())
    desk.click("form[action$='/accept'] button[type=submit]")
    due = _due(flow.check(desk, "second-accepted", late, "跑动 1 / 1", "办结期限"))
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9, 0), tzinfo=TZ))
    Supervision(service).scan()

    sup.goto(f"{site}/web/supervision")
    warnings = flow.check(sup, "warnings", "电子监察预警", late, "红灯", "办件承诺时限", "事项承诺时限")
    assert case_id not in warnings  # the delivered case met its promise
    sup.click(f"#colour-cases a[href='/web/cases/{late}']")
    flow.check(sup, "warned-case", "电子监察", late, due.isoformat(), "批准延期")
    assert sup.locator("#case-warnings .colour.red").count() == 2  # the case's promise, the registration's
    sup.goto(f"{site}/web/supervision/figures")
    overdue = flow.check(sup, "figures-overdue", "超期办件", late)
    assert case_id not in overdue[overdue.index("超期办件"):]


def _ratings_total(page: Any) -> list[str]:
    """The satisfaction counts 5…1 of the figures page's last (total) row."""
    return list(page.locator("#ratings tbody tr").last.locator("td").all_inner_texts())
