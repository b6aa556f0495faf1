"""The outbox: every event's global position, the feed read from it, and the relays' cursors.

::

    with store.transaction() as tx:                     # an action writes its events …
        tx.save_case(case)                              # … each with the next position
    page = events_after(store, 0, limit=100, kinds={"CaseAccepted"}, matter="start_a_business")
    page[0].position, page[0].case_id, page[0].type     # 1, "C-…", "CaseAccepted"

Positions are gapless per store: a transaction that writes events takes them from the one row
of ``outbox_counter`` (``UPDATE … SET position = position + n RETURNING position``), which stays
locked until the transaction ends. A rolled-back transaction gives its positions back with the
rollback; a committed one leaves them taken. Two writers of events therefore queue on that row
for the rest of the shorter transaction: the price of a feed a subscriber can trust to have no
holes (a sequence is not gapless: a value taken by a transaction that rolls back is lost, and
values commit out of order). The cost is measured in docs/performance.md ("The outbox").

A reader never sees a position whose transaction has not committed, and never sees a position
before a smaller one commits: with the row lock, positions commit in order.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import attrs
from sqlalchemy import Connection, and_, bindparam, exists, false, literal_column, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.store._fast.compiled import Prepared
from oneservice.store.tables import (
    agent_authorisations,
    cases,
    events,
    item_tasks,
    outbox_counter,
    outbox_cursors,
    request_events,
    requests,
)

__all__ = [
    "EVENT_SCHEMA",
    "FeedEvent",
    "FeedScope",
    "Signal",
    "claim_positions",
    "cursor",
    "ensure_cursor",
    "events_after",
    "last_position",
    "move_cursor",
]

EVENT_SCHEMA = "oneservice.event/1"
"""The schema every feed event names (``schema``); a change that removes or renames a field
raises the number (docs/events.md)."""

_TAKE = Prepared(
    update(outbox_counter)
    .where(outbox_counter.c.id == literal_column("1"))
    .values(position=outbox_counter.c.position + bindparam("n", type_=outbox_counter.c.position.type))
    .returning(outbox_counter.c.position)
)

def claim_positions(conn: Connection, n: int) -> int:
    """The first of ``n`` consecutive positions for events written in this transaction.

    Locks the counter row until the transaction ends. A database whose counter row is missing
    (emptied tables) starts again after the highest position its events hold.
    """
    last = _TAKE.on(conn.dialect).execute(conn, {"n": n}).scalar()
    if last is None:
        highest = conn.execute(select(events.c.position).order_by(events.c.position.desc()).limit(1))
        start = highest.scalar() or 0
        conn.execute(outbox_counter.insert(), {"id": 1, "position": start + n})
        last = start + n
    return int(last) - n + 1


def last_position(conn: Connection) -> int:
    """The highest committed position (0: no event yet)."""
    found = conn.execute(select(outbox_counter.c.position).where(outbox_counter.c.id == 1)).scalar()
    return int(found or 0)


@attrs.frozen
class FeedEvent:
    """One event as the feed gives it: where it stands, its case and what happened.

    ``department`` is the department of the item the event concerns (``data["item"]``), or
    ``None`` for an event of the whole case. An event of a 12345 request has ``request_id`` (and
    its id is ``request_id/seq``), the department it names, ``case_id`` the case it is about (or
    ``""``), ``matter_id`` ``""`` and ``location`` the window it was taken in at (or ``""``).
    """

    position: int
    case_id: str
    seq: int
    type: str
    at: dt.datetime
    actor: str
    state: str
    public: bool
    data: Mapping[str, Any]
    matter_id: str
    location: str
    department: str | None
    schema: str = EVENT_SCHEMA
    request_id: str | None = None

    @property
    def id(self) -> str:
        """A stable id a consumer de-duplicates by: ``case_id/seq`` (``request_id/seq``)."""
        return f"{self.request_id or self.case_id}/{self.seq}"

    @property
    def routing_key(self) -> str:
        """``kind.matter.department`` (``-`` for no department; ``request`` for the matter of a
        request's event), for a message broker."""
        return f"{self.type}.{self.matter_id or 'request'}.{self.department or '-'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "id": self.id,
            "position": self.position,
            "case_id": self.case_id,
            "seq": self.seq,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "state": self.state,
            "public": self.public,
            "matter_id": self.matter_id,
            "location": self.location,
            "department": self.department,
            "data": dict(self.data),
        } | ({"request_id": self.request_id} if self.request_id is not None else {})


