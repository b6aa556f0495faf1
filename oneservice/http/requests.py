# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""12345 requests (诉求) over HTTP: intake, the loop, the requester's progress, a department's list
and the figures; each endpoint calls the :class:`~oneservice.OneService` method of the same name.

======================================  =========================  ===================================
route                                   service method             who (the library decides)
======================================  =========================  ===================================
``POST /requests``                      ``take_in_request`` (201)  clerk, supervisor, hotline system
``POST /requests/{id}/dispatch``        ``dispatch_request``       clerk, supervisor (派单)
``POST /requests/{id}/return``          ``return_request``         reviewer of its department (退单)
``POST /requests/{id}/acknowledge``     ``acknowledge_request``    reviewer of its department (签收)
``POST /requests/{id}/answer``          ``answer_request``         reviewer of its department (答复)
``POST /requests/{id}/call-back``       ``call_back_request``      clerk, supervisor (回访; reopens
                                                                   (重办) or closes (办结) by itself)
``POST /requests/{id}/reopen``          ``reopen_request``         supervisor (督办重办 of a closed one)
``POST /requests/{id}/escalate``        ``escalate_request``       supervisor (督办)
``GET /requests/{id}``                  ``get_request``            anyone whose scope holds it
``GET /requests/{id}/progress``         ``request_progress``       as ``GET /requests/{id}``
``GET /worklists/requests/{dep}``       ``department_requests``    a reviewer of ``dep``, clerk,
                                                                   supervisor (of its region)
``GET /supervision/request-figures``    ``request_figures``        supervisor
``GET /supervision/request-ranking``    ``request_ranking``        supervisor, clerk
``GET /supervision/request-warnings``   ``Supervision.request_…``  supervisor (of its region)
======================================  =========================  ===================================

**Concurrency and repeats**, as the case actions (:mod:`.cases`): every POST takes
``If-Match`` (the request version it expects, as the ``ETag`` of ``GET /requests/{id}`` or of the
last action: 412 ``OS703`` when the request has moved on, checked before the action; the
library's optimistic lock still guards the write, 409 ``OS768``) and ``Idempotency-Key`` (scoped to
the caller, :func:`~.context.scoped_key`, kept with the cases' keys: a repeat with the same body
returns the first answer and writes nothing; another body under the key: 422 ``OS704``). A new
request has no version to match (``If-Match`` on ``POST /requests``: 400 ``OS620``).

