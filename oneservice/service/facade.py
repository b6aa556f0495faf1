"""The application service: one method per action, one transaction each.

:class:`OneService` ties the catalogue (definitions), the engine (rules), the store (database)
and the clock together. Every action names its :class:`~oneservice.domain.case.Actor`, runs in
one transaction with optimistic concurrency on the case, accepts an optional idempotency key,
and returns a :class:`~oneservice.views.CaseSummary`. An action the actor may not perform raises
:class:`~oneservice.errors.NotAuthorised` and is recorded as an ``AccessDenied`` event.

The actions are here; the rest is composed from mixins::

    OneService
    ├── Queries          (service_queries.py)   completeness, last_notice, get, case, events,
    │                                            progress, my_cases, worklists, cases_by_colour
    ├── CalendarUpdates  (service_calendar.py)  load_calendar and the deadlines it moves
    └── ServiceBase      (service_base.py)      engines, one transaction per action, idempotency
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..catalog.loader import load_catalogue
from ..domain.case import Actor, Applicant, Case, Role
from ..domain.time import Clock
from ..engine.engine import CaseEngine
from ..errors import ConcurrencyConflict, DuplicateAction, InvalidInput
from ..store import Store
from .calendar_updates import CalendarUpdates
from .queries import Queries, make_notice
from .runner import calendar_from_catalogue, check_actor, new_case_id
from .views import CaseSummary, Notice

__all__ = ["OneService", "calendar_from_catalogue"]


class OneService(Queries, CalendarUpdates):
    """Every action and query of oneservice, each in one transaction."""

    @classmethod
    def open(
        cls,
        workflows: str | os.PathLike[str] = "workflows",
        url: str | None = None,
        *,
        clock: Clock | None = None,
        migrate: bool = True,
    ) -> OneService:
        """Load definitions from ``workflows`` and open the database at ``url`` (SQLite file by default)."""
        catalogue = load_catalogue([workflows])
        store = Store(url)
        if migrate:
            store.migrate()
        return cls(catalogue, store, clock=clock)

    # ------------------------------------------------------------------ front desk

    def open_case(
        self,
        actor: Actor,
        matter_id: str,
        applicant: Applicant,
        *,
        channel: str,
        location: str,
        agent: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        """Open a case of ``matter_id`` for ``applicant`` on ``channel`` at service ``location``."""
        check_actor(actor)
        if not isinstance(applicant, Applicant):
            raise InvalidInput("must be an Applicant", field="applicant")
        plan = self.catalogue.plan(matter_id)
        self.catalogue.location(location)
        engine = self.engine(plan.content_hash)
        now = self.clock.now()
        case_id = new_case_id(now)
        payload = [matter_id, applicant.kind, applicant.id_number, channel, location]
        fingerprint = self._fingerprint("open_case", "", payload, actor)
        with self.store.transaction() as tx:
            if idempotency_key:
                record = tx.get_idempotency(idempotency_key)
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise DuplicateAction(idempotency_key, case_id="-")  # never another's case id
                    return CaseSummary(**record.result)
            if plan.content_hash not in self._saved_definitions:
                tx.save_definition(
                    plan.content_hash,
                    matter_id,
                    plan.matter.version,
                    self.catalogue.definition_files(matter_id),
                )
            case = engine.open_case(actor, case_id, applicant, channel, location, now, agent=agent)
            tx.add_case(case)
            summary = self._summary(case, engine)
            if idempotency_key:
                tx.put_idempotency(idempotency_key, case.id, "open_case", fingerprint, summary.to_dict())
        self._saved_definitions.add(plan.content_hash)
        return summary

    def submit(
        self,
        actor: Actor,
        case_id: str,
        *,
        form: Mapping[str, Any] | None = None,
        materials: Iterable[str] = (),
        channel: str,
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        """Submit form data and materials (draft → submitted)."""
        materials = list(materials)
        return self._act(
            "submit",
            case_id,
            actor,
            lambda e, c, now: e.submit(
                c, actor, now, form, materials, channel, over_budget_reason=over_budget_reason
            ),
            key=idempotency_key,
            payload=[form, materials, channel],
        )[0]

    def give_notice(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> Notice:
        """Give the one-time notice of everything missing or wrong (submitted → awaiting_materials)."""

        def change(engine: CaseEngine, case: Case, now: dt.datetime) -> Notice:
            check = engine.give_notice(case, actor, now)
            return make_notice(case, engine, check.issues, case.notices)

        _, notice = self._act("give_notice", case_id, actor, change, key=idempotency_key)
        if notice is None:  # an idempotent repeat: rebuild the notice from the event log
            return self.last_notice(actor, case_id)
        return notice

    def supplement(
        self,
        actor: Actor,
        case_id: str,
        *,
        form: Mapping[str, Any] | None = None,
        materials: Iterable[str] = (),
        channel: str,
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        materials = list(materials)
        return self._act(
            "supplement",
            case_id,
            actor,
            lambda e, c, now: e.supplement(
                c, actor, now, form, materials, channel, over_budget_reason=over_budget_reason
            ),
            key=idempotency_key,
            payload=[form, materials, channel],
        )[0]

    def accept(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> CaseSummary:
        return self._act(
            "accept", case_id, actor, lambda e, c, now: e.accept(c, actor, now), key=idempotency_key
        )[0]

    def accept_with_deficiency(
        self, actor: Actor, case_id: str, owed: Sequence[str], *, idempotency_key: str | None = None
    ) -> CaseSummary:
        owed = list(owed)
        if not owed:
            raise InvalidInput("list the waivable materials that may be owed", field="owed")
        return self._act(
            "accept_with_deficiency",
            case_id,
            actor,
            lambda e, c, now: e.accept(c, actor, now, owed=owed),
            key=idempotency_key,
            payload=owed,
        )[0]

    def refuse(
        self, actor: Actor, case_id: str, reason: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "refuse",
            case_id,
            actor,
            lambda e, c, now: e.refuse(c, actor, now, reason),
            key=idempotency_key,
            payload=reason,
        )[0]

    def supply_owed(
        self,
        actor: Actor,
        case_id: str,
        materials: Iterable[str],
        *,
        channel: str,
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        materials = list(materials)
        return self._act(
            "supply_owed",
            case_id,
            actor,
            lambda e, c, now: e.supply_owed(
                c, actor, now, materials, channel, over_budget_reason=over_budget_reason
            ),
            key=idempotency_key,
            payload=[materials, channel],
        )[0]

    # ------------------------------------------------------------------ back office

    def start_review(
        self, actor: Actor, case_id: str, item: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "start_review",
            case_id,
            actor,
            lambda e, c, now: e.start_review(c, actor, now, item),
            key=idempotency_key,
            payload=item,
        )[0]

    def approve(
        self,
        actor: Actor,
        case_id: str,
        item: str,
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        return self._act(
            "approve",
            case_id,
            actor,
            lambda e, c, now: e.approve(c, actor, now, item, note),
            key=idempotency_key,
            payload=[item, note],
        )[0]

    def refuse_item(
        self, actor: Actor, case_id: str, item: str, reason: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "refuse_item",
            case_id,
            actor,
            lambda e, c, now: e.refuse_item(c, actor, now, item, reason),
            key=idempotency_key,
            payload=[item, reason],
        )[0]

    def request_correction(
        self,
        actor: Actor,
        case_id: str,
        item: str,
        *,
        materials: Sequence[str] = (),
        note: str,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        materials = list(materials)
        return self._act(
            "request_correction",
            case_id,
            actor,
            lambda e, c, now: e.request_correction(c, actor, now, item, materials, note),
            key=idempotency_key,
            payload=[item, materials, note],
        )[0]

    def supply_correction(
        self,
        actor: Actor,
        case_id: str,
        item: str,
        *,
        channel: str,
        materials: Sequence[str] = (),
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        materials = list(materials)
        return self._act(
            "supply_correction",
            case_id,
            actor,
            lambda e, c, now: e.supply_correction(
                c, actor, now, item, channel, materials, over_budget_reason=over_budget_reason
            ),
            key=idempotency_key,
            payload=[item, channel, materials],
        )[0]

    def suspend(
        self, actor: Actor, case_id: str, item: str, reason: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "suspend",
            case_id,
            actor,
            lambda e, c, now: e.suspend(c, actor, now, item, reason),
            key=idempotency_key,
            payload=[item, reason],
        )[0]

    def resume(
        self, actor: Actor, case_id: str, item: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "resume",
            case_id,
            actor,
            lambda e, c, now: e.resume(c, actor, now, item),
            key=idempotency_key,
            payload=item,
        )[0]

    def record_visit(
        self,
        actor: Actor,
        case_id: str,
        item: str,
        purpose: str,
        *,
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        return self._act(
            "record_visit",
            case_id,
            actor,
            lambda e, c, now: e.record_visit(
                c, actor, now, item, purpose, over_budget_reason=over_budget_reason
            ),
            key=idempotency_key,
            payload=[item, purpose],
        )[0]

    # ------------------------------------------------------------------ single window, applicant

    def deliver(
        self,
        actor: Actor,
        case_id: str,
        *,
        channel: str,
        over_budget_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        return self._act(
            "deliver",
            case_id,
            actor,
            lambda e, c, now: e.deliver(c, actor, now, channel, over_budget_reason=over_budget_reason),
            key=idempotency_key,
            payload=channel,
        )[0]

    def conclude(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> CaseSummary:
        return self._act(
            "conclude", case_id, actor, lambda e, c, now: e.conclude(c, actor, now), key=idempotency_key
        )[0]

    def withdraw(
        self, actor: Actor, case_id: str, reason: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "withdraw",
            case_id,
            actor,
            lambda e, c, now: e.withdraw(c, actor, now, reason),
            key=idempotency_key,
            payload=reason,
        )[0]

    def rate(
        self, actor: Actor, case_id: str, level: int, comment: str = "", *, idempotency_key: str | None = None
    ) -> CaseSummary:
        return self._act(
            "rate",
            case_id,
            actor,
            lambda e, c, now: e.rate(c, actor, now, level, comment),
            key=idempotency_key,
            payload=[level, comment],
        )[0]

    def record_callback(
        self, actor: Actor, case_id: str, note: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        """Record the callback (回访) of a bad rating (supervisor)."""
        return self._act(
            "record_callback", case_id, actor, lambda e, c, now: e.record_callback(c, actor, now, note),
            key=idempotency_key, payload=note,
        )[0]

    def record_rectified(
        self, actor: Actor, case_id: str, note: str, *, idempotency_key: str | None = None
    ) -> CaseSummary:
        """Record the rectification (整改) of a bad rating as done (supervisor)."""
        return self._act(
            "record_rectified", case_id, actor, lambda e, c, now: e.record_rectified(c, actor, now, note),
            key=idempotency_key, payload=note,
        )[0]

    def terminate_overdue(self, actor: Actor | None = None) -> list[str]:
        """Terminate every case whose owed materials are past due; returns their ids."""
        actor = actor or Actor(Role.SYSTEM, "timer")
        today = self.clock.today()
        with self.store.transaction() as tx:
            candidates = sorted({row[0] for row in tx.overdue_owed_materials(today)})
        done = []
        for case_id in candidates:
            try:
                _, terminated = self._act(
                    "terminate", case_id, actor, lambda e, c, now: e.terminate_overdue(c, actor, now)
                )
            except ConcurrencyConflict:
                continue  # another worker handled it; the next scan sees the result
            if terminated:
                done.append(case_id)
        return done
