"""A per-store cache of committed cases, trusted only while their version is current.

Loading a case means one wide query and converting every row of it back into domain values;
most actions load a case this process saved a moment ago. The store therefore keeps the rows of
the cases it loaded or committed, with their version, and :meth:`Transaction.get_case` first
asks the database for the case's version only: the same version means the same rows (every
change of a case goes through ``save_case``, which bumps the version), so the case is rebuilt
from the cached rows. Another version, or no entry, means a full load. :meth:`Store.act_on` does
not even ask: the version guard of its save refuses a stale copy, and it runs the action again.

Entries are put only after the transaction that produced them committed. The cached rows are
never handed out: every case built from them gets its own objects and its own copy of the form.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from sqlalchemy import JSON, Table

from oneservice.domain.case import Case
from oneservice.engine.clock import TZ
from oneservice.store.mapping import Row, Snapshot, case_from_rows
from oneservice.store.tables import cases, deadlines, item_tasks, materials, ratings, visits
from oneservice.store.types import AwareDateTime, IntEnumType, StrEnumType, json_dumps

__all__ = ["CachedCase", "CaseCache", "Changed", "Changes", "copy_json"]


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists; everything else is immutable)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def _in_tz(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is TZ else moment.astimezone(TZ)


def _through_json(value: Any) -> Any:
    return json.loads(json_dumps(value))


def _enum(enum_class: type[Any]) -> Callable[[Any], Any]:
    def member(value: Any) -> Any:
        return value if type(value) is enum_class else enum_class(value)

    return member


class _Normalizer:
    """Makes a row written by ``save_case`` equal to the row a load would return.

    Datetimes in Asia/Shanghai, enums as members, JSON as JSON gives it back (tuples become
    lists, dates strings): a case built from the cache is the case a load would build.
    """

    def __init__(self, table: Table) -> None:
        steps: dict[str, Callable[[Any], Any]] = {}
        for column in table.columns:
            kind = column.type
            if isinstance(kind, AwareDateTime):
                steps[column.name] = _in_tz
            elif isinstance(kind, StrEnumType | IntEnumType):
                steps[column.name] = _enum(kind.enum_class)
            elif isinstance(kind, JSON):
                steps[column.name] = _through_json
        self.convert = steps
        self.steps = tuple(steps.items())

    def __call__(self, row: Row, previous: Row | None = None) -> Row:
        """``row`` normalised; values equal to those of ``previous`` (normalised) are reused."""
        if previous is not None and previous == row:
            return previous
        own = dict(row)
        for name, convert in self.steps:
            value = own[name]
            if value is None:
                continue
            if previous is not None and previous[name] == value:
                own[name] = previous[name]
            else:
                own[name] = convert(value)
        return own

    def columns(self, row: Row, previous: Row, names: Iterable[str]) -> Row:
        """``previous`` with the columns ``names`` taken from ``row`` (normalised): a row of which
        the caller knows that only those columns differ."""
        own = dict(previous)
        convert = self.convert
        for name in names:
            value = row[name]
            step = convert.get(name)
            own[name] = value if value is None or step is None else step(value)
        return own

    def part(
        self, rows: dict[Any, Row], previous: dict[Any, Row], changes: Changes | None = None
    ) -> dict[Any, Row]:
        """``rows`` normalised, in key order; ``changes`` (when known) names the rows that differ
        from ``previous`` and their columns: the others are ``previous``'s own."""
        if changes is None:
            return {key: self(rows[key], previous.get(key)) for key in sorted(rows)}
        touched = changes.columns
        if not touched and not changes.reordered:
            return previous  # unchanged: entries share rows, which nobody changes (a row deleted
            # changes nothing in the others but the set of keys: then they are walked below)
        out: dict[Any, Row] = {}
        for key in sorted(rows) if changes.reordered else previous:
            if key not in touched:
                out[key] = previous[key]
                continue
            names = touched[key]
            out[key] = self(rows[key]) if names is None else self.columns(rows[key], previous[key], names)
        return out


@attrs.frozen
class Changes:
    """What a save changed in one part of a case: for each row updated, the columns changed,
    for each row inserted, None; and whether rows were inserted or deleted (so the key order
    must be worked out again)."""

    columns: Mapping[Any, tuple[str, ...] | None]
    reordered: bool = False


_UNCHANGED = Changes({})

Changed = tuple[tuple[str, ...], tuple[Changes, ...]]
"""What a save changed: the ``cases`` columns, and per child part (tasks, materials, visits,
deadlines, ratings) its :class:`Changes`."""


def _pairs(normal: Snapshot, fresh: Snapshot) -> tuple[tuple[dict[Any, Row], dict[Any, Row]], ...]:
    return (
        (normal.tasks, fresh.tasks),
        (normal.materials, fresh.materials),
        (normal.visits, fresh.visits),
        (normal.deadlines, fresh.deadlines),
        (normal.ratings, fresh.ratings),
    )


