"""The one validator of calendar data: a year of China's official working-day calendar.

A year of the calendar (工作日历) reaches oneservice in two forms, and both are checked here:

* a **calendar file** (``workflows/calendars/<year>.yaml``, its keys at the top level or under
  ``calendar:``): what ``oneservice check`` reads, and what
  :meth:`~oneservice.engine.calendar.WorkCalendar.with_year_data` (and so
  ``OneService.load_calendar``) takes once parsed. Holidays are ranges ``{name, from, to}`` that
  include the weekend days inside them; dates are ``datetime.date`` values or ISO strings.
  :func:`check_calendar_file` checks it.
* the **arguments** of :meth:`~oneservice.engine.calendar.WorkCalendar.with_year`: the
  Monday–Friday days off and the weekend days worked, as ``datetime.date`` values.
  :func:`check_calendar_year` checks them.

Each returns a :class:`CalendarCheck`: the checked :class:`CalendarData` when nothing is wrong,
and every :class:`CalendarProblem` with the key path where it is, in the order of the data. The
loader turns the problems into findings at their file:line:column (OS201 unknown key, OS202
missing key, OS203 wrong type or value, OS601 dates that contradict each other); the engine
raises a :class:`~oneservice.errors.CalendarError` (OS610) from the first
(:meth:`CalendarCheck.data_or_raise`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal

import attrs

from ..errors import CalendarError

__all__ = ["FILE_YEARS", "CalendarCheck", "CalendarData", "CalendarProblem", "check_calendar_file",
           "check_calendar_year"]

FILE_YEARS = range(2004, 2101)
"""The years a calendar file may be for (``docs/authoring.md``)."""

KeyPath = tuple[Any, ...]  # keys (str) and list indexes (int) from the top of the data

_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOP_KEYS = ("year", "source", "holidays", "workdays")
_HOLIDAY_KEYS = ("name", "from", "to")
_SOURCE = "source must name the notice the data comes from (e.g. 国务院办公厅关于…节假日安排的通知)"
_NAME = "expected a string or a mapping such as {zh: 元旦, en: New Year's Day}"


@attrs.frozen
class CalendarData:
    """One checked year of the official calendar."""

    year: int
    source: str
    holidays: frozenset[date]  # Monday–Friday days off
    days_off: frozenset[date]  # every day inside a holiday range (of a file), weekend days included
    workdays: frozenset[date]  # Saturdays / Sundays that are working days (调休上班)
    file: str = ""  # the calendar file it was loaded from ("" when given in Python)


@attrs.frozen
class CalendarProblem:
    """One thing wrong with calendar data, at ``path`` (``()``: the data as a whole)."""

    code: str  # OS201 unknown key, OS202 missing key, OS203 wrong type or value, OS601 dates
    path: KeyPath
    message: str
    hint: str | None = None

    @property
    def where(self) -> str:
        """``path`` written as in the file: ``holidays[0].from``; ``<root>`` for the whole."""
        out = ""
        for key in self.path:
            out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
        return out or "<root>"

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


@attrs.frozen
class CalendarCheck:
    """The outcome of checking one year: the data when there is no problem, else the problems."""

    form: Literal["file", "year"]
    year: int | None  # the year, once it is known to be a valid one
    problems: tuple[CalendarProblem, ...]
    data: CalendarData | None

    def error(self) -> CalendarError:
        """The :class:`CalendarError` of the first problem, said for a Python caller."""
        problem = self.problems[0]
        if self.form == "file":
            subject = "calendar data" if self.year is None else f"calendar data for {self.year}"
            return CalendarError(f"{subject}: at {problem.where}: {problem}")
        subject = "calendar" if self.year is None else f"calendar {self.year}:"
        return CalendarError(f"{subject} {problem}")

    def data_or_raise(self) -> CalendarData:
        """The checked data; :class:`CalendarError` (the first problem) if there is none."""
        if self.data is None:
            raise self.error()
        return self.data


# --------------------------------------------------------------------------- shared rules


def _describe(d: date) -> str:
    return f"{d.isoformat()} ({_WEEKDAY_NAMES[d.weekday()]})"


def _weekday_workday(path: KeyPath, d: date) -> CalendarProblem:
    return CalendarProblem(
        "OS601", path,
        f"make-up workday {_describe(d)} is not a Saturday or Sunday, so it is a working day anyway",
        "list only weekend days that are worked (调休上班)",
    )


def _not_in_year(path: KeyPath, what: str, d: date, year: int) -> CalendarProblem:
    return CalendarProblem("OS601", path, f"{what}{d.isoformat()} is not in {year}",
                           f"list it in the calendar for {d.year} instead")


def _valid_source(source: object) -> bool:
    return isinstance(source, str) and bool(source.strip())


def _shown(value: object) -> str:
    """``value`` as a message shows it: short, and never a whole nested structure."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------- a calendar file


