"""The statements that load and save a case, prepared once per database.

A case is its ``cases`` row and the rows of five child tables (tasks, materials, visits,
deadlines, ratings; :data:`PARTS`, in that order everywhere). Saving writes only what differs
from the rows the case was loaded with: :meth:`Part.write` deletes, updates (only the changed
columns, :class:`Updates`) and inserts, each kind in one statement per table. Loading is one
query (:func:`loader`, see :mod:`~oneservice.store._fast.loading`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, and_, bindparam, literal_column, select

from oneservice.store._fast.cache import _UNCHANGED, Changes
from oneservice.store._fast.compiled import Prepared
from oneservice.store._fast.loading import CaseLoader
from oneservice.store.mapping import Row, Snapshot
from oneservice.store.tables import cases, deadlines, events, item_tasks, materials, ratings, visits

__all__ = [
    "CASE_COLUMNS",
    "INSERT_CASE",
    "INSERT_EVENTS",
    "PARTS",
    "SELECT_VERSION",
    "UPDATE_CASE",
    "Part",
    "Updates",
    "loader",
    "parts",
]


class Updates:
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


class Part:
    """How one child table of a case is diffed and written."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.keys = tuple(c.name for c in table.primary_key.columns)
        self.values = tuple(c.name for c in table.columns if c.name not in self.keys)
        self.insert = Prepared(table.insert())
        self.update = Updates(table, self.keys)
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


_TASKS = Part(item_tasks)
_MATERIALS = Part(materials)
_VISITS = Part(visits)
_DEADLINES = Part(deadlines)
_RATINGS = Part(ratings)
PARTS = (_TASKS, _MATERIALS, _VISITS, _DEADLINES, _RATINGS)


def parts(snap: Snapshot) -> tuple[tuple[Part, dict[Any, Row]], ...]:
    """Each part with its rows in ``snap``."""
    return (
        (_TASKS, snap.tasks),
        (_MATERIALS, snap.materials),
        (_VISITS, snap.visits),
        (_DEADLINES, snap.deadlines),
        (_RATINGS, snap.ratings),
    )


CASE_COLUMNS = tuple(c.name for c in cases.columns if c.name not in ("id", "version"))
UPDATE_CASE = Updates(cases, ("id", "version"), {"version": cases.c.version + literal_column("1")})
"""The version guard: ``UPDATE cases SET version = version + 1, …
WHERE id = :k_id AND version = :k_version``."""
INSERT_CASE = Prepared(cases.insert())
SELECT_VERSION = Prepared(select(cases.c.version).where(cases.c.id == bindparam("case_id")))
INSERT_EVENTS = Prepared(events.insert())

_LOADERS: weakref.WeakKeyDictionary[Dialect, CaseLoader] = weakref.WeakKeyDictionary()


def loader(dialect: Dialect) -> CaseLoader:
    """The one-query load of a case and its parts, compiled for ``dialect``."""
    found = _LOADERS.get(dialect)
    if found is None:
        found = _LOADERS[dialect] = CaseLoader(dialect, [part.table for part in PARTS])
    return found
