# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Webhooks over HTTP: registered by province-level supervisors (the administrators of a
deployment), their deliveries — and the dead letters — visible to them.

``POST /webhooks`` ``{"url", "kinds"?, "secret"?}`` → 201 with the webhook and its signing secret
(shown this once); ``GET /webhooks``; ``GET /webhooks/{id}/deliveries?state=dead``;
``DELETE /webhooks/{id}``. A webhook receives every event of its kinds, whatever the case, so a
supervisor with a region may not register one (403 OS705); an unknown webhook is 404 OS723.
Signing, retries and dead letters: :mod:`oneservice.service.webhooks`.

A **hotline system** (scope ``hotline``) registers, lists and removes its own webhooks the same
way: each is pushed only the public events of the 12345 requests that system took in (answered,
reopened, closed …; ``kinds`` among the ``Request…`` types, 422 OS722 otherwise), never a case's
event nor another system's request. Another's webhook is 404 OS723 to it; a province-level
supervisor sees them all (``requests_of`` names the system).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from .. import Actor, NotAuthorised, Role
from ..service.webhooks import Webhooks
from .api import Blueprint
from .auth import HOTLINE_SCOPE
from .context import authenticate, current_actor, current_region, current_scopes, service
from .problems import HttpProblem
from .schemas import Query

__all__ = ["webhooks"]

webhooks = Blueprint("webhooks", __name__, description="Webhooks: the feed pushed to other systems")
webhooks.before_request(authenticate)


class WebhookBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    url = f.String(required=True, validate=v.Length(1, 2000))
    kinds = f.List(f.String(validate=v.Length(1, 100)), load_default=list, validate=v.Length(0, 100))
    secret = f.String(load_default=None, validate=v.Length(32, 200))


class WebhookSchema(ma.Schema):
    id = f.String(required=True)
    url = f.String(required=True)
    kinds = f.List(f.String(), required=True)
    registered_by = f.String(required=True)
    registered_at = f.String(required=True)
    active = f.Boolean(required=True)
    requests_of = f.String(allow_none=True, metadata={
        "description": "a hotline system's webhook: the system whose requests' public events it gets"})
    secret = f.String(metadata={"description": "the signing secret: in the answer to POST only"})


class WebhookListSchema(ma.Schema):
    items = f.List(f.Nested(WebhookSchema), required=True)


class DeliverySchema(ma.Schema):
    webhook_id = f.String(required=True)
    position = f.Integer(required=True)
    state = f.String(required=True)
    attempts = f.Integer(required=True)
    next_at = f.String(required=True)
    last_error = f.String(allow_none=True)
    delivered_at = f.String(allow_none=True)


class DeliveryListSchema(ma.Schema):
    items = f.List(f.Nested(DeliverySchema), required=True)


class DeliveryQuery(Query):
    state = f.String(load_default=None, validate=v.OneOf(["pending", "delivered", "dead"]))
    limit = f.Integer(load_default=100, validate=v.Range(1, 1000))


def _administrator() -> str | None:
    """``None`` for a province-level supervisor (every webhook), a hotline system's own name for
    it (its webhooks: ``requests_of``); anyone else: 403."""
    actor: Actor = current_actor()
    if actor.role is Role.SYSTEM and HOTLINE_SCOPE in current_scopes():
        return actor.describe()
    if actor.role is not Role.SUPERVISOR or current_region() is not None:
        raise NotAuthorised("webhooks are registered by province-level supervisors and hotline systems / "
                            "仅省级监察人员与热线系统可管理推送地址",
                            case_id="-", actor=actor.describe())
    return None


def _known(hooks: Webhooks, webhook_id: str, requests_of: str | None) -> None:
    hook = hooks.get(webhook_id)
    if hook is None or (requests_of is not None and hook.requests_of != requests_of):
        raise HttpProblem(404, "OS723", f"no webhook {webhook_id} / 推送地址不存在", title="Not found")


@webhooks.route("/webhooks", methods=["POST"])
@webhooks.doc(operationId="register_webhook")
@webhooks.arguments(WebhookBody)
@webhooks.response(201, WebhookSchema)
def register_webhook(body: dict[str, Any]) -> Any:
    """Register a webhook for the events from now on (province-level supervisors; a hotline
    system: the public events of the requests it took in)."""
    hotline = _administrator()
    hook, secret = Webhooks(service()).register(body["url"], by=current_actor(), kinds=body["kinds"],
                                                secret=body["secret"], requests_of=hotline)
    return {**hook.to_json(), "secret": secret}


@webhooks.route("/webhooks")
@webhooks.doc(operationId="webhooks")
@webhooks.response(200, WebhookListSchema)
def list_webhooks() -> dict[str, Any]:
    """The registered webhooks, oldest first (province-level supervisors; a hotline system: its own)."""
    hotline = _administrator()
    hooks = Webhooks(service()).registered()
    return {"items": [h.to_json() for h in hooks if hotline is None or h.requests_of == hotline]}


@webhooks.route("/webhooks/<string(length=19):webhook_id>/deliveries")
@webhooks.doc(operationId="webhook_deliveries")
@webhooks.arguments(DeliveryQuery, location="query")
@webhooks.response(200, DeliveryListSchema)
def webhook_deliveries(query: dict[str, Any], webhook_id: str) -> dict[str, Any]:
    """A webhook's deliveries in position order; ``state=dead``: the dead letters."""
    hotline = _administrator()
    hooks = Webhooks(service())
    _known(hooks, webhook_id, hotline)
    states = [query["state"]] if query["state"] else None
    return {"items": [d.to_json() for d in hooks.deliveries(webhook_id, states=states, limit=query["limit"])]}


@webhooks.route("/webhooks/<string(length=19):webhook_id>", methods=["DELETE"])
@webhooks.doc(operationId="remove_webhook")
@webhooks.response(204)
def remove_webhook(webhook_id: str) -> Any:
    """Remove a webhook and its deliveries (province-level supervisors)."""
    hotline = _administrator()
    hooks = Webhooks(service())
    _known(hooks, webhook_id, hotline)
    hooks.remove(webhook_id)
    return "", 204