def check_calendar_file(data: object, *, file: str = "") -> CalendarCheck:
    """Check the content of a calendar file (``{year, source, holidays, workdays}``)."""
    if not isinstance(data, Mapping):
        problem = CalendarProblem("OS203", (), f"expected a mapping, got {type(data).__name__}")
        return CalendarCheck("file", None, (problem,), None)
    problems: list[CalendarProblem] = []
    _unknown_keys(data, _TOP_KEYS, (), problems)
    year = _file_year(data, problems)
    source = data.get("source")
    if "source" not in data:
        problems.append(CalendarProblem("OS202", ("source",), "this key is required"))
    elif not _valid_source(source):
        problems.append(CalendarProblem("OS203", ("source",), _SOURCE))
    days_off: set[date] = set()
    for index, entry in enumerate(_list(data, "holidays", problems)):
        days_off.update(_holiday_range(entry, year, ("holidays", index), problems))
    workdays: set[date] = set()
    for index, value in enumerate(_list(data, "workdays", problems)):
        path = ("workdays", index)
        day = _file_date(value, path, problems)
        if day is None:
            continue
        if year is not None and day.year != year:
            problems.append(_not_in_year(path, "", day, year))
        elif day.weekday() < _SATURDAY:
            problems.append(_weekday_workday(path, day))
        elif day in days_off:
            problems.append(CalendarProblem(
                "OS601", path, f"{day.isoformat()} is also inside a holiday range",
                "remove it from one of them"))
        else:
            workdays.add(day)
    if problems or year is None or not isinstance(source, str):
        return CalendarCheck("file", year, tuple(problems), None)
    checked = CalendarData(
        year=year, source=source.strip(), holidays=frozenset(d for d in days_off if d.weekday() < _SATURDAY),
        days_off=frozenset(days_off), workdays=frozenset(workdays), file=file,
    )
    return CalendarCheck("file", year, (), checked)


def _unknown_keys(data: Mapping[Any, Any], allowed: Sequence[str], path: KeyPath,
                  problems: list[CalendarProblem]) -> None:
    import difflib

    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            problems.append(CalendarProblem("OS201", (*path, key), f"unknown key {key!r}", hint))


def _file_year(data: Mapping[Any, Any], problems: list[CalendarProblem]) -> int | None:
    if "year" not in data:
        problems.append(CalendarProblem("OS202", ("year",), "this key is required"))
        return None
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(CalendarProblem(
            "OS203", ("year",), f"expected a year such as 2027, got {_shown(year)}"))
        return None
    if year not in FILE_YEARS:
        problems.append(CalendarProblem(
            "OS203", ("year",), f"expected a year from {FILE_YEARS[0]} to {FILE_YEARS[-1]}, got {year}"))
        return None
    return year


def _list(data: Mapping[Any, Any], key: str, problems: list[CalendarProblem]) -> Sequence[Any]:
    if key not in data:
        problems.append(CalendarProblem("OS202", (key,), "this key is required"))
        return ()
    value = data[key]
    if not isinstance(value, list | tuple):
        problems.append(CalendarProblem(
            "OS203", (key,), f"expected a list (write `{key}: []` if there are none)"))
        return ()
    return value


