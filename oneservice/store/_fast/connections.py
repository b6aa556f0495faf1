"""Where a store's transactions run: the connection each thread keeps, BEGIN and COMMIT.

Checking a connection out of SQLAlchemy's pool and back in, and SQLAlchemy's transaction objects,
cost about as much as an action's statements on SQLite, and a pre-ping round trip on PostgreSQL.
So each thread of a store keeps one connection from one transaction to the next (:class:`_Kept`),
and a transaction on it is begun and committed on the DBAPI connection itself. On SQLite, writers
begin ``BEGIN IMMEDIATE`` through the dialect's ``do_begin``, replaced for the store's engine
(:func:`_sqlite_begin`), not through a "begin" event listener: with no connection-event listener
on the engine, no connection assembles and fires event dispatchers for every transaction and
statement. On PostgreSQL the driver begins the transaction with its first statement.

A kept PostgreSQL connection that has been idle longer than ``ping_after`` seconds (default 1)
is pinged before its next transaction, as the pool's pre-ping pings every checkout: a connection
the server dropped while idle (a restart, an idle timeout) is replaced before the transaction,
so the action does not see it. A connection lost while in use is invalidated where the error is
raised (:func:`~oneservice.store._fast.compiled.execute_driver`); that transaction fails with a
StoreError, is rolled back, and the next one takes a new connection. A forked child forgets its
parent's connections, pooled and kept, without closing them, and opens its own.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, event

from oneservice.store._fast.compiled import execute_driver, listened, wrap_driver_error

__all__ = ["Connections", "set_up_sqlite"]

_READONLY = "oneservice_readonly"  # key in the pooled connection's info: the next BEGIN is deferred
_KEPT_PER_STORE = 4  # within the pool's 5, so the pool still serves nested and extra threads


def set_up_sqlite(engine: Engine, *, busy_timeout_ms: int) -> None:
    """Make ``engine`` (a store's own SQLite engine) set the pragmas of each new connection and
    begin writers with ``BEGIN IMMEDIATE``."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_connect(dbapi_connection, busy_timeout_ms=busy_timeout_ms)

    event.listen(engine, "connect", on_connect)  # a pool event: one call per new connection
    engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]  # this engine's own dialect


def _sqlite_connect(dbapi_connection: Any, *, busy_timeout_ms: int) -> None:
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


def _sqlite_begin(dbapi_connection: Any) -> None:
    """The SQLite dialect's ``do_begin`` for oneservice's engines (the driver issues no BEGIN).

    Writers take the write lock up front (``BEGIN IMMEDIATE``), so two writers queue (busy
    timeout) instead of one failing when it upgrades its read snapshot. Read-only transactions
    (``Store.transaction(readonly=True)``) begin deferred. This replaces the "begin" event of
    SQLAlchemy's pysqlite recipe. SQLAlchemy wraps an error raised here like any other DBAPI error.
    """
    readonly = dbapi_connection.info.pop(_READONLY, False)
    if dbapi_connection.in_transaction:
        return  # begun on the DBAPI connection (Connections.begun): SQLAlchemy joins that transaction
    dbapi_connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _end(conn: Connection, *, commit: bool) -> None:
    """Commit or roll back a transaction begun on the DBAPI connection of ``conn``."""
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


class _Kept:
    """The connection one thread keeps from one transaction to the next.

    Each thread of a store keeps one (up to ``_KEPT_PER_STORE`` threads; the others check out as
    usual). It goes back to the pool when the thread ends (its thread-local reference goes, and
    this finaliser closes it) or when the store is disposed. Every transaction on it is still
    begun and committed or rolled back in full.
    """

    __slots__ = ("__weakref__", "conn", "pid", "used")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pid = os.getpid()
        self.used = time.monotonic()  # when its last transaction ended (made: checked and pinged)

    def close(self) -> None:
        if self.pid != os.getpid():
            return  # inherited through fork(): the parent's connection, never used or closed here
        with suppress(Exception):  # closing must not fail at thread exit or disposal
            self.conn.close()

    def __del__(self) -> None:
        self.close()


