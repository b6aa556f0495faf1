"""marshmallow schemas of the HTTP API: request bodies (unknown fields rejected) and responses.

Request schemas raise on unknown fields (marshmallow's default), so a misspelt field is a 422,
never silently ignored. Response schemas mirror the library's views
(:class:`~oneservice.service.views.CaseSummary`, :class:`~oneservice.service.views.Notice`,
:class:`~oneservice.service.views.ProgressView`, worklist rows); they are what ``/openapi.json``
publishes and what the schemathesis test checks every response against.
"""

from __future__ import annotations

import functools
from typing import Any

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from .. import CaseState
from ..domain.actions import AMOUNT_PATTERN, ActionSpec, Param, ParamKind
from ..domain.definitions import SuspensionBasis
from .fields import CHANNELS, Ident, Text

COLOURS = ("green", "yellow", "red")
CASE_STATES = tuple(s.value for s in CaseState)


def _channel(**kwargs: Any) -> f.String:
    return f.String(validate=v.OneOf(CHANNELS), **kwargs)


def _materials(**kwargs: Any) -> f.Field[Any]:
    return f.List(Ident(), validate=v.Length(max=200), load_default=list, **kwargs)


def _over_budget() -> Text:
    return Text(
        allow_none=True,
        load_default=None,
        metadata={"description": "why an on-site step beyond the trip budget is unavoidable"},
    )


def _reason(description: str) -> Text:
    return Text(required=True, min_length=1, metadata={"description": description})


# ---------------------------------------------------------------------------------- requests


class EmptyBody(ma.Schema):
    """No fields: send no body or ``{}``."""


class ApplicantBody(ma.Schema):
    kind = f.String(required=True, validate=v.OneOf(["person", "company"]))
    id_number = Text(
        required=True, min_length=1, max_length=40,
        metadata={"description": "resident ID number (person) or unified social credit code (company)"},
    )
    name = Text(required=True, min_length=1, max_length=200)
    phone = Text(load_default="", max_length=40)


class PartyBody(ma.Schema):
    role = Ident(required=True, metadata={"description": "a party role the matter declares (seller)"})
    applicant = f.Nested(ApplicantBody, required=True)
    authorisation = Text(
        allow_none=True, load_default=None, max_length=100,
        metadata={"description": "an agent's role (acts_for): the reference of the written authorisation "
                                 "(委托书) they act under"})


class OpenCaseBody(ma.Schema):
    matter_id = Ident(required=True)
    applicant = f.Nested(ApplicantBody, required=True)
    parties = f.List(
        f.Nested(PartyBody), load_default=list, validate=v.Length(max=20),
        metadata={"description": "the other parties, in roles the matter declares (the applicant "
                                 "takes its first role)"},
    )
    channel = _channel(required=True, metadata={"description": "intake channel"})
    location = Ident(required=True, metadata={"description": "service location of the case"})
    agent = Text(
        allow_none=True, load_default=None, max_length=100,
        metadata={"description": "the agent (代办员) running the errand, if any"},
    )
    over_budget_reason = Text(
        allow_none=True, load_default=None, max_length=500,
        metadata={"description": "why a window intake exceeds the matter's trip budget (a zero-trip "
                                 "matter the applicant brings in person); refused without it"},
    )


class AboutBody(ma.Schema):
    """What a rating is about (一次一评): a department, a window (service location) or a staff member."""

    kind = f.String(required=True, validate=v.OneOf(["department", "window", "staff"]))
    id = Text(required=True, min_length=1, max_length=100)


class DeliveryBody(ma.Schema):
    """How one result is handed over."""

    channel = _channel(required=True, metadata={"description": "a channel that suits the result's form"})
    tracking = Text(allow_none=True, load_default=None, max_length=100,
                    metadata={"description": "the postal tracking reference (mail)"})


