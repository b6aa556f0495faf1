"""Steps: intake and the front desk (综合窗口): opening, submitting, notice, acceptance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oneservice.domain import situations
from oneservice.samples import sample_form

from .library import step_def
from .names import ScenarioProblem
from .tables import Column, read_table
from .world import World

SECTION = "Intake and the front desk"

FIELD_TABLE = (Column("field", "field", "字段", ("字段名",)), Column("value", "value", "值", ("内容",)))
MATERIAL_TABLE = (Column("material", "material", "材料", ("材料名称",)),)


def open_case(world: World, matter: str, channel: str, location: str | None) -> None:
    matter_id = world.names.matter(matter)
    where = world.names.location(location) if location else world.default_location()
    world.matter_id, world.location, world.channel = matter_id, where, channel
    world.form, world.notice, world.case_id = {}, None, None
    actor = world.clerk(where) if channel == "window" else world.on_behalf(channel)
    applicant = world.the_applicant()
    summary = world.service.open_case(actor, matter_id, applicant, channel=channel, location=where,
                                      parties=world.the_parties(matter_id))
    world.case_id = summary.id


@step_def("action", SECTION,
          'the applicant opens a case of "{matter}" {channel:channel}[ at "{location}"]',
          '申请人 {channel:channel} 申请 "{matter}"[，受理地点 "{location}"]')
def applicant_opens(world: World, matter: str, channel: str, location: str | None) -> None:
    """Open a case of a matter (by id or name) for the applicant: online, on mobile, through an
    agent (代办员), or at the window (the clerk of the location opens it: one trip). The location
    defaults to the catalogue's service location whose id sorts first."""
    open_case(world, matter, channel, location)


@step_def("action", SECTION,
          'the clerk opens a case of "{matter}" at the window[ of "{location}"] for the applicant',
          '窗口人员 为申请人 办理 "{matter}"[，受理地点 "{location}"]')
def clerk_opens(world: World, matter: str, location: str | None) -> None:
    """The window clerk opens a case for the applicant who came to the window (one trip)."""
    open_case(world, matter, "window", location)


def form_values(world: World, datatable: Sequence[Sequence[object]] | None) -> dict[str, Any]:
    """Form values of a ``| field | value |`` table, converted to each field's type."""
    values: dict[str, Any] = {}
    for row in read_table(datatable, FIELD_TABLE):
        field_id, kind = world.names.field(row["field"], world.matter)
        values[field_id] = to_value(row["value"], kind, field_id)
    return values


def to_value(text: str, kind: str, field_id: str) -> Any:
    if text == "":
        return None
    try:
        if kind == "integer":
            return int(text)
        if kind == "decimal":
            return float(text)
    except ValueError:
        raise ScenarioProblem(f"field {field_id!r} takes a number, not {text!r}") from None
    if kind == "boolean":
        folded = text.casefold()
        if folded in ("true", "yes", "是", "y"):
            return True
        if folded in ("false", "no", "否", "n"):
            return False
        raise ScenarioProblem(f"field {field_id!r} takes yes/no (是/否), not {text!r}")
    return text


def submit(world: World, materials: list[str], *, situational: bool = False) -> None:
    """Submit the form and ``materials``; ``situational``: those of them the applicant's
    situation (情形, decided by the form) needs, plus any it needs that the full list lacks."""
    plan = world.names.plan(world.matter)
    form = {k: v for k, v in (sample_form(plan) | world.form).items() if v is not None}
    if situational and plan.conditions:
        values = {situations.APPLICANT_KIND: world.the_applicant().kind, **form}
        needed = [ln.material.id for ln in plan.situation(
            situations.truth_of(plan.conditions, values)).materials]
        everything = set(world.names.all_materials(world.matter))
        materials = [m for m in needed if m in materials or m not in everything]
    channel = world.channel or "online"
    world.service.submit(world.on_behalf(channel), world.case, form=form, materials=materials,
                         channel=channel)


@step_def("action", SECTION,
          "the applicant fills in the form:",
          "申请人 填写表单：")
def fills_in(world: World, datatable: Sequence[Sequence[object]] | None = None) -> None:
    """Form values for the next submission, in a table ``| field | value |`` (field id or label).
    Fields not listed take example values that meet the acceptance conditions; an empty value
    leaves a field blank."""
    world.form |= form_values(world, datatable)


@step_def("action", SECTION,
          "the applicant submits a complete application",
          "申请人 提交全部申请材料")
def submits_complete(world: World) -> None:
    """Submit the form (example values plus what was filled in) and every material the matter
    asks for, on the channel the case was opened on."""
    submit(world, world.names.all_materials(world.matter), situational=True)


@step_def("action", SECTION,
          'the applicant submits the application without "{materials}"',
          '申请人 提交申请材料，但缺少 "{materials}"')
