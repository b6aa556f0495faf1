# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Callbacks in: a department's own approval system reports an item's decision.

``POST /callbacks/cases/{case_id}/items/{item}/decision`` with ``Idempotency-Key`` (required)
and ``{"decision": "approved" | "refused", "reason"?, "licence"?: {"number", "issuer"}}``.

The system authenticates with credentials of its own: a reviewer token of the item's department
(``oneservice token issue --role reviewer --id amr-approval-system --department …``), so it is
authorised exactly as the department's reviewers are, and scoped as they are (a case without an
item of its department is a 404, the same as a case that does not exist). The callback takes the
item through review to the decision — ``start_review`` if it is still ready, then ``approve``
(the electronic licence number and its issuing body recorded in the ``ItemApproved`` event's
note) or ``refuse_item`` — each under a key derived from the caller's: the same callback sent
again returns the same summary and changes nothing. A callback for an item that is not waiting
for a decision is refused as any illegal action is (409 OS701).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from .. import CaseNotFound, TaskState
from .api import Blueprint
from .context import authenticate, current_actor, current_region, scoped_key, service
from .problems import HttpProblem
from .schemas import SummarySchema
from .scope import case_refusal, record_refusal

__all__ = ["callbacks"]

callbacks = Blueprint("callbacks", __name__, description="Callbacks in: decisions of department systems")
callbacks.before_request(authenticate)


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


@callbacks.route("/callbacks/cases/<case_id:case_id>/items/<ident:item>/decision", methods=["POST"])
@callbacks.doc(operationId="item_decision_callback")
@callbacks.arguments(CallbackHeaders, location="headers", as_kwargs=True)
@callbacks.arguments(DecisionBody)
@callbacks.response(200, SummarySchema)
def item_decision(body: dict[str, Any], case_id: str, item: str, idempotency_key: str) -> Any:
    """A department system's decision on an item (reviewer token of the department; idempotent)."""
    actor = current_actor()
    svc = service()
    with svc.store.transaction(readonly=True) as tx:
        case = tx.get_case(case_id)
    reason = case_refusal(actor, current_region(), case)
    if reason is not None:
        record_refusal(actor, case_id, reason)
        raise CaseNotFound(case_id)
    if body["decision"] == "refused" and not body["reason"]:
        raise HttpProblem(422, "OS620", "a refusal needs a reason / 不予许可须说明理由",
                          title="Invalid input")
    task = case.tasks.get(item)
    if task is not None and task.state is TaskState.READY:
        review_key = scoped_key(actor, f"{idempotency_key}:review")
        svc.start_review(actor, case_id, item, idempotency_key=review_key)
    key = scoped_key(actor, f"{idempotency_key}:decision")
    if body["decision"] == "approved":
        licence = body["licence"]
        note = None if licence is None else f"电子证照 e-licence {licence['number']} ({licence['issuer']})"
        summary = svc.approve(actor, case_id, item, note=note, idempotency_key=key)
    else:
        summary = svc.refuse_item(actor, case_id, item, body["reason"], idempotency_key=key)
    return summary
