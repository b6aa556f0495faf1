"""China's official working-day calendar (工作日历), used for every statutory time limit.

The State Council announces each December which weekdays of the coming year are days off
(法定节假日, *holidays* here) and which Saturdays or Sundays are working days instead (调休上班,
*make-up workdays* here). Every other Monday–Friday is a working day and every other
Saturday–Sunday is not.

:meth:`WorkCalendar.default` knows the years bundled with the ``chinese_calendar`` package
(2004–2026 for version 1.11). Years published later are added with :meth:`WorkCalendar.with_year`
or :meth:`WorkCalendar.with_year_data` (a parsed ``workflows/calendars/<year>.yaml``); loaded
data overrides the bundled data for its year.

For a year the calendar does not cover, the calendar *guesses*: Monday–Friday are working days
except the holidays whose Gregorian dates the law fixes in advance (:data:`FIXED_HOLIDAYS`, from
《全国年节及纪念日放假办法》第二条 as amended on 10 November 2024, in force from 1 January 2025:
元旦 1 January; 劳动节 1–2 May; 国庆节 1–3 October). The other holidays of article 2 cannot be
guessed: 春节 (除夕 and 正月初一至初三), 端午节 and 中秋节 follow the lunar calendar, 清明节 a solar
term (4 or 5 April), and the State Council's yearly notice moves days around them (调休, including
the Saturdays and Sundays worked) that no rule predicts. A guess is never silent: every deadline
computed with it comes back as a :class:`Due` with ``provisional=True``, and
:meth:`WorkCalendar.covers` tells callers which years are known.

Counting follows Chinese administrative practice: the day of the starting event is not
counted (期间开始的当日不计算在期间内), and a period measured in calendar days that ends on a
day off ends on the first working day after it (《行政许可法》第八十二条).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import attrs

from ..catalog.calendars import CalendarData, check_calendar_file, check_calendar_year

__all__ = ["FIXED_HOLIDAYS", "Due", "WorkCalendar"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6


FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
"""(month, day) of the holidays with a fixed Gregorian date, the days off of a guessed year.

《全国年节及纪念日放假办法》(1949, fourth amendment by the State Council's decision of
2024-11-10, in force 2025-01-01), 第二条: 元旦 1 day (1 January), 劳动节 2 days (1 and 2 May),
国庆节 3 days (1 to 3 October). 春节, 清明节, 端午节 and 中秋节 are not fixed in this calendar.
"""


@attrs.frozen
class Due:
    """A computed deadline: the day, and whether a guessed (uncovered) year went into it."""

    date: dt.date
    provisional: bool


@attrs.frozen
class _YearData:
    """One year's exceptions to the Mon–Fri week, and where they come from."""

    holidays: frozenset[date]  # Monday–Friday days off
    workdays: frozenset[date]  # Saturdays / Sundays that are working days
    source: str
    guessed: bool = False  # no official data: the fixed-date holidays only (results provisional)


# --------------------------------------------------------------------------- bundled data


@functools.cache
def _bundled_years() -> range:
    """The years ``chinese_calendar`` has data for (imported on first use only)."""
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


@functools.cache
def _bundled_year(year: int) -> _YearData | None:
    """The bundled data for ``year``, computed once from ``chinese_calendar``'s tables."""
    if year not in _bundled_years():
        return None
    import chinese_calendar

    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= _SATURDAY)
    # chinese_calendar.is_workday: a date listed as a workday wins over a holiday entry.
    holidays = frozenset(
        d
        for d in chinese_calendar.holidays
        if d.year == year and d.weekday() < _SATURDAY and d not in chinese_calendar.workdays
    )
    version = getattr(chinese_calendar, "__version__", "?")
    return _YearData(holidays, workdays, f"chinese_calendar {version} (bundled)")


@functools.cache
def _guessed_year(year: int) -> _YearData:
    """The guess for a year without official data: its fixed-date holidays falling Mon–Fri."""
    days = (date(year, month, day) for month, day in FIXED_HOLIDAYS)
    holidays = frozenset(d for d in days if d.weekday() < _SATURDAY)
    return _YearData(holidays, frozenset(), "guess: fixed-date holidays only", guessed=True)


# --------------------------------------------------------------------------- helpers


def _is_workday(d: date, data: _YearData) -> bool:
    """Whether ``d`` is a working day given its year's data (official or guessed)."""
    if d.weekday() < _SATURDAY:
        return d not in data.holidays
    return d in data.workdays


def _weekdays_in(lo: date, hi: date) -> int:
    """How many Mondays–Fridays lie in ``lo..hi`` (both included; 0 if ``hi < lo``)."""
    days = (hi - lo).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    first = lo.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < _SATURDAY)


# --------------------------------------------------------------------------- the calendar


