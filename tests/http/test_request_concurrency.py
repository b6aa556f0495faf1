"""If-Match and Idempotency-Key on the 12345 request actions (SQLite and PostgreSQL), through the
cases' helpers: a stale version is the cases' 412 problem, a replayed key the first answer with
nothing written twice, a key reused with another body the cases' 422."""

from __future__ import annotations

import datetime as dt

from oneservice import Actor, Role

NOISE = {"kind": "complaint", "channel": "hotline", "category": "noise-nuisance",
         "contact": {"name": "张三", "phone": "13800001234"}, "content": "夜间施工噪音",
         "regions": {"incident_region": "330106"}}


def taken(http):
    made = http.post("/requests", "clerk", NOISE)
    assert made.status_code == 201, made.json
    return made.json["id"], made.headers["ETag"]


def events(service, rid):
    return [e.type for e in service.request_events(rid)]


class TestIfMatch:
    def test_current_version_acts(self, http):
        """The ETag of the last answer names the version the next action expects."""
        rid, tag = taken(http)
        assert tag == '"1"'
        r = http.post(f"/requests/{rid}/dispatch", "clerk", {}, if_match=tag)
        assert r.status_code == 200 and r.headers["ETag"] == '"2"'
        got = http.get(f"/requests/{rid}", "xh-cgj")
        assert http.post(f"/requests/{rid}/acknowledge", "xh-cgj", if_match=got.headers["ETag"]).status_code == 200

    def test_stale_version_is_the_cases_412(self, http, service):
        """Someone acted meanwhile: 412 OS703 with the current ETag, as for a case; nothing changes."""
        rid, tag = taken(http)
        http.post(f"/requests/{rid}/dispatch", "clerk", {})
        r = http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "不属本区"}, if_match=tag)
        assert r.status_code == 412 and r.mimetype == "application/problem+json"
        assert (r.json["code"], r.json["title"], r.json["request_id"], r.json["current_version"]) == (
            "OS703", "Precondition failed", rid, 2)
        assert r.headers["ETag"] == '"2"'
        assert f"request {rid} is at version 2, not 1; read it again and retry" in r.json["detail"]
        assert events(service, rid) == ["RequestReceived", "RequestDispatched"]

    def test_forms_of_the_header(self, http):
        """``*`` matches, a list matches any, weak tags never, garbage is the cases' 400."""
        rid, _ = taken(http)
        assert http.post(f"/requests/{rid}/dispatch", "clerk", {}, if_match="*").status_code == 200
        r = http.post(f"/requests/{rid}/acknowledge", "xh-cgj", if_match='W/"2"')
        assert r.status_code == 412
        r = http.post(f"/requests/{rid}/acknowledge", "xh-cgj", if_match="version two")
        assert r.status_code == 400 and (r.json["code"], r.json["field"]) == ("OS620", "If-Match")
        assert http.post(f"/requests/{rid}/acknowledge", "xh-cgj", if_match='"9", "2"').status_code == 200

    def test_outside_the_scope_is_still_404(self, http):
        """The scope answers first: If-Match tells nothing about a request the caller may not see."""
        rid, _ = taken(http)
        http.post(f"/requests/{rid}/dispatch", "clerk", {})
        r = http.post(f"/requests/{rid}/acknowledge", "sc-cgj", if_match='"7"')
        assert r.status_code == 404 and r.json["code"] == "OS760"

    def test_a_new_request_has_no_version(self, http):
        r = http.post("/requests", "clerk", NOISE, if_match='"1"')
        assert r.status_code == 400 and (r.json["code"], r.json["field"]) == ("OS620", "If-Match")


class TestIdempotencyKey:
    def test_a_repeat_returns_the_first_answer(self, http, service, clock):
        """The same key and body: the first answer again (its version, state and colour), one event."""
        rid, _ = taken(http)
        http.post(f"/requests/{rid}/dispatch", "clerk", {})
        first = http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "已责令停工"}, idempotency_key="a-1")
        clock.set(clock.now() + dt.timedelta(days=20))  # the colour would differ now
        again = http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "已责令停工"}, idempotency_key="a-1")
        assert first.status_code == again.status_code == 200
        assert again.json == first.json and again.headers["ETag"] == first.headers["ETag"] == '"3"'
        assert events(service, rid).count("RequestAnswered") == 1

    def test_a_repeat_after_the_request_moved_on(self, http, service):
        """The callback that reopened the request, sent again after the new answer: its first answer
        (dispatched, reopened once), and no second reopen."""
        rid, _ = taken(http)
        http.post(f"/requests/{rid}/dispatch", "clerk", {})
        http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "已处理"})
        body = {"resolved": False, "satisfaction": "dissatisfied"}
        first = http.post(f"/requests/{rid}/call-back", "clerk", body, idempotency_key="cb-1")
        assert (first.json["state"], first.json["reopens"]) == ("dispatched", 1)
        http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "已再次处理"})
        again = http.post(f"/requests/{rid}/call-back", "clerk", body, idempotency_key="cb-1")
        assert again.json == first.json
        assert http.get(f"/requests/{rid}", "clerk").json["state"] == "answered"
        assert events(service, rid).count("RequestReopened") == 1

    def test_take_in_replays(self, http, service):
        """A hotline system sending the same request twice gets the first one (201), one request."""
        http.tokens["hotline"] = http.authority.issue(Actor(Role.SYSTEM, "hotline-12345"), scopes=("hotline",)).token
        first = http.post("/requests", "hotline", NOISE, idempotency_key="call-778")
        again = http.post("/requests", "hotline", NOISE, idempotency_key="call-778")
        assert first.status_code == again.status_code == 201
        assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
        with service.store.transaction(readonly=True) as tx:
            count = tx.connection.exec_driver_sql("SELECT count(*) FROM requests").scalar_one()
        assert count == 1
        other = http.post("/requests", "hotline", {**NOISE, "content": "另一件事"}, idempotency_key="call-778")
        assert other.status_code == 422 and other.json["code"] == "OS704"

    def test_same_key_other_action_is_the_cases_422(self, http, service):
        rid, _ = taken(http)
        http.post(f"/requests/{rid}/dispatch", "clerk", {}, idempotency_key="k-2")
        r = http.post(f"/requests/{rid}/escalate", "clerk", {"note": "x"}, idempotency_key="k-2")
        assert r.status_code == 422 and r.json["code"] == "OS704"
        assert events(service, rid) == ["RequestReceived", "RequestDispatched"]

    def test_keys_are_scoped_to_the_caller(self, http, service):
        """Another caller's same key acts afresh (here: refused by the rules, not replayed)."""
        rid, _ = taken(http)
        first = http.post(f"/requests/{rid}/dispatch", "clerk", {}, idempotency_key="k-3")
        assert first.status_code == 200
        r = http.post(f"/requests/{rid}/dispatch", "supervisor", {}, idempotency_key="k-3")
        assert r.status_code == 409 and r.json["code"] == "OS761"  # dispatched already: not the clerk's answer

    def test_a_refused_action_keeps_no_key(self, http, service):
        """A refusal is not recorded: the same key, once the request allows it, acts."""
        rid, _ = taken(http)
        r = http.post(f"/requests/{rid}/acknowledge", "xh-cgj", idempotency_key="k-4")
        assert r.status_code == 409
        http.post(f"/requests/{rid}/dispatch", "clerk", {})
        assert http.post(f"/requests/{rid}/acknowledge", "xh-cgj", idempotency_key="k-4").status_code == 200
        assert events(service, rid) == ["RequestReceived", "RequestDispatched", "RequestAcknowledged"]
