"""Parties of a case at run time: checked at opening, trips per party, scope, ratings per party."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import MONDAY, PERSON, Desk, build_engine

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Actor, Applicant, Party, Role
from oneservice.engine.clock import SimulatedClock
from oneservice.errors import ActionRejected, InvalidIdentifier, NotAuthorised, PartyError
from oneservice.samples import sample_form, sample_resident_id

SHIPPED = load_catalogue([Path(__file__).resolve().parents[3] / "workflows"])
CENTRE = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=CENTRE)
SELLER = Applicant("person", sample_resident_id(9), "李四", "13900139000")
SELLER_ACTOR = Actor(Role.APPLICANT, "lisi", applicant_id=SELLER.id_number)
BUYER_ACTOR = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)


@pytest.fixture
def flat() -> Desk:
    return Desk(build_engine(SHIPPED.plan("property-transfer"), SHIPPED), SimulatedClock(MONDAY))


def opened(flat: Desk, parties: list[Party] | None = None):
    return flat.open(CLERK, channel="window", location=CENTRE,
                     parties=[Party("seller", SELLER)] if parties is None else parties)


class TestOpening:
    def test_parties_recorded(self, flat: Desk) -> None:
        """The buyer opens, the seller is a party; both came to the intake visit."""
        case = opened(flat)
        assert case.applicant_role == "buyer"
        assert [(p.role, p.applicant.name) for p in case.parties] == [("seller", "李四")]
        assert case.visits[0].parties == ["buyer", "seller"]
        assert (case.trips, case.trips_of("buyer"), case.trips_of("seller")) == (1, 1, 1)
        assert case.role_of(SELLER.id_number) == "seller" and case.role_of("x") is None

    def test_unknown_role(self, flat: Desk) -> None:
        """A role the matter does not declare: OS711 naming the field, with a suggestion."""
        with pytest.raises(PartyError) as info:
            opened(flat, [Party("sellr", SELLER)])
        assert info.value.code == "OS711"
        assert info.value.field == "parties[0].role"
        assert info.value.hint == "did you mean 'seller'?"

    def test_required_role_missing(self, flat: Desk) -> None:
        """No seller: OS711 naming the missing role."""
        with pytest.raises(PartyError) as info:
            opened(flat, [])
        assert str(info.value) == ("parties: matter property-transfer needs a party in each required role; "
                                   "missing: seller (seller) — 卖方")

    def test_same_person_twice(self, flat: Desk) -> None:
        """The buyer cannot also be the seller."""
        with pytest.raises(PartyError) as info:
            opened(flat, [Party("seller", PERSON)])
        assert info.value.field == "parties[0].applicant.id_number"
        assert "already the buyer" in str(info.value)

    def test_applicants_role_as_a_party(self, flat: Desk) -> None:
        """The buyer's role is taken by the applicant."""
        with pytest.raises(PartyError, match="the applicant takes it"):
            opened(flat, [Party("buyer", SELLER)])

    def test_bad_id_number(self, flat: Desk) -> None:
        """A malformed number of a party: OS621 at the party's field."""
        with pytest.raises(InvalidIdentifier) as info:
            opened(flat, [Party("seller", Applicant("person", "330106199009090000", "李四"))])
        assert info.value.field == "parties[0].applicant.id_number"


