"""The starting matters end to end through the Python API, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from oneservice import (
    TZ,
    ActionRejected,
    Actor,
    Applicant,
    CalendarConflict,
    CaseNotFound,
    DuplicateAction,
    IllegalAction,
    InvalidIdentifier,
    InvalidInput,
    NotAuthorised,
    OneService,
    Party,
    Role,
    SimulatedClock,
    Store,
    load_catalogue,
)
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
BIZ = "start-a-business"
FLAT = "property-transfer"
REGISTRATION = "330102-SCJG-QYSLDJ"
BANK = "330100-YH-YYKH"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
SELLER = [Party("seller", Applicant("person", sample_resident_id(9), "李四"))]  # the flat's other party
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
OTHER = Actor(Role.APPLICANT, "lisi", applicant_id=sample_resident_id(2))
COMMITMENT = "容缺受理承诺书：申请人承诺5个工作日内补交租赁合同（已签字）"
PARCEL = "EMS 1234 5678 9"


def deliver_all(service, case_id):
    """Every result by a no-trip channel that suits it: pushed, the seals mailed."""
    return service.deliver(CLERK, case_id, results=sample_deliveries(service.catalogue.plan(BIZ), PARCEL))


def reviewer(service, item):
    department = service.catalogue.item(item).department
    return Actor(Role.REVIEWER, f"rev-{department}", department=department)


def open_business(service, *, hold_back=("premises-lease",)):
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    materials = [line.material.id for line in plan.materials if line.material.id not in hold_back]
    service.submit(ME, case.id, form=sample_form(plan), materials=materials, channel="online")
    return case.id


def approve_all(service, case_id):
    plan = service.catalogue.plan(service.get(SUPERVISOR, case_id).matter_id)
    for item in plan.items:
        actor = reviewer(service, item.code)
        service.start_review(actor, case_id, item.code)
        summary = service.approve(actor, case_id, item.code)
    return summary


def assert_log_consistent(service, case_id):
    events = service.events(SUPERVISOR, case_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].state == service.get(SUPERVISOR, case_id).state


class TestOneTimeNotice:
    def test_notice_then_online_supplement_then_accept(self, service):
        """A missing material is notified once, supplied online, and the case is accepted."""
        case_id = open_business(service)
        notice = service.give_notice(CLERK, case_id)
        assert [(ln.kind, ln.id) for ln in notice.lines] == [("material", "premises-lease")]
        assert notice.channels == ("mail", "mobile", "online")
        service.supplement(ME, case_id, materials=["premises-lease"], channel="online")
        summary = service.accept(CLERK, case_id)
        assert summary.state == "in_progress"
        assert summary.tasks[REGISTRATION] == "ready"
        assert summary.tasks[BANK] == "waiting"
        assert summary.trips == 0
        assert_log_consistent(service, case_id)

    def test_notice_cannot_be_given_twice_in_a_row(self, service):
        """After the notice the case awaits materials; a second notice is an illegal action."""
        case_id = open_business(service)
        service.give_notice(CLERK, case_id)
        with pytest.raises(IllegalAction) as info:
            service.give_notice(CLERK, case_id)
        assert info.value.state == "awaiting_materials"
        assert "supplement" in info.value.allowed

    def test_accepting_an_incomplete_application_is_rejected(self, service):
        """Accept names what is missing and points to the one-time notice."""
        case_id = open_business(service)
        with pytest.raises(ActionRejected) as info:
            service.accept(CLERK, case_id)
        assert info.value.reason == "incomplete"
        assert [d["id"] for d in info.value.details] == ["premises-lease"]


class TestLifecycle:
    def test_start_a_business_end_to_end(self, service):
        """Parallel items after registration, all results delivered together, rated."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        registration = reviewer(service, REGISTRATION)
        service.start_review(registration, case_id, REGISTRATION)
        summary = service.approve(registration, case_id, REGISTRATION)
        plan = service.catalogue.plan(BIZ)
        after_registration = {  # the items that need nothing but the licence start together
            i.code: "ready" if set(plan.matter.after(i.code)) == {REGISTRATION} else "waiting"
            for i in plan.items
            if i.code != REGISTRATION
        }
        assert list(after_registration.values()).count("ready") > 1  # in parallel
        assert summary.tasks == {REGISTRATION: "approved", **after_registration}
        summary = approve_all_remaining(service, case_id)
        assert summary.state == "ready_for_pickup"
        assert summary.outcome == "approved"
        case = service.case(SUPERVISOR, case_id)
        assert case.materials["business-licence"].status == "produced"
        deliver_all(service, case_id)
        case = service.case(SUPERVISOR, case_id)
        seals = case.delivered("seal-filing")
        assert (seals.channel, seals.tracking, seals.electronic_copy) == ("mail", PARCEL, True)
        assert case.delivered("business-licence").channel == "electronic"
        assert case.delivery_channel == "mixed"
        service.rate(ME, case_id, 5, "一次都没跑")
        summary = service.conclude(CLERK, case_id)
        assert (summary.state, summary.trips) == ("closed", 0)
        assert_log_consistent(service, case_id)

    def test_each_result_needs_a_channel_that_suits_it(self, service):
        """Window pickup is not offered for this zero-trip matter; the physical seals cannot be
        pushed electronically; mail needs its tracking reference; nothing is half-delivered."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        approve_all(service, case_id)
        with pytest.raises(InvalidInput) as info:
            service.deliver(CLERK, case_id, channel="window")
        assert info.value.field == "channel" and "'window' does not suit result 'business-licence'" in str(info.value)
        with pytest.raises(InvalidInput) as info:
            service.deliver(CLERK, case_id, channel="electronic")
        assert "'electronic' does not suit result 'seal-filing' (physical)" in str(info.value)
        with pytest.raises(InvalidInput) as info:
            service.deliver(CLERK, case_id, channel="electronic", results={"seal-filing": {"channel": "mail"}})
        assert info.value.field == "results.seal-filing.tracking"
        with pytest.raises(InvalidInput) as info:
            service.deliver(CLERK, case_id, results={"business-licence": {"channel": "electronic"}})
        assert info.value.field == "results.seal-filing"  # omitted: every result goes out now
        with pytest.raises(InvalidInput) as info:
            service.deliver(CLERK, case_id, channel="electronic", results={"seal": {"channel": "mail"}})
        assert info.value.field == "results.seal"
        case = service.case(SUPERVISOR, case_id)
        assert (case.state, case.deliveries) == ("ready_for_pickup", [])
        deliver_all(service, case_id)
        with pytest.raises(IllegalAction):
            deliver_all(service, case_id)


def approve_all_remaining(service, case_id):
    summary = service.get(SUPERVISOR, case_id)
    for code, state in summary.tasks.items():
        if state == "ready":
            actor = reviewer(service, code)
            service.start_review(actor, case_id, code)
            summary = service.approve(actor, case_id, code)
    return summary


class TestDeficiencyAcceptance:
    def test_owed_material_not_supplied_in_time_terminates_the_case(self, service, clock):
        """容缺: the lease may be owed 5 working days; after that the case is terminated."""
        case_id = open_business(service)
        summary = service.accept_with_deficiency(CLERK, case_id, ["premises-lease"], commitment=COMMITMENT)
        assert service.case(SUPERVISOR, case_id).commitment == COMMITMENT
        assert summary.owed == ["premises-lease"]
        case = service.case(SUPERVISOR, case_id)
        assert case.materials["premises-lease"].due == dt.date(2026, 11, 9)
        assert service.terminate_overdue() == []
        clock.advance_working_days(6, service.calendar)
        assert service.terminate_overdue() == [case_id]
        summary = service.get(SUPERVISOR, case_id)
        assert summary.state == "terminated"
        assert set(summary.tasks.values()) == {"cancelled"}
        assert_log_consistent(service, case_id)

    def test_owed_material_supplied_then_results_issued(self, service):
        """Results wait for the owed material, then are delivered."""
        case_id = open_business(service)
        service.accept_with_deficiency(CLERK, case_id, ["premises-lease"], commitment=COMMITMENT)
        approve_all(service, case_id)
        with pytest.raises(ActionRejected) as info:
            deliver_all(service, case_id)
        assert info.value.reason == "materials_owed"
        service.supply_owed(ME, case_id, ["premises-lease"], channel="online")
        assert deliver_all(service, case_id).state == "delivered"

    def test_only_waivable_materials_may_be_owed(self, service):
        """The articles of association are not waivable."""
        case_id = open_business(service, hold_back=("articles-of-association",))
        with pytest.raises(ActionRejected) as info:
            service.accept_with_deficiency(CLERK, case_id, ["articles-of-association"], commitment=COMMITMENT)
        assert info.value.reason == "not_waivable"


class TestBackOffice:
    def test_correction_online_stops_the_clock_and_costs_no_trip(self, service, clock):
        """补正 supplied online: no trip, the item's deadline moves by the days it waited."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        before = service.case(SUPERVISOR, case_id).tasks[REGISTRATION].due
        service.request_correction(
            actor,
            case_id,
            REGISTRATION,
            materials=["articles-of-association"],
            note="章程第五条出资期限与表单不一致",
        )
        clock.advance_working_days(2, service.calendar)
        with pytest.raises(InvalidInput):
            service.supply_correction(ME, case_id, REGISTRATION, channel="window")
        service.supply_correction(
            ME, case_id, REGISTRATION, channel="online", materials=["articles-of-association"]
        )
        case = service.case(SUPERVISOR, case_id)
        assert case.tasks[REGISTRATION].due == service.calendar.add_working_days(before, 2).date
        assert case.trips == 0

    def test_suspension_excludes_its_working_days(self, service, clock):
        """中止 for 3 working days moves the item and case deadlines by 3 working days."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        case = service.case(SUPERVISOR, case_id)
        item_due, case_due = case.tasks[REGISTRATION].due, case.due.due
        service.suspend(actor, case_id, REGISTRATION, "经营场所现场核查", basis="inspection", expected_days=5)
        clock.advance_working_days(3, service.calendar)
        service.resume(actor, case_id, REGISTRATION)
        case = service.case(SUPERVISOR, case_id)
        cal = service.calendar
        assert case.tasks[REGISTRATION].due == cal.add_working_days(item_due, 3).date
        assert case.due.due == cal.add_working_days(case_due, 3).date

    def test_refusing_registration_cancels_its_dependants(self, service):
        """Policy continue: items that need the licence are cancelled; the decision is delivered."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        summary = service.refuse_item(actor, case_id, REGISTRATION, "名称与在先登记企业近似")
        plan = service.catalogue.plan(BIZ)
        others = [i.code for i in plan.items if i.code != REGISTRATION]
        assert all(REGISTRATION in plan.upstream[code] for code in others)  # every other item needs the licence
        assert summary.tasks == {REGISTRATION: "refused", **dict.fromkeys(others, "cancelled")}
        assert summary.state == "ready_for_pickup"
        assert summary.outcome == "refused"

    def test_refusing_a_leaf_item_lets_the_others_finish(self, service):
        """Policy continue: a refused bank appointment leaves the rest approved."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        service.approve(actor, case_id, REGISTRATION)
        bank = reviewer(service, BANK)
        service.start_review(bank, case_id, BANK)
        service.refuse_item(bank, case_id, BANK, "预约时段已满")
        summary = approve_all_remaining(service, case_id)
        assert summary.outcome == "partially_approved"

    def test_reviewer_of_another_department_is_refused_and_recorded(self, service):
        """A reviewer acts only on items of their own department; the attempt is counted in the
        audit log, and the case's event log is unchanged."""
        from oneservice.store.audit import audit_page

        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        before = [(e.seq, e.type) for e in service.events(SUPERVISOR, case_id)]
        intruder = reviewer(service, BANK)
        for _ in range(3):
            with pytest.raises(NotAuthorised):
                service.start_review(intruder, case_id, REGISTRATION)
        assert [(e.seq, e.type) for e in service.events(SUPERVISOR, case_id)] == before
        rows = audit_page(service.store, case_id=case_id).items
        assert len(rows) == 1 and rows[0].refusals == 3
        assert rows[0].action == "start_review" and rows[0].actor == intruder.describe()
        assert service.get(SUPERVISOR, case_id).tasks[REGISTRATION] == "ready"


