"""The engine on the shipped matters (``workflows/``), in memory: rules that need real dependency
graphs and real on-site steps. Every expectation is derived from the matter's plan, so adding a
matter or an item changes what is checked, not whether it passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import ME, MONDAY, PERSON, build_engine, reviewer, tasks

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Actor, Role
from oneservice.domain.definitions import Channel, OnsiteStage
from oneservice.domain.situations import APPLICANT_KIND
from oneservice.engine.clock import SimulatedClock
from oneservice.errors import ActionRejected
from oneservice.samples import sample_form, sample_parties

SHIPPED = load_catalogue([Path(__file__).resolve().parents[3] / "workflows"])
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)


def intake_onsite(plan):
    return [i.code for i in plan.items if i.onsite is not None and i.onsite.stage is OnsiteStage.INTAKE]


def submitted(plan, engine, clock, *, channel=None):
    """A case of ``plan`` submitted complete: at the window by a clerk when the matter's rules need
    the applicant on site at intake (or ``channel`` says so), else online or on mobile."""
    if channel is None:
        needs_window = bool(intake_onsite(plan)) and Channel.WINDOW in plan.matter.intake_channels
        remote = [c for c in (Channel.ONLINE, Channel.MOBILE) if c in plan.matter.intake_channels]
        channel = Channel.WINDOW if needs_window or not remote else remote[0]
    actor = CLERK if channel is Channel.WINDOW else ME
    case = engine.open_case(actor, "C-1", PERSON, channel.value, LOCATION, clock.now(),
                            parties=sample_parties(plan.matter, PERSON.id_number))
    form = sample_form(plan)
    situation = plan.for_answers({APPLICANT_KIND: PERSON.kind, **form})  # the sample's 情形
    materials = [line.material.id for line in situation.materials]
    engine.submit(case, actor, clock.now(), form, materials, channel.value)
    return case


@pytest.mark.parametrize("matter_id", sorted(SHIPPED.matters))
def test_items_start_when_their_predecessors_are_approved(matter_id):
    """After acceptance and after each approval, the ready items are exactly the waiting ones whose
    predecessors (``matter.after``) are all approved; the case is ready for pickup only once every
    item is concluded."""
    plan = SHIPPED.plan(matter_id)
    engine = build_engine(plan, SHIPPED)
    clock = SimulatedClock(MONDAY)
    case = submitted(plan, engine, clock)
    engine.accept(case, CLERK, clock.now())
    plan = engine.plan_for(case)  # the items of the case's situation
    approved: set[str] = set()

    def expected() -> dict[str, str]:
        return {
            i.code: "approved" if i.code in approved
            else "ready" if set(plan.matter.after(i.code)) <= approved
            else "waiting"
            for i in plan.items
        }

    assert tasks(case) == expected()
    while len(approved) < len(plan.items):
        assert case.state == "in_progress"
        ready = [code for code, state in tasks(case).items() if state == "ready"]
        assert ready, f"nothing to review in {matter_id}: {tasks(case)}"
        code = ready[0]
        actor = reviewer(case.tasks[code].department)
        engine.start_review(case, actor, clock.now(), code)
        engine.approve(case, actor, clock.now(), code)
        approved.add(code)
        assert tasks(case) == expected()
    assert (case.state, case.outcome) == ("ready_for_pickup", "approved")
    assert case.trips <= plan.matter.trip_budget


@pytest.mark.parametrize("matter_id", sorted(m for m in SHIPPED.matters if intake_onsite(SHIPPED.plan(m))))
def test_an_item_needing_the_applicant_on_site_is_accepted_only_after_a_visit(matter_id):
    """Applied for online, an item with an on-site step at intake blocks acceptance until the
    applicant's visit is recorded."""
    plan = SHIPPED.plan(matter_id)
    remote = [c for c in (Channel.ONLINE, Channel.MOBILE) if c in plan.matter.intake_channels]
    if not remote:
        pytest.skip(f"{matter_id} is applied for at the window only")
    engine = build_engine(plan, SHIPPED)
    clock = SimulatedClock(MONDAY)
    case = submitted(plan, engine, clock, channel=remote[0])
    with pytest.raises(ActionRejected) as info:
        engine.accept(case, CLERK, clock.now())
    assert (info.value.reason, info.value.details) == ("onsite_required", {"item": intake_onsite(plan)[0]})
    assert case.state == "submitted"
    engine.record_visit(case, CLERK, clock.now(), intake_onsite(plan)[0], "当面签字确认")
    for role in case.roles:  # who came signs before the clerk what they sign: the same visit
        if engine.allowed_actions(case, CLERK).count("sign") and any(
                role in engine.lines[m].material.signed_by and case.signed(m, role) is None
                for m in case.materials if m in engine.lines):
            engine.sign(case, CLERK, clock.now(), role, channel="window")
    engine.accept(case, CLERK, clock.now())
    assert (case.state, case.trips) == ("in_progress", 1)
    assert all(case.trips_of(role) <= 1 for role in case.roles)
    assert case.visits[0].location == LOCATION
