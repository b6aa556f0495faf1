"""Requests (诉求) to the 12345 hotline: consultations, help, complaints, suggestions and praise.

A request is taken in by the hotline, online or at a window, with the requester's contact and a
category of the catalogue (``workflows/requests/categories.yaml``, docs/authoring.md "Request
categories"). The 12345 platform dispatches it (派单) to the competent department, which may
return it (退单) with a reason; the department acknowledges (签收) and answers (答复) within the
category's limits for the request's urgency; the platform calls the requester back (回访), and
the callback decides: resolved and content closes the request, unresolved or dissatisfied reopens
it (重办, back to the department that answered) as often as the jurisdiction's policy allows
(``request_reopens``) and closes it with that word once the reopens are used up. A supervisor may
still order a closed request redone (督办重办). Every step is an event; the public ones
are the requester's progress (来电内容、办理节点、办理结果全流程全要素向群众本人公开).

This module declares the values, the states and the actions (one :class:`RequestAction` each: its
source states, its target state, who may do it); the machine is built from
:data:`REQUEST_ACTIONS` in :mod:`oneservice.engine.machines`, the rules are
:mod:`oneservice.engine.requests`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .case import Role
from .definitions import Text
from .regions import Routing
from .states import _Labelled

__all__ = [
    "FINISHED_REQUEST_STATES",
    "REQUEST_ACTIONS",
    "Contact",
    "Request",
    "RequestAction",
    "RequestCategory",
    "RequestChannel",
    "RequestEvent",
    "RequestKind",
    "RequestState",
    "ResponseLimit",
    "ResponseLimits",
    "ResponseUnit",
    "Satisfaction",
    "Urgency",
]


class RequestKind(_Labelled):
    """What the requester wants (诉求类型)."""

    CONSULTATION = "consultation", "咨询", "Consultation"
    HELP = "help", "求助", "Request for help"
    COMPLAINT = "complaint", "投诉", "Complaint"
    SUGGESTION = "suggestion", "建议", "Suggestion"
    PRAISE = "praise", "表扬", "Praise"


class RequestChannel(_Labelled):
    """How the request came in."""

    HOTLINE = "hotline", "热线电话", "Hotline"
    ONLINE = "online", "网络平台", "Online"
    WINDOW = "window", "窗口", "Window"


class Urgency(_Labelled):
    """How fast the request must be handled; each category gives limits for each urgency."""

    URGENT = "urgent", "紧急", "Urgent"
    NORMAL = "normal", "一般", "Normal"


class ResponseUnit(enum.StrEnum):
    """The unit of a response limit: hours of the office day, or whole working days."""

    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


class Satisfaction(_Labelled):
    """The requester's word at the callback (回访)."""

    SATISFIED = "satisfied", "满意", "Satisfied"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意", "Basically satisfied"
    DISSATISFIED = "dissatisfied", "不满意", "Dissatisfied"

    @property
    def content(self) -> bool:
        """Counted as satisfied in 群众满意率 (满意 and 基本满意)."""
        return self is not Satisfaction.DISSATISFIED


class RequestState(_Labelled):
    """The state of a request."""

    RECEIVED = "received", "已登记", "Received"
    DISPATCHED = "dispatched", "已派单", "Dispatched"
    RETURNED = "returned", "已退单", "Returned"
    ACKNOWLEDGED = "acknowledged", "已签收", "Acknowledged"
    ANSWERED = "answered", "已答复", "Answered"
    CALLED_BACK = "called_back", "已回访", "Called back"
    CLOSED = "closed", "已办结", "Closed"


FINISHED_REQUEST_STATES = frozenset({RequestState.CLOSED})
"""Nothing is due on a request in these states."""


@attrs.frozen
class ResponseLimit:
    """A response limit: ``value`` working hours or working days; ``source`` names where it comes
    from and ``verified`` says the value was checked against it (as an item's limits)."""

    value: int
    unit: ResponseUnit = ResponseUnit.WORKING_DAYS
    source: str | None = attrs.field(default=None, eq=False)
    verified: bool = attrs.field(default=False, eq=False)

    @property
    def hours(self) -> int:
        """The limit in working hours (a working day is :data:`OFFICE_DAY_HOURS`)."""
        return self.value if self.unit is ResponseUnit.WORKING_HOURS else self.value * OFFICE_DAY_HOURS

    def __str__(self) -> str:
        return f"{self.value} {self.unit.value.replace('_', ' ')}"


OFFICE_DAY_HOURS = 8
"""The working hours of an office day (09:00–17:00 on a working day of the official calendar)."""


@attrs.frozen
class ResponseLimits:
    """How long a department has, from dispatch, to acknowledge (签收) and to answer (答复)."""

    acknowledge: ResponseLimit
    answer: ResponseLimit


@attrs.frozen
class RequestCategory:
    """One entry of the request catalogue: its competent department (an id, or a routing rule by
    area, ``routing``) and its response limits by urgency."""

    id: str
    name: Text
    department: str  # "" when ``routing`` picks it
    routing: Routing | None
    limits: Mapping[Urgency, ResponseLimits]
    kinds: frozenset[RequestKind] = frozenset(RequestKind)
    source_file: str = ""


@attrs.frozen
class Contact:
    """The requester: a name and a phone number to call back. Only the handlers see it whole."""

    name: str
    phone: str

    @property
    def masked(self) -> Contact:
        """What everyone but the handlers sees: the surname and the first 3 and last 4 digits."""
        name = self.name[:1] + "*" * max(1, len(self.name) - 1) if self.name else ""
        digits = self.phone
        hidden = "*" * max(0, len(digits) - 7)
        phone = digits[:3] + hidden + digits[-4:] if len(digits) > 7 else "*" * len(digits)
        return Contact(name, phone)


