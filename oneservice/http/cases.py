# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Case endpoints: every action of :class:`~oneservice.OneService` as a POST, and the case queries.

Actions are declared in one table (:data:`ACTIONS`): path, body schema, who may call it (for the
docs — the library decides) and the service call. Each POST accepts ``If-Match`` (the case
version it expects: 412 when the case has moved on, checked before the action; the library's
own optimistic lock still guards the write) and ``Idempotency-Key`` (scoped to the caller and
passed to the service: a repeat returns the first result). A successful action answers with the
case summary and its new version as ``ETag``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import marshmallow as ma
from flask import url_for

from .. import Actor, Case, CaseSummary, OneService, Role
from .api import Blueprint
from .context import (
    authenticate,
    case_summary,
    current_actor,
    etag,
    page_envelope,
    page_window,
    precondition,
    scoped_key,
    sees_full_ids,
    service,
)
from .problems import HttpProblem
from .schemas import (
    ActionHeaders,
    ApproveBody,
    CaseDetailSchema,
    CaseViewSchema,
    CorrectionBody,
    DeliverBody,
    EmptyBody,
    EventPageSchema,
    NoteBody,
    NoticeSchema,
    OpenCaseBody,
    OwedBody,
    PageQuery,
    ProgressSchema,
    RatingBody,
    ReasonBody,
    SubmitBody,
    SummarySchema,
    SupplyCorrectionBody,
    SupplyOwedBody,
    VisitBody,
)

__all__ = ["ACTIONS", "Action", "cases"]

cases = Blueprint("cases", __name__, description="Cases (办件): actions and queries")
cases.before_request(authenticate)

ETAG_HEADER = {"ETag": {"description": 'the case version, e.g. "7"', "schema": {"type": "string"}}}

Call = Callable[[OneService, Actor, str, dict[str, Any], str | None, Mapping[str, str]], Any]


@attrs.frozen
class Action:
    """One POST endpoint: ``/cases/<case_id>/<path>`` calling one service method."""

    name: str
    path: str
    summary: str
    roles: str
    body: type[ma.Schema]
    call: Call
    response: type[ma.Schema] = SummarySchema
    idempotent: bool = True  # the service method takes an idempotency key


def _ch(body: dict[str, Any]) -> dict[str, Any]:
    return {"channel": body["channel"], "over_budget_reason": body.get("over_budget_reason")}


