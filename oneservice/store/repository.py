"""The store: one :class:`Store` per database, one :class:`Transaction` per action.

::

    store = Store("postgresql+psycopg://…")      # or Store() for ./oneservice.sqlite
    store.migrate()                               # schema to head (Alembic), idempotent
    with store.transaction() as tx:               # commit on success, rollback on error
        case = tx.get_case("C-2027-000001")
        ...                                       # the engine changes the case
        tx.save_case(case)                        # optimistic lock on cases.version

Saving writes the ``cases`` row first, guarded by the version the case was loaded with; then
only the child rows that changed since they were loaded, and the new events. What was loaded is
remembered per :class:`~oneservice.domain.case.Case` object (weakly), so a case may be loaded in
one transaction and saved in another. Database errors leave a transaction as oneservice errors
(see :mod:`oneservice.store.translate`); after a rollback the cases saved in it are put back
as they were before the save.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Table,
    and_,
    bindparam,
    create_engine,
    event,
    or_,
    select,
    true,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from oneservice.domain.case import Case, CaseState, Event, MaterialStatus, TaskState
from oneservice.engine.clock import TZ
from oneservice.errors import CaseNotFound, ConcurrencyConflict, StoreError
from oneservice.store.mapping import (
    Row,
    Snapshot,
    case_from_rows,
    case_row,
    event_from_row,
    event_rows,
    snapshot_of,
)
from oneservice.store.rows import CaseRow, IdempotencyRecord, TaskRow
from oneservice.store.tables import (
    cases,
    deadlines,
    definitions,
    events,
    idempotency,
    item_tasks,
    materials,
    ratings,
    visits,
)
from oneservice.store.translate import translate
from oneservice.store.types import json_dumps

__all__ = ["DEFAULT_URL", "FINISHED_CASE_STATES", "Store", "Transaction"]

DEFAULT_URL = "sqlite:///oneservice.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"

FINISHED_CASE_STATES = (
    CaseState.DELIVERED,
    CaseState.CLOSED,
    CaseState.REFUSED,
    CaseState.TERMINATED,
    CaseState.WITHDRAWN,
)
"""A case in any other state is open: supervision and timers look at it."""

DEPARTMENT_STATES = (
    TaskState.READY,
    TaskState.IN_REVIEW,
    TaskState.CORRECTION_REQUESTED,
    TaskState.SUSPENDED,
)

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATION_LOCK = 0x6F6E6573  # pg_advisory_xact_lock key: "ones"

# What was last loaded or saved for each case object; weak, so it goes with the case.
_SNAPSHOTS: weakref.WeakKeyDictionary[Case, Snapshot] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------- prepared statements


def _by_case(table: Table, *order: str) -> Executable:
    return (
        select(table)
        .where(table.c.case_id == bindparam("case_id"))
        .order_by(*(table.c[name] for name in order))
    )


def _update(table: Table, keys: Sequence[str]) -> Executable:
    """``UPDATE table SET <the other columns> WHERE <keys>``; key params are ``k_<name>``."""
    others = [c.name for c in table.columns if c.name not in keys]
    return (
        table.update()
        .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys)))
        .values({name: bindparam(name) for name in others})
    )


def _delete(table: Table, keys: Sequence[str]) -> Executable:
    return table.delete().where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys)))


class _Part:
    """How one child table of a case is diffed and written."""

    def __init__(self, table: Table, keys: Sequence[str], order: str) -> None:
        self.table = table
        self.keys = tuple(keys)
        self.select = _by_case(table, order)
        self.insert = table.insert()
        self.update = _update(table, keys)
        self.delete = _delete(table, keys)

    def write(self, conn: Connection, old: dict[Any, Row], new: dict[Any, Row]) -> None:
        inserts: list[Row] = []
        updates: list[Row] = []
        for key, row in new.items():
            before = old.get(key)
            if before is None:
                inserts.append(row)
            elif before != row:
                params = {name: value for name, value in row.items() if name not in self.keys}
                for k in self.keys:
                    params[f"k_{k}"] = row[k]
                updates.append(params)
        gone = [
            {f"k_{k}": row[k] for k in self.keys} for key, row in old.items() if key not in new
        ]
        if gone:
            conn.execute(self.delete, gone)
        if updates:
            conn.execute(self.update, updates)
        if inserts:
            conn.execute(self.insert, inserts)


_TASKS = _Part(item_tasks, ("case_id", "item_code"), "item_code")
_MATERIALS = _Part(materials, ("case_id", "material_id"), "material_id")
_VISITS = _Part(visits, ("case_id", "seq"), "seq")
_DEADLINES = _Part(deadlines, ("case_id", "kind", "subject"), "kind")
_RATINGS = _Part(ratings, ("case_id", "seq"), "seq")

_SELECT_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_INSERT_CASE = cases.insert()
_UPDATE_CASE = (
    cases.update()
    .where(cases.c.id == bindparam("k_id"), cases.c.version == bindparam("k_version"))
    .values(
        {c.name: bindparam(c.name) for c in cases.columns if c.name not in ("id", "version")}
        | {"version": cases.c.version + 1}
    )
)
_INSERT_EVENTS = events.insert()
_SELECT_EVENTS = _by_case(events, "seq")

_CASE_ROW = (
    cases.c.id,
    cases.c.matter_id,
    cases.c.state,
    cases.c.location,
    cases.c.channel,
    cases.c.applicant_id,
    cases.c.applicant_name,
    cases.c.opened_at,
    cases.c.concluded_at,
    cases.c.due_date,
    cases.c.due_provisional,
    cases.c.trips,
    cases.c.over_budget,
    cases.c.version,
)
_OPEN = cases.c.state.not_in(FINISHED_CASE_STATES)


# ------------------------------------------------------------------------------------ transaction


class Transaction:
    """One database transaction; obtained from :meth:`Store.transaction`, never built directly."""

    def __init__(self, connection: Connection, store: Store) -> None:
        self._conn = connection
        self._store = store
        self._undo: list[Callable[[], None]] = []
        self.case_id: str | None = None
        """The case this transaction last touched; a race is reported against it."""

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for queries the repository does not offer."""
        return self._conn

    # ----------------------------------------------------------------------------- the aggregate

    def get_case(self, case_id: str) -> Case:
        """The case with its tasks, materials, visits, deadlines, ratings (not its events)."""
        self.case_id = case_id
        case = self._load(case_id)
        _SNAPSHOTS[case] = snapshot_of(case)
        return case

    def _load(self, case_id: str) -> Case:
        conn = self._conn
        params = {"case_id": case_id}
        row = conn.execute(_SELECT_CASE, params).mappings().first()
        if row is None:
            raise CaseNotFound(case_id) from None
        return case_from_rows(
            row,
            conn.execute(_TASKS.select, params).mappings(),
            conn.execute(_MATERIALS.select, params).mappings(),
            conn.execute(_VISITS.select, params).mappings(),
            conn.execute(_DEADLINES.select, params).mappings(),
            conn.execute(_RATINGS.select, params).mappings(),
        )

    def add_case(self, case: Case) -> None:
        """Insert a new case with everything it has, including ``case.new_events``."""
        self.case_id = case.id
        _check_new_events(case)
        snap = snapshot_of(case)
        row = case_row(case)
        row["event_count"] = case.event_count + len(case.new_events)
        conn = self._conn
        conn.execute(_INSERT_CASE, row)
        for part, rows in _parts(snap):
            if rows:
                conn.execute(part.insert, list(rows.values()))
        if case.new_events:
            conn.execute(_INSERT_EVENTS, event_rows(case.id, case.new_events))
        self._saved(case, snap, version=case.version, previous=None)

    def save_case(self, case: Case) -> None:
        """Write the changes of a case loaded (or added) earlier, guarded by its version.

        Raises :class:`~oneservice.errors.ConcurrencyConflict` when another transaction saved
        the case since it was loaded; nothing is written then.
        """
        self.case_id = case.id
        _check_new_events(case)
        new = snapshot_of(case)
        params = case_row(case)
        loaded = params.pop("version")
        del params["id"]
        params["event_count"] = case.event_count + len(case.new_events)
        params["k_id"] = case.id
        params["k_version"] = loaded
        conn = self._conn
        if conn.execute(_UPDATE_CASE, params).rowcount != 1:
            raise ConcurrencyConflict(case.id, expected_version=loaded)
        old = _SNAPSHOTS.get(case)
        if old is None:  # not loaded through a store: compare with what the database holds
            old = snapshot_of(self._load(case.id))
        for (part, old_rows), (_, new_rows) in zip(_parts(old), _parts(new), strict=True):
            part.write(conn, old_rows, new_rows)
        if case.new_events:
            conn.execute(_INSERT_EVENTS, event_rows(case.id, case.new_events))
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

    def events(self, case_id: str) -> list[Event]:
        """Every event of a case, in order."""
        rows = self._conn.execute(_SELECT_EVENTS, {"case_id": case_id}).mappings()
        return [event_from_row(r) for r in rows]

    # --------------------------------------------------------------------------- idempotency

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        """The recorded outcome of the action performed under ``key``, if any."""
        row = self._conn.execute(
            select(
                idempotency.c.key,
                idempotency.c.case_id,
                idempotency.c.action,
                idempotency.c.fingerprint,
                idempotency.c.result,
                idempotency.c.at,
            ).where(idempotency.c.key == key)
        ).first()
        return None if row is None else IdempotencyRecord(*row)

    def put_idempotency(
        self,
        key: str,
        case_id: str | None,
        action: str,
        fingerprint: str,
        result: Any,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        """Record the outcome of an action; a key recorded concurrently is a conflict."""
        if case_id is not None:
            self.case_id = case_id
        self._conn.execute(
            idempotency.insert(),
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
        insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
        stmt = insert(definitions).on_conflict_do_nothing(index_elements=["hash"])
        result = self._conn.execute(
            stmt,
            {
                "hash": hash,
                "matter_id": matter_id,
                "version": version,
                "files": files,
                "stored_at": dt.datetime.now(TZ),
            },
        )
        return result.rowcount == 1

    def load_definition(self, hash: str) -> dict[str, str] | None:
        """The files (name → YAML text) stored under ``hash``, or None."""
        files = self._conn.execute(
            select(definitions.c.files).where(definitions.c.hash == hash)
        ).scalar_one_or_none()
        return None if files is None else dict(files)

    # ------------------------------------------------------------------------------ worklists

    def department_tasks(
        self, department: str, states: Sequence[TaskState] = DEPARTMENT_STATES
    ) -> list[TaskRow]:
        """A department's item tasks in the given states, earliest due first."""
        t = item_tasks.c
        stmt = (
            select(
                t.case_id,
                t.item_code,
                t.department,
                t.state,
                cases.c.matter_id,
                t.dispatched_at,
                t.started_at,
                t.due_date,
                t.due_provisional,
                t.suspended_since,
                t.reviewer,
            )
            .join_from(item_tasks, cases, cases.c.id == t.case_id)
            .where(t.department == department, t.state.in_(list(states)))
            .order_by(t.due_date.asc().nulls_last(), t.dispatched_at, t.case_id, t.item_code)
        )
        return [TaskRow(*row) for row in self._conn.execute(stmt)]

    def _case_rows(self, *where: Any, order: Sequence[Any] = ()) -> list[CaseRow]:
        stmt = select(*_CASE_ROW).where(*where).order_by(*order, cases.c.id)
        return [CaseRow(*row) for row in self._conn.execute(stmt)]

    def window_queue(self, location: str) -> list[CaseRow]:
        """Cases ready for pickup at a location, in the order they became ready."""
        return self._case_rows(
            cases.c.location == location,
            cases.c.state == CaseState.READY_FOR_PICKUP,
            order=[cases.c.concluded_at],
        )

    def awaiting_materials(self, location: str | None = None) -> list[CaseRow]:
        """Open cases waiting for the applicant: one-time notice given, or materials owed."""
        owed = select(materials.c.case_id).where(materials.c.status == MaterialStatus.OWED)
        where: list[Any] = [
            or_(
                cases.c.state == CaseState.AWAITING_MATERIALS,
                and_(_OPEN, cases.c.id.in_(owed)),
            )
        ]
        if location is not None:
            where.append(cases.c.location == location)
        return self._case_rows(*where, order=[cases.c.opened_at])

    def open_cases_due_before(self, day: dt.date) -> list[CaseRow]:
        """Open cases whose deadline is before ``day`` (overdue when ``day`` is today)."""
        return self._case_rows(cases.c.due_date < day, _OPEN, order=[cases.c.due_date])

    def open_cases_due_between(self, start: dt.date, end: dt.date) -> list[CaseRow]:
        """Open cases whose deadline falls in ``start`` … ``end``, both included."""
        return self._case_rows(
            cases.c.due_date >= start, cases.c.due_date <= end, _OPEN, order=[cases.c.due_date]
        )

    def cases_for_applicant(self, applicant_id: str) -> list[CaseRow]:
        """Every case of an applicant (resident ID number or credit code), newest first."""
        return self._case_rows(
            cases.c.applicant_id == applicant_id, order=[cases.c.opened_at.desc()]
        )

    def provisional_case_ids(self) -> list[str]:
        """Open cases with a provisional deadline not met yet (to recompute when calendars load)."""
        stmt = (
            select(deadlines.c.case_id)
            .join_from(deadlines, cases, cases.c.id == deadlines.c.case_id)
            .where(deadlines.c.provisional == true(), deadlines.c.met_at.is_(None), _OPEN)
            .distinct()
            .order_by(deadlines.c.case_id)
        )
        return list(self._conn.execute(stmt).scalars())

    def overdue_owed_materials(self, today: dt.date) -> list[tuple[str, str, dt.date]]:
        """``(case_id, material_id, due)`` of owed materials of open cases due before ``today``."""
        m = materials.c
        stmt = (
            select(m.case_id, m.material_id, m.due_date)
            .join_from(materials, cases, cases.c.id == m.case_id)
            .where(m.status == MaterialStatus.OWED, m.due_date < today, _OPEN)
            .order_by(m.due_date, m.case_id, m.material_id)
        )
        return [(row[0], row[1], row[2]) for row in self._conn.execute(stmt)]

    def case_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        """Case ids in id order, one page at a time."""
        stmt = select(cases.c.id).order_by(cases.c.id).limit(limit).offset(offset)
        return list(self._conn.execute(stmt).scalars())


def _parts(snap: Snapshot) -> tuple[tuple[_Part, dict[Any, Row]], ...]:
    return (
        (_TASKS, snap.tasks),
        (_MATERIALS, snap.materials),
        (_VISITS, snap.visits),
        (_DEADLINES, snap.deadlines),
        (_RATINGS, snap.ratings),
    )


def _check_new_events(case: Case) -> None:
    """New events must continue the case's numbering without a gap."""
    first = case.event_count + 1
    seqs = [e.seq for e in case.new_events]
    if seqs != list(range(first, first + len(seqs))):
        raise StoreError(
            f"case {case.id}: new events must be numbered {first}, {first + 1}, … "
            f"(event_count is {case.event_count}), got {seqs}"
        )


# ------------------------------------------------------------------------------------------ store


def _sqlite_connect(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    # The documented pysqlite recipe: the driver must not issue BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock up front, so two writers queue (busy timeout) instead of one
    # failing when it upgrades its read snapshot. Read-only transactions begin deferred.
    readonly = conn.get_execution_options().get("oneservice_readonly", False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Store:
    """A oneservice database: SQLite (default ``./oneservice.sqlite``) or PostgreSQL.

    ``schema`` (PostgreSQL only) puts every table in that schema, created by :meth:`migrate`.
    ``busy_timeout`` (SQLite only) is how long, in seconds, a writer waits for another.
    """

    def __init__(
        self, url: str | None = None, *, schema: str | None = None, busy_timeout: float = 10.0
    ) -> None:
        try:
            parsed = make_url(url or DEFAULT_URL)
        except sa_exc.ArgumentError as exc:
            raise StoreError(f"not a database URL: {url!r} ({exc})") from None
        self._url = parsed
        self._where = parsed.render_as_string(hide_password=True)
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(f"unsupported database {backend!r} in {self._where}; use sqlite or postgresql")
        self._dialect = backend
        if schema is not None and (backend != "postgresql" or not _SCHEMA_NAME.fullmatch(schema)):
            raise StoreError(
                f"schema {schema!r}: only for PostgreSQL, lower-case letters, digits and underscores"
            )
        self._schema = schema
        options: dict[str, Any] = {"json_serializer": json_dumps}
        if backend == "postgresql":
            options["pool_pre_ping"] = True
            if schema is not None:
                options["connect_args"] = {"options": f"-csearch_path={schema}"}
        try:
            engine = create_engine(parsed, **options)
        except (sa_exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot set up {self._where}: {exc}") from None
        if backend == "sqlite":
            timeout_ms = round(busy_timeout * 1000)

            def on_connect(dbapi_connection: Any, record: Any) -> None:
                _sqlite_connect(dbapi_connection, record, busy_timeout_ms=timeout_ms)

            event.listen(engine, "connect", on_connect)
            event.listen(engine, "begin", _sqlite_begin)
        self._engine: Engine = engine

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._where

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._dialect

    @property
    def schema(self) -> str | None:
        return self._schema

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and tests)."""
        return self._engine

    def __repr__(self) -> str:
        schema = f", schema={self._schema!r}" if self._schema else ""
        return f"Store({self._where!r}{schema})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back when it raises.

        ``readonly=True`` promises the block only reads; on SQLite it then does not wait for
        (or block) writers.
        """
        tx: Transaction | None = None
        try:
            with self._engine.connect() as conn:
                if readonly:
                    conn.execution_options(oneservice_readonly=True)
                with conn.begin():
                    tx = Transaction(conn, self)
                    yield tx
        except sa_exc.SQLAlchemyError as exc:
            if tx is not None:
                tx._rolled_back()
            raise translate(exc, case_id=tx.case_id if tx else None, where=self._where) from None
        except BaseException:
            if tx is not None:
                tx._rolled_back()
            raise

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic); does nothing when it is there."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        try:
            with self._engine.begin() as conn:
                if self._dialect == "postgresql":
                    # one migrator at a time across processes
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                    if self._schema is not None:
                        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self._schema}"')
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, case_id=None, where=self._where) from None

    def drop_schema(self) -> None:
        """PostgreSQL with ``schema``: drop that schema and everything in it (tests, demos)."""
        if self._schema is None:
            raise StoreError("drop_schema() needs a Store created with schema=…")
        try:
            with self._engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self._schema}" CASCADE')
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, case_id=None, where=self._where) from None