def _field(param: Param) -> f.Field[Any]:
    """The body field of one declared payload value."""
    meta: dict[str, Any] = {"description": param.description} if param.description else {}
    kind = param.kind
    if kind is ParamKind.FORM:
        return f.Dict(
            keys=Text(min_length=1, max_length=100), values=f.Raw(allow_none=True), allow_none=True,
            load_default=None, validate=v.Length(max=500), metadata=meta,
        )
    if kind is ParamKind.MATERIALS:
        return _materials(metadata=meta)
    if kind is ParamKind.MATERIALS_REQUIRED:
        return f.List(Ident(), required=True, validate=v.Length(min=1, max=200), metadata=meta)
    if kind is ParamKind.CHANNEL:
        return _channel(required=True, metadata=meta)
    if kind is ParamKind.OVER_BUDGET:
        return _over_budget()
    if kind is ParamKind.REASON:
        return _reason(param.description)
    if kind is ParamKind.NOTE:
        return Text(allow_none=True, load_default=None, metadata=meta)
    if kind is ParamKind.LEVEL:
        return f.Integer(required=True, strict=True, validate=v.Range(1, 5), metadata=meta)
    if kind is ParamKind.CHANNEL_OPTIONAL:
        return _channel(load_default=None, allow_none=True, metadata=meta)
    if kind is ParamKind.DELIVERIES:
        return f.Dict(keys=Ident(), values=f.Nested(DeliveryBody), load_default=None, allow_none=True,
                      validate=v.Length(max=100), metadata=meta)
    if kind is ParamKind.TRACKING:
        return Text(allow_none=True, load_default=None, max_length=100, metadata=meta)
    if kind is ParamKind.DAYS:
        return f.Integer(load_default=None, allow_none=True, strict=True, validate=v.Range(1, 365),
                         metadata=meta)
    if kind is ParamKind.DAYS_REQUIRED:
        return f.Integer(required=True, strict=True, validate=v.Range(1, 365), metadata=meta)
    if kind is ParamKind.BASIS:
        return f.String(required=True, validate=v.OneOf([b.value for b in SuspensionBasis]), metadata=meta)
    if kind is ParamKind.COMMITMENT:
        return _reason(param.description)
    if kind is ParamKind.ABOUT:
        return f.Nested(AboutBody, load_default=None, allow_none=True, metadata=meta)
    if kind is ParamKind.RATING_NO:
        return f.Integer(load_default=None, allow_none=True, strict=True, validate=v.Range(1, 10),
                         metadata=meta)
    if kind is ParamKind.DECISION:
        return f.String(required=True, validate=v.OneOf(["upheld", "rejected"]), metadata=meta)
    if kind is ParamKind.EXTENSION_DECISION:
        return f.String(required=True, validate=v.OneOf(["approved", "rejected"]), metadata=meta)
    if kind is ParamKind.AMOUNT:
        amount = v.Regexp(AMOUNT_PATTERN, error="a sum in yuan such as 80 or 80.00")
        return f.String(required=True, validate=amount, metadata={**meta, "example": "80"})
    if kind is ParamKind.REFERENCE:
        return Text(required=True, min_length=1, max_length=100, metadata=meta)
    if kind is ParamKind.RESULT:
        return Ident(required=True, metadata=meta)
    if kind is ParamKind.PARTIES:
        return f.List(Ident(), load_default=None, allow_none=True, validate=v.Length(min=1, max=20),
                      metadata=meta)
    if kind is ParamKind.ROLE:
        return Ident(required=True, metadata=meta)
    if kind is ParamKind.ROLE_OPTIONAL:
        return Ident(load_default=None, allow_none=True, metadata=meta)
    if kind is ParamKind.LOCATION:
        return Ident(required=True, metadata={**meta, "example": "hubin-service-centre"})
    return Text(load_default="", metadata=meta)  # ParamKind.COMMENT


@functools.cache
def body_schema(spec: ActionSpec) -> type[ma.Schema]:
    """The request body of a declared action: one field per payload value (``EmptyBody`` if none);
    one class per action, so the action's route and its callback share one OpenAPI schema."""
    if not spec.params:
        return EmptyBody
    name = "".join(part.title() for part in spec.name.split("_")) + "Body"
    return ma.Schema.from_dict({p.name: _field(p) for p in spec.params}, name=name)


