"""The report's rows from the kept figures (``figure_cases``, ``figure_departments``; see
:mod:`oneservice.store.figure_upkeep`): the same rows as :func:`oneservice.store.figures.report_rows`
computes from the cases, folded by the same functions, from one narrow row per case (and per case
and department). The deadlines open past due depend on the report's day: they are counted from
the open deadlines themselves (the index on ``(met_at, due_date)`` holds them), the warnings from
the warnings table, as the computed report does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select

from oneservice.store.figures import (
    _count,
    _month,
    _p90_of,
    _Passes,
    fold_cases,
    fold_deadlines,
    fold_ratings,
)
from oneservice.store.tables import LEVELS, deadlines, figure_cases, figure_departments, item_tasks

if TYPE_CHECKING:
    from oneservice.store.transaction import Transaction

__all__ = ["kept_cases_by_matter", "kept_report_rows", "kept_whole_rows"]

_F, _D = figure_cases.c, figure_departments.c
_LEVEL_VALUES = tuple(int(name.removeprefix("level_")) for name in LEVELS)


def kept_report_rows(
    tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str, today: dt.date
) -> dict[str, Any]:
    """:func:`oneservice.store.figures.report_rows`, from the kept figures."""
    kept = _Kept(tx, start, end, by, today)
    out = kept.cases()
    out.update(kept.deadlines())
    out.update(kept.ratings())
    out["stopped"] = kept.stopped()
    out["warnings"] = _Passes(tx, start, end, by, today).warnings()
    return out


def kept_whole_rows(tx: Transaction, start: dt.datetime | None, end: dt.datetime | None) -> dict[str, Any]:
    """:func:`oneservice.store.figures.whole_rows`, from the kept figures."""
    days = _F.duration_days
    query = _period(select(days, func.count()).where(days.is_not(None)).group_by(days), start, end)
    bins = {int(d): int(n) for d, n in tx.connection.execute(query)}
    return {"p90_duration": [("all", _p90_of(bins))] if bins else []}


def kept_cases_by_matter(tx: Transaction, start: dt.datetime | None,
                         end: dt.datetime | None) -> dict[str, int]:
    """:func:`oneservice.store.figures.cases_by_matter`, from the kept figures."""
    query = _period(select(_F.matter_id, func.count()).group_by(_F.matter_id), start, end)
    return {str(m): int(n) for m, n in tx.connection.execute(query)}


def _period(query: Select[Any], start: dt.datetime | None, end: dt.datetime | None,
            opened: Any = _F.opened_at) -> Select[Any]:
    if start is not None:
        query = query.where(opened >= start)
    if end is not None:
        query = query.where(opened < end)
    return query


def _sum(column: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), 0)


class _Kept:
    """The passes of one report over the kept figures."""

    def __init__(self, tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str,
                 today: dt.date) -> None:
        self.conn = tx.connection
        self.dialect = self.conn.dialect.name
        self.start, self.end, self.by, self.today = start, end, by, today
        self.by_department = by == "department"

    def key(self) -> ColumnElement[Any]:
        """The grouping key of a ``figure_cases`` row (by department: of its department row)."""
        if self.by == "matter":
            return _F.matter_id
        if self.by == "location":
            return _F.location
        if self.by == "month":
            return _month(self.dialect, _F.opened_at)
        if self.by_department:
            return _D.department
        return literal("all")

    def source(self) -> Any:
        """The case rows, by department once for each department with an item in the case."""
        if self.by_department:
            return figure_departments.join(figure_cases, _F.case_id == _D.case_id)
        return figure_cases

    def rows(self, source: Any, key: ColumnElement[Any], groups: Sequence[Any], columns: Sequence[Any],
             where: Sequence[Any] = (), opened: Any = _F.opened_at) -> list[Any]:
        query = select(key.label("key"), *groups, *columns).select_from(source).where(*where)
        return list(self.conn.execute(_period(query.group_by(key, *groups), self.start, self.end, opened)))

    def with_items(self) -> list[Any]:
        return [_D.has_items.is_(True)] if self.by_department else []

    def cases(self) -> dict[str, list[Any]]:
        done = _F.concluded.is_(True)
        trips = _F.trips
        sums = [
            func.count(), _count(_F.notices > 0), func.sum(_F.notices), _count(_F.notices > 1),
            _count(_F.submitted.is_(True)), _count(done), func.sum(case((done, trips), else_=0)),
            func.max(case((done, trips), else_=None)), _count(and_(done, trips <= 1)),
            _count(and_(done, trips == 0)), _count(and_(done, trips == 1)), _count(and_(done, trips == 2)),
            _count(and_(done, trips >= 3)), _count(and_(done, _F.rated.is_(True))),
            _count(_F.deficient.is_(True)), _count(_F.delivery_channel.is_not(None)),
            _count(_F.delivery_channel == "agent"),
        ]
        return fold_cases(self.rows(self.source(), self.key(), [_F.channel, _F.duration_days], sums,
                                    where=self.with_items()))

    def deadlines(self) -> dict[str, list[Any]]:
        key = self.key()
        timed_days = case((_F.timed_n > 0, _F.duration_days * _F.timed_n), else_=0)
        stored = self.rows(self.source(), key, [_F.case_met_month, _F.withdrawn], [
            _sum(_F.case_n), _sum(_F.case_met), _sum(_F.case_on_time), _sum(_F.timed_n), _sum(timed_days),
            _sum(_F.timed_amount), _sum(_F.legal_n), _sum(_F.legal_met), _sum(_F.legal_on_time),
            _sum(_F.rect_n), _sum(_F.rect_on_time)], where=self.with_items())
        rows: list[tuple[Any, ...]] = []
        for group, month, withdrawn, n, met, on_time, timed, days, promised, *legal, rect_n, rect_ok in (
                stored):
            rows.append((group, "case", month, True, n, met, on_time, 0, 0, timed, days, promised))
            if not self.by_department:
                rows.append((group, "case_legal", None, True, *legal, 0, 0, 0, 0, 0))
            if rect_n and not withdrawn:
                rows.append((group, "rectification", None, True, rect_n, 0, rect_ok, 0, 0, 0, 0, 0))
        rows += self.open_past_due()
        judged = rows
        if self.by_department:  # the department is judged on its own items' deadlines
            judged = []
            for group, item_met, item_on_time, legal_met, legal_on_time in self.rows(
                    figure_departments, _D.department, [], [_sum(_D.item_met), _sum(_D.item_on_time),
                                                            _sum(_D.legal_met), _sum(_D.legal_on_time)],
                    opened=_D.opened_at):
                judged.append((group, "case", None, True, 0, item_met, item_on_time, 0, 0, 0, 0, 0))
                judged.append((group, "case_legal", None, True, 0, legal_met, legal_on_time, 0, 0, 0, 0, 0))
            judged += self.own_open_past_due()
        return fold_deadlines(rows, judged)

    def open_past_due(self) -> list[tuple[Any, ...]]:
        """The case's open deadlines past due (by department, its rectification's, once for each
        of its departments): counted from the open deadlines on the report's day."""
        d = deadlines.c
        kinds = ["rectification"] if self.by_department else ["case", "case_legal", "rectification"]
        source = deadlines.join(figure_cases, _F.case_id == d.case_id)
        if self.by_department:
            source = source.join(figure_departments, _D.case_id == d.case_id)
        where = [d.met_at.is_(None), d.due_date < self.today, d.kind.in_(kinds), *self.with_items()]
        out = []
        for group, kind, withdrawn, active, n in self.rows(
                source, self.key(), [d.kind, _F.withdrawn, _F.active], [func.count()], where=where):
            if kind == "rectification":
                out.append((group, kind, None, not withdrawn, 0, 0, 0, 0, n, 0, 0, 0))
            else:
                out.append((group, kind, None, True, 0, 0, 0, n if active else 0, n, 0, 0, 0))
        return out

    def own_open_past_due(self) -> list[tuple[Any, ...]]:
        """A department's open item deadlines past due, of active cases."""
        d, t = deadlines.c, item_tasks.c
        source = deadlines.join(item_tasks, and_(t.case_id == d.case_id, t.item_code == d.subject)).join(
            figure_cases, _F.case_id == d.case_id)
        where = [d.met_at.is_(None), d.due_date < self.today, d.kind.in_(["item", "item_legal"]),
                 _F.active.is_(True)]
        return [(group, "case" if kind == "item" else "case_legal", None, True, 0, 0, 0, n, n, 0, 0, 0)
                for group, kind, n in self.rows(source, t.department, [d.kind], [func.count()], where=where)]

    def ratings(self) -> dict[str, list[Any]]:
        table, key, opened = ((figure_departments, _D.department, _D.opened_at) if self.by_department
                              else (figure_cases, self.key(), _F.opened_at))
        columns = [_sum(table.c[name]) for name in (*LEVELS, "bad", "called", "appeals", "upheld")]
        rows: list[tuple[Any, ...]] = []
        for group, *values in self.rows(table, key, [], columns, opened=opened):
            levels, (bad, called, appeals, upheld) = values[:len(LEVELS)], values[len(LEVELS):]
            rows += [(group, level, n, 0, 0, 0, 0) for level, n in zip(_LEVEL_VALUES, levels, strict=True)]
            rows.append((group, None, 0, bad, called, appeals, upheld))
        return fold_ratings(rows)

    def stopped(self) -> list[Any]:
        if self.by_department:
            return self.rows(figure_departments, _D.department, [],
                             [func.sum(_D.suspended_days), func.sum(_D.correction_days)],
                             where=[_D.has_items.is_(True)], opened=_D.opened_at)
        return self.rows(figure_cases, self.key(), [],
                         [func.sum(_F.suspended_days), func.sum(_F.correction_days)], where=[_F.tasks > 0])
