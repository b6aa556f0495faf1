"""``GET /events``: the global feed over HTTP, cut to the caller's rights, with a long poll."""

from __future__ import annotations

import threading

from http_helpers import BIZ, LOCATION, PERSON, REGISTRATION, Http

from oneservice import Actor, Role


class TestFeed:
    def test_pages_in_position_order(self, http: Http) -> None:
        """``after`` and ``limit`` page the feed; ``next`` is where to ask again."""
        http.accepted_business()
        r = http.get("/events?after=0&limit=2", "supervisor")
        assert r.status_code == 200, r.json
        assert r.json["schema"] == "oneservice.event/1"
        assert [e["position"] for e in r.json["items"]] == [1, 2]
        assert r.json["next"] == 2
        rest = http.get(f"/events?after={r.json['next']}", "supervisor").json
        assert rest["items"][0]["position"] == 3
        event = rest["items"][0]
        assert event["schema"] == "oneservice.event/1"
        assert event["id"] == f"{event['case_id']}/{event['seq']}"
        assert event["matter_id"] == BIZ and event["location"] == LOCATION

    def test_filters(self, http: Http) -> None:
        """``kind`` (repeatable), ``matter``, ``location`` and ``department`` narrow the feed."""
        http.accepted_business()
        kinds = http.get("/events?kind=CaseAccepted&kind=CaseOpened", "supervisor").json["items"]
        assert [e["type"] for e in kinds] == ["CaseOpened", "CaseAccepted"]
        assert http.get("/events?matter=property-transfer", "supervisor").json["items"] == []
        assert http.get(f"/events?location={LOCATION}", "supervisor").json["items"]
        department = http.catalogue.item(REGISTRATION).department
        assert http.get(f"/events?department={department}", "supervisor").json["items"]

    def test_bad_parameters(self, http: Http) -> None:
        """A negative position, a page too big, a wait too long, an unknown parameter: 422."""
        for query in ("after=-1", "limit=5000", "wait=31", "colour=red"):
            r = http.get(f"/events?{query}", "supervisor")
            assert r.status_code == 422, (query, r.json)

    def test_needs_a_token(self, http: Http) -> None:
        """No token: 401."""
        assert http.get("/events", None).status_code == 401


class TestScope:
    def test_each_role_sees_its_own(self, http: Http) -> None:
        """The applicant sees their case's public events, another applicant nothing; the clerk of
        the location and the department's reviewer see the case; another location's clerk not."""
        case_id = http.accepted_business()
        mine = http.get("/events", "me").json["items"]
        assert mine and {e["case_id"] for e in mine} == {case_id} and all(e["public"] for e in mine)
        assert http.get("/events", "other").json["items"] == []
        assert http.get("/events", "clerk").json["items"]
        department = http.catalogue.item(REGISTRATION).department
        assert http.get("/events", department).json["items"]
        stranger = http.authority.issue(Actor(Role.CLERK, "clerk-02", location="elsewhere")).token
        assert http.get("/events", stranger).json["items"] == []
        assert len(http.get("/events?limit=1000", "supervisor").json["items"]) >= len(mine)


    def test_an_agent_sees_only_while_authorised(self, http: Http) -> None:
        """An agent sees the cases they run under an authorisation in force, nothing after it is
        revoked, and nothing of a case that only names them."""
        granted = http.post("/me/agents", "me", {"agent": "grid-07", "matter_id": BIZ}).json
        r = http.post("/cases", "agent", {"matter_id": BIZ, "applicant": PERSON, "channel": "agent",
                                          "location": LOCATION})
        assert r.status_code == 201, r.json
        assert {e["case_id"] for e in http.get("/events", "agent").json["items"]} == {r.json["id"]}
        assert http.client.delete(f"/me/agents/{granted['id']}", headers=http.headers("me")).status_code == 204
        assert http.get("/events", "agent").json["items"] == []


class TestLongPoll:
    def test_a_waiting_request_gets_the_next_event(self, app, http: Http) -> None:
        """``wait`` holds the request until an event after ``after`` commits."""
        answers: list[dict] = []
        started = threading.Event()
        client = app.test_client()
        token = http.tokens["supervisor"]

        def reader() -> None:
            started.set()
            r = client.get("/events?after=0&wait=30", headers={"Authorization": f"Bearer {token}"})
            answers.append(r.json)

        thread = threading.Thread(target=reader)
        thread.start()
        started.wait()
        http.open_business()
        thread.join()
        assert [e["type"] for e in answers[0]["items"]] == ["CaseOpened"]
        assert answers[0]["next"] == 1


class TestWebhooks:
    def test_register_list_deliveries_remove(self, http: Http) -> None:
        """A province-level supervisor registers a webhook (its secret shown once), lists it, reads
        its deliveries and removes it."""
        r = http.post("/webhooks", "supervisor", {"url": "https://dept.example/hook", "kinds": ["CaseOpened"]})
        assert r.status_code == 201, r.json
        hook = r.json
        assert len(hook["secret"]) == 64 and hook["kinds"] == ["CaseOpened"]
        listed = http.get("/webhooks", "supervisor").json["items"]
        assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
        assert http.get(f"/webhooks/{hook['id']}/deliveries?state=dead", "supervisor").json == {"items": []}
        assert http.client.delete(f"/webhooks/{hook['id']}", headers=http.headers("supervisor")).status_code == 204
        r = http.get(f"/webhooks/{hook['id']}/deliveries", "supervisor")
        assert (r.status_code, r.json["code"]) == (404, "OS723")

    def test_only_province_level_supervisors(self, http: Http) -> None:
        """A clerk or a regional supervisor may not register a webhook: 403 OS705."""
        assert http.post("/webhooks", "clerk", {"url": "https://x.example"}).status_code == 403
        regional = http.authority.issue(Actor(Role.SUPERVISOR, "sup-hz"), region="3301").token
        assert http.post("/webhooks", regional, {"url": "https://x.example"}).status_code == 403

    def test_bad_registration(self, http: Http) -> None:
        """A URL that is not http(s) is 422 OS722; a short secret fails the body's validation."""
        r = http.post("/webhooks", "supervisor", {"url": "ftp://x.example"})
        assert (r.status_code, r.json["code"]) == (422, "OS722")
        assert http.post("/webhooks", "supervisor", {"url": "https://x", "secret": "short"}).status_code == 422
