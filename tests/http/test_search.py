"""``GET /cases``: the staff's search — filters, sorting and pages cut by the database, scoped as
every list (a clerk: their location; a regional supervisor: their region's locations; a reviewer:
their department's cases, ID numbers masked). SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from http_helpers import BIZ, LOCATION, OTHER_ID, PERSON, PERSON_ID, REGISTRATION

from oneservice import Actor, Role

OTHER_CENTRE = "sc-service-centre"


def token(http, actor: Actor, region: str | None = None) -> str:
    return http.authority.issue(actor, region=region).token


def opened(http, location: str = LOCATION, person: dict | None = None) -> str:
    r = http.post("/cases", "me" if person is None else "other",
                  {"matter_id": BIZ, "applicant": person or PERSON, "channel": "online", "location": location})
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def found(http, query: str, who) -> list[str]:
    r = http.get(f"/cases?page_size=200&{query}", who)
    assert r.status_code == 200, r.json
    assert r.json["total"] == len(r.json["items"])
    return [row["id"] for row in r.json["items"]]


@pytest.fixture
def other_clerk(http) -> str:
    return token(http, Actor(Role.CLERK, "clerk-09", location=OTHER_CENTRE))


class TestFilters:
    def test_scope_of_a_clerk(self, http, other_clerk):
        here = [opened(http) for _ in range(3)]
        there = opened(http, OTHER_CENTRE)
        assert sorted(found(http, "", "clerk")) == sorted(here)
        assert found(http, "", other_clerk) == [there]
        assert found(http, f"location={LOCATION}", other_clerk) == []  # outside the scope: nothing
        assert sorted(found(http, "", "supervisor")) == sorted([*here, there])

    def test_matter_state_and_applicant(self, http):
        draft = opened(http)
        accepted = http.accepted_business()
        theirs = opened(http, person={**PERSON, "id_number": OTHER_ID, "name": "李四"})
        assert found(http, f"matter_id={BIZ}&state=accepted&state=in_progress", "clerk") == [accepted]
        assert sorted(found(http, f"applicant_id={PERSON_ID}", "clerk")) == sorted([draft, accepted])
        assert found(http, f"applicant_id={OTHER_ID.lower()}", "supervisor") == [theirs]  # compact form
        assert http.get("/cases?matter_id=no-such-matter", "clerk").status_code == 404

    def test_dates_and_colour(self, http, clock, service):
        first = http.accepted_business()
        day = clock.now().date()
        clock.advance_working_days(1, service.calendar)
        second = opened(http)
        assert found(http, f"opened_from={day}&opened_to={day}", "clerk") == [first]
        assert found(http, f"opened_from={clock.now().date()}", "clerk") == [second]
        assert found(http, "colour=red", "clerk") == []
        clock.advance_working_days(40, service.calendar)
        assert found(http, "colour=red", "clerk") == [first]  # the draft has no deadline
        due = http.get(f"/cases/{first}", "clerk").json["due"]
        assert found(http, f"due_from={due}&due_to={due}", "clerk") == [first]

    def test_sort_and_pages(self, http, clock):
        ids = []
        for _ in range(5):
            ids.append(opened(http))
            clock.advance(dt.timedelta(minutes=1))
        newest = found(http, "", "clerk")
        assert found(http, "sort=opened_at", "clerk") == newest[::-1]
        seen, totals = [], set()
        for number in (1, 2, 3, 4):
            body = http.get(f"/cases?page={number}&page_size=2", "clerk").json
            seen += [row["id"] for row in body["items"]]
            totals.add((body["total"], body["pages"]))
        assert seen == newest and totals == {(5, 3)}


class TestWho:
    def test_reviewer_sees_the_department_masked(self, http):
        ours = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        body = http.get("/cases", dep).json
        assert [row["id"] for row in body["items"]] == [ours]
        in_biz = {item.department for item in http.catalogue.plan(BIZ).items}
        outside = sorted(set(http.catalogue.departments) - in_biz)
        assert outside and http.get("/cases", outside[0]).json["total"] == 0
        assert PERSON_ID not in str(body) and body["items"][0]["applicant_id"].count("*") == 8
        assert http.get(f"/cases?applicant_id={PERSON_ID}", dep).status_code == 403
        others = [d for d in http.catalogue.departments if d != dep]
        assert http.get(f"/cases?department={others[0]}", dep).status_code == 403

    def test_full_ids_for_clerks(self, http):
        opened(http)
        assert http.get("/cases", "clerk").json["items"][0]["applicant_id"] == PERSON_ID

    def test_applicants_and_agents_are_refused(self, http):
        opened(http)
        for who in ("me", "agent"):
            r = http.get("/cases", who)
            assert r.status_code == 403 and r.json["code"] == "OS705"

    def test_regional_supervisor(self, http, other_clerk):
        here, there = opened(http), opened(http, OTHER_CENTRE)
        district = token(http, Actor(Role.SUPERVISOR, "sup-sc"), region="330102")
        assert found(http, "", district) == [there]
        city = token(http, Actor(Role.SUPERVISOR, "sup-hz"), region="3301")
        assert sorted(found(http, "", city)) == sorted([here, there])


class TestBadQueries:
    @pytest.mark.parametrize("query", [
        "state=nonsense", "colour=green", "sort=id", "opened_from=2026-13-01", "unknown=1", "page_size=201",
    ])
    def test_422(self, http, query):
        r = http.get(f"/cases?{query}", "clerk")
        assert r.status_code == 422, r.json

    def test_bad_applicant_id_is_not_echoed(self, http):
        r = http.get("/cases?applicant_id=330106199001011235", "clerk")
        assert r.status_code == 422 and r.json["code"] == "OS621"
        assert "330106199001011235" not in r.get_data(as_text=True)