class TestClock:
    def test_deadline_across_national_day_and_its_make_up_saturday(self, service):
        """6 working days from Tue 29 Sep 2026: 30 Sep, 8, 9, 10 (Sat, make-up), 12, 13 Oct."""
        fresh = SimulatedClock(dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ))
        svc = OneService(service.catalogue, service.store, clock=fresh)
        case_id = open_flat(svc)
        svc.accept(CLERK, case_id)
        case = svc.case(SUPERVISOR, case_id)
        assert case.due.due == dt.date(2026, 10, 13)
        assert not case.due.provisional
        assert case.tasks["330100-BDC-ZYDJ"].due is None  # waits for its predecessors: no clock yet

    def test_2027_deadline_is_provisional_until_calendar_data_is_loaded(self, service):
        """A deadline past 2026 is provisional; loading 2027 data recomputes it."""
        svc = OneService(
            service.catalogue, service.store, clock=SimulatedClock(dt.datetime(2026, 12, 28, 9, 0, tzinfo=TZ))
        )
        case_id = open_flat(svc)
        svc.accept(CLERK, case_id)
        summary = svc.get(SUPERVISOR, case_id)
        assert summary.due_provisional is True
        assert summary.due == "2027-01-06"  # the guess: 29, 30, 31 Dec, (1 Jan off), 4, 5, 6 Jan
        data = YAML(typ="safe").load((ROOT / "tests/fixtures/calendars/2027.yaml").read_text("utf-8"))
        body = data.get("calendar", data)
        changed = svc.load_calendar(body)
        assert case_id in changed
        summary = svc.get(SUPERVISOR, case_id)
        assert summary.due_provisional is False
        expected = svc.calendar.add_working_days(dt.date(2026, 12, 28), 6).date
        assert summary.due == expected.isoformat()
        assert expected > dt.date(2027, 1, 5)  # New Year's Day 2027 is a holiday



