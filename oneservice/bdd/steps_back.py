"""Steps: the back offices (后台): review, approval, refusal, correction, suspension."""

from __future__ import annotations

from .library import step_def
from .world import World

SECTION = "Back office"


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] starts review of "{item}"',
          '["{department}" 的]审查员 开始审查 "{item}"')
def starts_review(world: World, item: str, department: str | None) -> None:
    """A reviewer starts reviewing an item (by code or name). Without a department the reviewer
    belongs to the item's own department; naming another one tests authorisation."""
    code = world.item(item)
    world.service.start_review(world.reviewer_for(code, department), world.case, code)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] approves "{item}"',
          '["{department}" 的]审查员 审批通过 "{item}"')
def approves(world: World, item: str, department: str | None) -> None:
    """Approve an item under review; the items that need it are dispatched."""
    code = world.item(item)
    world.service.approve(world.reviewer_for(code, department), world.case, code)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] refuses "{item}" because "{reason}"',
          '["{department}" 的]审查员 不予许可 "{item}"，理由 "{reason}"')
def refuses_item(world: World, item: str, department: str | None, reason: str) -> None:
    """Refuse an item; the matter's ``on_item_refused`` policy decides about the others."""
    code = world.item(item)
    world.service.refuse_item(world.reviewer_for(code, department), world.case, code, reason)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] asks for a correction of "{item}"[ with "{materials}"]: "{note}"',
          '["{department}" 的]审查员 要求补正 "{item}"[ 的 "{materials}"]："{note}"')
def asks_correction(world: World, item: str, department: str | None, materials: str | None,
                    note: str) -> None:
    """补正: ask for corrected materials of an item; its clock stops meanwhile."""
    code = world.item(item)
    ids = world.names.materials(materials, world.matter) if materials else []
    world.service.request_correction(world.reviewer_for(code, department), world.case, code,
                                     materials=ids, note=note)


@step_def("action", SECTION,
          'the applicant supplies the correction of "{item}" {channel:channel}[ with "{materials}"]',
          '申请人 {channel:channel} 提交 "{item}" 的补正材料[ "{materials}"]')
def supplies_correction(world: World, item: str, channel: str, materials: str | None) -> None:
    """Supply the correction an item asked for (online or on mobile: no trip)."""
    code = world.item(item)
    ids = world.names.materials(materials, world.matter) if materials else []
    world.service.supply_correction(world.on_behalf(channel), world.case, code, channel=channel,
                                    materials=ids)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] suspends "{item}"[ for "{basis}"][ for {days:int} working days]'
          ' because "{reason}"',
          '["{department}" 的]审查员 中止办理 "{item}"[，依据 "{basis}"][，预计 {days:int} 个工作日]'
          '，理由 "{reason}"')
def suspends(world: World, item: str, department: str | None, basis: str | None, days: int | None,
             reason: str) -> None:
    """中止: stop an item's clock on a ground of 《行政许可法》第四十五条 (``basis``: hearing, inspection,
    expert_review … — other_law when the step names none), expected to take ``days``."""
    code = world.item(item)
    world.service.suspend(world.reviewer_for(code, department), world.case, code, reason,
                          basis=basis or "other_law", expected_days=days)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] visits the applicant for "{item}": "{purpose}"',
          '["{department}" 的]审查员 上门核查 "{item}"："{purpose}"')
def staff_visit(world: World, item: str, department: str | None, purpose: str) -> None:
    """上门核查: staff go to the applicant (a bedridden applicant's assessment, a site check); it is
    the staff's visit, not a trip of the applicant."""
    code = world.item(item)
    world.service.record_staff_visit(world.reviewer_for(code, department), world.case, code, purpose)


@step_def("action", SECTION,
          'the supervisor extends "{item}" by {days:int} working day[s] because "{reason}"',
          '督查人员 批准 "{item}" 延期 {days:int} 个工作日，理由 "{reason}"')
def extends(world: World, item: str, days: int, reason: str) -> None:
    """延期 (《行政许可法》第四十二条): once, at most 10 working days; the item's legal deadline moves
    and the applicant sees the extension and its reason in the progress view."""
    world.service.extend_item(world.supervisor(), world.case, world.item(item), days=days, reason=reason)


@step_def("action", SECTION,
          'the reviewer[ of "{department}"] resumes "{item}"',
          '["{department}" 的]审查员 恢复办理 "{item}"')
def resumes(world: World, item: str, department: str | None) -> None:
    """恢复: restart a suspended item; its deadline moves by the working days it was stopped."""
    code = world.item(item)
    world.service.resume(world.reviewer_for(code, department), world.case, code)


def review_and_approve(world: World, code: str) -> None:
    reviewer = world.reviewer(world.department_of(code))
    if world.summary().tasks[code] == "ready":
        world.service.start_review(reviewer, world.case, code)
    world.service.approve(reviewer, world.case, code)


@step_def("action", SECTION,
          'item "{item}" is approved',
          '事项 "{item}" 审批通过')
def item_is_approved(world: World, item: str) -> None:
    """The item's own department starts the review (if not started) and approves it."""
    review_and_approve(world, world.item(item))


@step_def("action", SECTION,
          "every[ remaining] item is approved",
          "(所有|其余)事项 审批通过")
def every_item_approved(world: World) -> None:
    """Each department reviews and approves its items as they become ready, in dependency
    order, until none is ready or in review (items waiting for a correction or suspended are
    left as they are)."""
    while True:
        tasks = world.summary().tasks
        open_ = [code for code, state in tasks.items() if state in ("ready", "in_review")]
        if not open_:
            return
        for code in open_:
            review_and_approve(world, code)


@step_def("action", "Other systems",
          'the payment service confirms the fee of "{item}"',
          '支付平台 确认 "{item}" 已缴费')
def confirms_fee(world: World, item: str) -> None:
    """缴费确认: the payment service reports the item's fee paid (exactly the item's fee), so its
    result may be handed over (缴费后出件)."""
    from ..domain.case import Actor, Role

    code = world.item(item)
    amount = world.service.catalogue.plan(world.matter).item(code).fee.amount
    world.service.confirm_fee(Actor(Role.SYSTEM, "payment-service"), world.case, code, amount=str(amount),
                              reference=f"PAY-{world.case}-{code}")
