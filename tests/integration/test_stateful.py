"""Random action sequences against the service on a real SQLite file; the promises must hold."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from oneservice import (
    TZ,
    Actor,
    Applicant,
    OneService,
    OneServiceError,
    Role,
    SimulatedClock,
    Store,
    load_catalogue,
)
from oneservice.engine.machines import LEGAL_CASE_MOVES
from oneservice.samples import sample_deliveries, sample_form, sample_parties, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue([ROOT / "workflows"])
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup")
PERSON = Applicant("person", sample_resident_id(5), "王五")
ME = Actor(Role.APPLICANT, "wangwu", applicant_id=PERSON.id_number)
MATTERS = ["start-a-business", "property-transfer", "newborn"]
LEGAL = LEGAL_CASE_MOVES


class CaseMachine(RuleBasedStateMachine):
    """Rules are actions; invariants are the reform's promises."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store(f"sqlite:///{self.tmp.name}/stateful.sqlite")
        self.store.migrate()
        self.clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
        self.service = OneService(CATALOGUE, self.store, clock=self.clock)
        self.cases: list[str] = []
        self.trips: dict[str, int] = {}

    def teardown(self) -> None:
        self.store.dispose()
        self.tmp.cleanup()

    def _try(self, call) -> None:
        with contextlib.suppress(OneServiceError):  # refusals are specific; anything else fails
            call()

    @initialize(matter=st.sampled_from(MATTERS))
    def first_case(self, matter: str) -> None:
        self.open_case(matter, True)

    @rule(matter=st.sampled_from(MATTERS), window=st.booleans())
    def open_case(self, matter: str, window: bool) -> None:
        plan = CATALOGUE.plan(matter)
        channels = {c.value for c in plan.matter.intake_channels}
        if window and "window" in channels:
            actor, channel = CLERK, "window"
        else:
            actor, channel = ME, next(c for c in ("online", "mobile") if c in channels)
        case = self.service.open_case(actor, matter, PERSON, channel=channel, location=LOCATION,
                                      parties=sample_parties(self.service.catalogue.matters[matter], PERSON.id_number))
        self.cases.append(case.id)

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(self.cases))

    @rule(data=st.data(), complete=st.booleans())
    def submit(self, data: st.DataObject, complete: bool) -> None:
        case_id = self._pick(data)
        summary = self.service.get(SUPERVISOR, case_id)
        plan = CATALOGUE.plan(summary.matter_id)
        materials = [ln.material.id for ln in plan.materials]
        if not complete:
            materials = materials[:-1]
        channel = next(c.value for c in sorted(plan.matter.intake_channels) if c.value != "agent")
        actor = CLERK if channel == "window" else ME
        self._try(
            lambda: self.service.submit(
                actor, case_id, form=sample_form(plan), materials=materials, channel=channel
            )
        )

    @rule(
        data=st.data(),
        action=st.sampled_from(
            ["accept", "give_notice", "refuse", "deficiency", "visit", "conclude", "withdraw"]
        ),
    )
    def front_desk(self, data: st.DataObject, action: str) -> None:
        case_id = self._pick(data)
        s = self.service
        calls = {
            "accept": lambda: s.accept(CLERK, case_id),
            "give_notice": lambda: s.give_notice(CLERK, case_id),
            "refuse": lambda: s.refuse(CLERK, case_id, "不符合受理条件"),
            "deficiency": lambda: s.accept_with_deficiency(CLERK, case_id, ["premises-lease"],
                                                           commitment="容缺承诺书（已签署）"),
            "visit": lambda: s.record_visit(CLERK, case_id, "330100-BDC-ZYDJ", "当面签字"),
            "conclude": lambda: s.conclude(CLERK, case_id),
            "withdraw": lambda: s.withdraw(ME, case_id, "改日再办"),
        }
        self._try(calls[action])

    @rule(data=st.data())
    def supplement(self, data: st.DataObject) -> None:
        case_id = self._pick(data)
        plan = CATALOGUE.plan(self.service.get(SUPERVISOR, case_id).matter_id)
        materials = [ln.material.id for ln in plan.materials]
        self._try(lambda: self.service.supplement(ME, case_id, materials=materials, channel="online"))
        self._try(lambda: self.service.supply_owed(ME, case_id, ["premises-lease"], channel="online"))

    @rule(
        data=st.data(),
        action=st.sampled_from(
            ["start_review", "approve", "refuse_item", "correct", "supply", "suspend", "resume", "extend"]
        ),
    )
    def back_office(self, data: st.DataObject, action: str) -> None:
        case_id = self._pick(data)
        summary = self.service.get(SUPERVISOR, case_id)
        item = data.draw(st.sampled_from(sorted(summary.tasks)))
        department = self.service.case(SUPERVISOR, case_id).tasks[item].department  # routed ones too
        rev = Actor(Role.REVIEWER, "rev", department=department)
        s = self.service
        calls = {
            "start_review": lambda: s.start_review(rev, case_id, item),
            "approve": lambda: s.approve(rev, case_id, item),
            "refuse_item": lambda: s.refuse_item(rev, case_id, item, "不符合条件"),
            "correct": lambda: s.request_correction(rev, case_id, item, note="请补正"),
            "supply": lambda: s.supply_correction(ME, case_id, item, channel="online"),
            "suspend": lambda: s.suspend(rev, case_id, item, "现场核查", basis="inspection"),
            "extend": lambda: s.extend_item(SUPERVISOR, case_id, item, days=10, reason="需实地核查"),
            "resume": lambda: s.resume(rev, case_id, item),
        }
        self._try(calls[action])

    @rule(data=st.data(), channel=st.sampled_from(["electronic", "mail", "window", "each"]))
    def deliver(self, data: st.DataObject, channel: str) -> None:
        case_id = self._pick(data)
        if channel == "each":
            plan = CATALOGUE.plan(self.service.get(SUPERVISOR, case_id).matter_id)
            results = sample_deliveries(plan, "EMS 1111 2222 3")
            self._try(lambda: self.service.deliver(CLERK, case_id, results=results))
        else:
            self._try(lambda: self.service.deliver(CLERK, case_id, channel=channel, tracking="EMS 1111 2222 3"))

    @rule(days=st.integers(min_value=1, max_value=4))
    def time_passes(self, days: int) -> None:
        self.clock.advance_working_days(days, self.service.calendar)
        self.service.terminate_overdue()
        self.service.deem_overdue_accepted()

    @precondition(lambda self: bool(self.cases))
    @invariant()
    def promises_hold(self) -> None:
        for case_id in self.cases:
            case = self.service.case(SUPERVISOR, case_id)
            events = self.service.events(SUPERVISOR, case_id)
            # trips never decrease and equal the recorded visits
            assert case.trips == len(case.visits) >= self.trips.get(case_id, 0)
            self.trips[case_id] = case.trips
            # never ready for pickup (or later) while an item is open
            if case.state in ("ready_for_pickup", "delivered", "closed"):
                assert all(t.concluded for t in case.tasks.values())
            # the event log is gapless and its last state is the case's state
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert events[-1].state == case.state
            # every state change has its event: replaying the log's states walks legal transitions
            states = [e.state for e in events]
            assert states[0] == "draft"
            changes = [(a, b) for a, b in itertools.pairwise(states) if a != b]
            assert set(changes) <= LEGAL, set(changes) - LEGAL


CaseMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCaseMachine = CaseMachine.TestCase