# INVENTED DATES for a test (the official 2027 schedule is not published on this machine):
# 1–4 January off, so that a deadline the guess put on 2027-01-05 moves.
INVENTED_2027 = {
    "year": 2027,
    "source": "FORMAT EXAMPLE — invented dates for a test, not the 国务院办公厅 notice",
    "holidays": [{"from": dt.date(2027, 1, 1), "to": dt.date(2027, 1, 4)}],
    "workdays": [],
}


class TestProvisionalDates:
    """Issue 12 part 6: honest provisional dates, on SQLite and PostgreSQL."""

    def owing(self, service, day: dt.date) -> tuple[OneService, str]:
        svc = OneService(service.catalogue, service.store,
                         clock=SimulatedClock(dt.datetime.combine(day, dt.time(9, 0), TZ)))
        case_id = open_business(svc)
        svc.accept_with_deficiency(CLERK, case_id, ["premises-lease"], commitment=COMMITMENT)
        return svc, case_id

    def test_owed_material_due_provisional_is_stored(self, service):
        """Accepted 2026-12-28 owing 5 working days: due 2027-01-05 provisional, also when read back."""
        svc, case_id = self.owing(service, dt.date(2026, 12, 28))
        service.store.clear_cache()
        record = svc.case(SUPERVISOR, case_id).materials["premises-lease"]
        assert (record.due, record.due_provisional) == (dt.date(2027, 1, 5), True)

    def test_termination_on_a_provisional_date_is_recorded_as_such(self, service):
        svc, case_id = self.owing(service, dt.date(2026, 12, 28))
        svc.clock.set(dt.datetime(2027, 1, 6, 9, 0, tzinfo=TZ))
        assert svc.terminate_overdue() == [case_id]
        [event] = [e for e in svc.events(SUPERVISOR, case_id) if e.type == "CaseTerminated"]
        assert event.data["provisional"] is True and event.data["overdue"][0]["provisional"] is True
        assert "暂定" in event.data["provisional_reason"]["zh"]

    def test_load_is_kept_and_moves_the_owed_material(self, service):
        svc, case_id = self.owing(service, dt.date(2026, 12, 28))
        assert svc.load_calendar(INVENTED_2027, actor=SUPERVISOR) == [case_id]
        service.store.clear_cache()
        record = svc.case(SUPERVISOR, case_id).materials["premises-lease"]
        assert (record.due, record.due_provisional) == (dt.date(2027, 1, 6), False)
        [year] = svc.calendar_years()
        assert (year.year, year.loaded_by, year.data["holidays"][0]["to"]) == (2027, "supervisor:sup-01",
                                                                               "2027-01-04")
        restarted = OneService(service.catalogue, service.store, clock=svc.clock)
        assert not restarted.calendar.is_workday(dt.date(2027, 1, 4))

    def test_a_met_deadline_keeps_its_date_unless_its_verdict_changes(self, service):
        """Supplied on 2027-01-05, in time on the guess and on the loaded year: the load passes and
        the met deadline keeps its date and flag (it is history)."""
        svc, case_id = self.owing(service, dt.date(2026, 12, 28))
        svc.clock.set(dt.datetime(2027, 1, 5, 10, 0, tzinfo=TZ))
        svc.supply_owed(ME, case_id, ["premises-lease"], channel="online")
        svc.load_calendar(INVENTED_2027)
        deadline = svc.case(SUPERVISOR, case_id).deadlines[("deficiency", "premises-lease")]
        assert (deadline.due, deadline.provisional) == (dt.date(2027, 1, 5), True)

    def test_another_process_catches_up_with_a_loaded_year(self, service):
        """Service B runs beside A on one database. A loads 2027; within a minute B still computes
        on the guess (provisional 2027-01-05); at B's next action a minute later it reads the year
        and recomputes what it computed meanwhile (2027-01-06, final)."""
        clock = SimulatedClock(dt.datetime(2026, 12, 28, 9, 0, tzinfo=TZ))
        a = OneService(service.catalogue, service.store, clock=clock)
        b = OneService(service.catalogue, service.store, clock=clock)
        early = open_business(b)  # B has read the (empty) stored years
        a.load_calendar(INVENTED_2027)
        clock.advance(seconds=30)
        b.accept_with_deficiency(CLERK, early, ["premises-lease"], commitment=COMMITMENT)
        stale = b.case(SUPERVISOR, early).materials["premises-lease"]
        assert (stale.due, stale.due_provisional) == (dt.date(2027, 1, 5), True)
        clock.advance(seconds=60)
        open_business(b)  # any action: B reads the stored years again
        service.store.clear_cache()
        fresh = b.case(SUPERVISOR, early).materials["premises-lease"]
        assert (fresh.due, fresh.due_provisional) == (dt.date(2027, 1, 6), False)
        assert b.calendar.covers(2027)

    def test_refused_when_frozen_deadlines_would_move_and_nothing_is_written(self, service):
        """Reloading 2026 with 2026-12-29 as a day off contradicts deadlines computed on the bundled
        2026: OS706 names the case; no year is stored and no deadline moved."""
        svc, case_id = self.owing(service, dt.date(2026, 12, 21))
        before = svc.case(SUPERVISOR, case_id).deadlines[("deficiency", "premises-lease")].due
        altered = {"year": 2026, "source": "INVENTED", "workdays": [],
                   "holidays": [{"from": "2026-12-22", "to": "2026-12-22"}]}
        with pytest.raises(CalendarConflict) as info:
            svc.load_calendar(altered)
        assert info.value.code == "OS706" and info.value.case_ids == [case_id]
        assert svc.calendar_years() == []
        assert svc.case(SUPERVISOR, case_id).deadlines[("deficiency", "premises-lease")].due == before
        assert not svc.calendar.covers(2027) and svc.calendar.is_workday(dt.date(2026, 12, 22))