ACTIONS: tuple[Action, ...] = (
    Action("submit", "submit", "Submit form data and materials (draft → submitted)",
           "clerk, applicant, agent", SubmitBody,
           lambda s, a, c, b, k, p: s.submit(a, c, form=b["form"], materials=b["materials"],
                                             idempotency_key=k, **_ch(b))),
    Action("give_notice", "notice", "Give the one-time notice (一次性告知) of everything missing",
           "clerk", EmptyBody, lambda s, a, c, b, k, p: s.give_notice(a, c, idempotency_key=k),
           response=NoticeSchema),
    Action("supplement", "supplement", "Supply what the one-time notice listed",
           "clerk, applicant, agent", SubmitBody,
           lambda s, a, c, b, k, p: s.supplement(a, c, form=b["form"], materials=b["materials"],
                                                 idempotency_key=k, **_ch(b))),
    Action("accept", "accept", "Accept the application (受理); deadlines are frozen now", "clerk",
           EmptyBody, lambda s, a, c, b, k, p: s.accept(a, c, idempotency_key=k)),
    Action("accept_with_deficiency", "accept-with-deficiency",
           "Accept while waivable materials are owed (容缺受理)", "clerk", OwedBody,
           lambda s, a, c, b, k, p: s.accept_with_deficiency(a, c, b["owed"], idempotency_key=k)),
    Action("refuse", "refuse", "Refuse to accept the application (不予受理)", "clerk", ReasonBody,
           lambda s, a, c, b, k, p: s.refuse(a, c, b["reason"], idempotency_key=k)),
    Action("supply_owed", "owed-materials", "Supply materials owed under deficiency acceptance",
           "clerk, applicant, agent", SupplyOwedBody,
           lambda s, a, c, b, k, p: s.supply_owed(a, c, b["materials"], idempotency_key=k, **_ch(b))),
    Action("start_review", "items/<ident:item>/start-review", "Start the back-office review of an item",
           "reviewer of the item's department", EmptyBody,
           lambda s, a, c, b, k, p: s.start_review(a, c, p["item"], idempotency_key=k)),
    Action("approve", "items/<ident:item>/approve", "Approve an item; its result goes downstream",
           "reviewer of the item's department", ApproveBody,
           lambda s, a, c, b, k, p: s.approve(a, c, p["item"], note=b["note"], idempotency_key=k)),
    Action("refuse_item", "items/<ident:item>/refuse",
           "Refuse an item (the matter's policy decides the rest)",
           "reviewer of the item's department", ReasonBody,
           lambda s, a, c, b, k, p: s.refuse_item(a, c, p["item"], b["reason"], idempotency_key=k)),
    Action("request_correction", "items/<ident:item>/corrections",
           "Request a correction (补正); the item's clock stops", "reviewer of the item's department",
           CorrectionBody,
           lambda s, a, c, b, k, p: s.request_correction(a, c, p["item"], materials=b["materials"],
                                                         note=b["note"], idempotency_key=k)),
    Action("supply_correction", "items/<ident:item>/corrections/supply",
           "Supply the requested correction; the item's clock restarts", "clerk, applicant, agent",
           SupplyCorrectionBody,
           lambda s, a, c, b, k, p: s.supply_correction(a, c, p["item"], materials=b["materials"],
                                                        idempotency_key=k, **_ch(b))),
    Action("suspend", "items/<ident:item>/suspend", "Suspend an item (中止); its clock stops",
           "reviewer of the item's department", ReasonBody,
           lambda s, a, c, b, k, p: s.suspend(a, c, p["item"], b["reason"], idempotency_key=k)),
    Action("resume", "items/<ident:item>/resume", "Resume a suspended item (恢复)",
           "reviewer of the item's department", EmptyBody,
           lambda s, a, c, b, k, p: s.resume(a, c, p["item"], idempotency_key=k)),
    Action("record_visit", "items/<ident:item>/visits", "Record an unavoidable on-site visit for an item",
           "reviewer of the item's department, clerk", VisitBody,
           lambda s, a, c, b, k, p: s.record_visit(a, c, p["item"], b["purpose"],
                                                   over_budget_reason=b["over_budget_reason"],
                                                   idempotency_key=k)),
    Action("deliver", "deliver", "Deliver all results together (出件)", "clerk", DeliverBody,
           lambda s, a, c, b, k, p: s.deliver(a, c, idempotency_key=k, **_ch(b))),
    Action("conclude", "conclude", "Close the case after delivery", "clerk, supervisor", EmptyBody,
           lambda s, a, c, b, k, p: s.conclude(a, c, idempotency_key=k)),
    Action("withdraw", "withdraw", "Withdraw the application before conclusion",
           "clerk, applicant, agent", ReasonBody,
           lambda s, a, c, b, k, p: s.withdraw(a, c, b["reason"], idempotency_key=k)),
    Action("rate", "rating", "Rate the service (好差评); 1 or 2 opens a rectification", "applicant",
           RatingBody, lambda s, a, c, b, k, p: s.rate(a, c, b["level"], b["comment"], idempotency_key=k)),
    Action("record_callback", "rectification/callback", "Record the callback (回访) after a bad rating",
           "supervisor", NoteBody, lambda s, a, c, b, k, p: s.record_callback(a, c, b["note"]),
           idempotent=False),
    Action("record_rectified", "rectification/done", "Record the rectification (整改) as done",
           "supervisor", NoteBody, lambda s, a, c, b, k, p: s.record_rectified(a, c, b["note"]),
           idempotent=False),
)


