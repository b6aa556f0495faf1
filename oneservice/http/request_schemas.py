"""marshmallow schemas of the 12345 requests' endpoints (:mod:`oneservice.http.requests`).

Request bodies reject unknown fields, as every body of the API. The values the library checks
with a specific error naming the request and its state — a missing category, contact or content
at intake, a return without a reason, an escalation without a note — are optional here, so that
the answer is that error (422 ``OS762``), not a generic schema error.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from ..domain.requests import RequestChannel, RequestKind, RequestState, Satisfaction, Urgency
from ..store.request_figures import GROUPS
from .fields import Ident, Text
from .schemas import PageQuery, Query, page_schema

__all__ = [
    "AnswerRequestBody",
    "CallBackBody",
    "DispatchBody",
    "NoteBody",
    "RankingQuery",
    "RankingSchema",
    "ReasonBody",
    "RequestFiguresQuery",
    "RequestFiguresSchema",
    "RequestListQuery",
    "RequestPageSchema",
    "RequestProgressSchema",
    "RequestViewSchema",
    "RequestWarningPageSchema",
    "RequestWarningQuery",
    "ReturnBody",
    "TakeInBody",
]

REQUEST_STATES = tuple(s.value for s in RequestState)


def _values(cls: type) -> list[str]:
    return [m.value for m in cls]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------- requests


class ContactBody(ma.Schema):
    """The requester: a name and a phone number to call back."""

    name = Text(required=True, max_length=100)
    phone = Text(required=True, max_length=40)


class TakeInBody(ma.Schema):
    """A request taken in (登记)."""

    kind = f.String(required=True, validate=v.OneOf(_values(RequestKind)),
                    metadata={"description": "咨询 consultation, 求助 help, 投诉 complaint, 建议 suggestion, "
                                             "表扬 praise"})
    channel = f.String(load_default=None, allow_none=True, validate=v.OneOf(_values(RequestChannel)),
                       metadata={"description": "hotline, online or window (a hotline system: hotline, "
                                                "the default)"})
    category = Text(load_default=None, allow_none=True, max_length=100,
                    metadata={"description": "a category of workflows/requests/categories.yaml "
                                             "(without one: 422 OS762; unknown: 422 OS763)"})
    contact = f.Nested(ContactBody, load_default=None, allow_none=True,
                       metadata={"description": "required (422 OS762 without it)"})
    content = Text(load_default="", max_length=4000, metadata={"description": "what the requester says"})
    urgency = f.String(load_default="normal", validate=v.OneOf(_values(Urgency)))
    location = Ident(load_default=None, allow_none=True,
                     metadata={"description": "the window it is taken in at (a clerk of a location: theirs)"})
    regions = f.Dict(keys=Ident(), values=Text(max_length=12), load_default=dict, validate=v.Length(max=10),
                     metadata={"description": "region fields the category's routing reads, e.g. "
                                              '{"incident_region": "330106"}'})
    case_id = Text(load_default=None, allow_none=True, max_length=40,
                   metadata={"description": "a complaint about a case (办件): to that case's department"})
    item = Ident(load_default=None, allow_none=True, metadata={"description": "the item of that case"})


class DispatchBody(ma.Schema):
    """派单: to the competent department, or ``department`` (after a return)."""

    department = Ident(load_default=None, allow_none=True)
    note = Text(load_default="", max_length=2000)


class ReturnBody(ma.Schema):
    """退单: the reason is required (422 OS762 without it)."""

    reason = Text(load_default=None, allow_none=True, max_length=2000)


class AnswerRequestBody(ma.Schema):
    """答复: the result (办理结果, required) and the public note the requester reads."""

    result = Text(load_default=None, allow_none=True, max_length=4000)
    note = Text(load_default=None, allow_none=True, max_length=2000)


class CallBackBody(ma.Schema):
    """回访: the requester's word; resolved and content closes the request, anything else reopens it
    (重办) while the policy allows and closes it with that word after."""

    resolved = f.Boolean(required=True)
    satisfaction = f.String(required=True, validate=v.OneOf(_values(Satisfaction)))
    note = Text(load_default="", max_length=2000)


class ReasonBody(ma.Schema):
    """督办重办: why the supervisor orders it redone (required; the public note)."""

    reason = Text(load_default=None, allow_none=True, max_length=2000)


class NoteBody(ma.Schema):
    """督办: the escalation's note (required: 422 OS762 without it)."""

    note = Text(load_default="", max_length=2000)


class RequestListQuery(PageQuery):
    state = f.List(f.String(validate=v.OneOf(REQUEST_STATES)), load_default=None,
                   validate=v.Length(min=1, max=7),
                   metadata={"description": "request states, repeated (default: dispatched, acknowledged)"})


class RequestFiguresQuery(Query):
    by = f.String(load_default="all", validate=v.OneOf(GROUPS))
    from_ = f.Date(data_key="from", load_default=None, metadata={"description": "first day (YYYY-MM-DD)"})
    to = f.Date(load_default=None, metadata={"description": "last day, inclusive"})


class RequestWarningQuery(PageQuery):
    level = f.String(load_default=None, validate=v.OneOf(["yellow", "red"]))
    kind = f.String(load_default=None, validate=v.OneOf(["request_acknowledge", "request_answer"]))
    department = Ident(load_default=None)
    open_only = f.Boolean(load_default=True, metadata={"description": "only deadlines still unmet (default)"})