def open_flat(svc):
    plan = svc.catalogue.plan(FLAT)
    case = svc.open_case(CLERK, FLAT, PERSON, channel="window", location=LOCATION, parties=SELLER)
    form = sample_form(plan)
    svc.submit(
        CLERK, case.id, form=form, materials=[ln.material.id for ln in plan.materials], channel="window"
    )
    return case.id


class TestTrips:
    def test_intake_steps_on_one_day_count_once(self, service):
        """Opening and submitting at the window in one visit is one trip."""
        case_id = open_flat(service)
        case = service.case(SUPERVISOR, case_id)
        assert case.trips == 1
        assert case.visits[0].purposes == ["intake", "submit"]

    def test_onsite_signature_is_required_before_acceptance(self, service):
        """A flat transfer opened online needs the signing visit before it is accepted."""
        plan = service.catalogue.plan(FLAT)
        case = service.open_case(ME, FLAT, PERSON, channel="online", location=LOCATION, parties=SELLER)
        service.submit(
            ME,
            case.id,
            form=sample_form(plan),
            materials=[ln.material.id for ln in plan.materials],
            channel="online",
        )
        with pytest.raises(ActionRejected) as info:
            service.accept(CLERK, case.id)
        assert info.value.reason == "onsite_required"
        service.record_visit(CLERK, case.id, "330100-BDC-ZYDJ", "双方当面签字、人脸核验")
        with pytest.raises(ActionRejected) as info:  # the visit is not yet the signatures
            service.accept(CLERK, case.id)
        assert info.value.reason == "incomplete" and "not signed" in str(info.value)
        service.sign(CLERK, case.id, "buyer", channel="window")  # the same visit: no second trip
        service.sign(CLERK, case.id, "seller", channel="window")
        assert service.accept(CLERK, case.id).trips == 1
        assert {s.role for s in service.case(CLERK, case.id).signatures} == {"buyer", "seller"}

    def test_a_second_trip_needs_a_reason_and_is_flagged(self, service, clock):
        """Over the budget of 1: refused without a reason; with one, recorded for supervision."""
        case_id = open_flat(service)
        service.accept(CLERK, case_id)
        clock.advance_working_days(1, service.calendar)
        with pytest.raises(ActionRejected) as info:
            service.record_visit(CLERK, case_id, "330100-BDC-ZYDJ", "补签")
        assert info.value.reason == "trip_budget"
        summary = service.record_visit(
            CLERK, case_id, "330100-BDC-ZYDJ", "补签", over_budget_reason="申请人要求当面补签"
        )
        assert summary.trips == 2
        case = service.case(SUPERVISOR, case_id)
        assert case.over_budget is True
        over = [e for e in service.events(SUPERVISOR, case_id) if e.type == "TripBudgetExceeded"]
        assert [e.data["party"] for e in over] == ["buyer", "seller"]  # both came to sign again
        assert (case.trips_of("buyer"), case.trips_of("seller")) == (2, 2)


