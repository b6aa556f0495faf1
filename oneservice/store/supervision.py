"""SQL of supervision (电子监察) and of the reform's figures, over indexed columns.

Nothing here loads cases into Python: the scan selects the open deadlines that crossed a warning
threshold and writes one ``warnings`` row per deadline and level (``ON CONFLICT DO NOTHING``, so
a warning is recorded exactly once, however many workers scan; on PostgreSQL the candidate rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent workers share the work). The figures
are grouped aggregates.
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
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.case import CASE_CLOCK_KINDS, FOLLOW_UP_KINDS, ITEM_CLOCK_KINDS, STOP_KINDS
from oneservice.domain.states import ACTIVE_CASE_STATES, CLOCK_STOPPED_TASK_STATES, RUNNING_TASK_STATES
from oneservice.domain.supervision import Colour, Thresholds
from oneservice.store.tables import cases, deadlines, item_tasks, ratings, warnings
from oneservice.store.transaction import Transaction

__all__ = ["Candidate", "due_in", "insert_warnings", "report_rows", "scan_candidates", "warnings_of"]

# the named sets of domain/states.py, in a fixed order (the statements' text stays the same)
ACTIVE = sorted(ACTIVE_CASE_STATES)
RUNNING = sorted(RUNNING_TASK_STATES)
CLOCK_STOPPED = sorted(CLOCK_STOPPED_TASK_STATES)
FOLLOW_UP = sorted(FOLLOW_UP_KINDS)
ITEM_CLOCK = sorted(ITEM_CLOCK_KINDS)
CASE_CLOCK = sorted(CASE_CLOCK_KINDS)
STOPS = sorted(STOP_KINDS)

Candidate = tuple[str, str, str, dt.date]  # case_id, kind, subject, due_date


def due_in(column: ColumnElement[Any], thresholds: Thresholds, colour: Colour) -> ColumnElement[bool]:
    """``column`` (a due date) has ``colour``: the range of :meth:`Thresholds.due_range` in SQL."""
    first, last = thresholds.due_range(colour)
    bounds = []
    if first is not None:
        bounds.append(column >= first)
    if last is not None:
        bounds.append(column <= last)
    return and_(*bounds)


def scan_candidates(
    tx: Transaction, level: Colour, thresholds: Thresholds, limit: int
) -> list[Candidate]:
    """Open deadlines that reached ``level`` (yellow or red) and have no warning of it yet.

    The colour of a due date is that of :class:`~oneservice.domain.supervision.Thresholds`
    (red: before today; yellow: from today to ``yellow_until``). An item's promised and legal
    deadlines are watched while the item runs and skipped while its clock is stopped (a suspended
    item, a correction awaited), the case's while any item's clock is stopped; the stop's own
    deadline (the expected end of a suspension or correction) is watched exactly then.
    """
    d, c, t, w = deadlines.c, cases.c, item_tasks.c, warnings.c
    reached = due_in(d.due_date, thresholds, level)
    stopped = exists().where(
        t.case_id == d.case_id, t.state.in_(CLOCK_STOPPED),
        or_(d.kind.in_(CASE_CLOCK), and_(d.kind.in_(ITEM_CLOCK), t.item_code == d.subject)),
    )
    item_open = exists().where(t.case_id == d.case_id, t.item_code == d.subject, t.state.in_(RUNNING))
    item_stopped = exists().where(
        t.case_id == d.case_id, t.item_code == d.subject, t.state.in_(CLOCK_STOPPED)
    )
    warned = exists().where(
        w.case_id == d.case_id, w.kind == d.kind, w.subject == d.subject, w.level == level.value
    )
    query = (
        select(d.case_id, d.kind, d.subject, d.due_date)
        .join_from(deadlines, cases, c.id == d.case_id)
        .where(
            d.met_at.is_(None),
            reached,
            or_(and_(d.kind.not_in(FOLLOW_UP), c.state.in_(ACTIVE)), d.kind.in_(FOLLOW_UP)),
            or_(d.kind.not_in(ITEM_CLOCK), item_open),
            or_(d.kind.not_in(STOPS), item_stopped),
            ~stopped,
            ~warned,
        )
        .order_by(d.due_date, d.case_id)
        .limit(limit)
    )
    if tx.connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=deadlines)
    return [(r[0], r[1], r[2], r[3]) for r in tx.connection.execute(query)]


def insert_warnings(
    tx: Transaction, level: Colour, rows: Sequence[Candidate], at: dt.datetime, worker: str
) -> int:
    """Record ``rows`` as warnings of ``level``; rows already recorded are left alone."""
    if not rows:
        return 0
    values = [
        {
            "case_id": r[0],
            "kind": r[1],
            "subject": r[2],
            "level": level.value,
            "due_date": r[3],
            "at": at,
            "worker": worker,
        }
        for r in rows
    ]
    dialect = postgresql if tx.connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(warnings).on_conflict_do_nothing().returning(warnings.c.case_id)
    return len(tx.connection.execute(statement, values).all())  # rows actually inserted


def warnings_of(tx: Transaction, case_id: str) -> list[dict[str, Any]]:
    w = warnings.c
    rows = tx.connection.execute(
        select(warnings).where(w.case_id == case_id).order_by(w.at, w.kind, w.subject)
    )
    return [dict(r._mapping) for r in rows]


# ------------------------------------------------------------------------------------- figures


def _on_time(dialect: str) -> ColumnElement[Any]:
    """A met deadline was met on time: on or before its due date, in Shanghai (UTC+8, no DST)."""
    if dialect == "postgresql":
        return literal_column("deadlines.met_at < ((deadlines.due_date + time '16:00') AT TIME ZONE 'UTC')")
    # SQLite keeps datetimes as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', which compares as text
    return literal_column("deadlines.met_at < (deadlines.due_date || ' 16:00:00')")


def _month(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(deadlines.c.due_date, "YYYY-MM")
    return func.substr(deadlines.c.due_date, 1, 7)


def _keyed(query: Select[Any], by: str) -> tuple[Select[Any], ColumnElement[Any]]:
    """Join what grouping ``by`` needs; return the query and the group key column."""
    if by == "matter":
        return query, cases.c.matter_id
    if by == "location":
        return query, cases.c.location
    if by == "department":
        pairs = select(item_tasks.c.case_id, item_tasks.c.department).distinct().subquery("deps")
        return query.join(pairs, pairs.c.case_id == cases.c.id), pairs.c.department
    return query, literal("all")


def report_rows(
    tx: Transaction, start: dt.datetime | None, end: dt.datetime | None, by: str, today: dt.date
) -> dict[str, Any]:
    """Every figure of the report as rows of (key, …) per query, cases opened in [start, end)."""
    conn = tx.connection
    dialect = conn.dialect.name
    c, d, r = cases.c, deadlines.c, ratings.c

    def scoped(query: Select[Any]) -> tuple[Select[Any], ColumnElement[Any]]:
        if start is not None:
            query = query.where(c.opened_at >= start)
        if end is not None:
            query = query.where(c.opened_at < end)
        return _keyed(query, by)

    def run(
        columns: list[Any], *, source: Any = None, where: Sequence[Any] = (), extra: Sequence[Any] = ()
    ) -> list[Any]:
        base = select(literal(0)).select_from(source if source is not None else cases)
        query, key = scoped(base.where(*where))
        query = query.with_only_columns(key.label("key"), *extra, *columns).group_by(key, *extra)
        return list(conn.execute(query))

    one = literal(1)
    zero = literal(0)
    with_deadline = cases.join(deadlines, d.case_id == c.id)
    on_time = _on_time(dialect)
    out: dict[str, Any] = {
        "cases": run(
            [
                func.count(distinct(c.id)),
                func.avg(c.trips),
                func.max(c.trips),
                func.sum(case((c.trips <= 1, one), else_=zero)),
                func.sum(case((c.trips == 0, one), else_=zero)),
                func.sum(case((c.notices > 0, one), else_=zero)),
                func.sum(c.notices),
                func.sum(case((c.notices > 1, one), else_=zero)),  # 一次告知 not kept
            ]
        ),
        "concluded": run(
            [func.count(), func.sum(case((on_time, one), else_=zero))],
            source=with_deadline,
            where=[d.kind == "case", d.met_at.is_not(None)],
        ),
        "open_overdue": run(
            [func.count()],
            source=with_deadline,
            where=[d.kind == "case", d.met_at.is_(None), d.due_date < today, c.state.in_(ACTIVE)],
        ),
        "legal": run(  # 超法定: the legal chain (case_legal), met within it, open past it
            [
                func.sum(case((and_(d.met_at.is_not(None), on_time), one), else_=zero)),
                func.sum(case((and_(d.met_at.is_(None), d.due_date < today, c.state.in_(ACTIVE)), one),
                              else_=zero)),
            ],
            source=with_deadline,
            where=[d.kind == "case_legal"],
        ),
        "stopped": run(  # working days items stood still: suspended (中止), waiting for a correction
            [func.sum(item_tasks.c.suspended_days), func.sum(item_tasks.c.correction_days)],
            source=cases.join(item_tasks, item_tasks.c.case_id == c.id),
        ),
        "deficiency": run([func.count(distinct(c.id))], source=with_deadline, where=[d.kind == "deficiency"]),
        "ratings": run(
            [func.count()],
            source=cases.join(ratings, r.case_id == c.id),
            where=[r.follow_up.is_(False)],
            extra=[r.level],
        ),
        "rectifications": run(
            [
                func.count(),
                func.sum(case((and_(d.met_at.is_not(None), on_time), one), else_=zero)),
                func.sum(case((and_(d.met_at.is_(None), d.due_date < today), one), else_=zero)),
            ],
            source=with_deadline,
            where=[d.kind == "rectification"],
        ),
    }
    trips_bucket = case((c.trips >= 3, literal(3)), else_=c.trips)
    query, _ = scoped(select(trips_bucket.label("trips"), func.count()).select_from(cases))
    out["trips_distribution"] = list(conn.execute(query.group_by(trips_bucket)))
    month = _month(dialect)
    query, _ = scoped(
        select(month.label("month"), func.count(), func.sum(case((on_time, one), else_=zero)))
        .select_from(with_deadline)
        .where(d.kind == "case", d.met_at.is_not(None))
    )
    out["trend"] = list(conn.execute(query.group_by(month).order_by(month)))
    return out
