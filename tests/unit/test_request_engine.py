"""The rules of 12345 requests without a database: the loop, its deadlines and every bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact, Request, RequestState
from oneservice.engine.calendar import WorkCalendar
from oneservice.engine.clock import TZ
from oneservice.engine.request_clock import add_working_hours, due_after, working_hours_between
from oneservice.engine.requests import RequestEngine
from oneservice.errors import (
    OneServiceError,
    RequestIllegalAction,
    RequestInputError,
    RequestNotAuthorised,
    RequestReopenLimit,
    RequestReturnLimit,
    RequestRoutingError,
    RequestWrongDepartment,
    UnknownRequestCategory,
)

CLERK = Actor(Role.CLERK, "op-1")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
XH = Actor(Role.REVIEWER, "h-xh", department="xh-cgj")
SC = Actor(Role.REVIEWER, "h-sc", department="sc-cgj")
MON = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)  # a Monday
CALENDAR = WorkCalendar.default()
CONTACT = Contact("张三", "13800001234")


@pytest.fixture
def engine(catalogue: Any) -> RequestEngine:
    return RequestEngine(catalogue, CALENDAR)


def noise(engine: RequestEngine, **kw: Any) -> Request:
    args: dict[str, Any] = {"kind": "complaint", "channel": "hotline", "category": "noise-nuisance",
                            "contact": CONTACT, "content": "工地夜间施工噪声",
                            "regions": {"incident_region": "330106"}}
    args.update(kw)
    return engine.take_in(CLERK, "R1", MON, **args)


class TestClock:
    def test_working_hours_skip_the_night_and_the_weekend(self) -> None:
        friday = dt.datetime(2026, 11, 6, 16, 30, tzinfo=TZ)
        assert add_working_hours(CALENDAR, friday, 2).at == dt.datetime(2026, 11, 9, 10, 30, tzinfo=TZ)
        early = dt.datetime(2026, 11, 2, 7, 0, tzinfo=TZ)
        assert add_working_hours(CALENDAR, early, 8).at == dt.datetime(2026, 11, 2, 17, 0, tzinfo=TZ)
        assert working_hours_between(CALENDAR, friday, dt.datetime(2026, 11, 9, 10, 30, tzinfo=TZ)) == 2

    def test_national_day_is_no_working_day(self, engine: RequestEngine) -> None:
        """国庆节 2026: 1–3 October are holidays; 5 working days from 30 September end on 9 October."""
        limit = engine.catalogue.request_category("noise-nuisance").limits
        start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
        due = due_after(CALENDAR, start, next(iter(limit.values())).answer)
        assert due.at.date() > dt.date(2026, 10, 7)
        assert not due.provisional


class TestLoop:
    def test_received_dispatched_returned_redispatched_answered_reopened_closed(self, engine: RequestEngine) -> None:
        r = noise(engine)
        assert (r.state, r.competent, r.area) == (RequestState.RECEIVED, "xh-cgj", "330106")
        engine.dispatch(r, CLERK, MON)
        assert r.department == "xh-cgj"
        assert r.acknowledge_due == dt.datetime(2026, 11, 3, 17, 0, tzinfo=TZ)
        assert r.answer_due == dt.datetime(2026, 11, 9, 17, 0, tzinfo=TZ)
        engine.return_request(r, XH, MON + dt.timedelta(hours=1), "工地在上城区")
        assert (r.state, r.department, r.returns) == (RequestState.RETURNED, None, {"xh-cgj": 1})
        engine.dispatch(r, CLERK, MON + dt.timedelta(hours=2), department="sc-cgj")
        engine.acknowledge(r, SC, MON + dt.timedelta(hours=3))
        late = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ)
        assert engine.colour(r, late) == "red"
        engine.answer(r, SC, late, "已责令停工整改", "已现场处理")
        engine.call_back(r, CLERK, late, resolved=False, satisfaction="dissatisfied", note="夜间仍有施工")
        assert (r.state, r.department, r.reopens) == (RequestState.DISPATCHED, "sc-cgj", 1)  # reopened by itself
        assert (r.answered_at, r.acknowledged_at, r.dispatched_at) == (None, None, late)
        assert r.answer_due == dt.datetime(2026, 11, 17, 17, 0, tzinfo=TZ)  # fresh: 5 working days after late
        reopened = r.new_events[-1]
        assert (reopened.type, reopened.public, reopened.department, reopened.note) == (
            "RequestReopened", True, "sc-cgj", "夜间仍有施工")
        assert reopened.data["ordered"] is False and reopened.data["reopens"] == 1
        engine.answer(r, SC, late + dt.timedelta(hours=1), "已查处并罚款")
        engine.call_back(r, CLERK, late + dt.timedelta(hours=2), resolved=True, satisfaction="basically_satisfied")
        assert r.state is RequestState.CLOSED
        types = [e.type for e in r.new_events]
        assert types == ["RequestReceived", "RequestDispatched", "RequestReturned", "RequestDispatched",
                         "RequestAcknowledged", "RequestAnswered", "RequestCalledBack", "RequestReopened",
                         "RequestAcknowledged", "RequestAnswered", "RequestCalledBack", "RequestClosed"]
        answered = [e for e in r.new_events if e.type == "RequestAnswered"]
        assert [e.on_time for e in answered] == [False, True]
        assert [e.seq for e in r.new_events] == list(range(1, 13))

    def test_urgent_limits_in_working_hours(self, engine: RequestEngine) -> None:
        r = noise(engine, urgency="urgent")
        engine.dispatch(r, CLERK, MON)
        assert r.acknowledge_due == MON + dt.timedelta(hours=2)
        assert engine.colour(r, MON + dt.timedelta(minutes=30)) == "green"
        assert engine.colour(r, MON + dt.timedelta(hours=1, minutes=30)) == "yellow"
        assert engine.colour(r, MON + dt.timedelta(hours=3)) == "red"


def refused(error: type[OneServiceError], call: Any, *args: Any, **kw: Any) -> OneServiceError:
    with pytest.raises(error) as info:
        call(*args, **kw)
    return info.value


class TestBadInput:
    def test_intake(self, engine: RequestEngine) -> None:
        err = refused(RequestInputError, noise, engine, category=None)
        assert "request (not taken in): category: a request needs a category" in str(err)
        err = refused(UnknownRequestCategory, noise, engine, category="noise-nuisanse")
        assert "'noise-nuisance'" in str(err) and err.code == "OS763"
        assert refused(RequestInputError, noise, engine, contact=None).field == "contact"  # type: ignore[attr-defined]
        assert refused(RequestInputError, noise, engine, contact=Contact("张三", "")).code == "OS762"
        assert refused(RequestInputError, noise, engine, kind="consultation").field == "kind"  # type: ignore[attr-defined]
        assert refused(RequestRoutingError, noise, engine, regions={}).code == "OS769"
        assert refused(RequestRoutingError, noise, engine, regions={"incident_region": "330100"}).code == "OS769"
        assert refused(RequestNotAuthorised, engine.take_in, XH, "R2", MON, kind="help", channel="hotline",
                       category="social-insurance", contact=CONTACT, content="x").code == "OS767"

    def test_return_without_reason_and_beyond_policy(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        err = refused(RequestInputError, engine.return_request, r, XH, MON, "  ")
        assert "request R1 (state dispatched): reason:" in str(err)
        engine.return_request(r, XH, MON, "不属本区")
        engine.dispatch(r, CLERK, MON, department="xh-cgj")
        err = refused(RequestReturnLimit, engine.return_request, r, XH, MON, "仍不属本区")
        assert "request R1 (state dispatched)" in str(err) and err.code == "OS764"
        assert r.state is RequestState.DISPATCHED and r.returns == {"xh-cgj": 1}

    def test_answer_by_another_department(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        err = refused(RequestWrongDepartment, engine.answer, r, SC, MON, "已处理")
        assert "request R1 (state dispatched)" in str(err) and "xh-cgj" in str(err)
        assert r.answered_at is None and len(r.new_events) == 2

    def test_callback_before_answer(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        err = refused(RequestIllegalAction, engine.call_back, r, CLERK, MON, resolved=True, satisfaction="satisfied")
        assert "request R1 (state dispatched): action 'call_back' is not allowed now" in str(err)
        assert err.allowed == []  # type: ignore[attr-defined]  # a clerk has nothing to do on it now

    def test_reopens_used_up_close_it_as_called_back(self, engine: RequestEngine) -> None:
        """Past the policy's request_reopens (1) the callback closes the request with its word."""
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        engine.answer(r, XH, MON, "已处理")
        engine.call_back(r, CLERK, MON, resolved=False, satisfaction="satisfied")
        assert (r.state, r.reopens) == (RequestState.DISPATCHED, 1)
        engine.answer(r, XH, MON, "已再次处理")
        engine.call_back(r, CLERK, MON, resolved=False, satisfaction="satisfied")
        assert (r.state, r.reopens, r.resolved, r.closed_at) == (RequestState.CLOSED, 1, False, MON)
        closed = r.new_events[-1]
        assert (closed.type, closed.data["reopens_used_up"], closed.data["resolved"]) == ("RequestClosed", True,
                                                                                          False)
        assert "the policy's 1 reopen(s) are used up" in closed.note and "重办1次后仍未解决" in closed.note

    @pytest.mark.parametrize(("reopens", "states"), [
        (0, ["closed"]), (2, ["dispatched", "dispatched", "closed"])])
    def test_the_policy_says_how_often(self, engine: RequestEngine, monkeypatch: pytest.MonkeyPatch,
                                       reopens: int, states: list[str]) -> None:
        """request_reopens 0: the first dissatisfied callback closes; 2: it reopens twice."""
        policy = attrs.evolve(engine.catalogue.policy.for_region("330106"), request_reopens=reopens)
        monkeypatch.setattr(engine, "policy", lambda request: policy)
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        seen = []
        for _ in states:
            engine.answer(r, XH, MON, "已处理")
            engine.call_back(r, CLERK, MON, resolved=True, satisfaction="dissatisfied")
            seen.append(str(r.state))
        assert seen == states and r.reopens == reopens

    def test_a_supervisor_orders_a_closed_request_redone(self, engine: RequestEngine) -> None:
        """督办重办: only a supervisor, with a reason, of a request closed unresolved or dissatisfied."""
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        for _ in range(2):
            engine.answer(r, XH, MON, "已处理")
            engine.call_back(r, CLERK, MON, resolved=True, satisfaction="dissatisfied")
        assert r.state is RequestState.CLOSED
        assert refused(RequestNotAuthorised, engine.reopen, r, CLERK, MON, "再办").code == "OS767"
        err = refused(RequestInputError, engine.reopen, r, SUPERVISOR, MON, " ")
        assert "request R1 (state closed): reason:" in str(err)
        engine.reopen(r, SUPERVISOR, MON, "夜间仍有噪声")
        assert (r.state, r.department, r.reopens, r.closed_at) == (RequestState.DISPATCHED, "xh-cgj", 2, None)
        assert r.new_events[-1].data["ordered"] is True
        engine.answer(r, XH, MON, "已撤销夜间施工许可")
        engine.call_back(r, CLERK, MON, resolved=True, satisfaction="satisfied")
        err = refused(RequestReopenLimit, engine.reopen, r, SUPERVISOR, MON, "再办")
        assert "request R1 (state closed): the callback found it resolved and the requester content" in str(err)
        assert r.reopens == 2

    def test_reopen_only_of_a_closed_request(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        err = refused(RequestIllegalAction, engine.reopen, r, SUPERVISOR, MON, "再办")
        assert "request R1 (state dispatched): action 'reopen' is not allowed now" in str(err)

    def test_bad_satisfaction_changes_nothing(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        engine.answer(r, XH, MON, "已处理")
        err = refused(RequestInputError, engine.call_back, r, CLERK, MON, resolved=True, satisfaction="happy")
        assert err.field == "satisfaction"  # type: ignore[attr-defined]
        assert r.state is RequestState.ANSWERED and r.called_back_at is None

    def test_escalate_only_what_is_due(self, engine: RequestEngine) -> None:
        r = noise(engine)
        engine.dispatch(r, CLERK, MON)
        refused(RequestInputError, engine.escalate, r, SUPERVISOR, MON, "请加快")
        refused(RequestNotAuthorised, engine.escalate, r, CLERK, MON, "请加快")
        engine.escalate(r, SUPERVISOR, dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ), "已超签收时限")
        assert r.escalated_at is not None and not r.new_events[-1].public


def test_complaint_about_a_case_goes_to_its_department(engine: RequestEngine, catalogue: Any) -> None:
    """The engine reads a case's id and tasks only: a stand-in case will do."""
    from types import SimpleNamespace

    task = SimpleNamespace(department="sc-amr")
    fake = SimpleNamespace(id="20261102-abc", tasks={"330102-SCJG-QYSLDJ": task})
    r = engine.take_in(CLERK, "R3", MON, kind="complaint", channel="online", category="government-service",
                       contact=CONTACT, content="窗口推诿", case=fake)  # type: ignore[arg-type]
    assert (r.competent, r.case_id, r.item) == ("sc-amr", "20261102-abc", "330102-SCJG-QYSLDJ")
    two = SimpleNamespace(id="C2", tasks={"A": task, "B": task})
    err = refused(RequestInputError, engine.take_in, CLERK, "R4", MON, kind="complaint", channel="online",
                  category="government-service", contact=CONTACT, content="x", case=two)
    assert err.field == "item"  # type: ignore[attr-defined]
