"""The application service: one method per action, one transaction each.

:class:`OneService` ties the catalogue (definitions), the engine (rules), the store (database)
and the clock together. Every action names its :class:`~oneservice.domain.case.Actor`, runs in
one transaction with optimistic concurrency on the case, accepts an optional idempotency key,
and returns a :class:`~oneservice.views.CaseSummary`. An action the actor may not perform raises
:class:`~oneservice.errors.NotAuthorised` and is recorded as an ``AccessDenied`` event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .catalog.catalogue import Catalogue
from .catalog.loader import check_files, load_catalogue
from .domain.case import Actor, Applicant, Case, Role
from .engine.calendar import WorkCalendar
from .engine.clock import Clock, SystemClock
from .engine.engine import CaseEngine
from .engine.labels import STATE_LABELS, event_label
from .engine.machines import Machines
from .errors import (
    ConcurrencyConflict,
    DefinitionError,
    DuplicateAction,
    InvalidInput,
    NotAuthorised,
    StoreError,
)
from .store import CaseRow, Store
from .views import (
    CaseSummary,
    Notice,
    NoticeLine,
    ProgressStep,
    ProgressView,
    summarise,
    supervision_colour,
)

__all__ = ["OneService", "calendar_from_catalogue"]

R = TypeVar("R")


def calendar_from_catalogue(catalogue: Catalogue, base: WorkCalendar | None = None) -> WorkCalendar:
    """The official calendar plus the years loaded from ``workflows/calendars/``."""
    calendar = base or WorkCalendar.default()
    for data in catalogue.calendars:
        calendar = calendar.with_year(
            data.year, holidays=data.holidays, workdays=data.workdays, source=data.source
        )
    return calendar


def _new_case_id(now: dt.datetime) -> str:
    return f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"


class OneService:
    """Every action and query of oneservice, each in one transaction."""

    def __init__(
        self,
        catalogue: Catalogue,
        store: Store,
        *,
        clock: Clock | None = None,
        calendar: WorkCalendar | None = None,
        yellow_days: int = 1,
    ) -> None:
        self.catalogue = catalogue
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.calendar = calendar or calendar_from_catalogue(catalogue)
        self.yellow_days = yellow_days
        self.machines = Machines()
        self._engines: dict[str, CaseEngine] = {}
        self._saved_definitions: set[str] = set()
        self._by_hash = {plan.content_hash: plan for plan in catalogue.plans.values()}

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

    # ------------------------------------------------------------------ plumbing

    def engine(self, definition_hash: str) -> CaseEngine:
        """The engine of one definition version: from the catalogue, or pinned in the database."""
        engine = self._engines.get(definition_hash)
        if engine is not None:
            return engine
        plan = self._by_hash.get(definition_hash)
        if plan is None:
            with self.store.transaction() as tx:
                files = tx.load_definition(definition_hash)
            if files is None:
                raise StoreError(f"definition {definition_hash} is not stored; the database is inconsistent")
            report = check_files(files)
            if report.catalogue is None:
                raise DefinitionError(report.findings)
            plan = next(p for p in report.catalogue.plans.values() if p.content_hash == definition_hash)
        engine = CaseEngine(
            plan,
            self.machines.for_definition(definition_hash),
            self.calendar,
            {d: dep.name for d, dep in self.catalogue.departments.items()},
        )
        self._engines[definition_hash] = engine
        return engine

    def _summary(self, case: Case, engine: CaseEngine) -> CaseSummary:
        return summarise(
            case,
            engine.allowed_actions(case),
            self.clock.today(),
            self.calendar,
            engine.matter.trip_budget,
            self.yellow_days,
        )

    @staticmethod
    def _fingerprint(action: str, case_id: str, payload: Any) -> str:
        text = json.dumps([action, case_id, payload], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def _act(
        self,
        action: str,
        case_id: str,
        actor: Actor,
        change: Callable[[CaseEngine, Case, dt.datetime], R],
        *,
        key: str | None = None,
        payload: Any = None,
    ) -> tuple[CaseSummary, R | None]:
        """Load, change and save one case in one transaction; replay an idempotent repeat."""
        _check_actor(actor)
        now = self.clock.now()
        fingerprint = self._fingerprint(action, case_id, payload) if key else ""
        try:
            with self.store.transaction() as tx:
                if key:
                    record = tx.get_idempotency(key)
                    if record is not None:
                        if record.fingerprint != fingerprint or record.case_id != case_id:
                            raise DuplicateAction(key, case_id=case_id)
                        return CaseSummary(**record.result), None
                case = tx.get_case(case_id)
                engine = self.engine(case.definition_hash)
                result = change(engine, case, now)
                tx.save_case(case)
                summary = self._summary(case, engine)
                if key:
                    tx.put_idempotency(key, case_id, action, fingerprint, summary.to_dict())
                return summary, result
        except NotAuthorised as exc:
            self._record_denied(case_id, actor, action, exc, now)
            raise

    def _record_denied(
        self, case_id: str, actor: Actor, action: str, exc: NotAuthorised, now: dt.datetime
    ) -> None:
        """Record an ``AccessDenied`` event in its own transaction (the action rolled back)."""
        for _attempt in range(3):
            try:
                with self.store.transaction() as tx:
                    case = tx.get_case(case_id)
                    engine = self.engine(case.definition_hash)
                    engine._event(
                        case, now, "AccessDenied", actor, public=False, action=action, reason=str(exc)
                    )
                    tx.save_case(case)
                return
            except ConcurrencyConflict:
                continue

    def with_retry(self, call: Callable[[], R], attempts: int = 3) -> R:
        """Run ``call`` again when a concurrent action changed the case; the last conflict is raised."""
        for attempt in range(attempts):
            try:
                return call()
            except ConcurrencyConflict:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

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
        _check_actor(actor)
        if not isinstance(applicant, Applicant):
            raise InvalidInput("must be an Applicant", field="applicant")
        plan = self.catalogue.plan(matter_id)
        self.catalogue.location(location)
        engine = self.engine(plan.content_hash)
        now = self.clock.now()
        case_id = _new_case_id(now)
        payload = [matter_id, applicant.kind, applicant.id_number, channel, location]
        fingerprint = self._fingerprint("open_case", "", payload)
        with self.store.transaction() as tx:
            if idempotency_key:
                record = tx.get_idempotency(idempotency_key)
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise DuplicateAction(idempotency_key, case_id=record.case_id)
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

    def completeness(self, actor: Actor, case_id: str) -> Notice:
        """What is missing or wrong now (no state change): the notice that would be given."""
        _check_actor(actor)
        with self.store.transaction() as tx:
            case = tx.get_case(case_id)
        engine = self.engine(case.definition_hash)
        engine.authorise(case, actor, {Role.CLERK, Role.APPLICANT, Role.AGENT, Role.SUPERVISOR})
        check = engine.completeness(case)
        return _notice(case, engine, check.issues, case.notices)

    def give_notice(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> Notice:
        """Give the one-time notice of everything missing or wrong (submitted → awaiting_materials)."""

        def change(engine: CaseEngine, case: Case, now: dt.datetime) -> Notice:
            check = engine.give_notice(case, actor, now)
            return _notice(case, engine, check.issues, case.notices)

        _, notice = self._act("give_notice", case_id, actor, change, key=idempotency_key)
        if notice is None:  # an idempotent repeat: rebuild the notice from the event log
            return self.last_notice(actor, case_id)
        return notice

    def last_notice(self, actor: Actor, case_id: str) -> Notice:
        """The most recent one-time notice of a case."""
        with self.store.transaction() as tx:
            case = tx.get_case(case_id)
            events = tx.events(case_id)
        engine = self.engine(case.definition_hash)
        engine.authorise(case, actor, {Role.CLERK, Role.APPLICANT, Role.AGENT, Role.SUPERVISOR})
        given = [e for e in events if e.type == "OneTimeNoticeGiven"]
        if not given:
            raise InvalidInput("no one-time notice was given for this case", field="case_id")
        last = given[-1]
        lines = tuple(NoticeLine(i["kind"], i["id"], i["zh"], i["en"]) for i in last.data["issues"])
        return Notice(
            case_id,
            last.data["notice"],
            lines,
            tuple(sorted(c.value for c in engine.matter.supplement_channels)),
        )

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

    def record_callback(self, actor: Actor, case_id: str, note: str) -> CaseSummary:
        return self._act(
            "record_callback", case_id, actor, lambda e, c, now: e.record_callback(c, actor, now, note)
        )[0]

    def record_rectified(self, actor: Actor, case_id: str, note: str) -> CaseSummary:
        return self._act(
            "record_rectified", case_id, actor, lambda e, c, now: e.record_rectified(c, actor, now, note)
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

    # ------------------------------------------------------------------ queries

    def get(self, actor: Actor, case_id: str) -> CaseSummary:
        with self.store.transaction() as tx:
            case = tx.get_case(case_id)
        engine = self.engine(case.definition_hash)
        engine.authorise(
            case,
            actor,
            set(Role) - {Role.REVIEWER}
            | ({Role.REVIEWER} if actor.department in {t.department for t in case.tasks.values()} else set()),
        )
        return self._summary(case, engine)

    def case(self, actor: Actor, case_id: str) -> Case:
        """The full case (staff only): tasks, materials, visits, deadlines, ratings."""
        with self.store.transaction() as tx:
            case = tx.get_case(case_id)
        engine = self.engine(case.definition_hash)
        engine.authorise(case, actor, {Role.CLERK, Role.SUPERVISOR, Role.SYSTEM})
        return case

    def events(self, actor: Actor, case_id: str) -> list[Any]:
        """The event log of a case (staff only), in order."""
        with self.store.transaction() as tx:
            case = tx.get_case(case_id)
            events = tx.events(case_id)
        self.engine(case.definition_hash).authorise(case, actor, {Role.CLERK, Role.SUPERVISOR, Role.SYSTEM})
        return events

    def progress(self, actor: Actor, case_id: str) -> ProgressView:
        """办件进度: each public step with time, department and note; the ID number masked."""
        _check_actor(actor)
        try:
            with self.store.transaction() as tx:
                case = tx.get_case(case_id)
                events = tx.events(case_id)
            engine = self.engine(case.definition_hash)
            engine.authorise(case, actor, {Role.APPLICANT, Role.AGENT, Role.CLERK, Role.SUPERVISOR})
        except NotAuthorised as exc:
            self._record_denied(case_id, actor, "progress", exc, self.clock.now())
            raise
        names = engine.department_names
        steps = []
        for e in events:
            if not e.public:
                continue
            label = event_label(e.type)
            dep = e.data.get("department")
            dep_name = names.get(dep) if dep else None
            note = e.data.get("reason") or e.data.get("note")
            steps.append(
                ProgressStep(
                    e.at.isoformat(),
                    e.type,
                    label.zh,
                    label.en,
                    dep,
                    dep_name.zh if dep_name else None,
                    dep_name.en if dep_name else None,
                    note,
                )
            )
        today = self.clock.today()
        summary = self._summary(case, engine)
        tasks = tuple(
            {
                "item": code,
                "name_zh": engine.items[code].name.zh,
                "name_en": engine.items[code].name.en,
                "department": t.department,
                "state": str(t.state),
                "state_zh": STATE_LABELS[str(t.state)].zh,
                "state_en": STATE_LABELS[str(t.state)].en,
                "due": t.due.isoformat() if t.due else None,
                "due_provisional": t.due_provisional,
                "colour": supervision_colour(
                    t.due, today, self.calendar, done=t.concluded, yellow_days=self.yellow_days
                ),
            }
            for code, t in case.tasks.items()
        )
        owed = tuple(
            {"material": m.material_id, "due": m.due.isoformat() if m.due else None} for m in case.owed()
        )
        label = STATE_LABELS[str(case.state)]
        return ProgressView(
            case.id,
            case.matter_id,
            engine.matter.name.zh,
            engine.matter.name.en,
            case.applicant.name,
            case.applicant.masked_id,
            str(case.state),
            label.zh,
            label.en,
            case.trips,
            engine.matter.trip_budget,
            summary.due,
            summary.due_provisional,
            summary.colour,
            tasks,
            owed,
            tuple(steps),
        )

    def my_cases(self, actor: Actor) -> list[CaseRow]:
        """The applicant's own cases."""
        _check_actor(actor)
        if actor.role is not Role.APPLICANT or not actor.applicant_id:
            raise InvalidInput("only an applicant has their own cases", field="actor")
        with self.store.transaction() as tx:
            return list(tx.cases_for_applicant(actor.applicant_id))

    # worklists

    def department_worklist(self, actor: Actor, department: str | None = None) -> list[Any]:
        """Open item tasks of a department (a reviewer sees only their own department)."""
        _check_actor(actor)
        department = department or actor.department
        if department is None:
            raise InvalidInput("name the department", field="department")
        self.catalogue.department(department)
        if actor.role is Role.REVIEWER and actor.department != department:
            raise NotAuthorised(
                f"a reviewer of {actor.department} may not see {department}'s worklist",
                case_id="-",
                actor=actor.describe(),
            )
        _staff(actor)
        with self.store.transaction() as tx:
            return list(tx.department_tasks(department))

    def window_queue(self, actor: Actor, location: str | None = None) -> list[Any]:
        """Cases ready for pickup at a service location."""
        _staff(actor)
        location = location or actor.location
        if location is None:
            raise InvalidInput("name the service location", field="location")
        self.catalogue.location(location)
        with self.store.transaction() as tx:
            return list(tx.window_queue(location))

    def awaiting_materials(self, actor: Actor, location: str | None = None) -> list[Any]:
        """Cases waiting for the applicant: after a one-time notice, or with materials owed."""
        _staff(actor)
        with self.store.transaction() as tx:
            return list(tx.awaiting_materials(location))

    def cases_by_colour(self, actor: Actor, colour: str) -> list[Any]:
        """Open cases whose case deadline is yellow (near) or red (overdue) today."""
        _staff(actor)
        today = self.clock.today()
        with self.store.transaction() as tx:
            if colour == "red":
                return list(tx.open_cases_due_before(today))
            if colour == "yellow":
                edge = self.calendar.add_working_days(today, self.yellow_days).date
                return list(tx.open_cases_due_between(today, edge))
        raise InvalidInput("colour must be 'yellow' or 'red'", field="colour")

    # ------------------------------------------------------------------ calendar

    def load_calendar(self, data: Mapping[str, Any]) -> list[str]:
        """Add a year of calendar data and recompute provisional deadlines; returns changed case ids."""
        self.calendar = self.calendar.with_year_data(data)
        self._engines.clear()
        return self._recompute_provisional()

    def _recompute_provisional(self) -> list[str]:
        with self.store.transaction() as tx:
            ids = list(tx.provisional_case_ids())
        changed = []
        actor = Actor(Role.SYSTEM, "calendar")
        for case_id in ids:

            def change(engine: CaseEngine, case: Case, now: dt.datetime) -> bool:
                moved = []
                for deadline in case.deadlines.values():
                    if deadline.provisional or deadline.met_at is None:
                        before = deadline.due
                        if engine.recompute(deadline):
                            moved.append(
                                {
                                    "kind": deadline.kind,
                                    "subject": deadline.subject,
                                    "from": before.isoformat(),
                                    "to": deadline.due.isoformat(),
                                    "provisional": deadline.provisional,
                                }
                            )
                for code, task in case.tasks.items():
                    item_deadline = case.deadlines.get(("item", code))
                    if item_deadline is not None:
                        task.due, task.due_provisional = item_deadline.due, item_deadline.provisional
                for record in case.owed():
                    owed_deadline = case.deadlines.get(("deficiency", record.material_id))
                    if owed_deadline is not None:
                        record.due = owed_deadline.due
                if moved:
                    engine._event(case, now, "DeadlinesRecomputed", actor, deadlines=moved)
                return bool(moved)

            _, moved = self._act("recompute_deadlines", case_id, actor, change)
            if moved:
                changed.append(case_id)
        return changed


def _notice(case: Case, engine: CaseEngine, issues: Iterable[Any], number: int) -> Notice:
    return Notice(
        case.id,
        number,
        tuple(NoticeLine(i.kind, i.id, i.message_zh, i.message_en) for i in issues),
        tuple(sorted(c.value for c in engine.matter.supplement_channels)),
    )


def _check_actor(actor: Any) -> None:
    if not isinstance(actor, Actor):
        raise InvalidInput("every action names its actor (an oneservice.Actor)", field="actor")


def _staff(actor: Actor) -> None:
    _check_actor(actor)
    if actor.role not in (Role.CLERK, Role.SUPERVISOR, Role.REVIEWER, Role.SYSTEM):
        raise NotAuthorised("worklists are for staff", case_id="-", actor=actor.describe())
