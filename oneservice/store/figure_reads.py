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
    ReportQuery,
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

__all__ = ["kept_cases_by_matter", "kept_report_rows", "kept_volume", "kept_whole_rows"]

_F, _D = figure_cases.c, figure_departments.c
_LEVEL_VALUES = tuple(int(name.removeprefix("level_")) for name in LEVELS)


def kept_report_rows(
    tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str, today: dt.date
) -> dict[str, Any]:
    """:func:`oneservice.store.figures.report_rows`, from the kept figures."""
    postgresql = tx.connection.dialect.name == "postgresql"
    if postgresql:
        # the pass has a few hundred groups, but PostgreSQL estimates 100k to 1M from the columns'
        # own statistics and sorts the rows (on disk, in 4 MB of work_mem) instead of hashing them
        for setting in ("work_mem = '64MB'", "jit = off", "enable_sort = off"):
            tx.connection.exec_driver_sql(f"SET LOCAL {setting}")
    out = _Kept(tx, start, end, by, today).passes()
    if postgresql:
        tx.connection.exec_driver_sql("SET LOCAL enable_sort = on")
    out["warnings"] = _Passes(tx, start, end, by, today).warnings()
    return out


def kept_whole_rows(tx: Transaction, start: dt.datetime | None, end: dt.datetime | None) -> dict[str, Any]:
    """:func:`oneservice.store.figures.whole_rows`, from the kept figures."""
    days = _F.duration_days
    query = _period(select(days, func.count()).where(days.is_not(None)).group_by(days), start, end)
    bins = {int(d): int(n) for d, n in tx.connection.execute(query)}
    return {"p90_duration": [("all", _p90_of(bins))] if bins else []}


def kept_volume(rows: dict[str, Any]) -> dict[str, int]:
    """:func:`oneservice.store.figures.cases_by_matter`, from what :func:`kept_report_rows` gave
    for a grouping that counts each case once (all, matter, location, month)."""
    return dict(rows["volume"])


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


