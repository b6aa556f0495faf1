"""Webhooks against a local HTTP receiver: signed, retried with backoff from the clock, dead after
the last try, never blocking the other targets; the worker's job sends them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from oneservice import Actor, Applicant, OneService, Role, SimulatedClock
from oneservice.errors import WebhookInvalid
from oneservice.jobs import standard_worker
from oneservice.samples import sample_resident_id
from oneservice.service.webhooks import Webhooks, backoff, sign

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
SECRET = "s" * 16 + "0123456789abcdef"


class Receiver:
    """A local HTTP server: ``/ok`` answers 200, ``/fail`` 500, ``/close`` drops the connection,
    ``/flaky`` answers 503 once per event, then 200."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        self.tries: dict[tuple[str, str], int] = {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((self.path, dict(self.headers), body))
                key = (self.path, self.headers["X-Oneservice-Event-Id"])
                receiver.tries[key] = receiver.tries.get(key, 0) + 1
                if self.path == "/close":
                    self.close_connection = True
                    return  # no answer at all
                status = {"/ok": 200, "/fail": 500}.get(self.path, 503 if receiver.tries[key] == 1 else 200)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.after_post()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def after_post(self) -> None:
        """Called after each answered POST (a subclass watches for what it waits for)."""

    def ids(self, path: str) -> list[str]:
        return [h["X-Oneservice-Event-Id"] for p, h, _ in self.got if p == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def open_cases(service: OneService, n: int) -> None:
    for _ in range(n):
        service.open_case(ME, "start-a-business", PERSON, channel="online", location="hz-citizen-centre")


class TestDelivery:
    def test_signed_delivery_exactly_the_new_events(self, service: OneService, receiver: Receiver) -> None:
        """Events after the registration reach the target, once each, signed with the secret."""
        open_cases(service, 1)  # before the webhook: not sent
        hooks = Webhooks(service)
        hook, secret = hooks.register(f"{receiver.url}/ok", by=SUPERVISOR, secret=SECRET)
        assert secret == SECRET
        open_cases(service, 2)
        result = hooks.tick()
        assert (result.queued, result.delivered) == (2, 2)
        assert hooks.tick().delivered == 0  # nothing twice
        feed = service.feed.events_after(1)
        assert receiver.ids("/ok") == [e.id for e in feed]
        _, headers, body = receiver.got[0]
        stamp = int(service.clock.now().timestamp())
        assert headers["X-Oneservice-Signature"] == sign(SECRET, stamp, body)
        mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        assert headers["X-Oneservice-Signature"] == f"t={stamp},v1={mac}"
        assert json.loads(body)["schema"] == "oneservice.event/1"
        assert [d.state for d in hooks.deliveries(hook.id)] == ["delivered", "delivered"]

    def test_kinds_filter(self, service: OneService, receiver: Receiver) -> None:
        """A webhook for some kinds gets only those."""
        hooks = Webhooks(service)
        hooks.register(f"{receiver.url}/ok", by=SUPERVISOR, kinds=["CaseSubmitted"])
        open_cases(service, 2)
        assert hooks.tick().queued == 0 and receiver.got == []

    def test_retry_with_backoff_then_delivered(
        self, service: OneService, clock: SimulatedClock, receiver: Receiver
    ) -> None:
        """A 503 is retried once the backoff (from the clock) has passed, not before."""
        hooks = Webhooks(service, rng=random.Random(7))
        hook, _ = hooks.register(f"{receiver.url}/flaky", by=SUPERVISOR)
        open_cases(service, 1)
        assert hooks.tick().failed == 1
        [pending] = hooks.deliveries(hook.id)
        wait = pending.next_at - clock.now()
        assert wait == backoff(1, random.Random(7))
        assert dt.timedelta(seconds=5) <= wait < dt.timedelta(seconds=10)
        assert pending.last_error == "HTTP 503"
        assert hooks.tick().delivered == 0  # not due yet
        clock.advance(wait)
        assert hooks.tick().delivered == 1
        assert [d.attempts for d in hooks.deliveries(hook.id)] == [2]

    def test_dead_after_the_last_try_without_blocking_others(
        self, service: OneService, clock: SimulatedClock, receiver: Receiver
    ) -> None:
        """A target answering 500 and one closing the connection are dead after 3 tries; the
        good target got every event at the first tick."""
        hooks = Webhooks(service, max_attempts=3)
        bad, _ = hooks.register(f"{receiver.url}/fail", by=SUPERVISOR)
        gone, _ = hooks.register(f"{receiver.url}/close", by=SUPERVISOR)
        hooks.register(f"{receiver.url}/ok", by=SUPERVISOR)
        open_cases(service, 2)
        hooks.tick()
        assert len(receiver.ids("/ok")) == 2
        for _ in range(3):
            clock.advance(dt.timedelta(hours=1))
            hooks.tick()
        assert [(d.state, d.attempts) for d in hooks.deliveries(bad.id)] == [("dead", 3)] * 2
        dead = hooks.deliveries(gone.id, states=["dead"])
        assert len(dead) == 2 and all((d.last_error or "").startswith("RemoteDisconnected") for d in dead)
        assert len(receiver.ids("/fail")) == 6 and len(receiver.ids("/ok")) == 2

    def test_the_worker_sends_them(self, service: OneService, receiver: Receiver) -> None:
        """The standard worker has a webhooks job."""
        Webhooks(service).register(f"{receiver.url}/ok", by=SUPERVISOR)
        open_cases(service, 1)
        ran = {r.name: r.result for r in standard_worker(service).tick()}
        assert ran["webhooks"].delivered == 1
        assert len(receiver.ids("/ok")) == 1


class TestRegistration:
    @pytest.mark.parametrize(("url", "secret", "kinds", "field"), [
        ("ftp://x", None, (), "url"),
        ("http://a b", None, (), "url"),
        ("https://x", "short", (), "secret"),
        ("https://x", None, ("not a kind",), "kinds"),
    ])
    def test_bad_registration(self, service: OneService, url: str, secret: str | None,
                              kinds: tuple[str, ...], field: str) -> None:
        """A wrong URL, a short secret or a malformed kind is OS722 naming the field."""
        with pytest.raises(WebhookInvalid) as caught:
            Webhooks(service).register(url, by=SUPERVISOR, secret=secret, kinds=kinds)
        assert caught.value.code == "OS722" and caught.value.field == field

    def test_generated_secret_and_removal(self, service: OneService) -> None:
        """Without a secret one is generated; a removed webhook is gone with its deliveries."""
        hooks = Webhooks(service)
        hook, secret = hooks.register("https://dept.example/hook", by=SUPERVISOR)
        assert len(secret) == 64 and "secret" not in hook.to_json()
        assert [h.id for h in hooks.registered()] == [hook.id]
        assert hooks.remove(hook.id) and hooks.registered() == [] and not hooks.remove(hook.id)


class TestConcurrentRelays:
    def test_two_relays_at_once_send_each_event_once(self, service: OneService, receiver: Receiver) -> None:
        """Relays ticking at the same moment never queue or send an event twice."""
        Webhooks(service).register(f"{receiver.url}/ok", by=SUPERVISOR)
        open_cases(service, 6)
        relays = [Webhooks(service, batch=2) for _ in range(3)]
        barrier = threading.Barrier(len(relays))
        errors: list[BaseException] = []

        def tick(relay: Webhooks) -> None:
            barrier.wait()
            try:
                relay.tick()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=tick, args=(r,)) for r in relays]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        relays[0].tick()  # whatever a relay skipped because another held it
        ids = receiver.ids("/ok")
        assert sorted(ids) == sorted(e.id for e in service.feed.events_after(0)) and len(ids) == 6
