"""marshmallow schemas of the definition language: YAML data in, frozen definitions out.

Validation messages that carry a stable code start with it (``"OS204: …"``); the loader turns
every message into a :class:`~oneservice.errors.Finding` at the line of the offending key.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..domain import definitions as d
from ..domain import regions as r
from .policy_schemas import PolicySchema, build_policy
from .schema_fields import (
    FIELD_ID,
    ITEM_CODE,
    SLUG,
    Amount,
    Base,
    StrictBool,
    StrictInt,
    TextSchema,
    Version,
    _enum,
    _one_of,
    _pattern,
    _shown,
    _text,
)

__all__ = ["SCHEMAS", "build_policy"]

class LimitSchema(Base):
    value = StrictInt(required=True, minimum=0, maximum=3650)
    unit = fields.String(
        load_default="working_days",
        validate=_one_of([u.value for u in d.LimitUnit]),
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Limit:
        return d.Limit(data["value"], d.LimitUnit(data["unit"]))


class ItemLimitSchema(LimitSchema):
    """An item's legal or promised limit: also where it comes from and whether that was checked."""

    source = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    verified = StrictBool(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Limit:
        return d.Limit(data["value"], d.LimitUnit(data["unit"]), data["source"], data["verified"])


class LimitsSchema(Base):
    legal = fields.Nested(ItemLimitSchema, required=True)
    promised = fields.Nested(ItemLimitSchema, required=True)


class SourceField(fields.Field[Any]):
    """``applicant``, ``shared:<data source id>`` or ``item:<item code>``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> d.Source:
        if isinstance(value, dict) and set(value) == {"shared", "when"}:
            ref, when = value["shared"], value["when"]
            if isinstance(ref, str) and ref and isinstance(when, str) and 0 < len(when) <= 2000:
                return d.Source("shared", ref, when)
            raise ValidationError("OS203: a conditional source is {shared: <data source id>, "
                                  "when: <condition>}, both non-empty texts")
        if isinstance(value, str):
            if value == "applicant":
                return d.Source("applicant")
            kind, _, ref = value.partition(":")
            if kind in ("shared", "item") and ref:
                return d.Source("shared" if kind == "shared" else "item", ref)
        raise ValidationError(
            "OS203: a source is 'applicant', 'shared:<data source id>', 'item:<item code>' or "
            "{shared: <data source id>, when: <condition>}"
        )


class MaterialSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "material id", "id-card-copy"))
    name = _text()
    required = StrictBool(load_default=True)
    waivable = StrictBool(load_default=False)
    form = fields.String(
        load_default="either",
        validate=_one_of([f.value for f in d.MaterialForm]),
    )
    sources = fields.List(SourceField(), load_default=lambda: [d.Source("applicant")],
                          validate=validate.Length(min=1, error="list at least one source"))
    copies = StrictInt(load_default=1, minimum=1, maximum=20)
    party = fields.String(load_default=None, validate=_pattern(SLUG, "party role", "seller"))
    signed_by = fields.List(fields.String(validate=_pattern(SLUG, "party role", "seller")), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Material:
        return d.Material(
            id=data["id"], name=data["name"], required=data["required"], waivable=data["waivable"],
            form=d.MaterialForm(data["form"]), sources=tuple(data["sources"]), copies=data["copies"],
            party=data["party"], signed_by=tuple(data["signed_by"]),
        )


class FormFieldSchema(Base):
    id = fields.String(required=True, validate=_pattern(FIELD_ID, "form field id", "company_name"))
    label = _text()
    type = _enum(d.FieldType)
    required = StrictBool(load_default=True)
    choices = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)

    @validates_schema
    def choices_match_type(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("OS206: a field of type choice needs a list of choices", "choices")
        if data.get("type") != "choice" and data.get("choices"):
            raise ValidationError("OS206: only a field of type choice has choices", "choices")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.FormField:
        return d.FormField(data["id"], data["label"], d.FieldType(data["type"]), data["required"],
                           tuple(data["choices"]))


class ConditionSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "condition id", "capital-positive"))
    when = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    message = _text()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Condition:
        return d.Condition(data["id"], data["when"], data["message"])


class FeeSchema(Base):
    amount = Amount(load_default="0")
    basis = fields.String(load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Fee:
        return d.Fee(data["amount"], data["basis"])


class ResultSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "result id", "business-licence"))
    name = _text()
    form = _enum(d.ResultForm)
    electronic_copy = StrictBool(load_default=False)
    window_level = fields.String(load_default=None, validate=_one_of([lv.value for lv in d.Level]))

    @validates_schema
    def check_copy(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("electronic_copy") and data.get("form") in ("electronic", "both"):
            raise ValidationError(
                "OS206: electronic_copy is for a paper or physical result; an electronic or 'both' "
                "result already is electronic", "electronic_copy")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Result:
        level = None if data["window_level"] is None else d.Level(data["window_level"])
        return d.Result(data["id"], data["name"], d.ResultForm(data["form"]), data["electronic_copy"], level)


class StopsSchema(Base):
    """Caps (working days) on an item's stopped clock; the jurisdiction's defaults otherwise."""

    suspension = StrictInt(load_default=None, allow_none=True, minimum=1, maximum=365)
    correction = StrictInt(load_default=None, allow_none=True, minimum=1, maximum=60)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.ClockStops:
        return d.ClockStops(data["suspension"], data["correction"])


class OnsiteSchema(Base):
    stage = _enum(d.OnsiteStage)
    reason = fields.Nested(
        TextSchema, required=True,
        error_messages={"required": "OS206: an unavoidable on-site visit needs its reason"},
    )

    by = fields.String(load_default="applicant", validate=_one_of(["applicant", "staff"]))

    @validates_schema
    def staff_review(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("by") == "staff" and data.get("stage") != d.OnsiteStage.REVIEW.value:
            raise ValidationError("OS206: staff go to the applicant during the review (上门核查): "
                                  "use stage: review", "stage")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.OnsiteVisit:
        return d.OnsiteVisit(d.OnsiteStage(data["stage"]), data["reason"], data["by"])


def _channels(allowed: frozenset[d.Channel], *, required: bool = True) -> fields.List[Any]:
    values = sorted(c.value for c in allowed)
    return fields.List(
        fields.String(validate=_one_of(values)),
        required=required,
        validate=validate.Length(min=1, error="list at least one channel"),
    )


REGION_CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
_REGION_ERROR = ("must be an administrative division code: 6 digits (GB/T 2260, e.g. '330102'), 9 for a "
                 "township or street, 12 for a village or community")


class RoutingSchema(Base):
    """``department: {by: residence, field: residence_region, among: [...], area: "330102"}``."""

    by = _enum(r.RouteBy)
    field = fields.String(load_default=None, validate=_pattern(FIELD_ID, "field id", "residence_region"))
    among = fields.List(fields.String(validate=_pattern(SLUG, "department id", "hz-amr")), required=True,
                        validate=validate.Length(min=1, error="list at least one department"))
    area = fields.String(load_default=None, validate=validate.Regexp(REGION_CODE, error=_REGION_ERROR))

    @validates_schema
    def field_for_by(self, data: dict[str, Any], **_: Any) -> None:
        by = r.RouteBy(data["by"])
        if by.reads_form and data.get("field") is None:
            raise ValidationError(f"OS324: a rule by {by.value} reads a region field of the form: name it "
                                  "(for example field: residence_region)", "field")
        if not by.reads_form and data.get("field") is not None:
            raise ValidationError("OS324: a rule by intake reads the intake location's area, not a field: "
                                  "remove field:", "field")
        if len(set(data["among"])) != len(data["among"]):
            raise ValidationError("OS205: a department is listed twice", "among")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> r.Routing:
        return r.Routing(r.RouteBy(data["by"]), tuple(data["among"]), data["field"], data["area"])


class DepartmentOrRule(fields.Field[Any]):
    """An item's department: one department id, or a routing rule (docs/authoring.md, "Areas and
    routing")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            _pattern(SLUG, "department id", "hz-amr")(value)
            return value
        if isinstance(value, dict):
            return RoutingSchema().load(value)
        raise ValidationError(f"must be a department id or a routing rule (by:, among:), not {_shown(value)}")


class ItemBodySchema(Base):
    code = fields.String(required=True, validate=_pattern(ITEM_CODE, "item code", "330000-SCJG-QYSL"))
    version = Version(required=True)
    name = _text()
    department = DepartmentOrRule(required=True)
    kind = _enum(d.ItemKind)
    limits = fields.Nested(LimitsSchema, required=True)
    fee = fields.Nested(FeeSchema, load_default=d.Fee)
    materials = fields.List(fields.Nested(MaterialSchema), load_default=list)
    form = fields.List(fields.Nested(FormFieldSchema), load_default=list)
    conditions = fields.List(fields.Nested(ConditionSchema), load_default=list)
    result = fields.Nested(ResultSchema, required=True)
    delivery = _channels(d.DELIVERY_CHANNELS)
    onsite = fields.Nested(OnsiteSchema, load_default=None, allow_none=True)
    stops = fields.Nested(StopsSchema, load_default=d.ClockStops)


class ItemFileSchema(Base):
    item = fields.Nested(ItemBodySchema, required=True)


class MatterItemSchema(Base):
    item = fields.String(required=True, validate=_pattern(ITEM_CODE, "item code", "330000-SCJG-QYSL"))
    after = fields.List(fields.String(), load_default=list)
    when = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))
    if_absent = fields.String(load_default="proceed", validate=_one_of([p.value for p in d.AbsentPolicy]))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.MatterItem:
        return d.MatterItem(data["item"], tuple(data["after"]), data["when"],
                            d.AbsentPolicy(data["if_absent"]))


