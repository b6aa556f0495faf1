"""Core statements compiled once per database, run without per-call compilation.

``Connection.execute(statement, params)`` looks the compiled form up in a cache, builds an
execution context and runs each parameter through its type on every call — about three times
the cost of the statement itself on SQLite. The statements a case save or load runs dozens of
times per second are therefore compiled once per dialect (:class:`Prepared`) and executed with
``Connection.exec_driver_sql``, their parameters converted by the bind processors the column
types give SQLAlchemy, or for aware datetimes and dates by direct equivalents — either way
values are stored exactly as a Core ``execute`` stores them (the tests query them back with
Core). Result rows are converted back with :func:`result_converter`. Statements and errors
still pass through the SQLAlchemy connection (events, logging, error translation).
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, CursorResult, Date, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import NullType, TypeEngine

from oneservice.engine.clock import TZ
from oneservice.errors import StoreError
from oneservice.store.types import AwareDateTime, IntEnumType, StrEnumType

__all__ = ["Compiled", "Convert", "Prepared", "json_converter", "result_converter"]

Convert = Callable[[Any], Any]
Result = CursorResult[Any]


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

    def params(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The DBAPI parameters for one row (a tuple for qmark, a dict for pyformat)."""
        try:
            if self.positional:
                return tuple([row[n] if p is None else p(row[n]) for n, p in self.pairs])
            return {n: row[n] if p is None else p(row[n]) for n, p in self.pairs}
        except (TypeError, ValueError) as exc:  # a type refused a value (e.g. a naive datetime)
            raise StoreError(f"cannot store a value: {exc}") from None

    def execute(self, conn: Connection, rows: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Result:
        """Run for one row (a mapping) or many (a sequence of mappings: executemany)."""
        if isinstance(rows, Mapping):
            return conn.exec_driver_sql(self.sql, self.params(rows))
        return conn.exec_driver_sql(self.sql, [self.params(r) for r in rows])


def _naive(value: dt.datetime) -> ValueError:
    return ValueError(f"naive datetime {value.isoformat()} cannot be stored; use an aware one")


def _utc_text_param(value: dt.datetime | None) -> str | None:
    """SQLite: an aware datetime as UTC text, exactly as SQLAlchemy's DateTime stores it."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise _naive(value)
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


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
    return column_type.dialect_impl(dialect).bind_processor(dialect)


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