@attrs.frozen
class FeedScope:
    """Which cases' events a reader may see.

    ``applicant``/``agent``: only cases of that applicant / run by that agent **and** covered by
    an authorisation (委托书) of the applicant in force at ``agent_at``. ``locations`` and
    ``departments`` (``None``: not limited): a case taken in at one of the locations **or** with
    an item of one of the departments. ``public_only``: only events shown in progress views.
    """

    applicant: str | None = None
    agent: str | None = None
    agent_at: dt.datetime | None = None  # the agent's authorisations (委托书) must be in force then
    locations: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    public_only: bool = False
    requests_of: str | None = None  # only events of the 12345 requests this actor took in (no case's)

    @property
    def nothing(self) -> bool:
        """Whether the scope admits no case at all."""
        return self.locations is not None and self.departments is not None and not (
            self.locations or self.departments
        )


def _has_department(departments: Collection[str]) -> Any:
    return exists().where(
        and_(item_tasks.c.case_id == events.c.case_id, item_tasks.c.department.in_(sorted(departments)))
    )


def events_after(
    conn_or_store: Any,
    after: int,
    *,
    limit: int = 100,
    kinds: Iterable[str] | None = None,
    matter: str | None = None,
    department: str | None = None,
    location: str | None = None,
    scope: FeedScope | None = None,
) -> list[FeedEvent]:
    """Up to ``limit`` events with a position above ``after``, in position order.

    Filters: ``kinds`` (event types), ``matter``, ``department`` (a case with an item of that
    department), ``location`` (the case's service location); ``scope`` limits to what a reader
    may see. ``conn_or_store``: a :class:`~oneservice.store.Store` (one read-only transaction)
    or a connection.
    """
    if isinstance(conn_or_store, Connection):
        return _events_after(conn_or_store, after, limit, kinds, matter, department, location, scope)
    with conn_or_store.transaction(readonly=True) as tx:
        return _events_after(tx.connection, after, limit, kinds, matter, department, location, scope)


def _events_after(
    conn: Connection,
    after: int,
    limit: int,
    kinds: Iterable[str] | None,
    matter: str | None,
    department: str | None,
    location: str | None,
    scope: FeedScope | None,
) -> list[FeedEvent]:
    query = (
        select(events, cases.c.matter_id, cases.c.location.label("case_location"))
        .join(cases, cases.c.id == events.c.case_id)
        .where(events.c.position > after)
        .order_by(events.c.position)
        .limit(limit)
    )
    if kinds is not None:
        query = query.where(events.c.type.in_(sorted(set(kinds))))
    if matter is not None:
        query = query.where(cases.c.matter_id == matter)
    if location is not None:
        query = query.where(cases.c.location == location)
    if department is not None:
        query = query.where(_has_department((department,)))
    if scope is not None:
        if scope.nothing:
            return []
        if scope.applicant is not None:
            query = query.where(cases.c.applicant_id == scope.applicant)
        if scope.agent is not None:
            a = agent_authorisations.c
            now = scope.agent_at or dt.datetime.now(dt.UTC)
            authorised = exists().where(
                a.applicant_id == cases.c.applicant_id, a.agent_id == scope.agent, a.revoked_at.is_(None),
                or_(a.matter_id.is_(None), a.matter_id == cases.c.matter_id),
                or_(a.expires_at.is_(None), a.expires_at > now),
            )
            query = query.where(cases.c.agent == scope.agent, authorised)
        if scope.public_only:
            query = query.where(events.c.public == true())
        places = []
        if scope.locations is not None:
            places.append(cases.c.location.in_(sorted(scope.locations)) if scope.locations else false())
        if scope.departments is not None:
            places.append(_has_department(scope.departments) if scope.departments else false())
        if places:
            query = query.where(or_(*places))
    rows = [] if scope is not None and scope.requests_of is not None else conn.execute(query).mappings().all()
    asked = _request_events_after(conn, after, limit, kinds, matter, department, location, scope)
    if not rows:
        return asked
    ids = sorted({r["case_id"] for r in rows})
    departments = {
        (t.case_id, t.item_code): t.department
        for t in conn.execute(
            select(item_tasks.c.case_id, item_tasks.c.item_code, item_tasks.c.department).where(
                item_tasks.c.case_id.in_(ids)
            )
        )
    }
    found = []
    for r in rows:
        data = r["data"] or {}
        item = data.get("item") if isinstance(data, dict) else None
        found.append(
            FeedEvent(
                position=int(r["position"]),
                case_id=r["case_id"],
                seq=r["seq"],
                type=r["type"],
                at=r["at"],
                actor=r["actor"],
                state=r["state"],
                public=bool(r["public"]),
                data=data,
                matter_id=r["matter_id"],
                location=r["case_location"],
                department=departments.get((r["case_id"], item)) if isinstance(item, str) else None,
            )
        )
    return sorted(found + asked, key=lambda e: e.position)[:limit] if asked else found


