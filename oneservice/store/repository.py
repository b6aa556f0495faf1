"""The store: one :class:`Store` per database, one :class:`Transaction` per action.

::

    store = Store("postgresql+psycopg://…")      # or Store() for ./oneservice.sqlite
    store.migrate()                               # schema to head (Alembic), idempotent
    with store.transaction() as tx:               # commit on success, rollback on error
        case = tx.get_case("C-2027-000001")
        ...                                       # the engine changes the case
        tx.save_case(case)                        # optimistic lock on cases.version

Loading is one query (:mod:`oneservice.store.loading`), or none beyond a version check when
the store's cache holds the current version (:mod:`oneservice.store.cache`). Saving writes the
``cases`` row first, guarded by the version the case was loaded with; then only the child rows
that changed since they were loaded (only their changed columns), and the new events. What was
loaded is remembered per :class:`~oneservice.domain.case.Case` object (weakly), so a case may
be loaded in one transaction and saved in another. The statements of loads and saves are
compiled once per database (:mod:`oneservice.store.compiled`) and run on the DBAPI cursor.
Database errors leave a transaction as oneservice errors (see :mod:`oneservice.store.translate`);
after a rollback the cases saved in it are put back as they were before the save.

The hot path of an action (what ``OneService`` does, and what makes it a large fraction of what
the database alone could do; see docs/performance.md):

* ``get_case(id, trust_cache=True)`` skips the version check: the version guard of the save
  refuses a stale copy, and the caller reruns the action on the current case;
* ``save_case(case, release=True)`` + ``get_case(id, take=True)``: the saved case object itself
  is handed to the next action on the case instead of a copy rebuilt from the cached rows
  (when it equals that copy), once;
* on SQLite each thread keeps one connection between transactions and begins and commits on
  the DBAPI connection itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Table,
    and_,
    bindparam,
    create_engine,
    event,
    literal_column,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from oneservice.domain.case import Case, Event
from oneservice.domain.time import TZ
from oneservice.errors import CaseNotFound, ConcurrencyConflict, StoreError
from oneservice.store.cache import _UNCHANGED, CachedCase, CaseCache, Changes
from oneservice.store.compiled import Prepared, execute_driver, listened, wrap_driver_error
from oneservice.store.loading import CaseLoader
from oneservice.store.mapping import (
    Row,
    Snapshot,
    case_from_rows,
    case_row,
    event_from_row,
    event_rows,
    snapshot_of,
)
from oneservice.store.rows import IdempotencyRecord
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
from oneservice.store.worklists import Worklists

__all__ = ["DEFAULT_URL", "Store", "Transaction"]

DEFAULT_URL = "sqlite:///oneservice.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATION_LOCK = 0x6F6E6573  # pg_advisory_xact_lock key: "ones"

# What was last loaded or saved for each case object; weak, so it goes with the case.
_SNAPSHOTS: weakref.WeakKeyDictionary[Case, Snapshot] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------- prepared statements


class _Updates:
    """``UPDATE table SET <columns> WHERE <keys>`` for each set of changed columns met so far.

    Only the columns that changed are sent (and converted): an UPDATE per combination,
    compiled on first use; the combinations an engine produces are few. Key parameters are
    named ``k_<column>``; ``extra`` adds fixed assignments (the version bump of ``cases``).
    """

    def __init__(self, table: Table, keys: Sequence[str], extra: dict[str, Any] | None = None) -> None:
        self.table = table
        self.keys = tuple(keys)
        self.extra = extra or {}
        self._variants: dict[tuple[str, ...], Prepared] = {}
        self._lock = threading.Lock()

    def __call__(self, columns: tuple[str, ...]) -> Prepared:
        prepared = self._variants.get(columns)
        if prepared is None:
            table = self.table
            statement = (
                table.update()
                .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in self.keys)))
                .values({name: bindparam(name) for name in columns} | self.extra)
            )
            with self._lock:
                prepared = self._variants.setdefault(columns, Prepared(statement))
        return prepared


def _delete(table: Table, keys: Sequence[str]) -> Prepared:
    return Prepared(table.delete().where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys))))


class _Part:
    """How one child table of a case is diffed and written."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.keys = tuple(c.name for c in table.primary_key.columns)
        self.values = tuple(c.name for c in table.columns if c.name not in self.keys)
        self.insert = Prepared(table.insert())
        self.update = _Updates(table, self.keys)
        self.delete = _delete(table, self.keys)

    def write(self, conn: Connection, old: dict[Any, Row], new: dict[Any, Row]) -> Changes:
        """Delete, update (changed columns only) and insert what differs from ``old``.

        Returns what changed, so that the cache need not compare the rows again.
        """
        if not old and not new:
            return _UNCHANGED
        keys = self.keys
        inserts: list[Row] = []
        updates: dict[tuple[str, ...], list[Row]] = {}
        touched: dict[Any, tuple[str, ...] | None] = {}
        for key, row in new.items():
            before = old.get(key)
            if before is None:
                inserts.append(row)
                touched[key] = None
            elif before != row:
                changed = tuple([n for n in self.values if before[n] != row[n]])
                params = {n: row[n] for n in changed}
                for k in keys:
                    params[f"k_{k}"] = row[k]
                updates.setdefault(changed, []).append(params)
                touched[key] = changed
        gone = [{f"k_{k}": row[k] for k in keys} for key, row in old.items() if key not in new]
        dialect = conn.dialect
        if gone:
            self.delete.on(dialect).execute(conn, gone)
        for changed, rows in updates.items():
            self.update(changed).on(dialect).execute(conn, rows)
        if inserts:
            self.insert.on(dialect).execute(conn, inserts)
        if not touched and not gone:
            return _UNCHANGED
        return Changes(touched, reordered=bool(inserts or gone))


