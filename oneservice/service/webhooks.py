"""Webhooks: the feed pushed to other systems over HTTP, signed, retried, dead-lettered.

::

    hooks = Webhooks(service)
    hook, secret = hooks.register("https://dept.example/oneservice", by=supervisor, kinds=["CaseAccepted"])
    hooks.tick()          # the worker's job: queue new events for each webhook, send what is due

Each delivery is one event (the JSON of docs/events.md) in a POST with the headers

* ``X-Oneservice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed by the secret>``
* ``X-Oneservice-Event-Id`` (``case_id/seq``: de-duplicate by it) and ``X-Oneservice-Delivery-Attempt``.

A 2xx answer delivers it. Anything else — another status, a time-out, a refused or dropped
connection — is retried after an exponential backoff with jitter computed from the service's
clock (``10 s × 2^(n-1)``, at most an hour, times a random factor in [0.5, 1)), and is **dead**
after ``max_attempts`` tries (8 by default): ``GET /webhooks/{id}/deliveries?state=dead`` shows
it to supervisors. Deliveries are claimed for a lease before they are sent (``SKIP LOCKED`` on
PostgreSQL), so several workers never send one concurrently; a worker killed mid-send leaves the
claim to run out (``lease``, two minutes by default; ``oneservice worker --lease``) and another
sends it again (at least once). A slow target costs its own
deliveries their time-out, no more: each request has ``timeout`` seconds.

A hotline system's webhook (``requests_of``: the system, as its actor describes itself) is pushed
only the public events of the 12345 requests that system took in — answered, reopened, closed …,
what the requester may read — never a case's event nor another intake's request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping

import attrs

from ..domain.case import Actor
from ..errors import WebhookInvalid
from ..store.outbox import (
    FeedEvent,
    FeedScope,
    cursor,
    ensure_cursor,
    events_after,
    last_position,
    move_cursor,
)
from ..store.webhooks import (
    Delivery,
    WebhookRow,
    add_webhook,
    claim_deliveries,
    deliveries_of,
    enqueue,
    get_webhook,
    list_webhooks,
    record_outcome,
    remove_webhook,
)
from .facade import OneService

__all__ = ["MAX_ATTEMPTS", "Transport", "Webhooks", "backoff", "sign", "urllib_transport"]

MAX_ATTEMPTS = 8
BASE_DELAY = dt.timedelta(seconds=10)
MAX_DELAY = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=2)
MIN_SECRET = 32

Transport = Callable[[str, bytes, Mapping[str, str], float], int]
"""``send(url, body, headers, timeout)`` → the HTTP status; raises ``OSError`` when no answer came."""


def urllib_transport(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST with the standard library; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Oneservice-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int, rng: random.Random) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: exponential, capped, with jitter."""
    delay: dt.timedelta = min(MAX_DELAY, BASE_DELAY * (2 ** max(0, attempts - 1)))
    factor: float = 0.5 + rng.random() / 2
    return delay * factor


@attrs.frozen
class TickResult:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0


