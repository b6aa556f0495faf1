"""Steps: the catalogue, today's date and the passing of time, the applicant."""

from __future__ import annotations

import datetime as dt

from oneservice import Applicant
from oneservice.samples import sample_company_code, sample_resident_id

from .library import step_def
from .world import World

SECTION = "Catalogue, time and applicants"


@step_def("setup", SECTION,
          'the catalogue in "{folder}"',
          '事项目录位于 "{folder}"')
def catalogue_in(world: World, folder: str) -> None:
    """Use the items and matters under ``folder`` (relative to the project root). Without this
    step a scenario uses ``workflows/`` (the ini option ``oneservice_workflows`` changes it).
    A catalogue with definition errors fails the scenario with every finding."""
    world.load(folder)


@step_def("setup", SECTION,
          "today is {day:date}[ at {at:time}]",
          "今天是 {day:date}[ {at:time}]")
def today_is(world: World, day: dt.date, at: dt.time | None) -> None:
    """Set the simulated clock (09:00 unless a time is given). Before the first case any date
    may be set; later, time only moves forward. Without this step today is Monday 2 November
    2026."""
    world.set_today(day, at)


@step_def("action", SECTION,
          "{n:int} working day[s] pass[es]",
          "过了 {n:int} 个工作日")
def working_days_pass(world: World, n: int) -> None:
    """Move the clock to 09:00 of the n-th working day after today, on the official calendar
    (weekends, public holidays and make-up working days 调休 included)."""
    world.clock.advance_working_days(n, world.service.calendar)


@step_def("action", SECTION,
          "{n:int} (calendar day|day)[s] pass[es]",
          "过了 {n:int} (个自然日|天)")
def days_pass(world: World, n: int) -> None:
    """Move the clock forward by n calendar days (same time of day)."""
    world.clock.advance(days=n)


@step_def("setup", SECTION,
          'an applicant "{name}"[ with resident ID "{number}"]',
          '申请人是 "{name}"[，身份证号码 "{number}"]')
def person(world: World, name: str, number: str | None) -> None:
    """The applicant of the next case: a person. Without an ID number a valid sample number is
    used. Without this step the applicant is 张三 with a sample ID number."""
    world.applicant = Applicant("person", number or sample_resident_id(1), name, "13800138000")


@step_def("setup", SECTION,
          'the party "{role}" is "{name}"[ with resident ID "{number}"]',
          '当事人 "{role}" 是 "{name}"[，身份证号码 "{number}"]')
def party_person(world: World, role: str, name: str, number: str | None) -> None:
    """Another party of the next case, a person, in a role its matter declares (by id or name:
    seller, 卖方). A required role no step names gets a sample party."""
    world.parties[role] = Applicant("person", number or sample_resident_id(2 + len(world.parties)), name,
                                    "13900139000")


@step_def("setup", SECTION,
          'a company "{name}"[ with credit code "{number}"]',
          '申请企业是 "{name}"[，统一社会信用代码 "{number}"]')
def company(world: World, name: str, number: str | None) -> None:
    """The applicant of the next case: a company, with its unified social credit code (a valid
    sample code if none is given)."""
    world.applicant = Applicant("company", number or sample_company_code(1), name, "0571-88888888")