class TestBadInput:
    def test_unknown_case(self, service):
        """An unknown case id is CaseNotFound."""
        with pytest.raises(CaseNotFound):
            service.accept(CLERK, "20261102-000000000000")

    def test_malformed_resident_id(self, service):
        """A resident ID number with a wrong check digit is refused at opening."""
        bad = Applicant(
            "person", PERSON.id_number[:-1] + ("0" if PERSON.id_number[-1] != "0" else "1"), "张三"
        )
        with pytest.raises(InvalidIdentifier) as info:
            service.open_case(CLERK, FLAT, bad, channel="window", location=LOCATION, parties=SELLER)
        assert info.value.field == "applicant.id_number"

    def test_material_not_of_the_matter(self, service):
        """A material outside the matter is named, with a suggestion."""
        case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        with pytest.raises(InvalidInput) as info:
            service.submit(ME, case.id, materials=["articles-of-associaton"], channel="online")
        assert "did you mean 'articles-of-association'" in str(info.value)
        assert service.get(SUPERVISOR, case.id).state == "draft"

    def test_form_failing_a_condition_blocks_acceptance(self, service):
        """A housing-fund rate of 20% fails its acceptance condition."""
        plan = service.catalogue.plan(BIZ)
        form = sample_form(plan) | {"housing_fund_rate": 20.0}
        case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        service.submit(
            ME, case.id, form=form, materials=[ln.material.id for ln in plan.materials], channel="online"
        )
        with pytest.raises(ActionRejected) as info:
            service.accept(CLERK, case.id)
        assert [d["kind"] for d in info.value.details] == ["condition"]
        assert service.get(SUPERVISOR, case.id).state == "submitted"

    def test_same_action_twice_with_an_idempotency_key(self, service):
        """A repeat replays the first result; the same key for other content is refused."""
        case_id = open_business(service, hold_back=())
        first = service.accept(CLERK, case_id, idempotency_key="accept-1")
        count = len(service.events(SUPERVISOR, case_id))
        again = service.accept(CLERK, case_id, idempotency_key="accept-1")
        assert again == first
        assert len(service.events(SUPERVISOR, case_id)) == count
        with pytest.raises(DuplicateAction):
            service.withdraw(ME, case_id, "不办了", idempotency_key="accept-1")

    def test_applicant_cannot_see_another_applicants_case(self, service):
        """Progress is private to the applicant; the attempt is recorded."""
        case_id = open_business(service)
        with pytest.raises(NotAuthorised):
            service.progress(OTHER, case_id)
        view = service.progress(ME, case_id)
        assert view.applicant_id == PERSON.id_number[:6] + "********" + PERSON.id_number[14:]
        assert [s.event for s in view.steps] == ["CaseOpened", "ApplicationSubmitted"]
        assert view.steps[0].zh == "已申请"


