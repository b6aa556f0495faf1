"""Answers pushed to the hotline (SQLite and PostgreSQL): a hotline system registers its own
webhook over HTTP and a local HTTP receiver is sent, signed, the public events of the requests
that system took in — received, dispatched, answered, reopened, closed — and nothing else: no
case's event, no other system's request, no internal step (a return's reason, an escalation)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from oneservice import Actor, Role
from oneservice.engine.clock import TZ
from oneservice.service.webhooks import Webhooks, sign

NOISE = {"kind": "complaint", "category": "noise-nuisance", "contact": {"name": "张三", "phone": "13800001234"},
         "content": "夜间施工噪音", "regions": {"incident_region": "330106"}}


class Receiver:
    """A local HTTP server answering 200 to every POST and keeping what it got."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/12345"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.got]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hotlines(http):
    for name, who in (("hotline", "hotline-12345"), ("other-hotline", "hotline-b")):
        http.tokens[name] = http.authority.issue(Actor(Role.SYSTEM, who), scopes=("hotline",)).token
    return http


def test_the_hotline_is_pushed_its_requests_public_events(hotlines, service, clock, receiver):
    http = hotlines
    clock.set(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    made = http.post("/webhooks", "hotline", {"url": receiver.url})
    assert made.status_code == 201, made.json
    hook, secret = made.json, made.json["secret"]
    assert hook["requests_of"] == "system:hotline-12345"
    rid = http.post("/requests", "hotline", NOISE).json["id"]
    other = http.post("/requests", "other-hotline", NOISE).json["id"]
    http.open_business()  # a case's events: never the hotline's
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "事发地在上城区"})
    http.post(f"/requests/{rid}/dispatch", "clerk", {"department": "sc-cgj"})
    clock.set(dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ))
    http.post(f"/requests/{rid}/escalate", "supervisor", {"note": "已超答复时限"})  # internal: not pushed
    http.post(f"/requests/{rid}/answer", "sc-cgj", {"result": "已责令停工"})
    http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": False, "satisfaction": "dissatisfied"})
    clock.set(dt.datetime(2026, 11, 11, 10, 0, tzinfo=TZ))
    http.post(f"/requests/{rid}/answer", "sc-cgj", {"result": "已查处并罚款"})
    http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": True, "satisfaction": "satisfied"})
    done = Webhooks(service).tick()
    got = receiver.events()
    assert done.delivered == len(got) > 0
    assert {e["request_id"] for e in got} == {rid} and other not in json.dumps(got)
    assert [e["type"] for e in got] == [
        "RequestReceived", "RequestDispatched", "RequestReturned", "RequestDispatched", "RequestAcknowledged",
        "RequestAnswered", "RequestCalledBack", "RequestReopened", "RequestAcknowledged", "RequestAnswered",
        "RequestCalledBack", "RequestClosed"]
    assert "事发地在上城区" not in json.dumps(got, ensure_ascii=False)  # the return's reason is internal
    assert "已超答复时限" not in json.dumps(got, ensure_ascii=False)
    assert got[2]["data"] == {"note": "退回12345平台重新派单 / returned to the 12345 platform to be re-dispatched"}
    assert got[5]["data"]["result"] == "已责令停工" and got[7]["department"] == "sc-cgj"
    assert got[7]["data"]["reopens"] == 1 and got[-1]["data"]["resolved"] is True
    headers, body = receiver.got[-1]
    stamp = int(headers["X-Oneservice-Signature"].split(",")[0][2:])
    assert headers["X-Oneservice-Signature"] == sign(secret, stamp, body)
    assert headers["X-Oneservice-Event-Id"] == f"{rid}/{got[-1]['seq']}"
    assert Webhooks(service).tick().delivered == 0  # each once


def test_a_hotline_manages_only_its_own_webhooks(hotlines, receiver):
    http = hotlines
    mine = http.post("/webhooks", "hotline", {"url": receiver.url, "kinds": ["RequestAnswered"]}).json
    theirs = http.post("/webhooks", "other-hotline", {"url": receiver.url}).json
    bad = http.post("/webhooks", "hotline", {"url": receiver.url, "kinds": ["CaseAccepted"]})
    assert bad.status_code == 422 and (bad.json["code"], bad.json["field"]) == ("OS722", "kinds")
    assert [h["id"] for h in http.get("/webhooks", "hotline").json["items"]] == [mine["id"]]
    assert {h["id"] for h in http.get("/webhooks", "supervisor").json["items"]} == {mine["id"], theirs["id"]}
    assert http.get(f"/webhooks/{theirs['id']}/deliveries", "hotline").json["code"] == "OS723"
    gone = http.client.delete(f"/webhooks/{theirs['id']}", headers=http.headers("hotline"))
    assert gone.status_code == 404
    assert http.client.delete(f"/webhooks/{mine['id']}", headers=http.headers("hotline")).status_code == 204
    fee = http.authority.issue(Actor(Role.SYSTEM, "unified-payment"), scopes=("fee",)).token
    assert http.client.get("/webhooks", headers={"Authorization": f"Bearer {fee}"}).status_code == 403


def test_only_the_kinds_asked_for(hotlines, service, clock, receiver):
    http = hotlines
    http.post("/webhooks", "hotline", {"url": receiver.url, "kinds": ["RequestAnswered", "RequestClosed"]})
    rid = http.post("/requests", "hotline", NOISE).json["id"]
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "已处理"})
    http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": True, "satisfaction": "satisfied"})
    Webhooks(service).tick()
    assert [e["type"] for e in receiver.events()] == ["RequestAnswered", "RequestClosed"]
