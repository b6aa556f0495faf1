"""Completeness of an application: the lines of the one-time notice (一次性告知).

:func:`check_completeness` lists everything missing or wrong in a case now: required materials
not received (owed ones excepted; a material of a party role the case has no party in is not
needed), signatures a received material still lacks (签字: each role of its ``signed_by`` that the
case has a party in), required form fields left empty, and acceptance conditions that fail (a
condition over an empty field is left out: the field is already listed).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs

from ..catalog.plan import MatterPlan
from ..domain import conditions
from ..domain.case import Case, MaterialStatus

__all__ = ["Completeness", "Issue", "IssueKind", "check_completeness"]

IssueKind = Literal["material", "field", "condition", "signature"]
"""What a line of the one-time notice is about."""


@attrs.frozen
class Issue:
    """One thing missing or wrong in an application (a line of the one-time notice)."""

    kind: IssueKind
    id: str
    message_zh: str
    message_en: str
    items: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@attrs.frozen
class Completeness:
    issues: tuple[Issue, ...]

    @property
    def complete(self) -> bool:
        return not self.issues

    def missing_materials(self) -> list[str]:
        return [i.id for i in self.issues if i.kind == "material"]


def check_completeness(plan: MatterPlan, case: Case, today: dt.date | None = None) -> Completeness:
    """Everything missing or wrong now: materials, required fields, acceptance conditions.

    ``today`` (the clock's date) is the value of ``today`` in conditions that read it.
    """
    issues: list[Issue] = []
    roles = set(case.roles)
    for line in plan.materials:
        if line.material.party is not None and line.material.party not in roles:
            continue  # brought by a party this case does not have (an agent nobody appointed)
        record = case.materials.get(line.material.id)
        if line.required and (record is None or record.status not in (MaterialStatus.RECEIVED,)):
            if record is not None and record.status is MaterialStatus.OWED:
                continue
            issues.append(
                Issue(
                    "material",
                    line.material.id,
                    f"缺少材料：{line.material.name.zh}",
                    f"missing material: {line.material.name.en}",
                    line.items,
                )
            )
    issues.extend(_unsigned(plan, case))
    for form_line in plan.form:
        field = form_line.field
        if field.required and case.form.get(field.id) in (None, ""):
            issues.append(
                Issue(
                    "field",
                    field.id,
                    f"未填写：{field.label.zh}",
                    f"not filled in: {field.label.en}",
                    form_line.items,
                )
            )
    missing_fields = {i.id for i in issues if i.kind == "field"}
    for item in plan.items:
        for condition in item.conditions:
            names = conditions.compile_expression(condition.expression).identifiers
            if names & missing_fields:
                continue
            outcome = conditions.evaluate(
                condition.expression, case.form, today=today,
                name=f"matter {plan.matter.id}, item {item.code}, condition {condition.id}")
            if not outcome.passed:
                issues.append(
                    Issue(
                        "condition",
                        f"{item.code}/{condition.id}",
                        condition.message.zh,
                        condition.message.en,
                        (item.code,),
                    )
                )
    return Completeness(tuple(issues))


def _unsigned(plan: MatterPlan, case: Case) -> list[Issue]:
    """The signatures received materials still lack, in material order, then role order."""
    lines = {line.material.id: line for line in plan.materials}
    out = []
    for mid, role in case.unsigned({m: line.material.signed_by for m, line in lines.items()}):
        line, party = lines[mid], plan.matter.party_role(role)
        name = party.name if party is not None else None
        out.append(Issue(
            "signature",
            f"{mid}/{role}",
            f"待签字：{line.material.name.zh}（须由{name.zh if name else role}签字）",
            f"not signed: {line.material.name.en} (by the {name.en if name else role})",
            line.items,
        ))
    return out
