# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Callbacks in: the systems around a service centre report back.

=====================================================  ==========  ==========================
route (``POST``, ``Idempotency-Key`` required)           scope       body
=====================================================  ==========  ==========================
``/callbacks/cases/{case_id}/items/{item}/decision``    decision    ``decision``, ``reason``,
                                                                    ``licence`` {number, issuer}
``/callbacks/cases/{case_id}/items/{item}/licence``     licence     ``number``, ``issuer``
``/callbacks/cases/{case_id}/items/{item}/fee``         fee         ``amount``, ``reference``
``/callbacks/cases/{case_id}/items/{item}/reference``   any         ``reference``
``/callbacks/cases/{case_id}/receipt``                  delivery    ``result``, ``note``
``/callbacks/references/{reference}/decision|licence|fee``  as above  as above
=====================================================  ==========  ==========================

**Credentials.** A system authenticates with a token of its own, issued with its scopes:
``oneservice token issue --role system --id amr-approval --department hz-amr --scope
decision,licence`` (a department's approval system, the electronic licence library), ``--role
system --id unified-payment --scope fee`` (the payment platform), ``--scope delivery`` (the
carrier). A system token reaches these routes and ``GET /events`` only; each route needs its
scope (403 OS705 otherwise); a system naming a department sees only cases with an item of that
department and reports only on its items (another department's item: 403). A reviewer token of
the item's department may still report a decision or a licence (0.2's decision callback).

**Correlation.** By case id and item, or by the system's own number for the item: the system
records it once (``…/reference``, the ``ReferenceRecorded`` event, not shown to the applicant)
and then names the item by it (``/callbacks/references/{reference}/…``; the number is the
caller's: another system's numbers are not found, 404).

**Idempotent.** Every callback names an ``Idempotency-Key``: the same callback sent again returns
the same summary and changes nothing. A decision is taken through review (``start_review`` if the
item is still ready) to ``approve`` or ``refuse_item``; the licence sent with an approval is
recorded as the ``record_licence`` action is. A fact that contradicts one already recorded (a
second licence number, a fee paid twice) is refused (422 OS702), never overwritten.

**Refusals are recorded.** Every refused callback — no or a bad token (forged, expired, revoked),
a scope it lacks, an unknown case or reference, an item not waiting for it — is answered with a
problem-details error and counted in the audit log (``GET /audit``, :mod:`oneservice.store.audit`).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g, request
from marshmallow import fields as f
from marshmallow import validate as v

from .. import Actor, Case, CaseNotFound, CaseSummary, Role, TaskState
from ..domain.actions import ACTIONS
from .api import Blueprint
from .context import authenticate, current_actor, current_region, current_scopes, scoped_key, service
from .problems import HttpProblem
from .schemas import SummarySchema, body_schema
from .scope import case_refusal

__all__ = ["callbacks"]

callbacks = Blueprint("callbacks", __name__,
                      description="Callbacks in: decisions, licences, fees and receipts other systems report")
callbacks.before_request(authenticate)

_REVIEWER_SCOPES = frozenset({"decision", "licence"})  # what a reviewer token may report too


class LicenceSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    number = f.String(required=True, validate=v.Length(1, 100))
    issuer = f.String(required=True, validate=v.Length(1, 200))


class DecisionBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    decision = f.String(required=True, validate=v.OneOf(["approved", "refused"]))
    reason = f.String(load_default=None, validate=v.Length(1, 2000))
    licence = f.Nested(LicenceSchema, load_default=None)


class CallbackHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = f.String(
        data_key="Idempotency-Key", required=True,
        validate=v.Regexp(r"^[\x21-\x7e]{1,180}$", error="1-180 visible ASCII characters"),
    )


LicenceBody = body_schema(ACTIONS["record_licence"])
FeeBody = body_schema(ACTIONS["confirm_fee"])
ReferenceBody = body_schema(ACTIONS["record_reference"])
ReceiptBody = body_schema(ACTIONS["record_receipt"])


@callbacks.after_request
def _record_refusal(response: Response) -> Response:
    """Count every refused callback in the audit log (a failure to record never hides the refusal)."""
    if response.status_code < 400:
        return response
    import contextlib

    from ..store.audit import record_refusal

    actor: Actor | None = g.get("actor")
    body = response.get_json(silent=True) if response.is_json else None
    detail = body.get("detail") if isinstance(body, dict) else None
    reason = g.get("refusal") or f"{response.status_code} {detail or response.status}"
    case_id = g.get("callback_case") or (request.view_args or {}).get("case_id") or "-"
    svc = service()
    with contextlib.suppress(Exception):  # the refusal stands; the audit row is best effort
        record_refusal(
            svc.store, at=svc.clock.now(), actor=actor.describe() if actor else "unauthenticated",
            role=actor.role.value if actor else "-", case_id=str(case_id)[:40],
            action=request.endpoint or request.path, reason=str(reason),
        )
    return response


def _caller(scope: str) -> Actor:
    """The caller, if it may report ``scope``: a system token with the scope, or (decision and
    licence) a reviewer token."""
    actor = current_actor()
    if actor.role is Role.SYSTEM:
        if scope in current_scopes() or (scope == "reference" and current_scopes()):
            return actor
        raise HttpProblem(403, "OS705", f"this system token has no scope {scope!r} (it has: "
                          f"{', '.join(sorted(current_scopes()))}) / 凭证无此回调权限",
                          title="Not authorised", error="NotAuthorised")
    if actor.role is Role.REVIEWER and scope in _REVIEWER_SCOPES:
        return actor
    raise HttpProblem(403, "OS705", f"a {actor.role.value} token does not report callbacks ({scope}): "
                      "issue a system token (token issue --role system --scope …) / 回调须使用系统凭证",
                      title="Not authorised", error="NotAuthorised")


def _case(actor: Actor, case_id: str, item: str | None) -> Case:
    """The case, if it lies in the caller's scope (else 404 as if it did not exist, recorded)."""
    g.callback_case = case_id
    with service().store.transaction(readonly=True) as tx:
        case = tx.get_case(case_id)  # CaseNotFound: 404
    reason = case_refusal(actor, current_region(), case)
    if reason is not None:
        g.refusal = reason
        raise CaseNotFound(case_id)
    task = case.tasks.get(item) if item is not None else None
    if task is not None and actor.department and task.department != actor.department:
        raise HttpProblem(403, "OS705", f"item {item} belongs to department {task.department}, not "
                          f"{actor.department} / 非本部门事项", title="Not authorised", error="NotAuthorised")
    return case


def _referenced(actor: Actor, reference: str) -> tuple[str, str]:
    """The case and item the caller recorded ``reference`` for (404 otherwise)."""
    found = service().find_reference(actor.id, reference)
    if found is None:
        g.refusal = f"no item with reference {reference!r} of {actor.id}"
        raise HttpProblem(404, "OS700", f"{actor.id} recorded no item with reference {reference!r}; record "
                          "it first (POST /callbacks/cases/{case_id}/items/{item}/reference) / "
                          "未登记该外部编号",
                          title="Case not found", error="CaseNotFound")
    return found


# ---------------------------------------------------------------------- what each callback does


def _decide(case_id: str, item: str, body: dict[str, Any], key: str) -> CaseSummary:
    caller = _caller("decision")
    case = _case(caller, case_id, item)
    if body["decision"] == "refused" and not body["reason"]:
        raise HttpProblem(422, "OS620", "a refusal needs a reason / 不予许可须说明理由",
                          title="Invalid input")
    # the department's system decides as the department's reviewer does (its id in the event log)
    actor = caller if caller.role is Role.REVIEWER else Actor(Role.REVIEWER, caller.id,
                                                              department=caller.department)
    svc = service()
    task = case.tasks.get(item)
    if task is not None and task.state is TaskState.READY:
        svc.start_review(actor, case_id, item, idempotency_key=scoped_key(caller, f"{key}:review"))
    if body["decision"] == "refused":
        return svc.refuse_item(actor, case_id, item, body["reason"],
                               idempotency_key=scoped_key(caller, f"{key}:decision"))
    summary = svc.approve(actor, case_id, item, idempotency_key=scoped_key(caller, f"{key}:decision"))
    licence = body["licence"]
    if licence is not None:
        summary = svc.record_licence(actor, case_id, item, number=licence["number"], issuer=licence["issuer"],
                                     idempotency_key=scoped_key(caller, f"{key}:licence"))
    return summary


def _licence(case_id: str, item: str, body: dict[str, Any], key: str) -> CaseSummary:
    caller = _caller("licence")
    _case(caller, case_id, item)
    return service().record_licence(caller, case_id, item, number=body["number"], issuer=body["issuer"],
                                    idempotency_key=scoped_key(caller, f"{key}:licence"))


def _fee(case_id: str, item: str, body: dict[str, Any], key: str) -> CaseSummary:
    caller = _caller("fee")
    _case(caller, case_id, item)
    return service().confirm_fee(caller, case_id, item, amount=body["amount"], reference=body["reference"],
                                 idempotency_key=scoped_key(caller, f"{key}:fee"))


_REPORTS: dict[str, tuple[type[ma.Schema], Any, str]] = {
    "decision": (DecisionBody, _decide, "A department system's decision on an item (scope ``decision``, or a "
                 "reviewer token)"),
    "licence": (LicenceBody, _licence, "The electronic licence issued for an approved item (scope "
                "``licence``)"),
    "fee": (FeeBody, _fee, "The payment service confirms an item's fee paid (scope ``fee``)"),
}


# ---------------------------------------------------------------------- routes


def _register(what: str) -> None:
    """``…/items/{item}/<what>`` and ``/callbacks/references/{reference}/<what>``."""
    schema, report, summary = _REPORTS[what]

    def by_item(body: dict[str, Any], case_id: str, item: str, idempotency_key: str) -> Any:
        return report(case_id, item, body, idempotency_key)

    def by_reference(body: dict[str, Any], reference: str, idempotency_key: str) -> Any:
        case_id, item = _referenced(_caller(what), reference)
        return report(case_id, item, body, idempotency_key)

    for view, route, name, doc in (
        (by_item, f"/callbacks/cases/<case_id:case_id>/items/<ident:item>/{what}", f"item_{what}_callback",
         summary + "."),
        (by_reference, f"/callbacks/references/<string:reference>/{what}", f"referenced_{what}_callback",
         summary + ", naming the item by the caller's own reference."),
    ):
        view.__doc__ = doc
        wrapped = callbacks.response(200, SummarySchema)(view)
        wrapped = callbacks.arguments(schema)(wrapped)
        wrapped = callbacks.arguments(CallbackHeaders, location="headers", as_kwargs=True)(wrapped)
        wrapped = callbacks.doc(operationId=name)(wrapped)
        callbacks.route(route, methods=["POST"], endpoint=name)(wrapped)


for _what in _REPORTS:
    _register(_what)


@callbacks.route("/callbacks/cases/<case_id:case_id>/items/<ident:item>/reference", methods=["POST"])
@callbacks.doc(operationId="item_reference_callback")
@callbacks.arguments(CallbackHeaders, location="headers", as_kwargs=True)
@callbacks.arguments(ReferenceBody)
@callbacks.response(200, SummarySchema)
def item_reference(body: dict[str, Any], case_id: str, item: str, idempotency_key: str) -> Any:
    """Record the system's own number for an item, to name the item by it later (a system token)."""
    caller = _caller("reference")
    _case(caller, case_id, item)
    return service().record_reference(caller, case_id, item, reference=body["reference"],
                                      idempotency_key=scoped_key(caller, f"{idempotency_key}:reference"))


@callbacks.route("/callbacks/cases/<case_id:case_id>/receipt", methods=["POST"])
@callbacks.doc(operationId="receipt_callback")
@callbacks.arguments(CallbackHeaders, location="headers", as_kwargs=True)
@callbacks.arguments(ReceiptBody)
@callbacks.response(200, SummarySchema)
def receipt(body: dict[str, Any], case_id: str, idempotency_key: str) -> Any:
    """The carrier reports a mailed result received (签收; scope ``delivery``)."""
    caller = _caller("delivery")
    _case(caller, case_id, None)
    return service().record_receipt(caller, case_id, body["result"], note=body.get("note") or None,
                                    idempotency_key=scoped_key(caller, f"{idempotency_key}:receipt"))
