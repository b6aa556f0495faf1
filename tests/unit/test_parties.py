"""Parties of a matter: declared roles, validated at file:line, trips proven per party."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from catalog_helpers import codes, item, matter, run

from oneservice.domain.case import Actor, Applicant, Party, Role
from oneservice.domain.definitions import APPLICANT_ROLE, PartyKind
from oneservice.engine.clock import TZ
from oneservice.engine.engine import CaseEngine
from oneservice.errors import PartyError
from oneservice.samples import sample_company_code, sample_resident_id
from oneservice.service.runner import calendar_from_catalogue

BUYER = {"role": "buyer", "name": {"zh": "买方", "en": "buyer"}, "kind": "any", "present_at_intake": True}
SELLER = {"role": "seller", "name": {"zh": "卖方", "en": "seller"}, "present_at_intake": True}


def _matter(parties: Any, **over: Any) -> dict[str, Any]:
    return matter("m", ["A"], parties=parties, **over)


class TestDeclaration:
    def test_default_role(self) -> None:
        """A matter without parties has one role, the applicant's."""
        report = run(item("A"), matter("m", ["A"]))
        assert report.ok, report.findings
        plan = report.catalogue.plan("m")
        assert plan.matter.parties == (APPLICANT_ROLE,)
        assert [(p.role, p.worst) for p in plan.trips.parties] == [("applicant", 0)]

    def test_roles_load(self) -> None:
        """Declared roles load in order, the first is the applicant's."""
        report = run(item("A"), _matter([BUYER, {**SELLER, "kind": "person", "required": False}]))
        assert report.ok, report.findings
        m = report.catalogue.plan("m").matter
        assert [p.role for p in m.parties] == ["buyer", "seller"]
        assert m.applicant_role.role == "buyer"
        seller = m.party_role("seller")
        assert seller is not None and seller.kind is PartyKind.PERSON and not seller.required
        assert seller.name.zh == "卖方" and seller.present_at_intake

    def test_unknown_key(self) -> None:
        """An unknown key of a role: OS201 at its line."""
        report = run(item("A"), _matter([{**BUYER, "sign": True}]))
        finding = next(f for f in report.findings if f.code == "OS201")
        assert finding.path == "matter.parties[0].sign"
        assert finding.file == "1.yaml" and finding.line is not None

    def test_duplicate_role(self) -> None:
        """Two roles with one id: OS205 at the second."""
        report = run(item("A"), _matter([BUYER, {**SELLER, "role": "buyer"}]))
        finding = next(f for f in report.findings if f.code == "OS205")
        assert finding.message == "duplicate party role 'buyer'"
        assert finding.path == "matter.parties[1].role"

    def test_empty_list(self) -> None:
        """An empty list of roles: OS206."""
        report = run(item("A"), _matter([]))
        finding = next(f for f in report.findings if f.code == "OS206")
        assert finding.path == "matter.parties"
        assert "at least one party role" in finding.message

    def test_optional_applicant(self) -> None:
        """The applicant's role cannot be optional."""
        report = run(item("A"), _matter([{**BUYER, "required": False}, SELLER]))
        finding = next(f for f in report.findings if f.code == "OS206")
        assert finding.path == "matter.parties[0].required"

    def test_bad_kind(self) -> None:
        """A kind other than person, company or any: OS203."""
        report = run(item("A"), _matter([{**BUYER, "kind": "robot"}]))
        assert "OS203" in codes(report)


class TestTripsPerParty:
    def test_both_present_at_intake(self) -> None:
        """Buyer and seller both come at intake: one trip each, within a budget of 1."""
        report = run(item("A"), _matter([BUYER, SELLER]))
        assert report.ok, report.findings
        trips = report.catalogue.plan("m").trips
        assert [(p.role, p.best, p.worst) for p in trips.parties] == [("buyer", 1, 1), ("seller", 1, 1)]
        assert (trips.best, trips.worst) == (1, 1)
        intake = [s for s in trips.steps if s.stage == "intake"]
        assert [s.parties for s in intake] == [("buyer", "seller")]

    def test_other_party_alone(self) -> None:
        """The applicant may apply online; a seller present at intake still comes once."""
        report = run(item("A"), _matter([{**BUYER, "present_at_intake": False}, SELLER]))
        trips = report.catalogue.plan("m").trips
        assert [(p.role, p.worst) for p in trips.parties] == [("buyer", 0), ("seller", 1)]
        seller = trips.party("seller")
        assert seller is not None and seller.best == 1

    def test_zero_trip_budget_names_the_party(self) -> None:
        """A zero-trip matter whose seller must come: OS501 names the seller."""
        doc = _matter([{**BUYER, "present_at_intake": False}, SELLER], trip_budget=0,
                      pickup={"channels": ["mail", "electronic"]})
        report = run(item("A"), doc)
        finding = next(f for f in report.findings if f.code == "OS501")
        assert finding.message.startswith("worst case 1 on-site trip(s) of party 'seller' (seller) exceeds "
                                          "the trip budget of 0")
        assert finding.path == "matter.trip_budget"

    def test_over_budget_for_the_applicant_only(self) -> None:
        """Correction at the window only: the buyer's worst case is 2, the seller's 1; OS501 names the buyer."""
        doc = _matter([BUYER, SELLER], correction={"channels": ["window"]})
        report = run(item("A"), doc)
        messages = [f.message for f in report.findings if f.code == "OS501"]
        assert len(messages) == 1
        assert "of party 'buyer' (buyer)" in messages[0]


class TestKind:
    def test_kind_does_not_fit(self) -> None:
        """A company in a role for persons: OS711 at the party's kind, with the Chinese hint."""
        report = run(item("A"), matter("m", ["A"], parties=[
            {"role": "father", "name": {"zh": "父亲", "en": "father"}, "kind": "person"},
            {"role": "mother", "name": {"zh": "母亲", "en": "mother"}, "kind": "person"}]))
        assert report.catalogue is not None
        engine = CaseEngine(report.catalogue.plan("m"), calendar_from_catalogue(report.catalogue))
        father = Applicant("person", sample_resident_id(1), "张三")
        company = Applicant("company", sample_company_code(3), "某公司")
        me = Actor(Role.APPLICANT, "zs", applicant_id=father.id_number)
        now = dt.datetime(2026, 9, 28, 9, tzinfo=TZ)
        with pytest.raises(PartyError) as info:
            engine.open_case(me, "C-1", father, "online", "x", now, parties=[Party("mother", company)])
        assert info.value.field == "parties[0].applicant.kind"
        assert info.value.hint == "母亲须为自然人"
        with pytest.raises(PartyError) as info:
            engine.open_case(me, "C-1", company, "online", "x", now)
        assert info.value.field == "applicant.kind"
