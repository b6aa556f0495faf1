"""The city topology of docs/deployment.md, as real processes on one PostgreSQL database: two
``oneservice serve`` (one of them ``--workers 2``, gunicorn; the other one waitress process) and
two ``oneservice worker`` publishing to a RabbitMQ exchange of the test's own, all configured by
environment variables only. Complete cases are driven over HTTP through both servers while one
worker is SIGKILLed and a new one started; then every outbox position has reached the broker's
consumer and a local webhook receiver — exactly once after de-duplication by event id, gapless.

Runs only when ``ONESERVICE_TEST_DATABASE_URL`` is PostgreSQL and a broker answers
(``ONESERVICE_TEST_BROKER_URL``, default the machine's 127.0.0.1:5672 guest/guest).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_webhooks import Receiver

from oneservice import Actor, Role, Store, load_catalogue
from oneservice.http import TokenAuthority
from oneservice.http.ledger import DatabaseLedger
from oneservice.samples import sample_form, sample_resident_id
from oneservice.service.webhooks import sign
from oneservice.store.outbox import events_after

pika = pytest.importorskip("pika")

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("ONESERVICE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
PERSON_ID = sample_resident_id(1)
PERSON = {"kind": "person", "id_number": PERSON_ID, "name": "张三", "phone": "13800138000"}
CASES = 10
KILL_AFTER = 4  # cases driven before a worker is SIGKILLed
DEADLINE = 60.0  # seconds: a bound that fails the test, never a timing assertion


def _call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class City:
    """The processes of the test, started with the same environment, stopped at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen[str]] = []

    def _start(self, name: str, *args: str) -> subprocess.Popen[str]:
        log = (self.logs / f"{name}-{len(self.processes)}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "oneservice.cli", *args], env=self.env, cwd=self.logs,
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        self.processes.append(process)
        return process

    def serve(self, *args: str) -> tuple[subprocess.Popen[str], str]:
        process = self._start("serve", "serve", "--port", "0", "--no-worker", *args)
        assert process.stdout is not None
        url = process.stdout.readline().strip()  # the base URL once it listens ('' if it died)
        assert url.startswith("http://127.0.0.1:"), self.log_text()
        return process, url

    def worker(self) -> subprocess.Popen[str]:
        return self._start("worker", "worker")

    def log_text(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> list[int]:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in self.processes:
            try:
                codes.append(process.wait(timeout=30))
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung process fails the test
                process.kill()
                codes.append(process.wait())
        return codes


class Consumer:
    """The broker's side: an exchange and a queue of the test's own (unique names), deleted after."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.exchange = f"oneservice.test.city.{suffix}"
        self.queue = f"{self.exchange}.all"
        self.connection = pika.BlockingConnection(pika.URLParameters(BROKER))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        self.channel.queue_declare(self.queue, durable=True)
        self.channel.queue_bind(self.queue, self.exchange, routing_key="#")
        self.got: list[tuple[str, int, bytes]] = []  # (message id, position header, body)
        self.tag = self.channel.basic_consume(self.queue, self._on_message, auto_ack=True)

    def _on_message(self, _channel: Any, _method: Any, properties: Any, body: bytes) -> None:
        self.got.append((properties.message_id, properties.headers["position"], body))

    def wait_for(self, ids: set[str], deadline: float) -> None:
        """Consume until every id of ``ids`` came (the broker pushes; no sleeping)."""
        while not ids <= {m for m, _, _ in self.got}:
            if time.monotonic() > deadline:
                pytest.fail(f"the broker delivered {len({m for m, _, _ in self.got})} of {len(ids)} events")
            self.connection.process_data_events(time_limit=0.5)

    def delete(self) -> None:
        self.channel.basic_cancel(self.tag)
        self.channel.queue_delete(self.queue)
        self.channel.exchange_delete(self.exchange)
        self.connection.close()


class Watched(Receiver):
    """The webhook receiver: signals once it has seen every id of ``expect``."""

    def __init__(self) -> None:
        self.expect: set[str] = set()
        self.complete = threading.Event()
        super().__init__()

    def after_post(self) -> None:
        if self.expect and self.expect <= set(self.ids("/ok")):
            self.complete.set()


@pytest.fixture
def database() -> Iterator[tuple[Store, str]]:
    """A fresh PostgreSQL schema of its own, migrated, and the URL that puts processes in it."""
    base = os.environ.get("ONESERVICE_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("the city topology runs on PostgreSQL (ONESERVICE_TEST_DATABASE_URL)")
    store = Store(base, schema=f"oneservice_city_{uuid.uuid4().hex[:12]}")
    store.migrate()
    joiner = "&" if "?" in base else "?"
    try:
        yield store, f"{base}{joiner}options=-csearch_path%3D{store.schema}"
    finally:
        store.drop_schema()
        store.dispose()


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    try:
        c = Consumer()
    except (pika.exceptions.AMQPError, OSError) as exc:
        pytest.skip(f"no broker at {BROKER}: {exc!r}")
    yield c
    c.delete()


def _drive(bases: list[str], n: int, tokens: dict[str, str], plan: Any) -> str:
    """Case ``n`` from opening to conclusion, each request through the next server in turn."""
    step = iter(range(n, n + 1000))

    def call(method: str, path: str, who: str, body: Any = None) -> Any:
        status, answer = _call(bases[next(step) % len(bases)], method, path, tokens[who], body)
        assert status in (200, 201), (method, path, status, answer)
        return answer

    case = call("POST", "/cases", "me", {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                         "location": LOCATION})
    case_id = case["id"]
    materials = [line.material.id for line in plan.materials if line.required]
    call("POST", f"/cases/{case_id}/submit", "me",
         {"form": sample_form(plan), "materials": materials, "channel": "online"})
    call("POST", f"/cases/{case_id}/accept", "clerk")
    for item in plan.items:
        call("POST", f"/cases/{case_id}/items/{item.code}/start-review", item.department)
        call("POST", f"/cases/{case_id}/items/{item.code}/approve", item.department, {})
    call("POST", f"/cases/{case_id}/deliver", "clerk",
         {"channel": "electronic", "results": {"seal-filing": {"channel": "mail", "tracking": f"EMS {n}"}}})
    assert call("POST", f"/cases/{case_id}/conclude", "clerk")["state"] == "closed"
    return case_id


def _once(deliveries: list[tuple[str, int, bytes]]) -> dict[str, int]:
    """Event id → position, after de-duplication; a repeated id always carries the same event."""
    first: dict[str, tuple[int, bytes]] = {}
    for event_id, position, body in deliveries:
        assert first.setdefault(event_id, (position, body)) == (position, body), event_id
    return {event_id: position for event_id, (position, _) in first.items()}


def test_city_every_event_once_while_a_worker_is_killed(database, consumer, tmp_path, request) -> None:
    """Two servers, two workers (one SIGKILLed, one new): every position reaches both subscribers."""
    store, url = database
    secret = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONESERVICE_")}
    env.update(ONESERVICE_DATABASE_URL=url, ONESERVICE_WORKFLOWS=str(ROOT / "workflows"),
               ONESERVICE_SECRET=secret, ONESERVICE_BROKER_URL=BROKER,
               ONESERVICE_BROKER_EXCHANGE=consumer.exchange, ONESERVICE_THREADS="4",
               ONESERVICE_WORKER_INTERVAL="0.2",
               ONESERVICE_WORKER_LEASE="5")  # the killed worker's claimed deliveries: sent again soon
    city = City(env, tmp_path)
    request.addfinalizer(city.stop)
    receiver = Watched()
    request.addfinalizer(receiver.server.shutdown)
    catalogue = load_catalogue([ROOT / "workflows"])
    plan = catalogue.plan(BIZ)
    authority = TokenAuthority(secret.encode(), DatabaseLedger(store))
    cast = {"me": Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON_ID),
            "clerk": Actor(Role.CLERK, "clerk-01", location=LOCATION),
            "supervisor": Actor(Role.SUPERVISOR, "sup-01")}
    cast.update({item.department: Actor(Role.REVIEWER, f"rev-{item.department}", department=item.department)
                 for item in plan.items})
    tokens = {who: authority.issue(actor).token for who, actor in cast.items()}

    _gunicorn, first = city.serve("--workers", "2")
    _waitress, second = city.serve()
    status, hook = _call(first, "POST", "/webhooks", tokens["supervisor"], {"url": f"{receiver.url}/ok"})
    assert status == 201, hook
    workers = [city.worker(), city.worker()]

    case_ids = [_drive([first, second], n, tokens, plan) for n in range(KILL_AFTER)]
    workers[0].send_signal(signal.SIGKILL)  # mid-run: the other goes on, a new one joins
    workers[0].wait()
    workers.append(city.worker())
    case_ids += [_drive([second, first], n, tokens, plan) for n in range(KILL_AFTER, CASES)]

    with store.engine.connect() as conn:
        feed = events_after(conn, 0, limit=100_000)
    assert [e.position for e in feed] == list(range(1, len(feed) + 1))  # gapless in the store
    assert {e.id.split("/")[0] for e in feed} == set(case_ids)
    ids = {e.id for e in feed}
    receiver.expect = ids
    receiver.after_post()  # they may all have come already
    deadline = time.monotonic() + DEADLINE
    consumer.wait_for(ids, deadline)
    if not receiver.complete.wait(max(0.0, deadline - time.monotonic())):
        pytest.fail(f"the webhook got {len(set(receiver.ids('/ok')))} of {len(ids)} events\n{city.log_text()}")

    positions = {e.id: e.position for e in feed}
    assert _once(consumer.got) == positions  # exactly once after de-duplication, every position
    hooked = [(h["X-Oneservice-Event-Id"], json.loads(b)["position"], b) for p, h, b in receiver.got if p == "/ok"]
    assert _once(hooked) == positions
    for path, headers, body in receiver.got:  # every delivery signed with the webhook's secret
        stamp = headers["X-Oneservice-Signature"].split(",")[0].removeprefix("t=")
        assert headers["X-Oneservice-Signature"] == sign(hook["secret"], int(stamp), body), path
    assert sorted(positions.values()) == list(range(1, len(feed) + 1))

    codes = city.stop()
    assert codes[0] == 0 and codes[1] == 0, city.log_text()  # both servers stop cleanly on SIGTERM
    assert workers[0].returncode == -signal.SIGKILL


def _log_lines(path: Path, event: str, count: int, deadline: float) -> list[dict[str, Any]]:
    """The first ``count`` JSON log lines of ``event`` in ``path``, polled until ``deadline``."""
    pause = threading.Event()
    while True:
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
        found = [line for line in lines if line.get("event") == event]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{count} × {event!r} not logged:\n{path.read_text()[-3000:]}")
        pause.wait(0.1)


def test_workers_run_the_timers_in_one_process_and_another_takes_over(database, tmp_path, request) -> None:
    """serve --workers 2 without --no-worker: one process holds the timers; SIGKILLed, another
    process takes them over and claims the jobs."""
    store, url = database
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONESERVICE_")}
    env.update(ONESERVICE_DATABASE_URL=url, ONESERVICE_WORKFLOWS=str(ROOT / "workflows"),
               ONESERVICE_SECRET=secrets.token_hex(32), ONESERVICE_WORKERS="2", ONESERVICE_THREADS="2")
    city = City(env, tmp_path)
    request.addfinalizer(city.stop)
    process = city._start("serve", "serve", "--port", "0")
    assert process.stdout is not None
    assert process.stdout.readline().startswith("http://127.0.0.1:"), city.log_text()
    log = tmp_path / "serve-0.log"
    deadline = time.monotonic() + DEADLINE
    first = _log_lines(log, "this process runs the timers", 1, deadline)[0]
    os.kill(first["pid"], signal.SIGKILL)  # gunicorn starts a new process; the timers move
    second = _log_lines(log, "this process runs the timers", 2, deadline)[1]
    assert second["pid"] != first["pid"]
    from oneservice.store.tables import worker_jobs

    while True:  # the new holder claims the jobs (the webhooks job every second)
        with store.engine.connect() as conn:
            claimers = {row.claimed_by for row in conn.execute(worker_jobs.select())}
        if second["worker"] in claimers:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"{second['worker']} claimed no job: {claimers}")
        threading.Event().wait(0.2)
    assert city.stop() == [0]
    assert len(_log_lines(log, "this process runs the timers", 2, deadline)) == 2  # never a third
