"""Signatures (签字) of the materials that need them, and agents acting under a written authorisation.

joint-lease (the tests' catalogue): the tenant applies, the landlord co-signs the application and
the contract, online or at the window; a landlord's agent (委托代理人) may sign for them.
property-transfer (shipped): buyer and seller sign at the window at intake; a seller may send an agent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import CENTRE, CLERK, ME, MONDAY, PERSON, Desk, build_engine, event

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Actor, Applicant, Party, Role
from oneservice.engine.clock import SimulatedClock
from oneservice.errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised, PartyError
from oneservice.samples import sample_form, sample_resident_id

LANDLORD = Applicant("person", sample_resident_id(21), "王五", "13900139001")
LANDLORD_ACTOR = Actor(Role.APPLICANT, "wangwu", applicant_id=LANDLORD.id_number)
AGENT = Applicant("person", sample_resident_id(22), "赵六", "13900139002")
AGENT_ACTOR = Actor(Role.APPLICANT, "zhaoliu", applicant_id=AGENT.id_number)
AUTHORISATION = "(2026)浙杭西证字第1234号"
BOTH = ["lease-application", "lease-contract"]


@pytest.fixture
def lease(catalogue, clock) -> Desk:
    return Desk(build_engine(catalogue.plan("joint-lease"), catalogue), clock)


def online(lease: Desk, *, agent: bool = False):
    parties = [Party("landlord", LANDLORD)]
    if agent:
        parties.append(Party("landlord-agent", AGENT, AUTHORISATION))
    case = lease.open(parties=parties)
    lease.engine.submit(case, ME, lease.now, {}, BOTH + (["landlord-authorisation"] if agent else []), "online")
    return case


def unsigned(lease: Desk, case) -> list[str]:
    return [i.id for i in lease.engine.completeness(case).issues if i.kind == "signature"]


class TestOnline:
    def test_each_party_signs_online_then_acceptance(self, lease: Desk) -> None:
        """Handed in online, nothing is signed; each party signs themselves; then it is accepted."""
        case = online(lease)
        assert unsigned(lease, case) == ["lease-application/tenant", "lease-application/landlord",
                                         "lease-contract/tenant", "lease-contract/landlord"]
        assert "sign" in lease.engine.allowed_actions(case, LANDLORD_ACTOR)
        with pytest.raises(ActionRejected) as info:
            lease.engine.accept(case, CLERK, lease.now)
        assert info.value.reason == "incomplete"
        assert "not signed: Lease contract (by the landlord)" in str(info.value)
        lease.engine.sign(case, ME, lease.now, "tenant")
        lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord", ["lease-contract"])
        assert unsigned(lease, case) == ["lease-application/landlord"]
        lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord", channel="mobile")
        assert unsigned(lease, case) == [] and "sign" not in lease.engine.allowed_actions(case, LANDLORD_ACTOR)
        assert [(s.material_id, s.role, s.channel, s.by) for s in case.signatures] == [
            ("lease-application", "tenant", "online", "zhangsan"), ("lease-contract", "tenant", "online", "zhangsan"),
            ("lease-contract", "landlord", "online", "wangwu"),
            ("lease-application", "landlord", "mobile", "wangwu")]
        assert case.visits == [] and case.trips_of("landlord") == 0
        lease.engine.accept(case, CLERK, lease.now)
        assert case.state == "in_progress"
        signed = [e for e in case.new_events if e.type == "MaterialsSigned"]
        assert [e.data["materials"] for e in signed] == [BOTH, ["lease-contract"], ["lease-application"]]

    def test_the_one_time_notice_lists_missing_signatures(self, lease: Desk) -> None:
        """The one-time notice names each signature still missing (zh and en)."""
        case = online(lease)
        lease.engine.sign(case, ME, lease.now, "tenant")
        check = lease.engine.give_notice(case, CLERK, lease.now)
        assert [(i.kind, i.id, i.message_zh) for i in check.issues] == [
            ("signature", "lease-application/landlord", "待签字：租赁登记备案申请表（须由出租人签字）"),
            ("signature", "lease-contract/landlord", "待签字：房屋租赁合同（须由出租人签字）")]
        lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord")  # while awaiting materials
        lease.engine.supplement(case, ME, lease.now, {}, [], "online")
        lease.engine.accept(case, CLERK, lease.now)
        assert case.state == "in_progress"

    def test_only_the_party_signs_online(self, lease: Desk) -> None:
        """Online, a party signs only for themselves: the tenant cannot sign for the landlord."""
        case = online(lease)
        with pytest.raises(NotAuthorised, match="the landlord signs themselves"):
            lease.engine.sign(case, ME, lease.now, "landlord")
        with pytest.raises(NotAuthorised, match="signs themselves"):
            lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "tenant")
        assert case.signatures == []


class TestBadInput:
    def test_specific_errors(self, lease: Desk) -> None:
        """Each wrong call gets its own error, and nothing is recorded."""
        case = online(lease)
        with pytest.raises(PartyError, match="no party in the role 'buyer'"):
            lease.engine.sign(case, ME, lease.now, "buyer")
        with pytest.raises(InvalidInput) as info:
            lease.engine.sign(case, ME, lease.now, "tenant", ["lease-contract", "nope"])
        assert info.value.field == "materials[1]"
        lease.engine.sign(case, ME, lease.now, "tenant", ["lease-contract"])
        with pytest.raises(ActionRejected) as rejected:
            lease.engine.sign(case, ME, lease.now, "tenant", ["lease-contract"])
        assert rejected.value.reason == "already_signed"
        with pytest.raises(InvalidInput, match="not a channel allowed for signing"):
            lease.engine.sign(case, ME, lease.now, "tenant", channel="mail")
        with pytest.raises(PartyError, match="not an agent of the landlord"):
            lease.engine.sign(case, ME, lease.now, "landlord", signer="tenant")
        assert len(case.signatures) == 1

    def test_a_material_not_signed_by_the_role_or_not_handed_in(self, catalogue, clock) -> None:
        lease = Desk(build_engine(catalogue.plan("joint-lease"), catalogue), clock)
        case = lease.open(parties=[Party("landlord", LANDLORD)])
        lease.engine.submit(case, ME, lease.now, {}, ["lease-application"], "online")
        with pytest.raises(ActionRejected) as info:
            lease.engine.sign(case, ME, lease.now, "tenant", ["lease-contract"])
        assert info.value.reason == "not_received"
        with pytest.raises(ActionRejected) as info:
            lease.engine.sign(case, ME, lease.now, "tenant", ["landlord-authorisation"])
        assert info.value.reason == "not_a_signer"
        lease.engine.sign(case, ME, lease.now, "tenant")
        with pytest.raises(ActionRejected) as info:
            lease.engine.sign(case, ME, lease.now, "tenant")
        assert info.value.reason == "nothing_to_sign"

    def test_not_after_acceptance(self, lease: Desk) -> None:
        case = online(lease)
        lease.engine.sign(case, ME, lease.now, "tenant")
        lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord")
        lease.engine.accept(case, CLERK, lease.now)
        with pytest.raises(IllegalAction):
            lease.engine.sign(case, ME, lease.now, "tenant")


class TestAtTheWindow:
    def test_parties_present_sign_at_intake(self, lease: Desk) -> None:
        """A hand-in at the window: the parties who came sign before the clerk (the tenant alone
        here); the landlord comes later the same day: one more signature, no second trip of the tenant."""
        case = lease.open(CLERK, channel="window", parties=[Party("landlord", LANDLORD)])
        lease.engine.submit(case, CLERK, lease.now, {}, BOTH, "window")
        assert [(s.material_id, s.role, s.channel, s.location) for s in case.signatures] == [
            ("lease-application", "tenant", "window", CENTRE), ("lease-contract", "tenant", "window", CENTRE)]
        assert event(case, "ApplicationSubmitted").data["signed"] == [
            {"material": "lease-application", "role": "tenant"}, {"material": "lease-contract", "role": "tenant"}]
        lease.engine.sign(case, CLERK, lease.now, "landlord", channel="window")
        assert (case.trips_of("tenant"), case.trips_of("landlord"), len(case.visits)) == (1, 1, 1)
        lease.engine.accept(case, CLERK, lease.now)

    def test_a_window_signature_is_a_trip_within_the_budget(self, lease: Desk) -> None:
        """Signing at the window is a visit of the signer: a second one goes over the budget."""
        case = online(lease)
        lease.engine.sign(case, CLERK, lease.now, "landlord", ["lease-contract"], channel="window")
        assert case.trips_of("landlord") == 1
        lease.clock.advance(days=1)
        with pytest.raises(ActionRejected) as info:
            lease.engine.sign(case, CLERK, lease.now, "landlord", channel="window")
        assert (info.value.reason, info.value.details["party"]) == ("trip_budget", "landlord")
        assert len(case.signatures) == 1

    def test_only_a_clerk_records_a_window_signature(self, lease: Desk) -> None:
        case = online(lease)
        with pytest.raises(NotAuthorised, match="a clerk records the signature"):
            lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord", channel="window")


class TestAgent:
    def test_the_agent_signs_for_the_landlord(self, lease: Desk) -> None:
        """The landlord's agent signs on their behalf online; the signature names the agent, and
        their written authorisation is kept with them."""
        case = online(lease, agent=True)
        assert case.parties[1].authorisation == AUTHORISATION
        lease.engine.sign(case, ME, lease.now, "tenant")
        with pytest.raises(NotAuthorised):  # online, the agent signs as themselves
            lease.engine.sign(case, LANDLORD_ACTOR, lease.now, "landlord", signer="landlord-agent")
        lease.engine.sign(case, AGENT_ACTOR, lease.now, "landlord", signer="landlord-agent")
        assert [(s.role, s.agent) for s in case.signatures][-2:] == [("landlord", "landlord-agent")] * 2
        lease.engine.accept(case, CLERK, lease.now)

    def test_the_authorisation_is_required_once_the_agent_is_a_party(self, lease: Desk) -> None:
        """The agent's material is needed only when the case has an agent."""
        case = online(lease)
        assert "landlord-authorisation" not in [i.id for i in lease.engine.completeness(case).issues]
        case = lease.open(parties=[Party("landlord", LANDLORD), Party("landlord-agent", AGENT, AUTHORISATION)])
        lease.engine.submit(case, ME, lease.now, {}, BOTH, "online")
        assert "landlord-authorisation" in [i.id for i in lease.engine.completeness(case).issues]

    def test_an_agent_without_an_authorisation(self, lease: Desk) -> None:
        """OS711: an agent's role needs the reference of the written authorisation (委托书)."""
        with pytest.raises(PartyError) as info:
            lease.open(parties=[Party("landlord", LANDLORD), Party("landlord-agent", AGENT)])
        assert info.value.code == "OS711" and info.value.field == "parties[1].authorisation"
        assert "委托书" in str(info.value)
        with pytest.raises(PartyError, match="not an agent's role") as info:
            lease.open(parties=[Party("landlord", LANDLORD, AUTHORISATION)])
        assert info.value.field == "parties[0].authorisation"