class RankingQuery(Query):
    day = f.Date(load_default=None, metadata={"description": "the day (YYYY-MM-DD; default: today)"})
    window = f.Integer(load_default=7, validate=v.Range(1, 90),
                       metadata={"description": "days before it the rise is measured against"})
    top = f.Integer(load_default=10, validate=v.Range(1, 100))


# --------------------------------------------------------------------------------- responses


class ContactSchema(ma.Schema):
    name = f.String(required=True)
    phone = f.String(required=True)


class RequestViewSchema(ma.Schema):
    """A request as the caller may see it: the contact whole for its handlers, masked otherwise;
    ``colour`` of the step now due; ``allowed``: what the caller's role may do now."""

    id, kind, channel, category, urgency, state = (f.String(required=True) for _ in range(6))
    contact = f.Nested(ContactSchema, required=True)
    content = f.String(required=True)
    received_at = f.DateTime(required=True)
    location, area, case_id, item = (f.String(required=True, allow_none=True) for _ in range(4))
    regions = f.Dict(keys=f.String(), values=f.String(), required=True)
    competent = f.String(required=True)
    department = f.String(required=True, allow_none=True,
                          metadata={"description": "the department it is dispatched to now"})
    dispatched_at, acknowledge_due, answer_due = (
        f.DateTime(required=True, allow_none=True) for _ in range(3))
    provisional = f.Boolean(required=True)
    acknowledged_at, answered_at = (f.DateTime(required=True, allow_none=True) for _ in range(2))
    answered_by = f.String(required=True, allow_none=True)
    result = f.String(required=True)
    called_back_at = f.DateTime(required=True, allow_none=True)
    resolved = f.Boolean(required=True, allow_none=True)
    satisfaction = f.String(required=True, allow_none=True)
    reopens = f.Integer(required=True)
    escalated_at, closed_at = (f.DateTime(required=True, allow_none=True) for _ in range(2))
    returns = f.Dict(keys=f.String(), values=f.Integer(), required=True,
                     metadata={"description": "department → its returns (退单) of this request"})
    version = f.Integer(required=True)
    colour = f.String(required=True, validate=v.OneOf(["green", "yellow", "red"]))
    allowed = f.List(f.String(), required=True)


RequestPageSchema = page_schema(RequestViewSchema, "RequestPage")


class ProgressNodeSchema(ma.Schema):
    at = f.DateTime(required=True)
    type = f.String(required=True)
    state = f.String(required=True)
    department = f.String(required=True, allow_none=True)
    note = f.String(required=True)


class RequestProgressSchema(ma.Schema):
    """The requester's view (来电内容、办理节点、办理结果): every public node; the contact masked."""

    request_id, state, category, kind, content = (f.String(required=True) for _ in range(5))
    contact = f.Nested(ContactSchema, required=True)
    result = f.String(required=True, metadata={"description": "the answer, once there is one"})
    nodes = f.List(f.Nested(ProgressNodeSchema), required=True)


class FigureGroupSchema(ma.Schema):
    key = f.String(required=True, metadata={"description": "a category, department, YYYY-MM month or all"})
    called_back, resolved, content = (f.Integer(required=True) for _ in range(3))
    acknowledged, acknowledged_on_time, answered, answered_on_time = (
        f.Integer(required=True) for _ in range(4))
    dispatched, returned, callbacks, reopened = (f.Integer(required=True) for _ in range(4))
    resolution_rate = f.Float(required=True, allow_none=True, metadata={"description": "诉求解决率"})
    satisfaction_rate = f.Float(required=True, allow_none=True, metadata={"description": "群众满意率"})
    on_time_acknowledgement, on_time_answer = (f.Float(required=True, allow_none=True) for _ in range(2))
    return_rate = f.Float(required=True, allow_none=True, metadata={"description": "退单率"})
    reopen_rate = f.Float(required=True, allow_none=True, metadata={"description": "重办率"})


class RequestFiguresSchema(ma.Schema):
    """The 12345 figures per group (formulas: docs/supervision.md); no personal data."""

    by = f.String(required=True)
    from_ = f.Date(data_key="from", attribute="from", required=True, allow_none=True)
    to = f.Date(required=True, allow_none=True)
    groups = f.List(f.Nested(FigureGroupSchema), required=True)


class RequestWarningSchema(ma.Schema):
    """A warning the supervision scan recorded on a request's deadline."""

    request_id, kind, level, department, category, state = (f.String(required=True) for _ in range(6))
    due_at, dispatched_at, at = (f.DateTime(required=True) for _ in range(3))
    escalated_at = f.DateTime(required=True, allow_none=True, metadata={"description": "督办, if any"})


RequestWarningPageSchema = page_schema(RequestWarningSchema, "RequestWarningPage")


class CategoryRankSchema(ma.Schema):
    category = f.String(required=True)
    count = f.Integer(required=True, metadata={"description": "requests received on the day"})
    before = f.Float(required=True, metadata={"description": "daily average over the window before"})
    rise = f.Float(required=True)


class RankingSchema(ma.Schema):
    """热点问题: the day's most frequent categories and the rising ones."""

    day = f.Date(required=True)
    window = f.Integer(required=True)
    frequent = f.List(f.Nested(CategoryRankSchema), required=True)
    rising = f.List(f.Nested(CategoryRankSchema), required=True)