def _reply(result: Any, status: int = 200) -> Any:
    if isinstance(result, CaseSummary):
        return result, status, {"ETag": etag(result.version)}
    return result


def _action_view(action: Action) -> Callable[..., Any]:
    def view(body: dict[str, Any], case_id: str, item: str | None = None,
             if_match: str | None = None, idempotency_key: str | None = None) -> Any:
        actor = current_actor()
        if idempotency_key is not None and not action.idempotent:
            raise HttpProblem(
                400, "OS620", f"{action.name} does not take an Idempotency-Key: a repeat is rejected "
                "by the case's state instead", field="Idempotency-Key",
            )
        if if_match is not None:
            precondition(actor, case_id, if_match)
        elif item is not None:
            # The engine checks some item actions' input (materials, upstream results) before it
            # authorises, and its errors describe the case: look first, so that a caller who may
            # not see the case gets a 403 and learns nothing about it.
            case_summary(actor, case_id)
        path = {"item": item} if item is not None else {}
        result = action.call(service(), actor, case_id, body, scoped_key(actor, idempotency_key), path)
        return _reply(result)

    view.__name__ = action.name
    view.__doc__ = f"{action.summary}\n\nWho: {action.roles}."
    return view


def _register(action: Action) -> None:
    headers = ETAG_HEADER if action.response is SummarySchema else None
    view = _action_view(action)
    view = cases.response(200, action.response, headers=headers)(view)
    view = cases.arguments(ActionHeaders, location="headers", as_kwargs=True)(view)
    view = cases.arguments(action.body, required=action.body is not EmptyBody)(view)
    view = cases.doc(operationId=action.name)(view)
    cases.route(f"/cases/<case_id:case_id>/{action.path}", methods=["POST"], endpoint=action.name)(view)


for _action in ACTIONS:
    _register(_action)


# ------------------------------------------------------------------------------ open a case


@cases.route("/cases", methods=["POST"], endpoint="open_case")
@cases.doc(operationId="open_case")
@cases.arguments(OpenCaseBody)
@cases.arguments(ActionHeaders, location="headers", as_kwargs=True)
@cases.response(201, SummarySchema, headers={
    **ETAG_HEADER, "Location": {"description": "the new case", "schema": {"type": "string"}}})
def open_case(body: dict[str, Any], if_match: str | None = None,
              idempotency_key: str | None = None) -> Any:
    """Open a case (draft) of a matter for an applicant.

    Who: clerk (window channel), applicant for themselves (online, mobile), agent (agent channel).
    """
    from .. import Applicant

    if if_match is not None:
        raise HttpProblem(400, "OS620", "a new case has no version to match", field="If-Match")
    actor = current_actor()
    a = body["applicant"]
    summary = service().open_case(
        actor,
        body["matter_id"],
        Applicant(a["kind"], a["id_number"], a["name"], a["phone"]),
        channel=body["channel"],
        location=body["location"],
        agent=body["agent"],
        idempotency_key=scoped_key(actor, idempotency_key),
    )
    location = url_for("cases.get_case", case_id=summary.id)
    return summary, 201, {"ETag": etag(summary.version), "Location": location}


# ----------------------------------------------------------------------------------- queries


@cases.route("/cases/<case_id:case_id>", endpoint="get_case")
@cases.doc(operationId="get_case")
@cases.response(200, CaseViewSchema, headers=ETAG_HEADER)
def get_case(case_id: str) -> Any:
    """The case summary; ``ETag`` is its version (send it back as ``If-Match``).

    Who: anyone who may see the case (a reviewer only when their department has an item in it).
    The applicant's ID number is in full for clerks and supervisors, masked for others.
    """
    actor = current_actor()
    svc = service()
    summary = case_summary(actor, case_id)
    applicant: dict[str, Any] | None = None
    if sees_full_ids(actor):
        full = svc.case(actor, case_id).applicant
        applicant = {"kind": full.kind, "name": full.name, "id_number": full.id_number, "phone": full.phone}
    elif actor.role in (Role.APPLICANT, Role.AGENT):
        view = svc.progress(actor, case_id)
        applicant = {"kind": None, "name": view.applicant_name, "id_number": view.applicant_id, "phone": None}
    data = summary.to_dict() | {"applicant": applicant}
    return data, 200, {"ETag": etag(summary.version)}


