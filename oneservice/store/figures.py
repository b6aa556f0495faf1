"""SQL of the reform's figures (docs/supervision.md defines each): grouped aggregates, never a case
loaded into Python.

Cases are those opened in ``[start, end)``. Grouping: ``all``, ``matter``, ``location``, ``month``
(of opening) or ``department``. By department a case counts for every department with an item in
it, but what is judged is the department's own part: its items' deadlines (not the case's), the
ratings about that department (not those about the case or another department), its items'
stopped days and warnings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)

from oneservice.domain.states import ACTIVE_CASE_STATES
from oneservice.store.tables import cases, deadlines, item_tasks, ratings, warnings

if TYPE_CHECKING:
    from oneservice.store.transaction import Transaction

__all__ = [
    "CASE_SUMS", "PARTITIONS", "cases_by_matter", "fold_cases", "fold_deadlines", "fold_ratings",
    "overdue_cases", "report_rows", "whole_rows",
]

PARTITIONS = ("matter", "location", "month")
"""Groupings that put each case in exactly one group: the totals are the groups' sums, so only
what does not add up (the 90th percentile) is computed again for the whole (:func:`whole_rows`)."""

ACTIVE = sorted(ACTIVE_CASE_STATES)


def _on_time(dialect: str) -> ColumnElement[Any]:
    """A met deadline was met on time: on or before its due date, in Shanghai (UTC+8, no DST)."""
    if dialect == "postgresql":
        return literal_column("deadlines.met_at < ((deadlines.due_date + time '16:00') AT TIME ZONE 'UTC')")
    # SQLite keeps datetimes as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', which compares as text
    return literal_column("deadlines.met_at < (deadlines.due_date || ' 16:00:00')")


def _month(dialect: str, column: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.substr(func.datetime(column, "+8 hours"), 1, 7)


def report_rows(
    tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str, today: dt.date
) -> dict[str, Any]:
    """Every figure of the report as rows of (key, …) per figure, from five or six passes over the
    tables (cases, their deadlines, ratings, item tasks, warnings): each pass computes all the
    figures of its table at once with conditional aggregates, grouped finely enough that Python
    adds the groups up (a duration histogram gives the p90, the month of conclusion the trend)."""
    query = _Passes(tx, start, end, by, today)
    out = query.cases()
    out.update(query.deadlines())
    out.update(query.ratings())
    out["stopped"] = query.stopped()
    out["warnings"] = query.warnings()
    return out


class ReportQuery:
    """What every report query holds: its transaction's connection, the period, the grouping
    and the report's day (the computed passes here, the kept figures' in figure_reads)."""

    def __init__(self, tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str,
                 today: dt.date) -> None:
        self.conn = tx.connection
        self.dialect = self.conn.dialect.name
        self.start, self.end, self.by, self.today = start, end, by, today
        self.by_department = by == "department"


class _Passes(ReportQuery):
    """The SQL of one report: a grouping key per pass and the period's cases."""

    def __init__(self, tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str,
                 today: dt.date) -> None:
        super().__init__(tx, start, end, by, today)
        t = item_tasks.c
        self.pairs = select(t.case_id, t.department).distinct().subquery("deps")

    def period(self, query: Select[Any]) -> Select[Any]:
        c = cases.c
        if self.start is not None:
            query = query.where(c.opened_at >= self.start)
        if self.end is not None:
            query = query.where(c.opened_at < self.end)
        return query

    def keyed(self, source: Any) -> tuple[Any, ColumnElement[Any]]:
        """``source`` joined as the grouping needs it, and the case's key."""
        c = cases.c
        if self.by == "matter":
            return source, c.matter_id
        if self.by == "location":
            return source, c.location
        if self.by == "month":
            return source, _month(self.dialect, c.opened_at)
        if self.by_department:
            return source.join(self.pairs, self.pairs.c.case_id == c.id), self.pairs.c.department
        return source, literal("all")

    def rows(self, source: Any, key: ColumnElement[Any], groups: Sequence[Any], columns: Sequence[Any],
             where: Sequence[Any] = ()) -> list[Any]:
        query = self.period(select(key.label("key"), *groups, *columns).select_from(source).where(*where))
        return list(self.conn.execute(query.group_by(key, *groups)))

    def cases(self) -> dict[str, list[Any]]:
        """cases, trips, channels, concluded, rated, deficiency cases, deliveries (through an agent
        among them), the trips distribution and
        the p90 duration: one pass grouped by key, channel and duration."""
        c, d, r = cases.c, deadlines.c, ratings.c
        source, key = self.keyed(cases)
        done = c.concluded_at.is_not(None)
        # correlated EXISTS on the (case_id, …) primary keys: PostgreSQL runs ``id IN (subquery)`` in a
        # select list as a hashed subplan only while the subquery fits in work_mem, else once per row
        rated = select(r.case_id).where(r.case_id == c.id, r.follow_up.is_(False)).exists()
        deficient = select(d.case_id).where(d.case_id == c.id, d.kind == "deficiency").exists()
        trips = func.sum(case((done, c.trips), else_=0))
        sums: dict[str, ColumnElement[Any]] = {  # CASE_SUMS
            "cases": func.count(), "notice_cases": _count(c.notices > 0), "notices": func.sum(c.notices),
            "breaches": _count(c.notices > 1), "submitted": _count(c.submitted_at.is_not(None)),
            "concluded": _count(done), "trips": trips, "most": func.max(case((done, c.trips), else_=None)),
            "le1": _count(and_(done, c.trips <= 1)), "zero": _count(and_(done, c.trips == 0)),
            "one": _count(and_(done, c.trips == 1)), "two": _count(and_(done, c.trips == 2)),
            "three": _count(and_(done, c.trips >= 3)), "rated": _count(and_(done, rated)),
            "deficient": _count(deficient), "delivered": _count(c.delivery_channel.is_not(None)),
            "agent_delivered": _count(c.delivery_channel == "agent"),
        }
        return fold_cases(self.rows(source, key, [c.channel, c.duration_days], [*sums.values()]))

    def deadlines(self) -> dict[str, list[Any]]:
        """Deadlines met on time (promise and legal limit), open past due, the duration against the
        promise, rectifications and the monthly trend: the case's deadlines in one pass, and by
        department the department's own item deadlines in a second."""
        c, d, t = cases.c, deadlines.c, item_tasks.c
        on_time, met = _on_time(self.dialect), d.met_at.is_not(None)
        overdue = and_(d.met_at.is_(None), d.due_date < self.today)
        timed = and_(d.kind == "case", c.duration_days.is_not(None), d.unit == "working_days")
        month = case((and_(d.kind == "case", met), _month(self.dialect, d.met_at)), else_=None)
        counted = case((d.kind == "rectification", ~withdrawn()), else_=literal(True))
        columns = [
            func.count(), _count(met), _count(and_(met, on_time)), _count(and_(overdue, c.state.in_(ACTIVE))),
            _count(overdue), _count(timed), func.sum(case((timed, c.duration_days), else_=0)),
            func.sum(case((timed, d.amount), else_=0)),
        ]
        with_deadline = cases.join(deadlines, d.case_id == c.id)
        source, key = self.keyed(with_deadline)
        kinds = ["case", "rectification"] if self.by_department else ["case", "case_legal", "rectification"]
        rows = self.rows(source, key, [d.kind, month, counted], columns, where=[d.kind.in_(kinds)])
        judged = rows
        if self.by_department:  # the department is judged on its own items' deadlines
            own = with_deadline.join(item_tasks, and_(t.case_id == c.id, t.item_code == d.subject))
            judged = [(g, "case" if k == "item" else "case_legal", None, True, *v) for g, k, *v in self.rows(
                own, t.department, [d.kind], columns, where=[d.kind.in_(["item", "item_legal"])])]
        return fold_deadlines(rows, judged)

    def ratings(self) -> dict[str, list[Any]]:
        """Ratings by level, bad ratings and their callbacks, appeals: one pass over the ratings
        (by department, those about the department)."""
        c, r = cases.c, ratings.c
        rated = cases.join(ratings, r.case_id == c.id)
        key: ColumnElement[Any]
        if self.by_department:
            source, key, where = rated, r.about_id, [r.about == "department"]
        else:
            source, key = self.keyed(rated)
            where = []
        judged = and_(r.follow_up.is_(False), r.counted.is_(True))
        appealed = r.appeal.is_not(None)
        bad = and_(judged, r.bad.is_(True))
        called = func.sum(case((bad, case((exists_met("callback"), 1), else_=0)), else_=0))
        upheld = _count(and_(appealed, r.counted.is_(False)))
        columns = [_count(judged), _count(bad), called, _count(appealed), upheld]
        return fold_ratings(self.rows(source, key, [r.level], columns, where=[*where, or_(judged, appealed)]))

    def stopped(self) -> list[Any]:
        """Days the items were suspended or waited for corrections (by department, its items')."""
        c, t = cases.c, item_tasks.c
        tasks = cases.join(item_tasks, t.case_id == c.id)
        source, key = (tasks, t.department) if self.by_department else self.keyed(tasks)
        return self.rows(source, key, [], [func.sum(t.suspended_days), func.sum(t.correction_days)])

    def warnings(self) -> list[Any]:
        """Warnings by kind and level (by department, those about its items)."""
        c, t, w = cases.c, item_tasks.c, warnings.c
        source = cases.join(warnings, w.case_id == c.id).join(
            item_tasks, and_(t.case_id == c.id, t.item_code == w.subject), isouter=not self.by_department)
        source, key = (source, t.department) if self.by_department else self.keyed(source)
        return self.rows(source, key, [w.kind, w.level], [func.count()])



