"""China's official working-day calendar (工作日历), used for every statutory time limit.

The State Council announces each December which weekdays of the coming year are days off
(法定节假日, *holidays* here) and which Saturdays or Sundays are working days instead (调休上班,
*make-up workdays* here). Every other Monday–Friday is a working day and every other
Saturday–Sunday is not.

:meth:`WorkCalendar.default` knows the years bundled with the ``chinese_calendar`` package
(2004–2026 for version 1.11). Years published later are added with :meth:`WorkCalendar.with_year`
or :meth:`WorkCalendar.with_year_data` (a parsed ``workflows/calendars/<year>.yaml``); loaded
data overrides the bundled data for its year.

For a year the calendar does not cover, Monday–Friday are treated as working days. That
fallback is never silent: every deadline computed with it comes back as a :class:`Due` with
``provisional=True``, and :meth:`WorkCalendar.covers` tells callers which years are known.

Counting follows Chinese administrative practice: the day of the starting event is not
counted (期间开始的当日不计算在期间内), and a period measured in calendar days that ends on a
day off ends on the first working day after it (《行政许可法》第八十二条).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from oneservice.errors import CalendarError

__all__ = ["Due", "WorkCalendar"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOP_KEYS = ("year", "source", "holidays", "workdays")
_HOLIDAY_KEYS = ("name", "from", "to")


@attrs.frozen
class Due:
    """A computed deadline: the day, and whether an uncovered year made it a Mon–Fri guess."""

    date: dt.date
    provisional: bool


@attrs.frozen
class _YearData:
    """One year's exceptions to the Mon–Fri week, and where they come from."""

    holidays: frozenset[date]  # Monday–Friday days off
    workdays: frozenset[date]  # Saturdays / Sundays that are working days
    source: str


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


# --------------------------------------------------------------------------- helpers


def _is_workday(d: date, data: _YearData | None) -> bool:
    """Whether ``d`` is a working day given its year's data (``None``: Mon–Fri fallback)."""
    if d.weekday() < _SATURDAY:
        return data is None or d not in data.holidays
    return data is not None and d in data.workdays


def _weekdays_in(lo: date, hi: date) -> int:
    """How many Mondays–Fridays lie in ``lo..hi`` (both included; 0 if ``hi < lo``)."""
    days = (hi - lo).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    first = lo.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < _SATURDAY)


def _describe(d: date) -> str:
    return f"{d.isoformat()} ({_WEEKDAY_NAMES[d.weekday()]})"


def _weekday_workday_problem(d: date) -> str:
    return (
        f"make-up workday {_describe(d)} is not a Saturday or Sunday, so it is a working day "
        "anyway — list only weekend days that are worked (调休上班)"
    )


def _check_date(value: object, year: int, what: str) -> date:
    """``value`` as a date of ``year``, or a :class:`CalendarError` saying what to fix."""
    if isinstance(value, dt.datetime) or not isinstance(value, date):
        raise CalendarError(f"calendar {year}: {what} {value!r} is not a date — give a datetime.date")
    if value.year != year:
        raise CalendarError(
            f"calendar {year}: {what} {value.isoformat()} is not in {year} — "
            f"list it in the calendar for {value.year} instead"
        )
    return value


