"""The report from the figures kept per case equals the report computed from the cases, on both
databases: every grouping, period and day, through ratings, appeals, callbacks, rectifications,
deficiency, notices, stopped clocks, warnings and two months; rebuilt, they are the same rows."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from test_supervision import (
    BIZ,
    CLERK,
    FLAT,
    LOCATION,
    ME,
    PERSON,
    REGISTRATION,
    ROOT,
    SELLER,
    SUPERVISOR,
    accepted_business,
    done_business,
    reviewer,
)

from oneservice import TZ, Actor, Role
from oneservice.cli import main
from oneservice.samples import sample_form
from oneservice.store.tables import cases, figure_cases, figure_departments
from oneservice.supervision import Supervision
from oneservice.supervision.supervisor import GROUPINGS

WORKFLOWS = str(ROOT / "workflows")


def city(service, clock) -> None:
    """Cases of two months touching every figure: on time and late, rated well and badly (about
    the case and about a department), an appeal upheld, a callback, deficiency, notices, a
    suspension and a correction, a draft at the window, warnings recorded by a scan."""
    tax = service.catalogue.item("330102-SW-XBNSR").department
    november = done_business(service)  # Mon 2 Nov
    service.rate(ME, november, 2, "等太久")
    service.record_callback(SUPERVISOR, november, "已电话回访")
    late = accepted_business(service)  # left to run past its promise
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
    for level in (5, 3):
        service.rate(ME, done_business(service), level)
    appealed = done_business(service)
    service.rate(ME, appealed, 1, "随便打的", about={"kind": "department", "id": tax})
    service.appeal_rating(Actor(Role.REVIEWER, "rev-tax", department=tax), appealed, "申请人系误评")
    service.decide_appeal(SUPERVISOR, appealed, decision="upheld", note="经核实为误评")
    about = done_business(service)
    service.rate(ME, about, 1, "发票申领被退回三次", about={"kind": "department", "id": tax})
    accepted_business(service, hold_back=("premises-lease",))
    actor = reviewer(service, REGISTRATION)
    stopped = accepted_business(service)
    service.start_review(actor, stopped, REGISTRATION)
    service.suspend(actor, stopped, REGISTRATION, "专家评审", basis="expert_review", expected_days=5)
    clock.advance_working_days(3, service.calendar)
    service.resume(actor, stopped, REGISTRATION)
    service.request_correction(actor, stopped, REGISTRATION, note="章程缺页", days=5)
    clock.advance_working_days(2, service.calendar)
    service.supply_correction(ME, stopped, REGISTRATION, channel="online")
    noticed = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    plan = service.catalogue.plan(BIZ)
    service.submit(ME, noticed.id, form=sample_form(plan), materials=[], channel="online")
    service.give_notice(CLERK, noticed.id)
    service.supplement(ME, noticed.id, materials=[plan.materials[0].material.id], channel="online")
    service.give_notice(CLERK, noticed.id)
    service.open_case(CLERK, FLAT, PERSON, channel="window", location=LOCATION, parties=SELLER)
    for item in plan.items:
        service.start_review(reviewer(service, item.code), late, item.code)
        service.approve(reviewer(service, item.code), late, item.code)
    clock.set(dt.datetime(2026, 12, 14, 9, 0, tzinfo=TZ))
    Supervision(service).scan()


def reports(supervision, start=None, end=None, *, computed):
    return {by: attrs.evolve(supervision.report(start, end, by, computed=computed), generated_at=None)
            for by in (None, *GROUPINGS)}


def test_kept_figures_give_the_computed_report(service, clock) -> None:
    """Every grouping, the whole and two periods (one cutting a month), on two days: the same
    report, figure for figure — and one with something in every column that can differ."""
    city(service, clock)
    supervision = Supervision(service)
    periods = [(None, None), (dt.date(2026, 12, 1), None), (dt.date(2026, 11, 1), dt.date(2026, 12, 2))]
    for day in (dt.datetime(2026, 12, 14, 9, 0, tzinfo=TZ), dt.datetime(2027, 2, 1, 9, 0, tzinfo=TZ)):
        clock.set(day)
        for start, end in periods:
            assert reports(supervision, start, end, computed=False) == reports(
                supervision, start, end, computed=True), (day, start, end)
    assert supervision.check_figures() == []
    total = supervision.report().total
    assert total.cases == 10 and total.ratings and total.bad_ratings and total.bad_called_back
    assert total.appeals_upheld == 1 and total.rectifications and total.deficiency_cases == 1
    assert total.suspension_days and total.correction_days and total.notice_breaches == 1
    assert total.open_overdue and total.open_legal_overdue and total.warnings
    assert len(supervision.report(by="month").groups) == 2


def kept_rows(store) -> tuple[list[tuple], list[tuple]]:
    with store.engine.connect() as conn:
        return (sorted(map(tuple, conn.execute(select(figure_cases)))),
                sorted(map(tuple, conn.execute(select(figure_departments)))))


def test_a_rebuild_writes_the_rows_the_saves_kept(service, clock, store) -> None:
    """The rows each save refreshed are the rows computed again from all the cases."""
    city(service, clock)
    kept = kept_rows(store)
    assert len(kept[0]) == 10 and len(kept[1]) > 10
    assert Supervision(service).rebuild_figures() == (len(kept[0]), len(kept[1]))
    assert kept_rows(store) == kept


def test_a_change_outside_the_store_is_found_and_rebuilt(service, clock, store, tmp_path) -> None:
    """Rows changed behind the store's back (an import, a repair) leave the kept figures behind:
    ``report --check`` says by which groupings and fails, ``report --rebuild`` brings them back."""
    done_business(service)
    with store.engine.begin() as conn:
        conn.execute(update(cases).values(notices=2))
    supervision = Supervision(service)
    assert supervision.check_figures() == ["all", *GROUPINGS]
    assert supervision.report(computed=True).total.notice_breaches == 1
    assert supervision.report().total.notice_breaches == 0  # kept: as the store last saved it
    url = store.url if store.dialect == "sqlite" else None
    if url is None:  # the CLI runs on the test's PostgreSQL schema only through the API
        assert supervision.rebuild_figures() == (1, 7)
    else:
        runner = CliRunner()
        checked = runner.invoke(main, ["report", "--db", url, "--workflows", WORKFLOWS, "--check"])
        assert checked.exit_code == 1 and "differ from the computed ones by all, matter" in checked.output
        rebuilt = runner.invoke(main, ["report", "--db", url, "--workflows", WORKFLOWS, "--rebuild", "--check"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert "rebuilt: 1 cases" in rebuilt.output and "equal the computed ones" in rebuilt.output
    assert supervision.check_figures() == []
    assert supervision.report().total.notice_breaches == 1


@pytest.mark.parametrize("by", [None, "department"])
def test_an_empty_database_reports_nothing_either_way(service, by) -> None:
    supervision = Supervision(service)
    assert reports(supervision, computed=False) == reports(supervision, computed=True)
