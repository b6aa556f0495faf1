"""One database transaction: the case aggregate, its events, idempotency records, definitions.

Loading is one query (:mod:`oneservice.store._fast.loading`), or none beyond a version check when
the store's cache holds the current version (:mod:`oneservice.store._fast.cache`). Saving writes
the ``cases`` row first, guarded by the version the case was loaded with; then only the child
rows that changed since they were loaded (only their changed columns), and the new events. What
was loaded is remembered per :class:`~oneservice.domain.case.Case` object (weakly), so a case may
be loaded in one transaction and saved in another. After a rollback the cases saved in the
transaction are put back as they were before the save. The worklist queries
(:class:`~oneservice.store.worklists.Worklists`) are offered as the transaction's own methods.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Mapping
from types import MethodType
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.case import Case, Deadline, Event
from oneservice.engine.clock import TZ
from oneservice.errors import CaseNotFound, ConcurrencyConflict, StoreError
from oneservice.store import calendars as _calendars
from oneservice.store._fast.cache import CachedCase, CaseCache
from oneservice.store._fast.statements import (
    CASE_COLUMNS,
    INSERT_CASE,
    INSERT_EVENTS,
    PARTS,
    SELECT_VERSION,
    UPDATE_CASE,
    loader,
    parts,
)
from oneservice.store.attachments import record_attachments
from oneservice.store.figure_upkeep import after_save
from oneservice.store.figure_upkeep import refresh as refresh_figures
from oneservice.store.mapping import (
    Row,
    Snapshot,
    case_from_rows,
    case_row,
    event_from_row,
    event_rows,
    party_rows,
    snapshot_of,
)
from oneservice.store.outbox import claim_positions
from oneservice.store.references import find_reference, record_references
from oneservice.store.rows import CalendarYearRow, IdempotencyRecord
from oneservice.store.tables import case_parties, definitions, events, idempotency
from oneservice.store.worklists import Worklists

__all__ = ["Transaction"]

P = ParamSpec("P")
R = TypeVar("R")

# What was last loaded or saved for each case object; weak, so it goes with the case.
_SNAPSHOTS: weakref.WeakKeyDictionary[Case, Snapshot] = weakref.WeakKeyDictionary()

_SELECT_EVENTS = select(events).where(events.c.case_id == bindparam("case_id")).order_by(events.c.seq)
_SELECT_IDEMPOTENCY = select(idempotency).where(idempotency.c.key == bindparam("key"))
_INSERT_IDEMPOTENCY = idempotency.insert()


class _Query(Generic[P, R]):
    """A query of :class:`Worklists`, offered by the transaction as a method of its own."""

    def __init__(self, query: Callable[Concatenate[Worklists, P], R]) -> None:
        self._query = query
        self.__doc__ = query.__doc__
        self.__wrapped__ = query  # help() and inspect.signature show the query's own

    @overload
    def __get__(self, tx: None, owner: type[Any]) -> Callable[Concatenate[Worklists, P], R]: ...

    @overload
    def __get__(self, tx: Transaction, owner: type[Any]) -> Callable[P, R]: ...

    def __get__(self, tx: Transaction | None, owner: type[Any]) -> Callable[..., R]:
        if tx is None:
            return self._query
        return MethodType(self._query, tx._worklists)


class Transaction:
    """One database transaction; obtained from :meth:`Store.transaction`, never built directly."""

    def __init__(self, connection: Connection, cache: CaseCache) -> None:
        self._conn = connection
        self._cache = cache
        self._worklists = Worklists(connection)
        self._undo: list[Callable[[], None]] = []
        self._cache_puts: dict[str, CachedCase] = {}  # applied once the transaction committed
        self._wrote_events = False
        self.case_id: str | None = None
        """The case this transaction last touched; a race is reported against it."""

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for queries the repository does not offer."""
        return self._conn

    # ----------------------------------------------------------------------------- the aggregate

    def get_case(self, case_id: str) -> Case:
        """The case with its tasks, materials, visits, deadlines, ratings (not its events).

        A case held in the store's cache is used if the database still holds its version (one
        ``SELECT version``); to change a case, :meth:`Store.act_on` is the faster way.
        """
        return self._get_case(case_id, trust_cache=False, take=False)

    def _get_case(self, case_id: str, *, trust_cache: bool, take: bool) -> Case:
        """:meth:`get_case`, and the two short cuts of :meth:`Store.act_on`.

        ``trust_cache``: a cached case is used without asking the database for its version. The
        version guard of :meth:`_save_case` still refuses a stale case (``ConcurrencyConflict``);
        any other refusal must be checked with :meth:`_is_current`, because a stale case may
        refuse an action the current one allows.

        ``take``: the very case object the last ``_save_case(case, release=True)`` left in the
        cache, instead of a new one built from the cached rows; the taker must not keep it after
        the transaction (the next taker owns it).
        """
        self.case_id = case_id
        conn = self._conn
        cache = self._cache
        entry = cache.get(case_id)
        if entry is not None:
            if trust_cache:
                version: int | None = entry.version
            else:  # valid if the database still holds that version
                version = SELECT_VERSION.on(conn.dialect).execute(conn, {"case_id": case_id}).scalar()
                if version is None:
                    cache.discard(case_id)
                    raise CaseNotFound(case_id) from None
            if version == entry.version:
                case = (entry.take() if take else None) or entry.case()
                _SNAPSHOTS[case] = entry.snapshot
                return case
        case, row = self._load(case_id)
        snap = snapshot_of(case)
        _SNAPSHOTS[case] = snap
        if cache.size:
            self._cache_puts[case_id] = CachedCase.of(row, snap, version=case.version)
        return case

    def _is_current(self, case: Case) -> bool:
        """Whether the database still holds the version ``case`` was loaded with.

        If not, the store's cached copy is dropped, so the next load reads the case.
        """
        conn = self._conn
        version = SELECT_VERSION.on(conn.dialect).execute(conn, {"case_id": case.id}).scalar()
        if version != case.version:
            self._cache.discard(case.id)
            self._cache_puts.pop(case.id, None)
            return False
        return True

    def _load(self, case_id: str) -> tuple[Case, Row]:
        loaded = loader(self._conn.dialect).load(self._conn, case_id)
        if loaded is None:
            raise CaseNotFound(case_id) from None
        row, (tasks, materials, visits, deadlines, ratings) = loaded
        case = case_from_rows(
            row, tasks=tasks, materials=materials, visits=visits, deadlines=deadlines, ratings=ratings
        )
        return case, row

    def add_case(self, case: Case) -> None:
        """Insert a new case with everything it has, including ``case.new_events``."""
        self.add_cases((case,))

    def add_cases(self, new: Iterable[Case]) -> None:
        """Insert new cases, each table in one statement for all of them (bulk loading)."""
        batch = list(new)
        if not batch:
            return
        self.case_id = batch[0].id if len(batch) == 1 else None
        case_rows: list[Row] = []
        child_rows: tuple[list[Row], ...] = ([], [], [], [], [])
        new_events: list[Row] = []
        snapshots: list[Snapshot] = []
        cache = self._cache
        for case in batch:
            _check_new_events(case)
            snap = snapshot_of(case)
            snapshots.append(snap)
            row = case_row(case)
            row["event_count"] = case.event_count + len(case.new_events)
            case_rows.append(row)
            if cache.size:
                self._cache_puts[case.id] = CachedCase.of(row, snap, version=case.version)
            for rows, (_, part_rows) in zip(child_rows, parts(snap), strict=True):
                rows.extend(part_rows.values())
            if case.new_events:
                new_events.extend(event_rows(case.id, case.new_events))
        conn = self._conn
        dialect = conn.dialect
        INSERT_CASE.on(dialect).execute(conn, case_rows)
        parties = [row for case in batch for row in party_rows(case)]
        if parties:
            conn.execute(case_parties.insert(), parties)
        for rows, part in zip(child_rows, PARTS, strict=True):
            if rows:
                part.insert.on(dialect).execute(conn, rows)
        if new_events:
            _number(self, conn, new_events)
            INSERT_EVENTS.on(dialect).execute(conn, new_events)
        for case, snap in zip(batch, snapshots, strict=True):
            refresh_figures(conn, case.id)
            self._saved(case, snap, version=case.version, previous=None)

    def save_case(self, case: Case) -> None:
        """Write the changes of a case loaded (or added) earlier, guarded by its version.

        Raises :class:`~oneservice.errors.ConcurrencyConflict` when another transaction saved
        the case since it was loaded; nothing is written then.
        """
        self._save_case(case, release=False)

    def _save_case(self, case: Case, *, release: bool) -> None:
        """:meth:`save_case`; ``release=True`` (:meth:`Store.act_on`): ``case`` is not used after
        the transaction, so the cache may hand the object itself to the next ``take``."""
        self.case_id = case.id
        _check_new_events(case)
        new = snapshot_of(case)
        row = case_row(case)
        row["event_count"] = case.event_count + len(case.new_events)
        loaded = case.version
        cache = self._cache
        previous = cache.get(case.id) if cache.size else None
        if previous is not None and previous.version != loaded:
            previous = None
        if previous is None:
            changed = CASE_COLUMNS
        else:  # the committed row of the loaded version: send only what differs from it
            before = previous.row
            changed = tuple(n for n in CASE_COLUMNS if before[n] != row[n])
        params = {n: row[n] for n in changed}
        params["k_id"] = case.id
        params["k_version"] = loaded
        conn = self._conn
        if UPDATE_CASE(changed).on(conn.dialect).execute(conn, params).rowcount != 1:
            cache.discard(case.id)  # whatever it holds is not the current version
            raise ConcurrencyConflict(case.id, expected_version=loaded)
        old = _SNAPSHOTS.get(case)
        if old is None:  # not loaded through a store: compare with what the database holds
            old = snapshot_of(self._load(case.id)[0])
        changes = tuple(
            part.write(conn, old_rows, new_rows)
            for (part, old_rows), (_, new_rows) in zip(parts(old), parts(new), strict=True)
        )
        after_save(conn, case.id, changed, changes, old, new)  # the kept figures (migration 0019)
        if case.new_events:
            rows = event_rows(case.id, case.new_events)
            _number(self, conn, rows)
            INSERT_EVENTS.on(conn.dialect).execute(conn, rows)
            record_references(conn, case, case.new_events)
            record_attachments(conn, case, case.new_events)
        if cache.size:
            # the rows were compared with the cached ones just now: tell the cache what changed
            known = (changed, changes) if previous is not None and old is previous.snapshot else None
            entry = CachedCase.of(row, new, version=loaded + 1, previous=previous, changed=known)
            if release and known is not None:
                entry.hold(case, row, new, known)
            self._cache_puts[case.id] = entry
        self._saved(case, new, version=loaded + 1, previous=old)

    def _saved(self, case: Case, snap: Snapshot, *, version: int, previous: Snapshot | None) -> None:
        """Bring the case object up to date, remembering how to undo that on rollback."""
        before = (case.version, case.event_count, case.new_events)
        case.version = version
        case.event_count += len(case.new_events)
        case.new_events = []
        _SNAPSHOTS[case] = snap

        def undo() -> None:
            case.version, case.event_count, case.new_events = before
            if previous is None:
                _SNAPSHOTS.pop(case, None)
            else:
                _SNAPSHOTS[case] = previous

        self._undo.append(undo)

    def _rolled_back(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def find_reference(self, system: str, reference: str) -> tuple[str, str] | None:
        """The (case id, item code) that system actor ``system`` recorded ``reference`` for."""
        return find_reference(self._conn, system, reference)

    def events(self, case_id: str) -> list[Event]:
        """Every event of a case, in order."""
        rows = self._conn.execute(_SELECT_EVENTS, {"case_id": case_id}).mappings()
        return [event_from_row(r) for r in rows]

    # --------------------------------------------------------------------------- idempotency

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        """The recorded outcome of the action performed under ``key``, if any."""
        row = self._conn.execute(_SELECT_IDEMPOTENCY, {"key": key}).mappings().first()
        return None if row is None else IdempotencyRecord(**row)

    def put_idempotency(
        self,
        key: str,
        case_id: str,
        action: str,
        fingerprint: str,
        result: Any,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        """Record the outcome of an action; a key recorded concurrently is a conflict."""
        self.case_id = case_id
        self._conn.execute(
            _INSERT_IDEMPOTENCY,
            {
                "key": key,
                "case_id": case_id,
                "action": action,
                "fingerprint": fingerprint,
                "result": result,
                "at": at or dt.datetime.now(TZ),
            },
        )

    # --------------------------------------------------------------------------- definitions

    def save_definition(self, hash: str, matter_id: str, version: str, files: dict[str, str]) -> bool:
        """Keep the YAML a case was opened under; False if that hash is stored already."""
        insert = postgresql.insert if self._conn.dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(definitions)
            .on_conflict_do_nothing(index_elements=["hash"])
            .returning(definitions.c.hash)
        )
        inserted = self._conn.execute(
            stmt,
            {
                "hash": hash,
                "matter_id": matter_id,
                "version": version,
                "files": files,
                "stored_at": dt.datetime.now(TZ),
            },
        ).scalar_one_or_none()
        return inserted is not None

    def load_definition(self, hash: str) -> dict[str, str] | None:
        """The files (name → YAML text) stored under ``hash``, or None."""
        files = self._conn.execute(
            select(definitions.c.files).where(definitions.c.hash == hash)
        ).scalar_one_or_none()
        return None if files is None else dict(files)

    # --------------------------------------------------------------------------- calendar years

    def calendar_years(self) -> list[CalendarYearRow]:
        """The calendar years loaded into this database, in year order."""
        return _calendars.stored_years(self._conn)

    def put_calendar_year(
        self, year: int, data: Mapping[str, Any], source: str, at: dt.datetime, by: str
    ) -> None:
        """Keep a loaded calendar year (its calendar file's mapping), replacing an earlier load."""
        _calendars.put_year(self._conn, year, data, source, at, by)

    def deadlines_in_year(self, year: int) -> list[tuple[str, Deadline]]:
        """``(case_id, deadline)`` of every deadline whose count may examine a day of ``year``."""
        return _calendars.deadlines_in(self._conn, year)

    def provisional_cases_in(self, years: Iterable[int]) -> list[str]:
        """Open cases with an unmet provisional deadline whose count may examine a day of ``years``."""
        return _calendars.provisional_cases_in(self._conn, years)

    # --------------------------------------------------------------------------- worklists

    department_tasks = _Query(Worklists.department_tasks)
    department_tasks_page = _Query(Worklists.department_tasks_page)
    window_queue = _Query(Worklists.window_queue)
    window_queue_page = _Query(Worklists.window_queue_page)
    awaiting_materials = _Query(Worklists.awaiting_materials)
    awaiting_materials_page = _Query(Worklists.awaiting_materials_page)
    search_cases_page = _Query(Worklists.search_cases_page)
    open_cases_due_before = _Query(Worklists.open_cases_due_before)
    open_cases_due_before_page = _Query(Worklists.open_cases_due_before_page)
    open_cases_due_between = _Query(Worklists.open_cases_due_between)
    open_cases_due_between_page = _Query(Worklists.open_cases_due_between_page)
    cases_for_applicant = _Query(Worklists.cases_for_applicant)
    cases_for_applicant_page = _Query(Worklists.cases_for_applicant_page)
    cases_run_by_agent = _Query(Worklists.cases_run_by_agent)
    events_page = _Query(Worklists.events_page)
    provisional_case_ids = _Query(Worklists.provisional_case_ids)
    overdue_owed_materials = _Query(Worklists.overdue_owed_materials)
    overdue_notices = _Query(Worklists.overdue_notices)
    case_ids = _Query(Worklists.case_ids)


def _number(tx: Transaction, conn: Connection, rows: list[Row]) -> None:
    """Give each new event its place in the store's feed (the outbox), in this transaction."""
    first = claim_positions(conn, len(rows))
    tx._wrote_events = True
    for offset, row in enumerate(rows):
        row["position"] = first + offset


def _check_new_events(case: Case) -> None:
    """New events must continue the case's numbering without a gap."""
    first = case.event_count + 1
    seqs = [e.seq for e in case.new_events]
    if seqs != list(range(first, first + len(seqs))):
        raise StoreError(
            f"case {case.id}: new events must be numbered {first}, {first + 1}, … "
            f"(event_count is {case.event_count}), got {seqs}"
        )
