# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""The global event feed over HTTP: ``GET /events?after=P&limit=N&wait=S``.

Events in position order after ``after`` (0: from the start), at most ``limit`` (≤ 1000);
``wait`` (≤ 30 seconds) holds the request until a first event comes (a long poll). Filters:
``kind`` (repeatable), ``matter``, ``department``, ``location``. The answer is
``{"schema", "items", "next"}``: ``next`` is the position to ask after next time. The app's
``FEED_MAX_WAIT`` setting (seconds) shortens every wait (the fuzz tests set it to 0).

The caller's rights cut the feed as they cut the cases (:mod:`.scope`): an applicant sees the
public events of their own cases, an agent those of the cases they run under an authorisation
(委托书) in force, a clerk the cases of
their service location, a reviewer the cases with an item of their department, a supervisor
the cases of their region (every case without one); a system token the cases with an item of its
department, every event when it names none (the payment service, the carrier).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields as f
from marshmallow import validate as v

from .. import Actor, Role
from ..service.feed import MAX_LIMIT, MAX_WAIT
from ..store.outbox import EVENT_SCHEMA, FeedScope
from .api import Blueprint
from .auth import region_prefix
from .context import authenticate, current_actor, current_region, service
from .fields import Ident
from .schemas import Query

__all__ = ["feed", "feed_scope"]

feed = Blueprint("events", __name__, description="The global event feed (outbox)")
feed.before_request(authenticate)


class FeedQuery(Query):
    after = f.Integer(load_default=0, validate=v.Range(0, None),
                      metadata={"description": "the last position handled (0: the start)"})
    limit = f.Integer(load_default=100, validate=v.Range(1, MAX_LIMIT))
    wait = f.Float(load_default=0.0, validate=v.Range(0, MAX_WAIT),
                   metadata={"description": "seconds to wait for a first event (long poll)"})
    kind = f.List(Ident(), load_default=None, metadata={"description": "event types, repeatable"})
    matter = Ident(load_default=None)
    department = Ident(load_default=None)
    location = Ident(load_default=None)


class FeedEventSchema(ma.Schema):
    schema = f.String(required=True)
    id = f.String(required=True, metadata={"description": "case_id/seq: de-duplicate by it"})
    position = f.Integer(required=True)
    case_id = f.String(required=True)
    seq = f.Integer(required=True)
    type = f.String(required=True)
    at = f.String(required=True)
    actor = f.String(required=True)
    state = f.String(required=True)
    public = f.Boolean(required=True)
    matter_id = f.String(required=True)
    location = f.String(required=True)
    department = f.String(allow_none=True, required=True)
    data = f.Dict(required=True)


class FeedPageSchema(ma.Schema):
    schema = f.String(required=True)
    items = f.List(f.Nested(FeedEventSchema), required=True)
    next = f.Integer(required=True, metadata={"description": "ask after this position next"})


def feed_scope(actor: Actor, region: str | None) -> FeedScope | None:
    """What ``actor`` may see of the feed (``None``: everything)."""
    role = actor.role
    if role is Role.APPLICANT:
        return FeedScope(applicant=actor.applicant_id or "-", public_only=True)
    if role is Role.AGENT:
        return FeedScope(agent=actor.id, agent_at=service().clock.now(), public_only=True)
    if role is Role.CLERK:
        return FeedScope(locations=frozenset({actor.location or "-"}), departments=frozenset())
    if role is Role.REVIEWER or (role is Role.SYSTEM and actor.department):
        return FeedScope(locations=frozenset(), departments=frozenset({actor.department or "-"}))
    if role is Role.SUPERVISOR and region is not None:
        prefix = region_prefix(region)
        catalogue = service().catalogue
        return FeedScope(
            locations=frozenset(
                k for k, loc in catalogue.locations.items() if (loc.region or "").startswith(prefix)
            ),
            departments=frozenset(
                k for k, dep in catalogue.departments.items() if (dep.region or "").startswith(prefix)
            ),
        )
    return None


@feed.route("/events")
@feed.doc(operationId="events_feed")
@feed.arguments(FeedQuery, location="query")
@feed.response(200, FeedPageSchema)
def events_feed(query: dict[str, Any]) -> dict[str, Any]:
    """Events after a position, in position order, cut to the caller's rights (long poll: ``wait``)."""
    actor = current_actor()
    after = query["after"]
    args = {
        "limit": query["limit"],
        "kinds": query["kind"],
        "matter": query["matter"],
        "department": query["department"],
        "location": query["location"],
        "scope": feed_scope(actor, current_region()),
    }
    svc = service()
    wait = min(query["wait"], float(current_app.config.get("FEED_MAX_WAIT", MAX_WAIT)))
    page = svc.feed.wait(after, timeout=wait, **args) if wait > 0 else svc.feed.events_after(after, **args)
    return {
        "schema": EVENT_SCHEMA,
        "items": [e.to_json() for e in page],
        "next": page[-1].position if page else after,
    }
