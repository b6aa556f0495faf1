"""Worklists, the applicant's cases, pagination, the supervision sweep and calendar years."""

from __future__ import annotations

import datetime as dt

from http_helpers import LOCATION, PERSON_ID, REGISTRATION

from oneservice import TZ, OneService


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
        http.post(f"/cases/{case_id}/accept-with-deficiency", "clerk",
                  {"owed": ["premises-lease"], "commitment": "承诺书（已签字）"})
        assert http.post("/supervision/terminate-overdue", "supervisor").json == {"terminated": []}
        clock.advance_working_days(10, service.calendar)
        r = http.post("/supervision/terminate-overdue", "supervisor")
        assert r.status_code == 200 and r.json == {"terminated": [case_id]}
        assert http.get(f"/cases/{case_id}", "clerk").json["state"] == "terminated"
        r = http.post("/supervision/terminate-overdue", "supervisor", idempotency_key="k")
        assert r.status_code == 400


# INVENTED DATES — the official 2027 schedule is not published on this machine. This is a
# format example only: 2027-01-01 (Friday) to 2027-01-04 (Monday) off, so that loading it moves a
# deficiency deadline the guess put on 2027-01-05 (the guess knows 1 January only).
INVENTED_2027 = {
    "year": 2027,
    "source": "FORMAT EXAMPLE — invented dates for a test, not the 国务院办公厅 notice",
    "holidays": [{"name": {"zh": "元旦", "en": "New Year's Day"}, "from": "2027-01-01", "to": "2027-01-04"}],
    "workdays": [],
}


class TestCalendars:
    def owing_on_28_december(self, http, clock) -> str:
        """A start-a-business case accepted Mon 2026-12-28 owing the lease (5 working days)."""
        clock.set(dt.datetime(2026, 12, 28, 9, 0, tzinfo=TZ))
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me",
                  {"form": http.form(), "materials": http.materials()[:-1], "channel": "online"})
        r = http.post(f"/cases/{case_id}/accept-with-deficiency", "clerk", {"owed": ["premises-lease"], "commitment": "承诺书（已签字）"})
        assert r.status_code == 200, r.json
        return case_id

    @staticmethod
    def owed(http, case_id: str) -> dict:
        [owed] = http.get(f"/cases/{case_id}/progress", "me").json["owed"]
        return owed

    def test_loading_2027_moves_the_provisional_deficiency_deadline(self, http, clock):
        """Due 2027-01-05 provisional on the guess; the loaded (invented) year moves it to
        2027-01-06, final, in the progress view and the case file, with the moved case returned."""
        case_id = self.owing_on_28_december(http, clock)
        assert self.owed(http, case_id) == {"material": "premises-lease", "due": "2027-01-05",
                                            "due_provisional": True}
        r = http.post("/supervision/calendars", "supervisor", INVENTED_2027)
        assert r.status_code == 200, r.json
        assert r.json == {"year": 2027, "source": INVENTED_2027["source"], "moved": [case_id]}
        assert self.owed(http, case_id) == {"material": "premises-lease", "due": "2027-01-06",
                                            "due_provisional": False}
        [material] = [m for m in http.get(f"/cases/{case_id}/detail", "clerk").json["materials"]
                      if m["material_id"] == "premises-lease"]
        assert (material["due"], material["due_provisional"]) == ("2027-01-06", False)
        events = http.get(f"/cases/{case_id}/events?page_size=200", "clerk").json["items"]
        [recomputed] = [e for e in events if e["type"] == "DeadlinesRecomputed"]
        assert {"kind": "deficiency", "subject": "premises-lease", "from": "2027-01-05", "to": "2027-01-06",
                "provisional": False} in recomputed["data"]["deadlines"]
        listed = http.get("/supervision/calendars", "supervisor").json
        assert [(y["year"], y["loaded_by"]) for y in listed["loaded"]] == [(2027, "supervisor:sup-01")]
        assert 2027 in listed["known_years"]

    def test_a_restarted_service_computes_on_the_loaded_year(self, http, clock, service):
        """The year is kept in the database: a new service on the same store knows 2027."""
        assert http.post("/supervision/calendars", "supervisor", INVENTED_2027).status_code == 200
        fresh = OneService(service.catalogue, service.store, clock=clock)
        assert fresh.calendar.covers(2027)
        assert not fresh.calendar.is_workday(dt.date(2027, 1, 4))

    def test_a_year_contradicting_a_frozen_deadline_is_refused(self, http, clock):
        """Loading 2027 again with other dates would move the now-final deadline: 409 OS706 naming
        the case, and nothing is written (the deadline and the stored year stay as they were)."""
        case_id = self.owing_on_28_december(http, clock)
        assert http.post("/supervision/calendars", "supervisor", INVENTED_2027).status_code == 200
        other = {**INVENTED_2027, "holidays": [{"from": "2027-01-01", "to": "2027-01-01"}]}
        r = http.post("/supervision/calendars", "supervisor", other)
        assert (r.status_code, r.json["code"], r.json["case_ids"]) == (409, "OS706", [case_id])
        assert {"case_id": case_id, "kind": "deficiency", "subject": "premises-lease", "due": "2027-01-06",
                "would_be": "2027-01-05", "met": False} in r.json["deadlines"]
        assert self.owed(http, case_id)["due"] == "2027-01-06"
        [stored] = http.get("/supervision/calendars", "supervisor").json["loaded"]
        assert stored["data"]["holidays"][0]["to"] == "2027-01-04"

    def test_bad_data_and_wrong_roles(self, http):
        """Malformed data is 422 OS610 with the key path; only a supervisor loads or lists."""
        bad = {**INVENTED_2027, "workdays": ["2027-01-05"]}
        r = http.post("/supervision/calendars", "supervisor", bad)
        assert (r.status_code, r.json["code"]) == (422, "OS610")
        assert "at workdays[0]" in r.json["detail"]
        assert http.post("/supervision/calendars", "clerk", INVENTED_2027).json["code"] == "OS705"
        assert http.get("/supervision/calendars", "clerk").status_code == 403
        assert http.get("/supervision/calendars", "supervisor").json["loaded"] == []
