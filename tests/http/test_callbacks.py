"""Callbacks in (``/callbacks/…``): other systems report decisions, licences, fees and receipts
with system tokens of their own, scoped, idempotent, every refusal in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from http_helpers import LOCATION, PARCEL, PERSON, REGISTRATION, Http

from oneservice import Actor, Role
from oneservice.samples import sample_form

TRANSFER = "property-transfer"
REGISTRY_ITEM = "330100-BDC-ZYDJ"  # 80 yuan
LICENCE = {"number": "91330102MA2XXXXX1", "issuer": "杭州市上城区市场监督管理局"}


def system(http: Http, name: str, *scopes: str, department: str | None = None) -> str:
    return http.authority.issue(Actor(Role.SYSTEM, name, department=department), scopes=scopes).token


def decision(case_id: str, item: str = REGISTRATION) -> str:
    return f"/callbacks/cases/{case_id}/items/{item}/decision"


def events_of(http: Http, case_id: str, kind: str) -> list[dict[str, Any]]:
    items = http.get(f"/cases/{case_id}/events?page_size=200", "supervisor").json["items"]
    return [e for e in items if e["type"] == kind]


def audit(http: Http, case_id: str) -> list[dict[str, Any]]:
    r = http.get(f"/audit?case_id={case_id}", "supervisor")
    assert r.status_code == 200, r.json
    return list(r.json["items"])


def approved_transfer(http: Http) -> str:
    """A property transfer with every item approved (ready for pickup, the registry fee unpaid)."""
    plan = http.catalogue.plan(TRANSFER)
    r = http.post("/cases", "clerk", {"matter_id": TRANSFER, "applicant": PERSON, "channel": "window",
                                      "location": LOCATION})
    assert r.status_code == 201, r.json
    case_id = r.json["id"]
    materials = [line.material.id for line in plan.materials if line.required]
    r = http.post(f"/cases/{case_id}/submit", "clerk", {"form": sample_form(plan), "materials": materials,
                                                       "channel": "window"})
    assert r.status_code == 200, r.json
    assert http.post(f"/cases/{case_id}/accept", "clerk").status_code == 200
    pending = [item.code for item in plan.items]
    while pending:
        tasks = http.get(f"/cases/{case_id}", "supervisor").json["tasks"]
        ready = [code for code in pending if tasks[code] == "ready"]
        assert ready, tasks
        for code in ready:
            dep = http.reviewer(code)
            assert http.post(f"/cases/{case_id}/items/{code}/start-review", dep).status_code == 200
            assert http.post(f"/cases/{case_id}/items/{code}/approve", dep).status_code == 200
            pending.remove(code)
    return str(case_id)


class TestDecision:
    def test_a_department_system_approves_with_its_licence_once(self, http: Http) -> None:
        """Review, approval and the licence in one call; the same call again answers the same and
        changes nothing; the event log names the system."""
        case_id = http.accepted_business()
        token = system(http, "amr-approval", "decision", "licence", department=http.reviewer(REGISTRATION))
        body = {"decision": "approved", "licence": LICENCE}
        first = http.post(decision(case_id), token, body, idempotency_key="cb-1")
        assert first.status_code == 200, first.json
        again = http.post(decision(case_id), token, body, idempotency_key="cb-1")
        assert again.status_code == 200 and again.json == first.json
        approved = events_of(http, case_id, "ItemApproved")
        assert len(approved) == 1 and approved[0]["actor"].startswith("reviewer:amr-approval@")
        issued = events_of(http, case_id, "LicenceIssued")
        assert [e["data"]["number"] for e in issued] == [LICENCE["number"]]

    def test_a_reviewer_token_still_decides(self, http: Http) -> None:
        case_id = http.accepted_business()
        r = http.post(decision(case_id), http.reviewer(REGISTRATION), {"decision": "refused", "reason": "名称冲突"},
                      idempotency_key="k")
        assert r.status_code == 200, r.json
        assert r.json["tasks"][REGISTRATION] == "refused"

    def test_bad_decisions(self, http: Http) -> None:
        """No key: 422; a refusal without a reason: 422; a decision on an approved item: 409."""
        case_id = http.accepted_business()
        token = system(http, "amr-approval", "decision", department=http.reviewer(REGISTRATION))
        assert http.post(decision(case_id), token, {"decision": "approved"}).status_code == 422
        r = http.post(decision(case_id), token, {"decision": "refused"}, idempotency_key="k0")
        assert (r.status_code, r.json["code"]) == (422, "OS620")
        assert http.post(decision(case_id), token, {"decision": "approved"}, idempotency_key="k1").status_code == 200
        r = http.post(decision(case_id), token, {"decision": "approved"}, idempotency_key="k2")
        assert (r.status_code, r.json["code"]) == (409, "OS701")
        assert any(row["case_id"] == case_id and row["reason"].startswith("409") for row in audit(http, case_id))


class TestCredentials:
    def test_a_system_token_reaches_callbacks_and_the_feed_only(self, http: Http) -> None:
        case_id = http.accepted_business()
        token = system(http, "amr-approval", "decision", department=http.reviewer(REGISTRATION))
        r = http.get(f"/cases/{case_id}", token)
        assert (r.status_code, r.json["code"]) == (403, "OS705")
        assert http.post(f"/cases/{case_id}/items/{REGISTRATION}/start-review", token).status_code == 403
        assert http.get("/worklists/colour/red", token).status_code == 403
        feed = http.get("/events?after=0", token)
        assert feed.status_code == 200 and feed.json["items"]
        assert {e["department"] for e in feed.json["items"]} <= {http.reviewer(REGISTRATION), None}

    def test_scopes_are_checked(self, http: Http) -> None:
        """A payment system may not decide; a department's system not another department's item,
        nor a case without its items (404, as a case that does not exist); each refusal recorded."""
        case_id = http.accepted_business()
        payment = system(http, "unified-payment", "fee")
        r = http.post(decision(case_id), payment, {"decision": "approved"}, idempotency_key="k")
        assert (r.status_code, r.json["code"]) == (403, "OS705") and "'decision'" in r.json["detail"]
        department = http.reviewer(REGISTRATION)
        other_item = next(i.code for i in http.catalogue.plan("start-a-business").items
                          if i.department != department)
        own = system(http, "amr-approval", "decision", department=department)
        r = http.post(decision(case_id, other_item), own, {"decision": "approved"}, idempotency_key="k")
        assert (r.status_code, r.json["code"]) == (403, "OS705")
        outsider = next(d for d in http.catalogue.departments
                        if d not in {i.department for i in http.catalogue.plan("start-a-business").items})
        foreign = system(http, "far-away", "decision", department=outsider)
        r = http.post(decision(case_id), foreign, {"decision": "approved"}, idempotency_key="k")
        assert (r.status_code, r.json["code"]) == (404, "OS700")
        rows = audit(http, case_id)
        assert {row["actor"].split("@")[0] for row in rows} >= {"system:unified-payment", "system:amr-approval",
                                                                "system:far-away"}

    def test_forged_expired_and_revoked_tokens_are_refused_and_recorded(self, http: Http) -> None:
        case_id = http.accepted_business()
        department = http.reviewer(REGISTRATION)
        forged = system(http, "amr-approval", "decision", department=department)[:-4] + "AAAA"
        expired = http.authority.issue(Actor(Role.SYSTEM, "amr-old", department=department),
                                       dt.timedelta(minutes=-5), scopes=("decision",))
        revoked = http.authority.issue(Actor(Role.SYSTEM, "amr-gone", department=department),
                                       scopes=("decision",))
        http.authority.revoke(revoked.id)
        for token, words in ((forged, "not signed"), (expired.token, "expired"), (revoked.token, "revoked")):
            r = http.post(decision(case_id), token, {"decision": "approved"}, idempotency_key="k")
            assert (r.status_code, r.json["code"]) == (401, "OS902") and words in r.json["detail"]
        assert http.post(decision(case_id), None, {"decision": "approved"}).status_code == 401
        rows = [row for row in audit(http, case_id) if row["actor"] == "unauthenticated"]
        assert sum(row["refusals"] for row in rows) == 4
        assert http.get(f"/cases/{case_id}", "supervisor").json["tasks"][REGISTRATION] == "ready"

    def test_unknown_case_is_recorded(self, http: Http) -> None:
        token = system(http, "unified-payment", "fee")
        r = http.post(f"/callbacks/cases/20261201-000000000000/items/{REGISTRY_ITEM}/fee", token,
                      {"amount": "80", "reference": "ZF-1"}, idempotency_key="k")
        assert (r.status_code, r.json["code"]) == (404, "OS700")
        assert audit(http, "20261201-000000000000")[0]["actor"] == "system:unified-payment"

    @pytest.mark.parametrize(("role", "scopes", "department", "words"), [
        (Role.SYSTEM, (), None, "names its scopes"),
        (Role.SYSTEM, ("decision",), None, "names its department"),
        (Role.SYSTEM, ("refund",), None, "unknown scope"),
        (Role.CLERK, ("fee",), None, "only a system token"),
    ])
    def test_bad_system_tokens_are_not_issued(self, http: Http, role: Role, scopes: tuple[str, ...],
                                              department: str | None, words: str) -> None:
        location = LOCATION if role is Role.CLERK else None
        with pytest.raises(ValueError, match=words):
            http.authority.issue(Actor(role, "x", department=department, location=location), scopes=scopes)


class TestFeesLicencesReceipts:
    def test_the_payment_service_confirms_a_fee_before_hand_over(self, http: Http) -> None:
        case_id = approved_transfer(http)
        r = http.post(f"/cases/{case_id}/deliver", "clerk", {"channel": "electronic"})
        assert (r.status_code, r.json["code"]) == (422, "OS702") and "缴费后出件" in r.json["detail"]
        payment = system(http, "unified-payment", "fee")
        path = f"/callbacks/cases/{case_id}/items/{REGISTRY_ITEM}/fee"
        r = http.post(path, payment, {"amount": "79", "reference": "ZF-1"}, idempotency_key="f0")
        assert (r.status_code, r.json["code"]) == (422, "OS620")
        first = http.post(path, payment, {"amount": "80.00", "reference": "ZF-1"}, idempotency_key="f1")
        assert first.status_code == 200, first.json
        assert http.post(path, payment, {"amount": "80.00", "reference": "ZF-1"}, idempotency_key="f1").json == first.json
        r = http.post(path, payment, {"amount": "80", "reference": "ZF-2"}, idempotency_key="f2")
        assert (r.status_code, r.json["code"]) == (422, "OS702")
        assert [e["data"]["reference"] for e in events_of(http, case_id, "FeePaid")] == ["ZF-1"]
        assert http.post(f"/cases/{case_id}/deliver", "clerk", {"channel": "electronic"}).status_code == 200

    def test_the_licence_library_records_a_licence_by_reference(self, http: Http) -> None:
        """The department's system records its number for the item, the library reports by it;
        another system does not find that number; a number is one item's."""
        case_id = approved_transfer(http)
        department = http.reviewer(REGISTRY_ITEM)
        library = system(http, "zj-licences", "licence", department=department)
        path = f"/callbacks/cases/{case_id}/items/{REGISTRY_ITEM}/reference"
        r = http.post(path, library, {"reference": "BDC-2026-000123"}, idempotency_key="r1")
        assert r.status_code == 200, r.json
        r = http.post("/callbacks/references/BDC-2026-000123/licence", library,
                      {"number": "浙(2026)杭州市不动产权第0012345号", "issuer": "杭州市规划和自然资源局"},
                      idempotency_key="l1")
        assert r.status_code == 200, r.json
        assert events_of(http, case_id, "LicenceIssued")[0]["data"]["number"].endswith("0012345号")
        stranger = system(http, "someone-else", "licence", department=department)
        r = http.post("/callbacks/references/BDC-2026-000123/licence", stranger,
                      {"number": "X-1", "issuer": "Y"}, idempotency_key="l1")
        assert (r.status_code, r.json["code"]) == (404, "OS700")
        second = approved_transfer(http)
        r = http.post(f"/callbacks/cases/{second}/items/{REGISTRY_ITEM}/reference", library,
                      {"reference": "BDC-2026-000123"}, idempotency_key="r2")
        assert (r.status_code, r.json["code"]) == (422, "OS702")
        progress = http.get(f"/cases/{case_id}/progress", "me").json
        assert "BDC-2026-000123" not in str(progress)  # the reference is not shown to the applicant

    def test_the_carrier_reports_a_parcel_received(self, http: Http) -> None:
        case_id = http.accepted_business()
        http.approve_all(case_id)
        http.deliver(case_id)  # the seals by mail
        carrier = system(http, "ems", "delivery")
        path = f"/callbacks/cases/{case_id}/receipt"
        r = http.post(path, carrier, {"result": "business-licence", "note": "x"}, idempotency_key="e0")
        assert (r.status_code, r.json["code"]) == (422, "OS702")  # pushed electronically, not mailed
        r = http.post(path, carrier, {"result": "seal-filing", "note": "本人签收"}, idempotency_key="e1")
        assert r.status_code == 200, r.json
        received = events_of(http, case_id, "DeliveryReceived")
        assert [(e["data"]["result"], e["data"]["tracking"]) for e in received] == [("seal-filing", PARCEL)]
        r = http.post(path, carrier, {"result": "seal-filing"}, idempotency_key="e2")
        assert (r.status_code, r.json["code"]) == (422, "OS702")
