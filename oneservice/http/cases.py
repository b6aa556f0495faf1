# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Case endpoints: every declared action of :class:`~oneservice.OneService` as a POST, and the queries.

The endpoints are made from the action declarations (:data:`oneservice.domain.actions.ACTIONS`):
path, summary, who may call it (for the docs — the library decides), the body (one field per
declared payload value, :func:`~oneservice.http.schemas.body_schema`) and the service method of
the same name. Each POST accepts ``If-Match`` (the case version it expects: 412 when the case has
moved on, checked before the action; the library's own optimistic lock still guards the write)
and ``Idempotency-Key`` (scoped to the caller and passed to the service: a repeat returns the
first result). A successful action answers with the case summary and its new version as ``ETag``.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
from collections.abc import Callable
from typing import Any

import attrs
import marshmallow as ma
from flask import Response, request, url_for

from .. import Case, CaseSummary, NotAuthorised, OneService, Role
from ..domain.actions import ACTIONS, ActionSpec, Target
from . import examples
from .api import Blueprint
from .context import (
    authenticate,
    case_summary,
    current_actor,
    current_region,
    etag,
    mask_id,
    none_match,
    page_envelope,
    page_window,
    precondition,
    representation_tag,
    scoped_key,
    sees_full_ids,
    service,
)
from .problems import HttpProblem
from .schemas import (
    ActionHeaders,
    CaseDetailSchema,
    CasePageSchema,
    CaseSearchQuery,
    CaseViewSchema,
    EventPageSchema,
    NoticeSchema,
    OpenCaseBody,
    PageQuery,
    ProgressSchema,
    SummarySchema,
    body_schema,
)

__all__ = ["ENDPOINTS", "Endpoint", "cases"]

cases = Blueprint("cases", __name__, description="Cases (办件): actions and queries")
cases.before_request(authenticate)

ETAG_HEADER = {"ETag": {"description": 'the case version, e.g. "7"', "schema": {"type": "string"}}}

VIEW_TAG_HEADER = {"ETag": {
    "description": 'the case version and a digest of this view, e.g. "7.3f9a1c2b04d5"',
    "schema": {"type": "string"}}}

_RESPONSES: dict[str, type[ma.Schema]] = {"CaseSummary": SummarySchema, "Notice": NoticeSchema}


@attrs.frozen
class Endpoint:
    """One POST endpoint: ``/cases/<case_id>/<path>`` calling the service method of a declared action."""

    spec: ActionSpec
    body: type[ma.Schema]
    response: type[ma.Schema]

    @classmethod
    def of(cls, spec: ActionSpec) -> Endpoint:
        method = getattr(OneService, spec.name, OneService.perform)
        returns = inspect.signature(method).return_annotation
        return cls(spec, body_schema(spec), _RESPONSES[str(returns)])

    @property
    def path(self) -> str:
        prefix = "items/<ident:item>/" if self.spec.target is Target.ITEM else ""
        return f"{prefix}{self.spec.path}"

    @property
    def who(self) -> str:
        """Who may call it, in words (the library decides)."""
        names = [
            "reviewer of the item's department" if role is Role.REVIEWER else role.value
            for role in sorted(self.spec.roles - {Role.SYSTEM}, key=lambda r: r.value)
        ]
        return ", ".join(names)


ENDPOINTS: tuple[Endpoint, ...] = tuple(
    Endpoint.of(spec) for spec in ACTIONS.values() if spec.path is not None and not spec.internal
)


def _reply(result: Any, status: int = 200) -> Any:
    if isinstance(result, CaseSummary):
        return result, status, {"ETag": etag(result.version)}
    return result


def _action_view(endpoint: Endpoint) -> Callable[..., Any]:
    name = endpoint.spec.name

    def view(body: dict[str, Any], case_id: str, item: str | None = None,
             if_match: str | None = None, idempotency_key: str | None = None) -> Any:
        actor = current_actor()
        if if_match is not None:
            precondition(actor, case_id, if_match)
        values = dict(body) | ({"item": item} if item is not None else {})
        key = scoped_key(actor, idempotency_key)
        svc = service()
        typed = getattr(svc, name, None)  # the typed method, where there is one (give_notice: a Notice)
        if typed is not None:
            return _reply(typed(actor, case_id, **values, idempotency_key=key))
        return _reply(svc.perform(name, actor, case_id, **values, idempotency_key=key))

    view.__name__ = name
    view.__doc__ = f"{endpoint.spec.summary}\n\nWho: {endpoint.who}."
    return view


def _register(endpoint: Endpoint) -> None:
    headers = ETAG_HEADER if endpoint.response is SummarySchema else None
    view = _action_view(endpoint)
    example = examples.SUMMARY if endpoint.response is SummarySchema else examples.NOTICE
    view = cases.response(200, endpoint.response, headers=headers, example=example)(view)
    view = cases.arguments(ActionHeaders, location="headers", as_kwargs=True)(view)
    view = cases.arguments(endpoint.body, required=bool(endpoint.spec.params))(view)
    view = cases.doc(operationId=endpoint.spec.name)(view)
    route = f"/cases/<case_id:case_id>/{endpoint.path}"
    cases.route(route, methods=["POST"], endpoint=endpoint.spec.name)(view)


for _endpoint in ENDPOINTS:
    _register(_endpoint)


# ------------------------------------------------------------------------------ open a case


@cases.route("/cases", methods=["POST"], endpoint="open_case")
@cases.doc(operationId="open_case")
@cases.arguments(OpenCaseBody)
@cases.arguments(ActionHeaders, location="headers", as_kwargs=True)
@cases.response(201, SummarySchema, example=examples.SUMMARY, headers={
    **ETAG_HEADER, "Location": {"description": "the new case", "schema": {"type": "string"}}})
def open_case(body: dict[str, Any], if_match: str | None = None,
              idempotency_key: str | None = None) -> Any:
    """Open a case (draft) of a matter for an applicant.

    Who: clerk (window channel), applicant for themselves (online, mobile), agent (agent channel).
    """
    from .. import Applicant, Party

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
        parties=[Party(p["role"], Applicant(p["applicant"]["kind"], p["applicant"]["id_number"],
                                            p["applicant"]["name"], p["applicant"]["phone"]),
                       p["authorisation"])
                 for p in body["parties"]],
        idempotency_key=scoped_key(actor, idempotency_key),
        over_budget_reason=body["over_budget_reason"],
    )
    location = url_for("cases.get_case", case_id=summary.id)
    return summary, 201, {"ETag": etag(summary.version), "Location": location}