def submits_without(world: World, materials: str) -> None:
    """Submit the form and every material except those listed (comma or 、 separated)."""
    left_out = set(world.names.materials(materials, world.matter))
    submit(world, [m for m in world.names.all_materials(world.matter) if m not in left_out],
           situational=True)


@step_def("action", SECTION,
          "the applicant submits the materials:",
          "申请人 提交以下材料：")
def submits_materials(world: World, datatable: Sequence[Sequence[object]] | None = None) -> None:
    """Submit the form and exactly the materials of a table ``| material |`` (id or name)."""
    rows = read_table(datatable, MATERIAL_TABLE, allow_empty=True)
    submit(world, [world.names.material(r["material"], world.matter) for r in rows])


@step_def("action", SECTION,
          'the applicant supplies "{materials}" {channel:channel}',
          '申请人 {channel:channel} 补交 "{materials}"')
def supplies(world: World, materials: str, channel: str) -> None:
    """After the one-time notice: supply the listed materials (online: no trip)."""
    ids = world.names.materials(materials, world.matter)
    world.service.supplement(world.on_behalf(channel), world.case, materials=ids, channel=channel)


@step_def("action", SECTION,
          "the applicant corrects the form {channel:channel}:",
          "申请人 {channel:channel} 更正表单：")
def corrects_form(world: World, channel: str, datatable: Sequence[Sequence[object]] | None = None) -> None:
    """After the one-time notice: supply form values, in a table ``| field | value |``."""
    values = form_values(world, datatable)
    world.service.supplement(world.on_behalf(channel), world.case, form=values, channel=channel)


@step_def("action", SECTION,
          "the clerk gives the one-time notice",
          "窗口人员 出具一次性告知")
def gives_notice(world: World) -> None:
    """一次性告知: the clerk lists everything missing or wrong, at once."""
    world.notice = world.service.give_notice(world.clerk(), world.case)


@step_def("action", SECTION,
          "the clerk accepts the case",
          "窗口人员 受理申请")
def accepts(world: World) -> None:
    """受理: deadlines are frozen and the first items go to their departments."""
    world.service.accept(world.clerk(), world.case)


COMMITMENT_SIGNED = "申请人已签署容缺受理承诺书 / the applicant signed the deficiency commitment"
"""The commitment (承诺书) a scenario's acceptance with deficiency records when it names none."""


@step_def("action", SECTION,
          'the clerk accepts the case owing "{materials}"[ on the commitment "{commitment}"]',
          '窗口人员 容缺受理，后补 "{materials}"[，承诺书 "{commitment}"]')
def accepts_owing(world: World, materials: str, commitment: str | None) -> None:
    """容缺受理: accept while waivable materials are owed, each with a due date, recording the
    applicant's written commitment (承诺书; a signed one when the step names none)."""
    owed = world.names.materials(materials, world.matter)
    world.service.accept_with_deficiency(world.clerk(), world.case, owed,
                                         commitment=commitment or COMMITMENT_SIGNED)


@step_def("action", SECTION,
          'the clerk refuses the case because "{reason}"',
          '窗口人员 不予受理，理由 "{reason}"')
def refuses_case(world: World, reason: str) -> None:
    """不予受理: refuse the application at the front desk, with the reason."""
    world.service.refuse(world.clerk(), world.case, reason)


@step_def("action", SECTION,
          'the applicant supplies the owed "{materials}" {channel:channel}',
          '申请人 {channel:channel} 补交容缺材料 "{materials}"')
def supplies_owed(world: World, materials: str, channel: str) -> None:
    """Supply materials owed under deficiency acceptance."""
    ids = world.names.materials(materials, world.matter)
    world.service.supply_owed(world.on_behalf(channel), world.case, ids, channel=channel)


@step_def("action", SECTION,
          'the clerk records an on-site visit for "{item}": "{purpose}"[ over budget because "{reason}"]',
          '窗口人员 登记现场办理 "{item}"："{purpose}"[，超出跑动次数的理由 "{reason}"]')
def records_visit(world: World, item: str, purpose: str, reason: str | None) -> None:
    """Record an unavoidable on-site step of an item (a trip unless it is the same visit). A
    visit over the matter's trip budget needs a reason."""
    code = world.item(item)
    world.service.record_visit(world.clerk(), world.case, code, purpose, over_budget_reason=reason)


@step_def("action", SECTION,
          "the overdue scan runs",
          "系统 执行逾期扫描")
def overdue_scan(world: World) -> None:
    """The timers: accept from receipt the applications left unanswered past the notice period
    (视为受理), terminate cases whose owed materials are past due, and record the supervision
    warnings (电子监察) of every deadline that turned yellow or red."""
    from ..supervision import Supervision

    world.service.deem_overdue_accepted()
    world.service.terminate_overdue()
    Supervision(world.service, yellow_days=0).scan()