class TestTripsAndScope:
    def test_budget_per_party(self, flat: Desk) -> None:
        """A second signing visit takes both parties over the budget; the rejection names the buyer,
        with a reason each party's TripBudgetExceeded is recorded."""
        case = opened(flat)
        flat.engine.submit(case, CLERK, flat.now, sample_form(flat.plan), flat.applicant_materials(), "window")
        flat.engine.accept(case, CLERK, flat.now)
        flat.clock.advance(days=1)
        with pytest.raises(ActionRejected) as info:
            flat.engine.record_visit(case, CLERK, flat.now, "330100-BDC-ZYDJ", "补签")
        assert info.value.details == {"trips": 2, "budget": 1, "party": "buyer"}
        assert "trip 2 of the buyer" in str(info.value)
        flat.engine.record_visit(case, CLERK, flat.now, "330100-BDC-ZYDJ", "补签", over_budget_reason="补签")
        over = [e.data["party"] for e in case.new_events if e.type == "TripBudgetExceeded"]
        assert over == ["buyer", "seller"]
        assert (case.trips_of("buyer"), case.trips_of("seller")) == (2, 2)

    def test_seller_sees_but_does_not_act(self, flat: Desk) -> None:
        """The seller may read the case and is offered no action but rating; the buyer acts."""
        case = opened(flat)
        flat.engine.authorise(case, SELLER_ACTOR, "progress")
        with pytest.raises(NotAuthorised, match="may see it and rate it"):
            flat.engine.authorise(case, SELLER_ACTOR, "withdraw")
        assert flat.engine.allowed_actions(case, SELLER_ACTOR) == []
        assert "withdraw" in flat.engine.allowed_actions(case, BUYER_ACTOR)
        stranger = Actor(Role.APPLICANT, "x", applicant_id=sample_resident_id(20))
        with pytest.raises(NotAuthorised, match="only on their own cases"):
            flat.engine.authorise(case, stranger, "progress")


class TestRatings:
    def test_each_party_rates_once(self, flat: Desk) -> None:
        """The buyer and the seller each rate once, each rating records its party; a second is refused."""
        case = opened(flat)
        flat.engine.withdraw(case, BUYER_ACTOR, flat.now, "改日再办")
        assert flat.engine.allowed_actions(case, SELLER_ACTOR) == ["rate"]
        flat.engine.rate(case, BUYER_ACTOR, flat.now, 5)
        flat.engine.rate(case, SELLER_ACTOR, flat.now, 4)
        assert [(r.party, int(r.level)) for r in case.ratings] == [("buyer", 5), ("seller", 4)]
        assert [e.data["party"] for e in case.new_events if e.type == "CaseRated"] == ["buyer", "seller"]
        assert "rate" not in flat.engine.allowed_actions(case, SELLER_ACTOR)
        with pytest.raises(ActionRejected) as info:
            flat.engine.rate(case, SELLER_ACTOR, flat.now, 3)
        assert info.value.reason == "already_rated"

    def test_a_bad_rating_of_either_party_opens_one_rectification(self, flat: Desk) -> None:
        """The seller's 差评 opens the rectification; the buyer's later 差评 does not open another."""
        case = opened(flat)
        flat.engine.withdraw(case, BUYER_ACTOR, flat.now, "改日再办")
        flat.engine.rate(case, SELLER_ACTOR, flat.now, 1)
        first = case.rectification
        assert first is not None
        flat.engine.rate(case, BUYER_ACTOR, flat.now, 2)
        assert case.rectification is first


class TestRecordVisit:
    def test_the_seller_alone_comes_again(self, flat: Desk) -> None:
        """A clerk records that only the seller came: the seller's second trip, not the buyer's."""
        case = opened(flat)
        flat.engine.submit(case, CLERK, flat.now, sample_form(flat.plan), flat.applicant_materials(), "window")
        flat.engine.accept(case, CLERK, flat.now)
        flat.clock.advance(days=1)
        flat.engine.record_visit(case, CLERK, flat.now, "330100-BDC-ZYDJ", "卖方补签", parties=["seller"],
                                 over_budget_reason="卖方证件过期，换证后补签")
        assert case.visits[-1].parties == ["seller"]
        assert (case.trips_of("buyer"), case.trips_of("seller"), case.trips) == (1, 2, 1)
        assert [e.data.get("party") for e in case.new_events if e.type == "TripBudgetExceeded"] == ["seller"]

    def test_not_a_party(self, flat: Desk) -> None:
        """A role that is not a party of the case: OS711 naming the entry."""
        case = opened(flat)
        flat.engine.submit(case, CLERK, flat.now, sample_form(flat.plan), flat.applicant_materials(), "window")
        with pytest.raises(PartyError) as info:
            flat.engine.record_visit(case, CLERK, flat.now, "330100-BDC-ZYDJ", "签字", parties=["notary"])
        assert (info.value.field, info.value.hint) == ("parties[0]", "roles: buyer, seller")
