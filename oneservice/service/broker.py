"""The broker relay: the outbox published to RabbitMQ (AMQP 0-9-1, pika), at least once.

::

    relay = BrokerRelay(service, "amqp://guest:guest@127.0.0.1:5672/%2F")
    relay.tick()       # publishes the events after the relay's cursor; returns how many

Each event (the JSON of docs/events.md) goes to a durable **topic** exchange (default
``oneservice.events``) with the routing key ``kind.matter.department`` (``-`` for an event of
the whole case, e.g. ``CaseAccepted.start-a-business.-``), as a persistent message
(``delivery_mode=2``) whose ``message_id`` is the event id (``case_id/seq``) — what a consumer
de-duplicates by — and whose headers carry the position and the schema.

The channel is in **publisher-confirm** mode: a publish returns once the broker has taken the
message (for a durable queue: written it), and the relay moves its cursor only past confirmed
messages. The cursor row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) for the batch, so
several relays never publish the same positions concurrently. A lost connection ends the batch
at the last confirmed message; the next tick connects again and goes on from there, so no event
is lost (one may be published twice: at least once).

pika is an optional dependency (``pip install 'oneservice-gov[broker]'``); without a broker URL
the worker runs the webhooks and the feed only, and says so.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..store.outbox import EVENT_SCHEMA, cursor, ensure_cursor, events_after, move_cursor
from .facade import OneService

__all__ = ["DEFAULT_EXCHANGE", "BrokerRelay"]

DEFAULT_EXCHANGE = "oneservice.events"

log = logging.getLogger("oneservice.broker")


class BrokerRelay:
    """Publishes ``service``'s feed to the broker at ``url``."""

    def __init__(self, service: OneService, url: str, *, exchange: str = DEFAULT_EXCHANGE,
                 batch: int = 500) -> None:
        self.service = service
        self.url = url
        self.exchange = exchange
        self.batch = batch
        self.cursor_name = f"broker:{exchange}"
        self._connection: Any = None
        self._channel: Any = None

    def _open(self) -> Any:
        import pika  # type: ignore[import-untyped,import-not-found,unused-ignore]

        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        params = pika.URLParameters(self.url)
        params.connection_attempts = 1
        params.socket_timeout = 5
        self._connection = pika.BlockingConnection(params)
        channel = self._connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def close(self) -> None:
        """Close the connection (the next tick opens a new one)."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # already gone
                log.debug("closing the broker connection failed", exc_info=True)

    def tick(self) -> int:
        """Publish the events after the cursor, confirmed one by one; returns how many."""
        import pika  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from pika import exceptions as amqp  # type: ignore[import-untyped,import-not-found,unused-ignore]

        store = self.service.store
        with store.transaction() as tx:
            ensure_cursor(tx.connection, self.cursor_name, 0, self.service.clock.now())
        published = 0
        with store.transaction() as tx:
            conn = tx.connection
            at = cursor(conn, self.cursor_name, lock=True)
            if at is None:  # another relay holds the cursor
                return 0
            page = events_after(conn, at, limit=self.batch)
            if not page:
                return 0
            last = at
            try:
                channel = self._open()
                for event in page:
                    body = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
                    channel.basic_publish(
                        self.exchange, event.routing_key, body,
                        pika.BasicProperties(
                            content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent,
                            message_id=event.id, type=event.type,
                            headers={"position": event.position, "schema": EVENT_SCHEMA},
                        ),
                    )
                    last = event.position
                    published += 1
            except (amqp.AMQPError, OSError) as exc:  # lost, refused or nacked: resume after `last`
                log.warning("broker publish stopped", extra={"fields": {"error": repr(exc), "after": last}})
                self.close()
            if last > at:
                move_cursor(conn, self.cursor_name, last, self.service.clock.now())
        return published