class ChannelsSchema(Base):
    channels = _channels(d.SUPPLY_CHANNELS)


def _levels() -> fields.List[Any]:
    """The administrative levels of the service points (default: all)."""
    return fields.List(fields.String(validate=_one_of([lv.value for lv in d.Level])),
                       load_default=lambda: [lv.value for lv in d.Level],
                       validate=validate.Length(min=1, error="list at least one level"))


class IntakeSchema(Base):
    channels = _channels(d.INTAKE_CHANNELS)
    levels = _levels()


class PickupSchema(Base):
    channels = _channels(d.DELIVERY_CHANNELS)
    levels = _levels()
    same_visit = StrictBool(load_default=False)
    release = fields.String(load_default="together", validate=_one_of([r.value for r in d.ResultRelease]))


class DeficiencyConditionSchema(Base):
    when = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    message = _text()


class DeficiencySchema(Base):
    days = StrictInt(load_default=5, minimum=1, maximum=60)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500))
    condition = fields.Nested(DeficiencyConditionSchema, load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.DeficiencyRules:
        cond = data["condition"]
        condition = None if cond is None else d.Condition("deficiency", cond["when"], cond["message"])
        return d.DeficiencyRules(data["days"], data["reason"], condition)


class JointHandlingSchema(Base):
    legal_basis = fields.String(required=True, validate=validate.Length(min=4, max=500))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.JointHandling:
        return d.JointHandling(data["legal_basis"])


class PartySchema(Base):
    role = fields.String(required=True, validate=_pattern(SLUG, "party role", "seller"))
    name = _text()
    kind = fields.String(load_default="any", validate=_one_of([k.value for k in d.PartyKind]))
    present_at_intake = StrictBool(load_default=False)
    required = StrictBool(load_default=True)
    acts_for = fields.String(load_default=None, validate=_pattern(SLUG, "party role", "seller"))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.PartyRole:
        return d.PartyRole(data["role"], data["name"], d.PartyKind(data["kind"]),
                           data["present_at_intake"], data["required"], data["acts_for"])


class MatterBodySchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "matter id", "start-a-business"))
    version = Version(required=True)
    name = _text()
    items = fields.List(fields.Nested(MatterItemSchema), required=True,
                        validate=validate.Length(min=1, error="list at least one item"))
    intake = fields.Nested(IntakeSchema, required=True)
    supplement = fields.Nested(ChannelsSchema, required=True)
    correction = fields.Nested(ChannelsSchema, required=True)
    pickup = fields.Nested(PickupSchema, required=True)
    trip_budget = StrictInt(load_default=1, minimum=0, maximum=10)
    promise = fields.Nested(LimitSchema, required=True)
    on_item_refused = fields.String(
        load_default="continue",
        validate=_one_of([p.value for p in d.RefusalPolicy]),
    )
    deficiency = fields.Nested(DeficiencySchema, load_default=d.DeficiencyRules)
    joint_handling = fields.Nested(JointHandlingSchema, load_default=None, allow_none=True)
    questions = fields.List(fields.Nested(FormFieldSchema), load_default=list)
    parties = fields.List(
        fields.Nested(PartySchema), load_default=None,
        validate=validate.Length(min=1, error="OS206: list at least one party role, the applicant's "
                                 "first (or leave parties out: one role, applicant)"))

    @validates_schema
    def applicant_required(self, data: dict[str, Any], **_: Any) -> None:
        parties = data.get("parties")
        if parties and not parties[0].required:
            raise ValidationError({0: {"required": ["OS206: the first party role is the applicant's, "
                                                    "who is part of every case: it cannot be optional"]}},
                                  "parties")