CASE_SUMS = ("cases", "notice_cases", "notices", "breaches", "submitted", "concluded", "trips", "most", "le1",
             "zero", "one", "two", "three", "rated", "deficient", "delivered", "agent_delivered")
"""The cases pass's values, in this order after (key, channel, duration) in each of its rows."""


def fold_cases(grouped: Sequence[Any]) -> dict[str, list[Any]]:
    """The figures of the cases pass from its rows (key, channel, duration, *CASE_SUMS)."""
    acc: dict[Any, dict[str, int]] = {}
    channels: dict[tuple[Any, Any], int] = {}
    histogram: dict[Any, dict[int, int]] = {}
    for group, channel, days, *values in grouped:
        row = dict(zip(CASE_SUMS, (int(v or 0) for v in values), strict=True))
        total = acc.setdefault(group, dict.fromkeys(CASE_SUMS, 0))
        for name, value in row.items():  # the largest number of trips, the sum of the rest
            total[name] = max(total[name], value) if name == "most" else total[name] + value
        if row["submitted"]:
            channels[(group, channel)] = channels.get((group, channel), 0) + row["submitted"]
        if days is not None:
            bins = histogram.setdefault(group, {})
            bins[int(days)] = bins.get(int(days), 0) + row["cases"]
    # the distribution is of all cases, whatever the grouping
    buckets = [sum(v[b] for v in acc.values()) for b in ("zero", "one", "two", "three")]
    return {
        "cases": [(g, v["cases"], v["notice_cases"], v["notices"], v["breaches"])
                  for g, v in acc.items()],
        "trips": [(g, v["concluded"], v["trips"] / v["concluded"], v["most"], v["le1"], v["zero"])
                  for g, v in acc.items() if v["concluded"]],
        "channels": [(g, ch, n) for (g, ch), n in channels.items()],
        "concluded_cases": [(g, v["concluded"]) for g, v in acc.items() if v["concluded"]],
        "rated_cases": [(g, v["rated"]) for g, v in acc.items() if v["rated"]],
        "deficiency": [(g, v["deficient"]) for g, v in acc.items() if v["deficient"]],
        "delivery": [(g, v["delivered"], v["agent_delivered"]) for g, v in acc.items() if v["delivered"]],
        "trips_distribution": [(b, n) for b, n in enumerate(buckets) if n],
        "p90_duration": [(g, _p90_of(bins)) for g, bins in histogram.items()],
    }