class Connections:
    """The connections of one store's engine: kept per thread, else one checked out of the pool
    per transaction (a nested transaction, more threads than ``_KEPT_PER_STORE``, ``keep=False``).
    ``ping_after``: seconds a kept PostgreSQL connection may be idle before it is pinged."""

    def __init__(self, engine: Engine, *, keep: bool = True, ping_after: float = 1.0) -> None:
        self._engine = engine
        self._keep = keep
        self._sqlite = engine.dialect.name == "sqlite"  # deferred read-only transactions, BEGIN IMMEDIATE
        self._ping_after = ping_after
        self._local: threading.local | None = threading.local() if keep else None
        self._kept: weakref.WeakSet[_Kept] = weakref.WeakSet()
        self._kept_lock = threading.Lock()
        _ALL.add(self)

    @contextmanager
    def begun(self, readonly: bool) -> Iterator[Connection]:
        """A connection in a new transaction: committed when the block ends, rolled back when it
        raises. On a kept connection ``BEGIN … COMMIT`` go straight to the DBAPI connection; should
        a Core statement run on it meanwhile, SQLAlchemy joins the transaction (see
        :func:`_sqlite_begin`) and ends it itself."""
        conn = self._kept_connection()
        if conn is None:
            with self._engine.connect() as conn, self._begin(conn, readonly):
                yield conn
            return
        if listened(conn):  # a cursor-event listener: SQLAlchemy's own transaction, so it sees all
            with self._begin(conn, readonly):
                yield conn
            return
        if self._sqlite:
            execute_driver(conn, "BEGIN" if readonly else "BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            self._ended(conn, commit=False)
            raise
        self._ended(conn, commit=True)

    def _ended(self, conn: Connection, *, commit: bool) -> None:
        try:
            _end(conn, commit=commit)
        finally:
            kept: _Kept | None = getattr(self._local, "kept", None)
            if kept is not None:
                kept.used = time.monotonic()

    def _begin(self, conn: Connection, readonly: bool) -> RootTransaction:
        if readonly and self._sqlite:
            conn.connection.info[_READONLY] = True
        return conn.begin()

    def _kept_connection(self) -> Connection | None:
        """This thread's kept connection (made on first use), or None: not kept (PostgreSQL),
        busy (a transaction inside another on this thread), or too many threads keep one."""
        local = self._local
        if local is None:
            return None
        kept: _Kept | None = getattr(local, "kept", None)
        if kept is not None and kept.pid != os.getpid():  # forked: start afresh in this process
            kept = local.kept = None
        if kept is not None:
            conn = kept.conn
            if not (conn.closed or conn.invalidated):
                if conn.in_transaction() or _driver_in_transaction(conn.connection.dbapi_connection):
                    return None  # nested: a connection of its own
                if self._sqlite or time.monotonic() - kept.used <= self._ping_after or _alive(conn):
                    return conn
            local.kept = None  # closed by close(), or lost: its finaliser returns it
        with self._kept_lock:
            if len(self._kept) >= _KEPT_PER_STORE:
                return None
            kept = _Kept(self._engine.connect())
            self._kept.add(kept)
        local.kept = kept
        return kept.conn

    def close(self) -> None:
        """Give every kept connection back to the pool (the store is being disposed)."""
        with self._kept_lock:
            kept, self._kept = list(self._kept), weakref.WeakSet()
        for each in kept:
            each.close()

    def forget(self) -> None:
        """After fork(), in the child: forget the parent's connections without closing them.

        The parent's kept connections are checked out of its pool. When the child drops them,
        the pool's finaliser of each (at garbage collection or at exit) would roll back on the
        socket the child shares with the parent's server session; it is cancelled, so the child
        never speaks on it (the driver's own finaliser leaves a connection of another process
        alone).
        """
        for kept in list(self._kept):
            with suppress(Exception):  # a closed or invalidated connection has no proxy left
                finalizer = getattr(kept.conn.connection, "_finalizer", None)  # SQLAlchemy's pool proxy
                if finalizer is not None:
                    finalizer.detach()
        self._engine.dispose(close=False)  # SQLAlchemy's recipe for a forked child
        self._local = threading.local() if self._keep else None
        self._kept = weakref.WeakSet()
        self._kept_lock = threading.Lock()


def _driver_in_transaction(dbapi_connection: Any) -> bool:
    """Whether the DBAPI connection is inside a transaction (sqlite3 and psycopg alike)."""
    in_transaction = getattr(dbapi_connection, "in_transaction", None)  # sqlite3
    if isinstance(in_transaction, bool):
        return in_transaction
    return int(dbapi_connection.info.transaction_status) != 0  # psycopg: TransactionStatus.IDLE


def _alive(conn: Connection) -> bool:
    """Ping an idle kept connection (as the pool's pre-ping does); a lost one is invalidated."""
    dialect = conn.dialect
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None  # a kept connection is checked out and valid
    try:
        dialect.do_ping(dbapi_connection)
        dbapi_connection.rollback()  # psycopg began a transaction for the ping's SELECT
    except dialect.loaded_dbapi.Error as exc:
        if not dialect.is_disconnect(exc, dbapi_connection, None):
            raise wrap_driver_error(exc, conn, "ping") from exc
        conn.invalidate(exc)
        return False
    return True


_ALL: weakref.WeakSet[Connections] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child must not use its parent's connections (SQLite and PostgreSQL alike)."""
    for connections in list(_ALL):
        connections.forget()


os.register_at_fork(after_in_child=_after_fork_in_child)
