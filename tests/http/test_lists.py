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

    def test_window_queue_full_ids_for_clerks_none_for_reviewers(self, http):
        """The clerk of the location sees full ID numbers; a reviewer has no window queue (404)."""
        case_id = http.accepted_business()
        http.approve_all(case_id)
        queue = http.get(f"/worklists/window/{LOCATION}", "clerk").json
        assert [row["id"] for row in queue["items"]] == [case_id]
        assert queue["items"][0]["applicant_id"] == PERSON_ID
        assert http.get(f"/worklists/window/{LOCATION}", http.reviewer(REGISTRATION)).status_code == 404

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


class TestPagesCutInSql:
    """The envelope of a page the database cut: same items as one long page, total on every page."""

    @staticmethod
    def walk(http, path, who, size):
        """Every page of ``path`` at ``size``: their items, and the envelope of the page after the last."""
        items, page = [], 1
        while True:
            body = http.get(f"{path}{'&' if '?' in path else '?'}page={page}&page_size={size}", who).json
            assert (body["page"], body["page_size"]) == (page, size)
            if not body["items"]:
                return items, body
            assert len(body["items"]) <= size
            items += body["items"]
            page += 1

    def test_department_worklist_pages(self, http):
        ids = [http.accepted_business() for _ in range(5)]
        dep = http.reviewer(REGISTRATION)
        whole = http.get(f"/worklists/department/{dep}?page_size=200", dep).json
        assert whole["total"] == 5 and whole["pages"] == 1
        assert sorted(r["case_id"] for r in whole["items"]) == sorted(ids)
        for size in (1, 2, 3, 5):
            items, after = self.walk(http, f"/worklists/department/{dep}", dep, size)
            assert items == whole["items"]
            assert after["total"] == 5 and after["pages"] == -(-5 // size) and after["page"] == after["pages"] + 1
        far = http.get(f"/worklists/department/{dep}?page=1000&page_size=200", dep).json
        assert far == {"items": [], "page": 1000, "page_size": 200, "total": 5, "pages": 1}

    def test_colour_and_my_cases_pages(self, http, clock, service):
        ids = [http.accepted_business() for _ in range(3)]
        clock.advance_working_days(40, service.calendar)
        red = http.get("/worklists/colour/red?page_size=2", "supervisor").json
        assert (red["total"], red["pages"], len(red["items"])) == (3, 2, 2)
        items, after = self.walk(http, "/worklists/colour/red", "supervisor", 2)
        assert sorted(r["id"] for r in items) == sorted(ids) and after["total"] == 3
        mine, _ = self.walk(http, "/me/cases", "me", 2)
        assert [r["id"] for r in mine] == [r["id"] for r in http.get("/me/cases", "me").json["items"]]
        assert all(r["applicant_id"].count("*") == 8 for r in mine)  # masked on every page

    def test_window_and_awaiting_pages(self, http):
        ready = [http.accepted_business() for _ in range(3)]
        for case_id in ready:
            http.approve_all(case_id)
        items, after = self.walk(http, f"/worklists/window/{LOCATION}", "clerk", 2)
        assert [r["id"] for r in items] == [
            r["id"] for r in http.get(f"/worklists/window/{LOCATION}", "clerk").json["items"]
        ]
        assert sorted(r["id"] for r in items) == sorted(ready) and after["total"] == 3
        waiting = http.open_business()
        http.post(f"/cases/{waiting}/submit", "me", {"form": http.form(), "channel": "online"})
        http.post(f"/cases/{waiting}/notice", "clerk")
        items, after = self.walk(http, f"/worklists/awaiting-materials?location={LOCATION}", "clerk", 1)
        assert [r["id"] for r in items] == [waiting] and after["total"] == 1

    def test_events_pages(self, http):
        case_id = http.accepted_business()
        whole = http.get(f"/cases/{case_id}/events?page_size=200", "clerk").json
        assert whole["total"] == len(whole["items"]) >= 3
        items, after = self.walk(http, f"/cases/{case_id}/events", "clerk", 2)
        assert items == whole["items"] and [e["seq"] for e in items] == list(range(1, whole["total"] + 1))
        assert after["total"] == whole["total"]


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
