# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""An applicant's agent authorisations (委托书) and the supervisors' audit log of refused calls.

``POST /me/agents`` records that the calling applicant authorises an agent (代办员) — for every
matter or one, until a date or until revoked; ``GET /me/agents`` lists them and
``DELETE /me/agents/{id}`` revokes one. Only with an authorisation in force may an agent open a
case for the applicant, or see and act on the applicant's cases (:mod:`.scope`).

``GET /audit`` (supervisors) pages the audit log of refused calls, newest minute first
(:mod:`oneservice.store.audit`: one row per actor, case, reason and minute, with a count).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from .. import NotAuthorised, Role
from .api import Blueprint
from .context import authenticate, current_actor, current_region, page_envelope, page_window, service
from .fields import Ident, Text
from .problems import HttpProblem
from .schemas import PageQuery

__all__ = ["identity"]

identity = Blueprint("identity", __name__, description="Agent authorisations (委托书) and the audit log")
identity.before_request(authenticate)

AGENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"


class AuthorisationBody(ma.Schema):
    agent = f.String(required=True, validate=v.Regexp(AGENT_ID, error="is not an agent id"),
                     metadata={"description": "the agent's id (as on their token)"})
    matter_id = Ident(load_default=None, allow_none=True,
                      metadata={"description": "one matter; absent: every matter"})
    expires = f.Date(load_default=None, allow_none=True,
                     metadata={"description": "last day in force (absent: until revoked)"})
    document = Text(load_default=None, allow_none=True, max_length=200,
                    metadata={"description": "reference of the signed 委托书"})


class AuthorisationSchema(ma.Schema):
    id = f.String(required=True)
    agent_id = f.String(required=True)
    matter_id = f.String(allow_none=True)
    granted_at = f.DateTime(required=True)
    expires_at = f.DateTime(allow_none=True)
    revoked_at = f.DateTime(allow_none=True)
    document = f.String(allow_none=True)


class AuthorisationListSchema(ma.Schema):
    items = f.List(f.Nested(AuthorisationSchema), required=True)


class AuditQuery(PageQuery):
    case_id = f.String(load_default=None, validate=v.Length(max=40))


class AuditRowSchema(ma.Schema):
    minute = f.DateTime(required=True)
    actor = f.String(required=True)
    role = f.String(required=True)
    case_id = f.String(required=True)
    reason = f.String(required=True)
    action = f.String(required=True)
    refusals = f.Integer(required=True)
    first_at = f.DateTime(required=True)
    last_at = f.DateTime(required=True)


class AuditPageSchema(ma.Schema):
    items = f.List(f.Nested(AuditRowSchema), required=True)
    page = f.Integer(required=True)
    page_size = f.Integer(required=True)
    total = f.Integer(required=True)
    pages = f.Integer(required=True)


def _applicant() -> str:
    actor = current_actor()
    if actor.role is not Role.APPLICANT or not actor.applicant_id:
        raise NotAuthorised("only an applicant authorises an agent (委托书)", case_id="-",
                            actor=actor.describe())
    return actor.applicant_id


def _shown(record: Any) -> dict[str, Any]:
    out = attrs.asdict(record)
    out.pop("applicant_id")
    return out


@identity.route("/me/agents", methods=["POST"])
@identity.doc(operationId="authorise_agent")
@identity.arguments(AuthorisationBody)
@identity.response(201, AuthorisationSchema)
def authorise_agent(body: dict[str, Any]) -> Any:
    """Authorise an agent (代办员) to open and run my cases (applicants)."""
    from ..store.agents import grant

    applicant = _applicant()
    svc = service()
    now = svc.clock.now()
    if body["matter_id"] is not None:
        svc.catalogue.matter(body["matter_id"])
    expires = None
    if body["expires"] is not None:
        if body["expires"] < now.date():
            raise HttpProblem(422, "OS620", "the authorisation would have expired already", field="expires")
        expires = dt.datetime.combine(body["expires"] + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
    record = grant(svc.store, applicant_id=applicant, agent_id=body["agent"], now=now,
                   matter_id=body["matter_id"], expires_at=expires, document=body["document"])
    return _shown(record), 201


@identity.route("/me/agents")
@identity.doc(operationId="my_agents")
@identity.response(200, AuthorisationListSchema)
def my_agents() -> dict[str, Any]:
    """The authorisations I gave, oldest first (applicants)."""
    from ..store.agents import authorisations_of

    return {"items": [_shown(a) for a in authorisations_of(service().store, _applicant())]}


@identity.route("/me/agents/<string(length=22):authorisation_id>", methods=["DELETE"])
@identity.doc(operationId="revoke_agent")
@identity.response(204)
def revoke_agent(authorisation_id: str) -> Any:
    """Revoke an authorisation (applicants); the agent loses access from the next request."""
    from ..store.agents import revoke

    svc = service()
    applicant = _applicant()
    if not revoke(svc.store, applicant_id=applicant, authorisation_id=authorisation_id, now=svc.clock.now()):
        raise HttpProblem(404, "OS900", f"no authorisation {authorisation_id} of yours in force",
                          title="Not Found")
    return "", 204


@identity.route("/audit")
@identity.doc(operationId="audit_log")
@identity.arguments(AuditQuery, location="query")
@identity.response(200, AuditPageSchema)
def audit_log(query: dict[str, Any]) -> dict[str, Any]:
    """Refused calls, newest minute first, one row per actor, case, reason and minute (province-level
    supervisors)."""
    from ..store.audit import audit_page

    actor = current_actor()
    if actor.role is not Role.SUPERVISOR or current_region() is not None:
        raise NotAuthorised("the audit log is for province-level supervisors", case_id="-",
                            actor=actor.describe())
    window = page_window(query)
    page = audit_page(service().store, case_id=query.get("case_id"), limit=window["limit"],
                      offset=window["offset"])
    return page_envelope(page, query, [attrs.asdict(r) for r in page.items])