def _validated_year(year: int, holidays: Iterable[date], workdays: Iterable[date], source: str) -> _YearData:
    """Check one year's data (see :meth:`WorkCalendar.with_year`) and freeze it."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise CalendarError(f"calendar year must be an integer 1..9999, got {year!r}")
    if not isinstance(source, str) or not source.strip():
        raise CalendarError(
            f"calendar {year}: source must name the notice the data comes from "
            "(e.g. 国务院办公厅关于…节假日安排的通知)"
        )
    days_off = frozenset(_check_date(d, year, "holiday") for d in holidays)
    working = frozenset(_check_date(d, year, "make-up workday") for d in workdays)
    for d in sorted(days_off & working):
        raise CalendarError(
            f"calendar {year}: {d.isoformat()} is listed both as a holiday and as a make-up "
            "workday — remove it from one of the two lists"
        )
    for d in sorted(working):
        if d.weekday() < _SATURDAY:
            raise CalendarError(f"calendar {year}: {_weekday_workday_problem(d)}")
    for d in sorted(days_off):
        if d.weekday() >= _SATURDAY:
            raise CalendarError(
                f"calendar {year}: holiday {_describe(d)} is a weekend day, which is a day off "
                "anyway — list only Monday–Friday days off"
            )
    return _YearData(days_off, working, source.strip())


# --------------------------------------------------------------------------- parsing a mapping


def _data_error(year: object, path: str, problem: str) -> CalendarError:
    where = f"calendar data for {year}" if isinstance(year, int) else "calendar data"
    return CalendarError(f"{where}: at {path}: {problem}")


def _parse_date(value: object, year: object, path: str) -> date:
    """A ``datetime.date`` or ISO ``YYYY-MM-DD`` string as a date."""
    if isinstance(value, date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _data_error(year, path, f"{value!r} is not a date — write it as YYYY-MM-DD")


def _check_keys(data: Mapping[Any, Any], allowed: Sequence[str], year: object, path: str) -> None:
    import difflib

    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            raise _data_error(year, f"{path}{key}", f"unknown key {key!r} — {hint}")


def _require(data: Mapping[Any, Any], key: str, year: object, path: str) -> Any:
    if key not in data:
        raise _data_error(year, f"{path}{key}", "this key is required")
    return data[key]


def _require_list(data: Mapping[Any, Any], key: str, year: object) -> list[Any]:
    value = _require(data, key, year, "")
    if not isinstance(value, list | tuple):
        raise _data_error(year, key, f"expected a list (write `{key}: []` if there are none)")
    return list(value)


def _parse_name(value: object, year: object, path: str) -> None:
    if isinstance(value, str):
        return
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return
    raise _data_error(year, path, "expected a string or a mapping such as {zh: 元旦, en: New Year's Day}")


def _parse_range(entry: object, year: object, path: str) -> list[date]:
    """The days of one ``{name, from, to}`` holiday entry."""
    if not isinstance(entry, Mapping):
        raise _data_error(year, path, "expected a mapping with keys name, from, to")
    _check_keys(entry, _HOLIDAY_KEYS, year, f"{path}.")
    if "name" in entry:
        _parse_name(entry["name"], year, f"{path}.name")
    first = _parse_date(_require(entry, "from", year, f"{path}."), year, f"{path}.from")
    last = _parse_date(_require(entry, "to", year, f"{path}."), year, f"{path}.to")
    if last < first:
        raise _data_error(year, f"{path}.to", f"{last.isoformat()} is before from {first.isoformat()}")
    for key, d in (("from", first), ("to", last)):
        if isinstance(year, int) and d.year != year:
            raise _data_error(
                year,
                f"{path}.{key}",
                f"{d.isoformat()} is not in {year} — split the range and put the days of "
                f"{d.year} in that year's calendar",
            )
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _parse_year_data(data: object) -> tuple[int, list[date], list[date], str]:
    """Check the shape of a parsed calendar file; dates are range-checked afterwards."""
    if not isinstance(data, Mapping):
        raise _data_error(None, "<root>", f"expected a mapping, got {type(data).__name__}")
    raw_year = data.get("year")
    _check_keys(data, _TOP_KEYS, raw_year, "")
    year = _require(data, "year", raw_year, "")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise _data_error(None, "year", f"expected a year such as 2027, got {year!r}")
    source = _require(data, "source", year, "")
    if not isinstance(source, str) or not source.strip():
        raise _data_error(year, "source", "name the notice the data comes from (a non-empty string)")
    days_off: list[date] = []
    for i, entry in enumerate(_require_list(data, "holidays", year)):
        days_off.extend(_parse_range(entry, year, f"holidays[{i}]"))
    working: list[date] = []
    for i, value in enumerate(_require_list(data, "workdays", year)):
        d = _parse_date(value, year, f"workdays[{i}]")
        if d.year != year:
            raise _data_error(
                year,
                f"workdays[{i}]",
                f"{d.isoformat()} is not in {year} — list it in the calendar for {d.year} instead",
            )
        if d.weekday() < _SATURDAY:
            raise _data_error(year, f"workdays[{i}]", _weekday_workday_problem(d))
        if d in days_off:
            raise _data_error(
                year,
                f"workdays[{i}]",
                f"{d.isoformat()} is also inside a holiday range — remove it from one of them",
            )
        working.append(d)
    return year, days_off, working, source


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
    def weekdays_only(cls) -> WorkCalendar:
        """A calendar with no data at all: Mon–Fri everywhere, every deadline provisional."""
        return cls(bundled=False)

    # ---- building

    def with_year(
        self, year: int, *, holidays: Iterable[date], workdays: Iterable[date], source: str
    ) -> WorkCalendar:
        """A new calendar that also knows ``year`` (replacing any bundled data for it).

        ``holidays`` are the Monday–Friday days off, ``workdays`` the Saturdays/Sundays worked
        (调休上班), ``source`` the notice they come from. Raises :class:`CalendarError` if a
        date is outside ``year``, in both lists, a weekend "holiday" or a weekday "workday".
        """
        data = _validated_year(year, holidays, workdays, source)
        return WorkCalendar(bundled=self._bundled, loaded={**self._loaded, year: data})

    def with_year_data(self, data: Mapping[str, Any]) -> WorkCalendar:
        """:meth:`with_year` from a parsed calendar file.

        ``{"year": 2027, "source": "…", "holidays": [{"name": {"zh": …, "en": …},
        "from": "2027-01-01", "to": "2027-01-03"}, …], "workdays": ["2027-02-20", …]}``.
        Holiday ranges list every day off, weekend days included; only their weekdays are
        kept. Dates may be ``datetime.date`` or ISO strings. Malformed data raises
        :class:`CalendarError` naming the key path (e.g. ``holidays[2].from``).
        """
        year, days_off, working, source = _parse_year_data(data)
        weekdays_off = [d for d in days_off if d.weekday() < _SATURDAY]
        return self.with_year(year, holidays=weekdays_off, workdays=working, source=source)

    # ---- queries

    def covers(self, year: int) -> bool:
        """Whether the official schedule of ``year`` is known (else Mon–Fri is assumed)."""
        return year in self._loaded or (self._bundled and year in _bundled_years())

    @property
    def known_years(self) -> frozenset[int]:
        """Every year the calendar has official data for."""
        bundled = _bundled_years() if self._bundled else range(0)
        return frozenset(bundled).union(self._loaded)

    def source(self, year: int) -> str | None:
        """Where the data for ``year`` comes from, or ``None`` if the year is not covered."""
        data = self._year(year)
        return None if data is None else data.source

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (Mon–Fri for a year not covered; see :meth:`covers`)."""
        return _is_workday(d, self._year(d.year))

    def add_working_days(self, start: date, n: int) -> Due:
        """The ``n``-th working day strictly after ``start``; ``n == 0`` gives ``start`` itself.

        ``provisional`` is True if any day examined lies in a year not covered.
        ``n == 0`` examines no day, so it is never provisional.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, remaining, provisional = start, n, False
        year, data = -1, None
        while remaining:
            day += _ONE_DAY
            if day.year != year:
                year, data = day.year, self._year(day.year)
                provisional = provisional or data is None
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
        provisional = data is None
        while not _is_workday(day, data):
            day += _ONE_DAY
            if day.year != year:
                year, data = day.year, self._year(day.year)
                provisional = provisional or data is None
        return Due(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``).

        Uncovered years count Monday–Friday.
        """
        if end <= start:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            lo = max(start + _ONE_DAY, date(year, 1, 1))
            hi = min(end, date(year, 12, 31))
            count += _weekdays_in(lo, hi)
            data = self._year(year)
            if data is not None:
                count -= sum(1 for d in data.holidays if lo <= d <= hi)
                count += sum(1 for d in data.workdays if lo <= d <= hi)
        return count

    # ---- internals

    def _year(self, year: int) -> _YearData | None:
        data = self._loaded.get(year)
        if data is None and self._bundled:
            data = _bundled_year(year)
        return data

    def __repr__(self) -> str:
        parts = []
        if self._bundled:
            years = _bundled_years()
            parts.append(f"bundled {years.start}–{years.stop - 1}")
        if self._loaded:
            parts.append("loaded " + ", ".join(str(y) for y in sorted(self._loaded)))
        return f"WorkCalendar({'; '.join(parts) or 'Mon–Fri only'})"
