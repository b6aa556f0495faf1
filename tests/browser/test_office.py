"""The back office in a real browser: a reviewer of one department of start-a-business finds the
registration on the worklist, opens the case file, starts the review, asks for an extension of its
legal limit (延期申请) which a supervisor approves on 申诉与延期, and approves the item."""

from __future__ import annotations

from web_helpers import sign_in

from oneservice import Actor, Applicant, Role
from oneservice.samples import sample_form, sample_resident_id

BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
REGISTRATION = "330102-SCJG-QYSLDJ"


def accepted_business(service) -> str:
    """A start-a-business case submitted online with every material and accepted at the window."""
    person = Applicant("person", sample_resident_id(5), "钱七")
    applicant = Actor(Role.APPLICANT, "qianqi", applicant_id=person.id_number)
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(applicant, BIZ, person, channel="online", location=LOCATION)
    service.submit(applicant, case.id, form=sample_form(plan), materials=[ln.material.id for ln in plan.materials],
                   channel="online")
    service.accept(Actor(Role.CLERK, "clerk-01", location=LOCATION), case.id)
    return str(case.id)


def test_a_reviewer_starts_review_and_approves(browser, site, authority, screens, service):
    case_id = accepted_business(service)
    department = service.catalogue.item(REGISTRATION).department
    reviewer = Actor(Role.REVIEWER, "rev-amr-01", department=department)
    page = sign_in(browser, site, authority, reviewer)
    assert page.url.endswith("/web/office")
    screens.check(page, "office-worklist", "部门待办", case_id, REGISTRATION, "2026-11-03", "黄灯")
    page.click(f"a[href='/web/cases/{case_id}']")
    screens.check(page, "office-case", "本部门审批", "开始审查", "申请表", "办理过程")
    page.click("#office-actions button:has-text('开始审查')")
    page.wait_for_load_state("networkidle")
    assert "已开始审查" in page.inner_text(".flash")
    supervisor = Actor(Role.SUPERVISOR, "sup-01")
    legal_before = service.case(supervisor, case_id).deadlines[("item_legal", REGISTRATION)].due
    page.fill(f"#item-{REGISTRATION}-ext-days", "5")
    page.fill(f"#item-{REGISTRATION}-ext-reason", "需组织专家论证经营场所")
    page.click(f"#item-{REGISTRATION}-extension button:has-text('申请延期')")
    page.wait_for_load_state("networkidle")
    screens.check(page, "office-extension-asked", "已提交延期申请", "延期申请待督查人员审批", "需组织专家论证经营场所")
    assert page.locator(f"#item-{REGISTRATION}-extension").count() == 0  # one request at a time

    chief = sign_in(browser, site, authority, supervisor)
    chief.goto(f"{site}/web/supervision/appeals")
    form = f"#extension-{case_id}-{REGISTRATION}"
    screens.check(chief, "supervise-extension-approve", "待审批的延期申请", case_id, "需组织专家论证经营场所")
    chief.fill(f"{form}-note", "同意延期")
    chief.click(f"{form} button:has-text('批准延期')")
    chief.wait_for_load_state("networkidle")
    assert "已批准延期申请" in chief.inner_text(".flash")
    assert "没有待审批的延期申请" in chief.inner_text("#extension-requests")
    legal = service.case(supervisor, case_id).deadlines[("item_legal", REGISTRATION)]
    assert (legal.extension_days, legal.due) == (5, service.calendar.add_working_days(legal_before, 5).date)

    page.reload()
    assert "法定期限已经批准延长" in page.inner_text(f"#review-{REGISTRATION}")
    page.fill(f"#item-{REGISTRATION}-approve-note", "材料齐全，准予设立登记")
    page.click("#office-actions button:has-text('准予许可')")
    page.wait_for_load_state("networkidle")
    text = screens.check(page, "office-approved", "已准予许可", "材料齐全，准予设立登记")
    assert "此事项当前没有可办理的审批操作" in text
    assert service.case(supervisor, case_id).tasks[REGISTRATION].state.value == "approved"
