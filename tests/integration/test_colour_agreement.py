"""The colour a case shows, the lists of yellow and red cases and the supervision scan agree.

All three take their thresholds from :class:`oneservice.domain.supervision.Thresholds`; here they
are compared on the days around a case deadline — the day before it turns yellow, the day it
does, its due date and the day after — with ``yellow_days`` 0 and 1, on SQLite and PostgreSQL.
The day it turns yellow is found without the rule under test: the first day from which at most
``yellow_days`` working days remain up to the due date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from oneservice import Actor, Applicant, OneService, Role, SimulatedClock
from oneservice.domain.supervision import Colour, Thresholds
from oneservice.samples import sample_form, sample_resident_id
from oneservice.store import supervision as sql
from oneservice.supervision import Supervision

ROOT = Path(__file__).resolve().parents[2]
BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk", location=LOCATION)
SUPERVISOR = Actor(Role.SUPERVISOR, "sup")
PERSON = Applicant("person", sample_resident_id(5), "钱七")
ME = Actor(Role.APPLICANT, "qianqi", applicant_id=PERSON.id_number)
OPENED = dt.date(2026, 11, 2)  # a Monday


def on(catalogue: Any, store: Any, day: dt.date, yellow_days: int) -> OneService:
    """The service as it is on ``day`` (09:00)."""
    return OneService(catalogue, store, clock=SimulatedClock(day), yellow_days=yellow_days)


def accepted_case(service: OneService) -> str:
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    materials = [line.material.id for line in plan.materials]
    service.submit(ME, case.id, form=sample_form(plan), materials=materials, channel="online")
    service.accept(CLERK, case.id)
    return case.id


def turns_yellow(service: OneService, due: dt.date, yellow_days: int) -> dt.date:
    """The first day from which at most ``yellow_days`` working days are left until ``due``."""
    day = due
    while service.calendar.working_days_between(day - dt.timedelta(days=1), due) <= yellow_days:
        day -= dt.timedelta(days=1)
    return day


def listed(service: OneService, case_id: str) -> set[Colour]:
    """The colours whose list (``cases_by_colour``) holds the case."""
    return {c for c in (Colour.YELLOW, Colour.RED)
            if case_id in [row.id for row in service.cases_by_colour(SUPERVISOR, c)]}


def scanned(service: OneService, case_id: str, yellow_days: int) -> set[Colour]:
    """The levels at which the supervision scan selects the case's own deadline."""
    thresholds = Thresholds.on(service.clock.today(), service.calendar, yellow_days)
    found = set()
    with service.store.transaction(readonly=True) as tx:
        for level in (Colour.YELLOW, Colour.RED):
            rows = sql.scan_candidates(tx, level, thresholds, 1000)
            if any(row[:3] == (case_id, "case", case_id) for row in rows):
                found.add(level)
    return found


@pytest.mark.parametrize("yellow_days", [0, 1])
def test_colour_lists_and_scan_agree_at_the_boundaries(catalogue: Any, store: Any, yellow_days: int) -> None:
    """Green the day before the threshold, yellow on it and on the due date, red the day after:
    the case's colour, the lists and the scan say the same on each of those days."""
    service = on(catalogue, store, OPENED, yellow_days)
    case_id = accepted_case(service)
    summary = service.get(SUPERVISOR, case_id)
    assert summary.due is not None
    due = dt.date.fromisoformat(summary.due)
    assert service.calendar.is_workday(due)
    start = turns_yellow(service, due, yellow_days)
    one = dt.timedelta(days=1)
    expected = {start - one: Colour.GREEN, start: Colour.YELLOW, due: Colour.YELLOW, due + one: Colour.RED}
    assert len(expected) == (4 if start < due else 3)  # yellow_days=0: the threshold is the due date
    seen = {}
    for day in sorted(expected):
        later = on(catalogue, store, day, yellow_days)
        colour = later.get(SUPERVISOR, case_id).colour
        assert isinstance(colour, Colour)
        assert listed(later, case_id) == scanned(later, case_id, yellow_days) == {colour} - {Colour.GREEN}
        seen[day] = colour
    assert seen == expected


@pytest.mark.parametrize("yellow_days", [0, 1])
def test_scan_warns_on_the_days_the_colour_changes(catalogue: Any, store: Any, yellow_days: int) -> None:
    """Scanning every day from the opening to the day after the due date records the case's
    yellow warning on the first yellow day and its red one on the first red day."""
    service = on(catalogue, store, OPENED, yellow_days)
    case_id = accepted_case(service)
    due = dt.date.fromisoformat(service.get(SUPERVISOR, case_id).due or "")
    first_warned: dict[str, dt.date] = {}
    first_coloured: dict[str, dt.date] = {}
    day = OPENED
    while day <= due + dt.timedelta(days=1):
        later = on(catalogue, store, day, yellow_days)
        Supervision(later, yellow_days=yellow_days).scan()
        for warning in Supervision(later).warnings(case_id):
            if warning["kind"] == "case":
                first_warned.setdefault(warning["level"], day)
        first_coloured.setdefault(later.get(SUPERVISOR, case_id).colour, day)
        day += dt.timedelta(days=1)
    assert first_warned == {c: d for c, d in first_coloured.items() if c != Colour.GREEN}
    assert set(first_warned) == {"yellow", "red"}
