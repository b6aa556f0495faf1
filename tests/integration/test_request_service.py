"""12345 requests through OneService (SQLite and PostgreSQL): the loop, the requester's progress,
a department's list, and the figures pinned on hand-built requests."""

from __future__ import annotations

import datetime as dt

import pytest

from oneservice import OneService
from oneservice.domain.case import Actor, Role
from oneservice.domain.requests import Contact
from oneservice.engine.clock import TZ, SimulatedClock
from oneservice.errors import (
    RequestConflict,
    RequestIllegalAction,
    RequestInputError,
    RequestNotAuthorised,
    RequestWrongDepartment,
)

CLERK = Actor(Role.CLERK, "op-1")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
XH = Actor(Role.REVIEWER, "h-xh", department="xh-cgj")
SC = Actor(Role.REVIEWER, "h-sc", department="sc-cgj")
HRSS = Actor(Role.REVIEWER, "h-rs", department="hz-hrss")
JYJ = Actor(Role.REVIEWER, "h-jy", department="sc-jyj")
CONTACT = Contact("张三", "13800001234")


def at(clock: SimulatedClock, day: int, hour: int) -> None:
    clock.set(dt.datetime(2026, 11, day, hour, 0, tzinfo=TZ))


def take(service: OneService, category: str, **kw: object) -> str:
    view = service.take_in_request(CLERK, kind=str(kw.pop("kind", "complaint")), channel="hotline",
                                   category=category, contact=CONTACT, content="诉求内容", **kw)  # type: ignore[arg-type]
    return view.request.id


def the_loop(service: OneService, clock: SimulatedClock) -> tuple[str, str, str]:
    """Three requests: A returned, re-dispatched, answered late, reopened by a dissatisfied
    callback, resolved; B acknowledged late, basically satisfied; C unresolved but satisfied twice:
    reopened by the first callback, closed by the second (the policy's one reopen used up)."""
    at(clock, 2, 9)
    a = take(service, "noise-nuisance", regions={"incident_region": "330106"})
    b = take(service, "social-insurance", kind="help")
    c = take(service, "school-enrolment", kind="consultation", regions={"residence_region": "330102"})
    for rid in (a, b, c):
        service.dispatch_request(CLERK, rid)
    at(clock, 2, 10)
    service.return_request(XH, a, reason="事发地在上城区")
    at(clock, 2, 11)
    service.dispatch_request(CLERK, a, department="sc-cgj")
    at(clock, 2, 12)
    service.acknowledge_request(SC, a)
    service.answer_request(JYJ, c, result="按学区划分入学", note="已电话答复")
    at(clock, 4, 10)
    service.acknowledge_request(HRSS, b)
    at(clock, 4, 11)
    service.answer_request(HRSS, b, result="已补缴")
    at(clock, 10, 9)
    assert service.get_request(SUPERVISOR, a).colour == "red"
    service.escalate_request(SUPERVISOR, a, note="已超答复时限")
    service.answer_request(SC, a, result="已责令停工", note="已现场处理")
    at(clock, 10, 10)
    service.call_back_request(CLERK, a, resolved=False, satisfaction="dissatisfied", note="夜间仍有施工")
    service.call_back_request(CLERK, b, resolved=True, satisfaction="basically_satisfied")
    service.call_back_request(CLERK, c, resolved=False, satisfaction="satisfied")
    at(clock, 11, 10)
    service.answer_request(SC, a, result="已查处并罚款")
    service.call_back_request(CLERK, a, resolved=True, satisfaction="satisfied")
    service.answer_request(JYJ, c, result="已协调学位")
    service.call_back_request(CLERK, c, resolved=False, satisfaction="satisfied")
    return a, b, c


def test_the_loop_and_the_progress(service: OneService, clock: SimulatedClock) -> None:
    a, b, c = the_loop(service, clock)
    assert [service.get_request(CLERK, r).request.state for r in (a, b, c)] == ["closed"] * 3
    progress = service.request_progress(a)
    assert [n.type for n in progress.nodes] == [
        "RequestReceived", "RequestDispatched", "RequestReturned", "RequestDispatched", "RequestAcknowledged",
        "RequestAnswered", "RequestCalledBack", "RequestReopened", "RequestAcknowledged", "RequestAnswered",
        "RequestCalledBack", "RequestClosed"]
    assert [n.department for n in progress.nodes][:4] == ["xh-cgj", "xh-cgj", "xh-cgj", "sc-cgj"]
    assert progress.nodes[5].note == "已现场处理" and progress.nodes[7].note == "夜间仍有施工"
    assert progress.nodes[3].at == dt.datetime(2026, 11, 2, 11, 0, tzinfo=TZ)
    assert (progress.contact.name, progress.contact.phone) == ("张*", "138****1234")
    assert progress.result == "已查处并罚款"
    assert "事发地在上城区" not in str(progress)  # the return's reason is internal
    events = service.request_events(a)
    assert "RequestEscalated" in [e.type for e in events] and len(events) == len(progress.nodes) + 1
    reopened = events[[e.type for e in events].index("RequestReopened")]
    assert (reopened.actor, reopened.data["ordered"]) == (CLERK.describe(), False)  # the callback's own step
    assert [n.type for n in service.request_progress(c).nodes][-4:] == [
        "RequestAcknowledged", "RequestAnswered", "RequestCalledBack", "RequestClosed"]
    closed = service.request_events(c)[-1]
    assert closed.data["reopens_used_up"] is True and closed.data["resolved"] is False
    assert (service.get_request(CLERK, c).request.reopens, service.get_request(CLERK, a).request.reopens) == (1, 1)


