"""The 12345 figures by area (SQLite and PostgreSQL), pinned on hand-built requests: a request's
area is the region its category's routing rule read (the requester's area), else the region of
its competent department in the registry."""

from __future__ import annotations

import datetime as dt

from oneservice import OneService
from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact
from oneservice.engine.clock import TZ, SimulatedClock
from oneservice.store.request_figures import request_figures

CLERK = Actor(Role.CLERK, "op-1")
XH = Actor(Role.REVIEWER, "h-xh", department="xh-cgj")
SC = Actor(Role.REVIEWER, "h-sc", department="sc-cgj")
HRSS = Actor(Role.REVIEWER, "h-rs", department="hz-hrss")
JYJ = Actor(Role.REVIEWER, "h-jy", department="sc-jyj")


def at(clock: SimulatedClock, day: int, hour: int) -> None:
    clock.set(dt.datetime(2026, 11, day, hour, 0, tzinfo=TZ))


def take(service: OneService, category: str, kind: str, regions: dict[str, str] | None = None) -> str:
    view = service.take_in_request(CLERK, kind=kind, channel="hotline", category=category,
                                   contact=Contact("王五", "13900001234"), content="诉求内容", regions=regions)
    return view.request.id


def three_areas(service: OneService, clock: SimulatedClock) -> None:
    """A: noise in 西湖区 (330106), returned by xh-cgj, answered by sc-cgj, resolved and satisfied;
    B: social insurance (hz-hrss, region 330100, no routing area), reopened once, then resolved and
    basically satisfied; C: school enrolment in 上城区 (330102), resolved but dissatisfied twice:
    reopened by the first callback, closed by the second (the policy's one reopen used up)."""
    at(clock, 2, 9)
    a = take(service, "noise-nuisance", "complaint", {"incident_region": "330106"})
    b = take(service, "social-insurance", "help")
    c = take(service, "school-enrolment", "consultation", {"residence_region": "330102"})
    for rid in (a, b, c):
        service.dispatch_request(CLERK, rid)
    at(clock, 2, 10)
    service.return_request(XH, a, reason="施工工地在上城区")
    service.dispatch_request(CLERK, a, department="sc-cgj")
    service.answer_request(SC, a, result="已责令停工")
    service.answer_request(HRSS, b, result="已补缴")
    service.answer_request(JYJ, c, result="按学区入学")
    at(clock, 3, 10)
    service.call_back_request(CLERK, a, resolved=True, satisfaction="satisfied")
    service.call_back_request(CLERK, b, resolved=False, satisfaction="dissatisfied")
    service.call_back_request(CLERK, c, resolved=True, satisfaction="dissatisfied")
    at(clock, 4, 10)
    service.answer_request(HRSS, b, result="已到账")
    service.call_back_request(CLERK, b, resolved=True, satisfaction="basically_satisfied")
    service.answer_request(JYJ, c, result="已协调就近入学")
    service.call_back_request(CLERK, c, resolved=True, satisfaction="dissatisfied")


def test_figures_by_area(service: OneService, clock: SimulatedClock) -> None:
    """Each request counts in its area, whichever department answered it."""
    three_areas(service, clock)
    by_area = service.request_figures(by="area")
    assert list(by_area) == ["330100", "330102", "330106"]
    xihu, city, shangcheng = by_area["330106"], by_area["330100"], by_area["330102"]
    assert (xihu.called_back, xihu.resolution_rate, xihu.satisfaction_rate) == (1, 1.0, 1.0)
    assert (xihu.dispatched, xihu.returned, xihu.return_rate) == (2, 1, 0.5)  # xh-cgj's return counts in 西湖区
    assert (city.called_back, city.resolved, city.content) == (1, 1, 1)  # the latest callback
    assert (city.callbacks, city.reopened, city.reopen_rate) == (2, 1, 0.5)
    assert (city.answered, city.dispatched, city.return_rate) == (2, 1, 0.0)
    assert (shangcheng.resolution_rate, shangcheng.satisfaction_rate, shangcheng.reopen_rate) == (1.0, 0.0, 0.5)
    whole = service.request_figures()["all"]
    assert (whole.called_back, whole.dispatched, whole.callbacks) == (
        sum(g.called_back for g in by_area.values()), sum(g.dispatched for g in by_area.values()),
        sum(g.callbacks for g in by_area.values()))


def test_without_the_registry_only_routed_requests_have_an_area(service: OneService,
                                                                clock: SimulatedClock) -> None:
    """The store alone knows only the routing area: the request of a category with one department
    is left out of the grouping, not put in a wrong area."""
    three_areas(service, clock)
    with service.store.transaction(readonly=True) as tx:
        by_area = request_figures(tx.connection, by="area")
    assert list(by_area) == ["330102", "330106"]
    assert by_area["330106"].return_rate == 0.5
