"""The supervision scan over 12345 requests (SQLite and PostgreSQL), on the simulated clock: a
yellow and a red warning per deadline (acknowledgement, answer) and dispatch, each recorded once;
a re-dispatch watched afresh; an overdue request escalated (督办)."""

from __future__ import annotations

import datetime as dt

import pytest

from oneservice import OneService
from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact
from oneservice.engine.clock import TZ, SimulatedClock
from oneservice.errors import InvalidInput
from oneservice.supervision import Supervision

CLERK = Actor(Role.CLERK, "op-1", location="hz-citizen-centre")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
HRSS = Actor(Role.REVIEWER, "h-rs", department="hz-hrss")


def at(clock: SimulatedClock, day: int, hour: int, minute: int = 0) -> None:
    clock.set(dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ))


def dispatched(service: OneService) -> str:
    """A help request on social insurance (to hz-hrss: acknowledge in 1 working day, answer in 5)."""
    view = service.take_in_request(CLERK, kind="help", channel="hotline", category="social-insurance",
                                   contact=Contact("李四", "13900001111"), content="社保断缴")
    service.dispatch_request(CLERK, view.request.id)
    return view.request.id


def levels(supervision: Supervision, request_id: str) -> list[tuple[str, str]]:
    return [(w["kind"], w["level"]) for w in supervision.request_warnings(request_id)]


def test_yellow_then_red_once_each_and_escalation(service: OneService, clock: SimulatedClock) -> None:
    supervision = Supervision(service)
    at(clock, 2, 9)  # Monday: acknowledgement due Tue 17:00, answer Mon 9 Nov 17:00
    rid = dispatched(service)
    assert service.get_request(CLERK, rid).request.acknowledge_due == dt.datetime(2026, 11, 3, 17, 0, tzinfo=TZ)
    assert (supervision.scan().request_yellow, levels(supervision, rid)) == (0, [])
    at(clock, 3, 15, 30)  # 1.5 working hours left of 8: yellow
    first = supervision.scan()
    assert (first.request_yellow, first.request_red) == (1, 0)
    assert levels(supervision, rid) == [("request_acknowledge", "yellow")]
    assert supervision.scan().request_yellow == 0  # once
    at(clock, 4, 9)
    assert supervision.scan().request_red == 1
    assert levels(supervision, rid)[-1] == ("request_acknowledge", "red")
    red = supervision.request_warning_list(level="red")
    assert [(w["request_id"], w["department"], w["category"]) for w in red.items] == [
        (rid, "hz-hrss", "social-insurance")]
    at(clock, 4, 10)
    service.acknowledge_request(HRSS, rid)
    assert supervision.request_warning_list(level="red").total == 0  # met (late)
    assert supervision.request_warning_list(level="red", open_only=False).total == 1
    assert supervision.scan().request_red == 0
    at(clock, 9, 10)  # 7 working hours of 40 left: the answer turns yellow
    assert (supervision.scan().request_yellow, levels(supervision, rid)[-1]) == (1, ("request_answer", "yellow"))
    at(clock, 10, 9)
    assert supervision.scan().request_red == 1
    overdue = supervision.request_warning_list(level="red", kind="request_answer")
    assert [w["request_id"] for w in overdue.items] == [rid] and overdue.items[0]["escalated_at"] is None
    service.escalate_request(SUPERVISOR, rid, note="答复已超时，请今日办结")
    assert supervision.request_warning_list(level="red").items[0]["escalated_at"] == clock.now()
    service.answer_request(HRSS, rid, result="已补缴")
    assert supervision.request_warning_list().total == 0
    assert supervision.scan().request_red == 0


def test_a_redispatch_is_watched_afresh(service: OneService, clock: SimulatedClock) -> None:
    supervision = Supervision(service)
    at(clock, 2, 9)
    rid = dispatched(service)
    at(clock, 4, 9)
    assert supervision.scan().request_red == 1
    service.return_request(HRSS, rid, reason="应由医保局办理")
    assert supervision.scan().request_red == 0  # returned: nothing of it is due
    at(clock, 4, 10)
    service.dispatch_request(CLERK, rid, department="hz-hsa")
    assert supervision.request_warning_list().total == 0  # the old dispatch's warning is not open
    at(clock, 6, 9)
    assert supervision.scan().request_red == 1
    warnings = supervision.request_warnings(rid)
    assert [(w["level"], w["department"]) for w in warnings] == [("red", "hz-hrss"), ("red", "hz-hsa")]
    assert [w["department"] for w in supervision.request_warning_list(department="hz-hsa").items] == ["hz-hsa"]


def test_small_batches_read_every_candidate_once(service: OneService, clock: SimulatedClock) -> None:
    at(clock, 2, 9)
    ids = {dispatched(service) for _ in range(5)}
    at(clock, 3, 15, 30)
    result = Supervision(service).scan(batch=2)
    assert (result.request_yellow, result.request_red) == (5, 0)
    assert {w["request_id"] for w in Supervision(service).request_warning_list(limit=None).items} == ids


def test_bad_filters() -> None:
    supervision = Supervision.__new__(Supervision)
    with pytest.raises(InvalidInput, match="unknown request deadline kind"):
        supervision.request_warning_list(kind="callback")
    with pytest.raises(InvalidInput, match="level"):
        supervision.request_warning_list(level="green")
