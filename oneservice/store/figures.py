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
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
)

from oneservice.domain.states import ACTIVE_CASE_STATES
from oneservice.store.tables import cases, deadlines, item_tasks, ratings, warnings
from oneservice.store.transaction import Transaction

__all__ = ["PARTITIONS", "cases_by_matter", "overdue_cases", "report_rows", "whole_rows"]

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
    """Every figure of the report as rows of (key, …) per query."""
    conn = tx.connection
    dialect = conn.dialect.name
    c, d, r, t, w = cases.c, deadlines.c, ratings.c, item_tasks.c, warnings.c
    by_department = by == "department"
    pairs = select(t.case_id, t.department).distinct().subquery("deps")

    def case_key(query: Select[Any]) -> tuple[Select[Any], ColumnElement[Any]]:
        if start is not None:
            query = query.where(c.opened_at >= start)
        if end is not None:
            query = query.where(c.opened_at < end)
        if by == "matter":
            return query, c.matter_id
        if by == "location":
            return query, c.location
        if by == "month":
            return query, _month(dialect, c.opened_at)
        if by_department:
            return query.join(pairs, pairs.c.case_id == c.id), pairs.c.department
        return query, literal("all")

    def run(columns: list[Any], *, source: Any = None, where: Sequence[Any] = (), extra: Sequence[Any] = (),
            key: Any = None) -> list[Any]:
        base = select(literal(0)).select_from(source if source is not None else cases)
        query, group = case_key(base.where(*where))
        if key is not None:  # the department's own part: the key comes from the joined rows
            query, group = base.where(*where), key
            if start is not None:
                query = query.where(c.opened_at >= start)
            if end is not None:
                query = query.where(c.opened_at < end)
        query = query.with_only_columns(group.label("key"), *extra, *columns).group_by(group, *extra)
        return list(conn.execute(query))

    one, zero = literal(1), literal(0)
    on_time = _on_time(dialect)
    concluded = c.concluded_at.is_not(None)
    with_deadline = cases.join(deadlines, d.case_id == c.id)
    # the department's own deadlines: its items' (by department), else the case's
    own_deadlines = cases.join(deadlines, d.case_id == c.id).join(
        item_tasks, and_(t.case_id == c.id, t.item_code == d.subject))
    promise_kind, legal_kind = ("item", "item_legal") if by_department else ("case", "case_legal")
    deadline_source = own_deadlines if by_department else with_deadline
    deadline_key = t.department if by_department else None

    def met_on_time(kind: str) -> list[Any]:
        return run(
            [func.count(), func.sum(case((on_time, one), else_=zero))],
            source=deadline_source, key=deadline_key, where=[d.kind == kind, d.met_at.is_not(None)],
        )

    def open_overdue(kind: str) -> list[Any]:
        return run(
            [func.count()], source=deadline_source, key=deadline_key,
            where=[d.kind == kind, d.met_at.is_(None), d.due_date < today, c.state.in_(ACTIVE)],
        )

    rated_source = cases.join(ratings, r.case_id == c.id)
    rated_where: list[Any] = [r.follow_up.is_(False), r.counted.is_(True)]
    rated_key = None
    if by_department:
        rated_where += [r.about == "department"]
        rated_key = r.about_id
    out: dict[str, Any] = {
        "cases": run(
            [
                func.count(distinct(c.id)),
                func.sum(case((c.notices > 0, one), else_=zero)),
                func.sum(c.notices),
                func.sum(case((c.notices > 1, one), else_=zero)),  # 一次告知 not kept
            ]
        ),
        "trips": run(  # over concluded cases: the promise is judged on cases that ran their course
            [
                func.count(distinct(c.id)),
                func.avg(c.trips),
                func.max(c.trips),
                func.sum(case((c.trips <= 1, one), else_=zero)),
                func.sum(case((c.trips == 0, one), else_=zero)),
            ],
            where=[concluded],
        ),
        "channels": run([func.count(distinct(c.id))], where=[c.submitted_at.is_not(None)], extra=[c.channel]),
        "concluded": met_on_time(promise_kind),
        "legal": met_on_time(legal_kind),
        "open_overdue": open_overdue(promise_kind),
        "open_legal_overdue": open_overdue(legal_kind),
        "duration": run(
            [func.count(), func.avg(c.duration_days), func.avg(d.amount)],
            source=with_deadline,
            where=[d.kind == "case", c.duration_days.is_not(None), d.unit == "working_days"],
        ),
        "stopped": run(
            [func.sum(t.suspended_days), func.sum(t.correction_days)],
            source=cases.join(item_tasks, t.case_id == c.id), key=t.department if by_department else None,
        ),
        "deficiency": run([func.count(distinct(c.id))], source=with_deadline, where=[d.kind == "deficiency"]),
        "rated_cases": run([func.count(distinct(c.id))], where=[concluded, c.id.in_(
            select(r.case_id).where(r.follow_up.is_(False)))]),
        "concluded_cases": run([func.count(distinct(c.id))], where=[concluded]),
        "ratings": run([func.count()], source=rated_source, where=rated_where, extra=[r.level],
                       key=rated_key),
        "bad": run(
            [
                func.count(),
                func.sum(case((exists_met("callback"), one), else_=zero)),
            ],
            source=rated_source, where=[*rated_where, r.bad.is_(True)], key=rated_key,
        ),
        "appeals": run(
            [func.count(), func.sum(case((r.counted.is_(False), one), else_=zero))],
            source=rated_source,
            where=[r.appeal.is_not(None), *([r.about == "department"] if by_department else [])],
            key=rated_key,
        ),
        "rectifications": run(
            [
                func.count(),
                func.sum(case((and_(d.met_at.is_not(None), on_time), one), else_=zero)),
                func.sum(case((and_(d.met_at.is_(None), d.due_date < today), one), else_=zero)),
            ],
            source=with_deadline,
            where=[d.kind == "rectification", ~withdrawn()],
        ),
        "warnings": run(
            [func.count()],
            source=cases.join(warnings, w.case_id == c.id).join(
                item_tasks, and_(t.case_id == c.id, t.item_code == w.subject), isouter=not by_department),
            extra=[w.kind, w.level], key=t.department if by_department else None,
        ),
    }
    out["p90_duration"] = _p90(conn, case_key, c.duration_days)
    trips_bucket = case((c.trips >= 3, literal(3)), else_=c.trips)
    query, _ = case_key(select(trips_bucket.label("trips"), func.count()).select_from(cases).where(concluded))
    out["trips_distribution"] = list(conn.execute(query.group_by(trips_bucket)))
    month = _month(dialect, d.met_at)
    query, _ = case_key(
        select(month.label("month"), func.count(), func.sum(case((on_time, one), else_=zero)))
        .select_from(with_deadline)
        .where(d.kind == "case", d.met_at.is_not(None))
    )
    out["trend"] = list(conn.execute(query.group_by(month).order_by(month)))
    return out


def whole_rows(tx: Transaction, start: dt.datetime | None, end: dt.datetime | None) -> dict[str, Any]:
    """What the groups of a partition do not add up to: the 90th percentile of all cases."""
    c = cases.c

    def case_key(query: Select[Any]) -> tuple[Select[Any], ColumnElement[Any]]:
        if start is not None:
            query = query.where(c.opened_at >= start)
        if end is not None:
            query = query.where(c.opened_at < end)
        return query, literal("all")

    return {"p90_duration": _p90(tx.connection, case_key, c.duration_days)}


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


def _p90(conn: Any, case_key: Any, duration: Any) -> list[Any]:
    """The 90th percentile (nearest rank: the smallest duration whose cumulative share reaches 0.9)
    of the working days concluded cases took, per group."""
    inner, key = case_key(select(literal(0)).select_from(cases).where(duration.is_not(None)))
    ranked = inner.with_only_columns(
        key.label("key"), duration.label("days"),
        func.cume_dist().over(partition_by=key, order_by=duration).label("share"),
    ).subquery("ranked")
    query = select(ranked.c.key, func.min(ranked.c.days)).where(ranked.c.share >= 0.9).group_by(ranked.c.key)
    return list(conn.execute(query))


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
