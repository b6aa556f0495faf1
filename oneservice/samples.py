"""Sample data that passes oneservice's own checks: resident ID numbers with a valid check digit,
unified social credit codes, and form data that meets a matter's acceptance conditions.

Used by the demo, the pytest-bdd step library and the tests; never by a real case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stdnum.cn import ric, uscc

from .catalog.plan import MatterPlan
from .domain import conditions
from .domain.case import Applicant, Party
from .domain.definitions import Channel, FieldType, FormField, Matter, PartyKind

__all__ = ["sample_company_code", "sample_deliveries", "sample_form", "sample_parties", "sample_resident_id",
           "sample_value"]


def sample_resident_id(n: int) -> str:
    """A valid (checksummed) resident ID number for examples and tests; ``n`` varies it."""
    base = f"3301061990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return next(base + c for c in "0123456789X" if ric.is_valid(base + c))


def sample_company_code(n: int) -> str:
    """A valid unified social credit code for examples and tests; ``n`` varies it."""
    base = f"91330106MA2{n % 10}{(n * 3) % 10}X{(n * 7) % 10}K{(n * 9) % 10}"[:17]
    return next(base + c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if uscc.is_valid(base + c))


def sample_parties(matter: Matter, applicant_id: str = "", n: int = 50) -> list[Party]:
    """A party in each required role of ``matter`` besides the applicant's (the seller of a flat),
    each a different person or company than ``applicant_id``; ``n`` varies them."""
    out: list[Party] = []
    for role in matter.parties[1:]:
        if not role.required:
            continue
        company = role.kind is PartyKind.COMPANY
        number = sample_company_code(n) if company else sample_resident_id(n)
        while number == applicant_id or any(p.applicant.id_number == number for p in out):
            n += 1
            number = sample_company_code(n) if company else sample_resident_id(n)
        out.append(Party(role.role, Applicant("company" if company else "person", number,
                                              f"{role.name.zh}{n}")))
        n += 1
    return out


def sample_value(field: FormField, n: int) -> Any:
    t = field.type
    return {
        FieldType.STRING: f"示例{field.label.zh}",
        FieldType.TEXT: f"{field.label.zh}（示例说明）",
        FieldType.INTEGER: 1,
        FieldType.DECIMAL: 100.0,
        FieldType.BOOLEAN: True,
        FieldType.DATE: "2026-09-01",
        FieldType.CHOICE: field.choices[0] if field.choices else "",
        FieldType.PHONE: "13800138000",
        FieldType.RESIDENT_ID: sample_resident_id(n),
        FieldType.USCC: sample_company_code(n),
        FieldType.REGION: "330102",
    }[t]


def _candidates(field: FormField, n: int) -> list[Any]:
    if field.type is FieldType.DECIMAL:
        return [100.0, 10.0, 8.0, 1.0, 0.0]
    if field.type is FieldType.INTEGER:
        return [1, 3, 0, 10, 100]
    if field.type is FieldType.CHOICE:
        return list(field.choices)
    if field.type is FieldType.BOOLEAN:
        return [True, False]
    return [sample_value(field, n)]


def sample_form(plan: MatterPlan, today: dt.date | None = None) -> dict[str, Any]:
    """Example form data that meets the matter's acceptance conditions (searched greedily);
    ``today`` (default: the system's date) for the conditions that read it."""
    day = today or dt.date.today()
    fields = {line.field.id: (line.field, n) for n, line in enumerate(plan.form, start=3)}
    form = {fid: _candidates(f, n)[0] for fid, (f, n) in fields.items()}
    for route in plan.routes.values():  # a routed item's region field: the first department's area
        if route.field in form:
            form[route.field] = route.departments[0][1]
    for item in plan.items:
        for condition in item.conditions:
            if conditions.evaluate(condition.expression, form, today=day).passed:
                continue
            names = sorted(conditions.compile_expression(condition.expression).identifiers & set(fields))
            for name in names:
                field, n = fields[name]
                for value in _candidates(field, n):
                    form[name] = value
                    if conditions.evaluate(condition.expression, form, today=day).passed:
                        break
                if conditions.evaluate(condition.expression, form, today=day).passed:
                    break
    return form


def sample_deliveries(plan: MatterPlan, tracking: str) -> dict[str, dict[str, str]]:
    """A no-trip hand-over of every result of ``plan`` (result id → {channel, tracking}): pushed
    electronically where its form allows, else mailed under the parcel reference ``tracking``."""
    out: dict[str, dict[str, str]] = {}
    for route in plan.trips.results:
        if Channel.ELECTRONIC in route.channels:
            out[route.result.id] = {"channel": Channel.ELECTRONIC.value}
        elif Channel.MAIL in route.channels:
            out[route.result.id] = {"channel": Channel.MAIL.value, "tracking": tracking}
    return out