class ActionHeaders(ma.Schema):
    """Optimistic concurrency and idempotency headers of every action."""

    class Meta:
        unknown = ma.EXCLUDE

    if_match = f.String(
        data_key="If-Match",
        metadata={"description": 'the case version the action expects, as an entity tag: "7" '
                                 "(412 if the case has moved on)"},
    )
    idempotency_key = f.String(
        data_key="Idempotency-Key",
        validate=v.Regexp(r"^[\x21-\x7e]{1,200}$", error="1-200 visible ASCII characters"),
        metadata={"description": "a repeat with the same key and body returns the first result"},
    )


class Query(ma.Schema):
    """Query parameters: an unknown one is a 422, like an unknown body field."""

    class Meta:
        unknown = ma.RAISE


class PageQuery(Query):
    page = f.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    page_size = f.Integer(load_default=50, validate=v.Range(1, 200))


class LocationQuery(PageQuery):
    location = Ident(load_default=None, allow_none=True)


class CaseSearchQuery(PageQuery):
    """``GET /cases``: every filter given must hold (a list parameter: any of its values)."""

    matter_id = Ident(load_default=None, metadata={"description": "the matter (一件事) of the case"})
    state = f.List(f.String(validate=v.OneOf(CASE_STATES)), load_default=None,
                   validate=v.Length(min=1, max=20),
                   metadata={"description": "case states, repeated: ?state=accepted&state=in_progress"})
    location = Ident(load_default=None, metadata={"description": "service location of the case"})
    department = Ident(load_default=None, metadata={"description": "a department with an item in the case"})
    applicant_id = f.String(load_default=None, validate=v.Length(min=1, max=40), metadata={
        "description": "resident ID number or unified social credit code, exact (clerks, supervisors)"})
    opened_from = f.Date(load_default=None, metadata={"description": "opened on or after this day"})
    opened_to = f.Date(load_default=None, metadata={"description": "opened on or before this day"})
    due_from = f.Date(load_default=None, metadata={"description": "due on or after this day"})
    due_to = f.Date(load_default=None, metadata={"description": "due on or before this day"})
    colour = f.String(load_default=None, validate=v.OneOf(["yellow", "red"]),
                      metadata={"description": "open cases due soon (yellow) or overdue (red) today"})
    sort = f.String(load_default="-opened_at", validate=v.OneOf(["-opened_at", "opened_at", "due"]),
                    metadata={"description": "newest first (default), oldest first, or earliest due "
                              "(no due date last); then by case id"})


class FiguresQuery(Query):
    by = f.String(load_default="matter", validate=v.OneOf(["matter", "department"]))
    from_ = f.Date(data_key="from", load_default=None, metadata={"description": "first day (YYYY-MM-DD)"})
    to = f.Date(load_default=None, metadata={"description": "last day, inclusive"})


class FiguresSchema(ma.Schema):
    """Published figures: counts and shares per group (docs/supervision.md), no personal data."""

    from_ = f.String(data_key="from", attribute="from", allow_none=True, required=True)
    to = f.String(allow_none=True, required=True)
    by = f.String(required=True)
    generated_at = f.String(allow_none=True, required=True)
    total = f.Dict(required=True)
    groups = f.List(f.Dict(), required=True)
    catalogue = f.Dict(required=True)


class LangQuery(Query):
    lang = f.String(load_default="zh", validate=v.OneOf(["zh", "en"]))


# --------------------------------------------------------------------------------- responses


class SummarySchema(ma.Schema):
    """A case after an action (:class:`oneservice.CaseSummary`); ``version`` is the ETag."""

    id = f.String(required=True)
    matter_id = f.String(required=True)
    state = f.String(required=True, validate=v.OneOf(CASE_STATES))
    version = f.Integer(required=True)
    trips = f.Integer(required=True)
    trip_budget = f.Integer(required=True)
    due = f.String(required=True, allow_none=True, metadata={"format": "date", "description": "YYYY-MM-DD"})
    due_provisional = f.Boolean(required=True)
    colour = f.String(required=True, validate=v.OneOf(COLOURS))
    tasks = f.Dict(keys=f.String(), values=f.String(), required=True,
                   metadata={"description": "item code → task state"})
    owed = f.List(f.String(), required=True)
    allowed = f.List(f.String(), required=True, metadata={"description": "actions allowed now"})
    outcome = f.String(required=True, allow_none=True)


