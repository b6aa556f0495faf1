"""Supervision warnings and the reform's figures, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from oneservice import TZ, Actor, Applicant, InvalidInput, Party, Role
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id
from oneservice.supervision import Supervision
from oneservice.supervision.render import render_report

ROOT = Path(__file__).resolve().parents[2]
BIZ = "start-a-business"
FLAT = "property-transfer"
REGISTRATION = "330102-SCJG-QYSLDJ"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup")
PERSON = Applicant("person", sample_resident_id(3), "赵六")
SELLER = [Party("seller", Applicant("person", sample_resident_id(9), "李四"))]  # the flat's other party
ME = Actor(Role.APPLICANT, "zhaoliu", applicant_id=PERSON.id_number)


def accepted_business(service, *, hold_back=()):
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    materials = [ln.material.id for ln in plan.materials if ln.material.id not in hold_back]
    service.submit(ME, case.id, form=sample_form(plan), materials=materials, channel="online")
    if hold_back:
        service.accept_with_deficiency(CLERK, case.id, list(hold_back), commitment="容缺承诺书（已签署）")
    else:
        service.accept(CLERK, case.id)
    return case.id


def deliver(service, case_id):
    """Every result by a no-trip channel: pushed, or the seals mailed."""
    plan = service.catalogue.plan(BIZ)
    service.deliver(CLERK, case_id, results=sample_deliveries(plan, "EMS 9876 5432 1"))


def done_business(service):
    """A start-a-business case accepted, approved and delivered today."""
    case_id = accepted_business(service)
    for item in service.catalogue.plan(BIZ).items:
        service.start_review(reviewer(service, item.code), case_id, item.code)
        service.approve(reviewer(service, item.code), case_id, item.code)
    deliver(service, case_id)
    return case_id


def reviewer(service, item):
    return Actor(Role.REVIEWER, "rev", department=service.catalogue.item(item).department)


def levels(supervision, case_id):
    return sorted((w["kind"], w["subject"], w["level"]) for w in supervision.warnings(case_id))


class TestScan:
    def test_yellow_then_red_each_recorded_once(self, service, clock):
        """The case's promise and the registration (the only item dispatched) are due Tue 3 Nov:
        yellow on Mon, red on Wed, when the registration's legal limit (Thu 5 Nov) turns yellow;
        the items waiting for it have no clock yet. Rescans add nothing."""
        case_id = accepted_business(service)
        supervision = Supervision(service, yellow_days=1)
        first = supervision.scan()
        assert (first.yellow, first.red) == (2, 0)
        assert supervision.scan().yellow == 0
        clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
        later = supervision.scan()
        assert (later.yellow, later.red) == (1, 2)
        assert supervision.scan().red == 0
        assert levels(supervision, case_id) == sorted(
            [("case", case_id, level) for level in ("yellow", "red")]
            + [("item", REGISTRATION, level) for level in ("yellow", "red")]
            + [("item_legal", REGISTRATION, "yellow")]
        )

    def test_met_deadlines_and_stopped_clocks_are_not_warned(self, service, clock):
        """An approved item is not warned; a suspended item waits until it resumes."""
        case_id = accepted_business(service)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        service.suspend(actor, case_id, REGISTRATION, "现场核查", basis="inspection", expected_days=5)
        clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
        supervision = Supervision(service)
        supervision.scan()
        warned = levels(supervision, case_id)
        assert ("item", REGISTRATION, "red") not in warned
        assert ("item_legal", REGISTRATION, "yellow") not in warned
        assert ("case", case_id, "red") not in warned
        assert ("suspension", REGISTRATION, "red") not in warned  # 5 working days: Mon 9 Nov
        service.resume(actor, case_id, REGISTRATION)  # two working days added: due Thu 5 Nov
        service.approve(actor, case_id, REGISTRATION)
        supervision.scan()
        assert ("item", REGISTRATION, "red") not in levels(supervision, case_id)

    def test_overdue_owed_material_and_rectification_callback(self, service, clock):
        """Deficiency deadlines and bad-rating follow-ups are supervised too."""
        case_id = accepted_business(service, hold_back=("premises-lease",))
        clock.set(dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ))  # owed lease was due Mon 9 Nov
        supervision = Supervision(service)
        supervision.scan()
        assert ("deficiency", "premises-lease", "red") in levels(supervision, case_id)
        other = accepted_business(service)
        plan = service.catalogue.plan(BIZ)
        for item in plan.items:
            service.start_review(reviewer(service, item.code), other, item.code)
            service.approve(reviewer(service, item.code), other, item.code)
        deliver(service, other)
        service.rate(ME, other, 1, "太慢")  # callback due Wed 11 Nov
        clock.set(dt.datetime(2026, 11, 12, 9, 0, tzinfo=TZ))
        supervision.scan()
        assert ("callback", other, "red") in levels(supervision, other)

    def test_zero_yellow_days_warns_on_the_due_date_only(self, service, clock):
        """A yellow threshold of 0 working days warns when the due date is today, not the day before."""
        case_id = accepted_business(service)  # the case and the registration are due Tue 3 Nov
        supervision = Supervision(service, yellow_days=0)
        assert (supervision.scan().yellow, levels(supervision, case_id)) == (0, [])  # Mon: nothing
        clock.set(dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ))  # the due date
        on_the_day = supervision.scan()
        assert (on_the_day.yellow, on_the_day.red) == (2, 0)
        assert levels(supervision, case_id) == [("case", case_id, "yellow"), ("item", REGISTRATION, "yellow")]

    def test_a_suspension_past_its_expected_end_is_warned(self, service, clock):
        """中止 for an expert review expected to take 3 working days (Mon → Thu 5 Nov): the item's
        own clock is not warned while stopped, the suspension is, once it runs past Thu."""
        case_id = accepted_business(service)
        actor = reviewer(service, REGISTRATION)
        service.start_review(actor, case_id, REGISTRATION)
        service.suspend(actor, case_id, REGISTRATION, "专家评审", basis="expert_review", expected_days=3)
        clock.set(dt.datetime(2026, 11, 6, 9, 0, tzinfo=TZ))
        supervision = Supervision(service, yellow_days=0)
        supervision.scan()
        warned = levels(supervision, case_id)
        assert ("suspension", REGISTRATION, "red") in warned
        assert not [w for w in warned if w[0] in ("item", "item_legal", "case", "case_legal")]

    def test_the_policys_yellow_rule_warns_before_the_supervisions(self, store, clock, tmp_path):
        """registry.policy.yellow item_legal {days: 2}: the registration's legal limit (due Thu 5 Nov)
        is yellow from Tue 3 Nov, while the supervision itself warns on the due date only."""
        import shutil

        from oneservice import OneService, load_catalogue

        root = tmp_path / "workflows"
        shutil.copytree(ROOT / "workflows", root)
        registry = root / "registry.yaml"
        registry.write_text(registry.read_text("utf-8").replace(
            "registry:\n  version: 1\n", "registry:\n  version: 1\n  policy:\n    yellow:\n"
            "      item_legal: {days: 2}\n", 1), "utf-8")
        service = OneService(load_catalogue([root]), store, clock=clock)
        case_id = accepted_business(service)
        supervision = Supervision(service, yellow_days=0)
        clock.set(dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ))
        supervision.scan()
        warned = levels(supervision, case_id)
        assert ("item_legal", REGISTRATION, "yellow") in warned  # its own rule: from Tue
        assert ("case", case_id, "yellow") in warned  # the promise, due Tue: the supervision's rule

    def test_an_unanswered_application_is_warned_before_it_is_deemed_accepted(self, service, clock):
        """The notice period of art. 32 (5 working days from receipt on Mon 2 Nov: Mon 9 Nov) turns
        yellow on its last day and red after it, while the case is still submitted."""
        plan = service.catalogue.plan(BIZ)
        case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        service.submit(ME, case.id, form=sample_form(plan), materials=[], channel="online")
        supervision = Supervision(service, yellow_days=0)
        supervision.scan()
        assert levels(supervision, case.id) == []
        clock.set(dt.datetime(2026, 11, 9, 9, 0, tzinfo=TZ))
        supervision.scan()
        assert levels(supervision, case.id) == [("notice", case.id, "yellow")]
        clock.set(dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ))
        supervision.scan()
        assert ("notice", case.id, "red") in levels(supervision, case.id)

    def test_bad_threshold_is_refused(self, service):
        """A negative threshold is an input error."""
        with pytest.raises(InvalidInput):
            Supervision(service, yellow_days=-1)

    def test_concurrent_workers_record_each_warning_once(self, service, clock, store):
        """Four workers scanning at once record every warning exactly once between them."""
        for _ in range(12):
            accepted_business(service)
        clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
        results = []
        errors = []
        barrier = threading.Barrier(4)

        def work(n):
            try:
                barrier.wait()
                results.append(Supervision(service, worker=f"w{n}").scan(batch=5))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        deadlines = 12 * 2  # each case's promise and its registration's, due Tue 3 Nov
        assert sum(r.red for r in results) == deadlines
        with store.transaction(readonly=True) as tx:
            count = tx.connection.exec_driver_sql(
                "SELECT count(*) FROM warnings WHERE level = 'red'"
            ).scalar()
        assert count == deadlines


class TestReport:
    def test_empty_database_gives_an_empty_report(self, service):
        """No cases: zeros and a plain sentence, in every format."""
        report = Supervision(service).report()
        assert report.total.cases == 0
        assert "no cases in this period" in render_report(report, "text")
        assert render_report(report, "csv").splitlines()[1].startswith("all,0,0,")
        assert "no cases in this period" in render_report(report, "html")

    def test_figures_of_known_cases(self, service, clock):
        """On-time share, trips, notices, deficiency and satisfaction add up."""
        plan = service.catalogue.plan(BIZ)
        done = accepted_business(service)
        for item in plan.items:
            service.start_review(reviewer(service, item.code), done, item.code)
            service.approve(reviewer(service, item.code), done, item.code)
        deliver(service, done)
        service.rate(ME, done, 5)
        owed = accepted_business(service, hold_back=("premises-lease",))
        late = accepted_business(service)
        clock.set(dt.datetime(2026, 11, 5, 9, 0, tzinfo=TZ))
        for item in plan.items:
            service.start_review(reviewer(service, item.code), late, item.code)
            service.approve(reviewer(service, item.code), late, item.code)
        flat = service.open_case(CLERK, FLAT, PERSON, channel="window", location=LOCATION, parties=SELLER)
        report = Supervision(service).report(by="matter")
        total = report.total
        assert (total.cases, total.concluded, total.on_time) == (4, 2, 1)
        assert total.open_overdue == 1  # the case accepted with a deficiency, due Tue 3 Nov
        # trips are judged on concluded cases only: the open ones and the draft at the window never count
        assert (total.concluded_cases, total.zero_trips, total.at_most_one_trip, total.max_trips) == (2, 2, 2, 0)
        assert total.to_dict()["zero_trip_share"] == 1.0
        assert total.deficiency_cases == 1
        assert service.get(SUPERVISOR, owed).owed == ["premises-lease"]  # … the case counted
        assert service.get(SUPERVISOR, owed).colour == "red"  # … and the one open overdue
        assert total.ratings == {5: 1}
        assert report.trips_distribution == {"0": 2, "1": 0, "2": 0, "3+": 0}
        assert [g.key for g in report.groups] == [FLAT, BIZ]
        by_matter = {g.key: g for g in report.groups}
        assert flat.trips == 1  # opened at the window: the only trip of the four cases
        assert (by_matter[FLAT].cases, by_matter[FLAT].concluded_cases, by_matter[BIZ].max_trips) == (1, 0, 0)
        assert (by_matter[FLAT].deficiency_cases, by_matter[BIZ].deficiency_cases) == (0, 1)
        assert report.trend == (("2026-11", 2, 1),)

    def test_good_share_counts_everything_that_is_not_a_bad_rating(self, service):
        """好评率 (国办发〔2019〕51号): one 基本满意 and one 不满意 give 0.5 (the old 'satisfied' share gave
        0.0); 主动评价率 is rated ÷ concluded; 差评回访率 counts the callbacks recorded."""
        rated = [done_business(service) for _ in range(3)]
        service.rate(ME, rated[0], 3)
        service.rate(ME, rated[1], 2, "等太久")
        figures = Supervision(service).report().total.to_dict()
        assert (figures["good_share"], figures["bad_share"]) == (0.5, 0.5)
        assert figures["active_rating_share"] == round(2 / 3, 4)
        assert figures["bad_callback_share"] == 0.0
        service.record_callback(SUPERVISOR, rated[1], "已电话回访")
        assert Supervision(service).report().total.to_dict()["bad_callback_share"] == 1.0

    def test_a_rating_about_a_department_counts_for_it_alone(self, service):
        """A 差评 about the tax item's department counts for the tax department only, not for the
        other six departments of the case (by department, ratings are attributed by what they are about)."""
        tax = service.catalogue.item("330102-SW-XBNSR").department
        case_id = done_business(service)
        service.rate(ME, case_id, 1, "发票申领被退回三次", about={"kind": "department", "id": tax})
        groups = {g.key: g for g in Supervision(service).report(by="department").groups}
        assert groups[tax].ratings == {1: 1} and groups[tax].bad_ratings == 1
        others = [g for key, g in groups.items() if key != tax]
        assert len(others) >= 5 and all(g.ratings == {} and g.bad_ratings == 0 for g in others)
        assert Supervision(service).report().total.bad_ratings == 1  # and once overall

    def test_an_upheld_appeal_removes_the_rating_from_the_figures(self, service):
        """申诉复核: the department appeals a malicious 差评; upheld by a supervisor, the rating leaves the
        figures (it stays in the history) and its rectification is withdrawn."""
        tax = service.catalogue.item("330102-SW-XBNSR").department
        case_id = done_business(service)
        service.rate(ME, case_id, 1, "随便打的", about={"kind": "department", "id": tax})
        service.appeal_rating(Actor(Role.REVIEWER, "rev-tax", department=tax), case_id, "申请人系误评，已电话确认")
        assert Supervision(service).report().total.bad_ratings == 1  # counted until decided
        service.decide_appeal(SUPERVISOR, case_id, decision="upheld", note="经核实为误评")
        total = Supervision(service).report().total
        assert (total.bad_ratings, total.appeals, total.appeals_upheld, sum(total.ratings.values())) == (0, 1, 1, 0)
        case = service.case(SUPERVISOR, case_id)
        assert case.ratings[0].appeal.decision == "upheld" and case.rectification.withdrawn_at is not None

    def test_legal_limits_and_stopped_clocks_in_the_figures(self, service, clock):
        """超承诺 apart from 超法定; suspension and correction days; a repeated notice counted."""
        actor = reviewer(service, REGISTRATION)
        stopped = accepted_business(service)
        service.start_review(actor, stopped, REGISTRATION)
        service.suspend(actor, stopped, REGISTRATION, "专家评审", basis="expert_review", expected_days=5)
        clock.advance_working_days(3, service.calendar)  # Thu 5 Nov
        service.resume(actor, stopped, REGISTRATION)
        service.request_correction(actor, stopped, REGISTRATION, note="章程缺页", days=5)
        clock.advance_working_days(2, service.calendar)  # Mon 9 Nov
        service.supply_correction(ME, stopped, REGISTRATION, channel="online")
        late = accepted_business(service)  # accepted Mon 9 Nov: promise Tue 10, legal Thu 12 Nov
        noticed = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        plan = service.catalogue.plan(BIZ)
        service.submit(ME, noticed.id, form=sample_form(plan), materials=[], channel="online")
        service.give_notice(CLERK, noticed.id)
        service.supplement(ME, noticed.id, materials=[plan.materials[0].material.id], channel="online")
        service.give_notice(CLERK, noticed.id)
        clock.set(dt.datetime(2026, 11, 13, 9, 0, tzinfo=TZ))
        total = Supervision(service).report().total.to_dict()
        assert (total["suspension_days"], total["correction_days"]) == (3, 2)
        assert total["open_overdue"] == 2 and total["open_legal_overdue"] == 0  # 超承诺, not 超法定
        assert total["one_time_notice_breaches"] == 1
        clock.set(dt.datetime(2026, 12, 31, 9, 0, tzinfo=TZ))  # past both legal chains (18 working days)
        assert Supervision(service).report().total.open_legal_overdue == 2
        assert service.get(SUPERVISOR, late).state == "in_progress"

    def test_a_partitions_totals_are_the_wholes(self, service, clock):
        """By matter, location or month the total is the groups' sum (means weighted, p90 of the
        whole): it equals the report without grouping, figure for figure."""
        for level in (5, 2):
            service.rate(ME, done_business(service), level)
        accepted_business(service, hold_back=("premises-lease",))
        clock.set(dt.datetime(2026, 11, 6, 9, 0, tzinfo=TZ))
        done_business(service)
        service.open_case(CLERK, FLAT, PERSON, channel="window", location=LOCATION, parties=SELLER)
        whole = Supervision(service).report().total.to_dict()
        for by in ("matter", "location", "month"):
            assert Supervision(service).report(by=by).total.to_dict() == whole, by

    def test_text_columns_line_up_for_chinese_labels(self, service):
        """Every value of the text report starts at the same display column, Chinese labels
        taking two columns a character (measured with wcwidth, as a terminal shows them)."""
        from oneservice.supervision.render import COLUMNS, display_width

        done_business(service)
        text = render_report(Supervision(service).report(), "text")
        labels = [label for _, label in COLUMNS[1:]]
        starts = set()
        for line in text.splitlines():
            label = next((lb for lb in labels if line.startswith(f"  {lb}")), None)
            if label is not None:
                starts.add(display_width(line) - display_width(line.rstrip().split()[-1]))
        assert len(starts) == 1, starts
        assert display_width("好评率") == 6 and len("好评率") == 3

    def test_html_shares_on_an_absolute_scale(self, service):
        """A share of 2/3 is drawn at two thirds of the 100 % mark, not scaled to the largest bar."""
        import re

        for level in (5, 4, 2):
            service.rate(ME, done_business(service), level)
        page = render_report(Supervision(service).report(by="matter"), "html")
        chart = page[page.index('id="chart-shares"'):]
        chart = chart[:chart.index("</svg>")]
        [span] = {float(w) for w in re.findall(r'class="scale" x="\d+" y="\d+" width="([\d.]+)"', chart)}
        bars = {float(v): float(w) for w, v in re.findall(r'class="bar" x="\d+" y="\d+" width="([\d.]+)" '
                                                          r'height="\d+" fill="[^"]+" data-value="([\d.]+)"', chart)}
        assert abs(bars[0.6667] - span * 0.6667) < 0.2  # 好评率 2/3
        assert abs(bars[1.0] - span) < 0.2  # on time: 100 % fills the scale, no more
        assert "开办企业" in page and "start-a-business" not in page.split("<table")[1].split("</td>")[0]

    def test_grouping_by_department_and_location(self, service):
        """Every department of the matter counts the case once; the location counts it once."""
        accepted_business(service)
        by_department = Supervision(service).report(by="department")
        departments = service.catalogue.plan(BIZ).departments
        assert [g.key for g in by_department.groups] == sorted(set(departments))
        assert {g.cases for g in by_department.groups} == {1}
        by_location = Supervision(service).report(by="location")
        assert [(g.key, g.cases) for g in by_location.groups] == [(LOCATION, 1)]

    def test_date_range_filters_on_opening(self, service, clock):
        """Cases opened outside the range are left out; the end day is included."""
        accepted_business(service)
        clock.set(dt.datetime(2026, 11, 3, 23, 30, tzinfo=TZ))
        accepted_business(service)
        day = dt.date(2026, 11, 3)
        assert Supervision(service).report(day, day).total.cases == 1
        assert Supervision(service).report(dt.date(2026, 11, 2), day).total.cases == 2

    def test_bad_ranges_and_groupings(self, service):
        """A reversed range and an unknown grouping are input errors naming the field."""
        with pytest.raises(InvalidInput) as info:
            Supervision(service).report(dt.date(2026, 12, 1), dt.date(2026, 11, 1))
        assert info.value.field == "to"
        with pytest.raises(InvalidInput) as info:
            Supervision(service).report(by="colour")
        assert info.value.field == "by"