class Webhooks:
    """Registration and delivery of webhooks over ``service``'s store and clock."""

    def __init__(self, service: OneService, *, transport: Transport = urllib_transport,
                 max_attempts: int = MAX_ATTEMPTS, timeout: float = 5.0, rng: random.Random | None = None,
                 batch: int = 100, lease: dt.timedelta = LEASE) -> None:
        self.service = service
        self.lease = lease
        self.transport = transport
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.rng = rng or random.Random()
        self.batch = batch

    # ------------------------------------------------------------------------- registration

    def register(self, url: str, *, by: Actor, kinds: Iterable[str] = (), secret: str | None = None,
                 from_position: int | None = None,
                 requests_of: str | None = None) -> tuple[WebhookRow, str]:
        """A new webhook receiving the events after ``from_position`` (default: from now on);
        returns it and its signing secret (generated unless given; shown only here).
        ``requests_of``: only the public events of the 12345 requests that actor (described as
        :meth:`Actor.describe` does) took in; its ``kinds`` are then request events (``Request…``)."""
        if not url.startswith(("http://", "https://")) or len(url) > 2000 or any(c.isspace() for c in url):
            raise WebhookInvalid(f"{url!r} is not an http(s) URL / 地址须为 http(s) URL", field="url",
                                 hint="e.g. https://dept.example/oneservice/events")
        if secret is not None and len(secret) < MIN_SECRET:
            raise WebhookInvalid(f"a signing secret needs at least {MIN_SECRET} characters / 签名密钥过短",
                                 field="secret", hint="leave it out and use the one generated")
        kinds = tuple(sorted(set(kinds)))
        for kind in kinds:
            if not kind.isidentifier():
                raise WebhookInvalid(f"{kind!r} is not an event type / 事件类型无效", field="kinds",
                                     hint="e.g. CaseAccepted, ItemApproved")
            if requests_of is not None and not kind.startswith("Request"):
                raise WebhookInvalid(f"{kind!r} is not a 12345 request event / 热线系统仅可订阅诉求事件",
                                     field="kinds",
                                     hint="e.g. RequestAnswered, RequestReopened, RequestClosed")
        secret = secret or secrets.token_hex(32)
        now = self.service.clock.now()
        hook = WebhookRow(f"wh-{uuid.uuid4().hex[:16]}", url, secret, kinds, by.describe(), now, True,
                          requests_of)
        with self.service.store.transaction() as tx:
            add_webhook(tx.connection, hook)
            start = last_position(tx.connection) if from_position is None else from_position
            ensure_cursor(tx.connection, _cursor(hook.id), start, now)
        return hook, secret

    def registered(self) -> list[WebhookRow]:
        with self.service.store.transaction(readonly=True) as tx:
            return list_webhooks(tx.connection)

    def get(self, webhook_id: str) -> WebhookRow | None:
        with self.service.store.transaction(readonly=True) as tx:
            return get_webhook(tx.connection, webhook_id)

    def remove(self, webhook_id: str) -> bool:
        with self.service.store.transaction() as tx:
            return remove_webhook(tx.connection, webhook_id)

    def deliveries(self, webhook_id: str, *, states: Iterable[str] | None = None,
                   limit: int = 100) -> list[Delivery]:
        with self.service.store.transaction(readonly=True) as tx:
            return deliveries_of(tx.connection, webhook_id, states=list(states or ()), limit=limit)

    # ----------------------------------------------------------------------------- delivery

    def tick(self) -> TickResult:
        """Queue the new events of every webhook, then send every delivery that is due."""
        queued = self.fan_out()
        delivered = failed = dead = 0
        while True:
            sent = self._deliver_batch()
            delivered += sent[0]
            failed += sent[1]
            dead += sent[2]
            if sum(sent) < self.batch:
                return TickResult(queued, delivered, failed, dead)

    def fan_out(self) -> int:
        """A pending delivery for each new event a webhook wants; returns how many were queued."""
        store = self.service.store
        with store.transaction(readonly=True) as tx:
            hooks = list_webhooks(tx.connection, active_only=True)
        queued = 0
        for hook in hooks:
            with store.transaction() as tx:
                conn = tx.connection
                at = cursor(conn, _cursor(hook.id), lock=True)
                if at is None:  # another worker holds it (or the webhook was just removed)
                    continue
                page = events_after(conn, at, limit=1000, kinds=hook.kinds or None, scope=_scope(hook))
                if page:
                    now = self.service.clock.now()
                    queued += enqueue(conn, hook.id, [e.position for e in page], now)
                    move_cursor(conn, _cursor(hook.id), page[-1].position, now)
        return queued

    def _deliver_batch(self) -> tuple[int, int, int]:
        store = self.service.store
        now = self.service.clock.now()
        with store.transaction() as tx:
            claimed = claim_deliveries(tx.connection, now, self.lease, self.batch)
        if not claimed:
            return (0, 0, 0)
        positions = sorted({d.position for d in claimed})
        with store.transaction(readonly=True) as tx:
            hooks = {h.id: h for h in list_webhooks(tx.connection)}
            scopes = {h.requests_of: _scope(h) for h in hooks.values()}
            events = {(who, e.position): e for who, scope in scopes.items()
                      for e in events_after(tx.connection, positions[0] - 1,
                                            limit=positions[-1] - positions[0] + 1, scope=scope)}
        delivered = failed = dead = 0
        for delivery in claimed:
            hook = hooks.get(delivery.webhook_id)
            event = None if hook is None else events.get((hook.requests_of, delivery.position))
            if hook is None or event is None:
                continue
            error = self._send(hook, event, delivery.attempts + 1)
            attempts = delivery.attempts + 1
            at = self.service.clock.now()
            with store.transaction() as tx:
                if error is None:
                    record_outcome(tx.connection, delivery, state="delivered", attempts=attempts,
                                   next_at=at, error=None, delivered_at=at)
                    delivered += 1
                elif attempts >= self.max_attempts:
                    record_outcome(tx.connection, delivery, state="dead", attempts=attempts,
                                   next_at=at, error=error, delivered_at=None)
                    dead += 1
                else:
                    record_outcome(tx.connection, delivery, state="pending", attempts=attempts,
                                   next_at=at + backoff(attempts, self.rng), error=error, delivered_at=None)
                    failed += 1
        return (delivered, failed, dead)

    def _send(self, hook: WebhookRow, event: FeedEvent, attempt: int) -> str | None:
        """``None`` when delivered, else what went wrong."""
        body = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(self.service.clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "oneservice-webhooks",
            "X-Oneservice-Signature": sign(hook.secret, timestamp, body),
            "X-Oneservice-Event-Id": event.id,
            "X-Oneservice-Delivery-Attempt": str(attempt),
        }
        try:
            status = self.transport(hook.url, body, headers, self.timeout)
        except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
            return f"{type(exc).__name__}: {exc}"[:500]
        return None if 200 <= status < 300 else f"HTTP {status}"


def _scope(hook: WebhookRow) -> FeedScope | None:
    """What a webhook is sent: every event (a supervisor's), or a hotline system's requests' public
    events as their requester reads them."""
    return None if hook.requests_of is None else FeedScope(public_only=True, requests_of=hook.requests_of)


def _cursor(webhook_id: str) -> str:
    return f"webhook:{webhook_id}"