@attrs.frozen
class RequestEvent:
    """One step of a request; ``public`` ones are the requester's progress."""

    seq: int
    at: dt.datetime
    type: str
    actor: str
    state: str
    public: bool
    department: str | None = None
    note: str = ""  # the public note, what the requester reads
    on_time: bool | None = None  # an acknowledgement or answer: within its limit
    data: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.define
class Request:
    """A request (诉求) and where it stands; ``version`` is its optimistic lock."""

    id: str
    kind: RequestKind
    channel: RequestChannel
    category: str
    urgency: Urgency
    contact: Contact
    content: str
    received_at: dt.datetime
    state: RequestState = RequestState.RECEIVED
    location: str | None = None  # the window it was taken in at
    regions: Mapping[str, str] = attrs.field(factory=dict)  # region fields given (incident_region …)
    area: str | None = None  # the region the competent department was picked by
    case_id: str | None = None  # a complaint about a case (办件) …
    item: str | None = None  # … and the item of that case it is about
    competent: str = ""  # the department the category's rule (or the case) names
    department: str | None = None  # the department it is dispatched to now
    dispatched_at: dt.datetime | None = None
    acknowledge_due: dt.datetime | None = None
    answer_due: dt.datetime | None = None
    provisional: bool = False  # a due date counted over a year the calendar only guesses
    acknowledged_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    answered_by: str | None = None  # the department that answered
    result: str = ""  # the answer (办理结果), for the requester
    called_back_at: dt.datetime | None = None
    resolved: bool | None = None  # the latest callback's word
    satisfaction: Satisfaction | None = None
    reopens: int = 0
    escalated_at: dt.datetime | None = None  # 督办
    closed_at: dt.datetime | None = None
    returns: dict[str, int] = attrs.field(factory=dict)  # department → returns of this request
    version: int = 0
    event_count: int = 0
    new_events: list[RequestEvent] = attrs.field(factory=list)

    def record(self, at: dt.datetime, type: str, actor: str, *, public: bool = True,
               department: str | None = None, note: str = "", on_time: bool | None = None,
               **data: Any) -> RequestEvent:
        """Append the next event (numbered after every stored and new one)."""
        event = RequestEvent(self.event_count + len(self.new_events) + 1, at, type, actor, str(self.state),
                             public, department, note, on_time, data)
        self.new_events.append(event)
        return event


@attrs.frozen
class RequestAction:
    """One action on a request: from which states, to which, and who may do it."""

    name: str
    sources: frozenset[RequestState]
    dest: RequestState | None
    roles: frozenset[Role]
    label: Text
    internal: bool = False  # a step another action takes (the callback's reopen or close): no caller


S = RequestState
_DESK = frozenset({Role.CLERK, Role.SUPERVISOR, Role.SYSTEM})  # the 12345 platform
_DEPARTMENT = frozenset({Role.REVIEWER, Role.SYSTEM})  # the department's handler (or its system)


def _action(name: str, sources: set[RequestState], dest: RequestState | None, roles: frozenset[Role],
            zh: str, en: str) -> tuple[str, RequestAction]:
    return name, RequestAction(name, frozenset(sources), dest, roles, Text(zh, en))


def _step(name: str, sources: set[RequestState], dest: RequestState, zh: str,
          en: str) -> tuple[str, RequestAction]:
    """A step the callback takes by itself: nobody calls it, it is never an allowed action."""
    return name, RequestAction(name, frozenset(sources), dest, frozenset(), Text(zh, en), internal=True)


REQUEST_ACTIONS: Mapping[str, RequestAction] = dict([
    _action("dispatch", {S.RECEIVED, S.RETURNED}, S.DISPATCHED, _DESK, "派单", "Dispatch"),
    _action("return_request", {S.DISPATCHED, S.ACKNOWLEDGED}, S.RETURNED, _DEPARTMENT, "退单", "Return"),
    _action("acknowledge", {S.DISPATCHED}, S.ACKNOWLEDGED, _DEPARTMENT, "签收", "Acknowledge"),
    _action("answer", {S.DISPATCHED, S.ACKNOWLEDGED}, S.ANSWERED, _DEPARTMENT, "答复", "Answer"),
    _action("call_back", {S.ANSWERED}, S.CALLED_BACK, _DESK, "回访", "Call back"),
    _step("redo", {S.CALLED_BACK}, S.DISPATCHED, "重办", "Reopen after the callback"),
    _step("close", {S.CALLED_BACK}, S.CLOSED, "办结", "Close after the callback"),
    _action("reopen", {S.CLOSED}, S.DISPATCHED, frozenset({Role.SUPERVISOR}), "督办重办", "Order reopened"),
    _action("escalate", {S.DISPATCHED, S.ACKNOWLEDGED}, None, frozenset({Role.SUPERVISOR}), "督办",
            "Escalate"),
])
"""Every action on a request; the request machine is built from these. ``call_back`` moves on
by itself, through ``redo`` (重办: an unresolved or dissatisfied callback while the policy allows
another reopen) or ``close`` (办结: resolved and content, or the reopens used up): ``called_back``
is the state of the callback's event, never where a request rests. ``reopen`` is a supervisor's
order to redo a closed request whose last callback was unresolved or dissatisfied."""
