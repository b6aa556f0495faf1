"""The broker relay against the RabbitMQ of this machine (127.0.0.1:5672, guest/guest): an
exchange and a queue of the test's own (unique names, deleted after), publisher confirms,
persistent messages, routing keys kind.matter.department; a lost connection loses no event.

Skipped when pika is not installed or no broker answers (``ONESERVICE_TEST_BROKER_URL``).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from oneservice import Actor, Applicant, OneService, Role
from oneservice.samples import sample_resident_id
from oneservice.service.broker import BrokerRelay

pika = pytest.importorskip("pika")

URL = os.environ.get("ONESERVICE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)


class Queue:
    """An exchange and a queue bound to every key, with names of their own."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.exchange = f"oneservice.test.{suffix}"
        self.queue = f"oneservice.test.{suffix}.all"
        self.connection = pika.BlockingConnection(pika.URLParameters(URL))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        self.channel.queue_declare(self.queue, durable=True)
        self.channel.queue_bind(self.queue, self.exchange, routing_key="#")

    def drain(self) -> list[tuple[str, Any, dict[str, Any]]]:
        got = []
        while True:
            method, properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return got
            got.append((method.routing_key, properties, json.loads(body)))

    def delete(self) -> None:
        self.channel.queue_delete(self.queue)
        self.channel.exchange_delete(self.exchange)
        self.connection.close()


@pytest.fixture
def queue() -> Iterator[Queue]:
    try:
        q = Queue()
    except pika.exceptions.AMQPError as exc:
        pytest.skip(f"no broker at {URL}: {exc!r}")
    yield q
    q.delete()


def open_cases(service: OneService, n: int) -> None:
    for _ in range(n):
        service.open_case(ME, "start-a-business", PERSON, channel="online", location="hz-citizen-centre")


class TestBrokerRelay:
    def test_publishes_every_event_once_persistent_by_routing_key(
        self, service: OneService, queue: Queue
    ) -> None:
        """Each event is one persistent message, routed kind.matter.department, id = event id."""
        open_cases(service, 3)
        relay = BrokerRelay(service, URL, exchange=queue.exchange)
        try:
            assert relay.tick() == 3
            assert relay.tick() == 0  # the cursor moved past the confirmed messages
        finally:
            relay.close()
        got = queue.drain()
        feed = service.feed.events_after(0)
        assert [p.message_id for _, p, _ in got] == [e.id for e in feed]
        assert [k for k, _, _ in got] == [e.routing_key for e in feed]
        assert got[0][0] == "CaseOpened.start-a-business.-"
        assert {p.delivery_mode for _, p, _ in got} == {2}
        assert [p.headers["position"] for _, p, _ in got] == [1, 2, 3]
        assert got[0][2]["schema"] == "oneservice.event/1"

    def test_a_lost_connection_loses_no_event(self, service: OneService, queue: Queue) -> None:
        """The relay's connection closed under it: the next ticks reconnect and publish the rest;
        after de-duplication by message id the consumer has every event exactly once."""
        relay = BrokerRelay(service, URL, exchange=queue.exchange, batch=2)
        try:
            open_cases(service, 3)
            assert relay.tick() == 2
            relay._connection.close()  # the broker went away (our own connection only)
            open_cases(service, 2)
            while relay.tick():
                pass
        finally:
            relay.close()
        ids = {p.message_id for _, p, _ in queue.drain()}
        assert ids == {e.id for e in service.feed.events_after(0)} and len(ids) == 5

    def test_no_broker_stops_the_batch_without_moving_the_cursor(self, service: OneService) -> None:
        """A broker that does not answer: nothing is published, nothing is lost (next time)."""
        open_cases(service, 1)
        relay = BrokerRelay(service, "amqp://guest:guest@127.0.0.1:1/%2F", exchange="oneservice.nowhere")
        assert relay.tick() == 0
        again = BrokerRelay(service, URL, exchange="oneservice.nowhere")
        with service.store.transaction(readonly=True) as tx:
            from oneservice.store.outbox import cursor

            assert cursor(tx.connection, again.cursor_name) == 0