class _Kept(ReportQuery):
    """The passes of one report over the kept figures: one over the case rows (by department, one
    over the case rows of each department with items and one over the department rows), grouped
    finely enough for the folds of the computed report, and the open deadlines past due."""

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

    def rows(self, source: Any, key: ColumnElement[Any], groups: Sequence[Any], columns: Sequence[Any],
             where: Sequence[Any] = (), opened: Any = _F.opened_at) -> list[Any]:
        query = select(key.label("key"), *groups, *columns).select_from(source).where(*where)
        return list(self.conn.execute(_period(query.group_by(key, *groups), self.start, self.end, opened)))

    def passes(self) -> dict[str, Any]:
        done = _F.concluded.is_(True)
        trips = _F.trips
        case_sums = [
            func.count(), _count(_F.notices > 0), func.sum(_F.notices), _count(_F.notices > 1),
            _count(_F.submitted.is_(True)), _count(done), func.sum(case((done, trips), else_=0)),
            func.max(case((done, trips), else_=None)), _count(and_(done, trips <= 1)),
            _count(and_(done, trips == 0)), _count(and_(done, trips == 1)), _count(and_(done, trips == 2)),
            _count(and_(done, trips >= 3)), _count(and_(done, _F.rated.is_(True))),
            _count(_F.deficient.is_(True)), _count(_F.delivery_channel.is_not(None)),
            _count(_F.delivery_channel == "agent"),
        ]
        timed_days = case((_F.timed_n > 0, _F.duration_days * _F.timed_n), else_=0)
        deadline_sums = [
            _sum(_F.case_n), _sum(_F.case_met), _sum(_F.case_on_time), _sum(_F.timed_n), _sum(timed_days),
            _sum(_F.timed_amount), _sum(_F.legal_n), _sum(_F.legal_met), _sum(_F.legal_on_time),
            _sum(_F.rect_n), _sum(_F.rect_on_time)]
        judged_sums: list[Any] = []
        if not self.by_department:  # by department, from the department rows
            judged_sums = [_sum(_F[name]) for name in (*LEVELS, "bad", "called", "appeals", "upheld")]
            judged_sums += [_count(_F.tasks > 0), _sum(_F.suspended_days), _sum(_F.correction_days)]
        source: Any = figure_cases
        where: list[Any] = []
        if self.by_department:
            source = figure_departments.join(figure_cases, _F.case_id == _D.case_id)
            where = [_D.has_items.is_(True)]
        # by matter too: the case volume per matter comes with the pass (each case once, but by department)
        groups = [_F.matter_id, _F.channel, _F.duration_days, _F.case_met_month, _F.withdrawn]
        columns = [*case_sums, *deadline_sums, *judged_sums]
        grouped = self.rows(source, self.key(), groups, columns, where=where)
        n_cases, n_deadlines = len(case_sums), len(deadline_sums)
        cases_rows, rows, judged = [], [], []
        volume: dict[str, int] = {}
        for group, matter, channel, days, month, withdrawn, *values in grouped:
            cases_rows.append((group, channel, days, *values[:n_cases]))
            volume[str(matter)] = volume.get(str(matter), 0) + int(values[0])
            deadline_values = values[n_cases:n_cases + n_deadlines]
            n, met, on_time, timed, days_sum, promised, *legal, rect_n, rect_ok = deadline_values
            rows.append((group, "case", month, True, n, met, on_time, 0, 0, timed, days_sum, promised))
            if not self.by_department:
                rows.append((group, "case_legal", None, True, *legal, 0, 0, 0, 0, 0))
            if rect_n and not withdrawn:
                rows.append((group, "rectification", None, True, rect_n, 0, rect_ok, 0, 0, 0, 0, 0))
            if judged_sums:
                judged.append((group, *values[n_cases + n_deadlines:]))
        rows += self.open_past_due()
        if self.by_department:
            judged = self.department_rows()
            deadlines_judged = [row for group, *values in judged for row in (
                (group, "case", None, True, 0, values[-4], values[-3], 0, 0, 0, 0, 0),
                (group, "case_legal", None, True, 0, values[-2], values[-1], 0, 0, 0, 0, 0))]
            deadlines_judged += self.own_open_past_due()
        else:
            deadlines_judged = rows
        out: dict[str, Any] = fold_cases(cases_rows)
        if not self.by_department:
            out["volume"] = volume
        out.update(fold_deadlines(rows, deadlines_judged))
        out.update(self.judged(judged))
        return out

    def department_rows(self) -> list[Any]:
        """Per department: its ratings, its items' stopped days and its items' deadlines met."""
        has_items = _D.has_items.is_(True)
        columns = [_sum(_D[name]) for name in (*LEVELS, "bad", "called", "appeals", "upheld")]
        columns += [_count(has_items), _sum(case((has_items, _D.suspended_days), else_=0)),
                    _sum(case((has_items, _D.correction_days), else_=0))]
        columns += [_sum(_D.item_met), _sum(_D.item_on_time), _sum(_D.legal_met), _sum(_D.legal_on_time)]
        return self.rows(figure_departments, _D.department, [], columns, opened=_D.opened_at)

    def judged(self, grouped: Sequence[Any]) -> dict[str, list[Any]]:
        """Ratings and stopped days from rows (key, levels…, bad, called, appeals, upheld, rows with
        items, suspended days, correction days, …), added up per key first."""
        width = len(LEVELS) + 7
        totals: dict[Any, list[int]] = {}
        for group, *values in grouped:
            total = totals.setdefault(group, [0] * width)
            for i, value in enumerate(values[:width]):
                total[i] += int(value or 0)
        rows: list[tuple[Any, ...]] = []
        stopped = []
        for group, values in totals.items():
            levels, (bad, called, appeals, upheld, with_tasks, suspended, corrected) = (
                values[:len(LEVELS)], values[len(LEVELS):])
            rows += [(group, level, n, 0, 0, 0, 0) for level, n in zip(_LEVEL_VALUES, levels, strict=True)]
            rows.append((group, None, 0, bad, called, appeals, upheld))
            if with_tasks:
                stopped.append((group, suspended, corrected))
        return {**fold_ratings(rows), "stopped": stopped}

    def open_past_due(self) -> list[tuple[Any, ...]]:
        """The case's open deadlines past due (by department, its rectification's, once for each
        of its departments): counted from the open deadlines on the report's day."""
        d = deadlines.c
        kinds = ["rectification"] if self.by_department else ["case", "case_legal", "rectification"]
        source = deadlines.join(figure_cases, _F.case_id == d.case_id)
        if self.by_department:
            source = source.join(figure_departments, _D.case_id == d.case_id)
        where = [d.met_at.is_(None), d.due_date < self.today, d.kind.in_(kinds)]
        if self.by_department:
            where.append(_D.has_items.is_(True))
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

