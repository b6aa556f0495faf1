"""12345 requests in the database (SQLite and PostgreSQL): saved with their events, versioned,
and in the same outbox as case events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact, RequestState
from oneservice.engine.calendar import WorkCalendar
from oneservice.engine.clock import TZ
from oneservice.engine.requests import RequestEngine
from oneservice.errors import RequestConflict, RequestNotFound
from oneservice.store import Store
from oneservice.store.outbox import FeedScope, events_after, last_position
from oneservice.store.requests import department_requests, load_request, request_event_rows, save_request

CLERK = Actor(Role.CLERK, "op-1")
XH = Actor(Role.REVIEWER, "h-xh", department="xh-cgj")
MON = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)


def taken_in(catalogue: Any, request_id: str = "R1") -> Any:
    engine = RequestEngine(catalogue, WorkCalendar.default())
    request = engine.take_in(CLERK, request_id, MON, kind="complaint", channel="window", category="noise-nuisance",
                             contact=Contact("张三", "13800001234"), content="夜间施工",
                             location="hz-citizen-centre", regions={"incident_region": "330106"})
    return engine, request


def test_saved_loaded_and_versioned(store: Store, catalogue: Any) -> None:
    engine, request = taken_in(catalogue)
    engine.dispatch(request, CLERK, MON)
    with store.transaction() as tx:
        save_request(tx, request)
    assert (request.version, request.event_count, request.new_events) == (1, 2, [])
    with store.transaction(readonly=True) as tx:
        again = load_request(tx, "R1")
        events = request_event_rows(tx.connection, "R1")
    assert again.state is RequestState.DISPATCHED
    assert (again.contact.phone, again.regions, again.department) == ("13800001234", {"incident_region": "330106"},
                                                                     "xh-cgj")
    assert again.acknowledge_due == request.acknowledge_due and again.acknowledge_due.tzinfo is not None
    assert [e.type for e in events] == ["RequestReceived", "RequestDispatched"]
    stale = load_request_copy(store)
    engine.acknowledge(again, XH, MON)
    with store.transaction() as tx:
        save_request(tx, again)
    engine.answer(stale, XH, MON, "已处理")
    with pytest.raises(RequestConflict), store.transaction() as tx:
        save_request(tx, stale)
    with store.transaction(readonly=True) as tx:
        kept = load_request(tx, "R1")
        assert [e.seq for e in request_event_rows(tx.connection, "R1")] == [1, 2, 3]
    assert (kept.state, kept.version) == (RequestState.ACKNOWLEDGED, 2)
    with pytest.raises(RequestNotFound), store.transaction(readonly=True) as tx:
        load_request(tx, "R404")


def load_request_copy(store: Store) -> Any:
    with store.transaction(readonly=True) as tx:
        return load_request(tx, "R1")


def test_events_in_the_case_outbox(store: Store, catalogue: Any) -> None:
    before = _last(store)
    engine, request = taken_in(catalogue)
    engine.dispatch(request, CLERK, MON)
    with store.transaction() as tx:
        save_request(tx, request)
    page = events_after(store, before)
    assert [(e.position, e.type, e.request_id, e.department) for e in page] == [
        (before + 1, "RequestReceived", "R1", "xh-cgj"), (before + 2, "RequestDispatched", "R1", "xh-cgj")]
    assert page[0].id == "R1/1" and page[1].routing_key == "RequestDispatched.request.xh-cgj"
    assert page[0].to_json()["request_id"] == "R1"
    assert events_after(store, before, kinds={"RequestDispatched"})[0].seq == 2
    assert events_after(store, before, matter="start-a-business") == []
    assert events_after(store, before, scope=FeedScope(applicant="330102199001011234")) == []
    assert len(events_after(store, before, scope=FeedScope(departments=frozenset({"xh-cgj"})))) == 2
    assert events_after(store, before, scope=FeedScope(departments=frozenset({"sc-cgj"}))) == []
    assert len(events_after(store, before, location="hz-citizen-centre")) == 2
    assert len(events_after(store, before, limit=1)) == 1


def _last(store: Store) -> int:
    with store.transaction(readonly=True) as tx:
        return last_position(tx.connection)


def test_department_list(store: Store, catalogue: Any) -> None:
    for n in range(3):
        engine, request = taken_in(catalogue, f"R{n}")
        if n < 2:
            engine.dispatch(request, CLERK, MON + dt.timedelta(days=2 - n))
        with store.transaction() as tx:
            save_request(tx, request)
    with store.transaction(readonly=True) as tx:
        page = department_requests(tx.connection, "xh-cgj")
        assert [r.id for r in page.items] == ["R1", "R0"] and page.total == 2
        assert [r.id for r in department_requests(tx.connection, "xh-cgj", offset=1, limit=1).items] == ["R0"]
        assert department_requests(tx.connection, "sc-cgj").total == 0


def test_events_carry_the_requests_grouping_columns(store: Store, catalogue: Any) -> None:
    """Each event row holds its request's category, area and competent department (migration
    0018), what the figures group by without a join."""
    from sqlalchemy import select

    from oneservice.store.tables import request_events

    engine, request = taken_in(catalogue)
    engine.dispatch(request, CLERK, MON)
    with store.transaction() as tx:
        save_request(tx, request)
    with store.transaction(readonly=True) as tx:
        rows = tx.connection.execute(select(request_events.c.category, request_events.c.area,
                                            request_events.c.competent)).all()
    assert [tuple(r) for r in rows] == [("noise-nuisance", "330106", "xh-cgj")] * 2


def test_the_month_is_shanghais(store: Store, catalogue: Any) -> None:
    """A callback at 01:30 on 1 December in Asia/Shanghai (17:30 UTC on 30 November) counts in
    2026-12, the answer at 23:30 on 30 November in 2026-11 (SQLite groups by the UTC hour)."""
    from oneservice.store.request_figures import request_figures

    engine, request = taken_in(catalogue)
    engine.dispatch(request, CLERK, MON)
    engine.answer(request, XH, dt.datetime(2026, 11, 30, 23, 30, tzinfo=TZ), "已处理")
    engine.call_back(request, CLERK, dt.datetime(2026, 12, 1, 1, 30, tzinfo=TZ), resolved=True,
                     satisfaction="satisfied")
    with store.transaction() as tx:
        save_request(tx, request)
    with store.transaction(readonly=True) as tx:
        by_month = request_figures(tx.connection, by="month")
    assert sorted(by_month) == ["2026-11", "2026-12"]
    november, december = by_month["2026-11"], by_month["2026-12"]
    assert (november.dispatched, november.answered, november.called_back, november.callbacks) == (1, 1, 0, 0)
    assert (december.answered, december.called_back, december.callbacks, december.resolved) == (0, 1, 1, 1)
