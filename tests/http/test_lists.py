"""Worklists, the applicant's cases, pagination and the supervision sweep."""

from __future__ import annotations

from http_helpers import LOCATION, PERSON_ID, REGISTRATION


class TestWorklists:
    def test_department_worklist(self, http):
        case_id = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        page = http.get(f"/worklists/department/{dep}", dep).json
        assert page["total"] == 1 and page["pages"] == 1
        row = page["items"][0]
        assert row["case_id"] == case_id and row["item_code"] == REGISTRATION and row["state"] == "ready"
        assert http.get(f"/worklists/department/{dep}", "supervisor").json["total"] == 1

    def test_window_queue_full_ids_for_clerks_masked_for_reviewers(self, http):
        case_id = http.accepted_business()
        http.approve_all(case_id)
        queue = http.get(f"/worklists/window/{LOCATION}", "clerk").json
        assert [row["id"] for row in queue["items"]] == [case_id]
        assert queue["items"][0]["applicant_id"] == PERSON_ID
        masked = http.get(f"/worklists/window/{LOCATION}", http.reviewer(REGISTRATION)).json
        assert masked["items"][0]["applicant_id"].count("*") == 8

    def test_awaiting_materials(self, http):
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        http.post(f"/cases/{case_id}/notice", "clerk")
        assert [r["id"] for r in http.get("/worklists/awaiting-materials", "clerk").json["items"]] == [case_id]
        page = http.get(f"/worklists/awaiting-materials?location={LOCATION}", "clerk").json
        assert page["total"] == 1
        assert http.get("/worklists/awaiting-materials?location=nowhere", "clerk").status_code == 404

    def test_colour(self, http, clock, service):
        case_id = http.accepted_business()
        assert http.get("/worklists/colour/red", "supervisor").json["total"] == 0
        clock.advance_working_days(40, service.calendar)
        red = http.get("/worklists/colour/red", "supervisor").json
        assert [r["id"] for r in red["items"]] == [case_id]
        assert http.get("/worklists/colour/blue", "supervisor").status_code == 404

    def test_pagination(self, http):
        ids = {http.open_business() for _ in range(3)}
        first = http.get("/me/cases?page_size=2", "me").json
        second = http.get("/me/cases?page=2&page_size=2", "me").json
        assert first["total"] == 3 and first["pages"] == 2 and len(first["items"]) == 2
        assert len(second["items"]) == 1
        assert {r["id"] for r in first["items"] + second["items"]} == ids
        assert http.get("/me/cases?page=3&page_size=2", "me").json["items"] == []
        assert http.get("/me/cases?page_size=201", "me").status_code == 422


class TestSupervision:
    def test_terminate_overdue(self, http, clock, service):
        case_id = http.open_business()
        materials = http.materials()
        http.post(f"/cases/{case_id}/submit", "me",
                  {"form": http.form(), "materials": materials[:-1], "channel": "online"})
        http.post(f"/cases/{case_id}/accept-with-deficiency", "clerk", {"owed": ["premises-lease"]})
        assert http.post("/supervision/terminate-overdue", "supervisor").json == {"terminated": []}
        clock.advance_working_days(10, service.calendar)
        r = http.post("/supervision/terminate-overdue", "supervisor")
        assert r.status_code == 200 and r.json == {"terminated": [case_id]}
        assert http.get(f"/cases/{case_id}", "clerk").json["state"] == "terminated"
        r = http.post("/supervision/terminate-overdue", "supervisor", idempotency_key="k")
        assert r.status_code == 400
