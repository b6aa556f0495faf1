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
    Date,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.case import CASE_CLOCK_KINDS, FOLLOW_UP_KINDS, ITEM_CLOCK_KINDS, STOP_KINDS
from oneservice.domain.states import (
    ACTIVE_CASE_STATES,
    CLOCK_STOPPED_TASK_STATES,
    CONCLUDED_TASK_STATES,
    RUNNING_TASK_STATES,
    CaseState,
)
from oneservice.domain.supervision import Colour, Thresholds
from oneservice.store.rows import Page, check_window
from oneservice.store.tables import cases, deadlines, item_tasks, warnings
from oneservice.store.transaction import Transaction

__all__ = ["Candidate", "due_in", "extension_requests_page", "insert_warnings", "open_appeals_page",
           "scan_candidates", "warning_counts", "warnings_of", "warnings_page"]

# the named sets of domain/states.py, in a fixed order (the statements' text stays the same)
ACTIVE = sorted(ACTIVE_CASE_STATES)
RUNNING = sorted(RUNNING_TASK_STATES)
CLOCK_STOPPED = sorted(CLOCK_STOPPED_TASK_STATES)
CONCLUDED = sorted(CONCLUDED_TASK_STATES)
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
    tx: Transaction, level: Colour, thresholds: Thresholds, limit: int, after: Candidate | None = None
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
    # the case's state and the item's, looked up by primary key for each open deadline: as
    # scalar subqueries, PostgreSQL cannot turn them into a scan of every case or item task
    # (a hash join, a hashed subplan), which it did at 1M cases (docs/performance.md)
    state = select(c.state).where(c.id == d.case_id).scalar_subquery()
    item_state = select(t.state).where(t.case_id == d.case_id, t.item_code == d.subject).scalar_subquery()
    # the warning already recorded, by its primary key: as a join, a planner whose statistics still
    # say the warnings table is empty (a new database, a vacuumed one) walked every warning for
    # each deadline (88M comparisons, 13 s a batch at 1M cases), and as a subquery it took the
    # (level, at) index — hence the level compared as an expression no index holds
    warned = select(literal(1)).where(
        w.case_id == d.case_id, w.kind == d.kind, w.subject == d.subject, w.level.concat("") == level.value
    ).limit(1).scalar_subquery()
    query = (
        select(d.case_id, d.kind, d.subject, d.due_date)
        .where(
            d.met_at.is_(None),
            reached,
            or_(
                and_(d.kind.not_in(FOLLOW_UP), d.kind != "notice", state.in_(ACTIVE)),
                d.kind.in_(FOLLOW_UP),
                and_(d.kind == "notice", state == CaseState.SUBMITTED),  # art. 32: before acceptance
            ),
            or_(d.kind.not_in(ITEM_CLOCK), item_state.in_(RUNNING)),
            or_(d.kind.not_in(STOPS), item_state.in_(CLOCK_STOPPED)),
            ~stopped,
            warned.is_(None),
        )
        .order_by(d.due_date, d.case_id, d.kind, d.subject)
        .limit(limit)
    )
    if after is not None:
        case_id, kind, subject, due = after
        query = query.where(tuple_(d.due_date, d.case_id, d.kind, d.subject) > tuple_(
            literal(due, Date), literal(case_id), literal(kind), literal(subject)))
    if tx.connection.dialect.name == "postgresql":
        # the subqueries per open deadline make the planner's cost estimate millions: it would
        # JIT-compile the statement, about 1 s of a batch that runs in a few hundred ms
        tx.connection.exec_driver_sql("SET LOCAL jit = off")
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


def _in_scope(locations: Sequence[str] | None) -> list[ColumnElement[bool]]:
    """The cases of ``locations`` (``None``: every case; an empty scope: none)."""
    if locations is None:
        return []
    if isinstance(locations, str):
        from oneservice.errors import InvalidInput

        raise InvalidInput("locations is a list of location ids, not one string", field="locations")
    return [cases.c.location.in_(sorted(set(locations)) or [""])]


def _paged(tx: Transaction, query: Any, where: list[ColumnElement[bool]], limit: int | None,
           offset: int) -> Page[dict[str, Any]]:
    check_window(limit, offset)
    total = int(tx.connection.execute(
        select(func.count()).select_from(query.where(*where).subquery())).scalar_one())
    window = query.where(*where).offset(offset)
    if limit is not None:
        window = window.limit(limit)
    rows = tuple(dict(r._mapping) for r in tx.connection.execute(window))
    return Page(rows, total, offset, limit)