@cases.route("/cases/<case_id:case_id>/detail", endpoint="case_detail")
@cases.doc(operationId="case_detail")
@cases.response(200, CaseDetailSchema)
def case_detail(case_id: str) -> dict[str, Any]:
    """The whole case file: tasks, materials, visits, deadlines, ratings. Who: clerk, supervisor."""
    return detail_of(service().case(current_actor(), case_id))


@cases.route("/cases/<case_id:case_id>/progress", endpoint="progress")
@cases.doc(operationId="progress")
@cases.response(200, ProgressSchema)
def progress(case_id: str) -> Any:
    """办件进度: every public step, the items and deadlines; the ID number masked.

    Who: the applicant, the case's agent, clerk, supervisor.
    """
    return service().progress(current_actor(), case_id)


@cases.route("/cases/<case_id:case_id>/events", endpoint="events")
@cases.doc(operationId="events")
@cases.arguments(PageQuery, location="query")
@cases.response(200, EventPageSchema)
def events(query: dict[str, Any], case_id: str) -> dict[str, Any]:
    """The event log of the case, in order (staff: clerk, supervisor)."""
    return page_envelope(service().events_page(current_actor(), case_id, **page_window(query)), query)


@cases.route("/cases/<case_id:case_id>/notice", endpoint="last_notice")
@cases.doc(operationId="last_notice")
@cases.response(200, NoticeSchema)
def last_notice(case_id: str) -> Any:
    """The most recent one-time notice of the case. Who: clerk, applicant, agent, supervisor."""
    return service().last_notice(current_actor(), case_id)


@cases.route("/cases/<case_id:case_id>/completeness", endpoint="completeness")
@cases.doc(operationId="completeness")
@cases.response(200, NoticeSchema)
def completeness(case_id: str) -> Any:
    """What is missing or wrong now (no state change). Who: clerk, applicant, agent, supervisor."""
    return service().completeness(current_actor(), case_id)


# ------------------------------------------------------------------------------- case detail


def _plain(_inst: Any, _field: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def detail_of(case: Case) -> dict[str, Any]:
    """The case as JSON-ready data (for staff: the ID number in full)."""

    def plain(obj: Any) -> dict[str, Any]:
        return attrs.asdict(obj, value_serializer=_plain)

    a = case.applicant
    return {
        "id": case.id,
        "matter_id": case.matter_id,
        "matter_version": case.matter_version,
        "definition_hash": case.definition_hash,
        "applicant": {"kind": a.kind, "name": a.name, "id_number": a.id_number, "phone": a.phone},
        "channel": case.channel,
        "location": case.location,
        "agent": case.agent,
        "state": str(case.state),
        "version": case.version,
        "opened_at": case.opened_at,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "concluded_at": case.concluded_at,
        "outcome": case.outcome,
        "refusal_reason": case.refusal_reason,
        "delivery_channel": case.delivery_channel,
        "over_budget": case.over_budget,
        "trips": case.trips,
        "notices": case.notices,
        "notified": list(case.notified),
        "form": dict(case.form),
        "tasks": [plain(t) for t in case.tasks.values()],
        "materials": [plain(m) for m in case.materials.values()],
        "visits": [plain(visit) for visit in case.visits],
        "deadlines": [plain(d) for d in case.deadlines.values()],
        "ratings": [plain(r) for r in case.ratings],
        "rectification": plain(case.rectification) if case.rectification is not None else None,
    }
