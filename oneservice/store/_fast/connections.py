"""Where a store's transactions run: the connection each thread keeps, BEGIN and COMMIT.

Checking a connection out of SQLAlchemy's pool and back in, and SQLAlchemy's transaction objects,
cost about as much as an action's statements on SQLite. So on SQLite each thread of a store keeps
one connection from one transaction to the next (:class:`_Kept`), and a transaction on it is
begun and committed on the DBAPI connection itself. Writers begin ``BEGIN IMMEDIATE`` through the
dialect's ``do_begin``, replaced for the store's engine (:func:`_sqlite_begin`), not through a
"begin" event listener: with no connection-event listener on the engine, no connection assembles
and fires event dispatchers for every transaction and statement. PostgreSQL connections are not
kept (the pool's pre-ping at checkout is what notices a server restart). A forked child forgets
its parent's connections, pooled and kept, without closing them, and opens its own.
"""

from __future__ import annotations

import os
import threading
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
    """The SQLite connection one thread keeps from one transaction to the next.

    Each thread of a store keeps one (up to ``_KEPT_PER_STORE`` threads; the others check out as
    usual). It goes back to the pool when the thread ends (its thread-local reference goes, and
    this finaliser closes it) or when the store is disposed. Every transaction on it is still
    begun and committed or rolled back in full.
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


class Connections:
    """The connections of one store's engine: kept per thread on SQLite (``keep``), else one
    checked out of the pool per transaction (PostgreSQL, a nested transaction, more threads than
    ``_KEPT_PER_STORE``)."""

    def __init__(self, engine: Engine, *, keep: bool) -> None:
        self._engine = engine
        self._keep = keep  # SQLite: also the only dialect with deferred read-only transactions
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
        execute_driver(conn, "BEGIN" if readonly else "BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            _end(conn, commit=False)
            raise
        _end(conn, commit=True)

    def _begin(self, conn: Connection, readonly: bool) -> RootTransaction:
        if readonly and self._keep:
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
                busy = conn.in_transaction() or conn.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
                return None if busy else conn  # nested: a connection of its own
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
        """After fork(), in the child: forget the parent's connections without closing them."""
        self._engine.dispose(close=False)  # SQLAlchemy's recipe for a forked child
        self._local = threading.local() if self._keep else None
        self._kept = weakref.WeakSet()
        self._kept_lock = threading.Lock()


_ALL: weakref.WeakSet[Connections] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child must not use its parent's connections (SQLite and PostgreSQL alike)."""
    for connections in list(_ALL):
        connections.forget()


os.register_at_fork(after_in_child=_after_fork_in_child)
