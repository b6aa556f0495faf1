"""The 12345 platform's lists of requests (to dispatch, returned, to call back): every department's,
oldest first, for the platform's roles only (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from oneservice import OneService
from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact, RequestState
from oneservice.engine.clock import TZ, SimulatedClock
from oneservice.errors import InvalidInput, RequestNotAuthorised

CLERK = Actor(Role.CLERK, "op-1")
HRSS = Actor(Role.REVIEWER, "h-rs", department="hz-hrss")


def test_the_platform_lists_requests_by_state(service: OneService, clock: SimulatedClock) -> None:
    clock.set(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    ids = []
    for n in range(3):  # a minute apart: the lists are oldest first (ids are random)
        ids.append(service.take_in_request(CLERK, kind="help", channel="hotline", category="social-insurance",
                                           contact=Contact("王五", "13900001111"), content=f"诉求 {n}").request.id)
        clock.advance(dt.timedelta(minutes=1))
    service.dispatch_request(CLERK, ids[1])
    service.return_request(HRSS, ids[1], reason="不属本部门")
    service.dispatch_request(CLERK, ids[2])
    to_dispatch = service.platform_requests(CLERK, frozenset({RequestState.RECEIVED, RequestState.RETURNED}))
    assert [v.request.id for v in to_dispatch.items] == ids[:2] and to_dispatch.total == 2
    assert [v.request.state for v in to_dispatch.items] == ["received", "returned"]
    assert to_dispatch.items[0].contact.phone == "13900001111"  # the platform handles it: whole
    page = service.platform_requests(CLERK, frozenset({RequestState.RECEIVED, RequestState.RETURNED}),
                                     offset=1, limit=1)
    assert [v.request.id for v in page.items] == [ids[1]] and page.total == 2
    with pytest.raises(RequestNotAuthorised):
        service.platform_requests(HRSS, frozenset({RequestState.RECEIVED}))
    with pytest.raises(InvalidInput):
        service.platform_requests(CLERK, frozenset())