def test_contact_masked_but_for_handlers(service: OneService, clock: SimulatedClock) -> None:
    at(clock, 2, 9)
    a = take(service, "noise-nuisance", regions={"incident_region": "330106"})
    service.dispatch_request(CLERK, a)
    assert service.get_request(XH, a).contact == CONTACT
    service.return_request(XH, a, reason="不属本区")
    service.dispatch_request(CLERK, a, department="sc-cgj")
    assert service.get_request(XH, a).contact.phone == "138****1234"
    assert service.get_request(SC, a).contact == CONTACT
    with pytest.raises(RequestNotAuthorised):
        service.get_request(HRSS, a)
    page = service.department_requests(SC, "sc-cgj")
    assert [v.request.id for v in page.items] == [a] and page.items[0].allowed == (
        "return_request", "acknowledge", "answer")
    with pytest.raises(RequestNotAuthorised):
        service.department_requests(SC, "xh-cgj")


def test_bad_input_changes_nothing(service: OneService, clock: SimulatedClock) -> None:
    at(clock, 2, 9)
    with pytest.raises(RequestInputError):
        take(service, "social-insurance", case_id="20261102-000000000000")
    a = take(service, "social-insurance")
    with pytest.raises(RequestIllegalAction) as err:
        service.call_back_request(CLERK, a, resolved=True, satisfaction="satisfied")
    assert f"request {a} (state received)" in str(err.value)
    service.dispatch_request(CLERK, a)
    with pytest.raises(RequestWrongDepartment):
        service.answer_request(SC, a, result="x")
    with pytest.raises(RequestInputError):
        service.return_request(HRSS, a, reason="")
    assert [e.type for e in service.request_events(a)] == ["RequestReceived", "RequestDispatched"]
    assert service.get_request(CLERK, a).request.version == 2


def test_a_stale_save_is_a_conflict(service: OneService, clock: SimulatedClock) -> None:
    from oneservice.store.requests import load_request, save_request

    at(clock, 2, 9)
    a = take(service, "social-insurance")
    with service.store.transaction(readonly=True) as tx:
        stale = load_request(tx, a)
    service.dispatch_request(CLERK, a)
    service.requests.engine.dispatch(stale, CLERK, clock.now())
    with pytest.raises(RequestConflict), service.store.transaction() as tx:
        save_request(tx, stale)


def test_a_complaint_about_a_case_goes_to_its_department(service: OneService, clock: SimulatedClock) -> None:
    from oneservice.domain.case import Applicant
    from oneservice.samples import sample_resident_id

    at(clock, 2, 9)
    desk = Actor(Role.CLERK, "clerk-1", location="sc-service-centre")
    case = service.open_case(desk, "social-security-card", Applicant("person", sample_resident_id(1), "李四"),
                             channel="window", location="sc-service-centre")
    with service.store.transaction(readonly=True) as tx:
        tasks = tx.get_case(case.id).tasks
    item = sorted(tasks)[0]
    rid = take(service, "government-service", case_id=case.id, item=item)
    view = service.get_request(CLERK, rid)
    assert (view.request.competent, view.request.case_id, view.request.item) == (
        tasks[item].department, case.id, item)


def test_figures_pinned(service: OneService, clock: SimulatedClock) -> None:
    the_loop(service, clock)
    whole = service.request_figures()["all"]
    assert (whole.called_back, whole.resolved, whole.content) == (3, 2, 3)
    assert (whole.resolution_rate, whole.satisfaction_rate) == (0.6667, 1.0)
    assert (whole.acknowledged, whole.acknowledged_on_time, whole.on_time_acknowledgement) == (5, 4, 0.8)
    assert (whole.answered, whole.answered_on_time, whole.on_time_answer) == (5, 4, 0.8)
    assert (whole.dispatched, whole.returned, whole.return_rate) == (4, 1, 0.25)
    assert (whole.callbacks, whole.reopened, whole.reopen_rate) == (5, 2, 0.4)
    by_department = service.request_figures(by="department")
    assert by_department["xh-cgj"].return_rate == 1.0 and by_department["sc-cgj"].return_rate == 0.0
    assert by_department["sc-cgj"].on_time_answer == 0.5 and by_department["hz-hrss"].on_time_acknowledgement == 0.0
    assert by_department["sc-jyj"].resolution_rate == 0.0 and by_department["sc-cgj"].resolution_rate == 1.0
    by_category = service.request_figures(by="category")
    assert by_category["noise-nuisance"].reopen_rate == 0.5 and by_category["social-insurance"].reopened == 0
    assert list(service.request_figures(by="month")) == ["2026-11"]
    later = service.request_figures(start=dt.datetime(2026, 11, 11, tzinfo=TZ))["all"]
    assert (later.called_back, later.answered, later.dispatched) == (2, 2, 0)


def test_daily_ranking(service: OneService, clock: SimulatedClock) -> None:
    at(clock, 4, 15)
    take(service, "social-insurance")
    at(clock, 9, 9)
    for _ in range(3):
        take(service, "noise-nuisance", regions={"incident_region": "330106"})
    take(service, "social-insurance")
    take(service, "school-enrolment", kind="consultation", regions={"residence_region": "330102"})
    frequent, rising = service.request_ranking(dt.date(2026, 11, 9))
    assert [(x.category, x.count) for x in frequent] == [
        ("noise-nuisance", 3), ("school-enrolment", 1), ("social-insurance", 1)]
    assert [(x.category, round(x.rise, 2)) for x in rising] == [
        ("noise-nuisance", 3.0), ("school-enrolment", 1.0), ("social-insurance", 0.86)]
    assert service.request_ranking(dt.date(2026, 11, 10)) == ([], [])
    assert service.request_ranking()[0][0].count == 3  # today, by the service's clock
