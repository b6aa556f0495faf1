"""Two `oneservice worker` processes on one PostgreSQL database deliver every event to a local
webhook receiver and to a RabbitMQ queue of the test's own, while one of them is SIGKILLed and
started again: after de-duplication by event id each event arrived exactly once, positions have
no gap. (PostgreSQL only; the broker half is skipped when no broker answers.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_webhooks import Receiver

from oneservice import Actor, Applicant, OneService, Role, Store
from oneservice.samples import sample_resident_id
from oneservice.service.webhooks import Webhooks

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
BROKER = os.environ.get("ONESERVICE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


class Watched(Receiver):
    """A receiver that signals when it has seen every id of ``expect``."""

    def __init__(self) -> None:
        super().__init__()
        self.expect: set[str] = set()
        self.seen = threading.Event()
        self.lock = threading.Lock()

    def after_post(self) -> None:
        with self.lock:
            if self.expect and self.expect <= set(self.ids("/ok")):
                self.seen.set()


def _url(store: Store) -> str:
    base = os.environ["ONESERVICE_TEST_DATABASE_URL"]
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{store.schema}"


def _worker(url: str, exchange: str | None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "oneservice.cli", "worker", "--db", url, "--workflows", str(ROOT / "workflows"),
            "--interval", "0.2"]
    if exchange:
        args += ["--broker", BROKER, "--exchange", exchange]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def queue() -> Iterator[object | None]:
    try:
        from test_broker import Queue

        q = Queue()
    except Exception:  # no pika or no broker: the webhook half still runs
        yield None
        return
    yield q
    q.delete()


def test_two_workers_one_killed_every_event_once(service: OneService, queue, request) -> None:
    """Every event reaches the webhook (and the broker) at least once, once after de-duplication."""
    pg = service.store
    if pg.dialect != "postgresql":
        pytest.skip("several worker processes share a PostgreSQL database")
    receiver = Watched()
    request.addfinalizer(receiver.server.shutdown)
    Webhooks(service).register(f"{receiver.url}/ok", by=SUPERVISOR)
    exchange = getattr(queue, "exchange", None)
    url = _url(pg)
    workers = [_worker(url, exchange), _worker(url, exchange)]
    try:
        for _ in range(10):
            service.open_case(ME, "start-a-business", PERSON, channel="online", location="hz-citizen-centre")
        first = {e.id for e in service.feed.events_after(0)}
        receiver.expect = first
        _wait(receiver)
        workers[0].send_signal(signal.SIGKILL)  # mid-run: the other goes on, a new one joins
        workers[0].wait()
        workers[0] = _worker(url, exchange)
        for _ in range(10):
            service.open_case(ME, "start-a-business", PERSON, channel="online", location="hz-citizen-centre")
        feed = service.feed.events_after(0)
        receiver.expect = {e.id for e in feed}
        _wait(receiver)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=30)
    assert [e.position for e in feed] == list(range(1, len(feed) + 1))
    assert set(receiver.ids("/ok")) == {e.id for e in feed} and len(feed) == 20
    if queue is not None:
        got: list[str] = []
        for _ in range(20):
            if len(set(got)) >= len(feed):
                break
            batch = [p.message_id for _, p, _ in queue.drain()]  # type: ignore[attr-defined]
            got += batch
            if not batch:
                _relay_once(url, exchange)
        assert set(got) == {e.id for e in feed}


def _wait(receiver: Watched) -> None:
    """Until the receiver has every expected id (the bound is a failure, not a timing assertion)."""
    receiver.after_post()  # they may all have come already
    if not receiver.seen.wait(120):
        pytest.fail(f"webhook got {len(set(receiver.ids('/ok')))} of {len(receiver.expect)} events")
    receiver.seen.clear()


def _relay_once(url: str, exchange: str | None) -> None:
    subprocess.run([sys.executable, "-m", "oneservice.cli", "worker", "--once", "--db", url, "--workflows",
                    str(ROOT / "workflows"), "--broker", BROKER, "--exchange", str(exchange)],
                   check=True, capture_output=True)


