"""Parties over HTTP: opening a property transfer with its seller, the seller's list and progress."""

from __future__ import annotations

from http_helpers import LOCATION, OTHER_ID, PERSON, PERSON_ID

from oneservice.samples import sample_form

FLAT = "property-transfer"
SELLER = {"kind": "person", "id_number": OTHER_ID, "name": "李四", "phone": "13900139000"}


def open_flat(http, parties=None):
    body = {"matter_id": FLAT, "applicant": PERSON, "channel": "window", "location": LOCATION,
            "parties": [{"role": "seller", "applicant": SELLER}] if parties is None else parties}
    return http.post("/cases", "clerk", body)


class TestParties:
    def test_both_parties_see_the_case(self, http):
        """The buyer and the seller each list the case; each progress view is their own."""
        r = open_flat(http)
        assert r.status_code == 201, r.json
        case_id = r.json["id"]
        for who in ("me", "other"):
            listed = http.get("/me/cases", who)
            assert [row["id"] for row in listed.json["items"]] == [case_id], who
        seller = http.get(f"/cases/{case_id}/progress", "other").json
        assert (seller["party"], seller["trips"]) == ("seller", 1)
        lines = {line["role"]: line for line in seller["parties"]}
        assert lines["buyer"]["trips"] is None and lines["seller"]["trips"] == 1
        assert PERSON_ID not in str(seller) and OTHER_ID not in str(seller)
        assert lines["buyer"]["id_number"].count("*") == 8 and lines["buyer"]["name"] == "张三"
        buyer = http.get(f"/cases/{case_id}/progress", "me").json
        assert (buyer["party"], buyer["trips"]) == ("buyer", 1)
        detail = http.get(f"/cases/{case_id}/detail", "clerk").json
        assert detail["applicant_role"] == "buyer"
        assert [(p["role"], p["id_number"], p["trips"]) for p in detail["parties"]] == [("seller", OTHER_ID, 1)]
        assert detail["visits"][0]["parties"] == ["buyer", "seller"]

    def test_the_seller_may_not_withdraw(self, http):
        """The seller sees the case but the applicant acts on it: 403 OS705."""
        case_id = open_flat(http).json["id"]
        r = http.post(f"/cases/{case_id}/withdraw", "other", {"reason": "不卖了"})
        assert (r.status_code, r.json["code"]) == (403, "OS705")

    def test_unknown_role_and_missing_seller(self, http):
        """An undeclared role and a missing required role: 422 OS711 naming the field."""
        r = open_flat(http, [{"role": "agent", "applicant": SELLER}])
        assert (r.status_code, r.json["code"], r.json["field"]) == (422, "OS711", "parties[0].role")
        r = open_flat(http, [])
        assert (r.status_code, r.json["code"], r.json["field"]) == (422, "OS711", "parties")

    def test_bad_number_of_a_party(self, http):
        """A party's malformed ID number: 422 OS621 at the party's field."""
        r = open_flat(http, [{"role": "seller", "applicant": {**SELLER, "id_number": "330106199009090000"}}])
        assert (r.status_code, r.json["code"]) == (422, "OS621")
        assert r.json["field"] == "parties[0].applicant.id_number"

    def test_a_visit_of_the_seller_alone(self, http):
        """POST …/visits with parties: the seller's trip only."""
        case_id = open_flat(http).json["id"]
        form = sample_form(http.catalogue.plan(FLAT))
        materials = [line.material.id for line in http.catalogue.plan(FLAT).materials if line.required]
        r = http.post(f"/cases/{case_id}/submit", "clerk", {"form": form, "materials": materials,
                                                             "channel": "window"})
        assert r.status_code == 200, r.json
        r = http.post(f"/cases/{case_id}/items/330100-BDC-ZYDJ/visits", "clerk",
                      {"purpose": "卖方补签", "parties": ["seller"]})
        assert r.status_code == 200, r.json
        detail = http.get(f"/cases/{case_id}/detail", "clerk").json
        assert detail["visits"][-1]["parties"] == ["buyer", "seller"]  # the same day: the same visit
        r = http.post(f"/cases/{case_id}/items/330100-BDC-ZYDJ/visits", "clerk",
                      {"purpose": "签字", "parties": ["notary"]})
        assert (r.status_code, r.json["code"], r.json["field"]) == (422, "OS711", "parties[0]")


class TestSignatures:
    def test_each_party_signs_online_before_acceptance(self, http):
        """Handed in online, the application waits for both signatures: accept is 409 incomplete
        until buyer and seller have signed at POST …/signatures, each signed in as themselves."""
        body = {"matter_id": FLAT, "applicant": PERSON, "channel": "online", "location": LOCATION,
                "parties": [{"role": "seller", "applicant": SELLER}]}
        case_id = http.post("/cases", "me", body).json["id"]
        form = sample_form(http.catalogue.plan(FLAT))
        r = http.post(f"/cases/{case_id}/submit", "me", {"form": form, "channel": "online",
                                                          "materials": ["property-registration-application"]})
        assert r.status_code == 200, r.json
        lines = http.get(f"/cases/{case_id}/completeness", "clerk").json["lines"]
        assert [(x["kind"], x["id"]) for x in lines] == [
            ("signature", "property-registration-application/buyer"),
            ("signature", "property-registration-application/seller")]
        assert "sign" in http.get(f"/cases/{case_id}", "other").json["allowed"]
        r = http.post(f"/cases/{case_id}/signatures", "me", {"role": "seller", "channel": "online"})
        assert (r.status_code, r.json["code"]) == (403, "OS705")  # the buyer cannot sign for the seller
        r = http.post(f"/cases/{case_id}/signatures", "me", {"role": "buyer", "channel": "online"})
        assert r.status_code == 200, r.json
        r = http.post(f"/cases/{case_id}/signatures", "other", {"role": "seller", "channel": "mobile",
                                                                  "materials": ["property-registration-application"]})
        assert r.status_code == 200, r.json
        r = http.post(f"/cases/{case_id}/signatures", "other", {"role": "seller", "channel": "online"})
        assert (r.status_code, r.json["reason"]) == (422, "nothing_to_sign")
        detail = http.get(f"/cases/{case_id}/detail", "clerk").json
        assert [(s["role"], s["channel"], s["agent"]) for s in detail["signatures"]] == [
            ("buyer", "online", None), ("seller", "mobile", None)]
        assert http.get(f"/cases/{case_id}/completeness", "clerk").json["lines"] == []

    def test_an_agent_needs_the_authorisation(self, http):
        """The seller's agent without the reference of the written authorisation: 422 OS711 at
        parties[1].authorisation; with it, the agent comes in the seller's place."""
        agent = {"kind": "person", "id_number": "330106199011230225", "name": "赵六"}
        r = open_flat(http, [{"role": "seller", "applicant": SELLER}, {"role": "seller-agent", "applicant": agent}])
        assert (r.status_code, r.json["code"], r.json["field"]) == (422, "OS711", "parties[1].authorisation")
        r = open_flat(http, [{"role": "seller", "applicant": SELLER},
                             {"role": "seller-agent", "applicant": agent, "authorisation": "(2026)浙杭证字第1234号"}])
        assert r.status_code == 201, r.json
        detail = http.get(f"/cases/{r.json['id']}/detail", "clerk").json
        assert detail["visits"][0]["parties"] == ["buyer", "seller-agent"]
        assert [(p["role"], p["authorisation"]) for p in detail["parties"]] == [
            ("seller", None), ("seller-agent", "(2026)浙杭证字第1234号")]
