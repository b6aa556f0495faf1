"""The clock of 12345 requests: response limits in working hours or working days on the official
calendar, and the supervision colour of what is due.

An office day is the 8 working hours from 09:00 to 17:00 of a working day (调休 Saturdays
included, holidays excluded). A limit in working hours runs in those hours only: 2 working hours
from 16:30 on a Friday end at 10:30 on the next working day. A limit of N working days ends at
17:00 of the N-th working day after the day it starts. A due time counted over a year the
calendar only guesses is *provisional*.
"""

from __future__ import annotations

import datetime as dt
import math

import attrs

from ..domain.requests import OFFICE_DAY_HOURS, ResponseLimit, ResponseUnit
from .calendar import WorkCalendar
from .clock import OFFICE_OPENS, TZ

__all__ = ["OFFICE_CLOSES", "RequestDue", "add_working_hours", "colour", "due_after", "working_hours_between"]

OFFICE_CLOSES = dt.time(OFFICE_OPENS.hour + OFFICE_DAY_HOURS, OFFICE_OPENS.minute)
"""17:00: the end of the office day."""


@attrs.frozen
class RequestDue:
    at: dt.datetime
    provisional: bool


def _opens(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, OFFICE_OPENS, TZ)


def _closes(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, OFFICE_CLOSES, TZ)


def _next_working_day(calendar: WorkCalendar, day: dt.date) -> tuple[dt.date, bool]:
    provisional = False
    while True:
        day += dt.timedelta(days=1)
        provisional = provisional or not calendar.covers(day.year)
        if calendar.is_workday(day):
            return day, provisional


def _office_start(calendar: WorkCalendar, moment: dt.datetime) -> tuple[dt.datetime, bool]:
    """``moment`` if the office is open then, else the next opening."""
    local = moment.astimezone(TZ)
    day = local.date()
    provisional = not calendar.covers(day.year)
    if calendar.is_workday(day) and local < _closes(day):
        return max(local, _opens(day)), provisional
    day, later = _next_working_day(calendar, day)
    return _opens(day), provisional or later


def add_working_hours(calendar: WorkCalendar, start: dt.datetime, hours: int) -> RequestDue:
    """The moment ``hours`` working hours after ``start``."""
    at, provisional = _office_start(calendar, start)
    left = dt.timedelta(hours=hours)
    while True:
        available = _closes(at.date()) - at
        if left <= available:
            return RequestDue(at + left, provisional)
        left -= available
        day, later = _next_working_day(calendar, at.date())
        at, provisional = _opens(day), provisional or later


def due_after(calendar: WorkCalendar, start: dt.datetime, limit: ResponseLimit) -> RequestDue:
    """When ``limit`` from ``start`` runs out."""
    if limit.unit is ResponseUnit.WORKING_HOURS:
        return add_working_hours(calendar, start, limit.value)
    local = start.astimezone(TZ)
    due = calendar.add_working_days(local.date(), limit.value)
    return RequestDue(_closes(due.date), due.provisional)


def working_hours_between(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """The working hours from ``start`` to ``end`` (0 when ``end`` is not later)."""
    total = dt.timedelta()
    at, _ = _office_start(calendar, start)
    end = end.astimezone(TZ)
    while at < end:
        close = _closes(at.date())
        total += min(close, end) - at
        day, _ = _next_working_day(calendar, at.date())
        at = _opens(day)
    return total.total_seconds() / 3600


YELLOW_SHARE = 0.2
"""A step turns yellow when no more than this share of its limit is left (at least 1 working hour)."""


def colour(calendar: WorkCalendar, now: dt.datetime, due: dt.datetime, limit: ResponseLimit) -> str:
    """``green``, ``yellow`` (near the limit) or ``red`` (overdue) of a step not yet done."""
    if now > due:
        return "red"
    left = working_hours_between(calendar, now, due)
    return "yellow" if left <= max(1, math.ceil(YELLOW_SHARE * limit.hours)) else "green"
