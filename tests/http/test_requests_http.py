"""12345 requests over HTTP (SQLite and PostgreSQL): the loop, problems with the OS76x codes,
the scope of each caller, the requester's progress, a department's list, figures and ranking,
and a hotline system's token that takes requests in and reads them but reaches no case."""

from __future__ import annotations

import datetime as dt

import pytest

from oneservice import Actor, Role
from oneservice.engine.clock import TZ

NOISE = {"kind": "complaint", "channel": "hotline", "category": "noise-nuisance",
         "contact": {"name": "张三", "phone": "13800001234"}, "content": "夜间施工噪音",
         "regions": {"incident_region": "330106"}}


@pytest.fixture
def desk(http):
    """Hotline systems, a case system and a regional supervisor elsewhere, added to the cast."""
    for name, actor, kw in (
        ("hotline", Actor(Role.SYSTEM, "hotline-12345"), {"scopes": ("hotline",)}),
        ("other-hotline", Actor(Role.SYSTEM, "hotline-b"), {"scopes": ("hotline",)}),
        ("fee-system", Actor(Role.SYSTEM, "unified-payment"), {"scopes": ("fee",)}),
        ("sup-nb", Actor(Role.SUPERVISOR, "sup-nb"), {"region": "3302"}),
    ):
        http.tokens[name] = http.authority.issue(actor, **kw).token
    return http


def at(clock, day, hour):
    clock.set(dt.datetime(2026, 11, day, hour, 0, tzinfo=TZ))


def problem(response, status, code):
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code, response.json
    return response.json


def test_the_loop_over_http(desk, clock):
    http = desk
    at(clock, 2, 9)
    made = http.post("/requests", "hotline", NOISE)
    assert made.status_code == 201, made.json
    rid = made.json["id"]
    assert made.headers["Location"] == f"/requests/{rid}" and made.headers["ETag"] == '"1"'
    assert (made.json["state"], made.json["channel"], made.json["competent"]) == ("received", "hotline", "xh-cgj")
    assert made.json["contact"] == {"name": "张三", "phone": "13800001234"}  # the hotline took it in
    assert http.post(f"/requests/{rid}/dispatch", "clerk", {}).json["department"] == "xh-cgj"
    at(clock, 2, 10)
    problem(http.post(f"/requests/{rid}/return", "xh-cgj", {}), 422, "OS762")
    returned = http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "事发地在上城区"})
    assert returned.json["state"] == "returned" and returned.json["returns"] == {"xh-cgj": 1}
    assert returned.json["contact"]["phone"] == "138****1234"  # no longer the department's
    http.post(f"/requests/{rid}/dispatch", "clerk", {"department": "sc-cgj"})
    problem(http.post(f"/requests/{rid}/answer", "xh-cgj", {"result": "x"}), 403, "OS765")
    problem(http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": True, "satisfaction": "satisfied"}),
            409, "OS761")
    assert http.post(f"/requests/{rid}/acknowledge", "sc-cgj").json["state"] == "acknowledged"
    at(clock, 10, 9)
    assert http.get(f"/requests/{rid}", "supervisor").json["colour"] == "red"
    escalated = http.post(f"/requests/{rid}/escalate", "supervisor", {"note": "已超答复时限"})
    assert escalated.json["escalated_at"] is not None
    answered = http.post(f"/requests/{rid}/answer", "sc-cgj", {"result": "已责令停工", "note": "已现场处理"})
    assert answered.json["state"] == "answered" and answered.json["answered_by"] == "sc-cgj"
    back = http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": False, "satisfaction": "dissatisfied",
                                                              "note": "夜间仍有施工"})
    assert (back.json["state"], back.json["department"], back.json["reopens"]) == ("dispatched", "sc-cgj", 1)
    assert back.json["answered_at"] is None and back.json["answer_due"] > answered.json["answered_at"]
    assert back.json["allowed"] == []  # the clerk waits for the department's new answer
    at(clock, 11, 10)
    http.post(f"/requests/{rid}/answer", "sc-cgj", {"result": "已查处并罚款"})
    http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": True, "satisfaction": "basically_satisfied"})
    closed = http.get(f"/requests/{rid}", "hotline")
    assert (closed.json["state"], closed.json["result"], closed.json["reopens"]) == ("closed", "已查处并罚款", 1)
    progress = http.get(f"/requests/{rid}/progress", "hotline").json
    assert [n["type"] for n in progress["nodes"]] == [
        "RequestReceived", "RequestDispatched", "RequestReturned", "RequestDispatched", "RequestAcknowledged",
        "RequestAnswered", "RequestCalledBack", "RequestReopened", "RequestAcknowledged", "RequestAnswered",
        "RequestCalledBack", "RequestClosed"]
    assert progress["contact"] == {"name": "张*", "phone": "138****1234"} and progress["result"] == "已查处并罚款"
    assert "事发地在上城区" not in str(progress) and "已超答复时限" not in str(progress)
    assert progress["nodes"][3]["department"] == "sc-cgj" and progress["nodes"][5]["note"] == "已现场处理"
    assert (progress["nodes"][7]["department"], progress["nodes"][7]["note"]) == ("sc-cgj", "夜间仍有施工")