class MatterFileSchema(Base):
    matter = fields.Nested(MatterBodySchema, required=True)


class RegionSchema(Base):
    code = fields.String(required=True, validate=validate.Regexp(REGION_CODE, error=_REGION_ERROR))
    name = _text()
    level = _enum(d.Level)
    parent = fields.String(load_default=None, validate=validate.Regexp(REGION_CODE, error=_REGION_ERROR))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> r.Region:
        return r.Region(data["code"], data["name"], d.Level(data["level"]), data["parent"])


class DepartmentSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "department id", "hz-amr"))
    name = _text()
    level = _enum(d.Level)
    region = fields.String(load_default="", validate=validate.Regexp(r"^(\d{2,12})?$", error=(
        "must be an administrative division code (GB/T 2260), e.g. '330102'")))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Department:
        return d.Department(data["id"], data["name"], d.Level(data["level"]), data["region"])


class LocationSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "location id", "hz-citizen-centre"))
    name = _text()
    level = _enum(d.Level)
    address = fields.String(load_default="")
    region = fields.String(load_default="", validate=validate.Regexp(r"^(\d{2,12})?$", error=(
        "must be an administrative division code (GB/T 2260), e.g. '330102'")))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Location:
        return d.Location(data["id"], data["name"], d.Level(data["level"]), data["address"], data["region"])


class DataSourceSchema(Base):
    id = fields.String(required=True, validate=_pattern(SLUG, "data source id", "population-register"))
    name = _text()
    holder = fields.String(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.DataSource:
        return d.DataSource(data["id"], data["name"], data["holder"])


class RegistryBodySchema(Base):
    version = Version(required=True)
    policy = fields.Nested(PolicySchema, load_default=None, allow_none=True)
    regions = fields.List(fields.Nested(RegionSchema), load_default=list)
    departments = fields.List(fields.Nested(DepartmentSchema), load_default=list)
    locations = fields.List(fields.Nested(LocationSchema), load_default=list)
    data_sources = fields.List(fields.Nested(DataSourceSchema), load_default=list)


class RegistryFileSchema(Base):
    registry = fields.Nested(RegistryBodySchema, required=True)


SCHEMAS: dict[str, type[Schema]] = {
    "item": ItemFileSchema,
    "matter": MatterFileSchema,
    "registry": RegistryFileSchema,
}
"""The schema of each kind of definition file but calendars, which
:mod:`oneservice.catalog.calendars` checks (for the loader and the engine alike)."""