_TASKS = _Part(item_tasks)
_MATERIALS = _Part(materials)
_VISITS = _Part(visits)
_DEADLINES = _Part(deadlines)
_RATINGS = _Part(ratings)
_PARTS = (_TASKS, _MATERIALS, _VISITS, _DEADLINES, _RATINGS)

_CASE_COLUMNS = tuple(c.name for c in cases.columns if c.name not in ("id", "version"))
_UPDATE_CASE = _Updates(cases, ("id", "version"), {"version": cases.c.version + literal_column("1")})
_INSERT_CASE = Prepared(cases.insert())
_SELECT_VERSION = Prepared(select(cases.c.version).where(cases.c.id == bindparam("case_id")))
_INSERT_EVENTS = Prepared(events.insert())
_SELECT_EVENTS = select(events).where(events.c.case_id == bindparam("case_id")).order_by(events.c.seq)
_SELECT_IDEMPOTENCY = select(idempotency).where(idempotency.c.key == bindparam("key"))
_INSERT_IDEMPOTENCY = idempotency.insert()
_LOADERS: weakref.WeakKeyDictionary[Dialect, CaseLoader] = weakref.WeakKeyDictionary()


def _loader(dialect: Dialect) -> CaseLoader:
    loader = _LOADERS.get(dialect)
    if loader is None:
        loader = _LOADERS[dialect] = CaseLoader(dialect, [part.table for part in _PARTS])
    return loader


# ------------------------------------------------------------------------------------ transaction


