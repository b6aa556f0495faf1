"""SQL of the supervision (电子监察) of 12345 requests: the open acknowledgement and answer
deadlines near or past their time, and the ``request_warnings`` rows the scan records.

A deadline is one dispatch's: its ``dispatched_at`` is part of the warning's key, so a request
re-dispatched after a return (or reopened) is watched afresh against its new deadlines, while the
warnings of the old ones stay on record. A warning is written once (``ON CONFLICT DO NOTHING``),
however many workers scan. The candidates are read in (due, id) order from a keyset, so that a
scan whose Python side leaves some of them green never reads them twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.requests import RequestState
from oneservice.store.rows import Page, check_window
from oneservice.store.tables import request_warnings, requests
from oneservice.store.transaction import Transaction

__all__ = ["REQUEST_WARNING_KINDS", "RequestCandidate", "insert_request_warnings", "request_candidates",
           "request_warnings_of", "request_warnings_page"]

REQUEST_WARNING_KINDS = ("request_acknowledge", "request_answer")
"""The deadlines of a request the scan watches: its acknowledgement (签收) and its answer (答复)."""

_OPEN = {
    "request_acknowledge": (str(RequestState.DISPATCHED),),
    "request_answer": (str(RequestState.ACKNOWLEDGED), str(RequestState.DISPATCHED)),
}


@attrs.frozen
class RequestCandidate:
    """An open request deadline the scan looks at."""

    request_id: str
    kind: str
    category: str
    urgency: str
    department: str
    dispatched_at: dt.datetime
    due_at: dt.datetime


def _due(kind: str) -> ColumnElement[Any]:
    return requests.c.acknowledge_due if kind == "request_acknowledge" else requests.c.answer_due


def _open(kind: str) -> ColumnElement[bool]:
    return requests.c.state.in_(_OPEN[kind])


def request_candidates(tx: Transaction, kind: str, level: str, *, now: dt.datetime, until: dt.datetime,
                       after: tuple[dt.datetime, str] | None, limit: int) -> list[RequestCandidate]:
    """Open ``kind`` deadlines without a ``level`` warning yet: red ones due before ``now``, yellow
    ones due from ``now`` to ``until``; ``limit`` of them after the keyset ``after`` (due, id)."""
    r, w = requests.c, request_warnings.c
    due = _due(kind)
    warned = exists().where(w.request_id == r.id, w.kind == kind, w.dispatched_at == r.dispatched_at,
                            w.level == level)
    reached = due < now if level == "red" else and_(due >= now, due <= until)
    query = (
        select(r.id, r.category, r.urgency, r.department, r.dispatched_at, due)
        .where(_open(kind), due.is_not(None), r.dispatched_at.is_not(None), r.department.is_not(None),
               reached, ~warned)
        .order_by(due, r.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(or_(due > after[0], and_(due == after[0], r.id > after[1])))
    return [RequestCandidate(row[0], kind, row[1], row[2], row[3], row[4], row[5])
            for row in tx.connection.execute(query)]


def insert_request_warnings(tx: Transaction, level: str, rows: Sequence[RequestCandidate], at: dt.datetime,
                            worker: str) -> int:
    """Record ``rows`` as warnings of ``level``; those recorded already are left alone."""
    if not rows:
        return 0
    values = [{"request_id": c.request_id, "kind": c.kind, "dispatched_at": c.dispatched_at, "level": level,
               "due_at": c.due_at, "department": c.department, "at": at, "worker": worker} for c in rows]
    dialect = postgresql if tx.connection.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(request_warnings).on_conflict_do_nothing()
                 .returning(request_warnings.c.request_id))
    return len(tx.connection.execute(statement, values).all())


def request_warnings_of(tx: Transaction, request_id: str) -> list[dict[str, Any]]:
    """The warnings recorded for one request, oldest first."""
    w = request_warnings.c
    rows = tx.connection.execute(select(request_warnings).where(w.request_id == request_id)
                                 .order_by(w.at, w.dispatched_at, w.kind, w.level))
    return [dict(row._mapping) for row in rows]


def _still_open() -> ColumnElement[bool]:
    """The warning's deadline is still unmet: the same dispatch, the step not done."""
    r, w = requests.c, request_warnings.c
    return and_(w.dispatched_at == r.dispatched_at,
                or_(*(and_(w.kind == kind, r.state.in_(states)) for kind, states in _OPEN.items())))


def request_warnings_page(tx: Transaction, *, level: str | None = None, kind: str | None = None,
                          department: str | None = None, departments: Sequence[str] | None = None,
                          open_only: bool = True, limit: int | None = 50,
                          offset: int = 0) -> Page[dict[str, Any]]:
    """The recorded request warnings, newest first, with the request's category, state and
    escalation (``open_only``: only those whose deadline is still unmet — the ones to escalate);
    ``departments``: only theirs (a regional supervisor's scope; ``None``: every department)."""
    check_window(limit, offset)
    w, r = request_warnings.c, requests.c
    where: list[ColumnElement[bool]] = []
    if level is not None:
        where.append(w.level == level)
    if kind is not None:
        where.append(w.kind == kind)
    if department is not None:
        where.append(w.department == department)
    if departments is not None:
        where.append(w.department.in_(sorted(set(departments)) or [""]))
    if open_only:
        where.append(_still_open())
    query = (
        select(w.request_id, w.kind, w.level, w.due_at, w.department, w.dispatched_at, w.at, r.category,
               r.state, r.escalated_at)
        .join_from(request_warnings, requests, r.id == w.request_id)
        .where(*where)
    )
    total = int(tx.connection.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    window = query.order_by(w.at.desc(), w.request_id, w.kind, w.level).offset(offset)
    if limit is not None:
        window = window.limit(limit)
    return Page(tuple(dict(row._mapping) for row in tx.connection.execute(window)), total, offset, limit)