class WorkCalendar:
    """Which days are working days in mainland China, year by year.

    Instances are immutable: :meth:`with_year` and :meth:`with_year_data` return new ones.
    Build the usual one with :meth:`default`.
    """

    __slots__ = ("_bundled", "_loaded")

    def __init__(self, *, bundled: bool = True, loaded: Mapping[int, _YearData] | None = None) -> None:
        """Prefer :meth:`default` or :meth:`weekdays_only`; ``loaded`` is internal."""
        self._bundled = bundled
        self._loaded: Mapping[int, _YearData] = dict(loaded or {})

    @classmethod
    def default(cls) -> WorkCalendar:
        """The calendar bundled with ``chinese_calendar``; each year is indexed on first use."""
        return cls(bundled=True)

    @classmethod
    def guess_only(cls) -> WorkCalendar:
        """A calendar with no official data at all: every year guessed (Mon–Fri less the
        fixed-date holidays, :data:`FIXED_HOLIDAYS`), every deadline provisional."""
        return cls(bundled=False)

    # ---- building

    def with_year(
        self, year: int, *, holidays: Iterable[date], workdays: Iterable[date], source: str
    ) -> WorkCalendar:
        """A new calendar that also knows ``year`` (replacing any bundled data for it).

        ``holidays`` are the Monday–Friday days off, ``workdays`` the Saturdays/Sundays worked
        (调休上班), ``source`` the notice they come from. Raises :class:`CalendarError` if a
        date is outside ``year``, in both lists, a weekend "holiday" or a weekday "workday"
        (:func:`~oneservice.catalog.calendars.check_calendar_year`).
        """
        return self._with(check_calendar_year(year, holidays, workdays, source).data_or_raise())

    def with_year_data(self, data: Mapping[str, Any]) -> WorkCalendar:
        """:meth:`with_year` from a parsed calendar file.

        ``{"year": 2027, "source": "…", "holidays": [{"name": {"zh": …, "en": …},
        "from": "2027-01-01", "to": "2027-01-03"}, …], "workdays": ["2027-02-20", …]}``.
        Holiday ranges list every day off, weekend days included; only their weekdays are
        kept. Dates may be ``datetime.date`` or ISO strings. The rules are those ``oneservice
        check`` applies to a calendar file (one validator,
        :func:`~oneservice.catalog.calendars.check_calendar_file`); malformed data raises
        :class:`CalendarError` for the first problem, naming its key path (e.g.
        ``holidays[2].from``).
        """
        return self._with(check_calendar_file(data).data_or_raise())

    def _with(self, data: CalendarData) -> WorkCalendar:
        year = _YearData(data.holidays, data.workdays, data.source)
        return WorkCalendar(bundled=self._bundled, loaded={**self._loaded, data.year: year})

    # ---- queries

    def covers(self, year: int) -> bool:
        """Whether the official schedule of ``year`` is known (else it is guessed)."""
        return year in self._loaded or (self._bundled and year in _bundled_years())

    @property
    def known_years(self) -> frozenset[int]:
        """Every year the calendar has official data for."""
        bundled = _bundled_years() if self._bundled else range(0)
        return frozenset(bundled).union(self._loaded)

    def source(self, year: int) -> str | None:
        """Where the data for ``year`` comes from, or ``None`` if the year is not covered."""
        data = self._year(year)
        return None if data.guessed else data.source

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (guessed for a year not covered; see :meth:`covers`)."""
        return _is_workday(d, self._year(d.year))

    def add_working_days(self, start: date, n: int) -> Due:
        """The ``n``-th working day strictly after ``start``; ``n == 0`` gives ``start`` itself.

        ``provisional`` is True if any day examined lies in a year not covered.
        ``n == 0`` examines no day, so it is never provisional.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, remaining, provisional = start, n, False
        year, data = start.year, self._year(start.year)
        while remaining:
            day += _ONE_DAY
            if day.year != year:
                year, data = day.year, self._year(day.year)
            provisional = provisional or data.guessed
            if _is_workday(day, data):
                remaining -= 1
        return Due(day, provisional)

    def add_calendar_days(self, start: date, n: int) -> Due:
        """``start + n`` days, moved on to the next working day if that is a day off.

        ``provisional`` is True if any day examined (the end day and the days after it up
        to the result) lies in a year not covered.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start + timedelta(days=n)
        year, data = day.year, self._year(day.year)
        provisional = data.guessed
        while not _is_workday(day, data):
            day += _ONE_DAY
            if day.year != year:
                year, data = day.year, self._year(day.year)
                provisional = provisional or data.guessed
        return Due(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``).

        Uncovered years are guessed (Monday–Friday less the fixed-date holidays).
        """
        if end <= start:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            lo = max(start + _ONE_DAY, date(year, 1, 1))
            hi = min(end, date(year, 12, 31))
            count += _weekdays_in(lo, hi)
            data = self._year(year)
            count -= sum(1 for d in data.holidays if lo <= d <= hi)
            count += sum(1 for d in data.workdays if lo <= d <= hi)
        return count

    # ---- internals

    def _year(self, year: int) -> _YearData:
        data = self._loaded.get(year)
        if data is None and self._bundled:
            data = _bundled_year(year)
        return _guessed_year(year) if data is None else data

    def __repr__(self) -> str:
        parts = []
        if self._bundled:
            years = _bundled_years()
            parts.append(f"bundled {years.start}–{years.stop - 1}")
        if self._loaded:
            parts.append("loaded " + ", ".join(str(y) for y in sorted(self._loaded)))
        return f"WorkCalendar({'; '.join(parts) or 'guessed only'})"
