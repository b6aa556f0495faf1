"""SQL of supervision (电子监察), over indexed columns (the figures are :mod:`.figures`).

Nothing here loads cases into Python: the scan selects the open deadlines that crossed a warning
threshold and writes one ``warnings`` row per deadline and level (``ON CONFLICT DO NOTHING``, so
a warning is recorded exactly once, however many workers scan; on PostgreSQL the candidate rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent workers share the work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.case import CASE_CLOCK_KINDS, FOLLOW_UP_KINDS, ITEM_CLOCK_KINDS, STOP_KINDS
from oneservice.domain.states import (
    ACTIVE_CASE_STATES,
    CLOCK_STOPPED_TASK_STATES,
    RUNNING_TASK_STATES,
    CaseState,
)
from oneservice.domain.supervision import Colour, Thresholds
from oneservice.store.tables import cases, deadlines, item_tasks, warnings
from oneservice.store.transaction import Transaction

__all__ = ["Candidate", "due_in", "insert_warnings", "scan_candidates", "warnings_of"]

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
    if level is Colour.YELLOW:  # a deadline with the policy's own rule turns yellow on its yellow_from
        today = thresholds.today
        own = and_(d.yellow_from.is_not(None), d.yellow_from <= today, d.due_date >= today)
        reached = or_(own, and_(d.yellow_from.is_(None), reached))
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
            or_(
                and_(d.kind.not_in(FOLLOW_UP), d.kind != "notice", c.state.in_(ACTIVE)),
                d.kind.in_(FOLLOW_UP),
                and_(d.kind == "notice", c.state == CaseState.SUBMITTED),  # art. 32: before acceptance
            ),
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