_CASE = _Normalizer(cases)
_TASKS = _Normalizer(item_tasks)
_MATERIALS = _Normalizer(materials)
_VISITS = _Normalizer(visits)
_DEADLINES = _Normalizer(deadlines)
_RATINGS = _Normalizer(ratings)


@attrs.frozen
class CachedCase:
    """The committed rows of one case version: the ``cases`` row and its child rows."""

    version: int
    row: Row  # as a load returns it
    snapshot: Snapshot  # child rows as a load returns them, each part in primary-key order
    held: list[Case] = attrs.field(factory=list, eq=False, repr=False)
    """The case object saved as this version, when it equals what :meth:`case` would build:
    handed over once (:meth:`take`), to the next action on the case."""

    def take(self) -> Case | None:
        """The held case object, to exactly one caller (``list.pop`` is atomic), else None."""
        try:
            return self.held.pop()
        except IndexError:
            return None

    def hold(self, case: Case, raw: Row, new: Snapshot, changed: Changed) -> None:
        """Keep ``case`` (just saved as this version) for the next action, if it equals what
        :meth:`case` would build from this entry's rows; its JSON values are replaced by copies
        of the normalised ones (a tuple in a form becomes the list a load gives back)."""
        columns, parts = changed
        own = self.row
        for name in columns:
            if name in ("form", "notified"):
                continue
            if name == "rectification" or own[name] is not raw[name]:
                return  # a value the normaliser changed (a datetime in another zone …): rebuild
        snapshot = self.snapshot
        purposes: dict[int, list[Any]] = {}
        visitors: dict[int, list[Any]] = {}
        for index, ((rows, before), change) in enumerate(zip(_pairs(snapshot, new), parts, strict=True)):
            for key, names in change.columns.items():
                normal, fresh = rows[key], before[key]
                for name in fresh if names is None else names:
                    if name == "purposes":
                        purposes[key] = normal[name]
                    elif name == "parties" and index == 2 and normal[name] is not None:  # visits
                        visitors[key] = normal[name]
                    elif normal[name] is not fresh[name]:
                        return
        if "form" in columns:
            case.form = copy_json(own["form"])
        if "notified" in columns:
            case.notified = list(own["notified"])
        for visit in case.visits:
            if visit.seq in purposes:
                visit.purposes = list(purposes[visit.seq])
            if visit.seq in visitors:
                visit.parties = list(visitors[visit.seq])
        self.held.append(case)

    @classmethod
    def of(
        cls,
        row: Row,
        snapshot: Snapshot,
        *,
        version: int,
        previous: CachedCase | None = None,
        changed: Changed | None = None,
    ) -> CachedCase:
        """An entry of private copies of rows the caller may still change.

        ``previous``, the entry of the version these rows replace, lends its (already
        normalised) rows and values wherever they are unchanged. ``changed`` — the ``cases``
        columns and the child-row changes a save found comparing these rows with ``previous``'s
        — spares comparing them again.
        """
        if previous is None:
            own = _CASE(row)
            before = Snapshot({}, {}, {}, {}, {})
            parts: tuple[Changes | None, ...] = (None,) * 5
        elif changed is None:
            own = _CASE(row, previous.row)
            before = previous.snapshot
            parts = (None,) * 5
        else:
            columns, parts = changed
            own = _CASE.columns(row, previous.row, columns)
            before = previous.snapshot
        own["version"] = version
        ordered = Snapshot(
            tasks=_TASKS.part(snapshot.tasks, before.tasks, parts[0]),
            materials=_MATERIALS.part(snapshot.materials, before.materials, parts[1]),
            visits=_VISITS.part(snapshot.visits, before.visits, parts[2]),
            deadlines=_DEADLINES.part(snapshot.deadlines, before.deadlines, parts[3]),
            ratings=_RATINGS.part(snapshot.ratings, before.ratings, parts[4]),
        )
        return cls(version, own, ordered)

    def case(self) -> Case:
        """A new case object with these contents."""
        row = dict(self.row)
        row["form"] = copy_json(row["form"])
        snap = self.snapshot
        return case_from_rows(
            row,
            tasks=snap.tasks.values(),
            materials=snap.materials.values(),
            visits=snap.visits.values(),
            deadlines=snap.deadlines.values(),
            ratings=snap.ratings.values(),
        )


class CaseCache:
    """Least-recently-used :class:`CachedCase` entries by case id (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, CachedCase] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, case_id: str) -> CachedCase | None:
        with self._lock:
            entry = self._entries.get(case_id)
            if entry is not None:
                self._entries.move_to_end(case_id)
            return entry

    def put(self, case_id: str, entry: CachedCase) -> None:
        if self.size <= 0:
            return
        with self._lock:
            current = self._entries.get(case_id)
            if current is not None and current.version > entry.version:
                return  # a newer version was committed (and cached) meanwhile
            self._entries[case_id] = entry
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, case_id: str) -> None:
        with self._lock:
            self._entries.pop(case_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
