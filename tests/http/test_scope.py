"""Scopes by place and by party: another centre's case is a 404, as is a case that does not exist;
agents need the applicant's authorisation (委托书); refused calls go to the audit log, never into the
case's event log. Every test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from http_helpers import BIZ, LOCATION, PERSON, PERSON_ID

from oneservice import TZ, Actor, Role
from oneservice.store.audit import OVERFLOW_CASE, PER_ACTOR_MINUTE, audit_page, record_refusal

MISSING = "20261102-000000000000"
OTHER_CENTRE = "sc-service-centre"
CASE_READS = ("", "/progress", "/notice", "/completeness", "/events", "/detail")


def token(http, actor: Actor, region: str | None = None) -> str:
    return http.authority.issue(actor, region=region).token


def without_id(body: dict, case_id: str) -> dict:
    return {k: (v.replace(case_id, "?") if isinstance(v, str) else v) for k, v in body.items() if k != "case_id"}


def same_as_missing(http, who: str, case_id: str, path: str = "", method: str = "get", body=None) -> None:
    """The answer for ``case_id`` is the answer for a case that does not exist (status and body)."""
    call = getattr(http, method)
    args = () if method == "get" else (body,)
    mine, missing = call(f"/cases/{case_id}{path}", who, *args), call(f"/cases/{MISSING}{path}", who, *args)
    assert mine.status_code == missing.status_code == 404, (path, mine.get_data(as_text=True))
    assert without_id(mine.json, case_id) == without_id(missing.json, MISSING)
    assert PERSON_ID not in mine.get_data(as_text=True)


def event_types(http, case_id: str) -> list[str]:
    r = http.get(f"/cases/{case_id}/events?page_size=200", "supervisor")
    assert r.status_code == 200, r.json
    return [e["type"] for e in r.json["items"]]


class TestClerkOfAnotherCentre:
    def test_case_reads_and_actions_are_404(self, http):
        """A clerk of sc-service-centre: every read and action of a hz-citizen-centre case is a 404."""
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        for path in CASE_READS:
            same_as_missing(http, other, case_id, path)
        same_as_missing(http, other, case_id, "/notice", "post", None)
        same_as_missing(http, other, case_id, "/accept", "post", None)
        assert http.get(f"/cases/{case_id}", "clerk").status_code == 200  # the centre's own clerk

    def test_window_queue_of_another_centre_is_404(self, http):
        case_id = http.accepted_business()
        http.approve_all(case_id)
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        r = http.get(f"/worklists/window/{LOCATION}", other)
        assert r.status_code == 404 and case_id not in r.get_data(as_text=True)
        assert http.get(f"/worklists/window/{OTHER_CENTRE}", other).json["total"] == 0
        assert http.get(f"/worklists/window/{LOCATION}", "clerk").json["total"] == 1

    def test_lists_hold_the_own_centres_cases(self, http):
        """Awaiting materials: the clerk's own location by default, another's is a 404."""
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        http.post(f"/cases/{case_id}/notice", "clerk")
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        assert http.get("/worklists/awaiting-materials", other).json["total"] == 0
        assert http.get("/worklists/awaiting-materials", "clerk").json["total"] == 1
        assert http.get(f"/worklists/awaiting-materials?location={LOCATION}", other).status_code == 404

    def test_opens_cases_only_at_the_own_centre(self, http):
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        r = http.post("/cases", other, {"matter_id": BIZ, "applicant": PERSON, "channel": "window",
                                        "location": LOCATION})
        assert r.status_code == 403 and r.json["code"] == "OS705"


class TestRefusalsInTheAuditLog:
    def test_refused_calls_leave_the_event_log_unchanged(self, http):
        """58 refused calls from outsiders: the case's events do not change, the audit log counts them."""
        case_id = http.open_business()
        before = event_types(http, case_id)
        other_clerk = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        for _ in range(29):
            assert http.get(f"/cases/{case_id}", "other").status_code == 404
            assert http.post(f"/cases/{case_id}/withdraw", other_clerk, {"reason": "x"}).status_code == 404
        assert event_types(http, case_id) == before
        rows = http.get(f"/audit?case_id={case_id}", "supervisor").json
        assert sum(r["refusals"] for r in rows["items"]) == 58
        assert rows["total"] <= 4  # one row per actor and reason a minute (two minutes at most)

    def test_in_scope_refusal_is_audited_not_logged(self, http):
        """The applicant may not accept their own case: 403, counted in the audit log only."""
        case_id = http.open_business()
        before = event_types(http, case_id)
        assert http.post(f"/cases/{case_id}/accept", "me").status_code == 403
        assert event_types(http, case_id) == before
        rows = http.get(f"/audit?case_id={case_id}", "supervisor").json["items"]
        assert [r["action"] for r in rows] == ["accept"] and rows[0]["role"] == "applicant"

    def test_audit_rows_are_bounded_per_actor_and_minute(self, service):
        """Trying 60 case ids within one minute: 50 rows, the rest counted in one overflow row."""
        at = dt.datetime(2026, 11, 2, 9, 0, 5, tzinfo=TZ)
        for n in range(PER_ACTOR_MINUTE + 10):
            record_refusal(service.store, at=at + dt.timedelta(seconds=n % 50), actor="clerk:x@a", role="clerk",
                           case_id=f"c-{n}", action="get_case", reason="a case of another service location")
        page = audit_page(service.store, actor="clerk:x@a", limit=None)
        assert page.total == PER_ACTOR_MINUTE + 1
        overflow = [r for r in page.items if r.case_id == OVERFLOW_CASE]
        assert len(overflow) == 1 and overflow[0].refusals == 10
        record_refusal(service.store, at=at + dt.timedelta(minutes=1), actor="clerk:x@a", role="clerk",
                       case_id="c-0", action="get_case", reason="a case of another service location")
        assert audit_page(service.store, actor="clerk:x@a").total == PER_ACTOR_MINUTE + 2  # a new minute

    def test_audit_is_for_province_level_supervisors(self, http):
        assert http.get("/audit", "clerk").status_code == 403
        regional = token(http, Actor(Role.SUPERVISOR, "sup-yh"), region="330110")
        assert http.get("/audit", regional).status_code == 403