class Transaction(Worklists):
    """One database transaction; obtained from :meth:`Store.transaction`, never built directly."""

    def __init__(self, connection: Connection, store: Store) -> None:
        self._conn = connection
        self._store = store
        self._undo: list[Callable[[], None]] = []
        self._cache_puts: dict[str, CachedCase] = {}  # applied once the transaction committed
        self.case_id: str | None = None
        """The case this transaction last touched; a race is reported against it."""

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for queries the repository does not offer."""
        return self._conn

    # ----------------------------------------------------------------------------- the aggregate

    def get_case(self, case_id: str, *, trust_cache: bool = False, take: bool = False) -> Case:
        """The case with its tasks, materials, visits, deadlines, ratings (not its events).

        A case held in the store's cache is used if the database still holds its version (one
        ``SELECT version``). With ``trust_cache=True`` that check is skipped: the version guard
        of :meth:`save_case` still refuses a stale case (``ConcurrencyConflict``), and the caller
        must check :meth:`is_current` before acting on any other refusal, because a stale case
        may refuse an action the current one allows. ``OneService`` actions do exactly that.

        ``take=True`` accepts the very case object the last ``save_case(case, release=True)``
        left in the cache, instead of a new one built from the cached rows; the caller must
        then not keep it after the transaction (the next taker owns it).
        """
        self.case_id = case_id
        conn = self._conn
        cache = self._store._cache
        entry = cache.get(case_id)
        if entry is not None:
            if trust_cache:
                version: int | None = entry.version
            else:  # valid if the database still holds that version
                version = _SELECT_VERSION.on(conn.dialect).execute(conn, {"case_id": case_id}).scalar()
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

    def is_current(self, case: Case) -> bool:
        """Whether the database still holds the version ``case`` was loaded with.

        If not, the store's cached copy is dropped, so the next :meth:`get_case` loads it.
        """
        conn = self._conn
        version = _SELECT_VERSION.on(conn.dialect).execute(conn, {"case_id": case.id}).scalar()
        if version != case.version:
            self._store._cache.discard(case.id)
            self._cache_puts.pop(case.id, None)
            return False
        return True

    def _load(self, case_id: str) -> tuple[Case, Row]:
        loaded = _loader(self._conn.dialect).load(self._conn, case_id)
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
        cache = self._store._cache
        for case in batch:
            _check_new_events(case)
            snap = snapshot_of(case)
            snapshots.append(snap)
            row = case_row(case)
            row["event_count"] = case.event_count + len(case.new_events)
            case_rows.append(row)
            if cache.size:
                self._cache_puts[case.id] = CachedCase.of(row, snap, version=case.version)
            for rows, (_, part_rows) in zip(child_rows, _parts(snap), strict=True):
                rows.extend(part_rows.values())
            if case.new_events:
                new_events.extend(event_rows(case.id, case.new_events))
        conn = self._conn
        dialect = conn.dialect
        _INSERT_CASE.on(dialect).execute(conn, case_rows)
        for rows, part in zip(child_rows, _PARTS, strict=True):
            if rows:
                part.insert.on(dialect).execute(conn, rows)
        if new_events:
            _INSERT_EVENTS.on(dialect).execute(conn, new_events)
        for case, snap in zip(batch, snapshots, strict=True):
            self._saved(case, snap, version=case.version, previous=None)

    def save_case(self, case: Case, *, release: bool = False) -> None:
        """Write the changes of a case loaded (or added) earlier, guarded by its version.

        ``release=True``: the caller will not use ``case`` after the transaction, so the cache
        may hand the object itself to the next ``get_case(…, take=True)``.

        Raises :class:`~oneservice.errors.ConcurrencyConflict` when another transaction saved
        the case since it was loaded; nothing is written then.
        """
        self.case_id = case.id
        _check_new_events(case)
        new = snapshot_of(case)
        row = case_row(case)
        row["event_count"] = case.event_count + len(case.new_events)
        loaded = case.version
        cache = self._store._cache
        previous = cache.get(case.id) if cache.size else None
        if previous is not None and previous.version != loaded:
            previous = None
        if previous is None:
            changed = _CASE_COLUMNS
        else:  # the committed row of the loaded version: send only what differs from it
            before = previous.row
            changed = tuple(n for n in _CASE_COLUMNS if before[n] != row[n])
        params = {n: row[n] for n in changed}
        params["k_id"] = case.id
        params["k_version"] = loaded
        conn = self._conn
        if _UPDATE_CASE(changed).on(conn.dialect).execute(conn, params).rowcount != 1:
            cache.discard(case.id)  # whatever it holds is not the current version
            raise ConcurrencyConflict(case.id, expected_version=loaded)
        old = _SNAPSHOTS.get(case)
        if old is None:  # not loaded through a store: compare with what the database holds
            old = snapshot_of(self._load(case.id)[0])
        changes = tuple(
            part.write(conn, old_rows, new_rows)
            for (part, old_rows), (_, new_rows) in zip(_parts(old), _parts(new), strict=True)
        )
        if case.new_events:
            _INSERT_EVENTS.on(conn.dialect).execute(conn, event_rows(case.id, case.new_events))
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
        insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
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


_READONLY = "oneservice_readonly"  # key in the pooled connection's info: the next BEGIN is deferred


def _sqlite_begin(dbapi_connection: Any) -> None:
    """The SQLite dialect's ``do_begin`` for oneservice's engines (the driver issues no BEGIN).

    Writers take the write lock up front (``BEGIN IMMEDIATE``), so two writers queue (busy
    timeout) instead of one failing when it upgrades its read snapshot. Read-only transactions
    (:meth:`Store.transaction` with ``readonly=True``) begin deferred. This replaces the "begin"
    event of SQLAlchemy's pysqlite recipe: with no connection-event listener on the engine, a
    connection does not assemble and fire event dispatchers for every transaction and statement.
    SQLAlchemy wraps an error raised here like any other DBAPI error.
    """
    readonly = dbapi_connection.info.pop(_READONLY, False)
    if dbapi_connection.in_transaction:
        return  # begun by the store itself (_begun): SQLAlchemy joins that transaction
    dbapi_connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")


@contextmanager
def _begun(conn: Connection, readonly: bool) -> Iterator[None]:
    """One transaction on a kept SQLite connection, begun and ended on its DBAPI connection
    (SQLAlchemy's transaction objects cost a fifth of a small action). Should a Core statement
    run on ``conn`` meanwhile, SQLAlchemy joins the transaction (see :func:`_sqlite_begin`) and
    ends it itself."""
    execute_driver(conn, "BEGIN" if readonly else "BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        _end(conn, commit=False)
        raise
    _end(conn, commit=True)


def _end(conn: Connection, *, commit: bool) -> None:
    if conn.in_transaction():  # SQLAlchemy joined: it commits or rolls back the same transaction
        if commit:
            conn.commit()
        else:
            conn.rollback()
        return
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None
    try:
        if commit:
            dbapi_connection.commit()
        else:
            dbapi_connection.rollback()
    except Exception as exc:
        if commit:
            with suppress(Exception):
                dbapi_connection.rollback()
        raise wrap_driver_error(exc, conn, "COMMIT" if commit else "ROLLBACK") from exc


_STORES: weakref.WeakSet[Store] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child must not use its parent's connections (SQLite and PostgreSQL alike): each
    store forgets them without closing them (they are the parent's) and opens its own."""
    for store in list(_STORES):
        store._forget_connections()


os.register_at_fork(after_in_child=_after_fork_in_child)

_KEPT_PER_STORE = 4  # within the pool's 5, so the pool still serves nested and extra threads


class _Kept:
    """The SQLite connection one thread keeps from one transaction to the next.

    Checking a connection out of SQLAlchemy's pool and back in costs about as much as an
    action's statements on SQLite (a new ``Connection`` and pool record per transaction), so each
    thread of a store keeps one (up to ``_KEPT_PER_STORE`` threads; the others check out as
    usual). It goes back to the pool when the thread ends (its thread-local reference goes, and
    this finaliser closes it) or when the store is disposed. Every transaction on it is still
    begun and committed or rolled back in full; PostgreSQL connections are not kept (the pool's
    pre-ping at checkout is what notices a server restart).
    """

    __slots__ = ("__weakref__", "conn", "pid")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pid = os.getpid()

    def close(self) -> None:
        if self.pid != os.getpid():
            return  # inherited through fork(): the parent's connection, never used or closed here
        with suppress(Exception):  # closing must not fail at thread exit or disposal
            self.conn.close()

    def __del__(self) -> None:
        self.close()


class Store:
    """A oneservice database: SQLite (default ``./oneservice.sqlite``) or PostgreSQL.

    ``schema`` (PostgreSQL only) puts every table in that schema, created by :meth:`migrate`.
    ``busy_timeout`` (SQLite only) is how long, in seconds, a writer waits for another.
    ``cache_size`` is how many committed cases are kept to skip reloading them while their
    version is current (0: none; see :mod:`oneservice.store.cache`).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        schema: str | None = None,
        busy_timeout: float = 10.0,
        cache_size: int = 1024,
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
        self._cache = CaseCache(cache_size)
        self._local: threading.local | None = None  # SQLite: the connection each thread keeps
        self._kept: weakref.WeakSet[_Kept] = weakref.WeakSet()
        self._kept_lock = threading.Lock()
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

            event.listen(engine, "connect", on_connect)  # a pool event: one call per new connection
            self._local = threading.local()
            engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]  # this engine's own dialect
        self._engine: Engine = engine
        _STORES.add(self)

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

    def _forget_connections(self) -> None:
        self._engine.dispose(close=False)  # SQLAlchemy's recipe for a forked child
        self._local = threading.local() if self._dialect == "sqlite" else None
        self._kept = weakref.WeakSet()
        self._kept_lock = threading.Lock()

    def dispose(self) -> None:
        """Close every pooled connection and forget the cached cases."""
        with self._kept_lock:
            kept, self._kept = list(self._kept), weakref.WeakSet()
        for each in kept:
            each.close()
        self._engine.dispose()
        self._cache.clear()

    def clear_cache(self) -> None:
        """Forget the cached cases (needed only after changing case rows outside the store)."""
        self._cache.clear()

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back when it raises.

        ``readonly=True`` promises the block only reads; on SQLite it then does not wait for
        (or block) writers.
        """
        tx: Transaction | None = None
        try:
            with self._connection() as conn:
                kept = conn is getattr(self._local, "kept_conn", None) and not listened(conn)
                if kept:  # BEGIN … COMMIT straight on the DBAPI connection
                    begun: Any = _begun(conn, readonly)
                else:
                    if readonly and self._dialect == "sqlite":
                        conn.connection.info[_READONLY] = True
                    begun = conn.begin()
                with begun:
                    tx = Transaction(conn, self)
                    yield tx
            for case_id, entry in tx._cache_puts.items():
                self._cache.put(case_id, entry)
        except sa_exc.SQLAlchemyError as exc:
            if tx is not None:
                tx._rolled_back()
            raise translate(exc, case_id=tx.case_id if tx else None, where=self._where) from None
        except BaseException:
            if tx is not None:
                tx._rolled_back()
            raise

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The connection for one transaction: on SQLite the one this thread keeps (see
        :class:`_Kept`), otherwise (PostgreSQL, a nested transaction, more threads than
        ``_KEPT_PER_STORE``) one checked out of the pool for this transaction only."""
        conn = self._kept_connection()
        if conn is not None:
            yield conn
            return
        with self._engine.connect() as conn:
            yield conn

    def _kept_connection(self) -> Connection | None:
        local = self._local
        if local is None:
            return None
        kept: _Kept | None = getattr(local, "kept", None)
        if kept is not None and kept.pid != os.getpid():  # forked: start afresh in this process
            kept = local.kept = local.kept_conn = None
        if kept is not None:
            conn = kept.conn
            if not (conn.closed or conn.invalidated):
                busy = conn.in_transaction() or conn.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
                return None if busy else conn  # nested: a connection of its own
            local.kept = None  # closed by dispose(), or lost: its finaliser returns it
        with self._kept_lock:
            if len(self._kept) >= _KEPT_PER_STORE:
                return None
            kept = _Kept(self._engine.connect())
            self._kept.add(kept)
        local.kept = kept
        local.kept_conn = kept.conn
        return kept.conn

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
