"""Extension requests (延期申请) over HTTP: a reviewer asks at ``…/extension-request``, the supervisor
lists them at ``GET /supervision/extension-requests`` (their region's) and decides at
``…/extension-request/decision``. Every test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from http_helpers import REGISTRATION

from oneservice import Actor, Role

ASK = f"/cases/{{}}/items/{REGISTRATION}/extension-request"
DECIDE = f"/cases/{{}}/items/{REGISTRATION}/extension-request/decision"
PENDING = "/supervision/extension-requests"


def _legal(http, case_id: str):
    r = http.get(f"/cases/{case_id}/detail", "supervisor")
    assert r.status_code == 200, r.json
    return next(d for d in r.json["deadlines"] if d["kind"] == "item_legal" and d["subject"] == REGISTRATION)


def _asked(http, days: int = 10) -> str:
    case_id = http.accepted_business()
    r = http.post(ASK.format(case_id), http.reviewer(REGISTRATION), {"days": days, "reason": "需要现场核查"})
    assert r.status_code == 200, r.json
    assert f"request_extension:{REGISTRATION}" not in r.json["allowed"]
    return case_id


class TestAsk:
    def test_the_request_is_listed_for_the_supervisor(self, http):
        case_id = _asked(http, days=7)
        r = http.get(PENDING, "supervisor")
        assert r.status_code == 200, r.json
        assert r.json["total"] == 1
        row = r.json["items"][0]
        assert (row["case_id"], row["item"], row["days"], row["reason"], row["state"]) == (
            case_id, REGISTRATION, 7, "需要现场核查", "in_progress")
        assert row["requested_by"].startswith("reviewer:") and row["legal_due"] == _legal(http, case_id)["due"]
        assert f"decide_extension:{REGISTRATION}" in http.get(f"/cases/{case_id}", "supervisor").json["allowed"]

    def test_a_second_request_is_refused(self, http):
        case_id = _asked(http)
        r = http.post(ASK.format(case_id), http.reviewer(REGISTRATION), {"days": 2, "reason": "再申请"})
        assert (r.status_code, r.json["code"], r.json["reason"]) == (422, "OS702", "extension_pending")
        assert (r.json["case_id"], r.json["state"]) == (case_id, "in_progress")

    def test_who_may_ask_and_what(self, http):
        case_id = http.accepted_business()
        body = {"days": 5, "reason": "需要现场核查"}
        assert http.post(ASK.format(case_id), "supervisor", body).json["code"] == "OS705"
        assert http.post(ASK.format(case_id), "clerk", body).json["code"] == "OS705"
        too_long = http.post(ASK.format(case_id), http.reviewer(REGISTRATION), {"days": 11, "reason": "核查"})
        assert (too_long.status_code, too_long.json["code"]) == (422, "OS620")
        assert http.post(ASK.format(case_id), http.reviewer(REGISTRATION), {"days": 5}).status_code == 422
        assert http.get(PENDING, "supervisor").json["total"] == 0

    def test_only_a_supervisor_reads_the_list(self, http):
        assert http.get(PENDING, "clerk").json["code"] == "OS705"
        assert http.get(PENDING, http.reviewer(REGISTRATION)).json["code"] == "OS705"

    def test_the_list_is_the_region_s(self, http):
        _asked(http)
        yuhang = http.authority.issue(Actor(Role.SUPERVISOR, "sup-yh"), region="330110").token
        hangzhou = http.authority.issue(Actor(Role.SUPERVISOR, "sup-hz"), region="3301").token
        assert http.get(PENDING, yuhang).json["total"] == 0
        assert http.get(PENDING, hangzhou).json["total"] == 1


class TestDecide:
    def test_approval_extends_the_legal_limit(self, http):
        case_id = _asked(http, days=10)
        before = _legal(http, case_id)
        r = http.post(DECIDE.format(case_id), "supervisor", {"decision": "approved"})
        assert r.status_code == 200, r.json
        after = _legal(http, case_id)
        assert (before["extension_days"], after["extension_days"]) == (0, 10)
        assert after["due"] > before["due"]
        assert http.get(PENDING, "supervisor").json["total"] == 0
        events = http.get(f"/cases/{case_id}/events?page_size=200", "supervisor").json["items"]
        extended = [e for e in events if e["type"] == "ItemTimeLimitExtended"]
        asked = [e for e in events if e["type"] == "ExtensionRequested"]
        assert [e["data"]["request"] for e in extended] == [asked[0]["seq"]]

    def test_rejection_needs_the_reasons(self, http):
        case_id = _asked(http)
        missing = http.post(DECIDE.format(case_id), "supervisor", {"decision": "rejected"})
        assert (missing.status_code, missing.json["code"], missing.json["field"]) == (422, "OS620", "note")
        r = http.post(DECIDE.format(case_id), "supervisor", {"decision": "rejected", "note": "无需延期"})
        assert r.status_code == 200, r.json
        assert _legal(http, case_id)["extension_days"] == 0
        assert f"request_extension:{REGISTRATION}" in http.get(
            f"/cases/{case_id}", http.reviewer(REGISTRATION)).json["allowed"]

    def test_a_bad_decision_or_a_reviewer_deciding(self, http):
        case_id = _asked(http)
        bad = http.post(DECIDE.format(case_id), "supervisor", {"decision": "upheld"})
        assert bad.status_code == 422
        mine = http.post(DECIDE.format(case_id), http.reviewer(REGISTRATION), {"decision": "approved"})
        assert mine.json["code"] == "OS705"
        assert http.get(PENDING, "supervisor").json["total"] == 1

    def test_nothing_to_decide(self, http):
        case_id = http.accepted_business()
        r = http.post(DECIDE.format(case_id), "supervisor", {"decision": "approved"})
        assert (r.status_code, r.json["reason"], r.json["case_id"]) == (422, "no_extension_request", case_id)
