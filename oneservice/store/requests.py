"""12345 requests in the database: one row per request, its events, a department's list.

::

    with store.transaction() as tx:
        save_request(tx, request)            # insert (version 0) or update guarded by its version
    with store.transaction(readonly=True) as tx:
        request = load_request(tx, "R20261102-1a2b3c4d")

Saving writes the row and the new events in the caller's transaction; the events take their
positions from the same outbox counter as case events (:func:`oneservice.store.outbox.claim_positions`),
so the feed and its relays carry both. A save whose version no longer matches raises
:class:`~oneservice.errors.RequestConflict`; nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from oneservice.domain.requests import (
    Contact,
    Request,
    RequestChannel,
    RequestEvent,
    RequestKind,
    RequestState,
    Satisfaction,
    Urgency,
)
from oneservice.request_errors import RequestConflict, RequestNotFound
from oneservice.store.outbox import claim_positions
from oneservice.store.rows import Page
from oneservice.store.tables import request_events, requests
from oneservice.store.transaction import Transaction

__all__ = ["department_requests", "load_request", "platform_requests", "request_event_rows",
           "request_from_snapshot", "request_snapshot", "save_request"]

_MOMENTS = ("received_at", "dispatched_at", "acknowledge_due", "answer_due", "acknowledged_at", "answered_at",
            "called_back_at", "escalated_at", "closed_at")


def _row(request: Request) -> dict[str, Any]:
    return {
        "id": request.id, "state": str(request.state), "kind": str(request.kind),
        "channel": str(request.channel), "category": request.category, "urgency": str(request.urgency),
        "contact_name": request.contact.name, "contact_phone": request.contact.phone,
        "content": request.content, "location": request.location, "regions": dict(request.regions),
        "area": request.area, "case_id": request.case_id, "item_code": request.item,
        "competent": request.competent, "department": request.department, "answered_by": request.answered_by,
        "received_at": request.received_at, "dispatched_at": request.dispatched_at,
        "acknowledge_due": request.acknowledge_due, "answer_due": request.answer_due,
        "provisional": request.provisional, "acknowledged_at": request.acknowledged_at,
        "answered_at": request.answered_at, "result": request.result,
        "called_back_at": request.called_back_at,
        "resolved": request.resolved, "satisfaction": None if request.satisfaction is None
        else str(request.satisfaction), "reopens": request.reopens, "escalated_at": request.escalated_at,
        "closed_at": request.closed_at, "returns": dict(request.returns),
        "event_count": request.event_count + len(request.new_events),
    }


def request_from_row(r: Mapping[Any, Any]) -> Request:
    return Request(
        id=r["id"], kind=RequestKind(r["kind"]), channel=RequestChannel(r["channel"]), category=r["category"],
        urgency=Urgency(r["urgency"]), contact=Contact(r["contact_name"], r["contact_phone"]),
        content=r["content"], received_at=r["received_at"], state=RequestState(r["state"]),
        location=r["location"], regions=dict(r["regions"] or {}), area=r["area"], case_id=r["case_id"],
        item=r["item_code"], competent=r["competent"], department=r["department"],
        dispatched_at=r["dispatched_at"], acknowledge_due=r["acknowledge_due"], answer_due=r["answer_due"],
        provisional=bool(r["provisional"]), acknowledged_at=r["acknowledged_at"],
        answered_at=r["answered_at"], answered_by=r["answered_by"], result=r["result"],
        called_back_at=r["called_back_at"], resolved=r["resolved"],
        satisfaction=None if r["satisfaction"] is None else Satisfaction(r["satisfaction"]),
        reopens=r["reopens"], escalated_at=r["escalated_at"], closed_at=r["closed_at"],
        returns={str(k): int(v) for k, v in (r["returns"] or {}).items()}, version=r["version"],
        event_count=r["event_count"])


def request_snapshot(request: Request) -> dict[str, Any]:
    """The saved request as JSON (an idempotency record's result): its row, times as ISO 8601."""
    row = _row(request) | {"version": request.version}
    return row | {k: None if row[k] is None else row[k].isoformat() for k in _MOMENTS}


def request_from_snapshot(snapshot: Mapping[str, Any]) -> Request:
    """The request :func:`request_snapshot` kept."""
    return request_from_row({**snapshot, **{k: None if snapshot[k] is None else dt.datetime.fromisoformat(
        snapshot[k]) for k in _MOMENTS}})


def save_request(tx: Transaction, request: Request) -> None:
    """Insert a new request (``version`` 0) or update it from the version it was loaded with, and
    write its new events with their outbox positions. The request then holds the new version."""
    conn = tx.connection
    row = _row(request)
    if request.version == 0:
        conn.execute(requests.insert(), {**row, "version": 1})
    else:
        done = conn.execute(
            requests.update().where(and_(requests.c.id == request.id, requests.c.version == request.version))
            .values(**{k: v for k, v in row.items() if k != "id"}, version=request.version + 1))
        if done.rowcount != 1:
            raise RequestConflict(request.id)
    if request.new_events:
        first = claim_positions(conn, len(request.new_events))
        tx._wrote_events = True
        conn.execute(request_events.insert(), [
            {"request_id": request.id, "seq": e.seq, "at": e.at, "type": e.type, "actor": e.actor,
             "state": e.state, "public": e.public, "department": e.department, "note": e.note,
             "on_time": e.on_time, "data": dict(e.data), "position": first + offset,
             "category": request.category, "area": request.area, "competent": request.competent}
            for offset, e in enumerate(request.new_events)])
    request.version += 1
    request.event_count += len(request.new_events)
    request.new_events.clear()


def load_request(tx: Transaction, request_id: str) -> Request:
    """The request (without its events); :class:`RequestNotFound` when there is none."""
    found = tx.connection.execute(select(requests).where(requests.c.id == request_id)).mappings().first()
    if found is None:
        raise RequestNotFound(request_id)
    return request_from_row(found)


def request_event_rows(conn: Connection, request_id: str, *, public_only: bool = False) -> list[RequestEvent]:
    """The request's events in order (only those its requester sees, with ``public_only``)."""
    query = select(request_events).where(request_events.c.request_id == request_id)
    if public_only:
        query = query.where(request_events.c.public.is_(True))
    return [RequestEvent(r["seq"], r["at"], r["type"], r["actor"], r["state"], bool(r["public"]),
                         r["department"], r["note"], r["on_time"], r["data"] or {})
            for r in conn.execute(query.order_by(request_events.c.seq)).mappings()]


def department_requests(conn: Connection, department: str, *, states: frozenset[RequestState] | None = None,
                        offset: int = 0, limit: int = 50) -> Page[Request]:
    """The requests dispatched to ``department`` now, soonest answer due first (then id): ``limit``
    of them from ``offset``. ``states`` defaults to dispatched and acknowledged."""
    wanted = sorted(str(s) for s in (states or {RequestState.DISPATCHED, RequestState.ACKNOWLEDGED}))
    where = and_(requests.c.department == department, requests.c.state.in_(wanted))
    total = conn.execute(select(func.count()).select_from(requests).where(where)).scalar_one()
    query = (select(requests).where(where).order_by(requests.c.answer_due, requests.c.id)
             .offset(offset).limit(limit))
    items = tuple(request_from_row(r) for r in conn.execute(query).mappings())
    return Page(items=items, total=int(total), offset=offset, limit=limit)


def platform_requests(conn: Connection, states: frozenset[RequestState], *, offset: int = 0,
                      limit: int = 50, unsettled: bool = False) -> Page[Request]:
    """The requests in ``states`` whatever their department (the 12345 platform's lists: to
    dispatch, returned, to call back, overdue), oldest received first (then id); ``unsettled``:
    only those whose latest callback was unresolved or dissatisfied."""
    where: ColumnElement[bool] = requests.c.state.in_(sorted(str(s) for s in states))
    if unsettled:
        where = and_(where, or_(requests.c.resolved.is_(False),
                                requests.c.satisfaction == str(Satisfaction.DISSATISFIED)))
    total = conn.execute(select(func.count()).select_from(requests).where(where)).scalar_one()
    query = (select(requests).where(where).order_by(requests.c.received_at, requests.c.id)
             .offset(offset).limit(limit))
    items = tuple(request_from_row(r) for r in conn.execute(query).mappings())
    return Page(items=items, total=int(total), offset=offset, limit=limit)
