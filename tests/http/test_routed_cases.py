"""Routing over HTTP, on SQLite and PostgreSQL: the shipped newborn's 出生登记 (330102-GA-CSDJ)
goes to the police station of the street the applicant's household is registered in, and only
that station's reviewers see and act on it; a residence outside the rule's area is refused."""

from __future__ import annotations

import pytest
from http_helpers import PERSON

from oneservice.samples import sample_form

NEWBORN, CSDJ = "newborn", "330102-GA-CSDJ"
HUBIN, QINGBO = "330102003", "330102001"


def submitted(http, residence: str):
    plan = http.catalogue.plan(NEWBORN)
    r = http.post("/cases", "me", {"matter_id": NEWBORN, "applicant": PERSON, "channel": "online",
                                   "location": "hz-citizen-centre"})
    assert r.status_code == 201, r.json
    case_id = r.json["id"]
    form = {**sample_form(plan), "residence_region": residence}
    r = http.post(f"/cases/{case_id}/submit", "me", {"form": form, "channel": "online",
                                                      "materials": [line.material.id for line in plan.materials]})
    return case_id, r


class TestByResidence:
    @pytest.mark.parametrize(("residence", "station", "other"), [(HUBIN, "sc-hubin-pcs", "sc-qingbo-pcs"),
                                                                 (QINGBO, "sc-qingbo-pcs", "sc-hubin-pcs")])
    def test_two_residences_two_stations(self, http, residence, station, other) -> None:
        case_id, r = submitted(http, residence)
        assert r.status_code == 200, r.json
        tasks = {t["item_code"]: t for t in http.get(f"/cases/{case_id}/detail", "clerk").json["tasks"]}
        assert tasks[CSDJ]["department"] == station
        assert http.get(f"/cases/{case_id}", station).status_code == 200
        assert http.get(f"/cases/{case_id}", other).status_code == 404  # not its case: not even its id

    def test_a_residence_outside_the_rule_is_refused_with_os750(self, http) -> None:
        case_id, r = submitted(http, "330110112201")  # 径山村, 余杭区: no station of the rule serves it
        assert r.status_code == 422, r.json
        assert r.json["code"] == "OS750"
        assert (r.json["case_id"], r.json["state"], r.json["field"]) == (case_id, "draft", "form.residence_region")
        assert "径山村 (330110112201) is outside the area of item 330102-GA-CSDJ" in r.json["detail"]
        assert http.get(f"/cases/{case_id}/detail", "clerk").json["state"] == "draft"