def test_bad_input_is_a_specific_problem(desk, clock):
    http = desk
    body = problem(http.post("/requests", "clerk", {**NOISE, "category": None}), 422, "OS762")
    assert body["field"] == "category" and "request_id" not in body  # none yet
    body = problem(http.post("/requests", "clerk", {**NOISE, "category": "noise-nuisanse"}), 422, "OS763")
    assert "noise-nuisance" in body["hint"]
    problem(http.post("/requests", "clerk", {**NOISE, "contact": None}), 422, "OS762")
    problem(http.post("/requests", "clerk", {**NOISE, "regions": {}}), 422, "OS769")
    problem(http.post("/requests", "clerk", {**NOISE, "sort": "x"}), 422, "OS620")  # unknown field
    problem(http.post("/requests", "me", NOISE), 403, "OS767")
    problem(http.post("/requests/R20261102-0000000000/dispatch", "clerk", {}), 404, "OS760")
    rid = http.post("/requests", "clerk", NOISE).json["id"]
    body = problem(http.post(f"/requests/{rid}/reopen", "supervisor", {"reason": "x"}), 409, "OS761")
    assert body["state"] == "received" and body["request_id"] == rid
    problem(http.post(f"/requests/{rid}/reopen", "clerk", {"reason": "x"}), 403, "OS767")  # a supervisor's order
    assert http.post(f"/requests/{rid}/close", "clerk", {}).status_code == 404  # the callback closes
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "不属本区"})
    http.post(f"/requests/{rid}/dispatch", "clerk", {"department": "xh-cgj"})
    problem(http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "仍不属本区"}), 422, "OS764")
    problem(http.post(f"/requests/{rid}/escalate", "supervisor", {"note": "催办"}), 422, "OS762")  # green
    problem(http.post(f"/requests/{rid}/escalate", "clerk", {"note": "催办"}), 403, "OS767")
    zh = http.client.post(f"/requests/{rid}/return", json={"reason": "x"},
                          headers={**http.headers("xh-cgj"), "Accept-Language": "zh"})
    assert zh.json["title"] == "退单次数已达上限"


def test_scope(desk, clock):
    http = desk
    rid = http.post("/requests", "hotline", NOISE).json["id"]
    problem(http.get(f"/requests/{rid}", "sc-cgj"), 404, "OS760")  # never its department's
    problem(http.get(f"/requests/{rid}", "me"), 404, "OS760")
    problem(http.get(f"/requests/{rid}", "other-hotline"), 404, "OS760")
    problem(http.get(f"/requests/{rid}", "sup-nb"), 404, "OS760")  # Ningbo: not its region
    assert http.get(f"/requests/{rid}", "supervisor").status_code == 200
    problem(http.post(f"/requests/{rid}/dispatch", "sc-cgj", {}), 404, "OS760")
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    seen = http.get(f"/requests/{rid}", "xh-cgj").json
    assert seen["contact"]["phone"] == "13800001234" and seen["allowed"] == ["return_request", "acknowledge",
                                                                             "answer"]
    at_window = http.post("/requests", "clerk", {**NOISE, "channel": "window"}).json
    assert at_window["location"] == "hz-citizen-centre"
    assert http.get(f"/requests/{at_window['id']}", "clerk").status_code == 200
    problem(http.post("/requests", "clerk", {**NOISE, "channel": "window", "location": "sc-service-centre"}),
            403, "OS767")


def test_a_department_list(desk, clock):
    http = desk
    rid = http.post("/requests", "clerk", NOISE).json["id"]
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    page = http.get("/worklists/requests/xh-cgj", "xh-cgj").json
    assert [r["id"] for r in page["items"]] == [rid] and page["total"] == 1
    assert http.get("/worklists/requests/xh-cgj?state=returned", "clerk").json["total"] == 0
    problem(http.get("/worklists/requests/xh-cgj", "sc-cgj"), 403, "OS767")
    problem(http.get("/worklists/requests/xh-cgj", "sup-nb"), 403, "OS767")
    problem(http.get("/worklists/requests/xh-cgj", "me"), 403, "OS767")
    problem(http.get("/worklists/requests/xh-cgjj", "clerk"), 404, "OS630")