**Scope** (checked before the service, like the cases' :mod:`.scope`): a request outside the
caller's scope is answered as one that does not exist (404 ``OS760``, the refusal counted in the
audit log). A reviewer sees the requests that are or were dispatched to their department; a
clerk (the 12345 platform's desk, which dispatches and calls back) every request; a supervisor
with a region those whose area, window or department lies in it (without a region: every
request); a hotline system (scope ``hotline``) those it took in. Applicants and agents reach none
(the requester follows a request through the hotline or the web front's progress page).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import attrs
from flask import request as http_request
from flask import url_for

from .. import Actor, Role
from ..domain.requests import Contact, Request, RequestState
from ..engine.clock import TZ
from ..request_errors import RequestInputError, RequestNotAuthorised, RequestNotFound
from ..service.requests import RequestView
from ..store.requests import load_request, request_event_rows
from .api import Blueprint
from .auth import HOTLINE_SCOPE, region_prefix
from .context import (
    authenticate,
    current_actor,
    current_region,
    current_scopes,
    page_envelope,
    page_window,
    scoped_key,
    service,
    version_precondition,
)
from .problems import HttpProblem
from .request_schemas import (
    AnswerRequestBody,
    CallBackBody,
    DispatchBody,
    NoteBody,
    RankingQuery,
    RankingSchema,
    ReasonBody,
    RequestFiguresQuery,
    RequestFiguresSchema,
    RequestListQuery,
    RequestPageSchema,
    RequestProgressSchema,
    RequestViewSchema,
    RequestWarningPageSchema,
    RequestWarningQuery,
    ReturnBody,
    TakeInBody,
)
from .schemas import ActionHeaders, EmptyBody
from .scope import record_refusal

__all__ = ["HOTLINE_ENDPOINTS", "request_refusal", "requests"]

requests = Blueprint("requests", __name__, description="12345 requests (诉求): intake, the loop, figures")

HOTLINE_ENDPOINTS = frozenset({"requests.take_in_request", "requests.get_request",
                               "requests.request_progress"})
"""What a hotline system's token reaches: taking requests in and reading them."""

@requests.before_request
def _authorise() -> None:
    authenticate()
    actor = current_actor()
    if actor.role is Role.SYSTEM and (HOTLINE_SCOPE not in current_scopes()
                                      or http_request.endpoint not in HOTLINE_ENDPOINTS):
        raise HttpProblem(403, "OS705", "a hotline system takes requests in (POST /requests) and reads them "
                          "(GET /requests/{id}, …/progress); the rest is the 12345 platform's and the "
                          "departments' / 热线系统仅可登记与查询诉求", title="Not authorised",
                          error="NotAuthorised")
    request_id = (http_request.view_args or {}).get("request_id")
    if isinstance(request_id, str):
        _check_request(actor, request_id)


def request_refusal(actor: Actor, region: str | None, request: Request, departments: set[str | None],
                    received_by: str | None) -> str | None:
    """Why ``request`` is outside ``actor``'s scope (``None``: inside); ``departments``: those it
    was ever dispatched to or named for, ``received_by``: who took it in."""
    role = actor.role
    if role is Role.REVIEWER:
        if actor.department is not None and actor.department in departments | {request.department}:
            return None
        return "a request never dispatched to the reviewer's department"
    if role is Role.CLERK:
        return None  # the 12345 platform's desk dispatches and calls back every request
    if role is Role.SUPERVISOR:
        return None if region is None or _in_region(request, region) else "a request outside the region"
    if role is Role.SYSTEM:
        return None if received_by == actor.describe() else "a request another system took in"
    return f"a {role.value} reaches no request"


def _in_region(request: Request, region: str) -> bool:
    prefix = region_prefix(region)
    catalogue = service().catalogue
    regions = {request.area, *request.regions.values()}
    with contextlib.suppress(Exception):  # a location or department no longer in the catalogue
        regions.add(catalogue.location(request.location or "").region)
    for department in (request.department, request.competent):
        with contextlib.suppress(Exception):
            regions.add(catalogue.department(department or "").region)
    return any(r.startswith(prefix) for r in regions if r)


def _check_request(actor: Actor, request_id: str) -> None:
    svc = service()
    with svc.store.transaction(readonly=True) as tx:
        request = load_request(tx, request_id)  # RequestNotFound: 404 as ever
        events = request_event_rows(tx.connection, request_id)
    received = next((e.actor for e in events if e.type == "RequestReceived"), None)
    reason = request_refusal(actor, current_region(), request, {e.department for e in events}, received)
    if reason is not None:
        record_refusal(actor, request_id, reason)
        raise RequestNotFound(request_id)


# --------------------------------------------------------------------------------- rendering


def view_of(view: RequestView) -> dict[str, Any]:
    """A request as the caller may see it (the contact as the library gives it)."""
    r = view.request
    return {
        "id": r.id, "kind": str(r.kind), "channel": str(r.channel), "category": r.category,
        "urgency": str(r.urgency), "state": str(r.state),
        "contact": {"name": view.contact.name, "phone": view.contact.phone}, "content": r.content,
        "received_at": r.received_at, "location": r.location, "regions": dict(r.regions), "area": r.area,
        "case_id": r.case_id, "item": r.item, "competent": r.competent, "department": r.department,
        "dispatched_at": r.dispatched_at, "acknowledge_due": r.acknowledge_due, "answer_due": r.answer_due,
        "provisional": r.provisional, "acknowledged_at": r.acknowledged_at, "answered_at": r.answered_at,
        "answered_by": r.answered_by, "result": r.result, "called_back_at": r.called_back_at,
        "resolved": r.resolved, "satisfaction": None if r.satisfaction is None else str(r.satisfaction),
        "reopens": r.reopens, "escalated_at": r.escalated_at, "closed_at": r.closed_at,
        "returns": dict(r.returns), "version": r.version, "colour": view.colour,
        "allowed": list(view.allowed),
    }


def _etag(view: RequestView) -> dict[str, str]:
    return {"ETag": f'"{view.request.version}"'}


_ETAG = {"ETag": {"description": 'the request version, e.g. "3"', "schema": {"type": "string"}}}


# ---------------------------------------------------------------------------------- intake


@requests.route("/requests", methods=["POST"], endpoint="take_in_request")
@requests.doc(operationId="take_in_request")
@requests.arguments(TakeInBody)
@requests.arguments(ActionHeaders, location="headers", as_kwargs=True)
@requests.response(201, RequestViewSchema, headers={
    **_ETAG, "Location": {"description": "the new request", "schema": {"type": "string"}}})
def take_in_request(body: dict[str, Any], if_match: str | None = None,
                    idempotency_key: str | None = None) -> Any:
    """Take a request in (登记): kind, category, the requester's contact and what they say.

    Who: clerk (at a window: their own service location), supervisor, a hotline system (scope
    ``hotline``, channel ``hotline``). A complaint naming ``case_id`` goes to that case's department.
    With ``Idempotency-Key``, the same request sent again returns the first one (201 again).
    """
    actor = current_actor()
    if if_match is not None:
        raise HttpProblem(400, "OS620", "a new request has no version to match", field="If-Match")
    channel, location = body["channel"], body["location"]
    if actor.role is Role.SYSTEM:
        if channel not in (None, "hotline"):
            raise RequestInputError(f"a hotline system takes requests in by the hotline, not {channel}",
                                    request_id=None, field="channel")
        channel = "hotline"
    if actor.role is Role.CLERK and channel == "window":
        if location not in (None, actor.location):
            raise RequestNotAuthorised(f"a clerk of {actor.location} takes requests in at {actor.location}, "
                                       f"not {location} / 窗口人员只能在本服务点登记诉求", request_id=None)
        location = actor.location
    contact = body["contact"]
    view = service().take_in_request(
        actor, kind=body["kind"], channel=channel, category=body["category"],
        contact=None if contact is None else Contact(contact["name"], contact["phone"]),
        content=body["content"], urgency=body["urgency"], location=location, regions=body["regions"],
        case_id=body["case_id"], item=body["item"], idempotency_key=scoped_key(actor, idempotency_key))
    headers = {**_etag(view), "Location": url_for("requests.get_request", request_id=view.request.id)}
    return view_of(view), 201, headers


# ---------------------------------------------------------------------------------- the loop


def _act(method: str, request_id: str, if_match: str | None, idempotency_key: str | None,
         **values: Any) -> Any:
    actor = current_actor()
    svc = service()
    version_precondition("request", request_id, if_match,
                         lambda: svc.get_request(actor, request_id).request.version)
    key = scoped_key(actor, idempotency_key)
    view = getattr(svc, method)(actor, request_id, **values, idempotency_key=key)
    return view_of(view), 200, _etag(view)


def _action(path: str, name: str, body: type, summary: str) -> None:
    def view(data: dict[str, Any], request_id: str, if_match: str | None = None,
             idempotency_key: str | None = None) -> Any:
        return _act(name, request_id, if_match, idempotency_key, **data)

    view.__name__ = name
    view.__doc__ = summary
    wrapped = requests.response(200, RequestViewSchema, headers=_ETAG)(view)
    wrapped = requests.arguments(ActionHeaders, location="headers", as_kwargs=True)(wrapped)
    wrapped = requests.arguments(body, required=body is not EmptyBody)(wrapped)
    wrapped = requests.doc(operationId=name)(wrapped)
    requests.route(f"/requests/<case_id:request_id>/{path}", methods=["POST"], endpoint=name)(wrapped)


for _path, _name, _body, _summary in (
    ("dispatch", "dispatch_request", DispatchBody,
     "派单: to the competent department (or ``department`` after a return); the deadlines start.\n\n"
     "Who: clerk, supervisor."),
    ("return", "return_request", ReturnBody,
     "退单: the department returns a request that is not its own; the reason is required (422 OS762), "
     "the policy limits the returns per department (422 OS764).\n\nWho: reviewer of its department."),
    ("acknowledge", "acknowledge_request", EmptyBody,
     "签收: the department acknowledges the request.\n\nWho: reviewer of its department."),
    ("answer", "answer_request", AnswerRequestBody,
     "答复: the result (required) and the public note; another department: 403 OS765.\n\n"
     "Who: reviewer of its department."),
    ("call-back", "call_back_request", CallBackBody,
     "回访: resolved or not, and satisfaction, which decide what follows: resolved and content closes "
     "the request (办结); not resolved or dissatisfied reopens it (重办: back to the department that "
     "answered, fresh deadlines) while the policy's ``request_reopens`` allow, else closes it with that "
     "word. Before an answer: 409 OS761.\n\nWho: clerk, supervisor."),
    ("reopen", "reopen_request", ReasonBody,
     "督办重办: a supervisor orders a closed request redone whose last callback was unresolved or "
     "dissatisfied (the way past the policy's reopens); the reason is required (422 OS762); resolved "
     "and content: 422 OS766.\n\nWho: supervisor."),
    ("escalate", "escalate_request", NoteBody,
     "督办 of a yellow or red request; the note is required.\n\nWho: supervisor."),
):
    _action(_path, _name, _body, _summary)


# ----------------------------------------------------------------------------------- queries


@requests.route("/requests/<case_id:request_id>", endpoint="get_request")
@requests.doc(operationId="get_request")
@requests.response(200, RequestViewSchema, headers=_ETAG)
def get_request(request_id: str) -> Any:
    """The request, the colour of the step now due and what the caller may do; the contact whole
    for the 12345 platform and the department it is dispatched to, masked otherwise.

    Who: anyone whose scope holds it (a hotline system: the requests it took in)."""
    view = service().get_request(current_actor(), request_id)
    return view_of(view), 200, _etag(view)


@requests.route("/requests/<case_id:request_id>/progress", endpoint="request_progress")
@requests.doc(operationId="request_progress")
@requests.response(200, RequestProgressSchema)
def request_progress(request_id: str) -> Any:
    """The requester's view (来电内容、办理节点、办理结果): every public node with its time,
    department and note, the result; the contact masked. Who: as ``GET /requests/{id}``."""
    progress = service().request_progress(request_id)
    return attrs.asdict(progress, recurse=True)


@requests.route("/worklists/requests/<ident:department>", endpoint="department_requests")
@requests.doc(operationId="department_requests")
@requests.arguments(RequestListQuery, location="query")
@requests.response(200, RequestPageSchema)
def department_requests(query: dict[str, Any], department: str) -> dict[str, Any]:
    """The requests dispatched to a department now, soonest answer due first (``state`` to choose).

    Who: a reviewer of the department, clerk, supervisor (a regional one: a department of the region).
    """
    actor = current_actor()
    svc = service()
    region = current_region()
    found = svc.catalogue.department(department)  # unknown: 404 OS630 with "did you mean"
    outside = region is not None and not found.region.startswith(region_prefix(region))
    if actor.role is Role.SUPERVISOR and outside:
        record_refusal(actor, "-", f"requests of department {department} outside the region")
        raise RequestNotAuthorised(f"{actor.describe()}: {department} lies outside region {region}",
                                   request_id=None)
    states = None if query["state"] is None else frozenset(RequestState(s) for s in query["state"])
    page = svc.department_requests(actor, department, states=states, **page_window(query))
    return page_envelope(page, query, [view_of(v) for v in page.items])


def _supervisor(what: str, *also: Role) -> Actor:
    actor = current_actor()
    if actor.role is not Role.SUPERVISOR and actor.role not in also:
        raise RequestNotAuthorised(f"{actor.describe()}: only a supervisor {what}", request_id=None)
    return actor


@requests.route("/supervision/request-figures", endpoint="request_figures")
@requests.doc(operationId="request_figures")
@requests.arguments(RequestFiguresQuery, location="query")
@requests.response(200, RequestFiguresSchema)
def request_figures(query: dict[str, Any]) -> dict[str, Any]:
    """诉求解决率, 群众满意率, on-time acknowledgement and answer shares, return and reopen rates by
    category, department or month (``by``; ``from``–``to`` inclusive). Who: supervisor."""
    _supervisor("reads the request figures")
    start, end = query["from_"], query["to"]
    figures = service().request_figures(
        by=query["by"], start=None if start is None else dt.datetime.combine(start, dt.time(0), TZ),
        end=None if end is None else dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), TZ))
    groups = [attrs.asdict(g) | {name: getattr(g, name) for name in _RATES} for g in figures.values()]
    return {"by": query["by"], "from": start, "to": end, "groups": groups}


