"""The fast path's own statement recorder: who counts statements sees the production path.

SQLAlchemy's cursor events would see every statement, but attaching a listener makes the fast
path step aside (:func:`~oneservice.store._fast.compiled.listened`), so a test that counted
statements with one would observe the slow path. The fast path therefore reports each statement
it sends to the observers registered here, on whichever path it takes; with none registered
that costs one test of an empty list per statement. :meth:`oneservice.store.Store.record_statements`
is the public way in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine

__all__ = ["OBSERVERS", "Statement", "recording", "report"]

Observer = Callable[[Connection, str, Any, bool], None]

OBSERVERS: list[Observer] = []
"""Called with ``(connection, sql, parameters, many)`` for every statement the fast path sends;
changed in place only (the fast path holds this very list)."""


class Statement(NamedTuple):
    """One statement as the fast path sent it to the driver."""

    sql: str
    """In the driver's parameter style (``?`` on SQLite, ``%(name)s`` on PostgreSQL)."""
    parameters: Any
    """As the driver got them: one row's, or a list of rows' when ``many``."""
    many: bool
    """Sent with ``executemany``."""

    @property
    def rows(self) -> int:
        """How many rows of parameters the statement carried."""
        return len(self.parameters) if self.many else 1


def report(conn: Connection, sql: str, parameters: Any, many: bool) -> None:
    for observer in tuple(OBSERVERS):
        observer(conn, sql, parameters, many)


@contextmanager
def recording(engine: Engine) -> Iterator[list[Statement]]:
    """The statements the fast path sends on ``engine``'s connections while the block runs."""
    statements: list[Statement] = []

    def observe(conn: Connection, sql: str, parameters: Any, many: bool) -> None:
        if conn.engine is engine:
            statements.append(Statement(sql, parameters, many))

    OBSERVERS.append(observe)
    try:
        yield statements
    finally:
        OBSERVERS.remove(observe)
