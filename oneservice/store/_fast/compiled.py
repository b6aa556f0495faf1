"""Core statements compiled once per database, run without per-call compilation.

``Connection.execute(statement, params)`` looks the compiled form up in a cache, builds an
execution context and runs each parameter through its type on every call — about three times
the cost of the statement itself on SQLite. The statements a case save or load runs dozens of
times per second are therefore compiled once per dialect (:class:`Prepared`) and executed with
``Connection.exec_driver_sql``, their parameters converted by the bind processors the column
types give SQLAlchemy, or for aware datetimes and dates by direct equivalents — either way
values are stored exactly as a Core ``execute`` stores them (the tests query them back with
Core). Result rows are converted back with :func:`result_converter`.

They run on the DBAPI cursor of the transaction's connection: SQLAlchemy's execution context
(events, result object, per-call option handling) costs about 30 µs a statement, as much as
SQLite's own work. Errors are wrapped exactly as SQLAlchemy wraps them (``DBAPIError.instance``,
a lost connection invalidated), so the store translates them the same way. Whenever a listener
is attached to the engine's cursor events (tracing, the benchmark's capture of the floor),
statements go through ``Connection.exec_driver_sql`` instead, so every listener sees every
statement. Who only wants to see or count them uses the recorder of
:mod:`~oneservice.store._fast.recording`, which observes the production path.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import JSON, Boolean, Connection, Date, Dialect
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import NullType, TypeEngine

from oneservice.engine.clock import TZ
from oneservice.errors import StoreError
from oneservice.store._fast.recording import OBSERVERS, report
from oneservice.store.types import AwareDateTime, IntEnumType, StrEnumType

__all__ = [
    "Compiled",
    "Convert",
    "Executed",
    "Prepared",
    "execute_driver",
    "json_converter",
    "listened",
    "result_converter",
    "wrap_driver_error",
]

Convert = Callable[[Any], Any]


class Executed(Protocol):
    """What a statement run by :meth:`Compiled.execute` gives back (a CursorResult fits)."""

    @property
    def rowcount(self) -> int: ...

    def first(self) -> Any: ...

    def scalar(self) -> Any: ...


class _Done:
    """The outcome of a statement run on the DBAPI cursor: its row count and first row."""

    __slots__ = ("_row", "rowcount")

    def __init__(self, rowcount: int, row: Any) -> None:
        self.rowcount = rowcount
        self._row = row

    def first(self) -> Any:
        return self._row

    def scalar(self) -> Any:
        return None if self._row is None else self._row[0]


class Compiled:
    """One statement in one dialect: its SQL and how to turn a row dict into its parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self.positional = compiled.positional
        if compiled.positional:
            names = list(compiled.positiontup or ())
        else:
            names = [n for n in compiled.binds if f"%({n})s" in self.sql]
        pairs: list[tuple[str, Convert | None]] = []
        for name in names:
            bind_type = compiled.binds[name].type
            if isinstance(bind_type, NullType):
                raise TypeError(f"parameter {name!r} of {self.sql!r} has no type")
            pairs.append((name, _bind_converter(bind_type, dialect)))
        self.pairs = tuple(pairs)
        self._build = _params_function(self.pairs, self.positional)

    def params(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The DBAPI parameters for one row (a tuple for qmark, a dict for pyformat)."""
        try:
            return self._build(row)  # type: ignore[no-any-return]
        except (TypeError, ValueError) as exc:  # a type refused a value (e.g. a naive datetime)
            raise StoreError(f"cannot store a value: {exc}") from None

    def execute(self, conn: Connection, rows: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Executed:
        """Run for one row (a mapping) or many (a sequence of mappings: executemany).

        A statement that returns rows gives its first row only (``first()``/``scalar()``).
        """
        if isinstance(rows, Mapping):
            return execute_driver(conn, self.sql, self.params(rows))
        if len(rows) == 1:  # psycopg's executemany costs a pipeline round of its own
            return execute_driver(conn, self.sql, self.params(rows[0]))
        return execute_driver(conn, self.sql, [self.params(r) for r in rows], many=True)


def _params_function(pairs: Sequence[tuple[str, Convert | None]], positional: bool) -> Callable[[Any], Any]:
    """``row → parameters`` as one generated expression (a third of the time of a loop)."""
    scope: dict[str, Any] = {}
    terms = []
    for i, (name, convert) in enumerate(pairs):
        value = f"row[{name!r}]"
        if convert is not None:
            scope[f"c{i}"] = convert
            value = f"c{i}({value})"
        terms.append(value if positional else f"{name!r}: {value}")
    body = f"({', '.join(terms)},)" if positional else f"{{{', '.join(terms)}}}"
    exec(f"def build(row):\n    return {body}\n", scope)
    return scope["build"]  # type: ignore[no-any-return]


def execute_driver(conn: Connection, sql: str, params: Any = (), *, many: bool = False) -> Executed:
    """Run ``sql`` (in the driver's parameter style) on the DBAPI cursor of ``conn``.

    Through ``Connection.exec_driver_sql`` instead while a cursor-event listener is attached.
    Either way the statement is reported to the recorders (:mod:`.recording`).
    """
    if OBSERVERS:
        report(conn, sql, params, many)
    if listened(conn):
        return conn.exec_driver_sql(sql, params)
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None  # the connection is checked out for the transaction
    cursor = dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone() if cursor.description is not None else None
        return _Done(cursor.rowcount, row)
    except Exception as exc:
        wrapped = _wrapped(exc, conn, dbapi_connection, cursor, sql, params, many)
        if wrapped is exc:
            raise
        raise wrapped from exc
    finally:
        cursor.close()


def listened(conn: Connection) -> bool:
    """Whether a listener for cursor events is attached (then statements go through SQLAlchemy)."""
    if conn._has_events or conn.engine._has_events:  # any connection-event listener at all?
        dispatch = conn.dispatch
        return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)
    return False


def wrap_driver_error(exc: Exception, conn: Connection, sql: str) -> BaseException:
    """A driver's exception from a call outside any cursor, wrapped as SQLAlchemy wraps it."""
    dbapi_connection = conn.connection.dbapi_connection
    return _wrapped(exc, conn, dbapi_connection, None, sql, (), False)


def _wrapped(
    exc: Exception, conn: Connection, dbapi_connection: Any, cursor: Any, sql: str, params: Any, many: bool
) -> BaseException:
    """``exc`` raised by the driver, wrapped as SQLAlchemy wraps it; a lost connection is invalidated."""
    dialect = conn.dialect
    dbapi_error = dialect.loaded_dbapi.Error
    if not isinstance(exc, dbapi_error):
        return exc
    lost = dialect.is_disconnect(exc, dbapi_connection, cursor)
    if lost:
        conn.invalidate(exc)
    return sa_exc.DBAPIError.instance(
        sql, params, exc, dbapi_error, hide_parameters=True, connection_invalidated=lost,
        dialect=dialect, ismulti=many,
    )


def _naive(value: dt.datetime) -> ValueError:
    return ValueError(f"naive datetime {value.isoformat()} cannot be stored; use an aware one")


# (moment, text) of the last conversion, one tuple replaced whole (safe across threads): an
# action stamps many rows with the same moment
_LAST_UTC_TEXT: list[tuple[Any, str]] = [(None, "")]


def _utc_text_param(value: dt.datetime | None) -> str | None:
    """SQLite: an aware datetime as UTC text, exactly as SQLAlchemy's DateTime stores it."""
    if value is None:
        return None
    last = _LAST_UTC_TEXT[0]
    if last[0] is value:
        return last[1]
    if value.tzinfo is None:
        raise _naive(value)
    text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    _LAST_UTC_TEXT[0] = (value, text)
    return text


def _aware_param(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise _naive(value)
    return value


def _date_text_param(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _bind_converter(column_type: TypeEngine[Any], dialect: Dialect) -> Convert | None:
    """The parameter conversion of ``column_type``: SQLAlchemy's own bind processor, or for the
    most frequent types a direct equivalent (same stored text, a third of the calls)."""
    sqlite = dialect.name == "sqlite"
    if isinstance(column_type, AwareDateTime):
        return _utc_text_param if sqlite else _aware_param
    if sqlite and type(column_type) is Date:
        return _date_text_param
    if isinstance(column_type, StrEnumType | IntEnumType):
        return _enum_param(column_type)
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _enum_param(column_type: StrEnumType[Any] | IntEnumType[Any]) -> Convert:
    """An enum column's value as the type's ``process_bind_param`` gives it; members directly."""
    enum_class = column_type.enum_class
    plain = str if isinstance(column_type, StrEnumType) else int

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is enum_class:
            return plain(value.value)
        return column_type.process_bind_param(value, None)  # type: ignore[arg-type]

    return convert


class Prepared:
    """A Core statement compiled lazily, once per dialect."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        # weak: a dialect (one per engine) and its compiled statements go with their store
        self._compiled: weakref.WeakKeyDictionary[Dialect, Compiled] = weakref.WeakKeyDictionary()

    def on(self, dialect: Dialect) -> Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = Compiled(self.statement, dialect)
        return compiled


# ---------------------------------------------------------------------------------- results


def _utc_text(value: str | None) -> dt.datetime | None:
    """SQLite's UTC text (``2027-03-01 01:30:15.123456``) → aware, Asia/Shanghai."""
    return None if value is None else dt.datetime.fromisoformat(value + "+00:00").astimezone(TZ)


def _iso_text(value: str | None) -> dt.datetime | None:
    """ISO text with an offset (PostgreSQL's JSON) → aware, Asia/Shanghai."""
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(TZ)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(TZ)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _enum(column_type: StrEnumType[Any] | IntEnumType[Any]) -> Convert:
    enum_class = column_type.enum_class

    def convert(value: Any) -> Any:
        return None if value is None else enum_class(value)

    return convert


def result_converter(column_type: TypeEngine[Any], dialect: Dialect) -> Convert | None:
    """How a value of ``column_type`` fetched by the driver becomes the domain value (None: as is)."""
    sqlite = dialect.name == "sqlite"
    if isinstance(column_type, AwareDateTime):
        return _utc_text if sqlite else _aware
    if isinstance(column_type, StrEnumType | IntEnumType):
        return _enum(column_type)
    if isinstance(column_type, Boolean):
        return _boolean if sqlite else None
    if isinstance(column_type, Date):
        return _date if sqlite else None
    if isinstance(column_type, JSON):
        return _json if sqlite else None  # psycopg parses json itself
    return None


def json_converter(column_type: TypeEngine[Any], dialect: Dialect) -> Convert | None:
    """How a value of ``column_type`` carried inside a JSON document becomes the domain value."""
    if isinstance(column_type, AwareDateTime):
        return _utc_text if dialect.name == "sqlite" else _iso_text
    if isinstance(column_type, StrEnumType | IntEnumType):
        return _enum(column_type)
    if isinstance(column_type, Boolean):
        return _boolean  # SQLite: 0/1
    if isinstance(column_type, Date):
        return _date
    return None  # text, numbers and nested JSON are what JSON gives