_RATES = ("resolution_rate", "satisfaction_rate", "on_time_acknowledgement", "on_time_answer", "return_rate",
          "reopen_rate")


@requests.route("/supervision/request-ranking", endpoint="request_ranking")
@requests.doc(operationId="request_ranking")
@requests.arguments(RankingQuery, location="query")
@requests.response(200, RankingSchema)
def request_ranking(query: dict[str, Any]) -> dict[str, Any]:
    """热点问题: the day's most frequent request categories and the rising ones (received that day
    more often than their daily average over ``window`` days before). Who: supervisor, clerk."""
    _supervisor("reads the daily ranking", Role.CLERK)
    svc = service()
    day = query["day"] or svc.clock.today()
    frequent, rising = svc.request_ranking(day, window=query["window"], top=query["top"])

    def rows(ranks: list[Any]) -> list[dict[str, Any]]:
        return [{"category": x.category, "count": x.count, "before": x.before, "rise": x.rise} for x in ranks]

    return {"day": day, "window": query["window"], "frequent": rows(frequent), "rising": rows(rising)}


@requests.route("/supervision/request-warnings", endpoint="request_warnings")
@requests.doc(operationId="request_warnings")
@requests.arguments(RequestWarningQuery, location="query")
@requests.response(200, RequestWarningPageSchema)
def request_warnings(query: dict[str, Any]) -> dict[str, Any]:
    """The yellow and red warnings the supervision scan recorded on requests' acknowledgement and
    answer deadlines, newest first; by default only those still unmet — the requests to escalate
    (督办, ``POST /requests/{id}/escalate``). Who: supervisor (a regional one: its region's
    departments)."""
    from ..supervision import Supervision

    actor = _supervisor("reads the request warnings")
    svc = service()
    region = current_region()
    department = query["department"]
    if department is not None:
        svc.catalogue.department(department)  # unknown: 404 OS630
    departments = None
    if region is not None:
        prefix = region_prefix(region)
        departments = sorted(d for d, dep in svc.catalogue.departments.items()
                             if dep.region.startswith(prefix))
        if department is not None and department not in departments:
            record_refusal(actor, "-", f"request warnings of department {department} outside the region")
            raise RequestNotAuthorised(f"{actor.describe()}: {department} lies outside region {region}",
                                       request_id=None)
    page = Supervision(svc, yellow_days=svc.yellow_days).request_warning_list(
        level=query["level"], kind=query["kind"], department=department, departments=departments,
        open_only=query["open_only"], **page_window(query))
    return page_envelope(page, query)