def fold_deadlines(rows: Sequence[Any], judged: Sequence[Any]) -> dict[str, list[Any]]:
    """The deadlines' figures from rows (key, kind, month met, kept, n, met, on time, open past due
    and active, past due, timed, days, promised); ``judged``: the rows that judge the promise and
    the legal limit (``rows`` themselves but by department)."""
    acc: dict[tuple[Any, str], list[int]] = {}
    for group, kind, _month_key, _kept, _n, n_met, n_on_time, n_open, *_ in judged:
        if kind != "rectification":
            _add(acc.setdefault((group, kind), [0, 0, 0]), n_met, n_on_time, n_open)
    trend: dict[Any, list[int]] = {}
    rectifications: dict[Any, list[int]] = {}
    duration: dict[Any, list[int]] = {}
    for group, kind, month_key, kept, n, n_met, n_on_time, _, n_overdue, n_timed, days, promised in rows:
        if kind == "rectification":
            if kept:
                _add(rectifications.setdefault(group, [0, 0, 0]), n, n_on_time, n_overdue)
        elif kind == "case":
            if month_key is not None:  # the trend is of all cases, whatever the grouping
                _add(trend.setdefault(month_key, [0, 0]), n_met, n_on_time)
            if n_timed:
                _add(duration.setdefault(group, [0, 0, 0]), n_timed, days, promised)

    def judged_rows(kind: str) -> list[Any]:
        return [(g, v[0], v[1]) for (g, k), v in acc.items() if k == kind and v[0]]

    def past(kind: str) -> list[Any]:
        return [(g, v[2]) for (g, k), v in acc.items() if k == kind and v[2]]

    return {
        "concluded": judged_rows("case"), "legal": judged_rows("case_legal"),
        "open_overdue": past("case"), "open_legal_overdue": past("case_legal"),
        "duration": [(g, n, days / n, promised / n) for g, (n, days, promised) in duration.items()],
        "rectifications": [(g, *v) for g, v in rectifications.items()],
        "trend": [(m, *trend[m]) for m in sorted(trend)],
    }