def test_figures_and_ranking(desk, clock):
    http = desk
    at(clock, 2, 9)
    rid = http.post("/requests", "clerk", NOISE).json["id"]
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    http.post(f"/requests/{rid}/return", "xh-cgj", {"reason": "不属本区"})
    http.post(f"/requests/{rid}/dispatch", "clerk", {"department": "sc-cgj"})
    http.post(f"/requests/{rid}/answer", "sc-cgj", {"result": "已处理"})
    http.post(f"/requests/{rid}/call-back", "clerk", {"resolved": True, "satisfaction": "satisfied"})
    figures = http.get("/supervision/request-figures?by=department&from=2026-11-01&to=2026-11-30",
                       "supervisor").json
    groups = {g["key"]: g for g in figures["groups"]}
    assert figures["from"] == "2026-11-01" and groups["xh-cgj"]["return_rate"] == 1.0
    assert (groups["sc-cgj"]["resolution_rate"], groups["sc-cgj"]["satisfaction_rate"]) == (1.0, 1.0)
    assert http.get("/supervision/request-figures?to=2026-11-01", "supervisor").json["groups"] == []
    problem(http.get("/supervision/request-figures", "clerk"), 403, "OS767")
    problem(http.get("/supervision/request-figures?by=weekday", "supervisor"), 422, "OS620")
    by_area = http.get("/supervision/request-figures?by=area", "supervisor").json
    assert [g["key"] for g in by_area["groups"]] == ["330106"]  # the routing area
    ranking = http.get("/supervision/request-ranking?day=2026-11-02", "supervisor").json
    assert ranking["frequent"] == [{"category": "noise-nuisance", "count": 1, "before": 0.0, "rise": 1.0}]
    assert http.get("/supervision/request-ranking", "clerk").json["day"] == "2026-11-02"
    problem(http.get("/supervision/request-ranking", "xh-cgj"), 403, "OS767")


def test_a_hotline_token_reaches_requests_only(desk, clock):
    http = desk
    rid = http.post("/requests", "hotline", {**NOISE, "channel": None}).json["id"]
    problem(http.post("/requests", "hotline", {**NOISE, "channel": "window"}), 422, "OS762")
    problem(http.post(f"/requests/{rid}/dispatch", "hotline", {}), 403, "OS705")
    problem(http.get("/worklists/requests/xh-cgj", "hotline"), 403, "OS705")
    problem(http.get("/supervision/request-figures", "hotline"), 403, "OS705")
    case_id = http.open_business()
    for path in (f"/cases/{case_id}", "/cases", "/events", f"/cases/{case_id}/progress", "/me/cases"):
        problem(http.get(path, "hotline"), 403, "OS705")
    problem(http.post("/cases", "hotline", {}), 403, "OS705")
    problem(http.post(f"/callbacks/cases/{case_id}/receipt", "hotline", {"result": "x"},
                      **{"Idempotency-Key": "k1"}), 403, "OS705")
    problem(http.post("/requests", "fee-system", NOISE), 403, "OS705")  # a case system reaches no request


def test_hotline_scope_rules(authority):
    with pytest.raises(ValueError, match="no other scope"):
        authority.issue(Actor(Role.SYSTEM, "h"), scopes=("hotline", "fee"))
    with pytest.raises(ValueError, match="names no department"):
        authority.issue(Actor(Role.SYSTEM, "h", department="xh-cgj"), scopes=("hotline",))


def test_warnings_to_escalate(desk, service, clock):
    """The scan's red warning of an overdue acknowledgement is listed for the supervisor, who
    escalates the request (督办); a regional supervisor elsewhere sees none of it."""
    from oneservice.supervision import Supervision

    http = desk
    at(clock, 2, 9)
    body = {**NOISE, "kind": "help", "category": "social-insurance", "regions": {}}
    rid = http.post("/requests", "clerk", body).json["id"]
    http.post(f"/requests/{rid}/dispatch", "clerk", {})
    at(clock, 4, 9)
    assert Supervision(service).scan().request_red == 1
    page = http.get("/supervision/request-warnings?level=red", "supervisor").json
    assert [(w["request_id"], w["kind"], w["department"]) for w in page["items"]] == [
        (rid, "request_acknowledge", "hz-hrss")] and page["items"][0]["escalated_at"] is None
    assert http.get("/supervision/request-warnings", "sup-nb").json["total"] == 0
    problem(http.get("/supervision/request-warnings?department=hz-hrss", "sup-nb"), 403, "OS767")
    problem(http.get("/supervision/request-warnings", "clerk"), 403, "OS767")
    http.post(f"/requests/{rid}/escalate", "supervisor", {"note": "签收已超时"})
    escalated = http.get("/supervision/request-warnings?kind=request_acknowledge", "supervisor").json
    assert escalated["items"][0]["escalated_at"] is not None
    http.post(f"/requests/{rid}/acknowledge", "hz-hrss")
    assert http.get("/supervision/request-warnings", "supervisor").json["total"] == 0
    assert http.get("/supervision/request-warnings?open_only=false", "supervisor").json["total"] == 1