def _request_events_after(
    conn: Connection, after: int, limit: int, kinds: Iterable[str] | None, matter: str | None,
    department: str | None, location: str | None, scope: FeedScope | None,
) -> list[FeedEvent]:
    """The events of 12345 requests among the next ``limit`` positions (same filters; a request
    belongs to no matter, applicant or agent scope: those see none). A reader of public events
    only gets what the requester reads: the public ``note`` in ``data``, a return without its
    (internal) reason."""
    e, r = request_events.c, requests.c
    if matter is not None or (scope is not None and (scope.nothing or scope.applicant is not None
                                                      or scope.agent is not None)):
        return []
    query = (select(request_events, r.location, r.case_id)
             .join(requests, r.id == e.request_id).where(e.position > after)
             .order_by(e.position).limit(limit))
    if kinds is not None:
        query = query.where(e.type.in_(sorted(set(kinds))))
    if location is not None:
        query = query.where(r.location == location)
    if department is not None:
        query = query.where(e.department == department)
    if scope is not None:
        if scope.public_only:
            query = query.where(e.public == true())
        if scope.requests_of is not None:  # who took it in: the actor of its first event (RequestReceived)
            received = request_events.alias("received")
            query = query.where(exists().where(received.c.request_id == e.request_id, received.c.seq == 1,
                                               received.c.actor == scope.requests_of))
        places = []
        if scope.locations is not None:
            places.append(r.location.in_(sorted(scope.locations)) if scope.locations else false())
        if scope.departments is not None:
            places.append(e.department.in_(sorted(scope.departments)) if scope.departments else false())
        if places:
            query = query.where(or_(*places))
    public = scope is not None and scope.public_only

    def data(x: Any) -> dict[str, Any]:
        given = dict(x["data"] or {})
        return {k: v for k, v in given.items() if k != "reason"} | {"note": x["note"]} if public else given

    return [FeedEvent(position=int(x["position"]), case_id=x["case_id"] or "", seq=x["seq"], type=x["type"],
                      at=x["at"], actor=x["actor"], state=x["state"], public=bool(x["public"]),
                      data=data(x), matter_id="", location=x["location"] or "",
                      department=x["department"], request_id=x["request_id"])
            for x in conn.execute(query).mappings()]


class Signal:
    """A generation count, raised after each commit that wrote events, that a reader can wait on.

    ``seen = signal.generation`` before reading; ``signal.wait(seen, timeout)`` returns at once
    if a commit came since (no notice is lost between the read and the wait), else when one
    comes or ``timeout`` seconds pass. Only commits of this process are seen; a reader also
    polls the database (another process's commits).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.generation = 0

    def notify(self) -> None:
        with self._cond:
            self.generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """Whether a commit came after generation ``seen`` (within ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self.generation == seen:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True


# ------------------------------------------------------------------------------ relay cursors


def cursor(conn: Connection, name: str, *, lock: bool = False) -> int | None:
    """How far relay ``name`` has delivered (``None``: it has no cursor yet).

    ``lock=True`` on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` — ``None`` too when another relay
    holds the cursor, so two relays never deliver the same positions concurrently.
    """
    query = select(outbox_cursors.c.position).where(outbox_cursors.c.name == name)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def ensure_cursor(conn: Connection, name: str, position: int, at: dt.datetime) -> None:
    """Create relay ``name``'s cursor at ``position`` unless it exists (a concurrent creation wins)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(outbox_cursors).on_conflict_do_nothing(index_elements=["name"]),
        {"name": name, "position": position, "updated_at": at},
    )


def move_cursor(conn: Connection, name: str, position: int, at: dt.datetime) -> None:
    """Record that relay ``name`` delivered everything up to ``position`` (creating its cursor)."""
    done = conn.execute(
        update(outbox_cursors).where(outbox_cursors.c.name == name).values(position=position, updated_at=at)
    )
    if done.rowcount == 0:
        conn.execute(outbox_cursors.insert(), {"name": name, "position": position, "updated_at": at})
