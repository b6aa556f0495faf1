"""Load a case in one round trip: its row plus each child table as a JSON array of rows.

Six queries per load (the case and five child tables) cost more than the rest of an action, so
the case row is selected together with one correlated subquery per child table that aggregates
its rows into JSON (``json_group_array(json_array(…))`` on SQLite, ``json_agg(json_build_array
(…))`` on PostgreSQL). JSON loses the column types, so each column gets a converter from its
declared type: aware datetimes, dates, booleans and enums come back exactly as a plain Core
SELECT would return them.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, Dialect, Select, Table, bindparam, func, select

from oneservice.store._fast.compiled import Compiled, Convert, json_converter, result_converter
from oneservice.store.mapping import Row
from oneservice.store.tables import cases

__all__ = ["CaseLoader", "LoadedCase"]

LoadedCase = tuple[Row, list[list[Row]]]
"""The ``cases`` row and, per child table, its rows in primary-key order."""


def _aggregate(table: Table, dialect: str) -> ColumnElement[Any]:
    """A scalar subquery: the rows of ``table`` for the outer case, as one JSON array."""
    if dialect == "sqlite":
        # JSON columns are stored as text: json() embeds them as JSON, not as a string
        values = [func.json(c) if isinstance(c.type, JSON) else c for c in table.columns]
        rows = func.json_group_array(func.json_array(*values))
    else:
        rows = func.json_agg(func.json_build_array(*table.columns))
    return select(rows).where(table.c.case_id == cases.c.id).scalar_subquery().label(f"{table.name}_json")


def case_select(dialect: str, children: Sequence[Table]) -> Select[Any]:
    """``SELECT cases.*, <each child table as JSON> … FROM cases WHERE id = :case_id``."""
    aggregates = [_aggregate(table, dialect) for table in children]
    return select(cases, *aggregates).where(cases.c.id == bindparam("case_id"))


class _Child:
    """One child table's JSON array of rows → row dicts in primary-key order."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.names = tuple(c.name for c in table.columns)
        self.converters = _converters(table.columns, lambda t: json_converter(t, dialect))
        keys = [c.name for c in table.primary_key.columns if c.name != "case_id"]
        self.order = operator.itemgetter(*keys)

    def rows(self, value: Any) -> list[Row]:
        arrays = json.loads(value) if isinstance(value, str) else value  # SQLite text, psycopg parsed
        if not arrays:
            return []
        names, converters = self.names, self.converters
        rows = [dict(zip(names, array, strict=True)) for array in arrays]
        for row in rows:
            for name, convert in converters:
                value = row[name]
                if value is not None:
                    row[name] = convert(value)
        rows.sort(key=self.order)
        return rows


def _converters(
    columns: Iterable[ColumnElement[Any]], converter: Callable[[Any], Convert | None]
) -> tuple[tuple[str, Convert], ...]:
    """``(column name, converter)`` of the columns whose values need converting."""
    found = ((str(c.key), converter(c.type)) for c in columns)
    return tuple((name, convert) for name, convert in found if convert is not None)


class CaseLoader:
    """The one-query load of a case, compiled for one dialect."""

    def __init__(self, dialect: Dialect, children: Sequence[Table]) -> None:
        self.compiled = Compiled(case_select(dialect.name, children), dialect)
        self.names = tuple(c.name for c in cases.columns)
        self.converters = _converters(cases.columns, lambda t: result_converter(t, dialect))
        self.children = tuple(_Child(table, dialect) for table in children)

    def load(self, conn: Connection, case_id: str) -> LoadedCase | None:
        row = self.compiled.execute(conn, {"case_id": case_id}).first()
        if row is None:
            return None
        width = len(self.names)
        case_row = dict(zip(self.names, row[:width], strict=True))
        for name, convert in self.converters:
            value = case_row[name]
            if value is not None:
                case_row[name] = convert(value)
        children = [child.rows(value) for child, value in zip(self.children, row[width:], strict=True)]
        return case_row, children
