"""The front desk in a real browser: a clerk of the Hangzhou Citizen Centre takes in a
start-a-business case at the counter, fills the unified form with its live check, gives and
prints the one-time notice, accepts with deficiency, and — once the departments have approved —
hands each result over."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from web_helpers import sign_in

from oneservice import Actor, Role, load_catalogue
from oneservice.domain.definitions import FieldType
from oneservice.samples import sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
BIZ = "start-a-business"
CLERK = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")
PARCEL = "EMS 1234 5678 9"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The shipped catalogue with start-a-business also taken in at a window (trip budget 1):
    the shipped matter is zero-trip and online only, and the library lets no clerk open it at
    the counter."""
    target = tmp_path_factory.mktemp("counter") / "workflows"
    shutil.copytree(ROOT / "workflows", target)
    matter = target / "matters" / f"{BIZ}.yaml"
    text = matter.read_text(encoding="utf-8")
    text = text.replace("intake: {channels: [online, mobile, agent]}",
                        "intake: {channels: [window, online, mobile, agent]}").replace("trip_budget: 0",
                                                                                        "trip_budget: 1")
    matter.write_text(text, encoding="utf-8")
    return load_catalogue([target])


def _fill_form(page: Any, plan: Any, today: Any) -> None:
    fields = {line.field.id: line.field for line in plan.form}
    for key, value in sample_form(plan, today).items():
        field = fields[key]
        selector = f"#f_{key}"
        if field.type in (FieldType.CHOICE, FieldType.BOOLEAN):
            page.select_option(selector, "true" if value is True else "false" if value is False else str(value))
        else:
            page.fill(selector, str(value))


def test_a_clerk_takes_in_notifies_accepts_with_deficiency_and_hands_over(browser, site, authority, screens,
                                                                         service):
    plan = service.catalogue.plan(BIZ)
    page = sign_in(browser, site, authority, CLERK)
    page.on("dialog", lambda dialog: dialog.accept())

    # a new case at the window: the matter, then the applicant
    page.click("text=新建办件")
    page.select_option("#matter_id", BIZ)
    page.click("button:has-text('选择事项')")
    page.fill("#a-id_number", sample_resident_id(1))
    page.fill("#a-name", "张三")
    page.fill("#a-phone", "13800138000")
    screens.check(page, "desk-new-case", "新建办件", "开办企业", "申请人")
    page.click("button:has-text('新建办件并填写申请表')")
    assert "/form" in page.url
    case_id = page.url.split("/")[-2]

    # the unified form, checked as it is filled: two materials still missing
    _fill_form(page, plan, service.clock.today())
    for line in plan.materials:
        if line.material.id not in ("articles-of-association", "premises-lease"):
            page.check(f"#m-{line.material.id}")
    page.wait_for_selector("#check .issues")
    page.wait_for_function("document.querySelector('#check').innerText.includes('公司章程')")
    check = page.inner_text("#check")
    assert "不齐全" in check and "缺少材料：住所（经营场所）租赁合同复印件" in check
    assert "银行预约开户" in check  # the items of this situation
    screens.check(page, "desk-form", "一表申请", "实时检查", "缺少材料：公司章程", "跑动 1 / 1")
    page.click("button:has-text('提交申请')")
    assert page.url.endswith(f"/web/cases/{case_id}")
    assert service.case(CLERK, case_id).state.value == "submitted"

    # the one-time notice, given once and printed on A4
    page.click("text=一次性告知书")
    page.click("button:has-text('出具一次性告知')")
    page.wait_for_selector("text=第 1 号")
    page.emulate_media(media="print")
    notice = screens.check(page, "desk-notice", "一次性告知书", case_id, "缺少材料：公司章程",
                           "无需提交的材料", "通过共享数据获取", "涉及部门", "查询码")
    assert "打印告知书" not in notice  # the buttons do not print
    page.emulate_media(media="screen")
    assert service.case(CLERK, case_id).state.value == "awaiting_materials"

    # the articles come by mail; the tenancy contract is owed under a commitment
    page.click("text=返回办件")
    page.click("text=申请表与材料")
    page.select_option("#channel", "mail")
    page.check("#m-articles-of-association")
    page.click("button:has-text('补齐材料')")
    page.fill("#commitment", "容缺受理承诺书：申请人承诺5个工作日内补交住所租赁合同")
    page.click("button:has-text('容缺受理') >> nth=-1")
    screens.check(page, "desk-case", "已容缺受理", "住所（经营场所）租赁合同复印件", "补齐期限")
    case = service.case(CLERK, case_id)
    assert [m.material_id for m in case.owed()] == ["premises-lease"]

    # the departments approve (through the library); the contract arrives; the results go out
    for item in plan.items:
        department = service.catalogue.item(item.code).department
        reviewer = Actor(Role.REVIEWER, f"rev-{department}", department=department)
        service.start_review(reviewer, case_id, item.code)
        service.approve(reviewer, case_id, item.code)
    page.goto(f"{site}/web/desk")
    queue = screens.check(page, "desk-queue", "待出件", case_id, "330106********")
    assert case_id in queue[queue.index("待出件"):]  # its results wait at this window
    page.click(f"text={case_id}")
    page.select_option("#supply-channel", "mail")
    page.click("button:has-text('登记补交')")
    page.select_option("#channel-seal-filing", "mail")
    page.fill("#tracking-seal-filing", PARCEL)
    page.select_option("#channel-business-licence", "electronic")
    page.click("form.handover button[type=submit]")
    screens.check(page, "desk-handover", "结果已统一出件", "已送达", PARCEL, "跑动 1 / 1")
    shipped = {d.result_id: (d.channel, d.tracking) for d in service.case(CLERK, case_id).deliveries}
    assert shipped["seal-filing"] == ("mail", PARCEL)
    assert shipped["business-licence"] == ("electronic", None)
    assert service.case(CLERK, case_id).trips == 1
