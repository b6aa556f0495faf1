"""Webhooks and their deliveries (SQL only; the relay is :mod:`oneservice.service.webhooks`).

A delivery is one event (by position) to one webhook: ``pending`` until the target answers 2xx
(``delivered``), ``dead`` after the last try. A relay **claims** due deliveries by moving their
``next_at`` on by a lease, in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
sends them outside any transaction, then records each outcome: a relay killed mid-send leaves
its claims to come due again when the lease ends (delivery is at least once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from sqlalchemy import Connection, delete, select, update

from oneservice.store.tables import webhook_deliveries, webhooks

__all__ = [
    "Delivery",
    "WebhookRow",
    "add_webhook",
    "claim_deliveries",
    "deliveries_of",
    "enqueue",
    "get_webhook",
    "list_webhooks",
    "record_outcome",
    "remove_webhook",
]


@attrs.frozen
class WebhookRow:
    id: str
    url: str
    secret: str
    kinds: tuple[str, ...]
    registered_by: str
    registered_at: dt.datetime
    active: bool
    requests_of: str | None = None  # a hotline system's: the public events of the requests it took in

    def to_json(self) -> dict[str, Any]:
        """What the API shows (never the secret)."""
        return {"id": self.id, "url": self.url, "kinds": list(self.kinds),
                "registered_by": self.registered_by, "registered_at": self.registered_at.isoformat(),
                "active": self.active, "requests_of": self.requests_of}


@attrs.frozen
class Delivery:
    webhook_id: str
    position: int
    state: str
    attempts: int
    next_at: dt.datetime
    last_error: str | None
    delivered_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"webhook_id": self.webhook_id, "position": self.position, "state": self.state,
                "attempts": self.attempts, "next_at": self.next_at.isoformat(), "last_error": self.last_error,
                "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None}


def _webhook(row: Any) -> WebhookRow:
    return WebhookRow(row.id, row.url, row.secret, tuple(row.kinds or ()), row.registered_by,
                      row.registered_at, bool(row.active), row.requests_of)


def _delivery(row: Any) -> Delivery:
    return Delivery(row.webhook_id, int(row.position), row.state, row.attempts, row.next_at,
                    row.last_error, row.delivered_at)


def add_webhook(conn: Connection, hook: WebhookRow) -> None:
    conn.execute(webhooks.insert(), {
        "id": hook.id, "url": hook.url, "secret": hook.secret, "kinds": list(hook.kinds),
        "registered_by": hook.registered_by, "registered_at": hook.registered_at, "active": hook.active,
        "requests_of": hook.requests_of,
    })


def get_webhook(conn: Connection, webhook_id: str) -> WebhookRow | None:
    row = conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).first()
    return None if row is None else _webhook(row)


def list_webhooks(conn: Connection, *, active_only: bool = False) -> list[WebhookRow]:
    query = select(webhooks).order_by(webhooks.c.registered_at, webhooks.c.id)
    if active_only:
        query = query.where(webhooks.c.active.is_(True))
    return [_webhook(r) for r in conn.execute(query)]


def remove_webhook(conn: Connection, webhook_id: str) -> bool:
    """Delete a webhook and its deliveries; False if there was none."""
    return bool(conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id)).rowcount)


def enqueue(conn: Connection, webhook_id: str, positions: Iterable[int], at: dt.datetime) -> int:
    """A pending delivery of each position to the webhook, due at ``at``; returns how many."""
    rows = [{"webhook_id": webhook_id, "position": p, "state": "pending", "attempts": 0, "next_at": at}
            for p in positions]
    if rows:
        conn.execute(webhook_deliveries.insert(), rows)
    return len(rows)


def claim_deliveries(conn: Connection, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Delivery]:
    """Pending deliveries due by ``now``, oldest first, each claimed until ``now + lease``."""
    d = webhook_deliveries.c
    query = (
        select(webhook_deliveries)
        .where(d.state == "pending", d.next_at <= now)
        .order_by(d.next_at, d.webhook_id, d.position)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = [_delivery(r) for r in conn.execute(query)]
    for item in found:
        conn.execute(
            update(webhook_deliveries)
            .where(d.webhook_id == item.webhook_id, d.position == item.position)
            .values(next_at=now + lease)
        )
    return found


def record_outcome(
    conn: Connection,
    delivery: Delivery,
    *,
    state: str,
    attempts: int,
    next_at: dt.datetime,
    error: str | None,
    delivered_at: dt.datetime | None,
) -> None:
    d = webhook_deliveries.c
    conn.execute(
        update(webhook_deliveries)
        .where(d.webhook_id == delivery.webhook_id, d.position == delivery.position)
        .values(state=state, attempts=attempts, next_at=next_at, last_error=error, delivered_at=delivered_at)
    )


def deliveries_of(
    conn: Connection, webhook_id: str, *, states: Sequence[str] | None = None, limit: int = 100
) -> list[Delivery]:
    d = webhook_deliveries.c
    query = select(webhook_deliveries).where(d.webhook_id == webhook_id).order_by(d.position).limit(limit)
    if states:
        query = query.where(d.state.in_(list(states)))
    return [_delivery(r) for r in conn.execute(query)]
