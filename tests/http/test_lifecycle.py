"""Every case action and query through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from http_helpers import BIZ, COMMITMENT, LOCATION, PARCEL, PERSON, PERSON_ID, REGISTRATION, SEAL


class TestFrontDesk:
    def test_open_case(self, http):
        """POST /cases opens a draft: 201, Location, ETag = version."""
        r = http.post("/cases", "me", {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                       "location": LOCATION})
        assert r.status_code == 201
        assert r.json["state"] == "draft" and r.json["trips"] == 0
        assert r.headers["Location"] == f"/cases/{r.json['id']}"
        assert r.headers["ETag"] == f'"{r.json["version"]}"'
        assert r.mimetype == "application/json"

    def test_notice_supplement_accept(self, http):
        """Submit with a material missing, one-time notice, supplement online, accept."""
        case_id = http.open_business()
        materials = http.materials()
        r = http.post(f"/cases/{case_id}/submit", "me",
                      {"form": http.form(), "materials": materials[:-1], "channel": "online"})
        assert r.status_code == 200 and r.json["state"] == "submitted"
        r = http.get(f"/cases/{case_id}/completeness", "clerk")
        assert [line["id"] for line in r.json["lines"]] == materials[-1:]
        r = http.post(f"/cases/{case_id}/notice", "clerk")
        assert r.status_code == 200
        assert r.json["number"] == 1 and [ln["id"] for ln in r.json["lines"]] == materials[-1:]
        assert "online" in r.json["channels"]
        assert http.get(f"/cases/{case_id}/notice", "me").json == r.json
        r = http.post(f"/cases/{case_id}/supplement", "me", {"materials": materials[-1:], "channel": "online"})
        assert r.status_code == 200 and r.json["state"] == "submitted"
        r = http.post(f"/cases/{case_id}/accept", "clerk")
        assert r.status_code == 200 and r.json["state"] == "in_progress"
        assert r.json["due"] is not None and r.json["tasks"][REGISTRATION] == "ready"

    def test_accept_with_deficiency_and_supply_owed(self, http):
        """容缺: accept with the lease owed, then supply it."""
        case_id = http.open_business()
        materials = http.materials()
        http.post(f"/cases/{case_id}/submit", "me",
                  {"form": http.form(), "materials": materials[:-1], "channel": "online"})
        r = http.post(f"/cases/{case_id}/accept-with-deficiency", "clerk", {"owed": ["premises-lease"]})
        assert r.status_code == 422 and "commitment" in r.json["errors"]["json"]  # 承诺书 required
        r = http.post(f"/cases/{case_id}/accept-with-deficiency", "clerk",
                      {"owed": ["premises-lease"], "commitment": COMMITMENT})
        assert r.status_code == 200 and r.json["owed"] == ["premises-lease"]
        assert http.get(f"/cases/{case_id}/detail", "clerk").json["commitment"] == COMMITMENT
        r = http.post(f"/cases/{case_id}/owed-materials", "me",
                      {"materials": ["premises-lease"], "channel": "online"})
        assert r.status_code == 200 and r.json["owed"] == []

    def test_refuse(self, http):
        """不予受理 with a reason."""
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me",
                  {"form": http.form(), "materials": http.materials(), "channel": "online"})
        r = http.post(f"/cases/{case_id}/refuse", "clerk", {"reason": "不属于本机关职权范围"})
        assert r.status_code == 200 and r.json["state"] == "refused"

    def test_withdraw(self, http):
        """The applicant withdraws before conclusion."""
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "不再需要"})
        assert r.status_code == 200 and r.json["state"] == "withdrawn"


class TestBackOffice:
    def test_review_correction_suspend_visit_approve(self, http, clock, service):
        """Start review, request and supply a correction, suspend, resume, a visit, approve."""
        case_id = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        base = f"/cases/{case_id}/items/{REGISTRATION}"
        assert http.post(f"{base}/start-review", dep).json["tasks"][REGISTRATION] == "in_review"
        r = http.post(f"{base}/corrections", dep,
                      {"materials": ["articles-of-association"], "note": "章程缺少签字"})
        assert r.status_code == 200 and r.json["tasks"][REGISTRATION] == "correction_requested"
        r = http.post(f"{base}/corrections/supply", "me",
                      {"channel": "online", "materials": ["articles-of-association"]})
        assert r.status_code == 200 and r.json["tasks"][REGISTRATION] == "in_review"
        r = http.post(f"{base}/suspend", dep, {"reason": "实地核查", "basis": "hearing-ish"})
        assert r.status_code == 422 and "basis" in r.json["errors"]["json"]
        r = http.post(f"{base}/suspend", dep, {"reason": "实地核查", "basis": "inspection", "expected_days": 90})
        assert r.status_code == 422 and r.json["field"] == "expected_days"  # over the 60-day cap
        r = http.post(f"{base}/suspend", dep, {"reason": "实地核查", "basis": "inspection", "expected_days": 3})
        assert r.json["tasks"][REGISTRATION] == "suspended"
        clock.advance_working_days(1, service.calendar)
        r = http.post(f"{base}/resume", dep)
        assert r.json["tasks"][REGISTRATION] == "in_review"
        r = http.post(f"{base}/visits", dep, {"purpose": "核验原件", "over_budget_reason": "原件须当面核验"})
        assert r.status_code == 200 and r.json["trips"] == 1
        r = http.post(f"{base}/approve", dep, {"note": "准予登记"})
        assert r.json["tasks"][REGISTRATION] == "approved"
        assert r.json["tasks"][SEAL] == "ready"

    def test_refuse_item(self, http):
        """A reviewer refuses their item."""
        case_id = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        http.post(f"/cases/{case_id}/items/{REGISTRATION}/start-review", dep)
        r = http.post(f"/cases/{case_id}/items/{REGISTRATION}/refuse", dep, {"reason": "名称不符合规定"})
        assert r.status_code == 200 and r.json["tasks"][REGISTRATION] == "refused"


class TestSingleWindow:
    def test_deliver_rate_rectify_conclude(self, http):
        """All approved → ready; deliver, a bad rating, callback, rectification, conclude."""
        case_id = http.accepted_business()
        r = http.approve_all(case_id)
        assert r.json["state"] == "ready_for_pickup"
        r = http.post(f"/cases/{case_id}/deliver", "clerk", {"channel": "electronic"})
        assert r.status_code == 422 and r.json["field"] == "channel" and "seal-filing" in r.json["detail"]
        r = http.deliver(case_id)
        assert r.json["state"] == "delivered"
        handed = {d["result_id"]: d for d in http.get(f"/cases/{case_id}/detail", "clerk").json["deliveries"]}
        assert (handed["seal-filing"]["channel"], handed["seal-filing"]["tracking"]) == ("mail", PARCEL)
        assert handed["business-licence"]["channel"] == "electronic"
        r = http.post(f"/cases/{case_id}/rating", "me", {"level": 2, "comment": "等待太久"})
        assert r.status_code == 200
        r = http.post(f"/cases/{case_id}/rectification/callback", "supervisor", {"note": "已电话回访"})
        assert r.status_code == 200
        r = http.post(f"/cases/{case_id}/rectification/done", "supervisor", {"note": "已整改"})
        assert r.status_code == 200
        r = http.post(f"/cases/{case_id}/conclude", "clerk")
        assert r.status_code == 200 and r.json["state"] == "closed"


class TestQueries:
    def test_get_case_masks_for_applicant_not_for_staff(self, http):
        """GET /cases/{id}: ETag; the ID number in full for a clerk, masked for the applicant."""
        case_id = http.open_business()
        staff = http.get(f"/cases/{case_id}", "clerk")
        assert staff.status_code == 200 and staff.headers["ETag"].startswith(f'"{staff.json["version"]}.')
        assert staff.json["applicant"]["id_number"] == PERSON_ID
        mine = http.get(f"/cases/{case_id}", "me").json["applicant"]
        assert mine["id_number"] != PERSON_ID and mine["id_number"].count("*") == 8
        assert mine["name"] == "张三"
        assert http.get(f"/cases/{case_id}", "supervisor").json["applicant"]["id_number"] == PERSON_ID

    def test_reviewer_sees_summary_without_applicant(self, http):
        """A reviewer of a department in the case sees the summary, not the applicant."""
        case_id = http.accepted_business()
        r = http.get(f"/cases/{case_id}", http.reviewer(REGISTRATION))
        assert r.status_code == 200 and r.json["applicant"] is None

    def test_detail_progress_events(self, http):
        """The case file (staff), the progress view (masked) and the event log (staff)."""
        case_id = http.accepted_business()
        detail = http.get(f"/cases/{case_id}/detail", "supervisor").json
        assert detail["applicant"]["id_number"] == PERSON_ID
        assert {t["item_code"] for t in detail["tasks"]} >= {REGISTRATION, SEAL}
        assert any(d["kind"] == "case" for d in detail["deadlines"])
        progress = http.get(f"/cases/{case_id}/progress", "me").json
        assert progress["applicant_id"].count("*") == 8 and PERSON_ID not in str(progress)
        assert progress["steps"][0]["zh"] == "已申请"
        events = http.get(f"/cases/{case_id}/events?page_size=2", "clerk").json
        assert events["page_size"] == 2 and len(events["items"]) == 2 and events["total"] >= 3
        assert events["items"][0]["type"] == "CaseOpened"
        page2 = http.get(f"/cases/{case_id}/events?page=2&page_size=2", "clerk").json
        assert page2["items"][0]["seq"] == events["items"][1]["seq"] + 1

    def test_staff_only_queries_refuse_the_applicant(self, http):
        """Events and the case file are for staff: 403 for the applicant."""
        case_id = http.open_business()
        for path in ("events", "detail"):
            r = http.get(f"/cases/{case_id}/{path}", "me")
            assert r.status_code == 403 and r.json["code"] == "OS705"
