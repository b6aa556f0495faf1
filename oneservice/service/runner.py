"""The plumbing of :class:`~oneservice.service.OneService`: engines, transactions, idempotency.

:class:`ActionRunner` holds the catalogue, store, clock and calendar, builds one
:class:`~oneservice.engine.engine.CaseEngine` per definition version (:meth:`ActionRunner.engine`)
and runs every action on a case in one transaction (:meth:`ActionRunner.perform`): load, change,
save, summarise, with an optional idempotency key. A refused authorisation is counted in the
audit log (:mod:`oneservice.store.audit`) in a transaction of its own, not in the case's events.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..catalog.catalogue import Catalogue
from ..catalog.loader import check_files
from ..domain.actions import ACTIONS, ParamKind
from ..domain.case import Actor, Applicant, Case, Party, Role
from ..engine.calendar import WorkCalendar
from ..engine.clock import Clock, SystemClock
from ..engine.engine import CaseEngine
from ..errors import (
    ConcurrencyConflict,
    DefinitionError,
    DuplicateAction,
    InvalidInput,
    NotAuthorised,
    StoreError,
)
from ..store import CalendarYearRow, Store, Transaction
from .views import CaseSummary, summarise

__all__ = ["CALENDAR_REFRESH", "ActionRunner", "calendar_from_catalogue", "check_actor", "new_case_id",
           "require_staff"]

R = TypeVar("R")

CALENDAR_REFRESH = dt.timedelta(seconds=60)
"""How often, on the service clock, a service reads the calendar years stored in the database."""


def calendar_from_catalogue(catalogue: Catalogue, base: WorkCalendar | None = None) -> WorkCalendar:
    """The official calendar plus the years loaded from ``workflows/calendars/``."""
    calendar = base or WorkCalendar.default()
    for data in catalogue.calendars:
        calendar = calendar.with_year(
            data.year, holidays=data.holidays, workdays=data.workdays, source=data.source
        )
    return calendar


def new_case_id(now: dt.datetime) -> str:
    return f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"


def check_actor(actor: Any) -> None:
    """Raise :class:`InvalidInput` unless ``actor`` is an :class:`~oneservice.domain.case.Actor`."""
    if not isinstance(actor, Actor):
        raise InvalidInput("every action names its actor (an oneservice.Actor)", field="actor")


def require_staff(actor: Actor) -> None:
    """Raise :class:`NotAuthorised` unless ``actor`` is staff (worklists are for staff)."""
    check_actor(actor)
    if actor.role not in (Role.CLERK, Role.SUPERVISOR, Role.REVIEWER, Role.SYSTEM):
        raise NotAuthorised("worklists are for staff", case_id="-", actor=actor.describe())


class ActionRunner:
    """Catalogue, store, clock and calendar; one engine per definition version; one transaction per action."""

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
        self._base_calendar = calendar
        self._calendar: WorkCalendar | None = None  # the base plus the stored years, on first use
        self._stored_key: tuple[tuple[int, dt.datetime], ...] = ()  # (year, loaded_at) read last
        self._calendar_read_at: dt.datetime | None = None
        self.on_calendar_change: Callable[[frozenset[int]], object] | None = None
        """Called with the years another process loaded, once this one computes on them."""
        self.yellow_days = yellow_days
        self._engines: dict[str, CaseEngine] = {}
        self._saved_definitions: set[str] = set()
        self._by_hash = {plan.content_hash: plan for plan in catalogue.plans.values()}

    @property
    def calendar(self) -> WorkCalendar:
        """The calendar deadlines are computed on: the one given (else the bundled data and the
        catalogue's ``calendars/``), plus every year loaded into the database
        (:meth:`~oneservice.service.calendar_updates.CalendarUpdates.load_calendar`), read on
        first use — so a restarted service computes on the calendar it had — and read again
        when :data:`CALENDAR_REFRESH` has passed (on the service clock) before an action, so a
        year another process loaded reaches this one within that time."""
        return self._calendar if self._calendar is not None else self.reload_calendar()

    def reload_calendar(self, tx: Transaction | None = None) -> WorkCalendar:
        """Build the calendar again from the base and the years stored in the database."""
        if tx is None:
            with self.store.transaction(readonly=True) as own:
                stored = own.calendar_years()
        else:
            stored = tx.calendar_years()
        calendar = self.compose_calendar(stored)
        self._stored_key = tuple((year.year, year.loaded_at) for year in stored)
        self._calendar_read_at = self.clock.now()
        self.use_calendar(calendar)
        return calendar

    def compose_calendar(self, stored: Iterable[CalendarYearRow]) -> WorkCalendar:
        """The base calendar (given, else bundled plus the catalogue's) with the ``stored`` years."""
        calendar = self._base_calendar or calendar_from_catalogue(self.catalogue)
        for year in stored:
            calendar = calendar.with_year_data(year.data)
        return calendar

    def refresh_calendar(self, now: dt.datetime | None = None) -> frozenset[int]:
        """Read the stored years again if :data:`CALENDAR_REFRESH` has passed since the last read
        (always when ``now`` is None); the years loaded or reloaded since, if any, are returned
        and passed to :attr:`on_calendar_change`."""
        read_at = self._calendar_read_at
        if now is not None and read_at is not None and now - read_at < CALENDAR_REFRESH:
            return frozenset()
        before, first = dict(self._stored_key), read_at is None
        with self.store.transaction(readonly=True) as tx:
            key = tuple((year.year, year.loaded_at) for year in tx.calendar_years())
            if key == self._stored_key and self._calendar is not None:
                self._calendar_read_at = self.clock.now()
                return frozenset()
            self.reload_calendar(tx)
        changed = frozenset(year for year, at in key if before.get(year) != at)
        if changed and not first and self.on_calendar_change is not None:
            self.on_calendar_change(changed)
        return changed

    def engine(
        self, definition_hash: str, tx: Transaction | None = None, *, calendar: WorkCalendar | None = None
    ) -> CaseEngine:
        """The engine of one definition version: from the catalogue, or pinned in the database.

        Inside a transaction, pass it as ``tx``: a pinned definition is then read through it
        (on SQLite a second transaction would wait for the write lock the first one holds).
        ``calendar``: an engine computing on that calendar instead (not kept).
        """
        if self._calendar is None:
            self.reload_calendar(tx)
        if calendar is not None:
            return self._build_engine(definition_hash, tx, calendar)
        engine = self._engines.get(definition_hash)
        if engine is not None:
            return engine
        engine = self._build_engine(definition_hash, tx, self.calendar)
        self._engines[definition_hash] = engine
        return engine

    def _build_engine(
        self, definition_hash: str, tx: Transaction | None, calendar: WorkCalendar
    ) -> CaseEngine:
        plan = self._by_hash.get(definition_hash)
        catalogue = self.catalogue
        if plan is None:
            if tx is not None:
                files = tx.load_definition(definition_hash)
            else:
                with self.store.transaction(readonly=True) as own:
                    files = own.load_definition(definition_hash)
            if files is None:
                raise StoreError(f"definition {definition_hash} is not stored; the database is inconsistent")
            report = check_files(files)
            if report.catalogue is None:
                raise DefinitionError(report.findings)
            plan = next(p for p in report.catalogue.plans.values() if p.content_hash == definition_hash)
            catalogue = report.catalogue  # the policy the case's registry set
        names = {d: dep.name for d, dep in self.catalogue.departments.items()}
        return CaseEngine(plan, calendar, names, catalogue.policies(), catalogue.policy.base,
                          locations=catalogue.locations, regions=catalogue.regions)

    def use_calendar(self, calendar: WorkCalendar) -> None:
        """Compute deadlines on ``calendar`` from now on (engines are rebuilt on it)."""
        self._calendar = calendar
        self._engines.clear()

    def perform(
        self,
        name: str,
        actor: Actor,
        case_id: str,
        values: dict[str, Any],
        idempotency_key: str | None = None,
    ) -> CaseSummary:
        """Perform the declared action ``name`` with its payload ``values`` (named as declared).

        The engine method of the same name takes the rules; the payload's declared values (not the
        over-budget reason) are what an idempotency key stands for besides action, case and actor.
        """
        spec = ACTIONS[name]
        for param in spec.params:
            if param.kind in (ParamKind.MATERIALS, ParamKind.MATERIALS_REQUIRED):
                values[param.name] = list(values.get(param.name) or ())

        def change(engine: CaseEngine, case: Case, now: dt.datetime) -> Any:
            return getattr(engine, name)(case, actor, now, **values)

        return self.act(name, case_id, actor, change, key=idempotency_key, payload=spec.payload(values))[0]

    def open_case(
        self,
        actor: Actor,
        matter_id: str,
        applicant: Applicant,
        channel: str,
        location: str,
        *,
        agent: str | None = None,
        parties: Iterable[Party] = (),
        idempotency_key: str | None = None,
        over_budget_reason: str | None = None,
    ) -> CaseSummary:
        """Open a case in one transaction (the first case of a definition version stores it)."""
        check_actor(actor)
        if not isinstance(applicant, Applicant):
            raise InvalidInput("must be an Applicant", field="applicant")
        plan = self.catalogue.plan(matter_id)
        self.catalogue.location(location)
        now = self.clock.now()
        self.refresh_calendar(now)
        engine = self.engine(plan.content_hash)
        case_id = new_case_id(now)
        parties = list(parties)
        payload = [matter_id, applicant.kind, applicant.id_number, channel, location,
                   [[p.role, p.applicant.kind, p.applicant.id_number] for p in parties
                    if isinstance(p, Party) and isinstance(p.applicant, Applicant)], over_budget_reason]
        fingerprint = self._fingerprint("open_case", "", payload, actor)
        with self.store.transaction() as tx:
            if idempotency_key:
                record = tx.get_idempotency(idempotency_key)
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise DuplicateAction(idempotency_key, case_id="-")  # never another's case id
                    return CaseSummary(**record.result)
            if plan.content_hash not in self._saved_definitions:
                files = self.catalogue.definition_files(matter_id)
                tx.save_definition(plan.content_hash, matter_id, plan.matter.version, files)
            case = engine.open_case(actor, case_id, applicant, channel, location, now, agent=agent,
                                    parties=parties, over_budget_reason=over_budget_reason)
            tx.add_case(case)
            summary = self.summary(case, engine, actor)
            if idempotency_key:
                tx.put_idempotency(idempotency_key, case.id, "open_case", fingerprint, summary.to_dict())
        self._saved_definitions.add(plan.content_hash)
        return summary

    def summary(self, case: Case, engine: CaseEngine, actor: Actor | None = None) -> CaseSummary:
        """What an action or a query returns about ``case``: its allowed actions are ``actor``'s."""
        return summarise(
            case,
            engine.allowed_actions(case, actor),
            self.clock.today(),
            self.calendar,
            engine.matter.trip_budget,
            self.yellow_days,
        )

    @staticmethod
    def _fingerprint(action: str, case_id: str, payload: Any, actor: Actor) -> str:
        """What an idempotency key stands for: the action, its case, arguments and actor.

        The actor is part of it so that a key replays only for whoever used it first: another
        actor reusing the key gets :class:`DuplicateAction`, never the first caller's result.
        """
        who = [actor.role.value, actor.id, actor.department, actor.location, actor.applicant_id]
        text = json.dumps([action, case_id, payload, who], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def act(
        self,
        action: str,
        case_id: str,
        actor: Actor,
        change: Callable[[CaseEngine, Case, dt.datetime], R],
        *,
        key: str | None = None,
        payload: Any = None,
    ) -> tuple[CaseSummary, R | None]:
        """Change one case in one transaction (:meth:`Store.act_on`); replay an idempotent repeat.

        In the transaction: the idempotency record of ``key``, if any, answers at once; otherwise
        the engine changes the case, the store saves it, and the summary is recorded under ``key``.
        """
        check_actor(actor)
        now = self.clock.now()
        self.refresh_calendar(now)
        fingerprint = self._fingerprint(action, case_id, payload, actor) if key else ""

        def replay(tx: Transaction) -> tuple[CaseSummary, R | None] | None:
            record = tx.get_idempotency(key) if key else None
            if record is None:
                return None
            if record.fingerprint != fingerprint or record.case_id != case_id:
                raise DuplicateAction(record.key, case_id=case_id)
            return CaseSummary(**record.result), None

        def act(tx: Transaction, case: Case) -> Callable[[], tuple[CaseSummary, R | None]]:
            engine = self.engine(case.definition_hash, tx)
            result = change(engine, case, now)

            def saved() -> tuple[CaseSummary, R | None]:
                summary = self.summary(case, engine, actor)
                if key:
                    tx.put_idempotency(key, case_id, action, fingerprint, summary.to_dict())
                return summary, result

            return saved

        try:
            return self.store.act_on(case_id, act, replay=replay if key else None)
        except NotAuthorised as exc:
            self.record_denied(case_id, actor, action, exc, now)
            raise

    def record_denied(
        self, case_id: str, actor: Actor, action: str, exc: NotAuthorised, now: dt.datetime
    ) -> None:
        """Count the refusal in the audit log (its own transaction; the action rolled back).

        Not in the case's event log: refusals are bounded there by actor, case, reason and minute
        (:mod:`oneservice.store.audit`), and a case's log holds what happened to the case.
        """
        from ..store.audit import record_refusal

        with contextlib.suppress(StoreError):  # the refusal stands; the audit row is best effort
            record_refusal(self.store, at=now, actor=actor.describe(), role=actor.role.value,
                           case_id=case_id, action=action, reason=str(exc))

    def with_retry(self, call: Callable[[], R], attempts: int = 3) -> R:
        """Run ``call`` again when a concurrent action changed the case; the last conflict is raised."""
        for attempt in range(attempts):
            try:
                return call()
            except ConcurrencyConflict:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
