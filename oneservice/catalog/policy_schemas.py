"""The schema of the registry's jurisdiction policy (docs/authoring.md, "The jurisdiction policy"):
the law's clocks a jurisdiction may shorten, the 好差评 periods and yellow rules, and the regional
overrides; :func:`build_policy` turns the loaded values into a :class:`~oneservice.domain.policy.Policy`."""

from __future__ import annotations

from typing import Any

import attrs
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..domain import definitions as d
from ..domain.law import LAW, STATUTORY, Clocks
from ..domain.policy import POLICY, Policy, YellowRule
from .schema_fields import Base, StrictInt, _one_of

__all__ = ["PolicySchema", "build_policy"]


class PeriodSchema(Base):
    """A period of the policy: ``{value: N, unit: working_days | calendar_days}``, N ≥ 1."""

    value = StrictInt(required=True, minimum=1, maximum=365)
    unit = fields.String(load_default="working_days", validate=_one_of([u.value for u in d.LimitUnit]))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Limit:
        return d.Limit(data["value"], d.LimitUnit(data["unit"]))


class YellowRuleSchema(Base):
    """``{days: N}`` (working days before due) or ``{share: 0.2}`` (the last fifth of the limit)."""

    days = StrictInt(minimum=0, maximum=60)
    share = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False, max_inclusive=False,
                                                 error="OS414: a yellow share is between 0 and 1, e.g. 0.2"))

    @validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        if ("days" in data) == ("share" in data):
            raise ValidationError("OS414: a yellow rule gives days or share, one of them")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> YellowRule:
        return YellowRule(data.get("days"), data.get("share"))


_YELLOW_KINDS = ("default", "item", "case_legal", "item_legal", "notice", "issuing", "suspension",
                 "correction", "deficiency", "callback", "rectification", "appeal")


_CLOCK_KEYS = tuple(attrs.fields_dict(Clocks))
_PERIOD_KEYS = ("callback", "rectification", "rating_window", "appeal_window", "appeal_decision",
                "request_reopens", "request_returns")


class PolicyValuesSchema(Base):
    """The values of a policy, each optional: the law's clocks (working days) and the 好差评 rules."""

    notice_or_accept_days = StrictInt(minimum=1, maximum=365)
    extension_days = StrictInt(minimum=1, maximum=365)
    joint_handling_days = StrictInt(minimum=1, maximum=365)
    joint_extension_days = StrictInt(minimum=1, maximum=365)
    issuing_days = StrictInt(minimum=1, maximum=365)
    suspension_cap_days = StrictInt(minimum=1, maximum=365)
    correction_days = StrictInt(minimum=1, maximum=60)
    correction_cap_days = StrictInt(minimum=1, maximum=60)
    callback = fields.Nested(PeriodSchema)
    rectification = fields.Nested(PeriodSchema)
    rating_window = fields.Nested(PeriodSchema)
    appeal_window = fields.Nested(PeriodSchema)
    appeal_decision = fields.Nested(PeriodSchema)
    request_reopens = StrictInt(minimum=0, maximum=10)
    request_returns = StrictInt(minimum=1, maximum=10)
    good_levels = fields.List(StrictInt(minimum=1, maximum=5), validate=validate.Length(min=1, max=4))
    yellow = fields.Dict(
        keys=fields.String(validate=_one_of(list(_YELLOW_KINDS))), values=fields.Nested(YellowRuleSchema),
        metadata={"description": "deadline kind (or default) → when it turns yellow; the case's promise "
                                 "follows the supervision's yellow days"},
    )

    @validates_schema
    def within_the_law(self, data: dict[str, Any], **_: Any) -> None:
        for name, article in STATUTORY.items():
            if data.get(name, 0) > getattr(LAW, name):
                raise ValidationError(
                    f"OS414: {name} is {data[name]} working days, longer than the "
                    f"{getattr(LAW, name)} of {article}: a jurisdiction may shorten a statutory "
                    "period, never lengthen it", name)
        levels = data.get("good_levels")
        if levels is not None and (5 not in levels or 1 in levels or len(set(levels)) != len(levels)):
            raise ValidationError(
                "OS414: good_levels must include 5 (非常满意), exclude 1 (非常不满意) and name each level "
                "once", "good_levels")


class RegionPolicySchema(PolicyValuesSchema):
    region = fields.String(required=True, validate=validate.Regexp(r"^\d{2,12}$", error=(
        "must be an administrative division code (GB/T 2260), e.g. '330102'")))


class PolicySchema(PolicyValuesSchema):
    regions = fields.List(fields.Nested(RegionPolicySchema), load_default=list)


def build_policy(values: dict[str, Any], base: Policy = POLICY) -> Policy:
    """``base`` with the values a policy (or a region's override) declares."""
    clocks = attrs.evolve(base.clocks, **{k: values[k] for k in _CLOCK_KEYS if k in values})
    if clocks.correction_days > clocks.correction_cap_days:
        clocks = attrs.evolve(clocks, correction_days=clocks.correction_cap_days)
    periods = {k: values[k] for k in _PERIOD_KEYS if k in values}
    policy = attrs.evolve(base, clocks=clocks, **periods)
    if "good_levels" in values:
        policy = attrs.evolve(policy, good_levels=frozenset(values["good_levels"]))
    if "yellow" in values:
        policy = attrs.evolve(policy, yellow={**base.yellow, **values["yellow"]})
    return policy