def _file_date(value: object, path: KeyPath, problems: list[CalendarProblem]) -> date | None:
    """A ``datetime.date`` (not a datetime) or an ISO ``YYYY-MM-DD`` string, as a date."""
    if isinstance(value, date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(CalendarProblem(
        "OS203", path, f"{_shown(value)} is not a date", "write it as YYYY-MM-DD"))
    return None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 200


def _is_name(value: object) -> bool:
    """A holiday's name: a text, or ``{zh: …, en: …}`` (as every bilingual text of the catalogue)."""
    if isinstance(value, Mapping):
        return set(value) == {"zh", "en"} and all(_is_text(v) for v in value.values())
    return _is_text(value)


def _holiday_range(
    entry: object, year: int | None, path: KeyPath, problems: list[CalendarProblem]
) -> list[date]:
    """The days of one ``{name, from, to}`` holiday entry (none when it is wrong)."""
    if not isinstance(entry, Mapping):
        problems.append(CalendarProblem("OS203", path, "expected a mapping with keys name, from, to"))
        return []
    _unknown_keys(entry, _HOLIDAY_KEYS, path, problems)
    if "name" in entry and not _is_name(entry["name"]):
        problems.append(CalendarProblem("OS203", (*path, "name"), _NAME))
    ends: list[date] = []
    for key in ("from", "to"):
        if key not in entry:
            problems.append(CalendarProblem("OS202", (*path, key), "this key is required"))
        elif (day := _file_date(entry[key], (*path, key), problems)) is not None:
            ends.append(day)
    if len(ends) < 2:
        return []
    first, last = ends
    if last < first:
        problems.append(CalendarProblem(
            "OS601", (*path, "to"), f"{last.isoformat()} is before from {first.isoformat()}"))
        return []
    if year is None:
        return []  # which days belong to the year is not known
    outside = [(key, day) for key, day in (("from", first), ("to", last)) if day.year != year]
    for key, day in outside:
        problems.append(CalendarProblem(
            "OS601", (*path, key), f"{day.isoformat()} is not in {year}",
            f"split the range and put the days of {day.year} in that year's calendar"))
    if outside:
        return []
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --------------------------------------------------------------------------- WorkCalendar.with_year


def check_calendar_year(
    year: object, holidays: Iterable[object], workdays: Iterable[object], source: object
) -> CalendarCheck:
    """Check the arguments of ``WorkCalendar.with_year``: single dates, holidays on weekdays."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        problem = CalendarProblem("OS203", ("year",), f"year must be an integer 1..9999, got {year!r}")
        return CalendarCheck("year", None, (problem,), None)
    problems: list[CalendarProblem] = []
    if not _valid_source(source):
        problems.append(CalendarProblem("OS203", ("source",), _SOURCE))
    days_off = _dates(holidays, "holidays", "holiday", year, problems)
    working = _dates(workdays, "workdays", "make-up workday", year, problems)
    for d in sorted(days_off & working):
        problems.append(CalendarProblem(
            "OS601", ("workdays",), f"{d.isoformat()} is listed both as a holiday and as a make-up workday",
            "remove it from one of the two lists"))
    problems.extend(_weekday_workday(("workdays",), d) for d in sorted(working) if d.weekday() < _SATURDAY)
    problems.extend(
        CalendarProblem(
            "OS601", ("holidays",), f"holiday {_describe(d)} is a weekend day, which is a day off anyway",
            "list only Monday–Friday days off")
        for d in sorted(days_off) if d.weekday() >= _SATURDAY
    )
    if problems or not isinstance(source, str):
        return CalendarCheck("year", year, tuple(problems), None)
    checked = CalendarData(year=year, source=source.strip(), holidays=frozenset(days_off),
                           days_off=frozenset(days_off), workdays=frozenset(working))
    return CalendarCheck("year", year, (), checked)


def _dates(
    values: Iterable[object], key: str, what: str, year: int, problems: list[CalendarProblem]
) -> set[date]:
    out: set[date] = set()
    for index, value in enumerate(values):
        if isinstance(value, dt.datetime) or not isinstance(value, date):
            problems.append(CalendarProblem("OS203", (key, index), f"{what} {value!r} is not a date",
                                            "give a datetime.date"))
        elif value.year != year:
            problems.append(_not_in_year((key, index), f"{what} ", value, year))
        else:
            out.add(value)
    return out