class ApplicantSchema(ma.Schema):
    kind = f.String(allow_none=True)
    name = f.String(required=True)
    id_number = f.String(required=True, metadata={"description": "in full for clerks and supervisors, "
                                                                  "masked for everyone else"})
    phone = f.String(allow_none=True)


class CaseViewSchema(SummarySchema):
    applicant = f.Nested(ApplicantSchema, required=True, allow_none=True,
                         metadata={"description": "absent (null) for reviewers"})


class NoticeLineSchema(ma.Schema):
    kind = f.String(required=True, metadata={"description": "material | field | condition"})
    id = f.String(required=True)
    zh = f.String(required=True)
    en = f.String(required=True)


class NoticeSchema(ma.Schema):
    """The one-time notice (一次性告知) of a case."""

    case_id = f.String(required=True)
    number = f.Integer(required=True)
    lines = f.List(f.Nested(NoticeLineSchema), required=True)
    channels = f.List(f.String(), required=True)


class ProgressStepSchema(ma.Schema):
    at = f.String(required=True)
    event = f.String(required=True)
    zh = f.String(required=True)
    en = f.String(required=True)
    department = f.String(required=True, allow_none=True)
    department_zh = f.String(required=True, allow_none=True)
    department_en = f.String(required=True, allow_none=True)
    note = f.String(required=True, allow_none=True)


class ProgressTaskSchema(ma.Schema):
    item = f.String(required=True)
    name_zh = f.String(required=True)
    name_en = f.String(required=True)
    department = f.String(required=True)
    state = f.String(required=True)
    state_zh = f.String(required=True)
    state_en = f.String(required=True)
    due = f.String(required=True, allow_none=True, metadata={"format": "date"})
    due_provisional = f.Boolean(required=True)
    colour = f.String(required=True)


class ProgressOwedSchema(ma.Schema):
    material = f.String(required=True)
    due = f.String(required=True, allow_none=True, metadata={"format": "date"})
    due_provisional = f.Boolean(required=True, metadata={"description": "due on a guessed calendar year"})


class ProgressPartySchema(ma.Schema):
    """A party as the one who looks sees it: the others by role, name and masked ID only."""

    role = f.String(required=True)
    role_zh = f.String(required=True)
    role_en = f.String(required=True)
    name = f.String(required=True)
    id_number = f.String(required=True, metadata={"description": "masked"})
    self = f.Boolean(required=True, metadata={"description": "the party who looks"})
    trips = f.Integer(required=True, allow_none=True,
                      metadata={"description": "own trips only (null for the other parties)"})


class ProgressSchema(ma.Schema):
    """办件进度: what the applicant sees; the ID number is always masked."""

    case_id = f.String(required=True)
    matter_id = f.String(required=True)
    matter_zh = f.String(required=True)
    matter_en = f.String(required=True)
    applicant_name = f.String(required=True)
    applicant_id = f.String(required=True, metadata={"description": "masked"})
    state = f.String(required=True)
    state_zh = f.String(required=True)
    state_en = f.String(required=True)
    trips = f.Integer(required=True)
    trip_budget = f.Integer(required=True)
    due = f.String(required=True, allow_none=True, metadata={"format": "date"})
    due_provisional = f.Boolean(required=True)
    colour = f.String(required=True)
    tasks = f.List(f.Nested(ProgressTaskSchema), required=True)
    owed = f.List(f.Nested(ProgressOwedSchema), required=True)
    steps = f.List(f.Nested(ProgressStepSchema), required=True)
    party = f.String(required=True, allow_none=True,
                     metadata={"description": "the role of the party who looks (trips are theirs); "
                                              "null for staff"})
    parties = f.List(f.Nested(ProgressPartySchema), required=True)


class EventSchema(ma.Schema):
    seq = f.Integer(required=True)
    at = f.DateTime(required=True)
    type = f.String(required=True)
    actor = f.String(required=True)
    state = f.String(required=True)
    public = f.Boolean(required=True)
    data = f.Dict(required=True)