class TestRating:
    def test_bad_rating_opens_rectification_with_its_deadlines(self, service, clock):
        """非常不满意 opens a rectification: callback in 1 working day, rectification in 15."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        approve_all(service, case_id)
        deliver_all(service, case_id)
        clock.set(dt.datetime(2026, 11, 6, 16, 0, tzinfo=TZ))  # a Friday
        service.rate(ME, case_id, 1, "材料退回三次")
        case = service.case(SUPERVISOR, case_id)
        assert case.rectification.callback_due == dt.date(2026, 11, 9)
        assert case.rectification.rectify_due == dt.date(2026, 11, 27)
        with pytest.raises(ActionRejected):
            service.record_rectified(SUPERVISOR, case_id, "已整改")
        service.record_callback(SUPERVISOR, case_id, "已电话回访")
        service.record_rectified(SUPERVISOR, case_id, "优化补正流程")
        service.rate(ME, case_id, 4, "整改后满意")
        with pytest.raises(ActionRejected):
            service.rate(ME, case_id, 5)


class TestPinning:
    def test_no_machine_is_created_per_case(self, service, monkeypatch):
        """Twenty cases share the two machines built once per process: no machine is made per case."""
        import transitions

        created = []
        original = transitions.Machine.__init__

        def counting(self, *args, **kwargs):
            created.append(1)
            original(self, *args, **kwargs)

        monkeypatch.setattr(transitions.Machine, "__init__", counting)
        fresh = OneService(service.catalogue, service.store, clock=service.clock)
        for _ in range(20):
            case_id = open_business(fresh, hold_back=())
            fresh.accept(CLERK, case_id)
        assert created == []  # the case machine and the item-task machine exist already

    def test_a_changed_definition_never_changes_a_running_case(self, service, tmp_path, clock):
        """The case keeps the definition it started under, after the catalogue changes."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        old = service.get(SUPERVISOR, case_id)
        changed = tmp_path / "workflows"
        import shutil

        shutil.copytree(ROOT / "workflows", changed)
        matter = changed / "matters" / f"{BIZ}.yaml"
        text = matter.read_text("utf-8").replace(
            "promise: {value: 1, unit: working_days}", "promise: {value: 3, unit: working_days}"
        )
        matter.write_text(text.replace("version: 1", "version: 2", 1), "utf-8")
        new_catalogue = load_catalogue([changed])
        assert new_catalogue.content_hash(BIZ) != service.catalogue.content_hash(BIZ)
        svc = OneService(new_catalogue, service.store, clock=clock)
        approve_all(svc, case_id)
        summary = svc.get(SUPERVISOR, case_id)
        assert summary.due == old.due
        assert svc.case(SUPERVISOR, case_id).matter_version == "1"

    def test_an_action_can_be_the_first_use_of_a_pinned_definition(self, service, tmp_path, clock):
        """A process whose catalogue has moved on acts on an old case before anything else: the
        pinned definition is read in the action's own transaction (on SQLite, a second one would
        wait for the write lock the action holds, and fail when its busy timeout ran out)."""
        case_id = open_business(service, hold_back=())
        changed = tmp_path / "workflows"
        import shutil

        shutil.copytree(ROOT / "workflows", changed)
        matter = changed / "matters" / f"{BIZ}.yaml"
        matter.write_text(matter.read_text("utf-8").replace("version: 1", "version: 2", 1), "utf-8")
        url = service.store.engine.url.render_as_string(hide_password=False)
        impatient = Store(url, schema=service.store.schema, busy_timeout=0.2)
        try:
            svc = OneService(load_catalogue([changed]), impatient, clock=clock)
            summary = svc.accept(CLERK, case_id)  # the first thing this service does
            assert summary.state == "in_progress"
            assert svc.case(SUPERVISOR, case_id).matter_version == "1"
        finally:
            impatient.dispose()


