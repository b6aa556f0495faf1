"""The store: one :class:`Store` per database, one transaction per action.

::

    store = Store("postgresql+psycopg://…")      # or Store() for ./oneservice.sqlite
    store.migrate()                               # schema to head (Alembic), idempotent

    def change(tx, case):                         # in the transaction, on the loaded case
        ...                                       # the engine changes the case
        return lambda: case.version               # once it is saved: what act_on returns

    store.act_on("C-2027-000001", change)         # load, change, save (versioned), commit

    with store.transaction() as tx:               # commit on success, rollback on error
        tx.get_case("C-2027-000001")              # reads, worklists, idempotency records, …

Changing a case goes through :meth:`Store.act_on`, the store's fast path: the case comes from the
store's cache without asking the database for its version, the saved case object itself is
handed to the next action on the case, and on SQLite each thread keeps its connection and begins
and commits on the DBAPI connection itself (the private :mod:`oneservice.store._fast`; see
docs/performance.md). :meth:`Store.transaction` gives a :class:`Transaction` for everything else.
The statements of loads and saves are compiled once per database and run on the DBAPI cursor.
Database errors leave a transaction as oneservice errors (see :mod:`oneservice.store.translate`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from oneservice.domain.case import Case
from oneservice.errors import ConcurrencyConflict, OneServiceError, StoreError
from oneservice.store._fast.cache import CaseCache
from oneservice.store._fast.connections import Connections, set_up_sqlite
from oneservice.store._fast.recording import Statement, recording
from oneservice.store.files import create_private_file, sqlite_file
from oneservice.store.outbox import Signal
from oneservice.store.transaction import Transaction
from oneservice.store.translate import translate
from oneservice.store.types import json_dumps

__all__ = ["DEFAULT_URL", "MIGRATIONS", "Store"]

DEFAULT_URL = "sqlite:///oneservice.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"

R = TypeVar("R")

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATION_LOCK = 0x6F6E6573  # pg_advisory_lock key: "ones"


_on_migration_wait: Callable[[], None] | None = None
"""Called each time a migrator finds the migration lock taken (for tests)."""


def _take_migration_lock(conn: Connection) -> None:
    """Take the session advisory lock of migrations on ``conn``, waiting while another has it.

    It is tried (``pg_try_advisory_lock``) in short transactions, not waited for in
    ``pg_advisory_lock``: a statement waiting there holds its snapshot, and the migrator that
    holds the lock builds indexes with ``CREATE INDEX CONCURRENTLY``, which waits for every
    older snapshot in the database. Two processes migrating at once (``serve --workers``, two
    schemas) deadlocked that way. Between tries the waiter holds no snapshot.
    """
    delay = 0.01
    while True:
        taken = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({_MIGRATION_LOCK})").scalar()
        conn.commit()
        if taken:
            return
        if _on_migration_wait is not None:
            _on_migration_wait()
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class _Stale(Exception):
    """The cached copy of a case was not the current version: run the action again."""


class Store:
    """A oneservice database: SQLite (default ``./oneservice.sqlite``) or PostgreSQL.

    ``schema`` (PostgreSQL only) puts every table in that schema, created by :meth:`migrate`.
    ``busy_timeout`` (SQLite only) is how long, in seconds, a writer waits for another.
    ``cache_size`` is how many committed cases are kept to skip reloading them while their
    version is current (0: none; see :mod:`oneservice.store._fast.cache`).
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
        self.committed = Signal()
        """Notified after each transaction of this object that committed events (the feed's long poll)."""
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
            set_up_sqlite(engine, busy_timeout_ms=round(busy_timeout * 1000))
            path = sqlite_file(parsed.database)
            if path is not None:
                try:
                    create_private_file(path)  # 0600, like the secret beside it
                except OSError as exc:
                    raise StoreError(f"cannot create the database file {path}: {exc}") from None
        self._engine: Engine = engine
        self._connections = Connections(engine)

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
        """Close every pooled connection and forget the cached cases."""
        self._connections.close()
        self._engine.dispose()
        self._cache.clear()

    def clear_cache(self) -> None:
        """Forget the cached cases (needed only after changing case rows outside the store)."""
        self._cache.clear()

    # ------------------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back when it raises.

        ``readonly=True`` promises the block only reads; on SQLite it then does not wait for
        (or block) writers.
        """
        tx: Transaction | None = None
        try:
            with self._connections.begun(readonly) as conn:
                tx = Transaction(conn, self._cache)
                yield tx
            for case_id, entry in tx._cache_puts.items():
                self._cache.put(case_id, entry)
            if tx._wrote_events:
                self.committed.notify()
        except sa_exc.SQLAlchemyError as exc:
            if tx is not None:
                tx._rolled_back()
            raise translate(exc, case_id=tx.case_id if tx else None, where=self._where) from None
        except BaseException:
            if tx is not None:
                tx._rolled_back()
            raise

    def act_on(
        self,
        case_id: str,
        change: Callable[[Transaction, Case], Callable[[], R]],
        *,
        replay: Callable[[Transaction], R | None] | None = None,
    ) -> R:
        """Change one case in one transaction, and return what ``change`` says.

        In one transaction: ``replay(tx)``, if given, may answer at once (e.g. with the result
        recorded for a repeated request): when it returns anything but None, that is returned and
        the case is neither loaded nor saved. Otherwise the case is loaded, ``change(tx, case)``
        changes it and returns a function ``done``; the case is saved, guarded by its version,
        then ``done()`` — still in the transaction, e.g. to record the result — gives what
        ``act_on`` returns. Neither the case nor ``tx`` may be kept after ``done`` returns.

        The case comes from the store's cache without asking the database for its version. If
        another process saved the case since, the copy is stale: the save refuses it, the
        transaction is rolled back and the whole of it (``replay``, ``change``, ``done``) runs
        once more on the current case. A refusal (any oneservice error) raised by ``change`` is
        raised only when the case it refused is current, so a stale copy never refuses what the
        current case allows.

        Raises :class:`~oneservice.errors.CaseNotFound`,
        :class:`~oneservice.errors.ConcurrencyConflict` when another transaction saved the
        current case meanwhile, and whatever ``replay``, ``change`` or ``done`` raise.
        """
        try:
            return self._act_once(case_id, change, replay, trust_cache=True)
        except _Stale:
            return self._act_once(case_id, change, replay, trust_cache=False)

    def _act_once(
        self,
        case_id: str,
        change: Callable[[Transaction, Case], Callable[[], R]],
        replay: Callable[[Transaction], R | None] | None,
        *,
        trust_cache: bool,
    ) -> R:
        with self.transaction() as tx:
            if replay is not None:
                replayed = replay(tx)
                if replayed is not None:
                    return replayed
            case = tx._get_case(case_id, trust_cache=trust_cache, take=True)
            try:
                done = change(tx, case)
                tx._save_case(case, release=True)  # not used after this transaction
            except ConcurrencyConflict:
                if trust_cache:  # the version guard refused the cached copy: it was stale
                    raise _Stale() from None
                raise
            except OneServiceError:
                if trust_cache and not tx._is_current(case):
                    raise _Stale() from None
                raise
            return done()

    @contextmanager
    def record_statements(self) -> Iterator[list[Statement]]:
        """The statements the store runs on the DBAPI cursor itself while the block runs: case
        loads and saves (and BEGIN, on SQLite), each as ``Statement(sql, parameters, many)``.

        They are recorded on the path production takes. Statements run through SQLAlchemy's
        Core API (worklists, idempotency records, definitions) are not; SQLAlchemy's cursor
        events see those, and while a cursor-event listener is attached the store sends its own
        statements through SQLAlchemy too, so that the listener sees every statement.
        """
        with recording(self._engine) as statements:
            yield statements

    # ------------------------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic); does nothing when it is there.

        One migrator at a time across processes (PostgreSQL: a session advisory lock, held
        across the commits of the migration; see :func:`_take_migration_lock`). Alembic owns
        the migration transaction — the connection reaches it with none open — so that a step
        can run outside it: index builds that do not block writes (:mod:`oneservice.store.ddl`).
        The steps between two such builds commit together.
        """
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        try:
            with self._engine.connect() as conn:
                locked = self._dialect == "postgresql"
                if locked:
                    _take_migration_lock(conn)
                    if self._schema is not None:
                        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self._schema}"')
                    conn.commit()
                try:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                finally:
                    if locked:
                        conn.rollback()  # whatever a failed step left open
                        conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
                        conn.commit()
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