class TestAgents:
    def agent_case(self, http, who: str = "agent"):
        return http.post("/cases", who, {"matter_id": BIZ, "applicant": PERSON, "channel": "agent",
                                         "location": LOCATION})

    def test_agent_without_authorisation_cannot_open(self, http):
        r = self.agent_case(http)
        assert r.status_code == 403 and r.json["code"] == "OS705" and "委托" in r.json["detail"]
        assert http.get("/me/cases", "me").json["total"] == 0  # nothing in the applicant's name

    def test_authorised_agent_opens_and_runs_the_case_until_revoked(self, http):
        granted = http.post("/me/agents", "me", {"agent": "grid-07", "matter_id": BIZ})
        assert granted.status_code == 201, granted.json
        assert "applicant_id" not in granted.json
        r = self.agent_case(http)
        assert r.status_code == 201, r.json
        case_id = r.json["id"]
        assert http.get(f"/cases/{case_id}", "agent").status_code == 200
        assert [a["agent_id"] for a in http.get("/me/agents", "me").json["items"]] == ["grid-07"]
        assert http.client.delete(f"/me/agents/{granted.json['id']}", headers=http.headers("me")).status_code == 204
        same_as_missing(http, "agent", case_id)
        assert http.get(f"/cases/{case_id}", "me").status_code == 200

    def test_authorisation_for_another_matter_does_not_count(self, http):
        assert http.post("/me/agents", "me", {"agent": "grid-07", "matter_id": "newborn"}).status_code == 201
        assert self.agent_case(http).status_code == 403

    def test_agent_field_alone_grants_nothing(self, http):
        """The applicant names an agent on the case: without an authorisation the agent gets 404."""
        r = http.post("/cases", "me", {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                       "location": LOCATION, "agent": "grid-07"})
        assert r.status_code == 201, r.json
        case_id = r.json["id"]
        for path in CASE_READS:
            same_as_missing(http, "agent", case_id, path)
        assert http.post("/me/agents", "me", {"agent": "grid-07"}).status_code == 201
        assert http.get(f"/cases/{case_id}", "agent").status_code == 200

    def test_only_applicants_authorise(self, http):
        assert http.post("/me/agents", "clerk", {"agent": "grid-07"}).status_code == 403
        assert http.post("/me/agents", "me", {"agent": "bad id!"}).status_code == 422