def warnings_page(
    tx: Transaction, *, level: str | None = None, kind: str | None = None,
    locations: Sequence[str] | None = None, open_only: bool = True, limit: int | None = 50, offset: int = 0,
) -> Page[dict[str, Any]]:
    """The recorded warnings of ``level`` and ``kind`` (either may be ``None``: all), newest first,
    with their case's matter, location and state (``open_only``: only warnings whose deadline is
    still unmet)."""
    w, c, d = warnings.c, cases.c, deadlines.c
    query = (
        select(w.case_id, w.kind, w.subject, w.level, w.due_date, w.at, c.matter_id, c.location,
               c.state, d.met_at)
        .join_from(warnings, cases, c.id == w.case_id)
        .outerjoin(deadlines, and_(d.case_id == w.case_id, d.kind == w.kind, d.subject == w.subject))
        .order_by(w.at.desc(), w.case_id, w.kind, w.subject, w.level)
    )
    where = _in_scope(locations)
    if level is not None:
        where.append(w.level == level)
    if kind is not None:
        where.append(w.kind == kind)
    if open_only:
        where.append(d.met_at.is_(None))
    return _paged(tx, query, where, limit, offset)


def warning_counts(tx: Transaction, *, locations: Sequence[str] | None = None,
                   open_only: bool = True) -> dict[tuple[str, str], int]:
    """How many warnings are recorded per (kind, level) (``open_only``: deadline still unmet)."""
    w, c, d = warnings.c, cases.c, deadlines.c
    where = _in_scope(locations)
    if open_only:
        where.append(d.met_at.is_(None))
    query = (
        select(w.kind, w.level, func.count())
        .join_from(warnings, cases, c.id == w.case_id)
        .outerjoin(deadlines, and_(d.case_id == w.case_id, d.kind == w.kind, d.subject == w.subject))
        .where(*where)
        .group_by(w.kind, w.level)
    )
    return {(str(k), str(lv)): int(n) for k, lv, n in tx.connection.execute(query)}


def open_appeals_page(tx: Transaction, *, locations: Sequence[str] | None = None, limit: int | None = 50,
                      offset: int = 0) -> Page[dict[str, Any]]:
    """The appeals against a 差评 awaiting a supervisor's decision (their ``appeal`` deadline is
    unmet), the one to decide first on top: case, rating number (``subject``), decide-by date."""
    d, c = deadlines.c, cases.c
    query = (
        select(d.case_id, d.subject.label("rating"), d.due_date.label("decide_by"), c.matter_id, c.location,
               c.state)
        .join_from(deadlines, cases, c.id == d.case_id)
        .where(d.kind == "appeal", d.met_at.is_(None))
        .order_by(d.due_date, d.case_id, d.subject)
    )
    return _paged(tx, query, _in_scope(locations), limit, offset)


def extension_requests_page(tx: Transaction, *, locations: Sequence[str] | None = None,
                            limit: int | None = 50, offset: int = 0) -> Page[dict[str, Any]]:
    """The extension requests (延期申请) awaiting a supervisor's decision, the oldest first: case,
    item, department, days asked, reason, when and by whom (``request``: the number of its
    ``ExtensionRequested`` event), the item's legal due date, and the case's matter, location and
    state. Only items whose legal limit still runs (the case in progress, the item open)."""
    t, c, d = item_tasks.c, cases.c, deadlines.c
    query = (
        select(t.case_id, t.item_code.label("item"), t.department, t.state.label("item_state"),
               t.extension_request_seq.label("request"), t.extension_requested_at.label("requested_at"),
               t.extension_requested_by.label("requested_by"), t.extension_request_days.label("days"),
               t.extension_request_reason.label("reason"), d.due_date.label("legal_due"), c.matter_id,
               c.location, c.state)
        .join_from(item_tasks, cases, c.id == t.case_id)
        .outerjoin(deadlines, and_(d.case_id == t.case_id, d.kind == "item_legal", d.subject == t.item_code))
        .where(t.extension_request_seq.is_not(None), t.state.not_in(CONCLUDED),
               c.state == CaseState.IN_PROGRESS)
        .order_by(t.extension_requested_at, t.case_id, t.item_code)
    )
    return _paged(tx, query, _in_scope(locations), limit, offset)
