"""The schema of the request catalogue (``request_categories:``, docs/authoring.md "Request
categories"): each category with its bilingual name, its competent department or routing rule,
the request kinds it takes and its response limits by urgency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..domain import requests as rq
from ..domain.definitions import Department, Location
from ..domain.regions import Regions, Route
from ..errors import Finding
from .analysis import Locator
from .areas import _hint, build_route
from .schema_fields import SLUG, Base, StrictBool, StrictInt, Version, _one_of, _pattern, _text
from .schemas import DepartmentOrRule

__all__ = ["RequestCategoriesFileSchema", "check_categories"]


class ResponseLimitSchema(Base):
    """``{value: N, unit: working_hours | working_days, source: …, verified: …}``, N ≥ 1."""

    value = StrictInt(required=True, minimum=1, maximum=720)
    unit = fields.String(load_default="working_days", validate=_one_of([u.value for u in rq.ResponseUnit]))
    source = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    verified = StrictBool(load_default=False)

    @validates_schema
    def source_for_verified(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("verified") and not data.get("source"):
            raise ValidationError("OS417: a limit marked verified names its source (source: …)", "verified")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> rq.ResponseLimit:
        unit = rq.ResponseUnit(data["unit"])
        return rq.ResponseLimit(data["value"], unit, data["source"], data["verified"])


class ResponseLimitsSchema(Base):
    acknowledge = fields.Nested(ResponseLimitSchema, required=True)
    answer = fields.Nested(ResponseLimitSchema, required=True)

    @validates_schema
    def acknowledge_first(self, data: dict[str, Any], **_: Any) -> None:
        ack, answer = data.get("acknowledge"), data.get("answer")
        if ack is not None and answer is not None and ack.hours > answer.hours:
            raise ValidationError(f"OS330: the acknowledgement limit ({ack}) is longer than the answer limit "
                                  f"({answer}): a department acknowledges before it answers", "acknowledge")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> rq.ResponseLimits:
        return rq.ResponseLimits(data["acknowledge"], data["answer"])


class LimitsByUrgency(fields.Field[Any]):
    """``{normal: {acknowledge: …, answer: …}, urgent: {…}}``: ``normal`` is required."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("wrong type: expected a mapping of urgency → limits "
                                  "(normal: {acknowledge: …, answer: …})")
        out: dict[rq.Urgency, rq.ResponseLimits] = {}
        errors: dict[str, Any] = {}
        allowed = [u.value for u in rq.Urgency]
        for key, limits in value.items():
            if key not in allowed:
                errors[str(key)] = [f"must be one of: {', '.join(allowed)}"]
                continue
            try:
                out[rq.Urgency(key)] = ResponseLimitsSchema().load(limits)
            except ValidationError as err:
                errors[key] = err.messages
        if errors:
            raise ValidationError(errors)
        if rq.Urgency.NORMAL not in out:
            raise ValidationError("OS331: the limits of a category give those of normal requests (normal:)")
        urgent, normal = out.get(rq.Urgency.URGENT), out[rq.Urgency.NORMAL]
        if urgent is not None and urgent.answer.hours > normal.answer.hours:
            raise ValidationError({"urgent": ["OS330: an urgent request's answer limit is longer than a "
                                              "normal one's"]})
        return out


class CategorySchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "category id", "noise-nuisance"))
    name = _text()
    department = DepartmentOrRule(required=True)
    kinds = fields.List(fields.String(validate=_one_of([k.value for k in rq.RequestKind])),
                        load_default=lambda: [k.value for k in rq.RequestKind],
                        validate=validate.Length(min=1, error="list at least one kind"))
    limits = LimitsByUrgency(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> rq.RequestCategory:
        dep = data["department"]
        return rq.RequestCategory(
            id=data["id"], name=data["name"], department=dep if isinstance(dep, str) else "",
            routing=None if isinstance(dep, str) else dep, limits=data["limits"],
            kinds=frozenset(rq.RequestKind(k) for k in data["kinds"]))


class RequestCategoriesBodySchema(Base):
    version = Version(required=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True,
                             validate=validate.Length(min=1, error="list at least one category"))


class RequestCategoriesFileSchema(Base):
    request_categories = fields.Nested(RequestCategoriesBodySchema, required=True)


def check_categories(categories: Mapping[str, rq.RequestCategory], departments: Mapping[str, Department],
                     locations: Mapping[str, Location], regions: Regions,
                     loc: Locator, *, strict: bool = False) -> tuple[dict[str, Route], list[Finding]]:
    """Each category's department is in the registry (OS301), and its routing rule resolves like an
    item's (OS320, OS326–OS328); under ``strict`` an unverified limit is OS418. Returns the routes
    of the routed categories."""
    routes: dict[str, Route] = {}
    out: list[Finding] = []
    for category in categories.values():
        def f(path: tuple[str | int, ...], code: str, message: str, hint: str,
              _id: str = category.id) -> None:
            where = loc("request_categories", _id, ("department", *path))
            out.append(Finding(code, message, hint=hint, **where))

        if strict:
            for urgency, limits in category.limits.items():
                for which in ("acknowledge", "answer"):
                    limit = getattr(limits, which)
                    if not limit.verified:
                        named = f" (source: {limit.source})" if limit.source else ""
                        out.append(Finding(
                            "OS418", f"the {urgency.value} {which} limit {limit} is not verified{named}",
                            hint="check the value against its source and add verified: true",
                            **loc("request_categories", category.id, ("limits", urgency.value, which))))
        if category.routing is None:
            if category.department not in departments:
                f((), "OS301", f"unknown department {category.department!r}",
                  _hint(category.department, departments, "add it to the registry's departments"))
            continue
        route = build_route(f"request category {category.id}", category.id, category.routing, departments,
                            locations, regions, f)
        if route is not None:
            routes[category.id] = route
    return routes, out