# ----------------------------------------------------------------------------------- queries


@cases.route("/cases", methods=["GET"], endpoint="search_cases")
@cases.doc(operationId="search_cases")
@cases.arguments(CaseSearchQuery, location="query")
@cases.response(200, CasePageSchema, example=examples.CASE_PAGE)
def search_cases(query: dict[str, Any]) -> dict[str, Any]:
    """Search the cases (staff), paged: every filter given must hold.

    Who: clerk (the cases of their service location), supervisor (of their region's locations;
    province-level: all), reviewer (the cases with an item of their department; not by applicant).
    A filter outside the caller's scope finds nothing. The ID number is in full for clerks and
    supervisors, masked for reviewers.
    """
    from .auth import normalise_applicant_id
    from .scope import scope_locations

    actor = current_actor()
    if actor.role not in (Role.CLERK, Role.SUPERVISOR, Role.REVIEWER):
        raise NotAuthorised("searching cases is for staff; an applicant has GET /me/cases", case_id="-",
                            actor=actor.describe())
    applicant_id = query["applicant_id"]
    if applicant_id is not None:
        try:
            applicant_id = normalise_applicant_id(applicant_id.strip())
        except ValueError:
            raise HttpProblem(422, "OS621", "applicant_id is neither a resident ID number nor a unified "
                              "social credit code / 证件号码无效", field="applicant_id") from None
    locations = None if actor.role is Role.REVIEWER else scope_locations(actor, current_region())
    window = page_window(query)
    page = service().search_cases_page(
        actor, matter_id=query["matter_id"], states=query["state"], location=query["location"],
        locations=locations, applicant_id=applicant_id, department=query["department"],
        opened_from=query["opened_from"], opened_to=query["opened_to"], due_from=query["due_from"],
        due_to=query["due_to"], colour=query["colour"], sort=query["sort"], limit=window["limit"],
        offset=window["offset"])
    rows = page.items if sees_full_ids(actor) else [
        attrs.evolve(row, applicant_id=mask_id(row.applicant_id)) for row in page.items]
    return page_envelope(page, query, rows)


@cases.route("/cases/<case_id:case_id>", endpoint="get_case")
@cases.doc(operationId="get_case")
@cases.response(200, CaseViewSchema, headers=VIEW_TAG_HEADER, example=examples.CASE_VIEW)
@cases.alt_response(304, description="Not modified: `If-None-Match` names the current `ETag` (no body)",
                    headers=VIEW_TAG_HEADER)
def get_case(case_id: str) -> Any:
    """The case summary; ``ETag`` is its version and a digest of the view (send it back as
    ``If-Match`` — its version part counts — or as ``If-None-Match`` for a 304).

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
    tag = representation_tag(summary.version, CaseViewSchema().dump(data))  # the body as sent
    headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if none_match(request.headers.get("If-None-Match"), tag):
        return Response(status=304, headers=headers)
    return data, 200, headers


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
@cases.response(200, NoticeSchema, example=examples.NOTICE)
def last_notice(case_id: str) -> Any:
    """The most recent one-time notice of the case. Who: clerk, applicant, agent, supervisor."""
    return service().last_notice(current_actor(), case_id)


@cases.route("/cases/<case_id:case_id>/completeness", endpoint="completeness")
@cases.doc(operationId="completeness")
@cases.response(200, NoticeSchema, example=examples.NOTICE)
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
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "concluded_at": case.concluded_at,
        "outcome": case.outcome,
        "refusal_reason": case.refusal_reason,
        "delivery_channel": case.delivery_channel,
        "pickup_location": case.pickup_location,
        "deliveries": [plain(d) for d in case.deliveries],
        "commitment": case.commitment,
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
        "applicant_role": case.applicant_role,
        "parties": [{"role": p.role, "kind": p.applicant.kind, "name": p.applicant.name,
                     "id_number": p.applicant.id_number, "phone": p.applicant.phone,
                     "trips": case.trips_of(p.role), "authorisation": p.authorisation}
                    for p in case.parties],
        "signatures": [plain(x) for x in case.signatures],
    }