class CaseRowSchema(ma.Schema):
    id = f.String(required=True)
    matter_id = f.String(required=True)
    state = f.String(required=True)
    location = f.String(required=True)
    channel = f.String(required=True)
    applicant_id = f.String(required=True,
                            metadata={"description": "masked except for clerks and supervisors"})
    applicant_name = f.String(required=True)
    opened_at = f.DateTime(required=True)
    concluded_at = f.DateTime(required=True, allow_none=True)
    due = f.Date(required=True, allow_none=True)
    due_provisional = f.Boolean(required=True)
    trips = f.Integer(required=True)
    over_budget = f.Boolean(required=True)
    version = f.Integer(required=True)


class TaskRowSchema(ma.Schema):
    case_id = f.String(required=True)
    item_code = f.String(required=True)
    department = f.String(required=True)
    state = f.String(required=True)
    matter_id = f.String(required=True)
    dispatched_at = f.DateTime(required=True, allow_none=True)
    started_at = f.DateTime(required=True, allow_none=True)
    due = f.Date(required=True, allow_none=True)
    due_provisional = f.Boolean(required=True)
    suspended_since = f.Date(required=True, allow_none=True)
    reviewer = f.String(required=True, allow_none=True)


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """``{items, page, page_size, total, pages}`` around a list of ``item``."""
    return ma.Schema.from_dict(
        {
            "items": f.List(f.Nested(item), required=True),
            "page": f.Integer(required=True),
            "page_size": f.Integer(required=True),
            "total": f.Integer(required=True),
            "pages": f.Integer(required=True),
        },
        name=name,
    )


class ExtensionRequestSchema(ma.Schema):
    """A pending extension request (延期申请) a supervisor decides."""

    case_id, item, department, item_state = (f.String(required=True) for _ in range(4))
    request = f.Integer(required=True, metadata={"description": "the number of its ExtensionRequested event"})
    requested_at = f.DateTime(required=True)
    requested_by, reason = f.String(required=True), f.String(required=True)
    days = f.Integer(required=True, metadata={"description": "working days asked (1–10)"})
    legal_due = f.Date(required=True, allow_none=True, metadata={"description": "the legal limit now"})
    matter_id, location, state = (f.String(required=True) for _ in range(3))


ExtensionRequestPageSchema = page_schema(ExtensionRequestSchema, "ExtensionRequestPage")
CasePageSchema = page_schema(CaseRowSchema, "CasePage")
TaskPageSchema = page_schema(TaskRowSchema, "TaskPage")
EventPageSchema = page_schema(EventSchema, "EventPage")


class TerminatedSchema(ma.Schema):
    terminated = f.List(f.String(), required=True, metadata={"description": "ids of terminated cases"})


class DeemedSchema(ma.Schema):
    deemed_accepted = f.List(f.String(), required=True,
                             metadata={"description": "ids of the cases deemed accepted (视为受理)"})


class CalendarHolidayBody(ma.Schema):
    name = f.Raw(metadata={"description": "a text, or {zh: 元旦, en: New Year's Day}"})
    from_ = f.String(required=True, data_key="from", attribute="from", metadata={"description": "YYYY-MM-DD"})
    to = f.String(required=True, metadata={"description": "YYYY-MM-DD, on or after from"})


class CalendarBody(ma.Schema):
    """One year of the official calendar, as a calendar file holds it (docs/authoring.md "Calendars");
    the dates are checked by the library's one calendar validator (OS610 with the key path)."""

    year = f.Integer(required=True, strict=True, metadata={"description": "2004–2100"})
    source = f.String(required=True, metadata={"description": "the notice the dates come from"})
    holidays = f.List(f.Nested(CalendarHolidayBody), required=True,
                      metadata={"description": "ranges of days off, weekend days included"})
    workdays = f.List(f.String(), required=True,
                      metadata={"description": "Saturdays and Sundays worked (调休上班), YYYY-MM-DD"})


class CalendarLoadSchema(ma.Schema):
    year = f.Integer(required=True)
    source = f.String(required=True)
    moved = f.List(f.String(), required=True,
                   metadata={"description": "ids of the cases whose deadlines the year moved"})


class CalendarYearSchema(ma.Schema):
    year = f.Integer(required=True)
    source = f.String(required=True)
    loaded_at = f.DateTime(required=True)
    loaded_by = f.String(required=True)
    data = f.Dict(required=True, metadata={"description": "the year's data as loaded"})