def fold_ratings(rows: Sequence[Any]) -> dict[str, list[Any]]:
    """The ratings' figures from rows (key, level, judged, bad, called back, appeals, upheld)."""
    levels: list[Any] = []
    totals: dict[Any, list[int]] = {}
    for group, level, n, n_bad, called, n_appeals, upheld in rows:
        if n:
            levels.append((group, level, int(n)))
        _add(totals.setdefault(group, [0, 0, 0, 0, 0]), n, n_bad, called, n_appeals, upheld)
    return {
        "ratings": levels,
        "bad": [(g, v[1], v[2]) for g, v in totals.items() if v[1]],
        "appeals": [(g, v[3], v[4]) for g, v in totals.items() if v[3]],
    }


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many rows meet ``condition``."""
    return func.sum(case((condition, literal(1)), else_=literal(0)))


def _add(total: list[int], *values: Any) -> None:
    for i, value in enumerate(values):
        total[i] += int(value or 0)


def _p90_of(bins: dict[int, int]) -> int:
    """The 90th percentile (nearest rank: the smallest duration whose cumulative share reaches 0.9)
    of a histogram of working days."""
    total, seen = sum(bins.values()), 0
    for days in sorted(bins):
        seen += bins[days]
        if seen / total >= 0.9:
            return days
    raise AssertionError("unreachable: the cumulative share of the last bin is 1")


def whole_rows(tx: Transaction, start: dt.datetime | None, end: dt.datetime | None) -> dict[str, Any]:
    """What the groups of a partition do not add up to: the 90th percentile of all cases."""
    days = cases.c.duration_days
    query = _Passes(tx, start, end, "all", dt.date.min).period(
        select(days, func.count()).where(days.is_not(None)).group_by(days))
    bins = {int(d): int(n) for d, n in tx.connection.execute(query)}
    return {"p90_duration": [("all", _p90_of(bins))] if bins else []}


def exists_met(kind: str) -> ColumnElement[bool]:
    """The case's ``kind`` deadline (its callback, …) is met."""
    d = deadlines.alias(f"{kind}_met")
    return select(d.c.case_id).where(d.c.case_id == cases.c.id, d.c.kind == kind,
                                     d.c.met_at.is_not(None)).exists()


def withdrawn() -> ColumnElement[bool]:
    """The case's rectification was withdrawn by an upheld appeal (its deadlines were met by it)."""
    r = ratings.alias("withdrawn_by")
    return select(r.c.case_id).where(r.c.case_id == cases.c.id, r.c.counted.is_(False),
                                     r.c.follow_up.is_(False)).exists()


def overdue_cases(
    tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, today: dt.date, limit: int = 100
) -> list[dict[str, Any]]:
    """Open cases past their promise (red), earliest due first: id, matter, location, due date,
    whether past the legal limit too, and the applicant's kind and number (the caller masks it)."""
    c, d = cases.c, deadlines.c
    legal = deadlines.alias("legal")
    query = (
        select(c.id, c.matter_id, c.location, d.due_date, c.applicant_kind, c.applicant_id, legal.c.due_date)
        .join_from(cases, deadlines, and_(d.case_id == c.id, d.kind == "case"))
        .join(legal, and_(legal.c.case_id == c.id, legal.c.kind == "case_legal"), isouter=True)
        .where(d.met_at.is_(None), d.due_date < today, c.state.in_(ACTIVE))
        .order_by(d.due_date, c.id)
        .limit(limit)
    )
    if start is not None:
        query = query.where(c.opened_at >= start)
    if end is not None:
        query = query.where(c.opened_at < end)
    return [
        {"case_id": row[0], "matter_id": row[1], "location": row[2], "due": row[3], "applicant_kind": row[4],
         "applicant_id": row[5], "past_legal": row[6] is not None and row[6] < today}
        for row in tx.connection.execute(query)
    ]


def cases_by_matter(tx: Transaction, start: dt.datetime | None, end: dt.datetime | None) -> dict[str, int]:
    """How many cases each matter has (the case volume behind the catalogue's figures)."""
    c = cases.c
    query = select(c.matter_id, func.count()).group_by(c.matter_id)
    if start is not None:
        query = query.where(c.opened_at >= start)
    if end is not None:
        query = query.where(c.opened_at < end)
    return {str(m): int(n) for m, n in tx.connection.execute(query)}