class TestReviewerVisibility:
    def test_reviewer_of_a_department_of_the_case_sees_its_summary(self, service):
        """A reviewer sees the summary of cases that have an item of their department."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        assert service.get(reviewer(service, BANK), case_id).id == case_id
        stranger = Actor(Role.REVIEWER, "rev-x", department="hz-ghzy")  # land registry: not in this matter
        with pytest.raises(NotAuthorised):
            service.get(stranger, case_id)

    def test_another_department_learns_nothing_from_a_refused_approval(self, service):
        """Authorisation comes before state and guards: no hint about the item's progress."""
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        intruder = reviewer(service, REGISTRATION)
        with pytest.raises(NotAuthorised) as info:
            service.approve(intruder, case_id, BANK)  # BANK is still waiting for the registration
        assert "waiting" not in str(info.value)
        with pytest.raises(NotAuthorised):
            service.request_correction(intruder, case_id, BANK, materials=["no-such-material"], note="x")


class TestIdempotencyIsPerActor:
    def test_another_actor_reusing_a_key_gets_nothing_of_the_first(self, service):
        """A key replays only for the actor who used it; anyone else gets DuplicateAction."""
        case_id = open_business(service, hold_back=())
        first = service.accept(CLERK, case_id, idempotency_key="k-1")
        other_clerk = Actor(Role.CLERK, "clerk-02", location=LOCATION)
        with pytest.raises(DuplicateAction) as info:
            service.accept(other_clerk, case_id, idempotency_key="k-1")
        assert info.value.case_id == case_id
        assert service.accept(CLERK, case_id, idempotency_key="k-1") == first
        stranger = Actor(Role.APPLICANT, "lisi", applicant_id=OTHER.applicant_id)
        own = Applicant("person", OTHER.applicant_id, "李四")
        service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION, idempotency_key="open-1")
        with pytest.raises(DuplicateAction) as info:
            service.open_case(stranger, BIZ, own, channel="online", location=LOCATION, idempotency_key="open-1")
        assert info.value.case_id == "-"


