"""The engine on in-memory cases: one engine per matter, a simulated clock, a cast of actors.

No store and no database: a :class:`~oneservice.domain.case.Case` is a plain object the engine
changes, and its events pile up in ``case.new_events`` (nothing saves them). :func:`build_engine`
is the only place that knows the engine's constructor.

The catalogue is the tests' own (``workflows/`` next to this file)::

    open-shop          REG ─┬─> SEAL ──> BANK        on_item_refused: continue
                            └─> TAX                  trip budget 1, promise 5 working days,
    open-shop-strict   the same items                on_item_refused: refuse_matter

REG (amr, 2 working days) needs the ID card (shared from the population register, never asked
for), the articles (required) and the lease (waivable: may be owed for 3 working days); its form
asks for the company name and a positive capital. SEAL (psb), TAX (tax) and BANK (bank) take one
working day each; SEAL and TAX need REG's licence, BANK needs SEAL's seal record (both produced,
never brought by the applicant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from oneservice.catalog.catalogue import Catalogue
from oneservice.catalog.plan import MatterPlan
from oneservice.domain.case import Actor, Applicant, Case, Party, Role
from oneservice.engine.clock import TZ, SimulatedClock
from oneservice.engine.engine import CaseEngine
from oneservice.samples import sample_form, sample_parties, sample_resident_id
from oneservice.service.runner import calendar_from_catalogue

WORKFLOWS = Path(__file__).with_name("workflows")
SHOP = "open-shop"
STRICT = "open-shop-strict"
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # Mon 2 Nov 2026, an ordinary working week
CENTRE, TOWNSHIP = "centre", "township"

PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
OTHER = Actor(Role.APPLICANT, "lisi", applicant_id=sample_resident_id(2))
CLERK = Actor(Role.CLERK, "clerk-01", location=CENTRE)
TOWNSHIP_CLERK = Actor(Role.CLERK, "clerk-07", location=TOWNSHIP)
AGENT = Actor(Role.AGENT, "grid-07")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
SYSTEM = Actor(Role.SYSTEM, "timer")
COMMITMENT = "容缺受理承诺书 No. 2026-001（申请人签字）"
TRACKING = "EMS 1180 2345 6789"


def build_engine(plan: MatterPlan, catalogue: Catalogue) -> CaseEngine:
    """The engine of ``plan``, on the catalogue's calendar (the one place that builds an engine)."""
    departments = {d: dep.name for d, dep in catalogue.departments.items()}
    return CaseEngine(plan, calendar_from_catalogue(catalogue), departments, catalogue.policies(),
                      catalogue.policy.base, locations=catalogue.locations, regions=catalogue.regions)


def reviewer(department: str) -> Actor:
    return Actor(Role.REVIEWER, f"rev-{department}", department=department)


def types(case: Case, since: int = 0) -> list[str]:
    """The types of the case's events, in order, from the ``since``-th on."""
    return [e.type for e in case.new_events[since:]]


def event(case: Case, type_: str) -> Any:
    """The only event of ``type_``."""
    found = [e for e in case.new_events if e.type == type_]
    assert len(found) == 1, types(case)
    return found[0]


def tasks(case: Case) -> dict[str, str]:
    return {code: str(task.state) for code, task in case.tasks.items()}


class Desk:
    """One matter's engine and the clock, with the steps most tests start from."""

    def __init__(self, engine: CaseEngine, clock: SimulatedClock) -> None:
        self.engine = engine
        self.plan = engine.plan
        self.clock = clock
        self._cases = 0

    @property
    def now(self) -> dt.datetime:
        return self.clock.now()

    @property
    def calendar(self) -> Any:
        return self.engine.calendar

    def reviewer(self, item: str, case: Case | None = None) -> Actor:
        """The reviewer of the item's department (in ``case``: the department its task has)."""
        return reviewer(case.tasks[item].department if case is not None else self.plan.item(item).department)

    def applicant_materials(self) -> list[str]:
        """Every material the applicant brings (the plan's list: shared and produced ones excluded)."""
        return [line.material.id for line in self.plan.materials]

    def open(self, actor: Actor = ME, *, channel: str = "online", location: str = CENTRE,
             applicant: Applicant = PERSON, parties: Iterable[Party] | None = None) -> Case:
        """Open a case; ``parties`` default to a sample party in each other required role."""
        self._cases += 1
        if parties is None:
            parties = sample_parties(self.plan.matter, applicant.id_number)
        return self.engine.open_case(actor, f"C-{self._cases}", applicant, channel, location, self.now,
                                     parties=parties)

    def submitted(self, *, hold_back: Iterable[str] = (), form: dict[str, Any] | None = None) -> Case:
        """A case opened and submitted online with the sample form and every material but ``hold_back``."""
        case = self.open()
        held = set(hold_back)
        materials = [m for m in self.applicant_materials() if m not in held]
        self.engine.submit(case, ME, self.now, sample_form(self.plan) if form is None else form, materials,
                           "online")
        return case

    def accepted(self, *, owe: Iterable[str] = ()) -> Case:
        """A case accepted today (with ``owe`` owed under deficiency acceptance)."""
        owed = list(owe)
        case = self.submitted(hold_back=owed)
        self.engine.accept(case, CLERK, self.now, owed=owed,
                           commitment=COMMITMENT if owed else None)
        return case

    def approve(self, case: Case, *items: str) -> None:
        """Each item's reviewer (of the department the case's task has) starts the review and
        approves it, now."""
        for code in items:
            actor = self.reviewer(code, case)
            self.engine.start_review(case, actor, self.now, code)
            self.engine.approve(case, actor, self.now, code)

    def ready_for_pickup(self, *, owe: Iterable[str] = ()) -> Case:
        """A case accepted and every item approved in dependency order."""
        case = self.accepted(owe=owe)
        self.approve(case, *(item.code for item in self.plan.items))
        return case

    def delivered(self, channel: str = "electronic") -> Case:
        case = self.ready_for_pickup()
        self.engine.deliver(case, CLERK, self.now, channel, tracking=TRACKING if channel == "mail" else None)
        return case