class TestSupervisorRegions:
    @pytest.mark.parametrize(("region", "sees"), [
        (None, True), ("33", True), ("330000", True), ("3301", True), ("330100", True), ("330102", True),
        ("330110", False), ("3302", False),
    ])
    def test_region_covers_the_case(self, http, region, sees):
        """hz-citizen-centre lies in 330100, its start-a-business departments in 330100 and 330102."""
        case_id = http.accepted_business()
        who = token(http, Actor(Role.SUPERVISOR, "sup-r"), region=region)
        if sees:
            assert http.get(f"/cases/{case_id}", who).status_code == 200
        else:
            same_as_missing(http, who, case_id)
            same_as_missing(http, who, case_id, "/events")

    def test_regional_lists(self, http):
        case_id = http.accepted_business()
        http.approve_all(case_id)
        yuhang = token(http, Actor(Role.SUPERVISOR, "sup-yh"), region="330110")
        assert http.get(f"/worklists/window/{LOCATION}", yuhang).status_code == 404
        assert http.get("/worklists/window/jingshan-village-agent", yuhang).status_code == 200
        hangzhou = token(http, Actor(Role.SUPERVISOR, "sup-hz"), region="3301")
        assert http.get(f"/worklists/window/{LOCATION}", hangzhou).json["total"] == 1

    def test_region_only_on_supervisor_tokens(self, http):
        with pytest.raises(ValueError, match="only a supervisor"):
            http.authority.issue(Actor(Role.CLERK, "c", location=LOCATION), region="3301")
        with pytest.raises(ValueError, match="GB/T 2260"):
            http.authority.issue(Actor(Role.SUPERVISOR, "s"), region="hangzhou")


def test_problem_never_names_the_case_of_another(http):
    """The 404 of an out-of-scope case says what a missing one says: no matter, no state, no person."""
    case_id = http.open_business()
    text = json.dumps(http.get(f"/cases/{case_id}", "other").json, ensure_ascii=False)
    assert BIZ not in text and "draft" not in text and "张三" not in text


class TestScopedListsPagedInSql:
    """The colour and awaiting-materials lists of a clerk or a regional supervisor: the scope's
    cases only, every page cut by the database with the scope's total."""

    @staticmethod
    def cases_at(http, location: str, clerk: str, n: int) -> list[str]:
        ids = []
        for _ in range(n):
            r = http.post("/cases", "me", {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                           "location": location})
            assert r.status_code == 201, r.json
            case_id = r.json["id"]
            r = http.post(f"/cases/{case_id}/submit", "me",
                          {"form": http.form(), "materials": http.materials(), "channel": "online"})
            assert r.status_code == 200, r.json
            assert http.post(f"/cases/{case_id}/accept", clerk).status_code == 200
            ids.append(case_id)
        return ids

    @staticmethod
    def pages(http, path: str, who: str, size: int) -> tuple[list[str], set[int]]:
        ids: list[str] = []
        totals: set[int] = set()
        for number in range(1, 10):
            body = http.get(f"{path}?page={number}&page_size={size}", who).json
            totals.add(body["total"])
            if not body["items"]:
                return ids, totals
            ids += [r["id"] for r in body["items"]]
        raise AssertionError("more pages than cases")

    def test_red_list_of_each_scope(self, http, clock, service):
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        here = self.cases_at(http, LOCATION, "clerk", 3)
        there = self.cases_at(http, OTHER_CENTRE, other, 2)
        clock.advance_working_days(40, service.calendar)
        whole = [r["id"] for r in http.get("/worklists/colour/red?page_size=200", "supervisor").json["items"]]
        assert sorted(whole) == sorted(here + there)
        for who, expected in (("clerk", here), (other, there)):
            ids, totals = self.pages(http, "/worklists/colour/red", who, 2)
            assert ids == [i for i in whole if i in expected] and totals == {len(expected)}
        district = token(http, Actor(Role.SUPERVISOR, "sup-sc"), region="330102")  # sc-service-centre's
        ids, totals = self.pages(http, "/worklists/colour/red", district, 1)
        assert ids == [i for i in whole if i in there] and totals == {2}
        city = token(http, Actor(Role.SUPERVISOR, "sup-hz"), region="3301")
        assert self.pages(http, "/worklists/colour/red", city, 4) == (whole, {5})
        yuhang = token(http, Actor(Role.SUPERVISOR, "sup-yh"), region="330110")
        assert self.pages(http, "/worklists/colour/red", yuhang, 4) == ([], {0})

    def test_awaiting_list_of_a_region(self, http):
        other = token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))
        noticed = {}
        for location, clerk in ((LOCATION, "clerk"), (OTHER_CENTRE, other), (OTHER_CENTRE, other)):
            r = http.post("/cases", "me", {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                           "location": location})
            case_id = r.json["id"]
            http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
            assert http.post(f"/cases/{case_id}/notice", clerk).status_code == 200
            noticed[case_id] = location
        district = token(http, Actor(Role.SUPERVISOR, "sup-sc"), region="330102")
        ids, totals = self.pages(http, "/worklists/awaiting-materials", district, 1)
        assert sorted(ids) == sorted(i for i, loc in noticed.items() if loc == OTHER_CENTRE) and totals == {2}
        ids, totals = self.pages(http, "/worklists/awaiting-materials", other, 1)
        assert len(ids) == 2 and totals == {2}
        assert self.pages(http, "/worklists/awaiting-materials", "supervisor", 2)[1] == {3}