class TestPropertyTransfer:
    SHIPPED = load_catalogue([Path(__file__).resolve().parents[3] / "workflows"])
    SELLER = Applicant("person", sample_resident_id(9), "李四", "13900139000")

    CLERK = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")

    def flat(self) -> Desk:
        return Desk(build_engine(self.SHIPPED.plan("property-transfer"), self.SHIPPED), SimulatedClock(MONDAY))

    def test_buyer_and_seller_sign_at_intake(self) -> None:
        flat = self.flat()
        case = flat.open(self.CLERK, channel="window", location="hz-citizen-centre",
                         parties=[Party("seller", self.SELLER)])
        materials = flat.applicant_materials()
        materials.remove("seller-authorisation")
        flat.engine.submit(case, self.CLERK, flat.now, sample_form(flat.plan), materials, "window")
        assert sorted((s.material_id, s.role) for s in case.signatures) == [
            ("property-registration-application", "buyer"), ("property-registration-application", "seller")]
        flat.engine.accept(case, self.CLERK, flat.now)
        assert (case.trips_of("buyer"), case.trips_of("seller")) == (1, 1)

    def test_the_sellers_agent_comes_and_signs_in_their_place(self) -> None:
        """With a seller's agent, the agent comes to the intake visit instead of the seller, signs
        for them and brings the authorisation; the seller makes no trip."""
        flat = self.flat()
        agent = Party("seller-agent", AGENT, AUTHORISATION)
        case = flat.open(self.CLERK, channel="window", location="hz-citizen-centre",
                         parties=[Party("seller", self.SELLER), agent])
        assert case.visits[0].parties == ["buyer", "seller-agent"]
        flat.engine.submit(case, self.CLERK, flat.now, sample_form(flat.plan), flat.applicant_materials(),
                           "window")
        assert [(s.role, s.agent) for s in case.signatures if s.role == "seller"] == [("seller", "seller-agent")]
        flat.engine.accept(case, self.CLERK, flat.now)
        assert (case.trips_of("buyer"), case.trips_of("seller"), case.trips_of("seller-agent")) == (1, 0, 1)
        assert PERSON.id_number != AGENT.id_number
