"""Near home over HTTP, on SQLite and PostgreSQL: a case taken in by the village agent (代办员) is
reviewed by the county bureau and handed back at the village window in one trip; the applicant
chooses another pickup point; the errors of a point that does not fit. The catalogue is
``tests/fixtures/points`` (see tests/unit/engine/test_points.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from http_helpers import PERSON, Http

from oneservice import Actor, Role, load_catalogue

POINTS = load_catalogue([Path(__file__).resolve().parents[1] / "fixtures" / "points"])
VILLAGE, TOWN, COUNTY = "jingshan-village", "jingshan-town", "yh-centre"


@pytest.fixture
def catalogue():
    return POINTS


@pytest.fixture
def near(http: Http, authority) -> Http:
    """The cast of the village: its agent and clerk, the town's and the county's clerks."""
    for name, actor in {
        "village-agent": Actor(Role.AGENT, "grid-07", location=VILLAGE),
        "village-clerk": Actor(Role.CLERK, "clerk-jsc", location=VILLAGE),
        "town-clerk": Actor(Role.CLERK, "clerk-jsz", location=TOWN),
        "county-clerk": Actor(Role.CLERK, "clerk-yh", location=COUNTY),
    }.items():
        http.tokens[name] = authority.issue(actor).token
    return http


def taken_in(http: Http, matter: str = "near-home") -> str:
    """The applicant authorises the village agent, who takes the case in at the village point."""
    assert http.post("/me/agents", "me", {"agent": "grid-07", "matter_id": matter}).status_code == 201
    r = http.post("/cases", "village-agent", {"matter_id": matter, "applicant": PERSON, "channel": "agent",
                                              "location": VILLAGE})
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def reviewed(http: Http, case_id: str, matter: str = "near-home") -> None:
    form = {"residence_region": "330110112201"} if matter == "near-home" else {}
    materials = [line.material.id for line in POINTS.plan(matter).materials]
    r = http.post(f"/cases/{case_id}/submit", "village-agent", {"form": form, "materials": materials,
                                                                 "channel": "agent"})
    assert r.status_code == 200, r.json
    assert http.post(f"/cases/{case_id}/accept", "village-clerk").status_code == 200
    for item in POINTS.plan(matter).items:
        assert http.post(f"/cases/{case_id}/items/{item.code}/start-review", "yh-hrss").status_code == 200
        r = http.post(f"/cases/{case_id}/items/{item.code}/approve", "yh-hrss")
        assert r.status_code == 200, r.json
    assert r.json["state"] == "ready_for_pickup"


def queue(http: Http, location: str, who: str) -> list[str]:
    r = http.get(f"/worklists/window/{location}", who)
    assert r.status_code == 200, r.json
    return [row["id"] for row in r.json["items"]]


class TestBackAtTheVillage:
    def test_village_intake_county_review_village_pickup_in_one_trip(self, near) -> None:
        case_id = taken_in(near)
        assert near.get(f"/cases/{case_id}/detail", "village-clerk").json["pickup_location"] == VILLAGE
        reviewed(near, case_id)
        assert queue(near, VILLAGE, "village-clerk") == [case_id]
        r = near.post(f"/cases/{case_id}/deliver", "village-clerk", {"channel": "window"})
        assert r.status_code == 200, r.json
        assert r.json["state"] == "delivered" and r.json["trips"] == 1 and r.json["trip_budget"] == 1
        assert queue(near, VILLAGE, "village-clerk") == []
        detail = near.get(f"/cases/{case_id}/detail", "village-clerk").json
        assert [(v["location"], v["purposes"]) for v in detail["visits"]] == [(VILLAGE, ["pickup"])]

    def test_the_applicant_chooses_the_town_and_its_window_hands_out(self, near) -> None:
        case_id = taken_in(near)
        r = near.post(f"/cases/{case_id}/pickup-point", "me", {"location": TOWN})
        assert r.status_code == 200, r.json
        reviewed(near, case_id)
        assert queue(near, VILLAGE, "village-clerk") == []
        assert queue(near, TOWN, "town-clerk") == [case_id]
        r = near.post(f"/cases/{case_id}/deliver", "village-clerk", {"channel": "window"})
        assert r.status_code == 422 and r.json["code"] == "OS702", r.json
        assert r.json["details"] == {"pickup_location": TOWN}
        assert "the results wait at jingshan-town" in r.json["detail"]
        assert near.post(f"/cases/{case_id}/deliver", "town-clerk", {"channel": "window"}).status_code == 200


class TestPointErrors:
    def test_a_point_below_the_cards_window_is_refused_with_os751(self, near) -> None:
        case_id = taken_in(near, "card")
        r = near.post(f"/cases/{case_id}/pickup-point", "me", {"location": TOWN})
        assert r.status_code == 422, r.json
        assert r.json["code"] == "OS751"
        assert "county or district level or above" in r.json["detail"]
        assert near.get(f"/cases/{case_id}/detail", "county-clerk").json["pickup_location"] == COUNTY

    def test_an_intake_level_the_matter_lacks_is_refused_with_os751(self, near) -> None:
        r = near.post("/cases", "clerk", {"matter_id": "near-home", "applicant": PERSON, "channel": "window",
                                          "location": "hz-citizen-centre"})
        assert r.status_code == 422 and r.json["code"] == "OS751", r.json
        assert "not taken in at city points" in r.json["detail"]

    def test_an_agent_outside_its_area_is_refused(self, near) -> None:
        case_id = taken_in(near)
        materials = [line.material.id for line in POINTS.plan("near-home").materials]
        r = near.post(f"/cases/{case_id}/submit", "village-agent",
                      {"form": {"residence_region": "330102003"}, "materials": materials, "channel": "agent"})
        assert r.status_code == 403, r.json
        assert "outside the area of agent grid-07's point jingshan-village" in r.json["detail"]
        assert near.get(f"/cases/{case_id}/detail", "village-clerk").json["state"] == "draft"