class CalendarYearsSchema(ma.Schema):
    loaded = f.List(f.Nested(CalendarYearSchema), required=True,
                    metadata={"description": "the years loaded into the database, in year order"})
    known_years = f.List(f.Integer(), required=True,
                         metadata={"description": "every year with official data (bundled or loaded)"})


class HealthSchema(ma.Schema):
    status = f.String(required=True)
    checks = f.Dict(keys=f.String(), values=f.String())



class MatterSchema(ma.Schema):
    """One matter (一件事) of the catalogue."""

    id = f.String(required=True)
    version = f.String(required=True)
    name_zh = f.String(required=True)
    name_en = f.String(required=True)
    content_hash = f.String(required=True)
    items = f.List(f.String(), required=True)
    departments = f.List(f.String(), required=True)
    intake_channels = f.List(f.String(), required=True)
    trip_budget = f.Integer(required=True)
    trips_best = f.Integer(required=True)
    trips_worst = f.Integer(required=True)
    promise = f.Dict(required=True, metadata={"description": "{value, unit}"})


class MatterNoticeSchema(ma.Schema):
    """The published one-time notice of a matter (``oneservice explain … --format json``)."""

    matter = f.Dict(required=True)
    materials = f.List(f.Dict(), required=True)
    not_needed = f.List(f.Dict(), required=True)
    form = f.List(f.Dict(), required=True)
    items = f.List(f.Dict(), required=True)
    departments = f.List(f.Dict(), required=True)
    channels = f.Dict(required=True)
    trips = f.Dict(required=True)
    limits = f.Dict(required=True)


class CaseDetailSchema(ma.Schema):
    """The whole case file (staff): tasks, materials, visits, deadlines, ratings."""

    id = f.String(required=True)
    matter_id = f.String(required=True)
    matter_version = f.String(required=True)
    definition_hash = f.String(required=True)
    applicant = f.Nested(ApplicantSchema, required=True)
    channel = f.String(required=True)
    location = f.String(required=True)
    agent = f.String(required=True, allow_none=True)
    state = f.String(required=True)
    version = f.Integer(required=True)
    opened_at = f.DateTime(required=True)
    submitted_at = f.DateTime(required=True, allow_none=True)
    received_at = f.DateTime(required=True, allow_none=True,
                             metadata={"description": "the last hand-in the front desk had to answer"})
    accepted_at = f.DateTime(required=True, allow_none=True)
    concluded_at = f.DateTime(required=True, allow_none=True)
    outcome = f.String(required=True, allow_none=True)
    refusal_reason = f.String(required=True, allow_none=True)
    delivery_channel = f.String(required=True, allow_none=True,
                                metadata={"description": "the channel of every result, or mixed"})
    pickup_location = f.String(required=True, allow_none=True, metadata={
        "description": "the service location whose window hands the results out (the intake point by "
                       "default; null: none fits, mail or electronic delivery)"})
    deliveries = f.List(f.Dict(), required=True,
                        metadata={"description": "one hand-over per result: channel, tracking, when, who"})
    commitment = f.String(required=True, allow_none=True,
                          metadata={"description": "the applicant's written commitment (承诺书), 容缺受理"})
    over_budget = f.Boolean(required=True)
    trips = f.Integer(required=True)
    notices = f.Integer(required=True)
    notified = f.List(f.String(), required=True)
    form = f.Dict(required=True)
    tasks = f.List(f.Dict(), required=True)
    materials = f.List(f.Dict(), required=True)
    visits = f.List(f.Dict(), required=True,
                    metadata={"description": "each visit with the roles of the parties who came"})
    deadlines = f.List(f.Dict(), required=True)
    ratings = f.List(f.Dict(), required=True, metadata={"description": "each with the rating party's role"})
    rectification = f.Dict(required=True, allow_none=True)
    applicant_role = f.String(required=True, metadata={"description": "the party role of the applicant"})
    parties = f.List(f.Dict(), required=True,
                     metadata={"description": "the other parties: role, kind, name, id_number, phone, trips, "
                                              "authorisation (an agent's 委托书)"})
    signatures = f.List(f.Dict(), required=True,
                        metadata={"description": "签字: material_id, role, at, channel, by, location, agent"})
