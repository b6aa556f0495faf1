"""The application service: one typed method per action, one transaction each.

:class:`OneService` ties the catalogue (definitions), the engine (rules), the store (database)
and the clock together. Every action names its :class:`~oneservice.domain.case.Actor`, runs in
one transaction with optimistic concurrency on the case, accepts an optional idempotency key,
and returns a :class:`~oneservice.service.views.CaseSummary`. An action the actor may not perform
raises :class:`~oneservice.errors.NotAuthorised` and is counted in the audit log
(:mod:`oneservice.store.audit`), not in the case's events.

Each action method is its typed signature over the action's declaration
(:data:`oneservice.domain.actions.ACTIONS`: its payload, roles and summary, which also becomes the
method's docstring); the rules are the engine method of the same name. :class:`OneService` is
composed of::

    OneService
    ├── runner            ActionRunner     (runner.py)            engines, one transaction per action,
    │                                                            idempotency, denied access recorded
    ├── queries           Queries          (queries.py)           completeness, last_notice, get, case,
    │                                                            events, progress, my_cases, worklists
    ├── calendar_updates  CalendarUpdates  (calendar_updates.py)  load_calendar and the deadlines it moves
    └── files             Files            (files.py)             uploads, licence references, downloads,
                                                                 the retention purge (blob store)
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, BinaryIO, Concatenate, ParamSpec, TypeVar

from ..catalog.cache import CacheOption
from ..catalog.catalogue import Catalogue
from ..catalog.loader import load_catalogue
from ..domain.actions import ACTIONS, Target
from ..domain.case import Actor, Applicant, Case, Party, Role
from ..engine.calendar import WorkCalendar
from ..engine.clock import Clock
from ..engine.engine import CaseEngine
from ..errors import ConcurrencyConflict, InvalidInput
from ..store import CalendarYearRow, Store, Transaction
from ..store.attachments import AttachmentRow
from ..store.blobs import BlobStore, FileBlobStore
from .calendar_updates import CalendarUpdates
from .feed import Feed
from .files import Files, Received, default_blobs
from .filetypes import FilePolicy
from .queries import Queries, make_notice
from .requests import Requests
from .runner import ActionRunner, calendar_from_catalogue
from .views import CaseSummary, Notice

__all__ = ["OneService", "calendar_from_catalogue"]


P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def _query(method: Callable[Concatenate[Queries, P], R]) -> Callable[Concatenate[OneService, P], R]:
    """A query of :class:`Queries` offered by :class:`OneService` with the same signature and text."""

    @functools.wraps(method)
    def forward(self: OneService, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self.queries, *args, **kwargs)

    return forward


def _forward(method: Callable[Concatenate[Requests, P], R]) -> Callable[Concatenate[OneService, P], R]:
    """A method of :class:`Requests` offered by :class:`OneService` with the same signature and text."""

    @functools.wraps(method)
    def forward(self: OneService, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self.requests, *args, **kwargs)

    return forward


def _declared(method: F) -> F:
    """Check an action method against its declaration and give it the declaration's text.

    The method's parameters after ``actor`` and ``case_id`` (and ``item`` for an item action) must be
    the declared payload, by name, and ``idempotency_key``: a mismatch fails at import.
    """
    spec = ACTIONS[method.__name__]
    names = list(inspect.signature(method).parameters)[3:]
    expected = ["item"] * (spec.target is Target.ITEM) + [p.name for p in spec.params] + ["idempotency_key"]
    if sorted(names) != sorted(expected):
        raise TypeError(f"OneService.{spec.name}{tuple(names)} does not match its declaration: {expected}")
    who = ", ".join(sorted(r.value for r in spec.roles))
    method.__doc__ = method.__doc__ or f"{spec.summary} ({spec.label.zh}).\n\nWho: {who}."
    return method


class OneService:
    """Every action and query of oneservice, each in one transaction."""

    def __init__(self, catalogue: Catalogue, store: Store, *, clock: Clock | None = None,
                 calendar: WorkCalendar | None = None, yellow_days: int = 1,
                 blobs: BlobStore | None = None, file_policy: FilePolicy | None = None) -> None:
        """The service over ``catalogue`` and ``store``; ``clock``, ``calendar``, ``yellow_days`` as
        :class:`ActionRunner` takes them; uploaded files in ``blobs`` (default: beside a SQLite file,
        :func:`~oneservice.service.files.default_blobs`) under ``file_policy``."""
        self.runner = ActionRunner(catalogue, store, clock=clock, calendar=calendar, yellow_days=yellow_days)
        self.queries = Queries(self.runner)
        self.calendar_updates = CalendarUpdates(self.runner)
        self.files = Files(self.runner, blobs if blobs is not None else default_blobs(store), file_policy)
        """Materials as files and references (:mod:`oneservice.service.files`)."""
        self.feed = Feed(store)
        """The global event feed (:mod:`oneservice.service.feed`): events after a position."""
        self.requests = Requests(self.runner)
        """The 12345 requests (:mod:`oneservice.service.requests`); offered as ``*_request`` methods."""

    take_in_request = _forward(Requests.take_in)
    dispatch_request = _forward(Requests.dispatch)
    return_request = _forward(Requests.return_request)
    acknowledge_request = _forward(Requests.acknowledge)
    answer_request = _forward(Requests.answer)
    call_back_request = _forward(Requests.call_back)
    reopen_request = _forward(Requests.reopen)
    escalate_request = _forward(Requests.escalate)
    get_request = _forward(Requests.get)
    request_events = _forward(Requests.events)
    request_progress = _forward(Requests.progress)
    department_requests = _forward(Requests.department)
    platform_requests = _forward(Requests.platform)
    request_figures = _forward(Requests.figures)
    request_ranking = _forward(Requests.ranking)

    @property
    def catalogue(self) -> Catalogue:
        """The definitions."""
        return self.runner.catalogue

    @property
    def store(self) -> Store:
        """The database."""
        return self.runner.store

    @property
    def clock(self) -> Clock:
        """The time."""
        return self.runner.clock

    @property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar deadlines are computed on (:meth:`load_calendar` extends it)."""
        return self.runner.calendar

    @property
    def yellow_days(self) -> int:
        """The working days before a deadline that turn it yellow."""
        return self.runner.yellow_days

    def engine(self, definition_hash: str, tx: Transaction | None = None) -> CaseEngine:
        """The engine of one definition version (see :meth:`ActionRunner.engine`)."""
        return self.runner.engine(definition_hash, tx)

    def with_retry(self, call: Callable[[], R], attempts: int = 3) -> R:
        """Run ``call`` again when a concurrent action changed the case; the last conflict is raised."""
        return self.runner.with_retry(call, attempts)

    def load_calendar(self, data: Mapping[str, Any], *, actor: Actor | None = None) -> list[str]:
        """Add a year of calendar data and recompute provisional deadlines; returns changed case ids.

        One transaction; the year is kept in the database, so a restarted service loads it again.
        Refused with :class:`~oneservice.errors.CalendarConflict` (OS706) when the data would move
        a frozen deadline (see :mod:`oneservice.service.calendar_updates`)."""
        return self.calendar_updates.load_calendar(data, actor=actor)

    def calendar_years(self) -> list[CalendarYearRow]:
        """The calendar years loaded into the database (year, data, source, when, by whom)."""
        return self.calendar_updates.calendar_years()

    @classmethod
    def open(
        cls,
        workflows: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = "workflows",
        url: str | None = None,
        *,
        clock: Clock | None = None,
        migrate: bool = True,
        files: str | os.PathLike[str] | None = None,
        file_policy: FilePolicy | None = None,
        catalogue_cache: CacheOption = True,
    ) -> OneService:
        """Load definitions from ``workflows`` (one folder or file, or several) and open the database
        at ``url`` (SQLite file by default); uploaded files go to the folder ``files`` (default:
        ``oneservice-files/`` beside the SQLite file).

        ``catalogue_cache``: where the checked catalogue is kept and found again by the content of
        its files (:mod:`oneservice.catalog.cache`): ``True`` (default) for the folder
        ``ONESERVICE_CATALOGUE_CACHE`` names, else ``~/.cache/oneservice/catalogues``; a folder;
        ``False`` to check the files every time."""
        catalogue = load_catalogue(workflows, cache=catalogue_cache)
        store = Store(url)
        if migrate:
            store.migrate()
        blobs = FileBlobStore(files) if files is not None else None
        return cls(catalogue, store, clock=clock, blobs=blobs, file_policy=file_policy)

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
        parties: Iterable[Party] = (),
        idempotency_key: str | None = None,
        over_budget_reason: str | None = None,
    ) -> CaseSummary:
        """Open a case of ``matter_id`` for ``applicant`` on ``channel`` at service ``location``,
        with the other ``parties`` in the roles the matter declares (the seller beside the buyer).
        A window intake over the matter's trip budget (a zero-trip matter brought in person) needs
        ``over_budget_reason`` (ActionRejected ``trip_budget`` otherwise)."""
        return self.runner.open_case(
            actor, matter_id, applicant, channel, location, agent=agent, parties=parties,
            idempotency_key=idempotency_key, over_budget_reason=over_budget_reason,
        )

    @_declared
    def submit(self, actor: Actor, case_id: str, *, form: Mapping[str, Any] | None = None,
               materials: Iterable[str] = (), channel: str, over_budget_reason: str | None = None,
               idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("submit", actor, case_id, idempotency_key=idempotency_key,
                            form=form, materials=materials,
                            channel=channel, over_budget_reason=over_budget_reason)

    def give_notice(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> Notice:
        """Give the one-time notice of everything missing or wrong (submitted → awaiting_materials)."""

        def change(engine: CaseEngine, case: Case, now: dt.datetime) -> Notice:
            check = engine.give_notice(case, actor, now)
            return make_notice(case, engine, check.issues, case.notices)

        _, notice = self.runner.act("give_notice", case_id, actor, change, key=idempotency_key)
        if notice is None:  # an idempotent repeat: rebuild the notice from the event log
            return self.last_notice(actor, case_id)
        return notice

    @_declared
    def supplement(self, actor: Actor, case_id: str, *, form: Mapping[str, Any] | None = None,
                   materials: Iterable[str] = (), channel: str, over_budget_reason: str | None = None,
                   idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("supplement", actor, case_id, idempotency_key=idempotency_key,
                            form=form, materials=materials,
                            channel=channel, over_budget_reason=over_budget_reason)

    @_declared
    def accept(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("accept", actor, case_id, idempotency_key=idempotency_key)

    @_declared
    def accept_with_deficiency(self, actor: Actor, case_id: str, owed: Sequence[str], *, commitment: str,
                               idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("accept_with_deficiency", actor, case_id, idempotency_key=idempotency_key,
                            owed=owed, commitment=commitment)

    @_declared
    def refuse(self, actor: Actor, case_id: str, reason: str, *,
               idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("refuse", actor, case_id, idempotency_key=idempotency_key,
                            reason=reason)

    @_declared
    def supply_owed(self, actor: Actor, case_id: str, materials: Iterable[str], *, channel: str,
                    over_budget_reason: str | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("supply_owed", actor, case_id, idempotency_key=idempotency_key,
                            materials=materials,
                            channel=channel, over_budget_reason=over_budget_reason)

    # ------------------------------------------------------------------ back office

    @_declared
    def start_review(self, actor: Actor, case_id: str, item: str, *,
                     idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("start_review", actor, case_id, idempotency_key=idempotency_key,
                            item=item)

    @_declared
    def approve(self, actor: Actor, case_id: str, item: str, *, note: str | None = None,
                idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("approve", actor, case_id, idempotency_key=idempotency_key,
                            item=item, note=note)

    @_declared
    def refuse_item(self, actor: Actor, case_id: str, item: str, reason: str, *,
                    idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("refuse_item", actor, case_id, idempotency_key=idempotency_key,
                            item=item, reason=reason)

    @_declared
    def request_correction(self, actor: Actor, case_id: str, item: str, *, materials: Sequence[str] = (),
                           note: str, days: int | None = None,
                           idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("request_correction", actor, case_id, idempotency_key=idempotency_key,
                            item=item, materials=materials, note=note, days=days)

    @_declared
    def supply_correction(self, actor: Actor, case_id: str, item: str, *, channel: str,
                          materials: Sequence[str] = (), over_budget_reason: str | None = None,
                          idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("supply_correction", actor, case_id, idempotency_key=idempotency_key,
                            item=item, channel=channel,
                            materials=materials, over_budget_reason=over_budget_reason)

    @_declared
    def suspend(self, actor: Actor, case_id: str, item: str, reason: str, *, basis: str,
                expected_days: int | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("suspend", actor, case_id, idempotency_key=idempotency_key,
                            item=item, reason=reason, basis=basis, expected_days=expected_days)

    @_declared
    def resume(self, actor: Actor, case_id: str, item: str, *,
               idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("resume", actor, case_id, idempotency_key=idempotency_key,
                            item=item)

    @_declared
    def record_visit(self, actor: Actor, case_id: str, item: str, purpose: str, *,
                     over_budget_reason: str | None = None, parties: Sequence[str] | None = None,
                     idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_visit", actor, case_id, idempotency_key=idempotency_key,
                            item=item, purpose=purpose,
                            over_budget_reason=over_budget_reason, parties=parties)

    @_declared
    def sign(self, actor: Actor, case_id: str, role: str, materials: Iterable[str] = (),
             channel: str = "online", *, signer: str | None = None, over_budget_reason: str | None = None,
             idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("sign", actor, case_id, idempotency_key=idempotency_key, role=role,
                            materials=materials, channel=channel, signer=signer,
                            over_budget_reason=over_budget_reason)

    @_declared
    def choose_pickup(self, actor: Actor, case_id: str, location: str, *,
                      idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("choose_pickup", actor, case_id, idempotency_key=idempotency_key,
                            location=location)

    @_declared
    def record_staff_visit(self, actor: Actor, case_id: str, item: str, purpose: str, *,
                           address: str | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_staff_visit", actor, case_id, idempotency_key=idempotency_key,
                            item=item, purpose=purpose, address=address)

    @_declared
    def extend_item(self, actor: Actor, case_id: str, item: str, *, days: int, reason: str,
                    idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("extend_item", actor, case_id, idempotency_key=idempotency_key,
                            item=item, days=days, reason=reason)

    @_declared
    def request_extension(self, actor: Actor, case_id: str, item: str, *, days: int, reason: str,
                          idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("request_extension", actor, case_id, idempotency_key=idempotency_key,
                            item=item, days=days, reason=reason)

    @_declared
    def decide_extension(self, actor: Actor, case_id: str, item: str, *, decision: str,
                         note: str | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("decide_extension", actor, case_id, idempotency_key=idempotency_key,
                            item=item, decision=decision, note=note)

    @_declared
    def extend_case(self, actor: Actor, case_id: str, *, days: int, reason: str,
                    idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("extend_case", actor, case_id, idempotency_key=idempotency_key,
                            days=days, reason=reason)

    # ------------------------------------------------------------------ single window, applicant

    @_declared
    def release_results(self, actor: Actor, case_id: str, *, channel: str | None = None,
                        results: Mapping[str, Any] | None = None, tracking: str | None = None,
                        idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("release_results", actor, case_id, idempotency_key=idempotency_key,
                            channel=channel, results=results, tracking=tracking)

    @_declared
    def deliver(self, actor: Actor, case_id: str, *, channel: str | None = None,
                results: Mapping[str, Any] | None = None, tracking: str | None = None,
                over_budget_reason: str | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("deliver", actor, case_id, idempotency_key=idempotency_key,
                            channel=channel, results=results, tracking=tracking,
                            over_budget_reason=over_budget_reason)

    @_declared
    def conclude(self, actor: Actor, case_id: str, *, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("conclude", actor, case_id, idempotency_key=idempotency_key)

    @_declared
    def withdraw(self, actor: Actor, case_id: str, reason: str, *,
                 idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("withdraw", actor, case_id, idempotency_key=idempotency_key,
                            reason=reason)

    @_declared
    def rate(self, actor: Actor, case_id: str, level: int, comment: str = "", *,
             about: Mapping[str, Any] | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("rate", actor, case_id, idempotency_key=idempotency_key,
                            level=level, comment=comment, about=about)

    @_declared
    def appeal_rating(self, actor: Actor, case_id: str, reason: str, *, rating: int | None = None,
                      idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("appeal_rating", actor, case_id, idempotency_key=idempotency_key,
                            reason=reason, rating=rating)

    @_declared
    def decide_appeal(self, actor: Actor, case_id: str, *, decision: str, note: str,
                      rating: int | None = None, idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("decide_appeal", actor, case_id, idempotency_key=idempotency_key,
                            decision=decision, note=note, rating=rating)

    @_declared
    def record_callback(self, actor: Actor, case_id: str, note: str, *,
                        idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_callback", actor, case_id, idempotency_key=idempotency_key,
                            note=note)

    @_declared
    def record_rectified(self, actor: Actor, case_id: str, note: str, *,
                         idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_rectified", actor, case_id, idempotency_key=idempotency_key,
                            note=note)

    # ------------------------------------------------------------------ reports of other systems

    @_declared
    def confirm_fee(self, actor: Actor, case_id: str, item: str, *, amount: str, reference: str,
                    idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("confirm_fee", actor, case_id, idempotency_key=idempotency_key,
                            item=item, amount=amount, reference=reference)

    @_declared
    def record_licence(self, actor: Actor, case_id: str, item: str, *, number: str, issuer: str,
                       idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_licence", actor, case_id, idempotency_key=idempotency_key,
                            item=item, number=number, issuer=issuer)

    @_declared
    def record_receipt(self, actor: Actor, case_id: str, result: str, *, note: str | None = None,
                       idempotency_key: str | None = None) -> CaseSummary:
        return self.perform("record_receipt", actor, case_id, idempotency_key=idempotency_key,
                            result=result, note=note)

    @_declared
    def record_reference(self, actor: Actor, case_id: str, item: str, *, reference: str,
                         idempotency_key: str | None = None) -> CaseSummary:
        """Record the number a system actor's own system gave ``item`` (no HTTP action: the callbacks
        take it), so that :meth:`find_reference` finds the item by it."""
        return self.runner.perform("record_reference", actor, case_id, {"item": item, "reference": reference},
                                   idempotency_key)

    def find_reference(self, system: str, reference: str) -> tuple[str, str] | None:
        """The case id and item code that system actor ``system`` recorded ``reference`` for."""
        with self.store.transaction(readonly=True) as tx:
            return tx.find_reference(system, reference)

    # ------------------------------------------------------------------ materials as files (files.py)

    def attach_file(self, actor: Actor, case_id: str, material: str, stream: BinaryIO, *,
                    file_name: str | None = None, sha256: str | None = None,
                    idempotency_key: str | None = None) -> Received:
        """Receive ``stream`` as the file of ``material`` (size limit, type sniffed, SHA-256 recorded;
        a wrong declared ``sha256`` is refused and nothing kept)."""
        return self.files.upload(actor, case_id, material, stream, file_name=file_name, sha256=sha256,
                                 idempotency_key=idempotency_key)

    def attach_licence(self, actor: Actor, case_id: str, material: str, *, number: str, issuer: str,
                       idempotency_key: str | None = None) -> Received:
        """Receive ``material`` as a reference to an electronic licence (number, issuing body)."""
        return self.files.reference(actor, case_id, material, number=number, issuer=issuer,
                                    idempotency_key=idempotency_key)

    def attachments(self, actor: Actor, case_id: str) -> list[AttachmentRow]:
        """The files and licence references of the case's materials, oldest first."""
        return self.files.attachments(actor, case_id)

    def open_file(self, actor: Actor, case_id: str, material: str) -> tuple[AttachmentRow, BinaryIO]:
        """The latest file of ``material`` and its bytes, for whoever may see the case."""
        return self.files.open(actor, case_id, material)

    def perform(
        self, name: str, actor: Actor, case_id: str, *, idempotency_key: str | None = None, **values: Any
    ) -> CaseSummary:
        """Perform the declared action ``name`` with its payload ``values`` (item actions: ``item=``).

        Every action of :data:`~oneservice.domain.actions.ACTIONS` can be performed so, the moment
        it is declared and its engine rule written; the typed methods above are the same call.
        """
        spec = ACTIONS.get(name)
        if spec is None or spec.internal or spec.path is None:
            offered = ", ".join(n for n, s in ACTIONS.items() if s.path and not s.internal)
            raise InvalidInput(
                f"{name!r} is not an action on a case", field="action", hint=f"one of: {offered}"
            )
        return self.runner.perform(name, actor, case_id, dict(values), idempotency_key)

    def deem_overdue_accepted(self, actor: Actor | None = None) -> list[str]:
        """视为受理 (the timer): accept from the day of receipt every submitted case whose 5 working days
        to notify or accept have passed (《行政许可法》第三十二条); returns their ids."""
        with self.store.transaction() as tx:
            candidates = sorted(set(tx.overdue_notices(self.clock.today())))
        return self._sweep("deem_accepted", candidates, actor, CaseEngine.deem_accepted)

    def terminate_overdue(self, actor: Actor | None = None) -> list[str]:
        """Terminate every case whose owed materials are past due; returns their ids."""
        with self.store.transaction() as tx:
            candidates = sorted({row[0] for row in tx.overdue_owed_materials(self.clock.today())})
        return self._sweep("terminate", candidates, actor, CaseEngine.terminate_overdue)

    def _sweep(self, action: str, candidates: Iterable[str], actor: Actor | None,
               step: Callable[[CaseEngine, Case, Actor, dt.datetime], bool]) -> list[str]:
        """Run a timer's ``step`` on each candidate case, each in its own transaction; the ids it acted on.

        A case another worker changed meanwhile is skipped: the next sweep sees the result."""
        who = actor or Actor(Role.SYSTEM, "timer")
        done = []
        for case_id in candidates:
            try:
                _, acted = self.runner.act(action, case_id, who, lambda e, c, now: step(e, c, who, now))
            except ConcurrencyConflict:
                continue
            if acted:
                done.append(case_id)
        return done

    # ------------------------------------------------------------------ queries (queries.py)

    completeness = _query(Queries.completeness)
    last_notice = _query(Queries.last_notice)
    get = _query(Queries.get)
    case = _query(Queries.case)
    events = _query(Queries.events)
    events_page = _query(Queries.events_page)
    progress = _query(Queries.progress)
    public_progress = _query(Queries.public_progress)
    my_cases = _query(Queries.my_cases)
    my_cases_page = _query(Queries.my_cases_page)
    agent_cases_page = _query(Queries.agent_cases_page)
    department_worklist = _query(Queries.department_worklist)
    department_worklist_page = _query(Queries.department_worklist_page)
    window_queue = _query(Queries.window_queue)
    window_queue_page = _query(Queries.window_queue_page)
    awaiting_materials = _query(Queries.awaiting_materials)
    awaiting_materials_page = _query(Queries.awaiting_materials_page)
    cases_by_colour = _query(Queries.cases_by_colour)
    cases_by_colour_page = _query(Queries.cases_by_colour_page)
    search_cases_page = _query(Queries.search_cases_page)