class TestCacheOfAnotherProcess:
    """An action takes the case from the store's cache without asking for its version; a copy
    made stale by another process (here: a second store on the same database) must neither be
    saved over the newer version nor refuse an action the current case allows."""

    @pytest.fixture
    def other(self, catalogue, store, clock):
        twin = Store(store.engine.url.render_as_string(hide_password=False), schema=store.schema)
        yield OneService(catalogue, twin, clock=clock)
        twin.dispose()

    def test_a_stale_copy_is_not_saved_over_the_newer_version(self, service, other):
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)  # cached here at this version
        registration = reviewer(service, REGISTRATION)
        other.start_review(registration, case_id, REGISTRATION)  # the other process moves on
        summary = service.approve(registration, case_id, REGISTRATION)  # stale copy: rerun on the current
        assert summary.tasks[REGISTRATION] == "approved"
        assert summary.version == service.get(SUPERVISOR, case_id).version
        events = [e.type for e in service.events(SUPERVISOR, case_id)]
        assert events.count("ItemReviewStarted") == 1 and events.count("ItemApproved") == 1
        assert_log_consistent(service, case_id)

    def test_a_stale_copy_does_not_refuse_what_the_current_case_allows(self, service, other):
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        registration = reviewer(service, REGISTRATION)
        service.start_review(registration, case_id, REGISTRATION)  # cached: registration in review
        other.approve(registration, case_id, REGISTRATION)  # the other process approves it
        bank = reviewer(service, BANK)
        # the stale copy has the bank item still waiting; the current case has it ready
        summary = service.start_review(bank, case_id, BANK)
        assert summary.tasks[BANK] == "in_review"
        assert_log_consistent(service, case_id)

    def test_a_refusal_on_the_current_case_is_still_raised(self, service, other):
        case_id = open_business(service, hold_back=())
        service.accept(CLERK, case_id)
        registration = reviewer(service, REGISTRATION)
        other.start_review(registration, case_id, REGISTRATION)
        other.approve(registration, case_id, REGISTRATION)
        with pytest.raises(IllegalAction) as info:  # approved already, in the current version
            service.approve(registration, case_id, REGISTRATION)
        assert info.value.case_id == case_id
        assert_log_consistent(service, case_id)
